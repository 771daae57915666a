//! ConvolverNode.

use std::sync::Arc;

use deno_core::op2;
use webaudio_engine::buffer::AudioBufferData;
use webaudio_engine::node::convolver::{ConvolverNode, ConvolverOptions};

use super::context::ContextResource;
use super::node::{NodeKind, NodeResource};
use crate::error::WebAudioError;

fn convolver(node: &NodeResource) -> Result<&ConvolverNode, WebAudioError> {
    match &node.kind {
        NodeKind::Convolver(n) => Ok(n),
        _ => Err(WebAudioError::Type(
            "Illegal invocation: not a ConvolverNode".into(),
        )),
    }
}

/// A node without a buffer; the JS constructor then sets `buffer` (after
/// `normalize`, as the spec orders it).
#[op2]
#[cppgc]
pub fn op_convolver_node_new(
    #[cppgc] ctx: &ContextResource,
    disable_normalization: bool,
) -> Result<NodeResource, WebAudioError> {
    let node = ConvolverNode::new(
        &ctx.ctx,
        ConvolverOptions {
            buffer: None,
            disable_normalization,
        },
    )?;
    Ok(NodeResource {
        kind: NodeKind::Convolver(node),
    })
}

/// Sets `buffer` from the AudioBuffer's channels laid end to end in `data`
/// (`channels` channels of `data.len() / channels` frames). The copy is the
/// spec's "acquire the content"; the kernel is built here.
#[op2(fast)]
pub fn op_convolver_node_set_buffer(
    #[cppgc] node: &NodeResource,
    #[buffer] data: &[f32],
    channels: u32,
    sample_rate: f32,
) -> Result<(), WebAudioError> {
    let node = convolver(node)?;
    let channels = channels as usize;
    if channels == 0 || !data.len().is_multiple_of(channels) {
        return Err(WebAudioError::Type(
            "ConvolverNode.buffer: malformed channel data".into(),
        ));
    }
    let length = data.len() / channels;
    let planes: Vec<Box<[f32]>> = data
        .chunks_exact(length.max(1))
        .take(channels)
        .map(Box::from)
        .collect();
    let buffer = AudioBufferData::new(sample_rate, planes);
    Ok(node.set_buffer(Some(Arc::new(buffer)))?)
}

#[op2(fast)]
pub fn op_convolver_node_clear_buffer(#[cppgc] node: &NodeResource) -> Result<(), WebAudioError> {
    Ok(convolver(node)?.set_buffer(None)?)
}

#[op2(fast)]
pub fn op_convolver_node_normalize(#[cppgc] node: &NodeResource) -> Result<bool, WebAudioError> {
    Ok(convolver(node)?.normalize())
}

#[op2(fast)]
pub fn op_convolver_node_set_normalize(
    #[cppgc] node: &NodeResource,
    normalize: bool,
) -> Result<(), WebAudioError> {
    convolver(node)?.set_normalize(normalize);
    Ok(())
}
