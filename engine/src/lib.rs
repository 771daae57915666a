//! The webaudio-run audio engine: render graph, DSP nodes, AudioParam
//! timelines, render thread and sinks. Nothing in here knows about JavaScript.
//!
//! Two halves meet here. The *control* half lives on the JS thread and is what
//! the `ops` crate calls; the *render* half runs on the real-time thread and
//! must never allocate, free, lock, log or block. They talk only through the
//! lock-free queues of [`queues`].

pub mod block;
pub mod buffer;
pub mod decode;
pub mod message;
pub mod node;
pub mod processor;
pub mod queues;

/// Frames in one render quantum.
pub const RENDER_QUANTUM_SIZE: usize = 128;

/// The most channels any node input or output can carry (the spec requires
/// at least 32).
pub const MAX_CHANNELS: usize = 32;
