//! AudioParam automation: the spec's event timeline ("AudioParam" and
//! "Computation of Value" in the Web Audio API).
//!
//! Two halves, like a node:
//! - [`ParamControl`] lives on the JS thread. It validates every automation
//!   call synchronously (the exceptions must be thrown from the call itself),
//!   keeps a mirror of the event times so the overlap rules of
//!   `setValueCurveAtTime` can be checked there, and turns each accepted call
//!   into a [`ParamCommand`]. It also tracks how much event storage the render
//!   side holds and sends a bigger one along when an insertion could fill it.
//! - [`ParamRenderer`] lives on the render thread. It owns the real event list
//!   and evaluates it per frame; it never allocates or frees.
//!
//! Times are kept in seconds as `f64`, exactly as the spec formulas use them.
//! An event at time `t` takes effect at frame `floor(t * sampleRate + 0.5)`
//! (what the conformance tests' `timeToSampleFrame` computes); between events
//! the formulas are evaluated at `t = frame / sampleRate`. Since that frame
//! can be up to half a sample before `t`, ramps, SetTarget and curves never
//! extrapolate before their start: the event's own frame gets its start value.
//! The end of a curve (the spec's implicit setValueAtTime at `T0 + TD`) is
//! treated like an event too.
//!
//! How the graph uses it:
//! - one `ParamControl` + one `ParamRenderer` per AudioParam, both built on
//!   the control thread (`ParamRenderer::new` allocates its initial storage);
//! - call `ParamControl::prune(currentTime)` whenever `currentTime` advances
//!   (or before each automation call): it bounds the mirror and gives the
//!   control side the `currentTime` that past times are clamped to;
//! - forward every `ParamCommand` to the render thread in call order and
//!   `apply` it before computing the next quantum, giving it a `discard` that
//!   feeds the garbage queue;
//! - call `compute` once per quantum and publish `last_value()` for the
//!   `value` getter. Between a `value` setter call and the next publication
//!   the getter should return `ParamControl::clamp_to_nominal(value)`.
//!
//! The render side also clamps times to its own `currentTime` when a command
//! arrives, and resolves everything that depends on the live timeline there
//! (the start of a ramp with no preceding event, a ramp after a running
//! SetTarget, the values held by cancelAndHoldAtTime).

use std::collections::{BTreeMap, VecDeque};

use crate::RENDER_QUANTUM_SIZE;
use crate::queues::Trash;

/// Event slots the render side starts with; the control side assumes the same.
const INITIAL_CAPACITY: usize = 0;

/// Slots kept free beyond what the control-side mirror counts. The render side
/// keeps up to two already-passed events the mirror may have pruned, plus the
/// implicit events a ramp or cancel-and-hold can add.
const CAPACITY_SLACK: usize = 6;

/// How long (seconds) the control side keeps mirroring events after their end.
const PRUNE_MARGIN: f64 = 1e-3;

/// The spec's most-positive-single-float (3.4028235e38), the `maxValue` of
/// params without a narrower nominal range.
pub const MOST_POSITIVE_SINGLE_FLOAT: f32 = f32::MAX;

/// The spec's most-negative-single-float, the matching `minValue`.
pub const MOST_NEGATIVE_SINGLE_FLOAT: f32 = f32::MIN;

/// `AutomationRate` of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutomationRate {
    ARate,
    KRate,
}

/// The fixed properties of one AudioParam.
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

impl ParamDescriptor {
    /// An a-rate param whose rate may change, with the full float range.
    pub const fn new(name: &'static str, default_value: f32) -> Self {
        Self {
            name,
            default_value,
            min_value: MOST_NEGATIVE_SINGLE_FLOAT,
            max_value: MOST_POSITIVE_SINGLE_FLOAT,
            automation_rate: AutomationRate::ARate,
            rate_fixed: false,
        }
    }

    /// The same with nominal range `[min_value, max_value]`.
    pub const fn with_range(mut self, min_value: f32, max_value: f32) -> Self {
        self.min_value = min_value;
        self.max_value = max_value;
        self
    }

    /// The same with another default automation rate.
    pub const fn with_rate(mut self, automation_rate: AutomationRate) -> Self {
        self.automation_rate = automation_rate;
        self
    }

    /// The same, with the rate fixed (changing it throws InvalidStateError).
    pub const fn rate_fixed(mut self) -> Self {
        self.rate_fixed = true;
        self
    }
}

/// One automation event as the spec's automation methods describe it.
#[derive(Debug, Clone, PartialEq)]
pub enum AutomationEvent {
    SetValue {
        value: f32,
        start_time: f64,
    },
    LinearRamp {
        value: f32,
        end_time: f64,
    },
    ExponentialRamp {
        value: f32,
        end_time: f64,
    },
    SetTarget {
        target: f32,
        start_time: f64,
        time_constant: f64,
    },
    SetValueCurve {
        values: Box<[f32]>,
        start_time: f64,
        duration: f64,
    },
}

impl AutomationEvent {
    /// The spec's "automation event time" (the end time for ramps).
    pub fn time(&self) -> f64 {
        match self {
            Self::SetValue { start_time, .. }
            | Self::SetTarget { start_time, .. }
            | Self::SetValueCurve { start_time, .. } => *start_time,
            Self::LinearRamp { end_time, .. } | Self::ExponentialRamp { end_time, .. } => *end_time,
        }
    }
}

/// The exceptions the automation methods throw, by their JS type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    SetValue,
    Linear,
    Exponential,
    Target,
    Curve,
}

impl Kind {
    fn is_ramp(self) -> bool {
        matches!(self, Kind::Linear | Kind::Exponential)
    }
}

/// Curve values, boxed once more so the render side can hand them to the
/// garbage thread as a [`Trash`] without allocating a new box.
#[derive(Debug)]
struct CurveData(Box<[f32]>);

/// What the timeline does after the last event that has taken effect.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tail {
    Hold(f64),
    Target {
        t0: f64,
        v0: f64,
        target: f64,
        tau: f64,
    },
    /// Playing the curve at this index of the event list.
    Curve(usize),
}

/// Timeline state after some prefix of the event list has taken effect.
#[derive(Debug, Clone, Copy, PartialEq)]
struct State {
    tail: Tail,
    /// Where a ramp that follows starts from: the spec's (T0, V0).
    anchor_time: f64,
    anchor_value: f64,
}

/// A render-side event.
#[derive(Debug)]
struct Event {
    kind: Kind,
    time: f64,
    /// V for SetValue, V1 for ramps, the target for SetTarget.
    value: f64,
    time_constant: f64,
    duration: f64,
    /// Curves only: where the curve stops (start + duration, or earlier after
    /// cancelAndHoldAtTime). The curve keeps its original duration for
    /// sampling, as the spec requires.
    cut: f64,
    curve: Option<Box<CurveData>>,
    /// The state just before this event took effect; restores the timeline
    /// when cancellation removes an event that already started.
    before: State,
    /// Render side: the order of arrival, which orders events at equal times.
    seq: u64,
}

impl Event {
    fn new(kind: Kind, time: f64, value: f64) -> Self {
        Self {
            kind,
            time,
            value,
            time_constant: 0.0,
            duration: 0.0,
            cut: time,
            curve: None,
            before: State {
                tail: Tail::Hold(value),
                anchor_time: time,
                anchor_value: value,
            },
            seq: 0,
        }
    }

    fn curve_values(&self) -> &[f32] {
        match &self.curve {
            Some(c) => &c.0,
            None => &[],
        }
    }
}

/// An accepted automation event on its way to the render thread.
#[derive(Debug)]
pub struct ScheduledEvent(Event);

/// Preallocated event storage on its way to the render thread.
// Boxed so the render side can pass the replaced storage to the garbage
// thread as a `Trash` without allocating a box for it.
#[allow(clippy::box_collection)]
#[derive(Debug)]
pub struct EventStorage(Box<VecDeque<Event>>);

/// What crosses from [`ParamControl`] to [`ParamRenderer`]. Everything in it
/// is allocated on the control side.
#[derive(Debug)]
pub enum ParamCommand {
    Insert {
        event: ScheduledEvent,
        storage: Option<EventStorage>,
    },
    CancelScheduledValues {
        cancel_time: f64,
    },
    CancelAndHold {
        cancel_time: f64,
        storage: Option<EventStorage>,
    },
    SetAutomationRate(AutomationRate),
}

impl ParamCommand {
    /// Hands the command's heap parts to `discard` without applying it (the
    /// param's node is gone from the render side).
    pub(crate) fn discard(self, discard: &mut dyn FnMut(Trash)) {
        match self {
            ParamCommand::Insert { event, storage } => {
                if let Some(c) = event.0.curve {
                    discard(c);
                }
                if let Some(s) = storage {
                    discard(s.0);
                }
            }
            ParamCommand::CancelAndHold {
                storage: Some(s), ..
            } => discard(s.0),
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------
// Formulas shared by both halves' evaluation.

/// The frame at which an event at `time` takes effect.
#[inline]
fn effect_frame(time: f64, sample_rate: f64) -> u64 {
    // Saturating cast: negative never happens (times are clamped), huge times
    // become "never".
    (time * sample_rate + 0.5).floor() as u64
}

#[inline(always)]
fn linear_value(t0: f64, v0: f64, t1: f64, v1: f64, t: f64) -> f64 {
    let span = t1 - t0;
    if span <= 0.0 {
        return v1;
    }
    // The event's frame may be up to half a sample before its exact time;
    // never extrapolate before T0.
    let x = ((t - t0) / span).clamp(0.0, 1.0);
    v0 + (v1 - v0) * x
}

/// `V0 (V1/V0)^((t-T0)/(T1-T0))`, or `V0` when the ramp is impossible
/// (opposite signs or `V0 == 0`).
#[inline(always)]
fn exponential_value(t0: f64, v0: f64, t1: f64, v1: f64, t: f64) -> f64 {
    if !exponential_possible(v0, v1) {
        return v0;
    }
    let span = t1 - t0;
    if span <= 0.0 {
        return v1;
    }
    let x = ((t - t0) / span).clamp(0.0, 1.0);
    v0 * (v1 / v0).powf(x)
}

#[inline(always)]
fn exponential_possible(v0: f64, v1: f64) -> bool {
    v0 != 0.0 && (v0 > 0.0) == (v1 > 0.0)
}

#[inline(always)]
fn target_value(t0: f64, v0: f64, target: f64, tau: f64, t: f64) -> f64 {
    if tau == 0.0 {
        return target;
    }
    target + (v0 - target) * (-((t - t0).max(0.0) / tau)).exp()
}

/// The spec's curve sampling: `k = floor((N-1)/T_D (t - T_0))`, linear
/// interpolation between `V[k]` and `V[k+1]`, `V[N-1]` from `T_0 + T_D` on.
#[inline(always)]
fn curve_sample(values: &[f32], t0: f64, duration: f64, t: f64) -> f64 {
    let n = values.len();
    if n < 2 {
        return values.first().map_or(0.0, |&v| v as f64);
    }
    let pos = (((n - 1) as f64 / duration) * (t - t0)).max(0.0);
    let k = pos.floor();
    if k >= (n - 1) as f64 {
        return values[n - 1] as f64;
    }
    let ki = k as usize;
    let a = values[ki] as f64;
    let b = values[ki + 1] as f64;
    a + (b - a) * (pos - k)
}

/// Value a (possibly cut) curve event holds after it stops.
fn curve_end_value(ev: &Event) -> f64 {
    let values = ev.curve_values();
    if ev.cut < ev.time + ev.duration {
        curve_sample(values, ev.time, ev.duration, ev.cut)
    } else {
        values.last().map_or(0.0, |&v| v as f64)
    }
}

fn curve_value_at(ev: &Event, t: f64) -> f64 {
    if t >= ev.cut {
        curve_end_value(ev)
    } else {
        curve_sample(ev.curve_values(), ev.time, ev.duration, t)
    }
}

// ---------------------------------------------------------------------------
// Control side.

/// What the control side remembers of an event: enough for the overlap rules.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Mirrored {
    kind: Kind,
    time: f64,
    /// Curves: start + (possibly cut) duration. Others: `time`.
    end: f64,
}

/// Where a mirrored event sorts: its time (as the bits of a non-negative
/// f64, which order like the values), then the order of the calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    time: u64,
    seq: u64,
}

impl Key {
    fn time_bits(t: f64) -> u64 {
        // Times are finite and never negative here; `+ 0.0` folds -0 into 0.
        (t + 0.0).to_bits()
    }

    /// Before every event at `t` or later.
    fn first_at(t: f64) -> Self {
        Self {
            time: Self::time_bits(t),
            seq: 0,
        }
    }

    /// After every event at `t` or earlier.
    fn after(t: f64) -> Self {
        Self {
            time: Self::time_bits(t),
            seq: u64::MAX,
        }
    }
}

/// Control side (JS thread) of one AudioParam. The mirror is ordered maps,
/// so each call is O(log n) however the times of the calls are ordered.
#[derive(Debug)]
pub struct ParamControl {
    desc: ParamDescriptor,
    rate: AutomationRate,
    events: BTreeMap<Key, Mirrored>,
    /// The curves among `events` by start time: end. They never overlap.
    curves: BTreeMap<u64, f64>,
    /// Sequence number of the next call.
    seq: u64,
    /// The latest `currentTime` seen (from `prune` or `set_value`): times
    /// before it are clamped to it.
    now: f64,
    /// Event slots the render side holds (the storage last sent).
    capacity: usize,
}

fn check_finite_f32(what: &str, v: f32) -> Result<(), ParamError> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(ParamError::Type(format!(
            "The provided float value for {what} is non-finite."
        )))
    }
}

