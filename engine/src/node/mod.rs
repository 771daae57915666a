//! One file per node: options, control-side handle, render-side processor and
//! tests together.

pub mod analyser;
pub mod audio_buffer_source;
pub mod audio_listener;
pub mod biquad_filter;
pub mod channel_merger;
pub mod channel_splitter;
pub mod constant_source;
pub mod convolver;
pub mod delay;
pub mod destination;
pub mod dynamics_compressor;
pub mod gain;
pub mod iir_filter;
pub mod oscillator;
pub mod panner;
pub mod periodic_wave;
pub mod scheduled_source;
pub mod script_processor;
pub mod stereo_panner;
pub mod waveshaper;

/// The exceptions the spec names for node constructors, attributes and
/// methods. The ops layer maps each variant onto the DOMException (or
/// TypeError / RangeError) of the same name; the message is for humans.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NodeError {
    #[error("IndexSizeError: {0}")]
    IndexSize(String),
    #[error("InvalidStateError: {0}")]
    InvalidState(String),
    #[error("NotSupportedError: {0}")]
    NotSupported(String),
    #[error("RangeError: {0}")]
    Range(String),
    #[error("InvalidAccessError: {0}")]
    InvalidAccess(String),
    #[error("TypeError: {0}")]
    Type(String),
}

impl From<NodeError> for crate::error::Error {
    fn from(e: NodeError) -> Self {
        match e {
            NodeError::IndexSize(m) => Self::IndexSize(m),
            NodeError::InvalidState(m) => Self::InvalidState(m),
            NodeError::NotSupported(m) => Self::NotSupported(m),
            NodeError::Range(m) => Self::Range(m),
            NodeError::InvalidAccess(m) => Self::InvalidAccess(m),
            NodeError::Type(m) => Self::Type(m),
        }
    }
}

