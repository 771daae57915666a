//! The render half of a context: applies commands at the start of each
//! quantum, runs every node in processing order and hands the destination's
//! input to the sink. Nothing here allocates, frees, locks or blocks.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};

use crossbeam_queue::ArrayQueue;

use crate::block::AudioBlock;
use crate::graph::{InEdge, OrderEntry, RenderNode, SHARED_INPUTS, Target, Topology};
use crate::host::{HostSlot, HostTask};
use crate::message::{EngineEvent, NodeId, NodeMessage};
use crate::mixing::{ChannelConfig, mix_add, mix_add_mono};
use crate::param::ParamCommand;
use crate::processor::{ParamBlock, ProcessIo, RenderScope};
use crate::queues::{Link, Trash};

/// The most AudioParams one node may declare (ParamBlocks for a node are
/// gathered in a stack array of this size).
pub const MAX_PARAMS: usize = 64;

/// `AudioContextState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextState {
    Suspended,
    Running,
    Closed,
}

impl ContextState {
    fn to_u8(self) -> u8 {
        self as u8
    }
    pub(crate) fn from_u8(v: u8) -> Self {
        match v {
            0 => Self::Suspended,
            1 => Self::Running,
            _ => Self::Closed,
        }
    }
}

/// Node table storage: indexed by id, `len == capacity`.
pub(crate) type NodeTable = Vec<Option<Box<RenderNode>>>;

/// Everything the control side can ask of the render thread.
pub(crate) enum Command {
    /// `slot`: (order generation, slot) to put the node in (the control
    /// side knows it is free); otherwise the next order lists it.
    AddNode {
        node: Box<RenderNode>,
        slot: Option<(u32, u32)>,
    },
    /// One more edge into `dst`, after a bigger vector when `storage` comes.
    #[allow(clippy::box_collection)]
    AddEdge {
        dst: NodeId,
        edge: InEdge,
        storage: Option<Box<Vec<InEdge>>>,
    },
    RemoveEdge {
        dst: NodeId,
        edge: InEdge,
    },
    /// Every edge from `src` (a node that is gone) into `dst` goes.
    RemoveEdgesFrom {
        dst: NodeId,
        src: NodeId,
    },
    /// Slots of the order, if it is still `generation`.
    #[allow(clippy::box_collection)]
    SetOrderSlots {
        generation: u32,
        slots: Box<Vec<(u32, OrderEntry)>>,
    },
    /// A bigger node table; the render thread moves its nodes over.
    GrowTable(Box<NodeTable>),
    /// A whole new processing order (when cycles are involved, or the
    /// order has no room left).
    SetTopology(Box<Topology>),
    Param {
        node: NodeId,
        index: u32,
        command: ParamCommand,
    },
    Message {
        node: NodeId,
        message: NodeMessage,
    },
    ChannelConfig {
        node: NodeId,
        config: ChannelConfig,
    },
    HandleDropped(NodeId),
    SetState(ContextState),
    /// Work for the render thread's host (see [`crate::host`]).
    Host(HostTask),
}

pub(crate) type CommandQueue = ArrayQueue<Command>;

/// Render-thread state the control side reads.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub current_frame: AtomicU64,
    pub state: AtomicU8,
    /// Nodes whose last `process` said they may still produce sound.
    pub active_nodes: AtomicUsize,
    /// Nodes present in the render thread's table.
    pub render_nodes: AtomicUsize,
    /// Commands applied so far (compared with the control side's count sent).
    pub applied: AtomicU64,
    /// An AudioWorklet scope (a host) lives on the render thread.
    pub has_host: AtomicBool,
}

pub(crate) struct Renderer {
    pub sample_rate: f32,
    pub frame: u64,
    pub state: ContextState,
    nodes: Box<NodeTable>,
    topology: Box<Topology>,
    pub destination: NodeId,
    link: Arc<Link>,
    pub shared: Arc<Shared>,
    applied: u64,
    node_count: usize,
    host: HostSlot,
    /// Taken out while a quantum renders (`render_quantum`).
    scratch: Option<Box<Scratch>>,
    /// Something went to the garbage or event queue since the service was
    /// last told.
    pushed: Cell<bool>,
}

