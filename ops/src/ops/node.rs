//! AudioNode, AudioScheduledSourceNode, AudioDestinationNode and the node
//! constructors.

use deno_core::op2;
use webaudio_engine::context::NodeHandle;
use webaudio_engine::mixing::{ChannelCountMode, ChannelInterpretation};
use webaudio_engine::node::analyser::AnalyserNode;
use webaudio_engine::node::audio_buffer_source::AudioBufferSourceNode;
use webaudio_engine::node::biquad_filter::BiquadFilterNode;
use webaudio_engine::node::channel_merger::ChannelMergerNode;
use webaudio_engine::node::channel_splitter::ChannelSplitterNode;
use webaudio_engine::node::constant_source::{ConstantSourceNode, ConstantSourceOptions};
use webaudio_engine::node::convolver::ConvolverNode;
use webaudio_engine::node::delay::DelayNode;
use webaudio_engine::node::dynamics_compressor::DynamicsCompressorNode;
use webaudio_engine::node::gain::{GainNode, GainOptions};
use webaudio_engine::node::iir_filter::IIRFilterNode;
use webaudio_engine::node::oscillator::OscillatorNode;
use webaudio_engine::node::panner::PannerNode;
use webaudio_engine::node::script_processor::ScriptProcessorNode;
use webaudio_engine::node::stereo_panner::StereoPannerNode;
use webaudio_engine::node::waveshaper::WaveShaperNode;

use super::context::ContextResource;
use super::gc_resource;
use super::param::ParamResource;
use crate::error::WebAudioError;

/// The typed control handle behind a JS AudioNode.
pub(crate) enum NodeKind {
    Destination(NodeHandle),
    Gain(GainNode),
    ConstantSource(ConstantSourceNode),
    BiquadFilter(BiquadFilterNode),
    IIRFilter(IIRFilterNode),
    WaveShaper(WaveShaperNode),
    Delay(DelayNode),
    Oscillator(OscillatorNode),
    AudioBufferSource(AudioBufferSourceNode),
    StereoPanner(StereoPannerNode),
    ChannelSplitter(ChannelSplitterNode),
    ChannelMerger(ChannelMergerNode),
    Convolver(ConvolverNode),
    Analyser(AnalyserNode),
    DynamicsCompressor(DynamicsCompressorNode),
    Panner(PannerNode),
    ScriptProcessor(ScriptProcessorNode),
    AudioWorklet(crate::worklet::WorkletNode),
}

pub struct NodeResource {
    pub(crate) kind: NodeKind,
}
gc_resource!(NodeResource, c"AudioNode");

impl NodeResource {
    pub fn destination(node: NodeHandle) -> Self {
        Self {
            kind: NodeKind::Destination(node),
        }
    }

    pub(crate) fn new(kind: NodeKind) -> Self {
        Self { kind }
    }

    pub(crate) fn kind(&self) -> &NodeKind {
        &self.kind
    }

    pub fn handle(&self) -> &NodeHandle {
        match &self.kind {
            NodeKind::Destination(node) => node,
            NodeKind::Gain(n) => n.node(),
            NodeKind::ConstantSource(n) => n.node(),
            NodeKind::BiquadFilter(n) => n.node(),
            NodeKind::IIRFilter(n) => n.node(),
            NodeKind::WaveShaper(n) => n.node(),
            NodeKind::Delay(n) => n.node(),
            NodeKind::Oscillator(n) => n.node(),
            NodeKind::AudioBufferSource(n) => n.node(),
            NodeKind::StereoPanner(n) => n.node(),
            NodeKind::ChannelSplitter(n) => n.node(),
            NodeKind::ChannelMerger(n) => n.node(),
            NodeKind::Convolver(n) => n.node(),
            NodeKind::Analyser(n) => n.node(),
            NodeKind::DynamicsCompressor(n) => n.node(),
            NodeKind::Panner(n) => n.node(),
            NodeKind::ScriptProcessor(n) => n.node(),
            NodeKind::AudioWorklet(n) => n.node(),
        }
    }

    pub(crate) fn script_processor(node: ScriptProcessorNode) -> Self {
        Self {
            kind: NodeKind::ScriptProcessor(node),
        }
    }

