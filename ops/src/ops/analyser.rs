//! AnalyserNode. The get*Data ops write straight into the caller's typed
//! array.

use std::cell::RefCell;
use std::rc::Rc;

use deno_core::{OpState, op2, v8};
use webaudio_engine::node::analyser::{AnalyserNode, AnalyserOptions};

use super::node::{NodeKind, create_node};
use crate::error::WebAudioError;
use crate::handles::handles;

fn analyser(state: &OpState, id: u32) -> Result<&AnalyserNode, WebAudioError> {
    match handles(state).node(id)?.kind() {
        NodeKind::Analyser(n) => Ok(n),
        _ => Err(WebAudioError::Type(
            "Illegal invocation: not an AnalyserNode".into(),
        )),
    }
}

#[op2(nofast)]
#[smi]
pub fn op_analyser_node_new(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    #[smi] ctx: u32,
    fft_size: u32,
    max_decibels: f64,
    min_decibels: f64,
    smoothing_time_constant: f64,
) -> Result<u32, WebAudioError> {
    create_node(&state, isolate, ctx, |ctx| {
        let node = AnalyserNode::new(
            &ctx.ctx,
            AnalyserOptions {
                fft_size,
                max_decibels,
                min_decibels,
                smoothing_time_constant,
            },
        )?;
        Ok(NodeKind::Analyser(node))
    })
}

#[op2(fast)]
pub fn op_analyser_node_fft_size(state: &OpState, #[smi] node: u32) -> Result<u32, WebAudioError> {
    Ok(analyser(state, node)?.fft_size())
}

#[op2(fast)]
pub fn op_analyser_node_set_fft_size(
    state: &OpState,
    #[smi] node: u32,
    value: u32,
) -> Result<(), WebAudioError> {
    Ok(analyser(state, node)?.set_fft_size(value)?)
}

#[op2(fast)]
pub fn op_analyser_node_frequency_bin_count(
    state: &OpState,
    #[smi] node: u32,
) -> Result<u32, WebAudioError> {
    Ok(analyser(state, node)?.frequency_bin_count())
}

#[op2(fast)]
pub fn op_analyser_node_min_decibels(
    state: &OpState,
    #[smi] node: u32,
) -> Result<f64, WebAudioError> {
    Ok(analyser(state, node)?.min_decibels())
}

#[op2(fast)]
pub fn op_analyser_node_set_min_decibels(
    state: &OpState,
    #[smi] node: u32,
    value: f64,
) -> Result<(), WebAudioError> {
    Ok(analyser(state, node)?.set_min_decibels(value)?)
}

#[op2(fast)]
pub fn op_analyser_node_max_decibels(
    state: &OpState,
    #[smi] node: u32,
) -> Result<f64, WebAudioError> {
    Ok(analyser(state, node)?.max_decibels())
}

#[op2(fast)]
pub fn op_analyser_node_set_max_decibels(
    state: &OpState,
    #[smi] node: u32,
    value: f64,
) -> Result<(), WebAudioError> {
    Ok(analyser(state, node)?.set_max_decibels(value)?)
}

#[op2(fast)]
pub fn op_analyser_node_smoothing_time_constant(
    state: &OpState,
    #[smi] node: u32,
) -> Result<f64, WebAudioError> {
    Ok(analyser(state, node)?.smoothing_time_constant())
}

#[op2(fast)]
pub fn op_analyser_node_set_smoothing_time_constant(
    state: &OpState,
    #[smi] node: u32,
    value: f64,
) -> Result<(), WebAudioError> {
    Ok(analyser(state, node)?.set_smoothing_time_constant(value)?)
}

#[op2(fast)]
pub fn op_analyser_node_get_float_frequency_data(
    state: &OpState,
    #[smi] node: u32,
    #[buffer] array: &mut [f32],
) -> Result<(), WebAudioError> {
    analyser(state, node)?.get_float_frequency_data(array);
    Ok(())
}

#[op2(fast)]
pub fn op_analyser_node_get_byte_frequency_data(
    state: &OpState,
    #[smi] node: u32,
    #[buffer] array: &mut [u8],
) -> Result<(), WebAudioError> {
    analyser(state, node)?.get_byte_frequency_data(array);
    Ok(())
}

#[op2(fast)]
pub fn op_analyser_node_get_float_time_domain_data(
    state: &OpState,
    #[smi] node: u32,
    #[buffer] array: &mut [f32],
) -> Result<(), WebAudioError> {
    analyser(state, node)?.get_float_time_domain_data(array);
    Ok(())
}

#[op2(fast)]
pub fn op_analyser_node_get_byte_time_domain_data(
    state: &OpState,
    #[smi] node: u32,
    #[buffer] array: &mut [u8],
) -> Result<(), WebAudioError> {
    analyser(state, node)?.get_byte_time_domain_data(array);
    Ok(())
}
