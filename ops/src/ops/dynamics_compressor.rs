//! DynamicsCompressorNode.

use std::cell::RefCell;
use std::rc::Rc;

use deno_core::{OpState, op2, v8};
use webaudio_engine::node::dynamics_compressor::{
    DynamicsCompressorNode, DynamicsCompressorOptions,
};

use super::node::{NodeKind, create_node};
use crate::error::WebAudioError;
use crate::handles::handles;

#[op2(nofast)]
#[smi]
pub fn op_dynamics_compressor_node_new(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    #[smi] ctx: u32,
    attack: f32,
    knee: f32,
    ratio: f32,
    release: f32,
    threshold: f32,
) -> Result<u32, WebAudioError> {
    create_node(&state, isolate, ctx, |ctx| {
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
        Ok(NodeKind::DynamicsCompressor(node))
    })
}

#[op2(fast)]
pub fn op_dynamics_compressor_node_reduction(
    state: &OpState,
    #[smi] node: u32,
) -> Result<f32, WebAudioError> {
    let node = handles(state).node(node)?;
    match &node.kind {
        NodeKind::DynamicsCompressor(n) => Ok(n.reduction()),
        _ => Err(WebAudioError::Type(
            "Illegal invocation: not a DynamicsCompressorNode".into(),
        )),
    }
}
