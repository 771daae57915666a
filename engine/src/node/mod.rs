//! One file per node: options, control-side handle, render-side processor and
//! tests together.

pub mod biquad_filter;
pub mod iir_filter;
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
