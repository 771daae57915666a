//! One file per node: options, control-side handle, render-side processor and
//! tests together.

pub mod audio_listener;
pub mod constant_source;
pub mod delay;
pub mod destination;
pub mod gain;
pub mod scheduled_source;
