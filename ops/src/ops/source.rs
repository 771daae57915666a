//! OscillatorNode, PeriodicWave and AudioBufferSourceNode. start()/stop()
//! without extra arguments go through the AudioScheduledSourceNode ops in
//! `node.rs`.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use deno_core::{OpState, op2, v8};
use webaudio_engine::buffer::AudioBufferData;
use webaudio_engine::fallible::{check_budget, try_copy, try_zeroed_f32};
use webaudio_engine::node::audio_buffer_source::{AudioBufferSourceNode, AudioBufferSourceOptions};
use webaudio_engine::node::oscillator::{OscillatorNode, OscillatorOptions, OscillatorType};
use webaudio_engine::node::periodic_wave::{PeriodicWave, PeriodicWaveOptions};

use super::node::{NodeKind, create_node};
use crate::error::WebAudioError;
use crate::handles::{Handle, HandleTable, create, handles};

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

fn oscillator(state: &OpState, id: u32) -> Result<&OscillatorNode, WebAudioError> {
    match handles(state).node(id)?.kind() {
        NodeKind::Oscillator(n) => Ok(n),
        _ => Err(not_an_oscillator()),
    }
}

fn buffer_source(state: &OpState, id: u32) -> Result<&AudioBufferSourceNode, WebAudioError> {
    match handles(state).node(id)?.kind() {
        NodeKind::AudioBufferSource(n) => Ok(n),
        _ => Err(not_a_buffer_source()),
    }
}

/// `new PeriodicWave(context, options)`; `real` / `imag` are only used when
/// their `has_` flag says the member was given.
/// The wave is immutable once made, shared by the oscillators it is set on
/// (its tables are built once).
#[op2(nofast)]
#[smi]
pub fn op_periodic_wave_new(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    #[buffer] real: &[f32],
    #[buffer] imag: &[f32],
    has_real: bool,
    has_imag: bool,
    disable_normalization: bool,
) -> Result<u32, WebAudioError> {
    let copy = |given: bool, values: &[f32]| {
        given
            .then(|| try_copy(values))
            .transpose()
            .map_err(|e| WebAudioError::Range(format!("{e} for the PeriodicWave")))
    };
    create(&state, isolate, |_| {
        let wave = PeriodicWave::new(PeriodicWaveOptions {
            real: copy(has_real, real)?,
            imag: copy(has_imag, imag)?,
            disable_normalization,
        })
        .map_err(webaudio_engine::error::Error::from)?;
        // The coefficients, and the band-limited tables built from them.
        let bytes = (real.len() + imag.len()) * 8 + WAVE_TABLE_BYTES;
        Ok((Handle::PeriodicWave(Arc::new(wave)), bytes))
    })
}

/// About what the band-limited tables of one PeriodicWave hold.
const WAVE_TABLE_BYTES: usize = 128 << 10;

#[op2(nofast)]
#[smi]
pub fn op_oscillator_node_new(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    #[smi] ctx: u32,
    #[string] type_: &str,
    frequency: f32,
    detune: f32,
    has_wave: bool,
    #[smi] wave: u32,
) -> Result<u32, WebAudioError> {
    let wave = match has_wave {
        true => Some(handles(&state.borrow()).periodic_wave(wave)?.clone()),
        false => None,
    };
    create_node(&state, isolate, ctx, |ctx| {
        let node = OscillatorNode::new(
            &ctx.ctx,
            OscillatorOptions {
                type_: oscillator_type(type_)?,
                frequency,
                detune,
                periodic_wave: wave,
            },
        )?;
        Ok(NodeKind::Oscillator(node))
    })
}

#[op2]
#[string]
pub fn op_oscillator_node_type(
    state: &OpState,
    #[smi] node: u32,
) -> Result<&'static str, WebAudioError> {
    Ok(oscillator_type_name(oscillator(state, node)?.type_()))
}

#[op2(fast)]
pub fn op_oscillator_node_set_type(
    state: &OpState,
    #[smi] node: u32,
    #[string] type_: &str,
) -> Result<(), WebAudioError> {
    Ok(oscillator(state, node)?.set_type(oscillator_type(type_)?)?)
}

#[op2(fast)]
pub fn op_oscillator_node_set_periodic_wave(
    state: &OpState,
    #[smi] node: u32,
    #[smi] wave: u32,
) -> Result<(), WebAudioError> {
    oscillator(state, node)?.set_periodic_wave(handles(state).periodic_wave(wave)?);
    Ok(())
}

/// Starts acquiring a buffer's content: `channels` planes of `length`
/// frames, filled by `op_audio_buffer_data_copy_channel` and then taken by
/// the op the content is for, all within one JS call.
#[op2(fast)]
pub fn op_audio_buffer_data_new(state: &mut OpState, sample_rate: f32, length: u32, channels: u32) {
    state
        .borrow_mut::<HandleTable>()
        .stage_buffer(sample_rate, length as usize, channels as usize);
}