fn check_finite_f64(what: &str, v: f64) -> Result<(), ParamError> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(ParamError::Type(format!(
            "The provided double value for {what} is non-finite."
        )))
    }
}

fn check_time(method: &str, what: &str, t: f64) -> Result<(), ParamError> {
    if t < 0.0 {
        Err(ParamError::Range(format!(
            "{method}: {what} ({t}) must be non-negative."
        )))
    } else {
        Ok(())
    }
}

impl ParamControl {
    pub fn new(desc: ParamDescriptor) -> Self {
        Self {
            desc,
            rate: desc.automation_rate,
            events: BTreeMap::new(),
            curves: BTreeMap::new(),
            seq: 0,
            now: 0.0,
            capacity: INITIAL_CAPACITY,
        }
    }

    pub fn descriptor(&self) -> &ParamDescriptor {
        &self.desc
    }

    pub fn automation_rate(&self) -> AutomationRate {
        self.rate
    }

    /// Clamps to the nominal range, as the `value` getter reports it.
    pub fn clamp_to_nominal(&self, v: f32) -> f32 {
        clamp_nominal(
            v,
            self.desc.min_value,
            self.desc.max_value,
            self.desc.default_value,
        )
    }

    fn clamp_time(&self, t: f64) -> f64 {
        t.max(self.now)
    }

    fn next_key(&mut self, time: f64) -> Key {
        self.seq += 1;
        Key {
            time: Key::time_bits(time),
            seq: self.seq,
        }
    }

    fn push(&mut self, kind: Kind, time: f64, end: f64) {
        let key = self.next_key(time);
        self.events.insert(key, Mirrored { kind, time, end });
        if kind == Kind::Curve {
            self.curves.insert(key.time, end);
        }
    }

    /// Second overlap rule: no automation inside `[T, T+D)` of a curve.
    fn check_not_in_curve(&self, method: &str, time: f64) -> Result<(), ParamError> {
        if let Some((&start, &end)) = self.curves.range(..=Key::time_bits(time)).next_back()
            && time < end
        {
            let start = f64::from_bits(start);
            return Err(ParamError::NotSupported(format!(
                "{method}: time {time} overlaps setValueCurveAtTime at {start} with duration {}.",
                end - start
            )));
        }
        Ok(())
    }

    /// Storage to send along when the next change may add `extra` events.
    fn storage_for(&mut self, extra: usize) -> Option<EventStorage> {
        let needed = self.events.len() + extra + CAPACITY_SLACK;
        if needed <= self.capacity {
            return None;
        }
        let capacity = needed * 2;
        self.capacity = capacity;
        Some(EventStorage(Box::new(VecDeque::with_capacity(capacity))))
    }

    fn insert(&mut self, kind: Kind, time: f64, end: f64, event: Event) -> ParamCommand {
        // A ramp with nothing at or before its time gets an implicit
        // setValueAtTime at the current time on the render side; count it.
        let implicit = kind.is_ramp() && self.events.range(..=Key::after(time)).next().is_none();
        let storage = self.storage_for(1 + implicit as usize);
        if implicit {
            // Sorts first: nothing is at or before `time >= now`.
            self.push(Kind::SetValue, self.now, self.now);
        }
        self.push(kind, time, end);
        ParamCommand::Insert {
            event: ScheduledEvent(event),
            storage,
        }
    }

    pub fn set_value_at_time(
        &mut self,
        value: f32,
        start_time: f64,
    ) -> Result<ParamCommand, ParamError> {
        check_finite_f32("value", value)?;
        check_finite_f64("startTime", start_time)?;
        self.insert_point(
            "setValueAtTime",
            "startTime",
            Kind::SetValue,
            value,
            start_time,
        )
    }

    /// The shared last steps of the automation methods that add one event
    /// at one time (setValueAtTime and the two ramps): the time check, the
    /// clamp to the present, the curve-overlap rule, and the insertion.
    fn insert_point(
        &mut self,
        method: &str,
        time_name: &str,
        kind: Kind,
        value: f32,
        time: f64,
    ) -> Result<ParamCommand, ParamError> {
        check_time(method, time_name, time)?;
        let t = self.clamp_time(time);
        self.check_not_in_curve(method, t)?;
        Ok(self.insert(kind, t, t, Event::new(kind, t, value as f64)))
    }

    pub fn linear_ramp_to_value_at_time(
        &mut self,
        value: f32,
        end_time: f64,
    ) -> Result<ParamCommand, ParamError> {
        check_finite_f32("value", value)?;
        check_finite_f64("endTime", end_time)?;
        self.insert_point(
            "linearRampToValueAtTime",
            "endTime",
            Kind::Linear,
            value,
            end_time,
        )
    }

    pub fn exponential_ramp_to_value_at_time(
        &mut self,
        value: f32,
        end_time: f64,
    ) -> Result<ParamCommand, ParamError> {
        const M: &str = "exponentialRampToValueAtTime";
        check_finite_f32("value", value)?;
        check_finite_f64("endTime", end_time)?;
        if value == 0.0 {
            return Err(ParamError::Range(format!(
                "{M}: value ({value}) must not be 0."
            )));
        }
        self.insert_point(M, "endTime", Kind::Exponential, value, end_time)
    }

    pub fn set_target_at_time(
        &mut self,
        target: f32,
        start_time: f64,
        time_constant: f64,
    ) -> Result<ParamCommand, ParamError> {
        const M: &str = "setTargetAtTime";
        check_finite_f32("target", target)?;
        check_finite_f64("startTime", start_time)?;
        check_finite_f64("timeConstant", time_constant)?;
        check_time(M, "startTime", start_time)?;
        if time_constant < 0.0 {
            return Err(ParamError::Range(format!(
                "{M}: timeConstant ({time_constant}) must be non-negative."
            )));
        }
        let t = self.clamp_time(start_time);
        self.check_not_in_curve(M, t)?;
        let mut ev = Event::new(Kind::Target, t, target as f64);
        ev.time_constant = time_constant;
        Ok(self.insert(Kind::Target, t, t, ev))
    }

    pub fn set_value_curve_at_time(
        &mut self,
        values: &[f32],
        start_time: f64,
        duration: f64,
    ) -> Result<ParamCommand, ParamError> {
        const M: &str = "setValueCurveAtTime";
        for &v in values {
            check_finite_f32("values", v)?;
        }
        check_finite_f64("startTime", start_time)?;
        check_finite_f64("duration", duration)?;
        if values.len() < 2 {
            return Err(ParamError::InvalidState(format!(
                "{M}: values must have at least 2 elements, got {}.",
                values.len()
            )));
        }
        check_time(M, "startTime", start_time)?;
        if duration <= 0.0 {
            return Err(ParamError::Range(format!(
                "{M}: duration ({duration}) must be strictly positive."
            )));
        }
        let t = self.clamp_time(start_time);
        let end = t + duration;
        // First overlap rule: no event strictly inside (T, T+D).
        if let Some((_, e)) = self.events.range(Key::after(t)..Key::first_at(end)).next() {
            return Err(ParamError::NotSupported(format!(
                "{M}: curve [{t}, {end}) overlaps an event at {}.",
                e.time
            )));
        }
        self.check_not_in_curve(M, t)?;
        // The copy is the script's size: a RangeError if it cannot be had.
        let copy = crate::fallible::try_copy(values)
            .map_err(|e| ParamError::Range(format!("{M}: {e} for the curve.")))?;
        let mut ev = Event::new(Kind::Curve, t, 0.0);
        ev.duration = duration;
        ev.cut = end;
        ev.curve = Some(Box::new(CurveData(copy.into_boxed_slice())));
        Ok(self.insert(Kind::Curve, t, end, ev))
    }

    /// Dispatches to the automation method that adds `event`.
    pub fn schedule(&mut self, event: &AutomationEvent) -> Result<ParamCommand, ParamError> {
        match *event {
            AutomationEvent::SetValue { value, start_time } => {
                self.set_value_at_time(value, start_time)
            }
            AutomationEvent::LinearRamp { value, end_time } => {
                self.linear_ramp_to_value_at_time(value, end_time)
            }
            AutomationEvent::ExponentialRamp { value, end_time } => {
                self.exponential_ramp_to_value_at_time(value, end_time)
            }
            AutomationEvent::SetTarget {
                target,
                start_time,
                time_constant,
            } => self.set_target_at_time(target, start_time, time_constant),
            AutomationEvent::SetValueCurve {
                ref values,
                start_time,
                duration,
            } => self.set_value_curve_at_time(values, start_time, duration),
        }
    }

    pub fn cancel_scheduled_values(
        &mut self,
        cancel_time: f64,
    ) -> Result<ParamCommand, ParamError> {
        check_finite_f64("cancelTime", cancel_time)?;
        check_time("cancelScheduledValues", "cancelTime", cancel_time)?;
        let tc = self.clamp_time(cancel_time);
        self.truncate_from(Key::first_at(tc));
        // The curve containing the cancel time goes too.
        if let Some((&start, &end)) = self.curves.range(..=Key::time_bits(tc)).next_back()
            && tc <= end
        {
            self.curves.remove(&start);
            if let Some(key) = self.curve_key(start) {
                self.events.remove(&key);
            }
        }
        Ok(ParamCommand::CancelScheduledValues { cancel_time: tc })
    }

    /// The key of the curve starting at `start` (time bits), if any.
    fn curve_key(&self, start: u64) -> Option<Key> {
        let t = f64::from_bits(start);
        self.events
            .range(Key::first_at(t)..=Key::after(t))
            .find(|(_, e)| e.kind == Kind::Curve)
            .map(|(k, _)| *k)
    }

    /// Removes every event from `key` on.
    fn truncate_from(&mut self, key: Key) {
        drop(self.events.split_off(&key));
        drop(self.curves.split_off(&key.time));
        // A curve starting at `key.time` but sorted before `key` stays.
        if let Some(k) = self.curve_key(key.time)
            && let Some(e) = self.events.get(&k)
        {
            self.curves.insert(key.time, e.end);
        }
    }

