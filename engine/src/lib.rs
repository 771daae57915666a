//! The webaudio-run audio engine: render graph, DSP nodes, AudioParam
//! timelines, render thread and sinks. Nothing in here knows about JavaScript.
//!
//! Two halves meet here. The *control* half lives on the JS thread and is what
//! the `ops` crate calls; the *render* half runs on the real-time thread and
//! must never allocate, free, lock, log or block. They talk only through the
//! lock-free queues of [`queues`].

pub mod block;
pub mod buffer;
pub mod context;
pub mod error;
pub mod graph;
pub mod message;
pub mod mixing;
pub mod node;
pub mod param;
pub mod processor;
pub mod queues;
pub mod render;
mod sink;

pub use context::{
    ChannelConstraints, Context, ContextState, CountRule, LatencyHint, ModeRule, NodeHandle,
    NodeSpec, OfflineOptions, OutputTimestamp, ParamHandle, RealtimeOptions, SinkChoice,
};
pub use error::{Error, ErrorKind};
pub use mixing::{ChannelConfig, ChannelCountMode, ChannelInterpretation};

/// Called on every thread that starts rendering (the render thread, the
/// offline worker, the device callback's thread on its first callback).
/// For instrumentation such as allocation checks in tests; set it once
/// before creating contexts.
pub static RENDER_THREAD_HOOK: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

pub(crate) fn enter_render_thread() {
    if let Some(hook) = RENDER_THREAD_HOOK.get() {
        hook();
    }
}

/// Frames in one render quantum.
pub const RENDER_QUANTUM_SIZE: usize = 128;

/// The most channels any node input or output can carry (the spec requires
/// at least 32).
pub const MAX_CHANNELS: usize = 32;
