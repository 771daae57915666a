//! AudioNode, AudioScheduledSourceNode, AudioDestinationNode and the node
//! constructors.

use std::cell::RefCell;
use std::rc::Rc;

use deno_core::{OpState, op2, v8};
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
use crate::error::WebAudioError;
use crate::handles::{CLONE_BYTES, Handle, create, handles};

/// Native memory of a node besides its params (see `native_bytes`).
const NODE_BYTES: usize = 4 << 10;
/// Native memory of one AudioParam (timeline, render slot).
const PARAM_BYTES: usize = 2 << 10;

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

    /// The native memory the engine holds for the node, for the GC
    /// pressure estimate: the render node, its blocks and params, and what
    /// its kind adds (delay lines; buffers are counted when set).
    pub(crate) fn native_bytes(&self) -> usize {
        let handle = self.handle();
        let base = NODE_BYTES + PARAM_BYTES * handle.number_of_params();
        let extra = match &self.kind {
            NodeKind::Delay(_) => {
                let max_delay = handle.param(0).max_value() as f64;
                (max_delay * handle.context().sample_rate() as f64) as usize * 4
            }
            NodeKind::ScriptProcessor(n) => {
                n.buffer_size() * (n.input_channels() + n.output_channels()) * 4 * 4
            }
            NodeKind::Analyser(_) | NodeKind::Convolver(_) | NodeKind::Panner(_) => 64 << 10,
            _ => 0,
        };
        base + extra
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
    state: &OpState,
    #[smi] src: u32,
    #[smi] dst: u32,
    output: u32,
    input: u32,
) -> Result<(), WebAudioError> {
    let table = handles(state);
    let src = table.node(src)?;
    let dst = table.node(dst)?;
    Ok(src
        .handle()
        .connect(dst.handle(), output as usize, input as usize)?)
}

#[op2(fast)]
pub fn op_audio_node_connect_param(
    state: &OpState,
    #[smi] src: u32,
    #[smi] dst: u32,
    output: u32,
) -> Result<(), WebAudioError> {
    let table = handles(state);
    let src = table.node(src)?;
    let dst = table.param(dst)?;
    Ok(src.handle().connect_param(dst, output as usize)?)
}

#[op2(fast)]
pub fn op_audio_node_disconnect(state: &OpState, #[smi] src: u32) -> Result<(), WebAudioError> {
    let src = handles(state).node(src)?;
    Ok(src.handle().disconnect()?)
}

#[op2(fast)]
pub fn op_audio_node_disconnect_output(
    state: &OpState,
    #[smi] src: u32,
    output: u32,
) -> Result<(), WebAudioError> {
    let src = handles(state).node(src)?;
    Ok(src.handle().disconnect_output(output as usize)?)
}

#[op2(fast)]
pub fn op_audio_node_disconnect_node(
    state: &OpState,
    #[smi] src: u32,
    #[smi] dst: u32,
) -> Result<(), WebAudioError> {
    let table = handles(state);
    let src = table.node(src)?;
    let dst = table.node(dst)?;
    Ok(src.handle().disconnect_node(dst.handle())?)
}

#[op2(fast)]
pub fn op_audio_node_disconnect_node_output(
    state: &OpState,
    #[smi] src: u32,
    #[smi] dst: u32,
    output: u32,
) -> Result<(), WebAudioError> {
    let table = handles(state);
    let src = table.node(src)?;
    let dst = table.node(dst)?;
    Ok(src
        .handle()
        .disconnect_node_output(dst.handle(), output as usize)?)
}

#[op2(fast)]
pub fn op_audio_node_disconnect_node_output_input(
    state: &OpState,
    #[smi] src: u32,
    #[smi] dst: u32,
    output: u32,
    input: u32,
) -> Result<(), WebAudioError> {
    let table = handles(state);
    let src = table.node(src)?;
    let dst = table.node(dst)?;
    Ok(src
        .handle()
        .disconnect_node_output_input(dst.handle(), output as usize, input as usize)?)
}

#[op2(fast)]
pub fn op_audio_node_disconnect_param(
    state: &OpState,
    #[smi] src: u32,
    #[smi] dst: u32,
) -> Result<(), WebAudioError> {
    let table = handles(state);
    let src = table.node(src)?;
    let dst = table.param(dst)?;
    Ok(src.handle().disconnect_param(dst)?)
}

#[op2(fast)]
pub fn op_audio_node_disconnect_param_output(
    state: &OpState,
    #[smi] src: u32,
    #[smi] dst: u32,
    output: u32,
) -> Result<(), WebAudioError> {
    let table = handles(state);
    let src = table.node(src)?;
    let dst = table.param(dst)?;
    Ok(src.handle().disconnect_param_output(dst, output as usize)?)
}

/// `[channelCount, channelCountMode, channelInterpretation]`.
#[op2]
#[serde]
pub fn op_audio_node_channel_config(
    state: &OpState,
    #[smi] node: u32,
) -> Result<(u32, &'static str, &'static str), WebAudioError> {
    let config = handles(state).node(node)?.handle().channel_config();
    Ok((
        config.count as u32,
        mode_name(config.mode),
        interpretation_name(config.interpretation),
    ))
}

