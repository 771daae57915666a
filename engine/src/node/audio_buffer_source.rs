//! AudioBufferSourceNode: plays an `AudioBufferData` with sub-sample accurate
//! start, offset, duration, loop points and a k-rate playback rate, following
//! index.bs "Playback of AudioBuffer Contents".
//!
//! Internally every playhead quantity is kept in *buffer frames* (seconds
//! times the buffer's sample rate) and every context time in *context frames*,
//! so playback at rate 1 from an integer position stays exact.

use std::sync::{Arc, Mutex};

use crate::RENDER_QUANTUM_SIZE;
use crate::buffer::AudioBufferData;
use crate::context::{Context, NodeHandle, NodeSpec, ParamHandle};
use crate::error::Error;
use crate::message::{EngineEvent, NodeMessage};
use crate::node::scheduled_source::ScheduledSourceControl;
use crate::node::{
    NodeError, check_finite, check_non_negative, check_scheduled_start, param_from_table,
};
use crate::processor::{ProcessIo, Processor, RenderScope};

/// ```text
/// dictionary AudioBufferSourceOptions {
///     AudioBuffer? buffer;
///     float detune = 0;
///     boolean loop = false;
///     double loopEnd = 0;
///     double loopStart = 0;
///     float playbackRate = 1;
/// };
/// ```
/// (AudioNodeOptions defaults for this node: channelCount 2, "max",
/// "speakers"; it has no input so they have no effect.)
#[derive(Debug, Clone)]
pub struct AudioBufferSourceOptions {
    pub buffer: Option<Arc<AudioBufferData>>,
    pub detune: f32,
    pub loop_: bool,
    pub loop_end: f64,
    pub loop_start: f64,
    pub playback_rate: f32,
}

impl Default for AudioBufferSourceOptions {
    fn default() -> Self {
        Self {
            buffer: None,
            detune: 0.0,
            loop_: false,
            loop_end: 0.0,
            loop_start: 0.0,
            playback_rate: 1.0,
        }
    }
}

impl AudioBufferSourceOptions {
    /// Constructor checks (loopStart / loopEnd are WebIDL `double`s: a
    /// non-finite value is a TypeError).
    pub fn validate(&self) -> Result<(), NodeError> {
        check_loop_point("loopStart", self.loop_start)?;
        check_loop_point("loopEnd", self.loop_end)
    }
}

/// Params in `io.params` order: `[0]` = playbackRate, `[1]` = detune, both
/// k-rate (with automation rate constraints: they cannot be made a-rate).
/// (name, default, min, max, a-rate)
pub const AUDIO_BUFFER_SOURCE_PARAMS: &[(&str, f32, f32, f32, bool)] = &[
    ("playbackRate", 1.0, f32::MIN, f32::MAX, false),
    ("detune", 0.0, f32::MIN, f32::MAX, false),
];

/// `playbackRate.automationRate` / `detune.automationRate` setter: both must
/// stay "k-rate"; changing to "a-rate" is an InvalidStateError.
pub fn check_param_automation_rate(name: &str, a_rate: bool) -> Result<(), NodeError> {
    if a_rate {
        return Err(NodeError::InvalidState(format!(
            "AudioBufferSourceNode: {name}.automationRate must stay \"k-rate\""
        )));
    }
    Ok(())
}

/// The `buffer` setter: assigning a non-null buffer when `[[buffer set]]` is
/// already true is an InvalidStateError. Returns the new `[[buffer set]]`.
pub fn check_set_buffer(buffer_set: bool, new_is_some: bool) -> Result<bool, NodeError> {
    if new_is_some && buffer_set {
        return Err(NodeError::InvalidState(
            "AudioBufferSourceNode: buffer can only be set once".into(),
        ));
    }
    Ok(buffer_set || new_is_some)
}

/// `loopStart` / `loopEnd` setters: any finite value is accepted (the
/// playback algorithm clamps).
pub fn check_loop_point(name: &str, value: f64) -> Result<(), NodeError> {
    if !value.is_finite() {
        return Err(NodeError::Type(format!(
            "AudioBufferSourceNode: {name} ({value}) is not a finite number"
        )));
    }
    Ok(())
}

/// `start(when, offset, duration)` checks: any non-finite argument =>
/// TypeError (WebIDL, before the method runs); `[[source started]]` =>
/// InvalidStateError; a negative `when`, `offset` or `duration` =>
/// RangeError.
pub fn check_start(
    source_started: bool,
    when: f64,
    offset: Option<f64>,
    duration: Option<f64>,
) -> Result<(), NodeError> {
    for (name, v) in [("offset", offset), ("duration", duration)] {
        if let Some(v) = v {
            check_finite("start", name, v)?;
        }
    }
    check_scheduled_start(source_started, when)?;
    for (name, v) in [("offset", offset), ("duration", duration)] {
        if let Some(v) = v {
            check_non_negative("start", name, v)?;
        }
    }
    Ok(())
}

/// Control-to-render messages specific to this node (start/stop use
/// [`NodeMessage::Start`] / [`NodeMessage::Stop`], with `offset` and
/// `duration` in seconds).
#[derive(Debug)]
pub enum AudioBufferSourceMessage {
    /// The acquired buffer content (or none). Boxed on the control side so
    /// the old value goes back to the garbage queue in the same box.
    SetBuffer(Box<Option<Arc<AudioBufferData>>>),
    SetLoop(bool),
    /// Seconds.
    SetLoopStart(f64),
    /// Seconds.
    SetLoopEnd(f64),
}

/// Times computed as `t * sampleRate` on the control side carry rounding
/// error; a value that is within this of an integer frame is that frame, so
/// buffers scheduled back to back neither overlap nor leave a gap.
fn snap(x: f64) -> f64 {
    let r = x.round();
    if (x - r).abs() <= 1e-9 + 1e-13 * x.abs() {
        r
    } else {
        x
    }
}

/// Playheads this close below the end of the buffer count as past it (see
/// [`snap`]).
const END_EPSILON: f64 = 1e-9;

/// Per-frame playback plan for one quantum: where to read, and how.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Read {
    Silent,
    Plain,
    /// Inside an entered loop: interpolation past loop end continues at
    /// loop start.
    Looped,
}

/// Render half. No input, one output with the buffer's channel count (one
/// silent channel without a buffer or once playback has ended);
/// `io.params[0]` = playbackRate, `io.params[1]` = detune (both k-rate).
pub struct AudioBufferSourceProcessor {
    buffer: Option<Arc<AudioBufferData>>,
    loop_: bool,
    loop_start: f64,
    loop_end: f64,
    /// Exact start frame (context frames).
    start: Option<f64>,
    /// Requested offset, seconds.
    offset_seconds: f64,
    /// Requested duration, seconds (infinite when not given).
    duration_seconds: f64,
    /// Exact stop frame (context frames).
    stop: f64,
    started: bool,
    entered_loop: bool,
    /// Playhead and clamped start offset, buffer frames.
    position: f64,
    offset: f64,
    /// Buffer frames played so far (absolute), for `duration`.
    elapsed: f64,
    ended: bool,
    positions: [f64; RENDER_QUANTUM_SIZE],
    reads: [Read; RENDER_QUANTUM_SIZE],
}

