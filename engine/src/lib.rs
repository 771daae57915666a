//! The webaudio-run audio engine: render graph, DSP nodes, AudioParam
//! timelines, render thread and sinks. Nothing in here knows about JavaScript.
//!
//! Two halves meet here. The *control* half lives on the JS thread and is what
//! the `ops` crate calls; the *render* half runs on the real-time thread and
//! must never allocate, free, lock, log or block. They talk only through the
//! lock-free queues of [`queues`].
//!
//! # Using the control API
//!
//! ```
//! use webaudio_engine::node::constant_source::{ConstantSourceNode, ConstantSourceOptions};
//! use webaudio_engine::node::gain::{GainNode, GainOptions};
//! use webaudio_engine::{Context, OfflineOptions};
//!
//! let ctx = Context::new_offline(OfflineOptions {
//!     number_of_channels: 1,
//!     length: 256,
//!     sample_rate: 8000.0,
//! })?;
//! let src = ConstantSourceNode::new(&ctx, ConstantSourceOptions { offset: 0.5 })?;
//! let gain = GainNode::new(&ctx, GainOptions { gain: 0.5, ..Default::default() })?;
//! src.node().connect(gain.node(), 0, 0)?;
//! gain.node().connect(&ctx.destination(), 0, 0)?;
//! gain.gain().linear_ramp_to_value_at_time(1.0, 0.016)?;
//! src.start(0.0)?;
//! let rendered = ctx.render_blocking()?; // or start_rendering() + events
//! assert_eq!(rendered[0][0], 0.25);
//! # Ok::<(), webaudio_engine::Error>(())
//! ```
//!
//! A host (the `ops` crate) typically: creates a [`Context`]; wraps node
//! handles (`node::*::…Node`, or [`Context::create_node`] for its own
//! processors) in JS objects; calls [`Context::flush`] at the end of each JS
//! task so the task's changes reach the render thread together; and runs one
//! async loop on [`Context::next_event`] to fire `ended` and `statechange`,
//! settle `resume`/`suspend`/`close` promises and complete offline
//! rendering.
//! [`Context::may_make_sound`] tells whether a running context still has
//! anything scheduled or ringing.

#[cfg(any(test, feature = "test-util"))]
pub mod alloc_check;
pub mod block;
pub mod buffer;
pub mod context;
pub mod decode;
pub mod error;
pub mod fallible;
pub mod graph;
pub mod host;
pub mod message;
pub mod mixing;
pub mod node;
pub mod param;
pub mod processor;
pub mod queues;
pub mod render;
pub mod service;
mod sink;

pub use context::{
    ChannelConstraints, Context, ContextState, CountRule, LatencyHint, ModeRule, NodeHandle,
    NodeSpec, OfflineOptions, OutputTimestamp, ParamHandle, RealtimeOptions, RenderLoad,
    SinkChoice,
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
