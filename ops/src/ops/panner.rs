//! PannerNode.

use std::cell::RefCell;
use std::rc::Rc;

use deno_core::{OpState, op2, v8};
use webaudio_engine::node::panner::{DistanceModel, PannerNode, PannerOptions, PanningModel};

use super::node::{NodeKind, create_node};
use crate::error::WebAudioError;
use crate::handles::handles;

fn panner(state: &OpState, id: u32) -> Result<&PannerNode, WebAudioError> {
    match handles(state).node(id)?.kind() {
        NodeKind::Panner(n) => Ok(n),
        _ => Err(WebAudioError::Type(
            "Illegal invocation: not a PannerNode".into(),
        )),
    }
}

fn panning_model(value: &str) -> Result<PanningModel, WebAudioError> {
    match value {
        "equalpower" => Ok(PanningModel::EqualPower),
        "HRTF" => Ok(PanningModel::Hrtf),
        other => Err(WebAudioError::Type(format!(
            "invalid PanningModelType '{other}'"
        ))),
    }
}

fn distance_model(value: &str) -> Result<DistanceModel, WebAudioError> {
    match value {
        "linear" => Ok(DistanceModel::Linear),
        "inverse" => Ok(DistanceModel::Inverse),
        "exponential" => Ok(DistanceModel::Exponential),
        other => Err(WebAudioError::Type(format!(
            "invalid DistanceModelType '{other}'"
        ))),
    }
}

/// `numbers`: positionX/Y/Z, orientationX/Y/Z (already WebIDL floats),
/// refDistance, maxDistance, rolloffFactor, coneInnerAngle, coneOuterAngle,
/// coneOuterGain.
#[op2(nofast)]
#[smi]
pub fn op_panner_node_new(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    #[smi] ctx: u32,
    #[string] panning: &str,
    #[string] distance: &str,
    #[buffer] numbers: &[f64],
) -> Result<u32, WebAudioError> {
    create_node(&state, isolate, ctx, |ctx| {
        let [
            px,
            py,
            pz,
            ox,
            oy,
            oz,
            ref_distance,
            max_distance,
            rolloff_factor,
            inner,
            outer,
            gain,
        ] = <[f64; 12]>::try_from(numbers)
            .map_err(|_| WebAudioError::Type("PannerNode: malformed options".into()))?;
        let options = PannerOptions {
            panning_model: panning_model(panning)?,
            distance_model: distance_model(distance)?,
            position: [px as f32, py as f32, pz as f32],
            orientation: [ox as f32, oy as f32, oz as f32],
            ref_distance,
            max_distance,
            rolloff_factor,
            cone_inner_angle: inner,
            cone_outer_angle: outer,
            cone_outer_gain: gain,
        };
        let node = PannerNode::new(&ctx.ctx, ctx.listener()?, options)?;
        Ok(NodeKind::Panner(node))
    })
}

#[op2]
#[string]
pub fn op_panner_node_panning_model(
    state: &OpState,
    #[smi] node: u32,
) -> Result<&'static str, WebAudioError> {
    Ok(match panner(state, node)?.options().panning_model {
        PanningModel::EqualPower => "equalpower",
        PanningModel::Hrtf => "HRTF",
    })
}

#[op2(fast)]
pub fn op_panner_node_set_panning_model(
    state: &OpState,
    #[smi] node: u32,
    #[string] value: &str,
) -> Result<(), WebAudioError> {
    panner(state, node)?.set_panning_model(panning_model(value)?);
    Ok(())
}

#[op2]
#[string]
pub fn op_panner_node_distance_model(
    state: &OpState,
    #[smi] node: u32,
) -> Result<&'static str, WebAudioError> {
    Ok(match panner(state, node)?.options().distance_model {
        DistanceModel::Linear => "linear",
        DistanceModel::Inverse => "inverse",
        DistanceModel::Exponential => "exponential",
    })
}

#[op2(fast)]
pub fn op_panner_node_set_distance_model(
    state: &OpState,
    #[smi] node: u32,
    #[string] value: &str,
) -> Result<(), WebAudioError> {
    panner(state, node)?.set_distance_model(distance_model(value)?);
    Ok(())
}

/// The double attributes by index: refDistance, maxDistance, rolloffFactor,
/// coneInnerAngle, coneOuterAngle, coneOuterGain.
#[op2(fast)]
pub fn op_panner_node_attribute(
    state: &OpState,
    #[smi] node: u32,
    index: u32,
) -> Result<f64, WebAudioError> {
    let o = panner(state, node)?.options();
    Ok(match index {
        0 => o.ref_distance,
        1 => o.max_distance,
        2 => o.rolloff_factor,
        3 => o.cone_inner_angle,
        4 => o.cone_outer_angle,
        5 => o.cone_outer_gain,
        _ => return Err(WebAudioError::IndexSize(format!("no attribute {index}"))),
    })
}

#[op2(fast)]
pub fn op_panner_node_set_attribute(
    state: &OpState,
    #[smi] node: u32,
    index: u32,
    value: f64,
) -> Result<(), WebAudioError> {
    let p = panner(state, node)?;
    match index {
        0 => p.set_ref_distance(value)?,
        1 => p.set_max_distance(value)?,
        2 => p.set_rolloff_factor(value)?,
        3 => p.set_cone_inner_angle(value),
        4 => p.set_cone_outer_angle(value),
        5 => p.set_cone_outer_gain(value)?,
        _ => return Err(WebAudioError::IndexSize(format!("no attribute {index}"))),
    }
    Ok(())
}