impl AudioBufferSourceProcessor {
    pub fn new(options: &AudioBufferSourceOptions) -> Self {
        Self {
            buffer: options.buffer.clone(),
            loop_: options.loop_,
            loop_start: options.loop_start,
            loop_end: options.loop_end,
            start: None,
            offset_seconds: 0.0,
            duration_seconds: f64::INFINITY,
            stop: f64::INFINITY,
            started: false,
            entered_loop: false,
            position: 0.0,
            offset: 0.0,
            elapsed: 0.0,
            ended: false,
            positions: [0.0; RENDER_QUANTUM_SIZE],
            reads: [Read::Silent; RENDER_QUANTUM_SIZE],
        }
    }

    /// The actual loop, in buffer frames, for a buffer of `duration`
    /// seconds at `rate` Hz: the spec's rule (loopStart >= 0, loopEnd > 0,
    /// loopStart < loopEnd, else the whole buffer), with both ends kept
    /// inside the buffer and an empty loop also meaning the whole buffer.
    fn actual_loop(&self, duration: f64, rate: f64) -> (f64, f64) {
        let (s, e) =
            if self.loop_start >= 0.0 && self.loop_end > 0.0 && self.loop_start < self.loop_end {
                (self.loop_start.min(duration), self.loop_end.min(duration))
            } else {
                (0.0, duration)
            };
        if s < e {
            (s * rate, e * rate)
        } else {
            (0.0, duration * rate)
        }
    }

    /// When the next `rem` frames (the rest of the quantum) all play, in
    /// one straight run that crosses no end, loop boundary, stop time or
    /// duration, the way they read; `None` when the per-frame walk is
    /// needed.
    fn bulk_read(
        &self,
        rem: usize,
        step: f64,
        len: f64,
        (ls, le): (f64, f64),
        duration: f64,
        q_last: f64,
    ) -> Option<Read> {
        let last = (rem - 1) as f64;
        if q_last >= self.stop || self.elapsed + last * step.abs() >= duration {
            return None;
        }
        let p0 = self.position;
        let p1 = p0 + last * step;
        let (lo, hi) = (p0.min(p1), p0.max(p1));
        if self.loop_ {
            // Loop entry is decided frame by frame.
            (self.entered_loop && lo >= ls && hi < le).then_some(Read::Looped)
        } else {
            (lo >= 0.0 && hi < len - END_EPSILON).then_some(Read::Plain)
        }
    }

    /// Fills `positions` / `reads` for this quantum and advances the
    /// playback state. Returns true when playback finished in it.
    fn plan(&mut self, q_start: u64, rate: f64, sample_rate: f32) -> bool {
        self.reads = [Read::Silent; RENDER_QUANTUM_SIZE];
        let Some(start) = self.start else {
            return false;
        };
        let Some(buffer) = self.buffer.as_deref() else {
            // Content arriving later plays from then on; a buffer removed
            // during playback ends it (the spec forces stop to now).
            return self.started || (q_start + RENDER_QUANTUM_SIZE as u64) as f64 >= self.stop;
        };
        let bsr = buffer.sample_rate() as f64;
        let len = buffer.length() as f64;
        // Buffer frames per context frame.
        let step = rate * bsr / sample_rate as f64;
        let (ls, le) = self.actual_loop(buffer.duration(), bsr);
        let looping = self.loop_;
        if !looping {
            self.entered_loop = false;
        }
        let duration = snap(self.duration_seconds * bsr);
        // Once playing, the rest of a quantum is usually one straight run;
        // the per-frame walk below is only needed around start, stop, loop
        // wraps and the ends.
        let mut bulk_failed = false;

        for i in 0..RENDER_QUANTUM_SIZE {
            let n = (q_start + i as u64) as f64;
            if n < start || n >= self.stop {
                continue;
            }
            if !self.started {
                // Sub-sample start: this frame is `delta` frames after the
                // exact start time. A start already in the past plays now
                // from the offset.
                let delta = n - start;
                let delta = if delta < 1.0 { delta } else { 0.0 };
                let mut offset = (self.offset_seconds * bsr).clamp(0.0, len);
                if looping && step >= 0.0 && offset >= le {
                    offset = le;
                }
                if looping && step < 0.0 && offset < ls {
                    offset = ls;
                }
                self.offset = offset;
                self.position = offset + delta * step;
                self.elapsed = (delta * step).abs();
                self.started = true;
            }
            if !bulk_failed {
                let rem = RENDER_QUANTUM_SIZE - i;
                let q_last = (q_start + RENDER_QUANTUM_SIZE as u64 - 1) as f64;
                if let Some(read) = self.bulk_read(rem, step, len, (ls, le), duration, q_last) {
                    let p0 = self.position;
                    for (k, (p, r)) in self.positions[i..]
                        .iter_mut()
                        .zip(&mut self.reads[i..])
                        .enumerate()
                    {
                        *p = p0 + k as f64 * step;
                        *r = read;
                    }
                    self.position = p0 + rem as f64 * step;
                    self.elapsed += rem as f64 * step.abs();
                    return (q_start + RENDER_QUANTUM_SIZE as u64) as f64 >= self.stop;
                }
                bulk_failed = true;
            }
            if self.elapsed >= duration {
                return true;
            }
            let mut read = Read::Plain;
            if looping {
                if !self.entered_loop {
                    if self.offset < le && self.position >= ls {
                        self.entered_loop = true;
                    }
                    if self.offset >= le && self.position < le {
                        self.entered_loop = true;
                    }
                }
                if self.entered_loop {
                    if self.position >= le || self.position < ls {
                        let wrapped = ls + (self.position - ls).rem_euclid(le - ls);
                        self.position = if wrapped >= le { ls } else { wrapped };
                    }
                    read = Read::Looped;
                }
            }
            // Outside a loop, a playhead past the buffer's end in its
            // direction of travel never comes back: the whole buffer has
            // been played. (A loop not yet entered can only be entered on
            // the way, except after an offset past loopEnd going forward.)
            if read == Read::Plain
                && ((step > 0.0 && self.position >= len - END_EPSILON)
                    || (step < 0.0 && self.position < 0.0))
            {
                return true;
            }
            if self.position >= 0.0 && self.position < len {
                self.positions[i] = self.position;
                self.reads[i] = read;
            }
            self.position += step;
            self.elapsed += step.abs();
        }
        (q_start + RENDER_QUANTUM_SIZE as u64) as f64 >= self.stop
    }
}

/// The playback signal of one channel at `pos` (0 <= pos < len): the exact
/// sample on integer positions, else linear interpolation. The frame after
/// the last one is the loop start's content when looping, else a linear
/// extrapolation of the last two frames (so a cut buffer continues its
/// slope instead of dropping towards zero).
#[inline(always)]
fn playback_signal(ch: &[f32], pos: f64, read: Read, loop_start: f64, loop_end: f64) -> f32 {
    let i = pos as usize;
    let t = pos - i as f64;
    let s0 = ch[i] as f64;
    if t == 0.0 {
        return ch[i];
    }
    let next = i + 1;
    let s1 = if read == Read::Looped && next as f64 >= loop_end {
        // Continue at loop start as if the loop content were laid out again.
        let q = next as f64 - (loop_end - loop_start);
        let q = q.max(0.0);
        let j = (q as usize).min(ch.len() - 1);
        let u = q - j as f64;
        let a = ch[j] as f64;
        let b = ch.get(j + 1).map_or(a, |&v| v as f64);
        a + (b - a) * u
    } else if next < ch.len() {
        ch[next] as f64
    } else if i >= 1 {
        2.0 * s0 - ch[i - 1] as f64
    } else {
        s0
    };
    (s0 + (s1 - s0) * t) as f32
}