    pub(crate) fn as_script_processor(&self) -> Option<&ScriptProcessorNode> {
        match &self.kind {
            NodeKind::ScriptProcessor(n) => Some(n),
            _ => None,
        }
    }
}

fn mode_name(mode: ChannelCountMode) -> &'static str {
    match mode {
        ChannelCountMode::Max => "max",
        ChannelCountMode::ClampedMax => "clamped-max",
        ChannelCountMode::Explicit => "explicit",
    }
}

fn interpretation_name(value: ChannelInterpretation) -> &'static str {
    match value {
        ChannelInterpretation::Speakers => "speakers",
        ChannelInterpretation::Discrete => "discrete",
    }
}

#[op2(fast)]
pub fn op_audio_node_connect(
    #[cppgc] src: &NodeResource,
    #[cppgc] dst: &NodeResource,
    output: u32,
    input: u32,
) -> Result<(), WebAudioError> {
    Ok(src
        .handle()
        .connect(dst.handle(), output as usize, input as usize)?)
}

#[op2(fast)]
pub fn op_audio_node_connect_param(
    #[cppgc] src: &NodeResource,
    #[cppgc] dst: &ParamResource,
    output: u32,
) -> Result<(), WebAudioError> {
    Ok(src.handle().connect_param(&dst.0, output as usize)?)
}

#[op2(fast)]
pub fn op_audio_node_disconnect(#[cppgc] src: &NodeResource) -> Result<(), WebAudioError> {
    Ok(src.handle().disconnect()?)
}

#[op2(fast)]
pub fn op_audio_node_disconnect_output(
    #[cppgc] src: &NodeResource,
    output: u32,
) -> Result<(), WebAudioError> {
    Ok(src.handle().disconnect_output(output as usize)?)
}

#[op2(fast)]
pub fn op_audio_node_disconnect_node(
    #[cppgc] src: &NodeResource,
    #[cppgc] dst: &NodeResource,
) -> Result<(), WebAudioError> {
    Ok(src.handle().disconnect_node(dst.handle())?)
}

#[op2(fast)]
pub fn op_audio_node_disconnect_node_output(
    #[cppgc] src: &NodeResource,
    #[cppgc] dst: &NodeResource,
    output: u32,
) -> Result<(), WebAudioError> {
    Ok(src
        .handle()
        .disconnect_node_output(dst.handle(), output as usize)?)
}

#[op2(fast)]
pub fn op_audio_node_disconnect_node_output_input(
    #[cppgc] src: &NodeResource,
    #[cppgc] dst: &NodeResource,
    output: u32,
    input: u32,
) -> Result<(), WebAudioError> {
    Ok(src
        .handle()
        .disconnect_node_output_input(dst.handle(), output as usize, input as usize)?)
}

#[op2(fast)]
pub fn op_audio_node_disconnect_param(
    #[cppgc] src: &NodeResource,
    #[cppgc] dst: &ParamResource,
) -> Result<(), WebAudioError> {
    Ok(src.handle().disconnect_param(&dst.0)?)
}

#[op2(fast)]
pub fn op_audio_node_disconnect_param_output(
    #[cppgc] src: &NodeResource,
    #[cppgc] dst: &ParamResource,
    output: u32,
) -> Result<(), WebAudioError> {
    Ok(src
        .handle()
        .disconnect_param_output(&dst.0, output as usize)?)
}

/// `[channelCount, channelCountMode, channelInterpretation]`.
#[op2]
#[serde]
pub fn op_audio_node_channel_config(
    #[cppgc] node: &NodeResource,
) -> (u32, &'static str, &'static str) {
    let config = node.handle().channel_config();
    (
        config.count as u32,
        mode_name(config.mode),
        interpretation_name(config.interpretation),
    )
}

#[op2(fast)]
pub fn op_audio_node_set_channel_count(
    #[cppgc] node: &NodeResource,
    count: u32,
) -> Result<(), WebAudioError> {
    Ok(node.handle().set_channel_count(count as usize)?)
}

