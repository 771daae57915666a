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
    Stop {
        at_frame: f64,
    },
    /// DelayNode (both halves).
    Delay(crate::node::delay::DelayMessage),
    BiquadFilter(crate::node::biquad_filter::BiquadFilterMessage),
    WaveShaper(crate::node::waveshaper::WaveShaperMessage),
    /// OscillatorNode wave changes.
    Oscillator(crate::node::oscillator::OscillatorMessage),
    /// AudioBufferSourceNode buffer and loop attribute changes.
    AudioBufferSource(crate::node::audio_buffer_source::AudioBufferSourceMessage),
    /// ConvolverNode: a new impulse-response kernel.
    Convolver(crate::node::convolver::ConvolverMessage),
    /// PannerNode: attribute changes and the HRTF renderer.
    Panner(crate::node::panner::PannerMessage),
}

impl NodeMessage {
    /// Hands the message's heap parts to `discard` (a message for a node
    /// the render side let go of must not be freed on the render thread).
    pub(crate) fn discard(self, discard: &mut dyn FnMut(crate::queues::Trash)) {
        use crate::node::audio_buffer_source::AudioBufferSourceMessage;
        use crate::node::convolver::ConvolverMessage;
        use crate::node::oscillator::OscillatorMessage;
        use crate::node::panner::PannerMessage;
        use crate::node::waveshaper::WaveShaperMessage;
        match self {
            NodeMessage::WaveShaper(WaveShaperMessage::SetCurve(b)) => discard(b),
            NodeMessage::Oscillator(OscillatorMessage::SetWave(b)) => discard(b),
            NodeMessage::AudioBufferSource(AudioBufferSourceMessage::SetBuffer(b)) => discard(b),
            NodeMessage::Convolver(ConvolverMessage::SetKernel(Some(b))) => discard(b),
            NodeMessage::Panner(PannerMessage::SetHrtf(b)) => discard(b),
            // Listed one by one so that a new variant has to be looked at.
            NodeMessage::Start { .. }
            | NodeMessage::Stop { .. }
            | NodeMessage::Delay(_)
            | NodeMessage::BiquadFilter(_)
            | NodeMessage::WaveShaper(WaveShaperMessage::SetOversample(_))
            | NodeMessage::AudioBufferSource(
                AudioBufferSourceMessage::SetLoop(_)
                | AudioBufferSourceMessage::SetLoopStart(_)
                | AudioBufferSourceMessage::SetLoopEnd(_),
            )
            | NodeMessage::Convolver(ConvolverMessage::SetKernel(None))
            | NodeMessage::Panner(
                PannerMessage::SetPanningModel(_)
                | PannerMessage::SetDistanceModel(_)
                | PannerMessage::SetRefDistance(_)
                | PannerMessage::SetMaxDistance(_)
                | PannerMessage::SetRolloffFactor(_)
                | PannerMessage::SetConeInnerAngle(_)
                | PannerMessage::SetConeOuterAngle(_)
                | PannerMessage::SetConeOuterGain(_),
            ) => {}
        }
    }
}

/// Something the render thread reports to the control thread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EngineEvent {
    /// A scheduled source finished playing (fire `ended`).
    Ended(NodeId),
    /// A processor failed; the node now outputs silence (fire `processorerror`).
    ProcessorError(NodeId),
    /// A processor that is constructed on the render thread (an
    /// AudioWorkletProcessor) was constructed without error.
    ProcessorReady(NodeId),
    /// The render thread switched state (suspend/resume/close, offline start
    /// and completion). The control side's `state` follows when read.
    StateChange(crate::render::ContextState),
    /// An offline context reached a `suspend(time)` point at `frame`.
    Suspended { frame: u64 },
    /// An offline context finished; take the result with
    /// `Context::take_rendered`.
    RenderComplete,
    /// A BiquadFilterNode's or IIRFilterNode's state stopped being finite
    /// (an unstable filter). Sent once per node; the spec lets the UA warn.
    FilterStateNotFinite(NodeId),
    /// A ScriptProcessorNode filled a block for script (fire `audioprocess`;
    /// take it with `ScriptProcessorNode::take_input`).
    AudioProcess(NodeId),
}
