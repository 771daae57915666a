//! Engine errors as JS exceptions: each variant names its JS class, so no
//! error is ever recognised by its message.

use webaudio_engine::error::Error;
use webaudio_engine::param::ParamError;

#[derive(Debug, thiserror::Error, deno_error::JsError)]
pub enum WebAudioError {
    #[class("DOMExceptionIndexSizeError")]
    #[error("{0}")]
    IndexSize(String),
    #[class("DOMExceptionInvalidAccessError")]
    #[error("{0}")]
    InvalidAccess(String),
    #[class("DOMExceptionInvalidStateError")]
    #[error("{0}")]
    InvalidState(String),
    #[class("DOMExceptionNotSupportedError")]
    #[error("{0}")]
    NotSupported(String),
    #[class("DOMExceptionEncodingError")]
    #[error("{0}")]
    Encoding(String),
    #[class(range)]
    #[error("{0}")]
    Range(String),
    #[class(type)]
    #[error("{0}")]
    Type(String),
}

impl From<Error> for WebAudioError {
    fn from(e: Error) -> Self {
        match e {
            Error::IndexSize(m) => Self::IndexSize(m),
            Error::InvalidAccess(m) => Self::InvalidAccess(m),
            Error::InvalidState(m) => Self::InvalidState(m),
            Error::NotSupported(m) => Self::NotSupported(m),
            Error::Range(m) => Self::Range(m),
            Error::Type(m) => Self::Type(m),
            Error::Param(p) => p.into(),
        }
    }
}

impl From<ParamError> for WebAudioError {
    fn from(e: ParamError) -> Self {
        match e {
            ParamError::Range(m) => Self::Range(m),
            ParamError::NotSupported(m) => Self::NotSupported(m),
            ParamError::InvalidState(m) => Self::InvalidState(m),
            ParamError::Type(m) => Self::Type(m),
        }
    }
}
