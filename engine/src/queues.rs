//! The lock-free queues between the control thread, the render thread and the
//! garbage thread.

use crossbeam_queue::ArrayQueue;

use crate::message::EngineEvent;

/// Anything the render thread is done with. It is moved to the garbage thread
/// to be dropped there, so the render thread never frees memory.
pub type Trash = Box<dyn std::any::Any + Send>;

/// Render-to-control events.
pub type EventQueue = ArrayQueue<EngineEvent>;

/// Render-to-garbage-thread payloads.
pub type GarbageQueue = ArrayQueue<Trash>;