    pub fn cancel_and_hold_at_time(
        &mut self,
        cancel_time: f64,
    ) -> Result<ParamCommand, ParamError> {
        check_finite_f64("cancelTime", cancel_time)?;
        check_time("cancelAndHoldAtTime", "cancelTime", cancel_time)?;
        let tc = self.clamp_time(cancel_time);
        let storage = self.storage_for(1);
        let next = self
            .events
            .range(Key::after(tc)..)
            .next()
            .map(|(&k, &e)| (k, e));
        match next {
            Some((k2, e2)) if e2.kind.is_ramp() => {
                // The first ramp after the cancel time ends at it instead;
                // everything after that ramp goes.
                self.truncate_from(k2);
                self.push(e2.kind, tc, tc);
            }
            _ => {
                self.truncate_from(Key::after(tc));
                if let Some((_, e1)) = self.events.last_key_value() {
                    let (kind, time, end) = (e1.kind, e1.time, e1.end);
                    match kind {
                        Kind::Target => self.push(Kind::SetValue, tc, tc),
                        Kind::Curve if tc <= end => {
                            if let Some(mut e1) = self.events.last_entry() {
                                e1.get_mut().end = tc;
                            }
                            self.curves.insert(Key::time_bits(time), tc);
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(ParamCommand::CancelAndHold {
            cancel_time: tc,
            storage,
        })
    }

    /// the `value` setter: spec semantics (sets the intrinsic value and behaves as setValueAtTime(value, currentTime))
    pub fn set_value(&mut self, value: f32, current_time: f64) -> Result<ParamCommand, ParamError> {
        check_finite_f32("value", value)?;
        check_finite_f64("currentTime", current_time)?;
        self.now = self.now.max(current_time);
        self.set_value_at_time(value, current_time)
    }

    pub fn set_automation_rate(
        &mut self,
        rate: AutomationRate,
    ) -> Result<ParamCommand, ParamError> {
        if self.desc.rate_fixed && rate != self.rate {
            return Err(ParamError::InvalidState(format!(
                "automationRate of {} cannot be changed from {:?}.",
                self.desc.name, self.rate
            )));
        }
        self.rate = rate;
        Ok(ParamCommand::SetAutomationRate(rate))
    }

    /// drop mirrored events that are entirely in the past (called with the context's current time)
    ///
    /// Also records `current_time` for clamping the times of later calls.
    pub fn prune(&mut self, current_time: f64) {
        if current_time.is_finite() {
            self.now = self.now.max(current_time);
        }
        // An event up to half a sample before `now` may still be waiting to
        // take effect on the render side (at frame round(t * sampleRate));
        // keep counting it until it surely has. 1 ms exceeds half a sample at
        // every sample rate the spec allows.
        let horizon = self.now - PRUNE_MARGIN;
        // Events after one that ends at or after the horizon start there or
        // later (nothing starts inside a curve): the front is all that goes.
        while let Some(entry) = self.events.first_entry() {
            if entry.get().end >= horizon {
                break;
            }
            let e = entry.remove();
            if e.kind == Kind::Curve {
                self.curves.remove(&Key::time_bits(e.time));
            }
        }
    }

    /// Number of mirrored events (for tests and diagnostics).
    pub fn mirrored_len(&self) -> usize {
        self.events.len()
    }
}

#[inline(always)]
fn clamp_nominal(v: f32, min: f32, max: f32, default: f32) -> f32 {
    let v = if v.is_nan() { default } else { v };
    v.clamp(min, max)
}

// ---------------------------------------------------------------------------
// Render side.

/// What produces the values of a run of frames.
#[derive(Debug, Clone, Copy)]
enum Segment {
    Constant(f64),
    Linear {
        t0: f64,
        v0: f64,
        t1: f64,
        v1: f64,
    },
    Exponential {
        t0: f64,
        v0: f64,
        t1: f64,
        v1: f64,
    },
    Target {
        t0: f64,
        v0: f64,
        target: f64,
        tau: f64,
    },
    Curve(usize),
}

/// Render side (audio thread) of one AudioParam.
#[derive(Debug)]
pub struct ParamRenderer {
    default_value: f32,
    min_value: f32,
    max_value: f32,
    rate: AutomationRate,
    #[allow(clippy::box_collection)] // see `EventStorage`
    events: Box<VecDeque<Event>>,
    /// `events[..head]` have taken effect.
    head: usize,
    /// `events[..sorted]` are in order. Those after it arrived since, in
    /// any time order; they are merged in (one sort, or a few moves) before
    /// the list is next read in order, so a batch of n insertions costs
    /// O(n log n) whatever the order of their times.
    sorted: usize,
    /// The earliest time among `events[sorted..]`.
    unsorted_min: f64,
    /// Arrival counter for `Event::seq`.
    seq: u64,
    state: State,
    /// Time of the first frame not yet computed: the render side's `currentTime`.
    now: f64,
    last_value: f32,
    dropped: u32,
}

impl ParamRenderer {
    /// Call on the control thread: allocates the initial event storage.
    pub fn new(desc: &ParamDescriptor) -> Self {
        let v = desc.default_value as f64;
        Self {
            default_value: desc.default_value,
            min_value: desc.min_value,
            max_value: desc.max_value,
            rate: desc.automation_rate,
            events: Box::new(VecDeque::with_capacity(INITIAL_CAPACITY)),
            head: 0,
            sorted: 0,
            unsorted_min: f64::INFINITY,
            seq: 0,
            state: State {
                tail: Tail::Hold(v),
                anchor_time: 0.0,
                anchor_value: v,
            },
            now: 0.0,
            last_value: clamp_nominal(
                desc.default_value,
                desc.min_value,
                desc.max_value,
                desc.default_value,
            ),
            dropped: 0,
        }
    }

    /// Events dropped because the event storage was full. The control side
    /// sizes the storage so that this stays 0; a non-zero value is a bug
    /// worth reporting (from the control thread).
    pub fn dropped_events(&self) -> u32 {
        self.dropped
    }

    /// The last computed value (after clamping) for the `value` getter; the
    /// graph publishes it through an atomic.
    pub fn last_value(&self) -> f32 {
        self.last_value
    }

    pub fn automation_rate(&self) -> AutomationRate {
        self.rate
    }

    pub fn apply(&mut self, cmd: ParamCommand, discard: &mut dyn FnMut(Trash)) {
        self.compact(discard);
        match cmd {
            ParamCommand::Insert { event, storage } => {
                if let Some(s) = storage {
                    self.adopt(s, discard);
                }
                self.insert(event.0, discard);
            }
            ParamCommand::CancelScheduledValues { cancel_time } => {
                self.settle();
                self.cancel_scheduled(cancel_time, discard);
            }
            ParamCommand::CancelAndHold {
                cancel_time,
                storage,
            } => {
                if let Some(s) = storage {
                    self.adopt(s, discard);
                }
                self.settle();
                self.cancel_and_hold(cancel_time, discard);
            }
            ParamCommand::SetAutomationRate(rate) => self.rate = rate,
        }
    }

    /// Drops events that can no longer matter: all that took effect except
    /// the last two (the last one defines the current state; the one before
    /// it is what a cancellation of the last one falls back to).
    fn compact(&mut self, discard: &mut dyn FnMut(Trash)) {
        if self.head <= 2 {
            return;
        }
        let r = self.head - 2;
        for i in r..self.head {
            let before = self.events[i].before;
            if let Tail::Curve(idx) = before.tail {
                let tail = if idx < r {
                    Tail::Hold(
                        self.events
                            .get(idx)
                            .map_or(before.anchor_value, curve_end_value),
                    )
                } else {
                    Tail::Curve(idx - r)
                };
                self.events[i].before.tail = tail;
            }
        }
        if let Tail::Curve(idx) = self.state.tail {
            self.state.tail = Tail::Curve(idx.saturating_sub(r));
        }
        for ev in self.events.range_mut(..r) {
            if let Some(c) = ev.curve.take() {
                discard(c);
            }
        }
        // Removed events hold no heap data any more, so this frees nothing.
        self.events.drain(..r);
        self.head -= r;
        self.sorted -= r;
    }

    fn adopt(&mut self, storage: EventStorage, discard: &mut dyn FnMut(Trash)) {
        let mut fresh = storage.0;
        if fresh.capacity() <= self.events.capacity() || !fresh.is_empty() {
            // Never smaller than what we hold: moving into it must not allocate.
            discard(fresh);
            return;
        }
        fresh.extend(self.events.drain(..));
        let old = std::mem::replace(&mut self.events, fresh);
        discard(old);
    }

    /// How many of the ordered events are at or before `time`.
    fn sorted_at_or_before(&self, time: f64) -> usize {
        let (mut lo, mut hi) = (0, self.sorted);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.events[mid].time <= time {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Adds an event after every event at or before its time, and never
    /// before events that already took effect (the list as if merged).
    fn insert(&mut self, mut ev: Event, discard: &mut dyn FnMut(Trash)) {
        // `+ 0.0`: -0 and 0 are one time.
        ev.time = ev.time.max(self.now) + 0.0;
        if ev.kind == Kind::Curve {
            ev.cut = ev.time + ev.duration;
        }
        let t = ev.time;
        let nothing_unsorted_before = self.unsorted_min > t;
        let before = self.sorted_at_or_before(t);
        // Nothing at all before it: the spec starts a ramp as if
        // setValueAtTime(current value, currentTime) had been called.
        let first = self.head == 0 && before == 0 && nothing_unsorted_before;
        // It is the next event to take effect.
        let next = before <= self.head && nothing_unsorted_before;
        if ev.kind.is_ramp() && first {
            let v = self.tail_value(&self.state, self.now);
            if self.events.len() < self.events.capacity() {
                self.push_event(Event::new(Kind::SetValue, self.now, v));
            } else {
                self.dropped = self.dropped.saturating_add(1);
            }
        }
        if self.events.len() == self.events.capacity() {
            // The control side sizes storage so this cannot happen; dropping
            // the event beats allocating on the audio thread.
            if let Some(c) = ev.curve.take() {
                discard(c);
            }
            self.dropped = self.dropped.saturating_add(1);
            return;
        }
        if ev.kind.is_ramp()
            && next
            && !first
            && self.head > 0
            && let Tail::Target { .. } = self.state.tail
        {
            // A ramp after a SetTarget that already started runs from the
            // current time and value of the SetTarget.
            self.state.anchor_value = self.tail_value(&self.state, self.now);
            self.state.anchor_time = self.now;
        }
        self.push_event(ev);
    }

    /// Appends `ev` (room is checked by the caller), in order when it comes
    /// after everything.
    fn push_event(&mut self, mut ev: Event) {
        self.seq += 1;
        ev.seq = self.seq;
        let in_order = self.sorted == self.events.len()
            && self.events.back().is_none_or(|last| last.time <= ev.time);
        if in_order {
            self.sorted += 1;
        } else {
            self.unsorted_min = self.unsorted_min.min(ev.time);
        }
        self.events.push_back(ev);
    }

    /// Merges the events that arrived out of order into place: a few are
    /// moved one by one, many are sorted at once (in place, no allocation).
    fn settle(&mut self) {
        let n = self.events.len();
        if self.sorted == n {
            return;
        }
        let key = |e: &Event| (e.time, e.seq);
        let head = self.head;
        if n - self.sorted <= 8 {
            for i in self.sorted..n {
                let k = key(&self.events[i]);
                // Binary search of events[head..i], already in order.
                let (mut lo, mut hi) = (head, i);
                while lo < hi {
                    let mid = (lo + hi) / 2;
                    if key(&self.events[mid]) < k {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                if lo < i
                    && let Some(ev) = self.events.remove(i)
                {
                    // Shifts within the allocation.
                    self.events.insert(lo, ev);
                }
            }
        } else {
            self.events.make_contiguous()[head..]
                .sort_unstable_by(|a, b| a.time.total_cmp(&b.time).then(a.seq.cmp(&b.seq)));
        }
        self.sorted = n;
        self.unsorted_min = f64::INFINITY;
    }

    /// Removes `events[k..]`, restoring the earlier state if some of them had
    /// already taken effect.
    fn remove_from(&mut self, k: usize, discard: &mut dyn FnMut(Trash)) {
        if k >= self.events.len() {
            return;
        }
        if k < self.head {
            self.state = self.events[k].before;
            self.head = k;
        }
        for ev in self.events.range_mut(k..) {
            if let Some(c) = ev.curve.take() {
                discard(c);
            }
        }
        self.events.truncate(k);
        self.sorted = self.sorted.min(k);
    }

    fn cancel_scheduled(&mut self, cancel_time: f64, discard: &mut dyn FnMut(Trash)) {
        let tc = cancel_time.max(self.now);
        let k = self.events.partition_point(|e| e.time < tc);
        self.remove_from(k, discard);
        // Curves containing the cancel time go too. Usually that is the last
        // event left, but a ramp that cancelAndHoldAtTime moved into a curve
        // can follow it.
        if let Some(i) = self
            .events
            .iter()
            .rposition(|e| e.kind == Kind::Curve && e.time <= tc && tc <= e.cut)
        {
            self.remove_at(i, discard);
        }
    }

    /// Removes `events[i]`. Events after it that already took effect take
    /// effect again (in order, at the next frame computed), so the state is
    /// rebuilt as if the removed event had never been there.
    fn remove_at(&mut self, i: usize, discard: &mut dyn FnMut(Trash)) {
        if i >= self.events.len() {
            return;
        }
        if i < self.head {
            self.state = self.events[i].before;
            self.head = i;
        }
        if let Some(c) = self.events[i].curve.take() {
            discard(c);
        }
        // Shifts within the allocation; the removed event owns no heap data.
        self.events.remove(i);
        self.sorted = self.sorted.min(self.events.len());
    }

    fn cancel_and_hold(&mut self, cancel_time: f64, discard: &mut dyn FnMut(Trash)) {
        let tc = cancel_time.max(self.now);
        let j = self.events.partition_point(|e| e.time <= tc);
        if let Some(e2) = self.events.get(j)
            && e2.kind.is_ramp()
        {
            let st = self.state_until(j);
            let (t1, v1) = (e2.time, e2.value);
            let v = if e2.kind == Kind::Linear {
                linear_value(st.anchor_time, st.anchor_value, t1, v1, tc)
            } else {
                exponential_value(st.anchor_time, st.anchor_value, t1, v1, tc)
            };
            self.remove_from(j + 1, discard);
            self.seq += 1;
            let e2 = &mut self.events[j];
            e2.time = tc;
            e2.value = v;
            // Last now, and after everything at `tc`.
            e2.seq = self.seq;
            return;
        }
        self.remove_from(j, discard);
        let Some(i) = j.checked_sub(1) else {
            return;
        };
        match self.events[i].kind {
            Kind::Target => {
                let st = self.state_until(i + 1);
                let v = self.tail_value(&st, tc);
                if self.events.len() < self.events.capacity() {
                    self.push_event(Event::new(Kind::SetValue, tc, v));
                } else {
                    self.dropped = self.dropped.saturating_add(1);
                }
            }
            Kind::Curve if tc <= self.events[i].cut => {
                self.events[i].cut = tc;
                if i + 1 == self.head {
                    self.state.anchor_time = tc;
                    self.state.anchor_value = curve_end_value(&self.events[i]);
                }
            }
            _ => {}
        }
    }

    /// The state once `events[..j]` have taken effect.
    fn state_until(&self, j: usize) -> State {
        if j < self.head {
            return self.events[j].before;
        }
        let mut st = self.state;
        for k in self.head..j.min(self.events.len()) {
            st = self.state_after(k, &st);
        }
        st
    }

    /// The state once `events[idx]` takes effect, `st` being the state before.
    fn state_after(&self, idx: usize, st: &State) -> State {
        let ev = &self.events[idx];
        match ev.kind {
            Kind::SetValue | Kind::Linear | Kind::Exponential => State {
                tail: Tail::Hold(ev.value),
                anchor_time: ev.time,
                anchor_value: ev.value,
            },
            Kind::Target => {
                let v0 = self.tail_value(st, ev.time);
                let tail = if ev.time_constant == 0.0 {
                    Tail::Hold(ev.value)
                } else {
                    Tail::Target {
                        t0: ev.time,
                        v0,
                        target: ev.value,
                        tau: ev.time_constant,
                    }
                };
                State {
                    tail,
                    anchor_time: ev.time,
                    anchor_value: v0,
                }
            }
            Kind::Curve => State {
                tail: Tail::Curve(idx),
                anchor_time: ev.cut,
                anchor_value: curve_end_value(ev),
            },
        }
    }

    /// Value of the timeline at `t` when no ramp is pending after `st`.
    fn tail_value(&self, st: &State, t: f64) -> f64 {
        match st.tail {
            Tail::Hold(v) => v,
            Tail::Target {
                t0,
                v0,
                target,
                tau,
            } => target_value(t0, v0, target, tau, t),
            Tail::Curve(idx) => self
                .events
                .get(idx)
                .map_or(st.anchor_value, |ev| curve_value_at(ev, t)),
        }
    }

    /// Lets every event whose frame is at or before `frame` take effect.
    fn advance(&mut self, frame: u64, sr: f64) {
        while let Some(ev) = self.events.get(self.head) {
            if effect_frame(ev.time, sr) > frame {
                break;
            }
            let before = self.state;
            self.state = self.state_after(self.head, &before);
            self.events[self.head].before = before;
            self.head += 1;
        }
        if let Tail::Curve(idx) = self.state.tail {
            match self.events.get(idx) {
                Some(ev) if frame < effect_frame(ev.cut, sr) => {}
                Some(ev) => self.state.tail = Tail::Hold(curve_end_value(ev)),
                None => self.state.tail = Tail::Hold(self.state.anchor_value),
            }
        }
    }

    /// The segment in effect at the current head, and the frame where it
    /// ends at the latest (`u64::MAX` for never).
    fn segment(&self, sr: f64) -> (Segment, u64) {
        let next = self.events.get(self.head);
        let next_frame = next.map_or(u64::MAX, |e| effect_frame(e.time, sr));
        if let Tail::Curve(idx) = self.state.tail {
            // A curve plays out before anything after it starts, ramps included.
            let end = self
                .events
                .get(idx)
                .map_or(0, |ev| effect_frame(ev.cut, sr));
            return (Segment::Curve(idx), end.min(next_frame));
        }
        let st = &self.state;
        if let Some(ev) = next.filter(|e| e.kind.is_ramp()) {
            let (t0, v0, t1, v1) = (st.anchor_time, st.anchor_value, ev.time, ev.value);
            let seg = match ev.kind {
                // Unreachable in practice (such a ramp has already taken
                // effect), but keeps the fill loops free of divisions by zero.
                _ if t1 <= t0 => Segment::Constant(v1),
                Kind::Linear if v0 == v1 => Segment::Constant(v0),
                Kind::Linear => Segment::Linear { t0, v0, t1, v1 },
                _ if !exponential_possible(v0, v1) => Segment::Constant(v0),
                _ => Segment::Exponential { t0, v0, t1, v1 },
            };
            return (seg, next_frame);
        }
        let seg = match st.tail {
            Tail::Hold(v) => Segment::Constant(v),
            Tail::Target {
                t0,
                v0,
                target,
                tau,
            } => Segment::Target {
                t0,
                v0,
                target,
                tau,
            },
            Tail::Curve(idx) => Segment::Curve(idx),
        };
        (seg, next_frame)
    }

    /// Intrinsic values of frames `first_frame..first_frame + out.len()`.
    /// Returns the value when the segment is constant over them (only
    /// `out[0]` is then written).
    fn fill(&self, seg: Segment, first_frame: u64, sr: f64, out: &mut [f32]) -> Option<f32> {
        let time = |j: usize| (first_frame + j as u64) as f64 / sr;
        match seg {
            Segment::Constant(v) => {
                out[0] = v as f32;
                return Some(v as f32);
            }
            Segment::Linear { t0, v0, t1, v1 } => {
                let inv_span = 1.0 / (t1 - t0);
                let dv = v1 - v0;
                for (j, o) in out.iter_mut().enumerate() {
                    let x = ((time(j) - t0) * inv_span).clamp(0.0, 1.0);
                    *o = (v0 + dv * x) as f32;
                }
            }
            Segment::Exponential { t0, v0, t1, v1 } => {
                // (V1/V0)^x as exp(x ln(V1/V0)): same value, far cheaper than powf.
                let inv_span = 1.0 / (t1 - t0);
                let ln_ratio = (v1 / v0).ln();
                for (j, o) in out.iter_mut().enumerate() {
                    let x = ((time(j) - t0) * inv_span).clamp(0.0, 1.0);
                    *o = (v0 * (ln_ratio * x).exp()) as f32;
                }
            }
            Segment::Target {
                t0,
                v0,
                target,
                tau,
            } => {
                // Once the approach rounds to the target in f32 it stays there
                // (the distance only shrinks).
                // Approaching 0 the f32 output would linger among subnormals
                // (slow downstream); call it arrived once below f32::MIN_POSITIVE.
                let first = target_value(t0, v0, target, tau, time(0)) as f32;
                let arrived = target as f32;
                if first == arrived || (first - arrived).abs() < f32::MIN_POSITIVE {
                    out[0] = arrived;
                    return Some(arrived);
                }
                let rate = -1.0 / tau;
                for (j, o) in out.iter_mut().enumerate() {
                    let dt = (time(j) - t0).max(0.0);
                    let v = (target + (v0 - target) * (dt * rate).exp()) as f32;
                    *o = if v.abs() < f32::MIN_POSITIVE { 0.0 } else { v };
                }
            }
            Segment::Curve(idx) => {
                let Some(ev) = self.events.get(idx) else {
                    let v = self.state.anchor_value as f32;
                    out[0] = v;
                    return Some(v);
                };
                let values = ev.curve_values();
                for (j, o) in out.iter_mut().enumerate() {
                    *o = curve_sample(values, ev.time, ev.duration, time(j)) as f32;
                }
            }
        }
        None
    }

    /// Computes this quantum. `input` is the sum of connected audio inputs
    /// already down-mixed to mono (None if nothing is connected). Writes the
    /// computed, nominal-range-clamped values into `out` and returns how many are
    /// valid: 1 (k-rate, or a-rate but constant over the whole quantum with no
    /// input) or 128. Also publishes nothing itself; see `last_value`.
    pub fn compute(
        &mut self,
        quantum_start_frame: u64,
        sample_rate: f32,
        input: Option<&[f32; RENDER_QUANTUM_SIZE]>,
        out: &mut [f32; RENDER_QUANTUM_SIZE],
    ) -> usize {
        self.settle();
        let sr = sample_rate as f64;
        let q = quantum_start_frame;
        let n = match self.rate {
            AutomationRate::ARate => RENDER_QUANTUM_SIZE,
            AutomationRate::KRate => 1,
        };
        let mut constant = None;
        let mut i = 0;
        while i < n {
            let frame = q + i as u64;
            self.advance(frame, sr);
            let (seg, seg_end) = self.segment(sr);
            // seg_end > frame: advance() let every event at `frame` take effect.
            let end = (seg_end.saturating_sub(q)).min(n as u64) as usize;
            let end = end.max(i + 1);
            let c = self.fill(seg, frame, sr, &mut out[i..end]);
            match c {
                Some(v) if i == 0 && end == n => {
                    constant = Some(v);
                    break;
                }
                Some(v) => out[i..end].fill(v),
                None => {}
            }
            i = end;
        }
        self.now = (q + RENDER_QUANTUM_SIZE as u64) as f64 / sr;

        let (lo, hi, def) = (self.min_value, self.max_value, self.default_value);
        self.last_value = clamp_nominal(out[0], lo, hi, def);
        if n == 1 {
            // k-rate: the input is sampled at the first frame too.
            let add = input.map_or(0.0, |x| x[0]);
            out[0] = clamp_nominal(out[0] + add, lo, hi, def);
            return 1;
        }
        match (constant, input) {
            (Some(v), None) => {
                out[0] = clamp_nominal(v, lo, hi, def);
                1
            }
            (Some(v), Some(x)) => {
                for (o, &s) in out.iter_mut().zip(x.iter()) {
                    *o = clamp_nominal(v + s, lo, hi, def);
                }
                RENDER_QUANTUM_SIZE
            }
            (None, Some(x)) => {
                for (o, &s) in out.iter_mut().zip(x.iter()) {
                    *o = clamp_nominal(*o + s, lo, hi, def);
                }
                RENDER_QUANTUM_SIZE
            }
            (None, None) => {
                for o in out.iter_mut() {
                    *o = clamp_nominal(*o, lo, hi, def);
                }
                RENDER_QUANTUM_SIZE
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SR: f32 = 48000.0;
    const Q: usize = RENDER_QUANTUM_SIZE;

    fn desc() -> ParamDescriptor {
        ParamDescriptor::new("test", 1.0)
    }

    #[test]
    fn descriptor_builders() {
        let d = ParamDescriptor::new("detune", 0.0);
        assert_eq!((d.min_value, d.max_value), (-3.4028235e38, 3.4028235e38));
        assert_eq!(d.automation_rate, AutomationRate::ARate);
        assert!(!d.rate_fixed);
        let d = ParamDescriptor::new("playbackRate", 1.0)
            .with_range(-1.0, 2.0)
            .with_rate(AutomationRate::KRate)
            .rate_fixed();
        assert_eq!((d.min_value, d.max_value), (-1.0, 2.0));
        assert_eq!(d.automation_rate, AutomationRate::KRate);
        assert!(d.rate_fixed);
    }

    /// Drives both halves the way the graph does: commands are applied at the
    /// start of the next quantum, and the control side learns `currentTime`.
    struct Harness {
        ctrl: ParamControl,
        rend: ParamRenderer,
        frame: u64,
        sr: f32,
        trash: Vec<Trash>,
        counts: Vec<usize>,
        storages_sent: usize,
    }

    impl Harness {
        fn new(desc: ParamDescriptor) -> Self {
            Self::with_rate(desc, SR)
        }

        fn with_rate(desc: ParamDescriptor, sr: f32) -> Self {
            Self {
                ctrl: ParamControl::new(desc),
                rend: ParamRenderer::new(&desc),
                frame: 0,
                sr,
                trash: Vec::new(),
                counts: Vec::new(),
                storages_sent: 0,
            }
        }

        fn now(&self) -> f64 {
            self.frame as f64 / self.sr as f64
        }

        fn call(&mut self, f: impl FnOnce(&mut ParamControl) -> Result<ParamCommand, ParamError>) {
            let cmd = f(&mut self.ctrl).expect("automation call accepted");
            if matches!(
                cmd,
                ParamCommand::Insert {
                    storage: Some(_),
                    ..
                } | ParamCommand::CancelAndHold {
                    storage: Some(_),
                    ..
                }
            ) {
                self.storages_sent += 1;
            }
            let trash = &mut self.trash;
            self.rend.apply(cmd, &mut |t| trash.push(t));
        }

        fn render_with_input(&mut self, quanta: usize, input: Option<&[f32; Q]>) -> Vec<f32> {
            let mut all = Vec::new();
            for _ in 0..quanta {
                let mut out = [f32::NAN; Q];
                let n = self.rend.compute(self.frame, self.sr, input, &mut out);
                assert!(n == 1 || n == Q);
                self.counts.push(n);
                if n == 1 {
                    all.extend(std::iter::repeat_n(out[0], Q));
                } else {
                    all.extend_from_slice(&out);
                }
                self.frame += Q as u64;
                self.ctrl.prune(self.now());
                assert_eq!(self.rend.dropped_events(), 0, "event storage overflowed");
            }
            all
        }

        fn render(&mut self, quanta: usize) -> Vec<f32> {
            self.render_with_input(quanta, None)
        }
    }

    fn ef(t: f64) -> usize {
        (t * SR as f64 + 0.5).floor() as usize
    }

    fn time(frame: usize) -> f64 {
        frame as f64 / SR as f64
    }

    /// `actual` within `rel` (relative, floor of 1 on the magnitude) of the
    /// reference computed in f64.
    fn assert_close(
        actual: &[f32],
        expected: impl Fn(usize) -> f64,
        range: std::ops::Range<usize>,
        rel: f64,
    ) {
        for f in range {
            let e = expected(f);
            let a = actual[f] as f64;
            assert!(
                (a - e).abs() <= rel * e.abs().max(1.0),
                "frame {f}: got {a}, expected {e}"
            );
        }
    }

    fn assert_exact(actual: &[f32], value: f32, range: std::ops::Range<usize>) {
        for f in range {
            assert_eq!(actual[f], value, "frame {f}");
        }
    }

    #[test]
    fn default_value_is_constant_and_uses_the_fast_path() {
        let mut h = Harness::new(desc());
        let out = h.render(3);
        assert_exact(&out, 1.0, 0..3 * Q);
        assert_eq!(h.counts, vec![1, 1, 1]);
        assert_eq!(h.rend.last_value(), 1.0);
    }

    #[test]
    fn set_value_takes_effect_at_the_rounded_frame() {
        let mut h = Harness::new(desc());
        // 100.4 frames rounds down, 200.6 rounds up; both inside quanta.
        h.call(|c| c.set_value_at_time(2.0, 100.4 / SR as f64));
        h.call(|c| c.set_value_at_time(3.0, 200.6 / SR as f64));
        let out = h.render(4);
        assert_exact(&out, 1.0, 0..100);
        assert_exact(&out, 2.0, 100..201);
        assert_exact(&out, 3.0, 201..4 * Q);
        assert_eq!(h.counts, vec![Q, Q, 1, 1]);
    }

    #[test]
    fn wpt_set_value_then_same_target_within_block() {
        // setTargetAtTime-after-event-within-block.html
        let mut h = Harness::new(desc());
        h.call(|c| c.set_value_at_time(-0.5, 42.0 / SR as f64));
        h.call(|c| c.set_target_at_time(-0.5, 53.0 / SR as f64, 128.0 / SR as f64));
        let out = h.render(2);
        assert_exact(&out, 1.0, 0..42);
        assert_exact(&out, -0.5, 42..2 * Q);
    }

    #[test]
    fn linear_ramp_follows_the_formula_between_event_frames() {
        let mut h = Harness::new(desc());
        let (t0, v0) = (300.3 / SR as f64, 0.5);
        let (t1, v1) = (1000.7 / SR as f64, 2.0);
        h.call(|c| c.set_value_at_time(v0 as f32, t0));
        h.call(|c| c.linear_ramp_to_value_at_time(v1 as f32, t1));
        let out = h.render(10);
        assert_exact(&out, 1.0, 0..ef(t0));
        // The SetValue frame holds V0 exactly (300.3 rounds down, so the
        // formula is not extrapolated before T0).
        assert_eq!(out[ef(t0)], 0.5);
        assert_close(
            &out,
            |f| v0 + (v1 - v0) * (time(f) - t0) / (t1 - t0),
            ef(t0) + 1..ef(t1),
            1e-6,
        );
        assert_exact(&out, 2.0, ef(t1)..10 * Q);
    }

    #[test]
    fn linear_ramp_without_preceding_event_starts_at_current_time() {
        // retrospective-linearRampToValueAtTime.html: the first ramp behaves
        // as setValueAtTime(value, currentTime) followed by the ramp.
        let mut h = Harness::new(desc());
        h.render(2);
        let now = h.now();
        let t1 = 512.0 / SR as f64;
        h.call(|c| c.linear_ramp_to_value_at_time(0.0, t1));
        let out = h.render(4);
        assert_close(
            &out,
            |f| 1.0 - (time(f + 256) - now) / (t1 - now),
            0..256,
            1e-6,
        );
        assert_exact(&out, 0.0, 256..4 * Q);
    }

    #[test]
    fn ramp_end_in_the_past_jumps_at_current_time() {
        let mut h = Harness::new(desc());
        h.render(1);
        h.call(|c| c.linear_ramp_to_value_at_time(0.1, 0.0));
        h.call(|c| c.linear_ramp_to_value_at_time(0.9, 1024.0 / SR as f64));
        let out = h.render(8);
        let now = 128.0 / SR as f64;
        assert_eq!(out[0], 0.1);
        assert_close(
            &out,
            |f| 0.1 + 0.8 * (time(f + Q) - now) / (1024.0 / SR as f64 - now),
            0..896,
            1e-6,
        );
        assert_exact(&out, 0.9, 896..8 * Q);
    }

    #[test]
    fn exponential_ramp_follows_the_formula() {
        let mut h = Harness::new(desc());
        let (t0, v0) = (100.0 / SR as f64, 0.1f64);
        let (t1, v1) = (1100.2 / SR as f64, 3.0f64);
        h.call(|c| c.set_value_at_time(v0 as f32, t0));
        h.call(|c| c.exponential_ramp_to_value_at_time(v1 as f32, t1));
        let out = h.render(10);
        let v0 = v0 as f32 as f64;
        assert_exact(&out, 1.0, 0..100);
        assert_close(
            &out,
            |f| v0 * (v1 / v0).powf((time(f) - t0) / (t1 - t0)),
            100..ef(t1),
            1e-6,
        );
        assert_exact(&out, 3.0, ef(t1)..10 * Q);
    }

    #[test]
    fn exponential_ramp_with_opposite_signs_or_zero_holds_v0() {
        let t1 = 700.0 / SR as f64;
        let mut h = Harness::new(desc());
        h.call(|c| c.set_value_at_time(-1.0, 0.0));
        h.call(|c| c.exponential_ramp_to_value_at_time(2.0, t1));
        let out = h.render(8);
        assert_exact(&out, -1.0, 0..700);
        assert_exact(&out, 2.0, 700..8 * Q);

        let mut h = Harness::new(desc());
        h.call(|c| c.set_value_at_time(0.0, 0.0));
        h.call(|c| c.exponential_ramp_to_value_at_time(1.0, t1));
        let out = h.render(8);
        assert_exact(&out, 0.0, 0..700);
        assert_exact(&out, 1.0, 700..8 * Q);
        // Constant until the end frame: the fast path applies.
        assert_eq!(h.counts[0], 1);
    }

    #[test]
    fn exponential_ramp_to_zero_is_a_range_error() {
        let mut c = ParamControl::new(desc());
        assert!(matches!(
            c.exponential_ramp_to_value_at_time(0.0, 1.0),
            Err(ParamError::Range(_))
        ));
        assert!(matches!(
            c.exponential_ramp_to_value_at_time(-0.0, 1.0),
            Err(ParamError::Range(_))
        ));
    }

    #[test]
    fn set_target_follows_the_formula() {
        let mut h = Harness::new(desc());
        let (t0, target, tau) = (200.2 / SR as f64, 0.25f64, 0.004f64);
        h.call(|c| c.set_target_at_time(target as f32, t0, tau));
        let out = h.render(20);
        assert_exact(&out, 1.0, 0..200);
        assert_close(
            &out,
            |f| target + (1.0 - target) * (-((time(f) - t0).max(0.0)) / tau).exp(),
            200..20 * Q,
            1e-6,
        );
        // A time constant of zero jumps straight to the target.
        let mut h = Harness::new(desc());
        h.call(|c| c.set_target_at_time(0.5, t0, 0.0));
        let out = h.render(4);
        assert_exact(&out, 1.0, 0..200);
        assert_exact(&out, 0.5, 200..4 * Q);
    }

    #[test]
    fn set_target_starts_from_the_value_at_its_start_time() {
        // V0 of a SetTarget is what the timeline holds at T0: here the end
        // of a linear ramp that it follows.
        let mut h = Harness::new(desc());
        h.call(|c| c.set_value_at_time(0.0, 0.0));
        h.call(|c| c.linear_ramp_to_value_at_time(2.0, 256.0 / SR as f64));
        let t0 = 512.0 / SR as f64;
        h.call(|c| c.set_target_at_time(1.0, t0, 0.002));
        let out = h.render(10);
        assert_exact(&out, 2.0, 256..512);
        assert_close(
            &out,
            |f| 1.0 + (2.0 - 1.0) * (-(time(f) - t0) / 0.002).exp(),
            512..10 * Q,
            1e-6,
        );
    }

    #[test]
    fn ramp_after_a_set_target_that_has_not_started_replaces_it() {
        let mut h = Harness::new(desc());
        let t0 = 300.0 / SR as f64;
        let t1 = 900.0 / SR as f64;
        h.call(|c| c.set_target_at_time(0.2, t0, 0.01));
        h.call(|c| c.linear_ramp_to_value_at_time(0.8, t1));
        let out = h.render(8);
        assert_exact(&out, 1.0, 0..300);
        assert_close(
            &out,
            |f| 1.0 + (0.8 - 1.0) * (time(f) - t0) / (t1 - t0),
            300..900,
            1e-6,
        );
        assert_exact(&out, 0.8, 900..8 * Q);
    }

    #[test]
    fn ramp_after_a_running_set_target_starts_from_its_current_value() {
        let mut h = Harness::new(desc());
        let tau = 0.01;
        h.call(|c| c.set_target_at_time(0.0, 0.0, tau));
        let first = h.render(4);
        let now = h.now();
        let v_now = (-now / tau).exp();
        let t1 = 1024.0 / SR as f64;
        h.call(|c| c.exponential_ramp_to_value_at_time(0.9, t1));
        let out = h.render(6);
        assert_close(&first, |f| (-time(f) / tau).exp(), 0..512, 1e-6);
        assert_close(
            &out,
            |f| v_now * (0.9 / v_now).powf((time(f + 512) - now) / (t1 - now)),
            0..512,
            1e-6,
        );
        assert_exact(&out, 0.9, 512..6 * Q);
    }

    fn curve_ref(values: &[f32], t0: f64, d: f64, t: f64) -> f64 {
        let n = values.len();
        let k = (((n - 1) as f64 / d) * (t - t0)).floor() as usize;
        let pos = ((n - 1) as f64 / d) * (t - t0);
        let (a, b) = (values[k] as f64, values[k + 1] as f64);
        a + (b - a) * (pos - k as f64)
    }

    #[test]
    fn value_curve_interpolates_and_ends_on_the_last_value() {
        let mut h = Harness::new(desc());
        let curve = [1.0f32, 3.0, -2.0, 0.5, 4.0];
        let (t0, d) = (100.3 / SR as f64, 0.01);
        let t2 = 1200.0 / SR as f64;
        h.call(|c| c.set_value_curve_at_time(&curve, t0, d));
        // A ramp after the curve starts from its implicit setValueAtTime(V[N-1], T0+TD).
        h.call(|c| c.linear_ramp_to_value_at_time(0.0, t2));
        let out = h.render(12);
        let end = ef(t0 + d);
        assert_exact(&out, 1.0, 0..100);
        assert_eq!(out[100], 1.0);
        assert_close(&out, |f| curve_ref(&curve, t0, d, time(f)), 101..end, 1e-6);
        assert_eq!(out[end], 4.0);
        assert_close(
            &out,
            |f| 4.0 + (0.0 - 4.0) * (time(f) - (t0 + d)) / (t2 - (t0 + d)),
            end + 1..1200,
            1e-6,
        );
        assert_exact(&out, 0.0, 1200..12 * Q);
    }

    #[test]
    fn value_curve_holds_last_value_when_nothing_follows() {
        let mut h = Harness::new(desc());
        h.call(|c| c.set_value_curve_at_time(&[0.0, 1.0], 0.0, 128.0 / SR as f64));
        let out = h.render(3);
        assert_close(&out, |f| f as f64 / 128.0, 0..128, 1e-6);
        assert_exact(&out, 1.0, 128..3 * Q);
        assert_eq!(h.counts, vec![Q, 1, 1]);
    }

    #[test]
    fn value_curve_exceptions() {
        let mut c = ParamControl::new(desc());
        assert!(matches!(
            c.set_value_curve_at_time(&[1.0], 0.0, 1.0),
            Err(ParamError::InvalidState(_))
        ));
        // values are checked before the times, as the spec lists them.
        assert!(matches!(
            c.set_value_curve_at_time(&[1.0], -1.0, 1.0),
            Err(ParamError::InvalidState(_))
        ));
        assert!(matches!(
            c.set_value_curve_at_time(&[1.0, f32::NAN], 0.0, 1.0),
            Err(ParamError::Type(_))
        ));
        assert!(matches!(
            c.set_value_curve_at_time(&[1.0, f32::INFINITY], 0.0, 1.0),
            Err(ParamError::Type(_))
        ));
        assert!(matches!(
            c.set_value_curve_at_time(&[1.0, 2.0], -0.5, 1.0),
            Err(ParamError::Range(_))
        ));
        for d in [0.0, -1.0] {
            assert!(matches!(
                c.set_value_curve_at_time(&[1.0, 2.0], 0.0, d),
                Err(ParamError::Range(_))
            ));
        }
        assert!(matches!(
            c.set_value_curve_at_time(&[1.0, 2.0], 0.0, f64::INFINITY),
            Err(ParamError::Type(_))
        ));

        // audioparam-setValueCurve-exceptions.html, "curve overlap".
        let curve = [1.0, 2.0, 3.0];
        assert!(c.set_value_curve_at_time(&curve, 5.0, 10.0).is_ok());
        for (start, dur) in [
            (5.0, 10.0),
            (5.0, 5.0),
            (2.5, 10.0),
            (10.0, 10.0),
            (6.0, 9.0),
            (4.0, 11.0),
        ] {
            assert!(
                matches!(
                    c.set_value_curve_at_time(&curve, start, dur),
                    Err(ParamError::NotSupported(_))
                ),
                "curve at {start} for {dur}"
            );
        }
        // Any automation inside [T, T+D) of the curve.
        assert!(matches!(
            c.set_value_at_time(1.0, 5.0),
            Err(ParamError::NotSupported(_))
        ));
        assert!(matches!(
            c.linear_ramp_to_value_at_time(1.0, 7.0),
            Err(ParamError::NotSupported(_))
        ));
        assert!(matches!(
            c.exponential_ramp_to_value_at_time(1.0, 14.999),
            Err(ParamError::NotSupported(_))
        ));
        assert!(matches!(
            c.set_target_at_time(1.0, 9.0, 1.0),
            Err(ParamError::NotSupported(_))
        ));
        // Exactly at the end is fine, so is a curve starting on another event.
        assert!(c.set_value_at_time(1.0, 15.0).is_ok());
        assert!(c.set_value_curve_at_time(&curve, 15.0, 1.0).is_ok());
        assert!(c.set_value_at_time(1.0, 20.0).is_ok());
        assert!(c.set_value_curve_at_time(&curve, 20.0, 1.0).is_ok());
        assert!(c.set_target_at_time(1.0, 21.0, 0.1).is_ok());
        // Curve that would contain an existing event strictly inside.
        assert!(c.set_value_at_time(1.0, 31.0).is_ok());
        assert!(matches!(
            c.set_value_curve_at_time(&curve, 30.0, 2.0),
            Err(ParamError::NotSupported(_))
        ));
    }

    #[test]
    fn time_and_value_validation() {
        let mut c = ParamControl::new(desc());
        let range = |r: Result<ParamCommand, ParamError>| matches!(r, Err(ParamError::Range(_)));
        let typ = |r: Result<ParamCommand, ParamError>| matches!(r, Err(ParamError::Type(_)));
        assert!(range(c.set_value_at_time(1.0, -1.0)));
        assert!(range(c.linear_ramp_to_value_at_time(1.0, -1.0)));
        assert!(range(c.exponential_ramp_to_value_at_time(1.0, -1.0)));
        assert!(range(c.set_target_at_time(1.0, -1.0, 1.0)));
        assert!(range(c.set_target_at_time(1.0, 1.0, -1.0)));
        assert!(range(c.cancel_scheduled_values(-1.0)));
        assert!(range(c.cancel_and_hold_at_time(-1.0)));
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(typ(c.set_value_at_time(1.0, bad)));
            assert!(typ(c.linear_ramp_to_value_at_time(1.0, bad)));
            assert!(typ(c.exponential_ramp_to_value_at_time(1.0, bad)));
            assert!(typ(c.set_target_at_time(1.0, bad, 1.0)));
            assert!(typ(c.set_target_at_time(1.0, 1.0, bad)));
            assert!(typ(c.cancel_scheduled_values(bad)));
            assert!(typ(c.cancel_and_hold_at_time(bad)));
        }
        for bad in [f32::NAN, f32::INFINITY] {
            assert!(typ(c.set_value_at_time(bad, 1.0)));
            assert!(typ(c.linear_ramp_to_value_at_time(bad, 1.0)));
            assert!(typ(c.exponential_ramp_to_value_at_time(bad, 1.0)));
            assert!(typ(c.set_target_at_time(bad, 1.0, 1.0)));
            assert!(typ(c.set_value(bad, 0.0)));
        }
        assert_eq!(c.mirrored_len(), 0, "rejected calls leave no trace");
    }

    #[test]
    fn events_at_equal_times_apply_in_insertion_order() {
        let mut h = Harness::new(desc());
        let t = 64.0 / SR as f64;
        h.call(|c| c.set_value_at_time(1.5, t));
        h.call(|c| c.set_value_at_time(2.5, t));
        let t2 = 512.0 / SR as f64;
        h.call(|c| c.linear_ramp_to_value_at_time(4.0, t2));
        h.call(|c| c.set_value_at_time(-3.0, t2));
        let out = h.render(6);
        assert_exact(&out, 1.0, 0..64);
        assert_eq!(out[64], 2.5);
        assert_close(
            &out,
            |f| 2.5 + 1.5 * (time(f) - t) / (t2 - t),
            64..512,
            1e-6,
        );
        assert_exact(&out, -3.0, 512..6 * Q);
    }

    #[test]
    fn times_in_the_past_are_clamped_to_current_time() {
        let mut h = Harness::new(desc());
        h.render(2);
        h.call(|c| c.set_value_at_time(7.0, 0.0));
        let out = h.render(1);
        assert_exact(&out, 7.0, 0..Q);
        h.call(|c| c.set_target_at_time(3.0, 0.001, 0.0));
        let out = h.render(1);
        assert_exact(&out, 3.0, 0..Q);
    }

    #[test]
    fn value_setter_is_set_value_at_current_time() {
        let mut h = Harness::new(desc());
        h.render(3);
        let now = h.now();
        h.call(|c| c.set_value(0.25, now));
        let out = h.render(1);
        assert_exact(&out, 0.25, 0..Q);
        assert_eq!(h.rend.last_value(), 0.25);
        // Like setValueAtTime it refuses to land inside a curve.
        let now = h.now();
        h.call(|c| c.set_value_curve_at_time(&[0.0, 1.0], now, 1.0));
        assert!(matches!(
            h.ctrl.set_value(0.5, h.now() + 0.1),
            Err(ParamError::NotSupported(_))
        ));
    }

    #[test]
    fn cancel_scheduled_values_removes_a_curve_containing_the_time() {
        // cancel-scheduled-values.html "cancel1" at 8 kHz.
        let sr = 8000.0;
        let mut h = Harness::with_rate(desc(), sr);
        h.call(|c| c.set_value_at_time(0.5, 0.0));
        h.call(|c| c.set_value_at_time(1.5, 0.25));
        h.call(|c| c.set_value_curve_at_time(&[1.0, -1.0], 0.25, 0.25));
        h.call(|c| c.set_value_at_time(99.0, 0.5));
        h.call(|c| c.cancel_scheduled_values(0.3));
        h.call(|c| c.set_value_at_time(3.0, 0.375));
        let out = h.render(63);
        assert_exact(&out, 0.5, 0..2000);
        assert_exact(&out, 1.5, 2000..3000);
        assert_exact(&out, 3.0, 3000..63 * Q);
    }

    #[test]
    fn cancel_scheduled_values_during_a_ramp_restores_the_previous_value() {
        let mut h = Harness::new(desc());
        h.call(|c| c.set_value_at_time(0.5, 0.0));
        h.call(|c| c.linear_ramp_to_value_at_time(2.0, 2048.0 / SR as f64));
        let first = h.render(4);
        assert!(first[511] > 0.5);
        let now = h.now();
        h.call(|c| c.cancel_scheduled_values(now));
        let out = h.render(2);
        assert_exact(&out, 0.5, 0..2 * Q);
    }

    #[test]
    fn cancel_scheduled_values_during_a_playing_curve_restores_the_previous_value() {
        let mut h = Harness::new(desc());
        h.call(|c| c.set_value_at_time(0.5, 0.0));
        h.call(|c| c.set_value_curve_at_time(&[0.0, 1.0, 0.0], 100.0 / SR as f64, 0.1));
        let first = h.render(4);
        assert!(first[511] != 0.5);
        let now = h.now();
        h.call(|c| c.cancel_scheduled_values(now));
        let out = h.render(2);
        assert_exact(&out, 0.5, 0..2 * Q);
        assert!(
            !h.trash.is_empty(),
            "the curve data went to the garbage, not free()"
        );
    }

    /// Renders `schedule` twice, once with `cancelAndHoldAtTime(tc)`, and
    /// checks the canceled one equals the original before `tc`'s frame and
    /// holds `held` from there.
    fn check_cancel_and_hold(schedule: impl Fn(&mut Harness), tc: f64, held: f64, quanta: usize) {
        let mut orig = Harness::new(desc());
        schedule(&mut orig);
        let reference = orig.render(quanta);
        let mut h = Harness::new(desc());
        schedule(&mut h);
        h.call(|c| c.cancel_and_hold_at_time(tc));
        let out = h.render(quanta);
        let c = ef(tc);
        assert_close(&out, |f| reference[f] as f64, 0..c, 1e-6);
        assert_close(&out, |_| held, c..quanta * Q, 1e-6);
        assert_exact(&out, out[c], c..quanta * Q);
    }

    #[test]
    fn cancel_and_hold_during_linear_ramp() {
        let t1 = 2048.0 / SR as f64;
        let tc = 1000.3 / SR as f64;
        check_cancel_and_hold(
            |h| {
                h.call(|c| c.set_value_at_time(0.0, 0.0));
                h.call(|c| c.linear_ramp_to_value_at_time(1.0, t1));
                h.call(|c| c.set_value_at_time(5.0, 3000.0 / SR as f64));
            },
            tc,
            tc / t1,
            30,
        );
    }

    #[test]
    fn cancel_and_hold_during_exponential_ramp() {
        let t1 = 2048.0 / SR as f64;
        let tc = 700.6 / SR as f64;
        check_cancel_and_hold(
            |h| {
                h.call(|c| c.set_value_at_time(0.5, 0.0));
                h.call(|c| c.exponential_ramp_to_value_at_time(4.0, t1));
            },
            tc,
            0.5 * 8f64.powf(tc / t1),
            20,
        );
    }

    #[test]
    fn cancel_and_hold_during_set_target() {
        let tc = 900.0 / SR as f64;
        let tau = 0.005;
        check_cancel_and_hold(
            |h| {
                h.call(|c| c.set_value_at_time(2.0, 0.0));
                h.call(|c| c.set_target_at_time(0.0, 100.0 / SR as f64, tau));
                h.call(|c| c.set_value_at_time(9.0, 4000.0 / SR as f64));
            },
            tc,
            2.0 * (-(tc - 100.0 / SR as f64) / tau).exp(),
            40,
        );
    }

    #[test]
    fn cancel_and_hold_during_value_curve_keeps_the_original_sampling() {
        let curve = [0.0f32, 1.0, -1.0, 0.5, 2.0, 0.0];
        let (t0, d) = (50.0 / SR as f64, 0.03);
        let tc = 811.4 / SR as f64;
        check_cancel_and_hold(
            |h| {
                h.call(|c| c.set_value_curve_at_time(&curve, t0, d));
            },
            tc,
            curve_ref(&curve, t0, d, tc),
            20,
        );
    }

    #[test]
    fn cancel_and_hold_after_a_ramp_ended_holds_its_value() {
        check_cancel_and_hold(
            |h| {
                h.call(|c| c.set_value_at_time(0.0, 0.0));
                h.call(|c| c.linear_ramp_to_value_at_time(1.0, 256.0 / SR as f64));
                h.call(|c| c.set_value_at_time(3.0, 2000.0 / SR as f64));
            },
            1000.0 / SR as f64,
            1.0,
            20,
        );
    }

    #[test]
    fn cancel_and_hold_while_rendering() {
        let mut h = Harness::new(desc());
        let t1 = 4096.0 / SR as f64;
        h.call(|c| c.set_value_at_time(0.0, 0.0));
        h.call(|c| c.linear_ramp_to_value_at_time(1.0, t1));
        h.render(4);
        let tc = 700.0 / SR as f64;
        h.call(|c| c.cancel_and_hold_at_time(tc));
        let out = h.render(6);
        assert_close(&out, |f| time(f + 512) / t1, 0..700 - 512, 1e-6);
        assert_close(&out, |_| tc / t1, 700 - 512..6 * Q, 1e-6);
        // New automation after the hold starts from the held value.
        let t2 = h.now() + 0.01;
        let (now, held) = (h.now(), out[6 * Q - 1] as f64);
        h.call(|c| c.linear_ramp_to_value_at_time(0.0, t2));
        let out = h.render(6);
        let anchor = tc;
        assert_close(
            &out,
            |f| held + (0.0 - held) * (time(f) + now - anchor) / (t2 - anchor),
            0..ef(t2 - now),
            1e-6,
        );
    }

    #[test]
    fn k_rate_samples_the_first_frame_of_each_quantum() {
        let mut d = desc();
        d.automation_rate = AutomationRate::KRate;
        let mut h = Harness::new(d);
        let t1 = 1000.0 / SR as f64;
        h.call(|c| c.set_value_at_time(0.0, 0.0));
        h.call(|c| c.linear_ramp_to_value_at_time(1.0, t1));
        let out = h.render(10);
        assert!(h.counts.iter().all(|&n| n == 1));
        for qi in 0..10 {
            let f = qi * Q;
            let expected = (time(f) / t1).min(1.0);
            assert_close(&out, |_| expected, f..f + Q, 1e-6);
        }
        // The input of a k-rate param is sampled at the first frame as well.
        let mut input = [0.0f32; Q];
        input[0] = 0.5;
        input[1] = 100.0;
        let out = h.render_with_input(1, Some(&input));
        assert_exact(&out, 1.5, 0..Q);
    }

    #[test]
    fn automation_rate_can_switch_unless_fixed() {
        let mut h = Harness::new(desc());
        h.call(|c| c.set_value_at_time(0.0, 0.0));
        h.call(|c| c.linear_ramp_to_value_at_time(1.0, 1000.0 / SR as f64));
        h.call(|c| c.set_automation_rate(AutomationRate::KRate));
        h.render(1);
        assert_eq!(h.counts, vec![1]);
        h.call(|c| c.set_automation_rate(AutomationRate::ARate));
        h.render(1);
        assert_eq!(h.counts, vec![1, Q]);

        let mut d = desc();
        d.automation_rate = AutomationRate::KRate;
        d.rate_fixed = true;
        let mut c = ParamControl::new(d);
        assert!(matches!(
            c.set_automation_rate(AutomationRate::ARate),
            Err(ParamError::InvalidState(_))
        ));
        assert!(c.set_automation_rate(AutomationRate::KRate).is_ok());
        assert_eq!(c.automation_rate(), AutomationRate::KRate);
    }

    #[test]
    fn input_is_added_then_the_nominal_range_clamps() {
        let mut d = desc();
        d.min_value = 0.0;
        d.max_value = 1.0;
        d.default_value = 0.5;
        let mut h = Harness::new(d);
        let mut input = [0.0f32; Q];
        for (i, x) in input.iter_mut().enumerate() {
            *x = (i as f32 / 64.0) - 1.0;
        }
        input[7] = f32::NAN;
        let out = h.render_with_input(1, Some(&input));
        assert_eq!(h.counts, vec![Q]);
        for i in 0..Q {
            let expected = if i == 7 {
                0.5
            } else {
                (0.5 + input[i]).clamp(0.0, 1.0)
            };
            assert_eq!(out[i], expected, "frame {i}");
        }
    }

    #[test]
    fn automation_runs_unclamped_and_only_the_output_is_clamped() {
        // The spec's example: nominal range [0, 1], ramps 0 -> 4 -> 0.
        let mut d = desc();
        d.min_value = 0.0;
        d.max_value = 1.0;
        let mut h = Harness::new(d);
        let t1 = 1024.0 / SR as f64;
        h.call(|c| c.set_value_at_time(0.0, 0.0));
        h.call(|c| c.linear_ramp_to_value_at_time(4.0, t1));
        h.call(|c| c.linear_ramp_to_value_at_time(0.0, 2.0 * t1));
        let out = h.render(17);
        assert_close(
            &out,
            |f| {
                let t = time(f);
                let v = if t < t1 {
                    4.0 * t / t1
                } else {
                    4.0 - 4.0 * (t - t1) / t1
                };
                v.clamp(0.0, 1.0)
            },
            0..17 * Q,
            1e-6,
        );
    }

    #[test]
    fn value_getter_reports_the_clamped_value() {
        let mut d = desc();
        d.min_value = -1.0;
        d.max_value = 1.0;
        let mut h = Harness::new(d);
        h.call(|c| c.set_value(5.0, 0.0));
        h.render(1);
        assert_eq!(h.rend.last_value(), 1.0);
        assert_eq!(h.ctrl.clamp_to_nominal(-5.0), -1.0);
    }

    #[test]
    fn many_events_grow_the_storage_from_the_control_side() {
        let mut h = Harness::new(desc());
        for k in 0..300 {
            h.call(|c| c.set_value_at_time(k as f32, (k * 10) as f64 / SR as f64));
        }
        assert!(h.storages_sent > 0);
        let out = h.render(24);
        for k in 0..300usize {
            assert_exact(&out, k as f32, k * 10..k * 10 + 10);
        }
        // Passed events are pruned on both sides.
        assert!(h.ctrl.mirrored_len() <= 1 + (PRUNE_MARGIN * SR as f64 / 10.0) as usize);
        let now = h.now();
        h.call(|c| c.set_value_at_time(-1.0, now));
        assert!(h.rend.events.len() <= 3);
    }

    #[test]
    fn wpt_insert_same_event_at_same_time() {
        // event-insertion.html, "Insert same event at same time".
        let mut d = desc();
        d.default_value = 0.0;
        let mut h = Harness::new(d);
        let t = |frames: usize| frames as f64 / SR as f64;
        for v in [99.0, 1.0] {
            h.call(|c| c.set_value_at_time(v, t(Q)));
        }
        for v in [99.0, 2.0] {
            h.call(|c| c.linear_ramp_to_value_at_time(v, t(2 * Q)));
        }
        for v in [99.0, 3.0] {
            h.call(|c| c.exponential_ramp_to_value_at_time(v, t(3 * Q)));
        }
        h.call(|c| c.set_value_curve_at_time(&[3.0, 4.0], t(3 * Q), t(Q)));
        for v in [99.0, 1.0, 5.0] {
            h.call(|c| c.set_value_at_time(v, t(5 * Q - 1)));
        }
        let out = h.render(6);
        assert_eq!(out[Q], 1.0);
        assert_eq!(out[2 * Q], 2.0);
        assert_eq!(out[3 * Q], 3.0);
        assert_eq!(out[4 * Q], 4.0);
        assert_eq!(out[5 * Q], 5.0);
        // Up to frame 256 the first of the two ramps (to 99) runs.
        assert_close(
            &out,
            |f| 1.0 + 98.0 * (f as f64 - 128.0) / 128.0,
            Q..2 * Q,
            1e-6,
        );
    }

    #[test]
    fn exponential_ramp_to_a_value_rounding_to_zero_is_a_range_error() {
        // audioparam-exceptional-values.html: 1e-100 becomes 0 as a float.
        let mut c = ParamControl::new(desc());
        assert!(matches!(
            c.exponential_ramp_to_value_at_time(1e-100f64 as f32, 1.0),
            Err(ParamError::Range(_))
        ));
    }

    #[test]
    fn converged_set_target_returns_to_the_fast_path_without_subnormals() {
        let mut h = Harness::new(desc());
        let tau = 64.0 / SR as f64;
        h.call(|c| c.set_target_at_time(0.0, 0.0, tau));
        let out = h.render(100);
        assert!(
            out.iter()
                .all(|v| *v == 0.0 || v.abs() >= f32::MIN_POSITIVE)
        );
        assert_close(&out, |f| (-time(f) / tau).exp(), 0..Q, 1e-6);
        assert_eq!(h.counts[99], 1);
        assert_eq!(out[100 * Q - 1], 0.0);

        let mut h = Harness::new(desc());
        h.call(|c| c.set_target_at_time(0.5, 0.0, tau));
        let out = h.render(40);
        assert_eq!(h.counts[39], 1);
        assert_eq!(out[40 * Q - 1], 0.5);
    }

    #[test]
    fn cancel_and_hold_without_events_or_after_set_value_keeps_the_value() {
        let mut h = Harness::new(desc());
        h.call(|c| c.cancel_and_hold_at_time(0.0));
        h.call(|c| c.set_value_at_time(0.5, 10.0 / SR as f64));
        h.call(|c| c.set_value_at_time(0.7, 1000.0 / SR as f64));
        h.call(|c| c.cancel_and_hold_at_time(500.0 / SR as f64));
        let out = h.render(10);
        assert_exact(&out, 1.0, 0..10);
        assert_exact(&out, 0.5, 10..10 * Q);
    }

    #[test]
    fn new_events_after_cancel_and_hold_of_a_target_continue_from_the_held_value() {
        let mut h = Harness::new(desc());
        let tau = 0.01;
        let tc = 600.0 / SR as f64;
        h.call(|c| c.set_target_at_time(0.0, 0.0, tau));
        h.call(|c| c.cancel_and_hold_at_time(tc));
        let t2 = 1200.0 / SR as f64;
        h.call(|c| c.linear_ramp_to_value_at_time(1.0, t2));
        let out = h.render(12);
        let held = (-tc / tau).exp();
        assert_close(&out, |f| (-time(f) / tau).exp(), 0..600, 1e-6);
        assert_close(
            &out,
            |f| held + (1.0 - held) * (time(f) - tc) / (t2 - tc),
            600..1200,
            1e-6,
        );
        assert_exact(&out, 1.0, 1200..12 * Q);
    }

    #[test]
    fn schedule_dispatches_automation_events() {
        let mut a = Harness::new(desc());
        let mut b = Harness::new(desc());
        let events = [
            AutomationEvent::SetValue {
                value: 0.5,
                start_time: 10.0 / SR as f64,
            },
            AutomationEvent::LinearRamp {
                value: 2.0,
                end_time: 200.0 / SR as f64,
            },
            AutomationEvent::ExponentialRamp {
                value: 0.25,
                end_time: 300.0 / SR as f64,
            },
            AutomationEvent::SetTarget {
                target: 1.0,
                start_time: 400.0 / SR as f64,
                time_constant: 0.001,
            },
            AutomationEvent::SetValueCurve {
                values: vec![0.0, 1.0, 0.0].into(),
                start_time: 500.0 / SR as f64,
                duration: 0.002,
            },
        ];
        for e in &events {
            a.call(|c| c.schedule(e));
        }
        b.call(|c| c.set_value_at_time(0.5, 10.0 / SR as f64));
        b.call(|c| c.linear_ramp_to_value_at_time(2.0, 200.0 / SR as f64));
        b.call(|c| c.exponential_ramp_to_value_at_time(0.25, 300.0 / SR as f64));
        b.call(|c| c.set_target_at_time(1.0, 400.0 / SR as f64, 0.001));
        b.call(|c| c.set_value_curve_at_time(&[0.0, 1.0, 0.0], 500.0 / SR as f64, 0.002));
        assert_eq!(a.render(6), b.render(6));
        assert_eq!(events[1].time(), 200.0 / SR as f64);
    }

    #[test]
    fn commands_and_renderer_can_cross_threads() {
        fn send<T: Send + 'static>() {}
        send::<ParamCommand>();
        send::<ParamRenderer>();
    }

    /// From-scratch evaluation of a sorted event list at one frame, written
    /// straight from the spec's per-event formulas, with no incremental
    /// state, segments or fast paths. Starts from the default value 1.
    mod reference {
        use super::*;

        #[derive(Clone, Debug)]
        pub struct Ev {
            pub kind: Kind,
            pub time: f64,
            pub value: f64,
            pub tau: f64,
            pub curve: Vec<f32>,
            pub duration: f64,
            /// Curves: where cancelAndHoldAtTime stopped them.
            pub cut: f64,
            /// Ramps scheduled right after a SetTarget (at the time given
            /// first) that had already started: the (T0, V0) the spec then
            /// prescribes, while that SetTarget stays their predecessor.
            pub anchor: Option<(f64, f64, f64)>,
        }

        /// (T0, V0) of the ramp `evs[j]`.
        fn ramp_start(evs: &[Ev], j: usize, t: f64) -> (f64, f64) {
            match evs[j].anchor {
                Some((target_time, t0, v0))
                    if j > 0
                        && evs[j - 1].kind == Kind::Target
                        && evs[j - 1].time == target_time =>
                {
                    (t0, v0)
                }
                _ => prefix(evs, j, t).0,
            }
        }

        fn frame_of(t: f64) -> usize {
            ef(t)
        }

        /// (T0, V0) for a ramp after `evs[..k]`, and the value of that prefix
        /// at exact time `t` when nothing follows it.
        fn prefix(evs: &[Ev], k: usize, t: f64) -> ((f64, f64), f64) {
            if k == 0 {
                return ((0.0, 1.0), 1.0);
            }
            let e = &evs[k - 1];
            match e.kind {
                Kind::SetValue | Kind::Linear | Kind::Exponential => ((e.time, e.value), e.value),
                Kind::Target => {
                    let v0 = prefix(evs, k - 1, e.time).1;
                    let v = if e.tau == 0.0 {
                        e.value
                    } else {
                        e.value + (v0 - e.value) * (-(t - e.time).max(0.0) / e.tau).exp()
                    };
                    ((e.time, v0), v)
                }
                Kind::Curve => {
                    let end = e.cut;
                    let last = if end < e.time + e.duration {
                        curve_ref_clamped(&e.curve, e.time, e.duration, end)
                    } else {
                        *e.curve.last().unwrap() as f64
                    };
                    let v = if t >= end {
                        last
                    } else {
                        curve_ref_clamped(&e.curve, e.time, e.duration, t)
                    };
                    ((end, last), v)
                }
            }
        }

        fn curve_ref_clamped(values: &[f32], t0: f64, d: f64, t: f64) -> f64 {
            let n = values.len();
            let pos = (((n - 1) as f64 / d) * (t - t0)).max(0.0);
            let k = pos.floor() as usize;
            if k >= n - 1 {
                return values[n - 1] as f64;
            }
            let (a, b) = (values[k] as f64, values[k + 1] as f64);
            a + (b - a) * (pos - k as f64)
        }

        /// The spec's cancelAndHoldAtTime on the reference list.
        pub fn cancel_and_hold(evs: &mut Vec<Ev>, tc: f64) {
            let j = evs.partition_point(|e| e.time <= tc);
            if let Some(e2) = evs.get(j)
                && matches!(e2.kind, Kind::Linear | Kind::Exponential)
            {
                let (t0, v0) = ramp_start(evs, j, tc);
                let (t1, v1) = (e2.time, e2.value);
                let x = ((tc - t0) / (t1 - t0)).clamp(0.0, 1.0);
                let v = if e2.kind == Kind::Linear {
                    v0 + (v1 - v0) * x
                } else if v0 == 0.0 || (v0 > 0.0) != (v1 > 0.0) {
                    v0
                } else {
                    v0 * (v1 / v0).powf(x)
                };
                evs.truncate(j + 1);
                evs[j].time = tc;
                evs[j].value = v;
                return;
            }
            evs.truncate(j);
            if j == 0 {
                return;
            }
            match evs[j - 1].kind {
                Kind::Target => {
                    let v = prefix(evs, j, tc).1;
                    evs.push(Ev {
                        kind: Kind::SetValue,
                        time: tc,
                        value: v,
                        tau: 0.0,
                        curve: vec![],
                        duration: 0.0,
                        cut: tc,
                        anchor: None,
                    });
                }
                Kind::Curve if tc <= evs[j - 1].cut => evs[j - 1].cut = tc,
                _ => {}
            }
        }

        /// The spec's cancelScheduledValues on the reference list.
        pub fn cancel_scheduled(evs: &mut Vec<Ev>, tc: f64) {
            evs.retain(|e| e.time < tc && !(e.kind == Kind::Curve && e.time <= tc && tc <= e.cut));
        }

        /// The value of the list at exact time `t` if every event up to it
        /// has taken effect and no ramp follows.
        pub fn tail_at(evs: &[Ev], t: f64) -> f64 {
            let k = evs.partition_point(|e| e.time <= t);
            prefix(evs, k, t).1
        }

        pub fn value(evs: &[Ev], f: usize) -> f64 {
            let t = time(f);
            let r = evs.iter().take_while(|e| frame_of(e.time) <= f).count();
            if r > 0 {
                let e = &evs[r - 1];
                if e.kind == Kind::Curve && f < frame_of(e.cut) {
                    return curve_ref_clamped(&e.curve, e.time, e.duration, t);
                }
            }
            let ((mut t0, mut v0), mut v) = prefix(evs, r, t);
            if r > 0 && evs[r - 1].kind == Kind::Curve {
                // From the frame of its end on, a curve holds its last value.
                v = v0;
            }
            if r < evs.len() {
                (t0, v0) = ramp_start(evs, r, t);
            }
            match evs.get(r) {
                Some(n) if n.kind == Kind::Linear => {
                    v0 + (n.value - v0) * ((t - t0) / (n.time - t0)).clamp(0.0, 1.0)
                }
                Some(n) if n.kind == Kind::Exponential => {
                    if v0 == 0.0 || (v0 > 0.0) != (n.value > 0.0) {
                        v0
                    } else {
                        v0 * (n.value / v0).powf(((t - t0) / (n.time - t0)).clamp(0.0, 1.0))
                    }
                }
                _ => v,
            }
        }
    }

    /// Small deterministic PRNG (xorshift) so the test needs no dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    #[test]
    fn random_timelines_match_a_from_scratch_evaluation() {
        use reference::Ev;
        let quanta = 40;
        let span = (quanta * Q) as f64 / SR as f64;
        for seed in 1..=100u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            let mut h = Harness::new(desc());
            // A k-rate twin gets the same automation.
            let mut kd = desc();
            kd.automation_rate = AutomationRate::KRate;
            let mut hk = Harness::new(kd);
            let mut evs: Vec<Ev> = Vec::new();
            h.call(|c| c.set_value_at_time(1.0, 0.0));
            hk.call(|c| c.set_value_at_time(1.0, 0.0));
            evs.push(Ev {
                kind: Kind::SetValue,
                time: 0.0,
                value: 1.0,
                tau: 0.0,
                curve: vec![],
                duration: 0.0,
                cut: 0.0,
                anchor: None,
            });
            let count = 5 + (rng.next() % 60) as usize;
            for _ in 0..count {
                // Values stay positive so exponential ramps are possible
                // most of the time; a few negative ones test the hold rule.
                let value = (rng.unit() * 4.0 - 0.3) as f32;
                let value = if value == 0.0 { 0.5 } else { value };
                // Mix sub-sample times and times shared by several events.
                let time = if rng.next().is_multiple_of(4) {
                    (rng.next() % (quanta * Q) as u64) as f64 / SR as f64
                } else {
                    rng.unit() * span
                };
                let mut ev = Ev {
                    kind: Kind::SetValue,
                    time,
                    value: value as f64,
                    tau: 0.0,
                    curve: vec![],
                    duration: 0.0,
                    cut: time,
                    anchor: None,
                };
                let result = match rng.next() % 5 {
                    0 => h.ctrl.set_value_at_time(value, time),
                    1 => {
                        ev.kind = Kind::Linear;
                        h.ctrl.linear_ramp_to_value_at_time(value, time)
                    }
                    2 => {
                        ev.kind = Kind::Exponential;
                        h.ctrl.exponential_ramp_to_value_at_time(value, time)
                    }
                    3 => {
                        ev.kind = Kind::Target;
                        ev.tau = if rng.next().is_multiple_of(5) {
                            0.0
                        } else {
                            rng.unit() * 0.01
                        };
                        h.ctrl.set_target_at_time(value, time, ev.tau)
                    }
                    _ => {
                        ev.kind = Kind::Curve;
                        let n = 2 + (rng.next() % 20) as usize;
                        ev.curve = (0..n).map(|_| (rng.unit() * 2.0 - 1.0) as f32).collect();
                        ev.duration = rng.unit() * span / 8.0 + 1e-4;
                        ev.cut = time + ev.duration;
                        h.ctrl.set_value_curve_at_time(&ev.curve, time, ev.duration)
                    }
                };
                if let Ok(cmd) = result {
                    h.call(|_| Ok(cmd));
                    let v = value;
                    let ae = match ev.kind {
                        Kind::SetValue => AutomationEvent::SetValue {
                            value: v,
                            start_time: time,
                        },
                        Kind::Linear => AutomationEvent::LinearRamp {
                            value: v,
                            end_time: time,
                        },
                        Kind::Exponential => AutomationEvent::ExponentialRamp {
                            value: v,
                            end_time: time,
                        },
                        Kind::Target => AutomationEvent::SetTarget {
                            target: v,
                            start_time: time,
                            time_constant: ev.tau,
                        },
                        Kind::Curve => AutomationEvent::SetValueCurve {
                            values: ev.curve.clone().into(),
                            start_time: time,
                            duration: ev.duration,
                        },
                    };
                    hk.call(|c| c.schedule(&ae));
                    let pos = evs.partition_point(|e| e.time <= time);
                    evs.insert(pos, ev);
                }
            }
            let kout = hk.render(quanta);
            for q in (0..quanta * Q).step_by(Q) {
                let e = reference::value(&evs, q);
                let v = kout[q];
                assert!(
                    (v as f64 - e).abs() <= 2e-6 * e.abs().max(1.0),
                    "k-rate seed {seed} frame {q}: got {v}, expected {e}"
                );
            }
            assert!(hk.counts.iter().all(|&n| n == 1));
            let out = h.render(quanta);
            for (f, &v) in out.iter().enumerate() {
                let e = reference::value(&evs, f);
                assert!(
                    (v as f64 - e).abs() <= 2e-6 * e.abs().max(1.0),
                    "seed {seed} frame {f}: got {v}, expected {e}\n{evs:#?}"
                );
            }
        }
    }

    #[test]
    fn random_live_automation_matches_a_from_scratch_evaluation() {
        // Scheduling and cancelling while rendering: exercises clamping to
        // currentTime, ramps after running SetTargets, compaction, storage
        // hand-over and cancellation of events that already started.
        use reference::Ev;
        let sr = SR as f64;
        for seed in 1..=200u64 {
            let mut rng = Rng(seed.wrapping_mul(0xD1B5_4A32_D192_ED03) | 1);
            let mut h = Harness::new(desc());
            let mut evs: Vec<Ev> = Vec::new();
            let base = Ev {
                kind: Kind::SetValue,
                time: 0.0,
                value: 1.0,
                tau: 0.0,
                curve: vec![],
                duration: 0.0,
                cut: 0.0,
                anchor: None,
            };
            h.call(|c| c.set_value_at_time(1.0, 0.0));
            evs.push(base.clone());
            for _step in 0..120 {
                let now = h.now();
                // Strictly after every frame already rendered, so both sides
                // agree on the order with events that already started.
                // Mostly strictly after every frame already rendered; now and
                // then in the past, which both sides clamp to `now`.
                let future = |rng: &mut Rng| {
                    if rng.next().is_multiple_of(6) {
                        (now - rng.unit() * 0.01).max(0.0)
                    } else {
                        now + 1.0 / sr + rng.unit() * 0.02
                    }
                };
                // Events that took effect stay before anything inserted now.
                let reached = |evs: &[Ev], frame: u64| {
                    evs.iter()
                        .take_while(|e| ef(e.time) < frame as usize)
                        .count()
                };
                match rng.next() % 10 {
                    0..=2 => {
                        let first = h.frame as usize;
                        let n = 1 + (rng.next() % 3) as usize;
                        let out = h.render(n);
                        for (i, &v) in out.iter().enumerate() {
                            let e = reference::value(&evs, first + i);
                            assert!(
                                (v as f64 - e).abs() <= 2e-6 * e.abs().max(1.0),
                                "seed {seed} frame {}: got {v}, expected {e}\n{evs:#?}",
                                first + i
                            );
                        }
                    }
                    3 => {
                        let tc = future(&mut rng);
                        h.call(|c| c.cancel_scheduled_values(tc));
                        reference::cancel_scheduled(&mut evs, tc.max(now));
                    }
                    4 => {
                        let tc = future(&mut rng);
                        h.call(|c| c.cancel_and_hold_at_time(tc));
                        reference::cancel_and_hold(&mut evs, tc.max(now));
                    }
                    k => {
                        let time = future(&mut rng);
                        let value = (rng.unit() * 4.0 - 0.3) as f32;
                        let value = if value == 0.0 { 0.5 } else { value };
                        let mut ev = Ev {
                            kind: Kind::SetValue,
                            time,
                            value: value as f64,
                            ..base.clone()
                        };
                        let result = match k {
                            5 => h.ctrl.set_value_at_time(value, time),
                            6 => {
                                ev.kind = Kind::Linear;
                                h.ctrl.linear_ramp_to_value_at_time(value, time)
                            }
                            7 => {
                                ev.kind = Kind::Exponential;
                                h.ctrl.exponential_ramp_to_value_at_time(value, time)
                            }
                            8 => {
                                ev.kind = Kind::Target;
                                ev.tau = rng.unit() * 0.005;
                                h.ctrl.set_target_at_time(value, time, ev.tau)
                            }
                            _ => {
                                ev.kind = Kind::Curve;
                                let n = 2 + (rng.next() % 10) as usize;
                                ev.curve =
                                    (0..n).map(|_| (rng.unit() * 2.0 - 1.0) as f32).collect();
                                ev.duration = rng.unit() * 0.01 + 1e-4;
                                ev.cut = time + ev.duration;
                                h.ctrl.set_value_curve_at_time(&ev.curve, time, ev.duration)
                            }
                        };
                        let Ok(cmd) = result else { continue };
                        let time = time.max(now);
                        ev.time = time;
                        ev.cut = ev.cut.max(time + ev.duration);
                        h.call(|_| Ok(cmd));
                        let pos = evs
                            .partition_point(|e| e.time <= time)
                            .max(reached(&evs, h.frame));
                        if (ev.kind == Kind::Linear || ev.kind == Kind::Exponential) && pos == 0 {
                            // Nothing before the ramp: implicit setValueAtTime(value, now).
                            let v = reference::tail_at(&[], now);
                            let implicit = Ev {
                                kind: Kind::SetValue,
                                time: now,
                                value: v,
                                ..base.clone()
                            };
                            evs.insert(0, implicit);
                            evs.insert(1, ev);
                            continue;
                        }
                        if ev.kind == Kind::Linear || ev.kind == Kind::Exponential {
                            // A ramp right after a SetTarget that already
                            // started runs from the SetTarget's current value.
                            if let Some(prev) = pos.checked_sub(1).map(|i| &evs[i])
                                && prev.kind == Kind::Target
                                && ef(prev.time) < h.frame as usize
                                && prev.tau > 0.0
                            {
                                ev.anchor =
                                    Some((prev.time, now, reference::tail_at(&evs[..pos], now)));
                            }
                        }
                        evs.insert(pos, ev);
                    }
                }
            }
        }
    }

    #[test]
    fn events_just_before_a_quantum_boundary_are_still_counted() {
        // 200 events at t*sr = 127.7 take effect at frame 128, after the
        // control side has seen currentTime = 128/sr: they must still count
        // towards the render side's storage.
        let mut h = Harness::new(desc());
        for k in 0..200 {
            h.call(|c| c.set_value_at_time(k as f32, 127.7 / SR as f64));
        }
        h.render(1);
        for k in 0..200 {
            let t = (200.0 + k as f64) / SR as f64;
            h.call(|c| c.set_value_at_time(-(k as f32), t));
        }
        let out = h.render(4);
        assert_eq!(out[0], 199.0);
        assert_eq!(out[399 - 128], -199.0);
        assert_eq!(h.rend.dropped_events(), 0);
    }

    #[test]
    fn spec_automation_example() {
        // The "AudioParam Automation Example" of the spec, at 44.1 kHz.
        let sr = 44100.0f32;
        let srd = sr as f64;
        let mut h = Harness::with_rate(desc(), sr);
        let n = 44100;
        let curve: Vec<f32> = (0..n)
            .map(|i| (std::f64::consts::PI * i as f64 / n as f64).sin() as f32)
            .collect();
        let [t0, t1, t2, t3, t4, t5, t6, t7, t8] = [0.0, 0.1, 0.2, 0.3, 0.325, 0.5, 0.6, 0.7, 1.0];
        let tau = 0.1;
        let v5 = (0.5 + (0.8 - 0.5) * f64::exp(-(t5 - t4) / tau)) as f32;
        h.call(|c| c.set_value_at_time(0.2, t0));
        h.call(|c| c.set_value_at_time(0.3, t1));
        h.call(|c| c.set_value_at_time(0.4, t2));
        h.call(|c| c.linear_ramp_to_value_at_time(1.0, t3));
        h.call(|c| c.linear_ramp_to_value_at_time(0.8, t4));
        h.call(|c| c.set_target_at_time(0.5, t4, tau));
        h.call(|c| c.set_value_at_time(v5, t5));
        h.call(|c| c.exponential_ramp_to_value_at_time(0.75, t6));
        h.call(|c| c.exponential_ramp_to_value_at_time(0.05, t7));
        h.call(|c| c.set_value_curve_at_time(&curve, t7, t8 - t7));
        let quanta = 400;
        let out = h.render(quanta);
        let frame = |t: f64| (t * srd + 0.5).floor() as usize;
        let f32v = |v: f64| v as f32 as f64;
        let expected = |f: usize| -> f64 {
            let t = f as f64 / srd;
            let lin = |ta: f64, va: f64, tb: f64, vb: f64| {
                va + (vb - va) * ((t - ta) / (tb - ta)).clamp(0.0, 1.0)
            };
            let exp = |ta: f64, va: f64, tb: f64, vb: f64| {
                va * (vb / va).powf(((t - ta) / (tb - ta)).clamp(0.0, 1.0))
            };
            if f < frame(t1) {
                f32v(0.2)
            } else if f < frame(t2) {
                f32v(0.3)
            } else if f < frame(t3) {
                lin(t2, f32v(0.4), t3, 1.0)
            } else if f < frame(t4) {
                lin(t3, 1.0, t4, f32v(0.8))
            } else if f < frame(t5) {
                0.5 + (f32v(0.8) - 0.5) * (-(t - t4).max(0.0) / tau).exp()
            } else if f < frame(t6) {
                exp(t5, v5 as f64, t6, 0.75)
            } else if f < frame(t7) {
                exp(t6, 0.75, t7, f32v(0.05))
            } else if f < frame(t8) {
                let pos = (((n - 1) as f64 / (t8 - t7)) * (t - t7)).max(0.0);
                let k = pos.floor() as usize;
                let (a, b) = (curve[k] as f64, curve[k + 1] as f64);
                a + (b - a) * (pos - k as f64)
            } else {
                curve[n - 1] as f64
            }
        };
        assert_close(&out, expected, 0..quanta * Q, 1e-6);
        assert_eq!(out[frame(t8)], curve[n - 1]);
        assert_eq!(out[frame(t5)], v5);
    }
}
