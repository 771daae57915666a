//! One file per node: options, control-side handle, render-side processor and
//! tests together.

pub mod audio_buffer_source;
pub mod channel_merger;
pub mod channel_splitter;
pub mod oscillator;
pub mod periodic_wave;
pub mod stereo_panner;

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
