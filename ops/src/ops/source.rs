//! OscillatorNode, PeriodicWave and AudioBufferSourceNode. start()/stop()
//! without extra arguments go through the AudioScheduledSourceNode ops in
//! `node.rs`.

use std::cell::RefCell;
use std::sync::Arc;

use deno_core::op2;
use webaudio_engine::buffer::AudioBufferData;
use webaudio_engine::node::audio_buffer_source::{AudioBufferSourceNode, AudioBufferSourceOptions};
use webaudio_engine::node::oscillator::{OscillatorNode, OscillatorOptions, OscillatorType};
use webaudio_engine::node::periodic_wave::{PeriodicWave, PeriodicWaveOptions};

use super::context::ContextResource;
use super::gc_resource;
use super::node::{NodeKind, NodeResource};
use crate::error::WebAudioError;

/// A PeriodicWave: immutable once made, shared by the oscillators it is set
/// on (its tables are built once).
pub struct PeriodicWaveResource(Arc<PeriodicWave>);
gc_resource!(PeriodicWaveResource, c"PeriodicWave");

/// Audio data acquired from a JS AudioBuffer, channel by channel, before it
/// is handed to a source node.
pub struct BufferDataResource {
    sample_rate: f32,
    length: usize,
    channels: RefCell<Vec<Box<[f32]>>>,
}
gc_resource!(BufferDataResource, c"AudioBufferData");

fn oscillator_type(name: &str) -> Result<OscillatorType, WebAudioError> {
    Ok(match name {
        "sine" => OscillatorType::Sine,
        "square" => OscillatorType::Square,
        "sawtooth" => OscillatorType::Sawtooth,
        "triangle" => OscillatorType::Triangle,
        "custom" => OscillatorType::Custom,
        other => {
            return Err(WebAudioError::Type(format!(
                "invalid OscillatorType '{other}'"
            )));
        }
    })
}

fn oscillator_type_name(t: OscillatorType) -> &'static str {
    match t {
        OscillatorType::Sine => "sine",
        OscillatorType::Square => "square",
        OscillatorType::Sawtooth => "sawtooth",
        OscillatorType::Triangle => "triangle",
        OscillatorType::Custom => "custom",
    }
}

fn not_an_oscillator() -> WebAudioError {
    WebAudioError::Type("Illegal invocation: not an OscillatorNode".into())
}

fn not_a_buffer_source() -> WebAudioError {
    WebAudioError::Type("Illegal invocation: not an AudioBufferSourceNode".into())
}

fn oscillator(node: &NodeResource) -> Result<&OscillatorNode, WebAudioError> {
    match node.kind() {
        NodeKind::Oscillator(n) => Ok(n),
        _ => Err(not_an_oscillator()),
    }
}

fn buffer_source(node: &NodeResource) -> Result<&AudioBufferSourceNode, WebAudioError> {
    match node.kind() {
        NodeKind::AudioBufferSource(n) => Ok(n),
        _ => Err(not_a_buffer_source()),
    }
}

/// `new PeriodicWave(context, options)`; `real` / `imag` are only used when
/// their `has_` flag says the member was given.
#[op2]
#[cppgc]
pub fn op_periodic_wave_new(
    #[buffer] real: &[f32],
    #[buffer] imag: &[f32],
    has_real: bool,
    has_imag: bool,
    disable_normalization: bool,
) -> Result<PeriodicWaveResource, WebAudioError> {
    let wave = PeriodicWave::new(PeriodicWaveOptions {
        real: has_real.then(|| real.to_vec()),
        imag: has_imag.then(|| imag.to_vec()),
        disable_normalization,
    })
    .map_err(webaudio_engine::error::Error::from)?;
    Ok(PeriodicWaveResource(Arc::new(wave)))
}

#[op2]
#[cppgc]
pub fn op_oscillator_node_new(
    #[cppgc] ctx: &ContextResource,
    #[string] type_: &str,
    frequency: f32,
    detune: f32,
    #[cppgc] wave: Option<&PeriodicWaveResource>,
) -> Result<NodeResource, WebAudioError> {
    let node = OscillatorNode::new(
        &ctx.ctx,
        OscillatorOptions {
            type_: oscillator_type(type_)?,
            frequency,
            detune,
            periodic_wave: wave.map(|w| w.0.clone()),
        },
    )?;
    Ok(NodeResource::new(NodeKind::Oscillator(node)))
}

#[op2]
#[string]
pub fn op_oscillator_node_type(
    #[cppgc] node: &NodeResource,
) -> Result<&'static str, WebAudioError> {
    Ok(oscillator_type_name(oscillator(node)?.type_()))
}