#[op2(fast)]
pub fn op_audio_node_set_channel_count(
    state: &OpState,
    #[smi] node: u32,
    count: u32,
) -> Result<(), WebAudioError> {
    let node = handles(state).node(node)?;
    Ok(node.handle().set_channel_count(count as usize)?)
}

#[op2(fast)]
pub fn op_audio_node_set_channel_count_mode(
    state: &OpState,
    #[smi] node: u32,
    #[string] mode: &str,
) -> Result<(), WebAudioError> {
    let node = handles(state).node(node)?;
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
    state: &OpState,
    #[smi] node: u32,
    #[string] value: &str,
) -> Result<(), WebAudioError> {
    let node = handles(state).node(node)?;
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
pub fn op_audio_node_number_of_inputs(
    state: &OpState,
    #[smi] node: u32,
) -> Result<u32, WebAudioError> {
    Ok(handles(state).node(node)?.handle().number_of_inputs() as u32)
}

#[op2(fast)]
pub fn op_audio_node_number_of_outputs(
    state: &OpState,
    #[smi] node: u32,
) -> Result<u32, WebAudioError> {
    Ok(handles(state).node(node)?.handle().number_of_outputs() as u32)
}

/// The id engine events (`ended`) carry for this node.
#[op2(fast)]
pub fn op_audio_node_id(state: &OpState, #[smi] node: u32) -> Result<u32, WebAudioError> {
    Ok(handles(state).node(node)?.handle().id().0)
}

/// A new handle on the node's `index`th AudioParam, for its JS wrapper. The
/// param's handle keeps the engine node alive, so the wrapper needs no
/// reference back to the JS node.
#[op2(nofast)]
#[smi]
pub fn op_audio_node_param(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    #[smi] node: u32,
    index: u32,
) -> Result<u32, WebAudioError> {
    create(&state, isolate, |table| {
        let handle = table.node(node)?.handle();
        if index as usize >= handle.number_of_params() {
            return Err(WebAudioError::IndexSize(format!(
                "the node has no AudioParam {index}"
            )));
        }
        Ok((Handle::Param(handle.param(index as usize)), CLONE_BYTES))
    })
}

fn not_a_source() -> WebAudioError {
    WebAudioError::Type("Illegal invocation: not an AudioScheduledSourceNode".into())
}

#[op2(fast)]
pub fn op_audio_scheduled_source_node_start(
    state: &OpState,
    #[smi] node: u32,
    when: f64,
) -> Result<(), WebAudioError> {
    let node = handles(state).node(node)?;
    match &node.kind {
        NodeKind::ConstantSource(n) => Ok(n.start(when)?),
        NodeKind::Oscillator(n) => Ok(n.start(when)?),
        NodeKind::AudioBufferSource(n) => Ok(n.start(when, 0.0, None, None)?),
        _ => Err(not_a_source()),
    }
}

#[op2(fast)]
pub fn op_audio_scheduled_source_node_stop(
    state: &OpState,
    #[smi] node: u32,
    when: f64,
) -> Result<(), WebAudioError> {
    let node = handles(state).node(node)?;
    match &node.kind {
        NodeKind::ConstantSource(n) => Ok(n.stop(when)?),
        NodeKind::Oscillator(n) => Ok(n.stop(when)?),
        NodeKind::AudioBufferSource(n) => Ok(n.stop(when)?),
        _ => Err(not_a_source()),
    }
}

#[op2(fast)]
pub fn op_audio_destination_node_max_channel_count(
    state: &OpState,
    #[smi] node: u32,
) -> Result<u32, WebAudioError> {
    Ok(handles(state)
        .node(node)?
        .handle()
        .context()
        .max_channel_count() as u32)
}

#[op2(nofast)]
#[smi]
pub fn op_gain_node_new(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    #[smi] ctx: u32,
    gain: f32,
) -> Result<u32, WebAudioError> {
    create_node(&state, isolate, ctx, |ctx| {
        let node = GainNode::new(
            &ctx.ctx,
            GainOptions {
                gain,
                ..Default::default()
            },
        )?;
        Ok(NodeKind::Gain(node))
    })
}

#[op2(nofast)]
#[smi]
pub fn op_constant_source_node_new(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    #[smi] ctx: u32,
    offset: f32,
) -> Result<u32, WebAudioError> {
    create_node(&state, isolate, ctx, |ctx| {
        let node = ConstantSourceNode::new(&ctx.ctx, ConstantSourceOptions { offset })?;
        Ok(NodeKind::ConstantSource(node))
    })
}

/// Adds the node `make` builds in context `ctx` to the handle table and
/// returns its id.
pub(crate) fn create_node(
    state: &Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    ctx: u32,
    make: impl FnOnce(&ContextResource) -> Result<NodeKind, WebAudioError>,
) -> Result<u32, WebAudioError> {
    create(state, isolate, |table| {
        let node = NodeResource::new(make(table.context(ctx)?)?);
        let bytes = node.native_bytes();
        Ok((Handle::Node(node), bytes))
    })
}