impl Drop for Renderer {
    fn drop(&mut self) {
        // The nodes are dropped right after this, on this thread: the
        // render side is over (the context finished, closed or went away).
        self.link.retire();
    }
}

static SILENT_PARAM: [f32; 1] = [0.0];

type ParamValues = [[f32; crate::RENDER_QUANTUM_SIZE]; MAX_PARAMS];

/// The inputs and params of the node being processed: mixed and computed
/// right before its `process` and read only by it, so one set serves every
/// node (a node keeps no per-input or per-param sample buffers of its own).
struct Scratch {
    /// [`SHARED_INPUTS`] blocks, each able to hold any channel count.
    inputs: Vec<AudioBlock>,
    values: ParamValues,
    /// How many of `values[i]` are meaningful: 1 for a constant quantum.
    lens: [usize; MAX_PARAMS],
    /// Connected outputs mixed to mono, for the param being computed.
    input: [f32; crate::RENDER_QUANTUM_SIZE],
}

impl Scratch {
    fn new() -> Box<Self> {
        Box::new(Self {
            inputs: (0..SHARED_INPUTS).map(|_| AudioBlock::new(1)).collect(),
            values: [[0.0; crate::RENDER_QUANTUM_SIZE]; MAX_PARAMS],
            lens: [1; MAX_PARAMS],
            input: [0.0; crate::RENDER_QUANTUM_SIZE],
        })
    }
}

/// What feeds a node's inputs this quantum (see `Renderer::input_feeds`).
#[derive(Debug, Clone, Copy, Default)]
struct InputFeeds {
    /// Bit `i`: a node is connected to input `i`.
    connected: u64,
    /// An actively processing node is connected to some input.
    fed: bool,
}

impl Renderer {
    pub fn new(
        sample_rate: f32,
        nodes: Box<NodeTable>,
        link: Arc<Link>,
        shared: Arc<Shared>,
    ) -> Self {
        Self {
            sample_rate,
            frame: 0,
            state: ContextState::Suspended,
            nodes,
            topology: Box::default(),
            destination: NodeId(0),
            link,
            shared,
            applied: 0,
            node_count: 0,
            host: HostSlot::new(),
            scratch: Some(Scratch::new()),
            pushed: Cell::new(false),
        }
    }

    /// Puts the destination (id 0, already in the table) alone in the order.
    /// Control side, at construction.
    pub fn install_destination(&mut self) {
        let order = vec![OrderEntry::node(self.destination)];
        *self.topology = Topology {
            order,
            generation: 0,
        };
        self.node_count = 1;
    }

    pub fn post(&self, event: EngineEvent) {
        let _ = self.link.events.push(event);
        self.pushed.set(true);
    }

    pub fn set_state(&mut self, state: ContextState) {
        if self.state != state {
            self.state = state;
            self.shared.state.store(state.to_u8(), Ordering::Release);
            self.post(EngineEvent::StateChange(state));
        }
    }

    fn discard(&self, trash: Trash) {
        discard_into(&self.link, &self.pushed, trash);
    }