#[op2(fast)]
pub fn op_oscillator_node_set_type(
    #[cppgc] node: &NodeResource,
    #[string] type_: &str,
) -> Result<(), WebAudioError> {
    Ok(oscillator(node)?.set_type(oscillator_type(type_)?)?)
}

#[op2(fast)]
pub fn op_oscillator_node_set_periodic_wave(
    #[cppgc] node: &NodeResource,
    #[cppgc] wave: &PeriodicWaveResource,
) -> Result<(), WebAudioError> {
    oscillator(node)?.set_periodic_wave(&wave.0);
    Ok(())
}

/// Starts acquiring a buffer's content: `channels` planes of `length`
/// frames, filled by `op_audio_buffer_data_copy_channel`.
#[op2]
#[cppgc]
pub fn op_audio_buffer_data_new(
    sample_rate: f32,
    length: u32,
    channels: u32,
) -> BufferDataResource {
    BufferDataResource {
        sample_rate,
        length: length as usize,
        channels: RefCell::new(Vec::with_capacity(channels as usize)),
    }
}

/// Appends a copy of one channel (zero-padded or cut to the length).
#[op2(fast)]
pub fn op_audio_buffer_data_copy_channel(
    #[cppgc] data: &BufferDataResource,
    #[buffer] samples: &[f32],
) {
    let mut plane = vec![0.0f32; data.length].into_boxed_slice();
    let n = samples.len().min(plane.len());
    plane[..n].copy_from_slice(&samples[..n]);
    data.channels.borrow_mut().push(plane);
}

#[op2]
#[cppgc]
pub fn op_audio_buffer_source_node_new(
    #[cppgc] ctx: &ContextResource,
    has_buffer: bool,
    detune: f32,
    loop_: bool,
    loop_start: f64,
    loop_end: f64,
    playback_rate: f32,
) -> Result<NodeResource, WebAudioError> {
    let node = AudioBufferSourceNode::new(
        &ctx.ctx,
        AudioBufferSourceOptions {
            buffer: None,
            detune,
            loop_,
            loop_start,
            loop_end,
            playback_rate,
        },
    )?;
    if has_buffer {
        // Content comes with start() (acquired then, as the spec says).
        node.mark_buffer(true)?;
    }
    Ok(NodeResource::new(NodeKind::AudioBufferSource(node)))
}

fn take_data(data: &BufferDataResource) -> Arc<AudioBufferData> {
    let channels = std::mem::take(&mut *data.channels.borrow_mut());
    Arc::new(AudioBufferData::new(data.sample_rate, channels))
}

/// The `buffer` setter. `content` is the acquired content (after start());
/// before start() only `is_some` is given: the content is acquired by
/// start().
#[op2(fast)]
pub fn op_audio_buffer_source_node_set_buffer(
    #[cppgc] node: &NodeResource,
    is_some: bool,
    #[cppgc] content: Option<&BufferDataResource>,
) -> Result<(), WebAudioError> {
    let n = buffer_source(node)?;
    match content {
        Some(data) => Ok(n.set_buffer(Some(take_data(data)))?),
        None if is_some => Ok(n.mark_buffer(true)?),
        None => Ok(n.set_buffer(None)?),
    }
}

#[op2(fast)]
pub fn op_audio_buffer_source_node_set_loop(
    #[cppgc] node: &NodeResource,
    value: bool,
) -> Result<(), WebAudioError> {
    buffer_source(node)?.set_loop(value);
    Ok(())
}

#[op2(fast)]
pub fn op_audio_buffer_source_node_set_loop_start(
    #[cppgc] node: &NodeResource,
    value: f64,
) -> Result<(), WebAudioError> {
    Ok(buffer_source(node)?.set_loop_start(value)?)
}

#[op2(fast)]
pub fn op_audio_buffer_source_node_set_loop_end(
    #[cppgc] node: &NodeResource,
    value: f64,
) -> Result<(), WebAudioError> {
    Ok(buffer_source(node)?.set_loop_end(value)?)
}

/// `start(when, offset, duration)`; `duration` is used only when
/// `has_duration`; `content` is the buffer's content acquired by start().
#[op2(fast)]
pub fn op_audio_buffer_source_node_start(
    #[cppgc] node: &NodeResource,
    when: f64,
    offset: f64,
    duration: f64,
    has_duration: bool,
    #[cppgc] content: Option<&BufferDataResource>,
) -> Result<(), WebAudioError> {
    Ok(buffer_source(node)?.start(
        when,
        offset,
        has_duration.then_some(duration),
        content.map(take_data),
    )?)
}
