//! DelayNode, StereoPannerNode, ChannelSplitterNode and ChannelMergerNode
//! constructors. Their attributes are the AudioNode ones and their params go
//! through `op_audio_node_param`.

use std::cell::RefCell;
use std::rc::Rc;

use deno_core::{OpState, op2, v8};
use webaudio_engine::node::channel_merger::{ChannelMergerNode, ChannelMergerOptions};
use webaudio_engine::node::channel_splitter::{ChannelSplitterNode, ChannelSplitterOptions};
use webaudio_engine::node::delay::{DelayNode, DelayOptions};
use webaudio_engine::node::stereo_panner::{StereoPannerNode, StereoPannerOptions};

use super::node::{NodeKind, create_node};
use crate::error::WebAudioError;

#[op2(nofast)]
#[smi]
pub fn op_delay_node_new(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    #[smi] ctx: u32,
    max_delay_time: f64,
    delay_time: f64,
) -> Result<u32, WebAudioError> {
    create_node(&state, isolate, ctx, |ctx| {
        let node = DelayNode::new(
            &ctx.ctx,
            DelayOptions {
                max_delay_time,
                delay_time,
                ..Default::default()
            },
        )?;
        Ok(NodeKind::Delay(node))
    })
}

#[op2(nofast)]
#[smi]
pub fn op_stereo_panner_node_new(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    #[smi] ctx: u32,
    pan: f32,
) -> Result<u32, WebAudioError> {
    create_node(&state, isolate, ctx, |ctx| {
        let node = StereoPannerNode::new(&ctx.ctx, StereoPannerOptions { pan })?;
        Ok(NodeKind::StereoPanner(node))
    })
}

#[op2(nofast)]
#[smi]
pub fn op_channel_splitter_node_new(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    #[smi] ctx: u32,
    number_of_outputs: u32,
) -> Result<u32, WebAudioError> {
    create_node(&state, isolate, ctx, |ctx| {
        let node =
            ChannelSplitterNode::new(&ctx.ctx, ChannelSplitterOptions { number_of_outputs })?;
        Ok(NodeKind::ChannelSplitter(node))
    })
}

#[op2(nofast)]
#[smi]
pub fn op_channel_merger_node_new(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    #[smi] ctx: u32,
    number_of_inputs: u32,
) -> Result<u32, WebAudioError> {
    create_node(&state, isolate, ctx, |ctx| {
        let node = ChannelMergerNode::new(&ctx.ctx, ChannelMergerOptions { number_of_inputs })?;
        Ok(NodeKind::ChannelMerger(node))
    })
}