/// Appends a copy of one channel (zero-padded or cut to the length); a
/// RangeError when the copy cannot be had.
#[op2(fast)]
pub fn op_audio_buffer_data_copy_channel(
    state: &mut OpState,
    #[buffer] samples: &[f32],
) -> Result<(), WebAudioError> {
    let staged = state
        .borrow_mut::<HandleTable>()
        .staged_buffer()
        .ok_or_else(|| WebAudioError::InvalidState("no buffer content is being acquired".into()))?;
    let mut plane = try_zeroed_f32(staged.length)
        .map_err(|e| WebAudioError::Range(format!("{e} for the buffer's content")))?
        .into_boxed_slice();
    let n = samples.len().min(plane.len());
    plane[..n].copy_from_slice(&samples[..n]);
    staged.channels.push(plane);
    Ok(())
}

/// Fails with a RangeError when an AudioBuffer of `channels` x `length`
/// samples is more than the machine has (the spec's failure to create its
/// data block), instead of letting an overcommitting kernel grant it and
/// kill the process once it is written.
#[op2(fast)]
pub fn op_audio_buffer_check_size(channels: u32, length: u32) -> Result<(), WebAudioError> {
    check_budget::<f32>(channels as u128 * length as u128)
        .map_err(|e| WebAudioError::Range(format!("{e} for the AudioBuffer")))
}

#[op2(nofast)]
#[smi]
pub fn op_audio_buffer_source_node_new(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    #[smi] ctx: u32,
    has_buffer: bool,
    detune: f32,
    loop_: bool,
    loop_start: f64,
    loop_end: f64,
    playback_rate: f32,
) -> Result<u32, WebAudioError> {
    create_node(&state, isolate, ctx, |ctx| {
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
        Ok(NodeKind::AudioBufferSource(node))
    })
}

/// The content staged by `op_audio_buffer_data_new`, when `acquired`.
/// The node `id` now holds that copy: it counts toward GC pressure.
fn take_content(state: &mut OpState, id: u32, acquired: bool) -> Option<Arc<AudioBufferData>> {
    let table = state.borrow_mut::<HandleTable>();
    let staged = table.take_staged_buffer()?;
    if !acquired {
        return None;
    }
    table.add_bytes(id, staged.channels.len() * staged.length * 4);
    Some(Arc::new(AudioBufferData::new(
        staged.sample_rate,
        staged.channels,
    )))
}

/// The `buffer` setter. `acquired`: the content was acquired (after
/// start()); before start() only `is_some` is given: the content is
/// acquired by start().
#[op2(fast)]
pub fn op_audio_buffer_source_node_set_buffer(
    state: &mut OpState,
    #[smi] node: u32,
    is_some: bool,
    acquired: bool,
) -> Result<(), WebAudioError> {
    let content = take_content(state, node, acquired);
    let n = buffer_source(state, node)?;
    match content {
        Some(data) => Ok(n.set_buffer(Some(data))?),
        None if is_some => Ok(n.mark_buffer(true)?),
        None => Ok(n.set_buffer(None)?),
    }
}

#[op2(fast)]
pub fn op_audio_buffer_source_node_set_loop(
    state: &OpState,
    #[smi] node: u32,
    value: bool,
) -> Result<(), WebAudioError> {
    buffer_source(state, node)?.set_loop(value);
    Ok(())
}

#[op2(fast)]
pub fn op_audio_buffer_source_node_set_loop_start(
    state: &OpState,
    #[smi] node: u32,
    value: f64,
) -> Result<(), WebAudioError> {
    Ok(buffer_source(state, node)?.set_loop_start(value)?)
}

#[op2(fast)]
pub fn op_audio_buffer_source_node_set_loop_end(
    state: &OpState,
    #[smi] node: u32,
    value: f64,
) -> Result<(), WebAudioError> {
    Ok(buffer_source(state, node)?.set_loop_end(value)?)
}

/// `start(when, offset, duration)`; `duration` is used only when
/// `has_duration`; `acquired`: start() acquired the buffer's content.
#[op2(fast)]
pub fn op_audio_buffer_source_node_start(
    state: &mut OpState,
    #[smi] node: u32,
    when: f64,
    offset: f64,
    duration: f64,
    has_duration: bool,
    acquired: bool,
) -> Result<(), WebAudioError> {
    let content = take_content(state, node, acquired);
    Ok(buffer_source(state, node)?.start(
        when,
        offset,
        has_duration.then_some(duration),
        content,
    )?)
}
