//! AnalyserNode. The get*Data ops write straight into the caller's typed
//! array.

use deno_core::op2;
use webaudio_engine::node::analyser::{AnalyserNode, AnalyserOptions};

use super::context::ContextResource;
use super::node::{NodeKind, NodeResource};
use crate::error::WebAudioError;

fn analyser(node: &NodeResource) -> Result<&AnalyserNode, WebAudioError> {
    match &node.kind {
        NodeKind::Analyser(n) => Ok(n),
        _ => Err(WebAudioError::Type(
            "Illegal invocation: not an AnalyserNode".into(),
        )),
    }
}

#[op2]
#[cppgc]
pub fn op_analyser_node_new(
    #[cppgc] ctx: &ContextResource,
    fft_size: u32,
    max_decibels: f64,
    min_decibels: f64,
    smoothing_time_constant: f64,
) -> Result<NodeResource, WebAudioError> {
    let node = AnalyserNode::new(
        &ctx.ctx,
        AnalyserOptions {
            fft_size,
            max_decibels,
            min_decibels,
            smoothing_time_constant,
        },
    )?;
    Ok(NodeResource {
        kind: NodeKind::Analyser(node),
    })
}

#[op2(fast)]
pub fn op_analyser_node_fft_size(#[cppgc] node: &NodeResource) -> Result<u32, WebAudioError> {
    Ok(analyser(node)?.fft_size())
}

#[op2(fast)]
pub fn op_analyser_node_set_fft_size(
    #[cppgc] node: &NodeResource,
    value: u32,
) -> Result<(), WebAudioError> {
    Ok(analyser(node)?.set_fft_size(value)?)
}

#[op2(fast)]
pub fn op_analyser_node_frequency_bin_count(
    #[cppgc] node: &NodeResource,
) -> Result<u32, WebAudioError> {
    Ok(analyser(node)?.frequency_bin_count())
}

#[op2(fast)]
pub fn op_analyser_node_min_decibels(#[cppgc] node: &NodeResource) -> Result<f64, WebAudioError> {
    Ok(analyser(node)?.min_decibels())
}

#[op2(fast)]
pub fn op_analyser_node_set_min_decibels(
    #[cppgc] node: &NodeResource,
    value: f64,
) -> Result<(), WebAudioError> {
    Ok(analyser(node)?.set_min_decibels(value)?)
}

#[op2(fast)]
pub fn op_analyser_node_max_decibels(#[cppgc] node: &NodeResource) -> Result<f64, WebAudioError> {
    Ok(analyser(node)?.max_decibels())
}

#[op2(fast)]
pub fn op_analyser_node_set_max_decibels(
    #[cppgc] node: &NodeResource,
    value: f64,
) -> Result<(), WebAudioError> {
    Ok(analyser(node)?.set_max_decibels(value)?)
}

#[op2(fast)]
pub fn op_analyser_node_smoothing_time_constant(
    #[cppgc] node: &NodeResource,
) -> Result<f64, WebAudioError> {
    Ok(analyser(node)?.smoothing_time_constant())
}

#[op2(fast)]
pub fn op_analyser_node_set_smoothing_time_constant(
    #[cppgc] node: &NodeResource,
    value: f64,
) -> Result<(), WebAudioError> {
    Ok(analyser(node)?.set_smoothing_time_constant(value)?)
}

#[op2(fast)]
pub fn op_analyser_node_get_float_frequency_data(
    #[cppgc] node: &NodeResource,
    #[buffer] array: &mut [f32],
) -> Result<(), WebAudioError> {
    analyser(node)?.get_float_frequency_data(array);
    Ok(())
}

#[op2(fast)]
pub fn op_analyser_node_get_byte_frequency_data(
    #[cppgc] node: &NodeResource,
    #[buffer] array: &mut [u8],
) -> Result<(), WebAudioError> {
    analyser(node)?.get_byte_frequency_data(array);
    Ok(())
}

#[op2(fast)]
pub fn op_analyser_node_get_float_time_domain_data(
    #[cppgc] node: &NodeResource,
    #[buffer] array: &mut [f32],
) -> Result<(), WebAudioError> {
    analyser(node)?.get_float_time_domain_data(array);
    Ok(())
}

#[op2(fast)]
pub fn op_analyser_node_get_byte_time_domain_data(
    #[cppgc] node: &NodeResource,
    #[buffer] array: &mut [u8],
) -> Result<(), WebAudioError> {
    analyser(node)?.get_byte_time_domain_data(array);
    Ok(())
}
