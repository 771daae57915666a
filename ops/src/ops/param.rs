//! AudioParam.

use deno_core::{OpState, op2};
use webaudio_engine::param::AutomationRate;

use crate::error::WebAudioError;
use crate::handles::handles;

/// `[defaultValue, minValue, maxValue]`.
#[op2]
#[serde]
pub fn op_audio_param_info(
    state: &OpState,
    #[smi] p: u32,
) -> Result<(f32, f32, f32), WebAudioError> {
    let p = handles(state).param(p)?;
    Ok((p.default_value(), p.min_value(), p.max_value()))
}

#[op2(fast)]
pub fn op_audio_param_value(state: &OpState, #[smi] p: u32) -> Result<f32, WebAudioError> {
    Ok(handles(state).param(p)?.value())
}

#[op2(fast)]
pub fn op_audio_param_set_value(
    state: &OpState,
    #[smi] p: u32,
    value: f32,
) -> Result<(), WebAudioError> {
    let p = handles(state).param(p)?;
    Ok(p.set_value(value)?)
}

#[op2]
#[string]
pub fn op_audio_param_automation_rate(
    state: &OpState,
    #[smi] p: u32,
) -> Result<&'static str, WebAudioError> {
    Ok(match handles(state).param(p)?.automation_rate() {
        AutomationRate::ARate => "a-rate",
        AutomationRate::KRate => "k-rate",
    })
}

#[op2(fast)]
pub fn op_audio_param_set_automation_rate(
    state: &OpState,
    #[smi] p: u32,
    #[string] rate: &str,
) -> Result<(), WebAudioError> {
    let p = handles(state).param(p)?;
    let rate = match rate {
        "a-rate" => AutomationRate::ARate,
        "k-rate" => AutomationRate::KRate,
        other => {
            return Err(WebAudioError::Type(format!(
                "invalid AutomationRate '{other}'"
            )));
        }
    };
    Ok(p.set_automation_rate(rate)?)
}

#[op2(fast)]
pub fn op_audio_param_set_value_at_time(
    state: &OpState,
    #[smi] p: u32,
    value: f32,
    start_time: f64,
) -> Result<(), WebAudioError> {
    let p = handles(state).param(p)?;
    Ok(p.set_value_at_time(value, start_time)?)
}

#[op2(fast)]
pub fn op_audio_param_linear_ramp_to_value_at_time(
    state: &OpState,
    #[smi] p: u32,
    value: f32,
    end_time: f64,
) -> Result<(), WebAudioError> {
    let p = handles(state).param(p)?;
    Ok(p.linear_ramp_to_value_at_time(value, end_time)?)
}

#[op2(fast)]
pub fn op_audio_param_exponential_ramp_to_value_at_time(
    state: &OpState,
    #[smi] p: u32,
    value: f32,
    end_time: f64,
) -> Result<(), WebAudioError> {
    let p = handles(state).param(p)?;
    Ok(p.exponential_ramp_to_value_at_time(value, end_time)?)
}

#[op2(fast)]
pub fn op_audio_param_set_target_at_time(
    state: &OpState,
    #[smi] p: u32,
    target: f32,
    start_time: f64,
    time_constant: f32,
) -> Result<(), WebAudioError> {
    let p = handles(state).param(p)?;
    Ok(p.set_target_at_time(target, start_time, time_constant as f64)?)
}

#[op2(fast)]
pub fn op_audio_param_set_value_curve_at_time(
    state: &OpState,
    #[smi] p: u32,
    #[buffer] values: &[f32],
    start_time: f64,
    duration: f64,
) -> Result<(), WebAudioError> {
    let p = handles(state).param(p)?;
    Ok(p.set_value_curve_at_time(values, start_time, duration)?)
}

#[op2(fast)]
pub fn op_audio_param_cancel_scheduled_values(
    state: &OpState,
    #[smi] p: u32,
    cancel_time: f64,
) -> Result<(), WebAudioError> {
    let p = handles(state).param(p)?;
    Ok(p.cancel_scheduled_values(cancel_time)?)
}

#[op2(fast)]
pub fn op_audio_param_cancel_and_hold_at_time(
    state: &OpState,
    #[smi] p: u32,
    cancel_time: f64,
) -> Result<(), WebAudioError> {
    let p = handles(state).param(p)?;
    Ok(p.cancel_and_hold_at_time(cancel_time)?)
}
