//! ScriptProcessorNode: creation and the block exchange with script.

use deno_core::op2;
use webaudio_engine::node::script_processor::ScriptProcessorNode;

use super::context::ContextResource;
use super::node::NodeResource;
use crate::error::WebAudioError;

fn not_a_script_processor() -> WebAudioError {
    WebAudioError::Type("Illegal invocation: not a ScriptProcessorNode".into())
}

#[op2]
#[cppgc]
pub fn op_script_processor_node_new(
    #[cppgc] ctx: &ContextResource,
    buffer_size: u32,
    number_of_input_channels: u32,
    number_of_output_channels: u32,
) -> Result<NodeResource, WebAudioError> {
    let node = ScriptProcessorNode::new(
        &ctx.ctx,
        buffer_size as usize,
        number_of_input_channels as usize,
        number_of_output_channels as usize,
    )?;
    Ok(NodeResource::script_processor(node))
}

/// `[bufferSize, inputBuffer channels, outputBuffer channels]`.
#[op2]
#[serde]
pub fn op_script_processor_node_info(
    #[cppgc] node: &NodeResource,
) -> Result<(u32, u32, u32), WebAudioError> {
    let n = node
        .as_script_processor()
        .ok_or_else(not_a_script_processor)?;
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
    #[cppgc] node: &NodeResource,
    #[buffer] input: &mut [f32],
) -> Result<f64, WebAudioError> {
    let n = node
        .as_script_processor()
        .ok_or_else(not_a_script_processor)?;
    Ok(n.take_input(input).map_or(-1.0, |f| f as f64))
}

/// Answers the taken block with planar output.
#[op2(fast)]
pub fn op_script_processor_node_give_output(
    #[cppgc] node: &NodeResource,
    #[buffer] output: &[f32],
) -> Result<(), WebAudioError> {
    let n = node
        .as_script_processor()
        .ok_or_else(not_a_script_processor)?;
    n.give_output(output);
    Ok(())
}

/// Buffer periods that played silence because script answered late.
#[op2(fast)]
pub fn op_script_processor_node_underruns(
    #[cppgc] node: &NodeResource,
) -> Result<f64, WebAudioError> {
    let n = node
        .as_script_processor()
        .ok_or_else(not_a_script_processor)?;
    Ok(n.underruns() as f64)
}
