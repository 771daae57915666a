//! ScriptProcessorNode: creation and the block exchange with script.

use std::cell::RefCell;
use std::rc::Rc;

use deno_core::{OpState, op2, v8};
use webaudio_engine::node::script_processor::ScriptProcessorNode;

use super::node::{NodeKind, create_node};
use crate::error::WebAudioError;
use crate::handles::handles;

fn script_processor(state: &OpState, id: u32) -> Result<&ScriptProcessorNode, WebAudioError> {
    match handles(state).node(id)?.kind() {
        NodeKind::ScriptProcessor(n) => Ok(n),
        _ => Err(WebAudioError::Type(
            "Illegal invocation: not a ScriptProcessorNode".into(),
        )),
    }
}

#[op2(nofast)]
#[smi]
pub fn op_script_processor_node_new(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    #[smi] ctx: u32,
    buffer_size: u32,
    number_of_input_channels: u32,
    number_of_output_channels: u32,
) -> Result<u32, WebAudioError> {
    create_node(&state, isolate, ctx, |ctx| {
        let node = ScriptProcessorNode::new(
            &ctx.ctx,
            buffer_size as usize,
            number_of_input_channels as usize,
            number_of_output_channels as usize,
        )?;
        Ok(NodeKind::ScriptProcessor(node))
    })
}

/// `[bufferSize, inputBuffer channels, outputBuffer channels]`.
#[op2]
#[serde]
pub fn op_script_processor_node_info(
    state: &OpState,
    #[smi] node: u32,
) -> Result<(u32, u32, u32), WebAudioError> {
    let n = script_processor(state, node)?;
    Ok((
        n.buffer_size() as u32,
        n.input_channels() as u32,
        n.output_channels() as u32,
    ))
}

/// Copies the next waiting block's planar input into `input`; returns its
/// playback frame, or -1 when no block waits.
#[op2(fast)]
pub fn op_script_processor_node_take_input(
    state: &OpState,
    #[smi] node: u32,
    #[buffer] input: &mut [f32],
) -> Result<f64, WebAudioError> {
    let n = script_processor(state, node)?;
    Ok(n.take_input(input).map_or(-1.0, |f| f as f64))
}

/// Answers the taken block with planar output.
#[op2(fast)]
pub fn op_script_processor_node_give_output(
    state: &OpState,
    #[smi] node: u32,
    #[buffer] output: &[f32],
) -> Result<(), WebAudioError> {
    let n = script_processor(state, node)?;
    n.give_output(output);
    Ok(())
}

/// Buffer periods that played silence because script answered late.
#[op2(fast)]
pub fn op_script_processor_node_underruns(
    state: &OpState,
    #[smi] node: u32,
) -> Result<f64, WebAudioError> {
    let n = script_processor(state, node)?;
    Ok(n.underruns() as f64)
}
