//! DelayNode, StereoPannerNode, ChannelSplitterNode and ChannelMergerNode
//! constructors. Their attributes are the AudioNode ones and their params go
//! through `op_audio_node_param`.

use deno_core::op2;
use webaudio_engine::node::channel_merger::{ChannelMergerNode, ChannelMergerOptions};
use webaudio_engine::node::channel_splitter::{ChannelSplitterNode, ChannelSplitterOptions};
use webaudio_engine::node::delay::{DelayNode, DelayOptions};
use webaudio_engine::node::stereo_panner::{StereoPannerNode, StereoPannerOptions};

use super::context::ContextResource;
use super::node::{NodeKind, NodeResource};
use crate::error::WebAudioError;

#[op2]
#[cppgc]
pub fn op_delay_node_new(
    #[cppgc] ctx: &ContextResource,
    max_delay_time: f64,
    delay_time: f64,
) -> Result<NodeResource, WebAudioError> {
    let node = DelayNode::new(
        &ctx.ctx,
        DelayOptions {
            max_delay_time,
            delay_time,
            ..Default::default()
        },
    )?;
    Ok(NodeResource::new(NodeKind::Delay(node)))
}

#[op2]
#[cppgc]
pub fn op_stereo_panner_node_new(
    #[cppgc] ctx: &ContextResource,
    pan: f32,
) -> Result<NodeResource, WebAudioError> {
    let node = StereoPannerNode::new(&ctx.ctx, StereoPannerOptions { pan })?;
    Ok(NodeResource::new(NodeKind::StereoPanner(node)))
}

#[op2]
#[cppgc]
pub fn op_channel_splitter_node_new(
    #[cppgc] ctx: &ContextResource,
    number_of_outputs: u32,
) -> Result<NodeResource, WebAudioError> {
    let node = ChannelSplitterNode::new(&ctx.ctx, ChannelSplitterOptions { number_of_outputs })?;
    Ok(NodeResource::new(NodeKind::ChannelSplitter(node)))
}

#[op2]
#[cppgc]
pub fn op_channel_merger_node_new(
    #[cppgc] ctx: &ContextResource,
    number_of_inputs: u32,
) -> Result<NodeResource, WebAudioError> {
    let node = ChannelMergerNode::new(&ctx.ctx, ChannelMergerOptions { number_of_inputs })?;
    Ok(NodeResource::new(NodeKind::ChannelMerger(node)))
}
