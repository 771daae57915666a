//! Typed errors of the control API. Each variant is one DOMException (or JS
//! error) type of the spec; the message is for humans.

use crate::param::ParamError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    #[error("IndexSizeError: {0}")]
    IndexSize(String),
    #[error("InvalidAccessError: {0}")]
    InvalidAccess(String),
    #[error("InvalidStateError: {0}")]
    InvalidState(String),
    #[error("NotSupportedError: {0}")]
    NotSupported(String),
    #[error("RangeError: {0}")]
    Range(String),
    #[error("TypeError: {0}")]
    Type(String),
    /// An AudioParam automation call failed (its own typed error).
    #[error(transparent)]
    Param(#[from] ParamError),
}

/// The kind of an [`Error`], for rules that say which exception a check
/// throws (e.g. per-node channel constraints).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    IndexSize,
    InvalidAccess,
    InvalidState,
    NotSupported,
    Range,
    Type,
}

impl ErrorKind {
    pub fn error(self, message: impl Into<String>) -> Error {
        let m = message.into();
        match self {
            Self::IndexSize => Error::IndexSize(m),
            Self::InvalidAccess => Error::InvalidAccess(m),
            Self::InvalidState => Error::InvalidState(m),
            Self::NotSupported => Error::NotSupported(m),
            Self::Range => Error::Range(m),
            Self::Type => Error::Type(m),
        }
    }
}