#[op2(fast)]
pub fn op_audio_node_set_channel_count_mode(
    #[cppgc] node: &NodeResource,
    #[string] mode: &str,
) -> Result<(), WebAudioError> {
    let mode = match mode {
        "max" => ChannelCountMode::Max,
        "clamped-max" => ChannelCountMode::ClampedMax,
        "explicit" => ChannelCountMode::Explicit,
        other => {
            return Err(WebAudioError::Type(format!(
                "invalid channelCountMode '{other}'"
            )));
        }
    };
    Ok(node.handle().set_channel_count_mode(mode)?)
}

#[op2(fast)]
pub fn op_audio_node_set_channel_interpretation(
    #[cppgc] node: &NodeResource,
    #[string] value: &str,
) -> Result<(), WebAudioError> {
    let value = match value {
        "speakers" => ChannelInterpretation::Speakers,
        "discrete" => ChannelInterpretation::Discrete,
        other => {
            return Err(WebAudioError::Type(format!(
                "invalid channelInterpretation '{other}'"
            )));
        }
    };
    Ok(node.handle().set_channel_interpretation(value)?)
}

#[op2(fast)]
pub fn op_audio_node_number_of_inputs(#[cppgc] node: &NodeResource) -> u32 {
    node.handle().number_of_inputs() as u32
}

#[op2(fast)]
pub fn op_audio_node_number_of_outputs(#[cppgc] node: &NodeResource) -> u32 {
    node.handle().number_of_outputs() as u32
}

/// The id engine events (`ended`) carry for this node.
#[op2(fast)]
pub fn op_audio_node_id(#[cppgc] node: &NodeResource) -> u32 {
    node.handle().id().0
}

#[op2]
#[cppgc]
pub fn op_audio_node_param(
    #[cppgc] node: &NodeResource,
    index: u32,
) -> Result<ParamResource, WebAudioError> {
    let handle = node.handle();
    if index as usize >= handle.number_of_params() {
        return Err(WebAudioError::IndexSize(format!(
            "the node has no AudioParam {index}"
        )));
    }
    Ok(ParamResource(handle.param(index as usize)))
}

fn not_a_source() -> WebAudioError {
    WebAudioError::Type("Illegal invocation: not an AudioScheduledSourceNode".into())
}

#[op2(fast)]
pub fn op_audio_scheduled_source_node_start(
    #[cppgc] node: &NodeResource,
    when: f64,
) -> Result<(), WebAudioError> {
    match &node.kind {
        NodeKind::ConstantSource(n) => Ok(n.start(when)?),
        NodeKind::Oscillator(n) => Ok(n.start(when)?),
        NodeKind::AudioBufferSource(n) => Ok(n.start(when, 0.0, None, None)?),
        _ => Err(not_a_source()),
    }
}

#[op2(fast)]
pub fn op_audio_scheduled_source_node_stop(
    #[cppgc] node: &NodeResource,
    when: f64,
) -> Result<(), WebAudioError> {
    match &node.kind {
        NodeKind::ConstantSource(n) => Ok(n.stop(when)?),
        NodeKind::Oscillator(n) => Ok(n.stop(when)?),
        NodeKind::AudioBufferSource(n) => Ok(n.stop(when)?),
        _ => Err(not_a_source()),
    }
}

#[op2(fast)]
pub fn op_audio_destination_node_max_channel_count(#[cppgc] node: &NodeResource) -> u32 {
    node.handle().context().max_channel_count() as u32
}

#[op2]
#[cppgc]
pub fn op_gain_node_new(
    #[cppgc] ctx: &ContextResource,
    gain: f32,
) -> Result<NodeResource, WebAudioError> {
    let node = GainNode::new(
        &ctx.ctx,
        GainOptions {
            gain,
            ..Default::default()
        },
    )?;
    Ok(NodeResource {
        kind: NodeKind::Gain(node),
    })
}

#[op2]
#[cppgc]
pub fn op_constant_source_node_new(
    #[cppgc] ctx: &ContextResource,
    offset: f32,
) -> Result<NodeResource, WebAudioError> {
    let node = ConstantSourceNode::new(&ctx.ctx, ConstantSourceOptions { offset })?;
    Ok(NodeResource {
        kind: NodeKind::ConstantSource(node),
    })
}
