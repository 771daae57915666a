//! AudioWorklet: an `AudioWorkletGlobalScope` realm that runs on a context's
//! render thread, and the processors of `AudioWorkletNode`s that call into it.
//!
//! The realm is its own `JsRuntime` (deno_webidl, deno_web and the
//! `webaudio_worklet` extension), made by a host task on the render thread
//! the first time a context's `audioWorklet` is used, and kept in the
//! engine's render-thread host slot ([`webaudio_engine::host`]). Module
//! sources are fetched on the JS thread and evaluated in the realm between
//! quanta; `registerProcessor` reports each name and its parameter
//! descriptors back with the `addModule` result.
//!
//! Each quantum an AudioWorkletNode's processor calls one JS function of
//! the realm with its slot number. That function has one fast op fill the
//! node's exchange buffer (layout header, input samples, param values),
//! copies them into the `Float32Array`s `process()` sees (made once per
//! layout and reused), calls `process()`, copies the outputs back and has a
//! second op take them. Steady-state rendering allocates nothing outside the
//! JS engine.

mod ext;
mod processor;
mod realm;

pub use processor::{WorkletNode, WorkletNodeOptions};
pub use realm::{
    ErrorInfo, JS_ENGINE_SECTION_HOOK, ModuleError, RealmReport, RegisteredProcessor, ReportSender,
};

use serde::{Deserialize, Serialize};

/// One `AudioParamDescriptor` as `registerProcessor` validated it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParamDescriptorData {
    pub name: String,
    pub default_value: f32,
    pub min_value: f32,
    pub max_value: f32,
    /// `"a-rate"` or `"k-rate"`.
    pub automation_rate: String,
}

pub use realm::{add_module, init_realm};

/// The process's one store of SharedArrayBuffer backing stores: every
/// runtime (the main one and each worklet scope) is given it, so a
/// SharedArrayBuffer posted through a MessagePort is shared, not refused.
pub fn shared_array_buffer_store() -> deno_core::SharedArrayBufferStore {
    static STORE: std::sync::OnceLock<deno_core::SharedArrayBufferStore> =
        std::sync::OnceLock::new();
    STORE.get_or_init(Default::default).clone()
}