impl Processor for AudioBufferSourceProcessor {
    fn has_finished(&self) -> bool {
        self.ended
    }

    fn process(&mut self, io: ProcessIo<'_>, scope: &RenderScope<'_>) -> bool {
        let output = &mut io.outputs[0];
        if self.ended {
            output.make_silent_with_channels(1);
            return false;
        }
        let rate = io.params[0].first() as f64 * (io.params[1].first() as f64 / 1200.0).exp2();
        let rate = if rate.is_finite() { rate } else { 0.0 };
        let finished = self.plan(scope.current_frame, rate, scope.sample_rate);

        let channels = self.buffer.as_ref().map_or(1, |b| b.number_of_channels());
        if self.reads.iter().all(|&r| r == Read::Silent) {
            output.make_silent_with_channels(channels);
        } else if let Some(buffer) = self.buffer.as_deref() {
            let (ls, le) = self.actual_loop(buffer.duration(), buffer.sample_rate() as f64);
            output.set_number_of_channels(channels);
            let step_is_one = self.positions_are_consecutive_frames();
            for (c, out) in output.channels_mut().iter_mut().enumerate() {
                let ch = buffer.channel(c);
                if let Some(first) = step_is_one {
                    // Rate 1 on whole frames: a straight copy.
                    out.copy_from_slice(&ch[first..first + RENDER_QUANTUM_SIZE]);
                    continue;
                }
                // Bounded by the per-frame position decode and two loads;
                // rate and loop state are per quantum, so the branches are
                // predictable.
                for ((o, &r), &pos) in out.iter_mut().zip(&self.reads).zip(&self.positions) {
                    *o = match r {
                        Read::Silent => 0.0,
                        r => playback_signal(ch, pos, r, ls, le),
                    };
                }
            }
        }

        if finished {
            self.ended = true;
            scope.post_event(EngineEvent::Ended(scope.node_id));
            return false;
        }
        true
    }

    fn handle_message(&mut self, message: NodeMessage, scope: &RenderScope<'_>) {
        match message {
            NodeMessage::Start {
                at_frame,
                offset,
                duration,
            } if self.start.is_none() => {
                self.start = Some(snap(at_frame));
                self.offset_seconds = if offset.is_finite() {
                    offset.max(0.0)
                } else {
                    0.0
                };
                self.duration_seconds = duration.unwrap_or(f64::INFINITY);
            }
            NodeMessage::Stop { at_frame } if !self.ended => {
                self.stop = snap(at_frame);
            }
            NodeMessage::AudioBufferSource(m) => match m {
                AudioBufferSourceMessage::SetBuffer(mut buffer) => {
                    std::mem::swap(&mut self.buffer, &mut *buffer);
                    scope.discard(buffer);
                }
                AudioBufferSourceMessage::SetLoop(l) => self.loop_ = l,
                AudioBufferSourceMessage::SetLoopStart(s) => self.loop_start = s,
                AudioBufferSourceMessage::SetLoopEnd(e) => self.loop_end = e,
            },
            // A repeated start, a stop after the end, or a message meant for
            // another node kind: ignored. Forgotten rather than dropped so a
            // stray payload is never freed on the render thread.
            other => std::mem::forget(other),
        }
    }
}

impl AudioBufferSourceProcessor {
    /// `Some(first)` when every frame of the quantum reads whole frames
    /// `first, first + 1, ...` without interpolation or wrap.
    fn positions_are_consecutive_frames(&self) -> Option<usize> {
        if self.reads.contains(&Read::Silent) {
            return None;
        }
        let first = self.positions[0];
        if first.fract() != 0.0 {
            return None;
        }
        let consecutive = self
            .positions
            .iter()
            .enumerate()
            .all(|(i, &p)| p == first + i as f64);
        consecutive.then_some(first as usize)
    }
}

/// Control handle of an AudioBufferSourceNode.
#[derive(Debug, Clone)]
pub struct AudioBufferSourceNode {
    node: NodeHandle,
    schedule: Arc<ScheduledSourceControl>,
    state: Arc<Mutex<ControlState>>,
}

/// The attributes as the control side reads them back.
#[derive(Debug, Default)]
struct ControlState {
    /// `[[buffer set]]`.
    buffer_set: bool,
    buffer: Option<Arc<AudioBufferData>>,
    loop_: bool,
    loop_start: f64,
    loop_end: f64,
}

