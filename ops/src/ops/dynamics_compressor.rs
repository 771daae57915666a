//! DynamicsCompressorNode.

use deno_core::op2;
use webaudio_engine::node::dynamics_compressor::{
    DynamicsCompressorNode, DynamicsCompressorOptions,
};

use super::context::ContextResource;
use super::node::{NodeKind, NodeResource};
use crate::error::WebAudioError;

#[op2]
#[cppgc]
pub fn op_dynamics_compressor_node_new(
    #[cppgc] ctx: &ContextResource,
    attack: f32,
    knee: f32,
    ratio: f32,
    release: f32,
    threshold: f32,
) -> Result<NodeResource, WebAudioError> {
    let node = DynamicsCompressorNode::new(
        &ctx.ctx,
        DynamicsCompressorOptions {
            attack,
            knee,
            ratio,
            release,
            threshold,
        },
    )?;
    Ok(NodeResource {
        kind: NodeKind::DynamicsCompressor(node),
    })
}

#[op2(fast)]
pub fn op_dynamics_compressor_node_reduction(
    #[cppgc] node: &NodeResource,
) -> Result<f32, WebAudioError> {
    match &node.kind {
        NodeKind::DynamicsCompressor(n) => Ok(n.reduction()),
        _ => Err(WebAudioError::Type(
            "Illegal invocation: not a DynamicsCompressorNode".into(),
        )),
    }
}
