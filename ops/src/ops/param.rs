//! AudioParam.

use deno_core::op2;
use webaudio_engine::context::ParamHandle;
use webaudio_engine::param::AutomationRate;

use super::gc_resource;
use crate::error::WebAudioError;

pub struct ParamResource(pub ParamHandle);
gc_resource!(ParamResource, c"AudioParam");

/// `[defaultValue, minValue, maxValue]`.
#[op2]
#[serde]
pub fn op_audio_param_info(#[cppgc] p: &ParamResource) -> (f32, f32, f32) {
    (p.0.default_value(), p.0.min_value(), p.0.max_value())
}

#[op2(fast)]
pub fn op_audio_param_value(#[cppgc] p: &ParamResource) -> f32 {
    p.0.value()
}

#[op2(fast)]
pub fn op_audio_param_set_value(
    #[cppgc] p: &ParamResource,
    value: f32,
) -> Result<(), WebAudioError> {
    Ok(p.0.set_value(value)?)
}

#[op2]
#[string]
pub fn op_audio_param_automation_rate(#[cppgc] p: &ParamResource) -> &'static str {
    match p.0.automation_rate() {
        AutomationRate::ARate => "a-rate",
        AutomationRate::KRate => "k-rate",
    }
}

#[op2(fast)]
pub fn op_audio_param_set_automation_rate(
    #[cppgc] p: &ParamResource,
    #[string] rate: &str,
) -> Result<(), WebAudioError> {
    let rate = match rate {
        "a-rate" => AutomationRate::ARate,
        "k-rate" => AutomationRate::KRate,
        other => {
            return Err(WebAudioError::Type(format!(
                "invalid AutomationRate '{other}'"
            )));
        }
    };
    Ok(p.0.set_automation_rate(rate)?)
}

#[op2(fast)]
pub fn op_audio_param_set_value_at_time(
    #[cppgc] p: &ParamResource,
    value: f32,
    start_time: f64,
) -> Result<(), WebAudioError> {
    Ok(p.0.set_value_at_time(value, start_time)?)
}

#[op2(fast)]
pub fn op_audio_param_linear_ramp_to_value_at_time(
    #[cppgc] p: &ParamResource,
    value: f32,
    end_time: f64,
) -> Result<(), WebAudioError> {
    Ok(p.0.linear_ramp_to_value_at_time(value, end_time)?)
}

#[op2(fast)]
pub fn op_audio_param_exponential_ramp_to_value_at_time(
    #[cppgc] p: &ParamResource,
    value: f32,
    end_time: f64,
) -> Result<(), WebAudioError> {
    Ok(p.0.exponential_ramp_to_value_at_time(value, end_time)?)
}

#[op2(fast)]
pub fn op_audio_param_set_target_at_time(
    #[cppgc] p: &ParamResource,
    target: f32,
    start_time: f64,
    time_constant: f32,
) -> Result<(), WebAudioError> {
    Ok(p.0.set_target_at_time(target, start_time, time_constant as f64)?)
}

#[op2(fast)]
pub fn op_audio_param_set_value_curve_at_time(
    #[cppgc] p: &ParamResource,
    #[buffer] values: &[f32],
    start_time: f64,
    duration: f64,
) -> Result<(), WebAudioError> {
    Ok(p.0.set_value_curve_at_time(values, start_time, duration)?)
}

#[op2(fast)]
pub fn op_audio_param_cancel_scheduled_values(
    #[cppgc] p: &ParamResource,
    cancel_time: f64,
) -> Result<(), WebAudioError> {
    Ok(p.0.cancel_scheduled_values(cancel_time)?)
}

#[op2(fast)]
pub fn op_audio_param_cancel_and_hold_at_time(
    #[cppgc] p: &ParamResource,
    cancel_time: f64,
) -> Result<(), WebAudioError> {
    Ok(p.0.cancel_and_hold_at_time(cancel_time)?)
}