impl AudioBufferSourceNode {
    pub fn new(ctx: &Context, options: AudioBufferSourceOptions) -> Result<Self, Error> {
        options.validate()?;
        let params = AUDIO_BUFFER_SOURCE_PARAMS
            .iter()
            .map(|&p| param_from_table(p, true))
            .collect();
        let spec = NodeSpec::new(0, 1, params);
        let node = ctx.create_node(spec, Box::new(AudioBufferSourceProcessor::new(&options)))?;
        if options.playback_rate != AUDIO_BUFFER_SOURCE_PARAMS[0].1 {
            node.param(0).set_value(options.playback_rate)?;
        }
        if options.detune != AUDIO_BUFFER_SOURCE_PARAMS[1].1 {
            node.param(1).set_value(options.detune)?;
        }
        let state = ControlState {
            buffer_set: options.buffer.is_some(),
            buffer: options.buffer,
            loop_: options.loop_,
            loop_start: options.loop_start,
            loop_end: options.loop_end,
        };
        Ok(Self {
            node,
            schedule: Default::default(),
            state: Arc::new(Mutex::new(state)),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, ControlState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn node(&self) -> &NodeHandle {
        &self.node
    }

    pub fn playback_rate(&self) -> ParamHandle {
        self.node.param(0)
    }

    pub fn detune(&self) -> ParamHandle {
        self.node.param(1)
    }

    pub fn buffer(&self) -> Option<Arc<AudioBufferData>> {
        self.state().buffer.clone()
    }

    /// The `buffer` setter: a second non-null buffer is an
    /// InvalidStateError; null is always accepted. `buffer` is the acquired
    /// content, sent to the render side at once.
    pub fn set_buffer(&self, buffer: Option<Arc<AudioBufferData>>) -> Result<(), Error> {
        self.mark_buffer(buffer.is_some())?;
        self.send_buffer(buffer);
        Ok(())
    }

    /// The `buffer` setter's checks and `[[buffer set]]` update alone, for a
    /// buffer set before `start()`: the spec acquires its content only when
    /// `start()` is called (see [`Self::start`]), so later changes to the
    /// buffer still play.
    pub fn mark_buffer(&self, new_is_some: bool) -> Result<(), Error> {
        let mut st = self.state();
        st.buffer_set = check_set_buffer(st.buffer_set, new_is_some)?;
        if !new_is_some {
            st.buffer = None;
        }
        Ok(())
    }

    fn send_buffer(&self, buffer: Option<Arc<AudioBufferData>>) {
        self.state().buffer = buffer.clone();
        self.node.send(NodeMessage::AudioBufferSource(
            AudioBufferSourceMessage::SetBuffer(Box::new(buffer)),
        ));
    }

    pub fn loop_(&self) -> bool {
        self.state().loop_
    }

    pub fn set_loop(&self, value: bool) {
        self.state().loop_ = value;
        self.node.send(NodeMessage::AudioBufferSource(
            AudioBufferSourceMessage::SetLoop(value),
        ));
    }

    pub fn loop_start(&self) -> f64 {
        self.state().loop_start
    }

    pub fn set_loop_start(&self, value: f64) -> Result<(), Error> {
        check_loop_point("loopStart", value)?;
        self.state().loop_start = value;
        self.node.send(NodeMessage::AudioBufferSource(
            AudioBufferSourceMessage::SetLoopStart(value),
        ));
        Ok(())
    }

    pub fn loop_end(&self) -> f64 {
        self.state().loop_end
    }

    pub fn set_loop_end(&self, value: f64) -> Result<(), Error> {
        check_loop_point("loopEnd", value)?;
        self.state().loop_end = value;
        self.node.send(NodeMessage::AudioBufferSource(
            AudioBufferSourceMessage::SetLoopEnd(value),
        ));
        Ok(())
    }

    /// `start(when, offset, duration)` with the spec's checks, in order.
    /// `content`, when given, is the buffer's content acquired by this call
    /// (it replaces whatever the render side had).
    pub fn start(
        &self,
        when: f64,
        offset: f64,
        duration: Option<f64>,
        content: Option<Arc<AudioBufferData>>,
    ) -> Result<(), Error> {
        check_start(self.schedule.has_started(), when, Some(offset), duration)?;
        if content.is_some() {
            self.send_buffer(content);
        }
        self.schedule.start_with(&self.node, when, offset, duration)
    }

    pub fn stop(&self, when: f64) -> Result<(), Error> {
        self.schedule.stop(&self.node, when)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::AudioBlock;
    use crate::processor::ParamBlock;
    use crate::processor::testing::TestScope;

    const SR: f32 = 32768.0;

    struct Run {
        /// Per channel.
        out: Vec<Vec<f32>>,
        channels: Vec<usize>,
        ended_at: Vec<usize>,
        alive: Vec<bool>,
        garbage: usize,
    }

    fn ramp(len: usize, channels: usize, sample_rate: f32) -> Arc<AudioBufferData> {
        Arc::new(AudioBufferData::new(
            sample_rate,
            (0..channels)
                .map(|c| {
                    (0..len)
                        .map(|k| (k + 1) as f32 * if c == 0 { 1.0 } else { -1.0 })
                        .collect::<Vec<_>>()
                        .into_boxed_slice()
                })
                .collect(),
        ))
    }

    fn start(at: f64, offset: f64, duration: Option<f64>) -> NodeMessage {
        NodeMessage::Start {
            at_frame: at,
            offset,
            duration,
        }
    }

    fn run(
        p: &mut AudioBufferSourceProcessor,
        quanta: usize,
        rate: f32,
        detune: f32,
        messages: &mut dyn FnMut(usize) -> Vec<NodeMessage>,
    ) -> Run {
        let ts = TestScope::new(SR);
        let mut r = Run {
            out: vec![Vec::new(); 2],
            channels: Vec::new(),
            ended_at: Vec::new(),
            alive: Vec::new(),
            garbage: 0,
        };
        for q in 0..quanta {
            let scope = ts.scope((q * RENDER_QUANTUM_SIZE) as u64);
            for m in messages(q) {
                p.handle_message(m, &scope);
            }
            let (rv, dv) = ([rate], [detune]);
            let params = [ParamBlock::new(&rv), ParamBlock::new(&dv)];
            let mut outs = [AudioBlock::new(3)];
            r.alive.push(p.process(
                ProcessIo {
                    inputs: &[],
                    outputs: &mut outs,
                    params: &params,
                },
                &scope,
            ));
            let n = outs[0].number_of_channels();
            r.channels.push(n);
            for c in 0..2 {
                if c < n {
                    r.out[c].extend_from_slice(outs[0].channel(c));
                } else {
                    r.out[c].extend_from_slice(&[0.0; RENDER_QUANTUM_SIZE]);
                }
            }
            while let Some(ev) = ts.events.pop() {
                assert_eq!(ev, EngineEvent::Ended(scope.node_id));
                r.ended_at.push(q);
            }
        }
        while ts.garbage.pop().is_some() {
            r.garbage += 1;
        }
        r
    }

    fn with_buffer(buffer: Arc<AudioBufferData>) -> AudioBufferSourceProcessor {
        AudioBufferSourceProcessor::new(&AudioBufferSourceOptions {
            buffer: Some(buffer),
            ..Default::default()
        })
    }

    fn once(msgs: Vec<NodeMessage>) -> impl FnMut(usize) -> Vec<NodeMessage> {
        let mut msgs = Some(msgs);
        move |q| {
            if q == 0 {
                msgs.take().unwrap_or_default()
            } else {
                vec![]
            }
        }
    }

    fn assert_rel(actual: f32, expected: f64, what: &str) {
        let tol = 1e-6 * expected.abs().max(1.0);
        assert!(
            (actual as f64 - expected).abs() <= tol,
            "{what}: {actual} vs {expected}"
        );
    }

    #[test]
    fn plays_the_buffer_exactly_then_ends() {
        let buf = ramp(300, 2, SR);
        let mut p = with_buffer(buf.clone());
        let r = run(&mut p, 5, 1.0, 0.0, &mut once(vec![start(0.0, 0.0, None)]));
        assert_eq!(&r.out[0][..300], buf.channel(0));
        assert_eq!(&r.out[1][..300], buf.channel(1));
        assert!(r.out[0][300..].iter().all(|&s| s == 0.0));
        // Frame 300 is in quantum 2; the output drops to one channel after.
        assert_eq!(r.ended_at, vec![2]);
        assert_eq!(r.channels, vec![2, 2, 2, 1, 1]);
        assert_eq!(r.alive, vec![true, true, false, false, false]);
    }

    #[test]
    fn sub_sample_accurate_start() {
        for start_frame in [33.1, 33.9] {
            let buf = ramp(1024, 1, SR);
            let mut p = with_buffer(buf);
            let r = run(
                &mut p,
                4,
                1.0,
                0.0,
                &mut once(vec![start(start_frame, 0.0, None)]),
            );
            assert!(r.out[0][..34].iter().all(|&s| s == 0.0));
            for k in 34..512 {
                // Ramp value k+1 at buffer position (k - start).
                let expected = 1.0 + (k as f64 - start_frame);
                assert_rel(r.out[0][k], expected, &format!("start {start_frame} [{k}]"));
            }
        }
    }

    #[test]
    fn sub_sample_start_scales_with_playback_rate() {
        for rate in [0.25f32, 4.0] {
            let buf = ramp(8192, 1, SR);
            let mut p = with_buffer(buf);
            let r = run(
                &mut p,
                2,
                rate,
                0.0,
                &mut once(vec![start(17.8, 0.0, None)]),
            );
            assert_eq!(r.out[0][17], 0.0);
            assert_rel(r.out[0][18], 1.0 + 0.2 * rate as f64, "first frame");
            for k in 18..256 {
                assert_rel(r.out[0][k], 1.0 + (k as f64 - 17.8) * rate as f64, "later");
            }
        }
    }

    #[test]
    fn sub_sample_accurate_stop() {
        for (stop, last_playing) in [(33.0, 32), (33.1, 33), (33.9, 33)] {
            let buf = Arc::new(AudioBufferData::new(
                SR,
                vec![vec![1.0; 128].into_boxed_slice()],
            ));
            let mut p = with_buffer(buf);
            let r = run(
                &mut p,
                1,
                1.0,
                0.0,
                &mut once(vec![
                    start(0.0, 0.0, None),
                    NodeMessage::Stop { at_frame: stop },
                ]),
            );
            assert!(
                r.out[0][..=last_playing].iter().all(|&s| s == 1.0),
                "{stop}"
            );
            assert!(
                r.out[0][last_playing + 1..].iter().all(|&s| s == 0.0),
                "{stop}"
            );
            assert_eq!(r.ended_at, vec![0]);
        }
    }

    #[test]
    fn stop_on_a_quantum_boundary_ends_in_the_quantum_before_it() {
        let mut p = with_buffer(ramp(1000, 1, SR));
        let r = run(
            &mut p,
            3,
            1.0,
            0.0,
            &mut once(vec![
                start(0.0, 0.0, None),
                NodeMessage::Stop { at_frame: 128.0 },
            ]),
        );
        assert_eq!(&r.out[0][..128], ramp(128, 1, SR).channel(0));
        assert!(r.out[0][128..].iter().all(|&s| s == 0.0));
        assert_eq!(r.ended_at, vec![0]);
        assert_eq!(r.alive, vec![false, false, false]);
    }

    #[test]
    fn grain_duration_is_sub_sample_accurate() {
        for (s, e) in [(3.1f64, 37.2f64), (5.8, 43.9)] {
            let buf = Arc::new(AudioBufferData::new(
                SR,
                vec![vec![1.0; 128].into_boxed_slice()],
            ));
            let mut p = with_buffer(buf);
            // Duration in seconds, as the control side would send it.
            let dur = (e - s) / SR as f64;
            let r = run(
                &mut p,
                1,
                1.0,
                0.0,
                &mut once(vec![start(s, 0.0, Some(dur))]),
            );
            for k in 0..128 {
                let expected = if k as f64 > s && (k as f64) < e {
                    1.0
                } else {
                    0.0
                };
                assert_eq!(r.out[0][k], expected, "grain {s}..{e} [{k}]");
            }
            assert_eq!(r.ended_at, vec![0]);
        }
    }

    #[test]
    fn offsets_whole_and_fractional() {
        let buf = ramp(400, 1, SR);
        let mut p = with_buffer(buf.clone());
        let r = run(
            &mut p,
            1,
            1.0,
            0.0,
            &mut once(vec![start(0.0, 10.0 / SR as f64, None)]),
        );
        assert_eq!(&r.out[0][..128], &buf.channel(0)[10..138]);
        let mut p = with_buffer(buf);
        let r = run(
            &mut p,
            1,
            1.0,
            0.0,
            &mut once(vec![start(0.0, 10.5 / SR as f64, None)]),
        );
        for k in 0..128 {
            assert_rel(r.out[0][k], 11.5 + k as f64, "half-frame offset");
        }
        // Offsets past the end clamp to it: nothing plays, ended at once.
        let mut p = with_buffer(ramp(10, 1, SR));
        let r = run(&mut p, 2, 1.0, 0.0, &mut once(vec![start(0.0, 99.0, None)]));
        assert!(r.out[0].iter().all(|&s| s == 0.0));
        assert_eq!(r.ended_at, vec![0]);
    }

    #[test]
    fn half_rate_interpolates_linearly() {
        let buf = ramp(1000, 1, SR);
        let mut p = with_buffer(buf.clone());
        let r = run(&mut p, 2, 0.5, 0.0, &mut once(vec![start(0.0, 0.0, None)]));
        let ch = buf.channel(0);
        for k in 0..128 {
            assert_eq!(r.out[0][2 * k], ch[k]);
            assert_eq!(r.out[0][2 * k + 1], (ch[k] + ch[k + 1]) / 2.0);
        }
        // detune -1200 cents is the same rate.
        let mut p = with_buffer(buf.clone());
        let r2 = run(
            &mut p,
            2,
            1.0,
            -1200.0,
            &mut once(vec![start(0.0, 0.0, None)]),
        );
        assert_eq!(r.out[0], r2.out[0]);
    }

    #[test]
    fn buffer_at_another_sample_rate_is_resampled() {
        // A buffer at twice the context rate plays every other frame.
        let buf = ramp(1000, 1, 2.0 * SR);
        let mut p = with_buffer(buf.clone());
        let r = run(&mut p, 2, 1.0, 0.0, &mut once(vec![start(0.0, 0.0, None)]));
        for k in 0..256 {
            assert_eq!(r.out[0][k], buf.channel(0)[2 * k]);
        }
        // At half the rate, with playbackRate 2, it is played straight.
        let buf = ramp(1000, 1, SR / 2.0);
        let mut p = with_buffer(buf.clone());
        let r = run(&mut p, 2, 2.0, 0.0, &mut once(vec![start(0.0, 0.0, None)]));
        assert_eq!(&r.out[0][..256], &buf.channel(0)[..256]);
    }

    #[test]
    fn end_of_buffer_extrapolates_then_ends() {
        let buf = ramp(4, 1, SR);
        let mut p = with_buffer(buf);
        let r = run(&mut p, 1, 0.5, 0.0, &mut once(vec![start(0.0, 0.0, None)]));
        let expected = [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5];
        assert_eq!(&r.out[0][..8], &expected);
        assert!(r.out[0][8..].iter().all(|&s| s == 0.0));
        assert_eq!(r.ended_at, vec![0]);
    }

    #[test]
    fn loops_whole_buffer_and_sub_range() {
        let buf = ramp(10, 1, SR);
        let mut p = AudioBufferSourceProcessor::new(&AudioBufferSourceOptions {
            buffer: Some(buf.clone()),
            loop_: true,
            ..Default::default()
        });
        let r = run(&mut p, 3, 1.0, 0.0, &mut once(vec![start(0.0, 0.0, None)]));
        for k in 0..384 {
            assert_eq!(r.out[0][k], (k % 10 + 1) as f32);
        }
        assert!(r.ended_at.is_empty() && r.alive.iter().all(|&a| a));
        // loopStart 2, loopEnd 6 frames: 1 2 | 3 4 5 6 | 3 4 5 6 ...
        let mut p = AudioBufferSourceProcessor::new(&AudioBufferSourceOptions {
            buffer: Some(buf.clone()),
            loop_: true,
            loop_start: 2.0 / SR as f64,
            loop_end: 6.0 / SR as f64,
            ..Default::default()
        });
        let r = run(&mut p, 1, 1.0, 0.0, &mut once(vec![start(0.0, 0.0, None)]));
        for k in 0..128 {
            let idx = if k < 2 { k } else { 2 + (k - 2) % 4 };
            assert_eq!(r.out[0][k], (idx + 1) as f32, "[{k}]");
        }
        // Invalid loop points (start >= end) mean the whole buffer.
        let mut p = AudioBufferSourceProcessor::new(&AudioBufferSourceOptions {
            buffer: Some(buf),
            loop_: true,
            loop_start: 6.0 / SR as f64,
            loop_end: 2.0 / SR as f64,
            ..Default::default()
        });
        let r = run(&mut p, 1, 1.0, 0.0, &mut once(vec![start(0.0, 0.0, None)]));
        for k in 0..128 {
            assert_eq!(r.out[0][k], (k % 10 + 1) as f32);
        }
    }

    #[test]
    fn loop_splices_interpolation_at_the_loop_end() {
        // Whole-buffer loop at half speed: position 3.5 interpolates between
        // the last frame (4) and the loop's first frame (1).
        let mut p = AudioBufferSourceProcessor::new(&AudioBufferSourceOptions {
            buffer: Some(ramp(4, 1, SR)),
            loop_: true,
            ..Default::default()
        });
        let r = run(&mut p, 1, 0.5, 0.0, &mut once(vec![start(0.0, 0.0, None)]));
        let expected = [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 2.5, 1.0, 1.5];
        assert_eq!(&r.out[0][..10], &expected);
    }

    #[test]
    fn one_sample_loop() {
        let buf = Arc::new(AudioBufferData::new(
            SR,
            vec![vec![0.75].into_boxed_slice()],
        ));
        let mut p = AudioBufferSourceProcessor::new(&AudioBufferSourceOptions {
            buffer: Some(buf),
            loop_: true,
            ..Default::default()
        });
        let r = run(&mut p, 2, 1.0, 0.0, &mut once(vec![start(0.0, 0.0, None)]));
        assert!(r.out[0].iter().all(|&s| s == 0.75));
    }

    #[test]
    fn offset_past_loop_end_follows_the_playback_algorithm() {
        // offset 8 >= loopEnd 6 with a forward rate: the playhead starts at
        // loopEnd, which is not yet "in" the loop (it must come back below
        // loopEnd), so it plays on to the end of the buffer.
        let buf = ramp(10, 1, SR);
        let mut p = AudioBufferSourceProcessor::new(&AudioBufferSourceOptions {
            buffer: Some(buf),
            loop_: true,
            loop_start: 2.0 / SR as f64,
            loop_end: 6.0 / SR as f64,
            ..Default::default()
        });
        let r = run(
            &mut p,
            1,
            1.0,
            0.0,
            &mut once(vec![start(0.0, 8.0 / SR as f64, None)]),
        );
        assert_eq!(&r.out[0][..4], &[7.0, 8.0, 9.0, 10.0]);
        assert!(r.out[0][4..].iter().all(|&s| s == 0.0));
        assert_eq!(r.ended_at, vec![0]);
    }

    #[test]
    fn reverse_playback_from_the_end() {
        let buf = ramp(50, 1, SR);
        let mut p = with_buffer(buf.clone());
        let r = run(
            &mut p,
            1,
            -1.0,
            0.0,
            &mut once(vec![start(0.0, buf.duration(), None)]),
        );
        // Frame 0 is at position 50 (past the last frame): silent.
        assert_eq!(r.out[0][0], 0.0);
        for k in 1..=50 {
            assert_eq!(r.out[0][k], (51 - k) as f32);
        }
        assert!(r.out[0][51..].iter().all(|&s| s == 0.0));
        assert_eq!(r.ended_at, vec![0]);
        // Reverse looping over loopStart 2 .. loopEnd 6.
        let mut p = AudioBufferSourceProcessor::new(&AudioBufferSourceOptions {
            buffer: Some(ramp(10, 1, SR)),
            loop_: true,
            loop_start: 2.0 / SR as f64,
            loop_end: 6.0 / SR as f64,
            ..Default::default()
        });
        let r = run(
            &mut p,
            1,
            -1.0,
            0.0,
            &mut once(vec![start(0.0, 4.0 / SR as f64, None)]),
        );
        let expected = [5.0, 4.0, 3.0, 6.0, 5.0, 4.0, 3.0, 6.0];
        assert_eq!(&r.out[0][..8], &expected);
    }

    #[test]
    fn stop_before_start_never_plays_and_ends_at_stop() {
        let mut p = with_buffer(ramp(1000, 1, SR));
        let r = run(
            &mut p,
            4,
            1.0,
            0.0,
            &mut once(vec![
                start(300.0, 0.0, None),
                NodeMessage::Stop { at_frame: 200.0 },
            ]),
        );
        assert!(r.out[0].iter().all(|&s| s == 0.0));
        assert_eq!(r.ended_at, vec![1]);
    }

    #[test]
    fn null_buffer_is_silent_until_stopped() {
        let mut p = AudioBufferSourceProcessor::new(&Default::default());
        let mut msgs = |q: usize| match q {
            0 => vec![start(0.0, 0.0, None)],
            3 => vec![NodeMessage::Stop { at_frame: 400.0 }],
            _ => vec![],
        };
        let r = run(&mut p, 5, 1.0, 0.0, &mut msgs);
        assert!(r.out[0].iter().all(|&s| s == 0.0));
        assert!(r.channels.iter().all(|&c| c == 1));
        assert_eq!(r.ended_at, vec![3]);
    }

    #[test]
    fn buffer_set_after_start_plays_and_old_value_is_discarded() {
        let buf = ramp(200, 1, SR);
        let mut p = AudioBufferSourceProcessor::new(&Default::default());
        let b2 = buf.clone();
        let mut msgs = move |q: usize| match q {
            0 => vec![start(0.0, 0.0, None)],
            1 => vec![NodeMessage::AudioBufferSource(
                AudioBufferSourceMessage::SetBuffer(Box::new(Some(b2.clone()))),
            )],
            _ => vec![],
        };
        let r = run(&mut p, 4, 1.0, 0.0, &mut msgs);
        assert!(r.out[0][..128].iter().all(|&s| s == 0.0));
        assert_eq!(&r.out[0][128..328], buf.channel(0));
        assert_eq!(r.garbage, 1);
        assert_eq!(r.ended_at, vec![2]);
    }

    #[test]
    fn back_to_back_buffers_neither_overlap_nor_gap() {
        // Start frames computed as (k * len / rate) * rate carry rounding.
        let len = 30usize;
        let sr = 44100.0f64;
        let mut total = vec![0.0f32; 128 * 12];
        for k in 0..50 {
            let when = (k * len) as f64 / sr;
            let at = when * sr;
            let buf = Arc::new(AudioBufferData::new(
                sr as f32,
                vec![vec![1.0; len].into_boxed_slice()],
            ));
            let mut p = with_buffer(buf);
            let ts = TestScope::new(sr as f32);
            for q in 0..12 {
                let scope = ts.scope((q * 128) as u64);
                if q == 0 {
                    p.handle_message(start(at, 0.0, None), &scope);
                }
                let params = [ParamBlock::new(&[1.0]), ParamBlock::new(&[0.0])];
                let mut outs = [AudioBlock::new(1)];
                p.process(
                    ProcessIo {
                        inputs: &[],
                        outputs: &mut outs,
                        params: &params,
                    },
                    &scope,
                );
                for (i, s) in outs[0].channel(0).iter().enumerate() {
                    total[q * 128 + i] += s;
                }
            }
        }
        assert!(total[..1500].iter().all(|&s| s == 1.0));
    }

    /// Renders sources `(start frame, buffer)` at `sample_rate` into one
    /// mixed channel of `length` frames, running each only from its start
    /// quantum until it ends (as the graph would).
    fn mix(sources: Vec<(f64, Arc<AudioBufferData>)>, length: usize, sample_rate: f32) -> Vec<f32> {
        let quanta = length.div_ceil(RENDER_QUANTUM_SIZE);
        let mut mixed = vec![0.0f32; quanta * RENDER_QUANTUM_SIZE];
        let ts = TestScope::new(sample_rate);
        for (at, buffer) in sources {
            let mut p = with_buffer(buffer);
            let first = (at / RENDER_QUANTUM_SIZE as f64) as usize;
            for q in first..quanta {
                let scope = ts.scope((q * RENDER_QUANTUM_SIZE) as u64);
                if q == first {
                    p.handle_message(start(at, 0.0, None), &scope);
                }
                let params = [ParamBlock::new(&[1.0]), ParamBlock::new(&[0.0])];
                let mut outs = [AudioBlock::new(1)];
                let alive = p.process(
                    ProcessIo {
                        inputs: &[],
                        outputs: &mut outs,
                        params: &params,
                    },
                    &scope,
                );
                for (i, s) in outs[0].channel(0).iter().enumerate() {
                    mixed[q * RENDER_QUANTUM_SIZE + i] += s;
                }
                if !alive {
                    break;
                }
            }
        }
        while ts.events.pop().is_some() {}
        mixed.truncate(length);
        mixed
    }

    /// (max abs error, SNR in dB) of `actual` against a sine of `freq` Hz.
    fn against_sine(actual: &[f32], freq: f64, sample_rate: f64) -> (f64, f64) {
        let (mut max_err, mut signal, mut noise) = (0.0f64, 0.0f64, 0.0f64);
        for (k, &a) in actual.iter().enumerate() {
            // The reference is rounded to f32 like the WPT's rendered one.
            let e =
                (2.0 * std::f64::consts::PI * freq * k as f64 / sample_rate).sin() as f32 as f64;
            let d = a as f64 - e;
            max_err = max_err.max(d.abs());
            signal += e * e;
            noise += d * d;
        }
        (max_err, 10.0 * (signal / noise).log10())
    }

    /// WPT sub-sample-buffer-stitching: a 440 Hz sine cut into 30-frame
    /// buffers at `buffer_rate`, each started at `k * 30 / buffer_rate`
    /// seconds, must rebuild the sine (thresholds from that test).
    fn stitch(buffer_rate: f64, max_error: f64, min_snr: f64) {
        let sr = 44100.0f64;
        let len = 30usize;
        let omega = 2.0 * std::f64::consts::PI * 440.0 / buffer_rate;
        let mut sources = Vec::new();
        let mut k = 0;
        while k < 44100 {
            let data: Vec<f32> = (k..k + len)
                .map(|n| (omega * n as f64).sin() as f32)
                .collect();
            let buffer = Arc::new(AudioBufferData::new(
                buffer_rate as f32,
                vec![data.into_boxed_slice()],
            ));
            // The control side sends `when * sampleRate`.
            sources.push(((k as f64 / buffer_rate) * sr, buffer));
            k += len;
        }
        let out = mix(sources, 44100, sr as f32);
        let (err, snr) = against_sine(&out, 440.0, sr);
        assert!(err <= max_error, "max error {err} > {max_error}");
        assert!(snr >= min_snr, "SNR {snr} dB < {min_snr}");
    }

    #[test]
    fn stitched_buffers_same_rate() {
        stitch(44100.0, 9.0957e-5, 85.580);
    }

    #[test]
    fn stitched_buffers_different_rate() {
        stitch(43800.0, 3.8986e-3, 65.737);
    }

    /// WPT buffer-resampling: 30-frame buffers of a 440 Hz sine at 8 kHz,
    /// back to back in a 48 kHz context.
    #[test]
    fn resampled_buffers_rebuild_the_sine() {
        let (sr, br) = (48000.0f64, 8000.0f64);
        let omega = 2.0 * std::f64::consts::PI * 440.0 / br;
        let mut sources = Vec::new();
        let mut when = 0.0f64;
        let mut frame = 0usize;
        for _ in 0..(512 / 30) {
            let data: Vec<f32> = (frame..frame + 30)
                .map(|n| (omega * n as f64).sin() as f32)
                .collect();
            frame += 30;
            let buffer = Arc::new(AudioBufferData::new(
                br as f32,
                vec![data.into_boxed_slice()],
            ));
            sources.push((when * sr, buffer.clone()));
            when += buffer.duration();
        }
        let out = mix(sources, 512, sr as f32);
        let (err, snr) = against_sine(&out, 440.0, sr);
        assert!(err <= 9.0348e-2, "max error {err}");
        assert!(snr >= 37.17, "SNR {snr} dB");
    }

    #[test]
    fn duration_counts_loop_iterations() {
        // A 10-frame loop played for 25 frames of content: 2.5 iterations.
        let mut p = AudioBufferSourceProcessor::new(&AudioBufferSourceOptions {
            buffer: Some(ramp(10, 1, SR)),
            loop_: true,
            ..Default::default()
        });
        let r = run(
            &mut p,
            2,
            1.0,
            0.0,
            &mut once(vec![start(0.0, 0.0, Some(25.0 / SR as f64))]),
        );
        for k in 0..25 {
            assert_eq!(r.out[0][k], (k % 10 + 1) as f32);
        }
        assert!(r.out[0][25..].iter().all(|&s| s == 0.0));
        assert_eq!(r.ended_at, vec![0]);
        // At rate 2 the same content lasts half as long.
        let mut p = AudioBufferSourceProcessor::new(&AudioBufferSourceOptions {
            buffer: Some(ramp(10, 1, SR)),
            loop_: true,
            ..Default::default()
        });
        let r = run(
            &mut p,
            1,
            2.0,
            0.0,
            &mut once(vec![start(0.0, 0.0, Some(25.0 / SR as f64))]),
        );
        assert!(r.out[0][..13].iter().all(|&s| s != 0.0));
        assert!(r.out[0][13..].iter().all(|&s| s == 0.0));
    }

    #[test]
    fn zero_rate_holds_the_start_sample() {
        let buf = ramp(100, 1, SR);
        let mut p = with_buffer(buf);
        let r = run(&mut p, 2, 0.0, 0.0, &mut once(vec![start(27.3, 0.0, None)]));
        assert!(r.out[0][..28].iter().all(|&s| s == 0.0));
        assert!(r.out[0][28..].iter().all(|&s| s == 1.0));
        assert!(r.ended_at.is_empty());
    }

    #[test]
    fn rate_change_takes_effect_at_the_quantum() {
        let buf = ramp(1000, 1, SR);
        let mut p = with_buffer(buf);
        let ts = TestScope::new(SR);
        let mut out = Vec::new();
        for (q, rate) in [1.0f32, 0.0, 2.0].into_iter().enumerate() {
            let scope = ts.scope((q * RENDER_QUANTUM_SIZE) as u64);
            if q == 0 {
                p.handle_message(start(0.0, 0.0, None), &scope);
            }
            let (rv, dv) = ([rate], [0.0]);
            let params = [ParamBlock::new(&rv), ParamBlock::new(&dv)];
            let mut outs = [AudioBlock::new(1)];
            p.process(
                ProcessIo {
                    inputs: &[],
                    outputs: &mut outs,
                    params: &params,
                },
                &scope,
            );
            out.extend_from_slice(outs[0].channel(0));
        }
        for k in 0..128 {
            assert_eq!(out[k], (k + 1) as f32);
            assert_eq!(out[128 + k], 129.0);
            assert_eq!(out[256 + k], (129 + 2 * k) as f32);
        }
    }

    #[test]
    fn control_side_checks() {
        assert_eq!(check_set_buffer(false, true), Ok(true));
        assert_eq!(check_set_buffer(true, false), Ok(true));
        assert_eq!(check_set_buffer(false, false), Ok(false));
        assert!(matches!(
            check_set_buffer(true, true),
            Err(NodeError::InvalidState(_))
        ));
        assert!(check_start(false, 0.0, Some(0.0), Some(1.0)).is_ok());
        assert!(matches!(
            check_start(true, 0.0, None, None),
            Err(NodeError::InvalidState(_))
        ));
        assert!(matches!(
            check_start(false, -1.0, None, None),
            Err(NodeError::Range(_))
        ));
        assert!(matches!(
            check_start(false, 0.0, Some(-1.0), None),
            Err(NodeError::Range(_))
        ));
        assert!(matches!(
            check_start(false, 0.0, None, Some(-0.1)),
            Err(NodeError::Range(_))
        ));
        assert!(matches!(
            check_start(false, f64::NAN, None, None),
            Err(NodeError::Type(_))
        ));
        // WebIDL conversion comes first: TypeError even when already started.
        assert!(matches!(
            check_start(true, 0.0, Some(f64::INFINITY), None),
            Err(NodeError::Type(_))
        ));
        assert!(matches!(
            check_start(true, f64::NAN, None, None),
            Err(NodeError::Type(_))
        ));
        assert!(matches!(
            check_loop_point("loopEnd", f64::INFINITY),
            Err(NodeError::Type(_))
        ));
        assert!(matches!(
            check_param_automation_rate("playbackRate", true),
            Err(NodeError::InvalidState(_))
        ));
        assert!(check_param_automation_rate("detune", false).is_ok());
        let d = AudioBufferSourceOptions::default();
        assert!(d.buffer.is_none() && !d.loop_);
        assert_eq!(
            (d.detune, d.playback_rate, d.loop_start, d.loop_end),
            (0.0, 1.0, 0.0, 0.0)
        );
        assert!(d.validate().is_ok());
        assert_eq!(AUDIO_BUFFER_SOURCE_PARAMS[0].0, "playbackRate");
        assert!(!AUDIO_BUFFER_SOURCE_PARAMS[0].4 && !AUDIO_BUFFER_SOURCE_PARAMS[1].4);
    }
}

#[cfg(test)]
mod control_tests {
    use super::*;
    use crate::context::OfflineOptions;

    fn ctx() -> Context {
        Context::new_offline(OfflineOptions {
            number_of_channels: 1,
            length: 512,
            sample_rate: 48000.0,
        })
        .unwrap()
    }

    fn data(values: &[f32]) -> Arc<AudioBufferData> {
        Arc::new(AudioBufferData::new(48000.0, vec![values.into()]))
    }

    #[test]
    fn buffer_is_set_once_and_null_is_always_accepted() {
        let ctx = ctx();
        let n = AudioBufferSourceNode::new(&ctx, Default::default()).unwrap();
        n.set_buffer(None).unwrap();
        n.set_buffer(Some(data(&[1.0]))).unwrap();
        assert!(matches!(
            n.set_buffer(Some(data(&[2.0]))),
            Err(Error::InvalidState(_))
        ));
        n.set_buffer(None).unwrap();
        assert!(n.buffer().is_none());
        assert!(matches!(n.mark_buffer(true), Err(Error::InvalidState(_))));
    }

    #[test]
    fn start_checks_in_the_spec_order() {
        let ctx = ctx();
        let n = AudioBufferSourceNode::new(&ctx, Default::default()).unwrap();
        assert!(matches!(n.stop(0.0), Err(Error::InvalidState(_))));
        assert!(matches!(
            n.start(-1.0, 0.0, None, None),
            Err(Error::Range(_))
        ));
        assert!(matches!(
            n.start(0.0, -1.0, None, None),
            Err(Error::Range(_))
        ));
        assert!(matches!(
            n.start(0.0, 0.0, Some(-1.0), None),
            Err(Error::Range(_))
        ));
        assert!(matches!(
            n.start(0.0, f64::NAN, None, None),
            Err(Error::Type(_))
        ));
        n.start(0.0, 0.0, Some(1.0), None).unwrap();
        // Already started wins over the negative offset.
        assert!(matches!(
            n.start(0.0, -1.0, None, None),
            Err(Error::InvalidState(_))
        ));
        n.stop(0.5).unwrap();
    }

    #[test]
    fn content_given_to_start_plays() {
        let ctx = ctx();
        let n = AudioBufferSourceNode::new(&ctx, Default::default()).unwrap();
        n.mark_buffer(true).unwrap();
        n.node().connect(&ctx.destination(), 0, 0).unwrap();
        n.start(0.0, 0.0, None, Some(data(&[0.5, 0.25]))).unwrap();
        let out = ctx.render_blocking().unwrap();
        assert_eq!(&out[0][..3], &[0.5, 0.25, 0.0]);
        assert!(n.buffer().is_some());
    }

    #[test]
    fn loop_attributes_read_back() {
        let ctx = ctx();
        let n = AudioBufferSourceNode::new(&ctx, Default::default()).unwrap();
        n.set_loop(true);
        n.set_loop_start(0.5).unwrap();
        n.set_loop_end(-3.0).unwrap();
        assert!(n.loop_());
        assert_eq!(n.loop_start(), 0.5);
        assert_eq!(n.loop_end(), -3.0);
        assert!(matches!(n.set_loop_start(f64::NAN), Err(Error::Type(_))));
        assert!(matches!(n.set_loop_end(f64::INFINITY), Err(Error::Type(_))));
        assert_eq!(
            n.playback_rate().automation_rate(),
            crate::param::AutomationRate::KRate
        );
        assert!(
            n.detune()
                .set_automation_rate(crate::param::AutomationRate::ARate)
                .is_err()
        );
    }
}