    fn scope(&self, node_id: NodeId) -> RenderScope<'_> {
        let mut scope = RenderScope::new(
            self.frame,
            self.sample_rate,
            node_id,
            &self.link.events,
            &self.link.garbage,
        );
        scope.host = Some(&self.host);
        scope.pushed = Some(&self.pushed);
        scope
    }

    /// Applies every queued command.
    pub fn drain_commands(&mut self) {
        while let Some(cmd) = self.link.commands.pop() {
            self.applied += 1;
            self.apply(cmd);
        }
        self.shared.applied.store(self.applied, Ordering::Release);
        self.host.service(self.frame);
        self.notify_service();
    }

    /// Tells the housekeeping service about garbage, events or commands
    /// waiting for room (a flag and at most one unpark; no lock).
    fn notify_service(&self) {
        if self.pushed.replace(false) || self.link.overflowing.load(Ordering::Acquire) {
            self.link.signal_service();
        }
    }

    /// Whether a host (an AudioWorklet scope) lives on this render thread:
    /// it keeps the thread serving commands after offline rendering ends.
    pub fn has_host(&self) -> bool {
        !self.host.is_empty()
    }

    /// Waits, without a timeout, until the control side sends a command or
    /// wakes the render thread (or the host's own work wakes it, for a
    /// host that waits in its event loop). For a render thread with nothing
    /// to render: not started, suspended, or done but keeping a host.
    pub fn wait_for_work(&mut self) {
        let wake = &self.link.render;
        wake.bind_current_thread();
        if !self.link.commands.is_empty() || !wake.begin_idle() {
            return;
        }
        // Pairs with the fence after a push on the control side: either it
        // sees `idle`, or this sees its command.
        std::sync::atomic::fence(Ordering::SeqCst);
        if self.link.commands.is_empty() && !self.host.idle(wake) {
            while !wake.take() {
                std::thread::park();
            }
        }
        wake.end_idle();
    }

    fn apply(&mut self, cmd: Command) {
        match cmd {
            Command::AddNode { mut node, slot } => {
                let id = node.id;
                node.processor.on_add(&self.scope(id));
                let i = id.0 as usize;
                if i >= self.nodes.len() {
                    // The control side grows the table first; never reached.
                    self.discard(node);
                    return;
                }
                if let Some(mut old) = self.nodes[i].replace(node) {
                    old.processor.on_remove(&self.scope(old.id));
                    self.discard(old);
                } else {
                    self.node_count += 1;
                }
                if let Some((generation, slot)) = slot {
                    self.set_slot(generation, slot, OrderEntry::node(id));
                }
            }
            Command::AddEdge { dst, edge, storage } => {
                let (link, pushed) = (&self.link, &self.pushed);
                match self.nodes.get_mut(dst.0 as usize) {
                    Some(Some(n)) => {
                        if let Some(mut fresh) = storage {
                            if fresh.capacity() > n.incoming.capacity() && fresh.is_empty() {
                                // Moving into it does not allocate.
                                fresh.extend(n.incoming.drain(..));
                                fresh = std::mem::replace(&mut n.incoming, fresh);
                            }
                            discard_into(link, pushed, fresh);
                        }
                        // The control side sends room before it runs out.
                        if n.incoming.len() < n.incoming.capacity() {
                            n.incoming.push(edge);
                        }
                    }
                    _ => {
                        if let Some(fresh) = storage {
                            discard_into(link, pushed, fresh);
                        }
                    }
                }
            }
            Command::RemoveEdge { dst, edge } => {
                if let Some(Some(n)) = self.nodes.get_mut(dst.0 as usize) {
                    n.incoming.retain(|e| *e != edge);
                }
            }
            Command::RemoveEdgesFrom { dst, src } => {
                if let Some(Some(n)) = self.nodes.get_mut(dst.0 as usize) {
                    // `src` is gone for good, but its connections are not:
                    // no script can remove them any more, so the inputs
                    // they reached stay connected (to silence).
                    let mut ghosts = 0u64;
                    n.incoming.retain(|e| {
                        if e.src != src {
                            return true;
                        }
                        if let Target::Input(i) = e.target
                            && i < 64
                        {
                            ghosts |= 1 << i;
                        }
                        false
                    });
                    n.ghost_inputs |= ghosts;
                }
            }
            Command::SetOrderSlots { generation, slots } => {
                for &(slot, entry) in slots.iter() {
                    self.set_slot(generation, slot, entry);
                }
                self.discard(slots);
            }
            Command::GrowTable(mut table) => {
                for (new, old) in table.iter_mut().zip(self.nodes.iter_mut()) {
                    *new = old.take();
                }
                let old = std::mem::replace(&mut self.nodes, table);
                self.discard(old);
            }
            Command::SetTopology(t) => {
                let old = std::mem::replace(&mut self.topology, t);
                self.discard(old);
            }
            Command::Param {
                node,
                index,
                command,
            } => {
                let (link, pushed) = (&self.link, &self.pushed);
                let mut discard = |t| discard_into(link, pushed, t);
                match self.nodes.get_mut(node.0 as usize) {
                    Some(Some(n)) => match n.params.get_mut(index as usize) {
                        Some(p) => p.renderer.apply(command, &mut discard),
                        None => command.discard(&mut discard),
                    },
                    // The node was let go (an ended source): its heap parts
                    // go to the service, as any replaced payload.
                    _ => command.discard(&mut discard),
                }
            }
            Command::Message { node, message } => {
                let Some(Some(mut n)) = self.nodes.get_mut(node.0 as usize).map(Option::take)
                else {
                    let (link, pushed) = (&self.link, &self.pushed);
                    message.discard(&mut |t| discard_into(link, pushed, t));
                    return;
                };
                n.processor.handle_message(message, &self.scope(node));
                self.nodes[node.0 as usize] = Some(n);
            }
            Command::ChannelConfig { node, config } => {
                if let Some(Some(n)) = self.nodes.get_mut(node.0 as usize) {
                    n.config = config;
                }
            }
            Command::HandleDropped(node) => {
                if let Some(Some(n)) = self.nodes.get_mut(node.0 as usize) {
                    n.handle_alive = false;
                }
            }
            Command::SetState(state) => self.set_state(state),
            Command::Host(mut task) => {
                self.host.run(&mut task, self.frame, self.sample_rate);
                self.discard(task);
                if !self.host.is_empty() {
                    self.shared.has_host.store(true, Ordering::Release);
                }
            }
        }
    }

    /// Puts `entry` in `slot` of the order if it is still `generation` (one
    /// slot past the end extends it, within its capacity).
    fn set_slot(&mut self, generation: u32, slot: u32, entry: OrderEntry) {
        if generation != self.topology.generation {
            return;
        }
        let order = &mut self.topology.order;
        let s = slot as usize;
        if s < order.len() {
            order[s] = entry;
        } else if s == order.len() && order.len() < order.capacity() {
            order.push(entry);
        }
    }

    /// Renders one quantum: every node in processing order, freeing the
    /// nodes that became unreachable and silent. The sink then reads
    /// [`Renderer::destination_block`]. Commands are drained by the caller.
    pub fn render_quantum(&mut self) {
        let Some(mut scratch) = self.scratch.take() else {
            return;
        };
        let mut active = 0;
        for k in 0..self.topology.order.len() {
            let entry = self.topology.order[k];
            let i = entry.id.0 as usize;
            let Some(Some(mut node)) = self.nodes.get_mut(i).map(Option::take) else {
                continue;
            };
            if node.free_next
                && (node.finished || (!node.handle_alive && !self.has_live_input(&node.incoming)))
            {
                self.node_count -= 1;
                node.processor.on_remove(&self.scope(node.id));
                self.discard(node);
                continue;
            }
            let was_active = node.active;
            let feeds = self.input_feeds(&node.incoming, node.ghost_inputs);
            // Out of the node while it runs: `process` borrows the node.
            let mut own_inputs = std::mem::take(&mut node.inputs.own);
            self.process_node(&mut node, &mut own_inputs, &entry, feeds, &mut scratch);
            node.inputs.own = own_inputs;
            if node.active {
                active += 1;
            }
            // A source that ended during this quantum still played in it.
            node.processing = was_active || node.active || feeds.fed;
            if !node.processing && node.id != self.destination {
                // Not actively processing: one channel of silence, as the
                // spec says (what an AudioWorkletNode downstream sees).
                for o in &mut node.outputs {
                    if o.is_silent() && o.number_of_channels() != 1 {
                        o.make_silent_with_channels(1);
                    }
                }
            }
            // A source that ended can never sound again: it leaves the
            // graph (after this quantum's output is read) even while a
            // handle exists; the control side keeps its id and edges.
            node.finished = node.processor.has_finished();
            node.free_next = node.finished
                || (!node.active && !node.handle_alive && !self.has_live_input(&node.incoming));
            self.nodes[i] = Some(node);
        }
        self.scratch = Some(scratch);
        self.frame += crate::RENDER_QUANTUM_SIZE as u64;
        self.shared
            .current_frame
            .store(self.frame, Ordering::Release);
        self.shared.active_nodes.store(active, Ordering::Release);
        self.shared
            .render_nodes
            .store(self.node_count, Ordering::Release);
        self.notify_service();
    }

    /// What the destination received in the last rendered quantum.
    pub fn destination_block(&self) -> Option<&AudioBlock> {
        // The destination processor copies its mixed input to its output
        // (its input block is skipped when it can read a source in place).
        self.nodes
            .get(self.destination.0 as usize)?
            .as_ref()?
            .outputs
            .first()
    }

    /// Which inputs have a node connected and whether any of those is
    /// actively processing (nodes later in the order, in a cycle, count as
    /// of last quantum), in one pass over the incoming edges. A connected
    /// node the render side let go of (an ended source, a silent node no
    /// handle refers to) is connected all the same: it outputs silence.
    /// `ghosts`: inputs connected to nodes that are gone altogether.
    fn input_feeds(&self, edges: &[InEdge], ghosts: u64) -> InputFeeds {
        let mut feeds = InputFeeds {
            connected: ghosts,
            ..Default::default()
        };
        for e in edges {
            if let Target::Input(i) = e.target {
                if i < 64 {
                    feeds.connected |= 1 << i;
                }
                if let Some(Some(src)) = self.nodes.get(e.src.0 as usize) {
                    feeds.fed |= src.processing;
                }
            }
        }
        feeds
    }

    fn has_live_input(&self, edges: &[InEdge]) -> bool {
        edges
            .iter()
            .any(|e| matches!(self.nodes.get(e.src.0 as usize), Some(Some(_))))
    }

    fn source_block(&self, e: &InEdge) -> Option<&AudioBlock> {
        self.nodes
            .get(e.src.0 as usize)?
            .as_ref()?
            .outputs
            .get(e.output as usize)
    }

    /// `own_inputs`: the node's own input blocks, if it has more inputs than
    /// the shared ones.
    fn process_node(
        &self,
        node: &mut RenderNode,
        own_inputs: &mut [AudioBlock],
        entry: &OrderEntry,
        feeds: InputFeeds,
        scratch: &mut Scratch,
    ) {
        let edges: &[InEdge] = &node.incoming;
        // A single-input node fed by exactly one sounding connection that
        // already has the computed layout reads that block in place.
        let mut direct: Option<&AudioBlock> = None;
        let inputs = if own_inputs.is_empty() {
            &mut scratch.inputs[..node.inputs.count]
        } else {
            own_inputs
        };
        let single_input = inputs.len() == 1;
        // Inputs: up/down-mix every connection to computedNumberOfChannels and sum.
        for (input_index, input) in inputs.iter_mut().enumerate() {
            let target = Target::Input(input_index as u32);
            let mut max = None;
            for e in edges.iter().filter(|e| e.target == target) {
                if let Some(b) = self.source_block(e) {
                    max = Some(max.unwrap_or(0).max(b.number_of_channels()));
                }
            }
            let n = node.config.computed_number_of_channels(max);
            if single_input {
                let mut sounding = edges
                    .iter()
                    .filter(|e| e.target == target)
                    .filter_map(|e| self.source_block(e))
                    .filter(|b| !b.is_silent());
                if let (Some(b), None) = (sounding.next(), sounding.next())
                    && b.number_of_channels() == n
                {
                    direct = Some(b);
                    continue;
                }
            }
            // The first sounding connection with the right layout is copied
            // rather than added onto zeros.
            let mut filled = false;
            for e in edges.iter().filter(|e| e.target == target) {
                let Some(b) = self.source_block(e) else {
                    continue;
                };
                if b.is_silent() {
                    continue;
                }
                if !filled && b.number_of_channels() == n {
                    input.copy_from(b);
                } else {
                    if !filled {
                        input.make_silent_with_channels(n);
                    }
                    mix_add(input, b, node.config.interpretation);
                }
                filled = true;
            }
            if !filled {
                input.make_silent_with_channels(n);
            }
        }
        // Params: connected outputs mixed to mono are added to the timeline.
        for (param_index, slot) in node.params.iter_mut().enumerate() {
            let target = Target::Param(param_index as u32);
            let mut connected = false;
            for e in edges.iter().filter(|e| e.target == target) {
                // Silence adds nothing: a param fed only silence stays
                // eligible for its constant fast path.
                if let Some(b) = self.source_block(e).filter(|b| !b.is_silent()) {
                    if !connected {
                        scratch.input.fill(0.0);
                        connected = true;
                    }
                    mix_add_mono(&mut scratch.input, b);
                }
            }
            let input = if connected {
                Some(&scratch.input)
            } else {
                None
            };
            scratch.lens[param_index] = slot.renderer.compute(
                self.frame,
                self.sample_rate,
                input,
                &mut scratch.values[param_index],
            );
            slot.published
                .store(slot.renderer.last_value().to_bits(), Ordering::Relaxed);
        }
        if entry.muted {
            for o in &mut node.outputs {
                o.make_silent_with_channels(1);
            }
            node.active = false;
            return;
        }
        if node.failed {
            for o in &mut node.outputs {
                o.make_silent_with_channels(1);
            }
            node.active = false;
            return;
        }
        let mut scope = self.scope(node.id);
        scope.fed = feeds.fed;
        scope.connected_inputs = feeds.connected;
        // A panicking processor is a bug; contain it to its node (which then
        // outputs silence, as the spec asks for failed processors) instead
        // of losing the render thread.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            // Most nodes have few params: keep the stack array small for them.
            let params = (&scratch.values, &scratch.lens);
            if node.params.len() <= 4 {
                run_processor::<4>(node, direct, inputs, params, &scope)
            } else {
                run_processor::<MAX_PARAMS>(node, direct, inputs, params, &scope)
            }
        }));
        node.active = match result {
            Ok(active) => active,
            Err(payload) => {
                self.discard(payload);
                node.failed = true;
                scope.post_event(EngineEvent::ProcessorError(node.id));
                for o in &mut node.outputs {
                    o.make_silent_with_channels(1);
                }
                false
            }
        };
    }
}

