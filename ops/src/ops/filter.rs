//! BiquadFilterNode, IIRFilterNode and WaveShaperNode.

use std::cell::RefCell;
use std::rc::Rc;

use deno_core::{OpState, op2, v8};
use webaudio_engine::fallible::try_copy;
use webaudio_engine::node::biquad_filter::{
    BiquadFilterNode, BiquadFilterOptions, BiquadFilterType,
};
use webaudio_engine::node::iir_filter::{IIRFilterNode, IIRFilterOptions};
use webaudio_engine::node::waveshaper::{OverSampleType, WaveShaperNode, WaveShaperOptions};

use super::node::{NodeKind, create_node};
use crate::error::WebAudioError;
use crate::handles::handles;

fn biquad(state: &OpState, id: u32) -> Result<&BiquadFilterNode, WebAudioError> {
    match handles(state).node(id)?.kind() {
        NodeKind::BiquadFilter(n) => Ok(n),
        _ => Err(WebAudioError::Type(
            "Illegal invocation: not a BiquadFilterNode".into(),
        )),
    }
}

fn iir(state: &OpState, id: u32) -> Result<&IIRFilterNode, WebAudioError> {
    match handles(state).node(id)?.kind() {
        NodeKind::IIRFilter(n) => Ok(n),
        _ => Err(WebAudioError::Type(
            "Illegal invocation: not an IIRFilterNode".into(),
        )),
    }
}

fn wave_shaper(state: &OpState, id: u32) -> Result<&WaveShaperNode, WebAudioError> {
    match handles(state).node(id)?.kind() {
        NodeKind::WaveShaper(n) => Ok(n),
        _ => Err(WebAudioError::Type(
            "Illegal invocation: not a WaveShaperNode".into(),
        )),
    }
}

/// Enum strings arrive already checked by WebIDL; a stray one is a TypeError.
fn biquad_type(s: &str) -> Result<BiquadFilterType, WebAudioError> {
    BiquadFilterType::parse(s).map_err(|e| WebAudioError::Type(e.to_string()))
}

fn oversample_type(s: &str) -> Result<OverSampleType, WebAudioError> {
    OverSampleType::parse(s).map_err(|e| WebAudioError::Type(e.to_string()))
}

#[op2(nofast)]
#[smi]
pub fn op_biquad_filter_node_new(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    #[smi] ctx: u32,
    #[string] filter_type: &str,
    q: f32,
    detune: f32,
    frequency: f32,
    gain: f32,
) -> Result<u32, WebAudioError> {
    create_node(&state, isolate, ctx, |ctx| {
        let options = BiquadFilterOptions {
            type_: biquad_type(filter_type)?,
            q,
            detune,
            frequency,
            gain,
        };
        let node = BiquadFilterNode::new(&ctx.ctx, options)?;
        Ok(NodeKind::BiquadFilter(node))
    })
}

#[op2]
#[string]
pub fn op_biquad_filter_node_type(
    state: &OpState,
    #[smi] node: u32,
) -> Result<&'static str, WebAudioError> {
    Ok(biquad(state, node)?.filter_type().as_str())
}

#[op2(fast)]
pub fn op_biquad_filter_node_set_type(
    state: &OpState,
    #[smi] node: u32,
    #[string] filter_type: &str,
) -> Result<(), WebAudioError> {
    biquad(state, node)?.set_filter_type(biquad_type(filter_type)?);
    Ok(())
}

/// The caller passes three distinct buffers of the same length (the length
/// check is the engine's: InvalidAccessError).
#[op2(fast)]
pub fn op_biquad_filter_node_get_frequency_response(
    state: &OpState,
    #[smi] node: u32,
    #[buffer] frequency_hz: &[f32],
    #[buffer] mag_response: &mut [f32],
    #[buffer] phase_response: &mut [f32],
) -> Result<(), WebAudioError> {
    Ok(biquad(state, node)?.get_frequency_response(frequency_hz, mag_response, phase_response)?)
}

#[op2(nofast)]
#[smi]
pub fn op_iir_filter_node_new(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    #[smi] ctx: u32,
    #[buffer] feedforward: &[f64],
    #[buffer] feedback: &[f64],
) -> Result<u32, WebAudioError> {
    create_node(&state, isolate, ctx, |ctx| {
        let options = IIRFilterOptions {
            feedforward: feedforward.to_vec(),
            feedback: feedback.to_vec(),
        };
        let node = IIRFilterNode::new(&ctx.ctx, &options)?;
        Ok(NodeKind::IIRFilter(node))
    })
}

#[op2(fast)]
pub fn op_iir_filter_node_get_frequency_response(
    state: &OpState,
    #[smi] node: u32,
    #[buffer] frequency_hz: &[f32],
    #[buffer] mag_response: &mut [f32],
    #[buffer] phase_response: &mut [f32],
) -> Result<(), WebAudioError> {
    Ok(iir(state, node)?.get_frequency_response(frequency_hz, mag_response, phase_response)?)
}

/// `curve` is only read when `has_curve`.
#[op2(nofast)]
#[smi]
pub fn op_wave_shaper_node_new(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    #[smi] ctx: u32,
    has_curve: bool,
    #[buffer] curve: &[f32],
    #[string] oversample: &str,
) -> Result<u32, WebAudioError> {
    create_node(&state, isolate, ctx, |ctx| {
        let options = WaveShaperOptions {
            curve: has_curve
                .then(|| try_copy(curve))
                .transpose()
                .map_err(|e| WebAudioError::Range(format!("{e} for the curve")))?,
            oversample: oversample_type(oversample)?,
        };
        let node = WaveShaperNode::new(&ctx.ctx, &options)?;
        Ok(NodeKind::WaveShaper(node))
    })
}

#[op2(fast)]
pub fn op_wave_shaper_node_set_curve(
    state: &OpState,
    #[smi] node: u32,
    #[buffer] curve: &[f32],
) -> Result<(), WebAudioError> {
    Ok(wave_shaper(state, node)?.set_curve(Some(curve))?)
}

#[op2(fast)]
pub fn op_wave_shaper_node_clear_curve(
    state: &OpState,
    #[smi] node: u32,
) -> Result<(), WebAudioError> {
    Ok(wave_shaper(state, node)?.set_curve(None)?)
}

#[op2]
#[string]
pub fn op_wave_shaper_node_oversample(
    state: &OpState,
    #[smi] node: u32,
) -> Result<&'static str, WebAudioError> {
    Ok(wave_shaper(state, node)?.oversample().as_str())
}

#[op2(fast)]
pub fn op_wave_shaper_node_set_oversample(
    state: &OpState,
    #[smi] node: u32,
    #[string] oversample: &str,
) -> Result<(), WebAudioError> {
    wave_shaper(state, node)?.set_oversample(oversample_type(oversample)?);
    Ok(())
}