/// A `ParamDescriptor` from the `(name, default, min, max, a-rate)` tables
/// the node files declare; `rate_fixed` for params whose automation rate
/// cannot change (AudioBufferSourceNode).
pub(crate) fn param_from_table(
    (name, default_value, min_value, max_value, a_rate): (&'static str, f32, f32, f32, bool),
    rate_fixed: bool,
) -> crate::param::ParamDescriptor {
    crate::param::ParamDescriptor {
        name,
        default_value,
        min_value,
        max_value,
        automation_rate: if a_rate {
            crate::param::AutomationRate::ARate
        } else {
            crate::param::AutomationRate::KRate
        },
        rate_fixed,
    }
}

/// Start-of-quantum care for a recursive filter (biquad, IIR): the number of
/// channels to render, or `None` when the input is silent and no tail rings
/// (the output is then made silent). While only the tail sounds, the
/// channel count it rings in is kept; state of channels that are no longer
/// rendered is cleared.
pub(crate) fn filter_channels<S: Default + Copy>(
    input: &crate::block::AudioBlock,
    output: &mut crate::block::AudioBlock,
    state: &mut [S],
    ringing_channels: usize,
) -> Option<usize> {
    let in_channels = input.number_of_channels();
    if input.is_silent() && ringing_channels == 0 {
        output.make_silent_with_channels(in_channels);
        return None;
    }
    let channels = if input.is_silent() {
        in_channels.max(ringing_channels)
    } else {
        in_channels
    };
    for s in &mut state[channels..ringing_channels.max(channels)] {
        *s = S::default();
    }
    output.set_number_of_channels(channels);
    Some(channels)
}

/// End-of-quantum care for a recursive filter's state (biquad, IIR): values
/// below `denormal_threshold` are flushed to zero, and the result tells
/// whether all values are finite and the largest magnitude (infinite when a
/// value is NaN, so an unstable filter keeps ringing: the spec lets NaN show
/// in the output rather than hiding it).
pub(crate) fn settle_filter_state(state: &mut [f64], denormal_threshold: f64) -> (f64, bool) {
    let mut peak = 0.0f64;
    let mut finite = true;
    for v in state.iter_mut() {
        if v.abs() < denormal_threshold {
            *v = 0.0;
        }
        finite &= v.is_finite();
        peak = if v.is_nan() {
            f64::INFINITY
        } else {
            peak.max(v.abs())
        };
    }
    (peak, finite)
}

/// `AudioScheduledSourceNode.start(when)` checks, in the order a browser
/// raises them: a non-finite `when` is a TypeError from WebIDL's `double`
/// conversion (before the method runs); then `[[source started]]` already
/// true => InvalidStateError; then a negative `when` => RangeError.
pub fn check_scheduled_start(source_started: bool, when: f64) -> Result<(), NodeError> {
    check_finite("start", "when", when)?;
    if source_started {
        return Err(NodeError::InvalidState(
            "start() has already been called on this node".into(),
        ));
    }
    check_non_negative("start", "when", when)
}

/// `AudioScheduledSourceNode.stop(when)` checks: non-finite `when` =>
/// TypeError; `[[source started]]` false => InvalidStateError; a negative
/// `when` => RangeError.
pub fn check_scheduled_stop(source_started: bool, when: f64) -> Result<(), NodeError> {
    check_finite("stop", "when", when)?;
    if !source_started {
        return Err(NodeError::InvalidState(
            "stop() called before start()".into(),
        ));
    }
    check_non_negative("stop", "when", when)
}

/// WebIDL `double` (not `unrestricted double`): NaN and infinities are a
/// TypeError.
pub(crate) fn check_finite(method: &str, name: &str, value: f64) -> Result<(), NodeError> {
    if !value.is_finite() {
        return Err(NodeError::Type(format!(
            "{method}(): {name} ({value}) is not a finite number"
        )));
    }
    Ok(())
}

/// A time argument the spec requires to be non-negative (RangeError).
pub(crate) fn check_non_negative(method: &str, name: &str, value: f64) -> Result<(), NodeError> {
    if value < 0.0 {
        return Err(NodeError::Range(format!(
            "{method}(): {name} ({value}) must not be negative"
        )));
    }
    Ok(())
}

/// The channelCount constraint shared by ConvolverNode,
/// DynamicsCompressorNode, PannerNode and StereoPannerNode: at most two
/// channels (the general 1..=MAX_CHANNELS rule is the graph's business).
pub fn check_channel_count_at_most_two(node: &str, channel_count: u32) -> Result<(), NodeError> {
    if channel_count > 2 {
        return Err(NodeError::NotSupported(format!(
            "{node}: channelCount {channel_count} is greater than 2"
        )));
    }
    Ok(())
}

/// The channelCountMode constraint shared by the same nodes: "max" is refused.
pub fn check_channel_count_mode_not_max(node: &str, mode_is_max: bool) -> Result<(), NodeError> {
    if mode_is_max {
        return Err(NodeError::NotSupported(format!(
            "{node}: channelCountMode cannot be \"max\""
        )));
    }
    Ok(())
}

/// `ChannelConstraints` of the nodes whose channelCount is at most two and
/// whose channelCountMode cannot be "max" (ConvolverNode,
/// DynamicsCompressorNode, PannerNode): both throw NotSupportedError.
pub fn at_most_two_not_max() -> crate::context::ChannelConstraints {
    use crate::context::{ChannelConstraints, CountRule, ModeRule};
    use crate::error::ErrorKind;
    ChannelConstraints {
        count: CountRule::Range {
            max: 2,
            error: ErrorKind::NotSupported,
        },
        mode: ModeRule::NotMax {
            error: ErrorKind::NotSupported,
        },
        interpretation_fixed: None,
    }
}

/// Test support: counts heap operations made by the current thread, so tests
/// can check the render path never allocates or frees.
#[cfg(test)]
pub(crate) mod alloc_count {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    thread_local! {
        // Const-initialised: touching them never allocates.
        static ARMED: Cell<bool> = const { Cell::new(false) };
        static COUNT: Cell<usize> = const { Cell::new(0) };
    }

    fn note() {
        let _ = ARMED.try_with(|armed| {
            if armed.get() {
                let _ = COUNT.try_with(|c| c.set(c.get() + 1));
            }
        });
    }

    struct Counting;

    // SAFETY: forwards every call unchanged to the system allocator.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            note();
            unsafe { System.alloc(layout) }
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            note();
            unsafe { System.alloc_zeroed(layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            note();
            unsafe { System.realloc(ptr, layout, new_size) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            note();
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    #[global_allocator]
    static GLOBAL: Counting = Counting;

    /// Runs `f`, returning its result and the number of allocations,
    /// reallocations and frees this thread made meanwhile.
    pub(crate) fn count<R>(f: impl FnOnce() -> R) -> (R, usize) {
        COUNT.with(|c| c.set(0));
        ARMED.with(|a| a.set(true));
        let r = f();
        ARMED.with(|a| a.set(false));
        (r, COUNT.with(|c| c.get()))
    }

    #[test]
    fn counts_this_threads_heap_operations() {
        let (v, n) = count(|| Vec::<u8>::with_capacity(16));
        assert_eq!(n, 1);
        let ((), n) = count(move || drop(v));
        assert_eq!(n, 1);
        let ((), n) = count(|| ());
        assert_eq!(n, 0);
    }
}