/// Hands `trash` to the housekeeping service (leaks it if the queue is
/// full: the render thread never frees).
fn discard_into(link: &Link, pushed: &Cell<bool>, trash: Trash) {
    if let Err(trash) = link.garbage.push(trash) {
        std::mem::forget(trash);
    }
    pushed.set(true);
}

/// Calls `process` with the params gathered in a stack array of `N`
/// (>= the node's param count, which the control side caps at MAX_PARAMS).
/// `inputs` are the node's mixed inputs; `params` the values computed for
/// its params and how many of each are meaningful.
fn run_processor<const N: usize>(
    node: &mut RenderNode,
    direct: Option<&AudioBlock>,
    inputs: &[AudioBlock],
    params: (&ParamValues, &[usize; MAX_PARAMS]),
    scope: &RenderScope<'_>,
) -> bool {
    let (values, lens) = params;
    let mut blocks = [ParamBlock::new(&SILENT_PARAM); N];
    let n_params = node.params.len().min(N);
    for (i, b) in blocks.iter_mut().enumerate().take(n_params) {
        let len = lens[i].clamp(1, crate::RENDER_QUANTUM_SIZE);
        *b = ParamBlock::new(&values[i][..len]);
    }
    let io = ProcessIo {
        inputs: match direct {
            Some(b) => std::slice::from_ref(b),
            None => inputs,
        },
        outputs: &mut node.outputs,
        params: &blocks[..n_params],
    };
    node.processor.process(io, scope)
}
