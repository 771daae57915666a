//! AudioParam timelines.
//!
//! PLACEHOLDER: the full implementation lives on the `param` branch; this
//! file only provides the agreed API surface (setValue, setValueAtTime,
//! linear and exponential ramps, cancelScheduledValues) so the graph can be
//! built and tested against it. It is replaced when `param` is merged.

use crate::RENDER_QUANTUM_SIZE;
use crate::queues::Trash;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutomationRate {
    ARate,
    KRate,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamDescriptor {
    pub name: &'static str,
    pub default_value: f32,
    pub min_value: f32,
    pub max_value: f32,
    pub automation_rate: AutomationRate,
    /// e.g. AudioBufferSourceNode.playbackRate cannot change rate (spec: InvalidStateError)
    pub rate_fixed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AutomationEvent {
    SetValue { value: f32, time: f64 },
    LinearRamp { value: f32, time: f64 },
    ExponentialRamp { value: f32, time: f64 },
}

impl AutomationEvent {
    fn time(&self) -> f64 {
        match self {
            Self::SetValue { time, .. }
            | Self::LinearRamp { time, .. }
            | Self::ExponentialRamp { time, .. } => *time,
        }
    }
    fn value(&self) -> f32 {
        match self {
            Self::SetValue { value, .. }
            | Self::LinearRamp { value, .. }
            | Self::ExponentialRamp { value, .. } => *value,
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParamError {
    #[error("RangeError: {0}")]
    Range(String),
    #[error("NotSupportedError: {0}")]
    NotSupported(String),
    #[error("InvalidStateError: {0}")]
    InvalidState(String),
    #[error("TypeError: {0}")]
    Type(String),
}

/// What crosses to the render thread.
#[derive(Debug)]
#[allow(clippy::box_collection)]
pub enum ParamCommand {
    Insert {
        event: AutomationEvent,
        /// Bigger storage when the render side's would overflow.
        storage: Option<Box<Vec<AutomationEvent>>>,
    },
    SetIntrinsic(f32),
    Cancel(f64),
    SetRate(AutomationRate),
}

pub struct ParamControl {
    desc: ParamDescriptor,
    rate: AutomationRate,
    /// Events the render side may still hold (it never prunes in this stub).
    count: usize,
    capacity: usize,
}

const INITIAL_CAPACITY: usize = 8;

impl ParamControl {
    pub fn new(desc: ParamDescriptor) -> Self {
        Self {
            desc,
            rate: desc.automation_rate,
            count: 0,
            capacity: INITIAL_CAPACITY,
        }
    }

    pub fn descriptor(&self) -> &ParamDescriptor {
        &self.desc
    }

    pub fn automation_rate(&self) -> AutomationRate {
        self.rate
    }

    fn insert(&mut self, event: AutomationEvent) -> Result<ParamCommand, ParamError> {
        if !event.value().is_finite() || !event.time().is_finite() {
            return Err(ParamError::Type("non-finite value".into()));
        }
        if event.time() < 0.0 {
            return Err(ParamError::Range("time must not be negative".into()));
        }
        self.count += 1;
        let storage = if self.count > self.capacity {
            self.capacity *= 2;
            Some(Box::new(Vec::with_capacity(self.capacity)))
        } else {
            None
        };
        Ok(ParamCommand::Insert { event, storage })
    }

    pub fn set_value_at_time(
        &mut self,
        value: f32,
        start_time: f64,
    ) -> Result<ParamCommand, ParamError> {
        self.insert(AutomationEvent::SetValue {
            value,
            time: start_time,
        })
    }

    pub fn linear_ramp_to_value_at_time(
        &mut self,
        value: f32,
        end_time: f64,
    ) -> Result<ParamCommand, ParamError> {
        self.insert(AutomationEvent::LinearRamp {
            value,
            time: end_time,
        })
    }

    pub fn exponential_ramp_to_value_at_time(
        &mut self,
        value: f32,
        end_time: f64,
    ) -> Result<ParamCommand, ParamError> {
        if value == 0.0 {
            return Err(ParamError::Range("value must not be zero".into()));
        }
        self.insert(AutomationEvent::ExponentialRamp {
            value,
            time: end_time,
        })
    }

    pub fn cancel_scheduled_values(
        &mut self,
        cancel_time: f64,
    ) -> Result<ParamCommand, ParamError> {
        if cancel_time < 0.0 || !cancel_time.is_finite() {
            return Err(ParamError::Range("cancelTime must not be negative".into()));
        }
        Ok(ParamCommand::Cancel(cancel_time))
    }

    pub fn set_value(&mut self, value: f32, current_time: f64) -> Result<ParamCommand, ParamError> {
        if !value.is_finite() {
            return Err(ParamError::Type("non-finite value".into()));
        }
        if self.count == 0 {
            return Ok(ParamCommand::SetIntrinsic(value));
        }
        self.set_value_at_time(value, current_time)
    }

    pub fn set_automation_rate(
        &mut self,
        rate: AutomationRate,
    ) -> Result<ParamCommand, ParamError> {
        if self.desc.rate_fixed && rate != self.rate {
            return Err(ParamError::InvalidState(
                "automationRate cannot be changed".into(),
            ));
        }
        self.rate = rate;
        Ok(ParamCommand::SetRate(rate))
    }

    pub fn prune(&mut self, _current_time: f64) {}
}

// Boxed vectors: a `Box<Vec<_>>` coerces to `Trash` without allocating, so
// replaced storage can be discarded from the render thread.
#[allow(clippy::box_collection)]
pub struct ParamRenderer {
    desc: ParamDescriptor,
    rate: AutomationRate,
    intrinsic: f32,
    events: Box<Vec<AutomationEvent>>,
    last: f32,
}

impl ParamRenderer {
    pub fn new(desc: &ParamDescriptor) -> Self {
        Self {
            desc: *desc,
            rate: desc.automation_rate,
            intrinsic: desc.default_value,
            events: Box::new(Vec::with_capacity(INITIAL_CAPACITY)),
            last: desc.default_value.clamp(desc.min_value, desc.max_value),
        }
    }

    pub fn apply(&mut self, cmd: ParamCommand, discard: &mut dyn FnMut(Trash)) {
        match cmd {
            ParamCommand::Insert { event, storage } => {
                if let Some(mut new) = storage {
                    new.extend(self.events.drain(..));
                    let old = std::mem::replace(&mut self.events, new);
                    discard(old);
                }
                if self.events.len() == self.events.capacity() {
                    return;
                }
                let t = event.time();
                let pos = self.events.partition_point(|e| e.time() <= t);
                self.events.insert(pos, event);
            }
            ParamCommand::SetIntrinsic(v) => self.intrinsic = v,
            ParamCommand::Cancel(t) => {
                let pos = self.events.partition_point(|e| e.time() < t);
                self.events.truncate(pos);
            }
            ParamCommand::SetRate(r) => self.rate = r,
        }
    }

    fn value_at(&self, t: f64) -> f32 {
        let idx = self.events.partition_point(|e| e.time() <= t);
        let (t0, v0) = if idx == 0 {
            (0.0, self.intrinsic)
        } else {
            let e = &self.events[idx - 1];
            (e.time(), e.value())
        };
        match self.events.get(idx) {
            Some(AutomationEvent::LinearRamp { value, time }) => {
                let f = ((t - t0) / (time - t0)) as f32;
                v0 + (value - v0) * f
            }
            Some(AutomationEvent::ExponentialRamp { value, time }) if v0 * value > 0.0 => {
                let f = (t - t0) / (time - t0);
                (v0 as f64 * (*value as f64 / v0 as f64).powf(f)) as f32
            }
            _ => v0,
        }
    }

    pub fn compute(
        &mut self,
        quantum_start_frame: u64,
        sample_rate: f32,
        input: Option<&[f32; RENDER_QUANTUM_SIZE]>,
        out: &mut [f32; RENDER_QUANTUM_SIZE],
    ) -> usize {
        let sr = sample_rate as f64;
        let t0 = quantum_start_frame as f64 / sr;
        let t_end = (quantum_start_frame + RENDER_QUANTUM_SIZE as u64) as f64 / sr;
        let (lo, hi) = (self.desc.min_value, self.desc.max_value);
        let constant = self.rate == AutomationRate::KRate
            || (input.is_none() && self.events.last().is_none_or(|e| e.time() <= t0));
        if constant {
            let mut v = self.value_at(t0);
            if let Some(input) = input {
                v += input[0];
            }
            let v = v.clamp(lo, hi);
            out[0] = v;
            self.last = v;
            return 1;
        }
        let _ = t_end;
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.value_at((quantum_start_frame + i as u64) as f64 / sr);
        }
        if let Some(input) = input {
            for (o, x) in out.iter_mut().zip(input) {
                *o += x;
            }
        }
        for o in out.iter_mut() {
            *o = o.clamp(lo, hi);
        }
        self.last = out[RENDER_QUANTUM_SIZE - 1];
        RENDER_QUANTUM_SIZE
    }

    pub fn last_value(&self) -> f32 {
        self.last
    }
}
