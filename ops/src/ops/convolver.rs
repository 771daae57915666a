//! ConvolverNode.

use std::sync::Arc;

use std::cell::RefCell;
use std::rc::Rc;

use deno_core::{OpState, op2, v8};
use webaudio_engine::buffer::AudioBufferData;
use webaudio_engine::node::convolver::{ConvolverNode, ConvolverOptions};

use super::node::{NodeKind, create_node};
use crate::error::WebAudioError;
use crate::handles::{HandleTable, handles};

fn convolver(state: &OpState, id: u32) -> Result<&ConvolverNode, WebAudioError> {
    match handles(state).node(id)?.kind() {
        NodeKind::Convolver(n) => Ok(n),
        _ => Err(WebAudioError::Type(
            "Illegal invocation: not a ConvolverNode".into(),
        )),
    }
}

/// A node without a buffer; the JS constructor then sets `buffer` (after
/// `normalize`, as the spec orders it).
#[op2(nofast)]
#[smi]
pub fn op_convolver_node_new(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    #[smi] ctx: u32,
    disable_normalization: bool,
) -> Result<u32, WebAudioError> {
    create_node(&state, isolate, ctx, |ctx| {
        let node = ConvolverNode::new(
            &ctx.ctx,
            ConvolverOptions {
                buffer: None,
                disable_normalization,
            },
        )?;
        Ok(NodeKind::Convolver(node))
    })
}

/// Sets `buffer` from the AudioBuffer's channels laid end to end in `data`
/// (`channels` channels of `data.len() / channels` frames). The copy is the
/// spec's "acquire the content"; the kernel is built here.
#[op2(fast)]
pub fn op_convolver_node_set_buffer(
    state: &mut OpState,
    #[smi] id: u32,
    #[buffer] data: &[f32],
    channels: u32,
    sample_rate: f32,
) -> Result<(), WebAudioError> {
    let node = convolver(state, id)?;
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
    node.set_buffer(Some(Arc::new(buffer)))?;
    // The response, and its kernel in the frequency domain (about twice
    // the size, complex, per partition).
    state
        .borrow_mut::<HandleTable>()
        .add_bytes(id, data.len() * 4 * 3);
    Ok(())
}

#[op2(fast)]
pub fn op_convolver_node_clear_buffer(
    state: &OpState,
    #[smi] node: u32,
) -> Result<(), WebAudioError> {
    Ok(convolver(state, node)?.set_buffer(None)?)
}

#[op2(fast)]
pub fn op_convolver_node_normalize(
    state: &OpState,
    #[smi] node: u32,
) -> Result<bool, WebAudioError> {
    Ok(convolver(state, node)?.normalize())
}

#[op2(fast)]
pub fn op_convolver_node_set_normalize(
    state: &OpState,
    #[smi] node: u32,
    normalize: bool,
) -> Result<(), WebAudioError> {
    convolver(state, node)?.set_normalize(normalize);
    Ok(())
}
