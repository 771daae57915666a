//! The deno_core extension that binds the webaudio-run engine to JavaScript.
//!
//! Ops are thin: argument conversion and validation happen in `js/` through
//! `deno_webidl`, the engine's control API does the spec's checks and
//! returns typed errors, and [`error::WebAudioError`] gives each its JS class.
//! Engine handles are cppgc objects owned by the JS wrappers, so when a
//! wrapper is garbage collected its handle is dropped and the render side
//! frees the node once it can no longer make sound.

pub mod error;
mod ops;

pub use error::WebAudioError;
pub use ops::context::close_all_realtime_contexts;

deno_core::extension!(
    webaudio,
    deps = [deno_webidl, deno_web],
    ops = [
        ops::context::op_audio_context_new,
        ops::context::op_audio_context_resume,
        ops::context::op_audio_context_suspend,
        ops::context::op_audio_context_close,
        ops::context::op_audio_context_base_latency,
        ops::context::op_audio_context_output_latency,
        ops::context::op_audio_context_output_timestamp,
        ops::context::op_offline_audio_context_new,
        ops::context::op_offline_audio_context_start_rendering,
        ops::context::op_offline_audio_context_suspend,
        ops::context::op_offline_audio_context_resume,
        ops::context::op_offline_audio_context_copy_rendered,
        ops::context::op_base_audio_context_sample_rate,
        ops::context::op_base_audio_context_current_time,
        ops::context::op_base_audio_context_destination,
        ops::context::op_base_audio_context_listener_param,
        ops::context::op_base_audio_context_may_make_sound,
        ops::context::op_base_audio_context_next_event,
        ops::decode::op_base_audio_context_decode_audio_data,
        ops::node::op_audio_node_connect,
        ops::node::op_audio_node_connect_param,
        ops::node::op_audio_node_disconnect,
        ops::node::op_audio_node_disconnect_output,
        ops::node::op_audio_node_disconnect_node,
        ops::node::op_audio_node_disconnect_node_output,
        ops::node::op_audio_node_disconnect_node_output_input,
        ops::node::op_audio_node_disconnect_param,
        ops::node::op_audio_node_disconnect_param_output,
        ops::node::op_audio_node_channel_config,
        ops::node::op_audio_node_set_channel_count,
        ops::node::op_audio_node_set_channel_count_mode,
        ops::node::op_audio_node_set_channel_interpretation,
        ops::node::op_audio_node_number_of_inputs,
        ops::node::op_audio_node_number_of_outputs,
        ops::node::op_audio_node_id,
        ops::node::op_audio_node_param,
        ops::node::op_audio_scheduled_source_node_start,
        ops::node::op_audio_scheduled_source_node_stop,
        ops::node::op_audio_destination_node_max_channel_count,
        ops::node::op_gain_node_new,
        ops::node::op_constant_source_node_new,
        ops::script_processor::op_script_processor_node_new,
        ops::script_processor::op_script_processor_node_info,
        ops::script_processor::op_script_processor_node_take_input,
        ops::script_processor::op_script_processor_node_give_output,
        ops::script_processor::op_script_processor_node_underruns,
        ops::param::op_audio_param_info,
        ops::param::op_audio_param_value,
        ops::param::op_audio_param_set_value,
        ops::param::op_audio_param_automation_rate,
        ops::param::op_audio_param_set_automation_rate,
        ops::param::op_audio_param_set_value_at_time,
        ops::param::op_audio_param_linear_ramp_to_value_at_time,
        ops::param::op_audio_param_exponential_ramp_to_value_at_time,
        ops::param::op_audio_param_set_target_at_time,
        ops::param::op_audio_param_set_value_curve_at_time,
        ops::param::op_audio_param_cancel_scheduled_values,
        ops::param::op_audio_param_cancel_and_hold_at_time,
    ],
    lazy_loaded_js = [
        dir "js",
        "00_webidl_audio.js",
        "01_audio_buffer.js",
        "10_audio_param.js",
        "11_audio_node.js",
        "12_base_audio_context.js",
        "20_gain_node.js",
        "21_constant_source_node.js",
        "22_script_processor_node.js",
        "30_audio_context.js",
        "31_offline_audio_context.js",
        "40_decode_audio_data.js",
        "99_global_scope.js",
    ],
);
