//! Typed messages crossing from the control thread to the render thread, and
//! events coming back.
//!
//! Everything a message carries is allocated before it is sent. When a
//! processor replaces a payload it hands the old one to
//! [`crate::processor::RenderScope::discard`], never drops it.

/// Identifies a node in one context's render graph. Ids are reused after a
/// node is freed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

/// A per-node message, delivered to [`crate::processor::Processor::handle_message`]
/// at the start of the quantum in which it is drained.
///
/// Times are already converted to frames (possibly fractional: `t * sampleRate`)
/// where the message was made.
#[derive(Debug)]
pub enum NodeMessage {
    /// `AudioScheduledSourceNode.start()`. `offset` and `duration` are in
    /// seconds and only meaningful to `AudioBufferSourceNode`.
    Start {
        at_frame: f64,
        offset: f64,
        duration: Option<f64>,
    },
    /// `AudioScheduledSourceNode.stop()`.
    Stop { at_frame: f64 },
    /// ConvolverNode: a new impulse-response kernel.
    Convolver(crate::node::convolver::ConvolverMessage),
    /// PannerNode: attribute changes and the HRTF renderer.
    Panner(crate::node::panner::PannerMessage),
}

/// Something the render thread reports to the control thread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EngineEvent {
    /// A scheduled source finished playing (fire `ended`).
    Ended(NodeId),
    /// A processor failed; the node now outputs silence (fire `processorerror`).
    ProcessorError(NodeId),
}
