//! The render-side half of every node.

use crate::RENDER_QUANTUM_SIZE;
use crate::block::AudioBlock;
use crate::host::{HostSlot, RenderHost};
use crate::message::{EngineEvent, NodeId, NodeMessage};
use crate::queues::{EventQueue, GarbageQueue, Trash};

/// What a processor knows about the quantum being rendered.
pub struct RenderScope<'a> {
    /// Frame index (since the context started) of the first sample of this quantum.
    pub current_frame: u64,
    pub sample_rate: f32,
    /// The node being processed.
    pub node_id: NodeId,
    pub(crate) events: &'a EventQueue,
    pub(crate) garbage: &'a GarbageQueue,
    pub(crate) host: Option<&'a HostSlot>,
    /// Bit `i` set: a node is connected to input `i`.
    pub(crate) connected_inputs: u64,
    /// An actively processing node feeds one of the inputs.
    pub(crate) fed: bool,
    /// Set when something goes to the event or garbage queue, so the
    /// renderer wakes the housekeeping service.
    pub(crate) pushed: Option<&'a std::cell::Cell<bool>>,
}

impl<'a> RenderScope<'a> {
    pub fn new(
        current_frame: u64,
        sample_rate: f32,
        node_id: NodeId,
        events: &'a EventQueue,
        garbage: &'a GarbageQueue,
    ) -> Self {
        Self {
            current_frame,
            sample_rate,
            node_id,
            events,
            garbage,
            host: None,
            connected_inputs: 0,
            fed: false,
            pushed: None,
        }
    }

    /// Whether an actively processing node feeds any input this quantum
    /// (as of its last quantum for nodes later in a cycle).
    pub fn inputs_actively_processing(&self) -> bool {
        self.fed
    }

    /// The render thread's host (see [`crate::host`]), if one was made and
    /// it is not already borrowed.
    pub fn host(&self) -> Option<std::cell::RefMut<'_, dyn RenderHost>> {
        self.host?.borrow()
    }

    /// Bit `i` set: some node is connected to input `i` this quantum (the
    /// first 64 inputs). An AudioWorkletNode sees zero channels on an input
    /// with none; one that stopped processing still gives a channel of
    /// silence, as browsers and the WPT expect.
    pub fn connected_inputs(&self) -> u64 {
        self.connected_inputs
    }

    /// `currentTime` of the first sample of this quantum, in seconds.
    pub fn current_time(&self) -> f64 {
        self.current_frame as f64 / self.sample_rate as f64
    }

    /// Reports an event to the control thread. The queue is sized so it never
    /// fills in practice; if it does the event is dropped rather than blocking.
    pub fn post_event(&self, event: EngineEvent) {
        let _ = self.events.push(event);
        self.mark_pushed();
    }

    fn mark_pushed(&self) {
        if let Some(p) = self.pushed {
            p.set(true);
        }
    }

    /// Hands a replaced payload to the garbage thread instead of freeing it here.
    pub fn discard(&self, trash: Trash) {
        if let Err(trash) = self.garbage.push(trash) {
            // Never free on the render thread: a full garbage queue (which the
            // garbage thread drains continuously) leaks instead.
            std::mem::forget(trash);
        }
        self.mark_pushed();
    }
}

/// The computed values of one AudioParam for this quantum: one value when the
/// param is k-rate or constant over the quantum, otherwise 128 values.
#[derive(Debug, Clone, Copy)]
pub struct ParamBlock<'a>(&'a [f32]);

impl<'a> ParamBlock<'a> {
    /// `values` must have length 1 or [`RENDER_QUANTUM_SIZE`].
    pub fn new(values: &'a [f32]) -> Self {
        debug_assert!(values.len() == 1 || values.len() == RENDER_QUANTUM_SIZE);
        Self(values)
    }

    /// True when the value is the same for every frame of the quantum.
    pub fn is_constant(&self) -> bool {
        self.0.len() == 1
    }

    /// Value at `frame` (0..128) of the quantum.
    #[inline(always)]
    pub fn at(&self, frame: usize) -> f32 {
        if self.0.len() == 1 {
            self.0[0]
        } else {
            self.0[frame]
        }
    }

    /// The first frame's value (the value of a k-rate param).
    pub fn first(&self) -> f32 {
        self.0[0]
    }

    /// The raw values (length 1 or 128).
    pub fn as_slice(&self) -> &'a [f32] {
        self.0
    }
}

/// Inputs, outputs and params for one call of [`Processor::process`].
pub struct ProcessIo<'a> {
    /// One block per node input, already up/down-mixed to the input's computed
    /// number of channels (a disconnected input is one silent channel).
    pub inputs: &'a [AudioBlock],
    /// One block per node output. The processor sets their channel counts.
    pub outputs: &'a mut [AudioBlock],
    /// Computed values of the node's AudioParams, in the order the node
    /// declared them.
    pub params: &'a [ParamBlock<'a>],
}

/// The render half of a node. Runs on the render thread: no allocation, no
/// freeing, no locks, no I/O, no logging, no panics.
pub trait Processor: Send + 'static {
    /// Renders one quantum. Returns `true` while the node may still produce
    /// non-silent output with silent (or no) input: a playing or scheduled
    /// source, a delay or filter tail still ringing. Returning `false` lets the
    /// graph free the node once nothing references it.
    fn process(&mut self, io: ProcessIo<'_>, scope: &RenderScope<'_>) -> bool;

    /// Applies a message from the control thread. Replaced payloads go to
    /// [`RenderScope::discard`].
    fn handle_message(&mut self, message: NodeMessage, scope: &RenderScope<'_>) {
        let _ = (message, scope);
    }

    /// True once the node can never produce sound or events again, whatever
    /// it is sent or fed (an AudioScheduledSourceNode that ended). The graph
    /// then lets go of it at once, even while its control handle exists;
    /// later messages to it are discarded.
    fn has_finished(&self) -> bool {
        false
    }

    /// Called on the render thread when the node joins the graph, before
    /// its first `process`.
    fn on_add(&mut self, scope: &RenderScope<'_>) {
        let _ = scope;
    }

    /// Called on the render thread when the graph frees the node, before
    /// the processor goes to the garbage thread.
    fn on_remove(&mut self, scope: &RenderScope<'_>) {
        let _ = scope;
    }
}

/// Helpers for testing processors directly, without a graph.
#[cfg(any(test, feature = "test-util"))]
pub mod testing {
    use super::*;

    /// Owns the queues a [`RenderScope`] borrows.
    pub struct TestScope {
        pub events: EventQueue,
        pub garbage: GarbageQueue,
        pub sample_rate: f32,
    }

    impl TestScope {
        pub fn new(sample_rate: f32) -> Self {
            Self {
                events: EventQueue::new(1024),
                garbage: GarbageQueue::new(1024),
                sample_rate,
            }
        }

        pub fn scope(&self, current_frame: u64) -> RenderScope<'_> {
            RenderScope::new(
                current_frame,
                self.sample_rate,
                NodeId(0),
                &self.events,
                &self.garbage,
            )
        }
    }
}
