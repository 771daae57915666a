//! BiquadFilterNode, IIRFilterNode and WaveShaperNode.

use deno_core::op2;
use webaudio_engine::node::biquad_filter::{
    BiquadFilterNode, BiquadFilterOptions, BiquadFilterType,
};
use webaudio_engine::node::iir_filter::{IIRFilterNode, IIRFilterOptions};
use webaudio_engine::node::waveshaper::{OverSampleType, WaveShaperNode, WaveShaperOptions};

use super::context::ContextResource;
use super::node::{NodeKind, NodeResource};
use crate::error::WebAudioError;

fn biquad(node: &NodeResource) -> Result<&BiquadFilterNode, WebAudioError> {
    match node.kind() {
        NodeKind::BiquadFilter(n) => Ok(n),
        _ => Err(WebAudioError::Type(
            "Illegal invocation: not a BiquadFilterNode".into(),
        )),
    }
}

fn iir(node: &NodeResource) -> Result<&IIRFilterNode, WebAudioError> {
    match node.kind() {
        NodeKind::IIRFilter(n) => Ok(n),
        _ => Err(WebAudioError::Type(
            "Illegal invocation: not an IIRFilterNode".into(),
        )),
    }
}

fn wave_shaper(node: &NodeResource) -> Result<&WaveShaperNode, WebAudioError> {
    match node.kind() {
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

#[op2]
#[cppgc]
pub fn op_biquad_filter_node_new(
    #[cppgc] ctx: &ContextResource,
    #[string] filter_type: &str,
    q: f32,
    detune: f32,
    frequency: f32,
    gain: f32,
) -> Result<NodeResource, WebAudioError> {
    let options = BiquadFilterOptions {
        type_: biquad_type(filter_type)?,
        q,
        detune,
        frequency,
        gain,
    };
    let node = BiquadFilterNode::new(&ctx.ctx, options)?;
    Ok(NodeResource::new(NodeKind::BiquadFilter(node)))
}

#[op2]
#[string]
pub fn op_biquad_filter_node_type(
    #[cppgc] node: &NodeResource,
) -> Result<&'static str, WebAudioError> {
    Ok(biquad(node)?.filter_type().as_str())
}

#[op2(fast)]
pub fn op_biquad_filter_node_set_type(
    #[cppgc] node: &NodeResource,
    #[string] filter_type: &str,
) -> Result<(), WebAudioError> {
    biquad(node)?.set_filter_type(biquad_type(filter_type)?);
    Ok(())
}

/// The caller passes three distinct buffers of the same length (the length
/// check is the engine's: InvalidAccessError).
#[op2(fast)]
pub fn op_biquad_filter_node_get_frequency_response(
    #[cppgc] node: &NodeResource,
    #[buffer] frequency_hz: &[f32],
    #[buffer] mag_response: &mut [f32],
    #[buffer] phase_response: &mut [f32],
) -> Result<(), WebAudioError> {
    Ok(biquad(node)?.get_frequency_response(frequency_hz, mag_response, phase_response)?)
}

#[op2]
#[cppgc]
pub fn op_iir_filter_node_new(
    #[cppgc] ctx: &ContextResource,
    #[buffer] feedforward: &[f64],
    #[buffer] feedback: &[f64],
) -> Result<NodeResource, WebAudioError> {
    let options = IIRFilterOptions {
        feedforward: feedforward.to_vec(),
        feedback: feedback.to_vec(),
    };
    let node = IIRFilterNode::new(&ctx.ctx, &options)?;
    Ok(NodeResource::new(NodeKind::IIRFilter(node)))
}

#[op2(fast)]
pub fn op_iir_filter_node_get_frequency_response(
    #[cppgc] node: &NodeResource,
    #[buffer] frequency_hz: &[f32],
    #[buffer] mag_response: &mut [f32],
    #[buffer] phase_response: &mut [f32],
) -> Result<(), WebAudioError> {
    Ok(iir(node)?.get_frequency_response(frequency_hz, mag_response, phase_response)?)
}

/// `curve` is only read when `has_curve`.
#[op2]
#[cppgc]
pub fn op_wave_shaper_node_new(
    #[cppgc] ctx: &ContextResource,
    has_curve: bool,
    #[buffer] curve: &[f32],
    #[string] oversample: &str,
) -> Result<NodeResource, WebAudioError> {
    let options = WaveShaperOptions {
        curve: has_curve.then(|| curve.to_vec()),
        oversample: oversample_type(oversample)?,
    };
    let node = WaveShaperNode::new(&ctx.ctx, &options)?;
    Ok(NodeResource::new(NodeKind::WaveShaper(node)))
}

#[op2(fast)]
pub fn op_wave_shaper_node_set_curve(
    #[cppgc] node: &NodeResource,
    #[buffer] curve: &[f32],
) -> Result<(), WebAudioError> {
    Ok(wave_shaper(node)?.set_curve(Some(curve))?)
}

#[op2(fast)]
pub fn op_wave_shaper_node_clear_curve(#[cppgc] node: &NodeResource) -> Result<(), WebAudioError> {
    Ok(wave_shaper(node)?.set_curve(None)?)
}

#[op2]
#[string]
pub fn op_wave_shaper_node_oversample(
    #[cppgc] node: &NodeResource,
) -> Result<&'static str, WebAudioError> {
    Ok(wave_shaper(node)?.oversample().as_str())
}

#[op2(fast)]
pub fn op_wave_shaper_node_set_oversample(
    #[cppgc] node: &NodeResource,
    #[string] oversample: &str,
) -> Result<(), WebAudioError> {
    wave_shaper(node)?.set_oversample(oversample_type(oversample)?);
    Ok(())
}
