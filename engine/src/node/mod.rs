//! One file per node: options, control-side handle, render-side processor and
//! tests together.

pub mod analyser;
pub mod convolver;
pub mod dynamics_compressor;
pub mod listener;
pub mod panner;

/// The DOMException (or JS error) a node's control-side check raises. The
/// string is the message shown to script.
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
