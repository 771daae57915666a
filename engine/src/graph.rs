//! The render graph: per-node render state, the processing order
//! ([`Topology`]) and the control-side mirror that computes it.
//!
//! The control side keeps a full mirror of nodes and edges (it needs one to
//! validate `disconnect()` calls anyway). Whenever edges change it computes a
//! new [`Topology`] (processing order, cycle muting, incoming edges per node)
//! and ships it boxed to the render thread, which swaps it in and discards the
//! old box. The render thread therefore never sorts, never grows a vector and
//! never allocates; adding a node with no edges only appends to the order
//! vector's spare capacity, which the mirror tracks exactly.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use crate::block::AudioBlock;
use crate::message::NodeId;
use crate::mixing::ChannelConfig;
use crate::param::{ParamDescriptor, ParamRenderer};
use crate::processor::Processor;

/// Where an edge ends on its destination node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Input(u32),
    Param(u32),
}

/// An edge as the render thread sees it, stored with its destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InEdge {
    pub src: NodeId,
    pub output: u32,
    pub target: Target,
}

/// One slot of the processing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderEntry {
    /// [`OrderEntry::EMPTY`] for a slot whose node is gone.
    pub id: NodeId,
    /// Part of a cycle without a DelayNode: outputs silence.
    pub muted: bool,
}

impl OrderEntry {
    /// A slot that holds no node.
    pub const EMPTY: Self = Self {
        id: NodeId(u32::MAX),
        muted: false,
    };

    pub fn node(id: NodeId) -> Self {
        Self { id, muted: false }
    }
}

/// The processing order. Each node keeps its own incoming edges
/// ([`RenderNode::incoming`]), updated one edge at a time; the order is
/// patched slot by slot when an edge needs it, and recomputed whole only
/// when cycles are involved.
#[derive(Debug, Default)]
pub struct Topology {
    pub order: Vec<OrderEntry>,
    /// Which whole order this is (slot patches name it).
    pub generation: u32,
}

/// One AudioParam's render state.
/// A node's AudioParam on the render side: its timeline. Its values for a
/// quantum are computed into the renderer's shared scratch right before the
/// node runs (see `render::ParamScratch`).
pub(crate) struct ParamSlot {
    pub renderer: ParamRenderer,
    /// `f32::to_bits` of the last computed value, read by `AudioParam.value`.
    pub published: Arc<AtomicU32>,
}

impl ParamSlot {
    pub fn new(desc: &ParamDescriptor, published: Arc<AtomicU32>) -> Self {
        let renderer = ParamRenderer::new(desc);
        published.store(renderer.last_value().to_bits(), Ordering::Relaxed);
        Self {
            renderer,
            published,
        }
    }
}

/// Inputs a node mixes into the renderer's shared input blocks (see
/// `render::Scratch`); a node with more owns its blocks.
pub(crate) const SHARED_INPUTS: usize = 32;

/// A node's input blocks. They hold one quantum's mixed input, written right
/// before the node runs and read only by it, so most nodes use the
/// renderer's shared blocks and keep none of their own.
pub(crate) struct Inputs {
    pub count: usize,
    /// Empty unless `count > SHARED_INPUTS`.
    pub own: Vec<AudioBlock>,
}

impl Inputs {
    /// Call on the control thread.
    pub fn new(count: usize) -> Self {
        let own = if count > SHARED_INPUTS {
            (0..count).map(|_| AudioBlock::new(1)).collect()
        } else {
            Vec::new()
        };
        Self { count, own }
    }
}

/// Freed node ids, filled by [`RenderNode`]'s `Drop` (which runs on the
/// garbage thread) and drained by the control side to reuse ids.
pub(crate) type FreedIds = Arc<Mutex<Vec<NodeId>>>;

/// Everything the render thread holds for one node. Built on the control
/// thread; boxed so that freeing it is a pointer move into the garbage queue.
pub(crate) struct RenderNode {
    pub id: NodeId,
    pub processor: Box<dyn Processor>,
    pub config: ChannelConfig,
    pub inputs: Inputs,
    pub outputs: Vec<AudioBlock>,
    pub params: Vec<ParamSlot>,
    /// Edges into this node, in the order they were made (the summing
    /// order). The control side sends a bigger vector before one is full.
    #[allow(clippy::box_collection)] // discarded whole, without a new box
    pub incoming: Box<Vec<InEdge>>,
    pub handle_alive: bool,
    /// The last `process` result: may still produce sound.
    pub active: bool,
    /// The spec's "actively processing": `active`, or fed by a node that
    /// is. A node that is not outputs one channel of silence.
    pub processing: bool,
    /// Freeable after the last quantum; freed on the next visit so that its
    /// last output is still read by the nodes after it.
    pub free_next: bool,
    /// `process` panicked: the node outputs silence from then on.
    pub failed: bool,
    /// The processor said it can never sound again (an ended source).
    pub finished: bool,
    /// Bit `i`: input `i` was connected to a node that is gone (no handle,
    /// nothing to render). Nothing can disconnect it any more, so the input
    /// stays connected, to silence.
    pub ghost_inputs: u64,
    pub freed: FreedIds,
}

impl RenderNode {
    /// A node not yet in any graph, with `inputs` and `outputs` of one
    /// silent channel each. Call on the control thread.
    pub fn new(
        id: NodeId,
        processor: Box<dyn Processor>,
        config: ChannelConfig,
        (inputs, outputs): (usize, usize),
        params: Vec<ParamSlot>,
        freed: FreedIds,
    ) -> Self {
        Self {
            id,
            processor,
            config,
            inputs: Inputs::new(inputs),
            outputs: (0..outputs).map(|_| AudioBlock::new(1)).collect(),
            params,
            incoming: Box::new(Vec::with_capacity(INITIAL_INCOMING)),
            handle_alive: true,
            active: false,
            processing: false,
            free_next: false,
            failed: false,
            finished: false,
            ghost_inputs: 0,
            freed,
        }
    }
}

impl Drop for RenderNode {
    fn drop(&mut self) {
        // Id 0 is the destination, which lives as long as its context.
        if self.id.0 != 0
            && let Ok(mut ids) = self.freed.lock()
        {
            ids.push(self.id);
        }
    }
}

/// How a mirror node takes part in delay cycle breaking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DelayRole {
    None,
    /// The writing half of a DelayNode; `reader` is its other half.
    Writer {
        reader: NodeId,
    },
    Reader,
}

/// A multiplicative hasher for node ids: the mirror's maps are keyed by
/// small integers chosen by us, so SipHash's flood resistance buys nothing.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u32(b as u32);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0.rotate_left(5) ^ n as u64).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

type IdMap<V> = HashMap<u32, V, BuildHasherDefault<IdHasher>>;
type IdSet = HashSet<u32, BuildHasherDefault<IdHasher>>;

/// One node as the control side sees it.
#[derive(Debug, Clone)]
pub(crate) struct MirrorNode {
    pub delay: DelayRole,
    /// For delay readers: whether the last topology put them in a cycle.
    pub in_cycle: bool,
    /// A node this one must be processed after although no edge joins them
    /// (a PannerNode reads its context's AudioListener's params).
    pub after: Option<NodeId>,
    /// A control handle still refers to the node: its id and its edges
    /// stay, whatever the render side does.
    pub handle: bool,
    /// The render side still holds the node (it lets go of ended sources,
    /// and of everything when the context finishes).
    pub rendered: bool,
    /// Boxed so that the node table stays small.
    edges: Box<Edges>,
    /// Its slot in the render side's order ([`NO_SLOT`] while it has none).
    pub slot: u32,
    /// Edges into it (what its render-side `incoming` holds) and that
    /// vector's capacity.
    pub in_count: u32,
    pub in_cap: u32,
}

/// [`MirrorNode::slot`] of a node not in the order.
pub(crate) const NO_SLOT: u32 = u32::MAX;

/// Capacity of a new node's render-side `incoming`.
pub(crate) const INITIAL_INCOMING: usize = 2;

/// A mirror node's edges.
#[derive(Debug, Clone, Default)]
struct Edges {
    /// Outgoing edges by destination node: the (output, target) pairs.
    out: IdMap<Vec<(u32, Target)>>,
    /// The nodes with an edge into this one.
    inc: IdSet,
}

impl MirrorNode {
    pub fn new(delay: DelayRole) -> Self {
        Self {
            delay,
            in_cycle: false,
            after: None,
            handle: true,
            rendered: true,
            edges: Box::default(),
            slot: NO_SLOT,
            in_count: 0,
            in_cap: INITIAL_INCOMING as u32,
        }
    }
}

/// Which of a node's outgoing edges a `disconnect` removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EdgeDest {
    /// Every destination.
    Any,
    /// Inputs of `node`: `input` or any.
    Node { node: u32, input: Option<u32> },
    /// AudioParam `index` of `node`.
    Param { node: u32, index: u32 },
}

impl EdgeDest {
    fn node(self) -> Option<u32> {
        match self {
            EdgeDest::Any => None,
            EdgeDest::Node { node, .. } | EdgeDest::Param { node, .. } => Some(node),
        }
    }

    fn matches(self, target: Target) -> bool {
        match (self, target) {
            (EdgeDest::Any, _) => true,
            (EdgeDest::Node { input: None, .. }, Target::Input(_)) => true,
            (EdgeDest::Node { input: Some(i), .. }, Target::Input(t)) => i == t,
            (EdgeDest::Param { index, .. }, Target::Param(p)) => index == p,
            _ => false,
        }
    }
}

/// A change the render side must make to follow the mirror, drained by the
/// context into commands (see [`Mirror::take_patches`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Patch {
    /// Append `edge` to `dst`'s incoming edges; `grow_to`: send a vector
    /// with this capacity first (the current one is full).
    AddEdge {
        dst: NodeId,
        edge: InEdge,
        grow_to: Option<usize>,
    },
    RemoveEdge {
        dst: NodeId,
        edge: InEdge,
    },
    /// Remove every edge from `src` (a node that is gone) into `dst`.
    RemoveEdgesFrom {
        dst: NodeId,
        src: NodeId,
    },
    /// Put these entries in these slots of the order, if the order is
    /// still generation `gen` (a whole new order supersedes them).
    Slots(u32, Vec<(u32, OrderEntry)>),
}

/// The control side's copy of the graph: every node a handle can reach,
/// with the edges JS made, for as long as it can reach them. Edge updates
/// are O(1) expected (hash maps per node) and reach the render side one by
/// one. The processing order is patched locally when a new edge runs
/// against it (Pearce and Kelly's dynamic topological order: only the
/// nodes between the edge's two ends are looked at) and recomputed whole
/// only where cycles are involved.
#[derive(Default)]
pub(crate) struct Mirror {
    pub nodes: Vec<Option<MirrorNode>>,
    free_ids: BTreeSet<u32>,
    pub live: usize,
    edge_count: usize,
    /// The render side's order: the node in each slot (`NO_SLOT` if none).
    slots: Vec<u32>,
    /// Empty slots, reused by new nodes (a node without edges fits anywhere).
    free_slots: Vec<u32>,
    /// Capacity of the render side's order vector.
    pub order_cap: usize,
    /// A whole new order is due (it replaces the slot patches).
    pub order_due: bool,
    /// Counts whole orders: slot patches name the one they patch.
    pub order_gen: u32,
    /// The last whole order had a cycle (muted nodes, or a delay in one):
    /// patching it locally is then not safe.
    cyclic: bool,
    /// Order-only edges of the last whole order (delay writer -> reader,
    /// listener -> panner), both ways.
    extra_out: IdMap<Vec<u32>>,
    extra_in: IdMap<Vec<u32>>,
    patches: Vec<Patch>,
    /// Scratch for the local reordering.
    visit_mark: IdSet,
}

/// The result of [`Mirror::compute_topology`].
pub(crate) struct ComputedTopology {
    pub topology: Box<Topology>,
    /// Delay readers whose in-cycle status changed: (reader, in_cycle).
    pub cycle_changes: Vec<(NodeId, bool)>,
}

impl Mirror {
    /// A mirror holding only the destination (id 0), alone in the order.
    pub fn with_destination() -> Self {
        let mut m = Self::default();
        let id = m.allocate_id();
        m.insert(id, MirrorNode::new(DelayRole::None));
        m.slots.push(id.0);
        m.order_cap = 1;
        if let Some(n) = m.get_mut(id.0) {
            n.slot = 0;
        }
        m
    }

    /// Takes the lowest free id (or a new one).
    pub fn allocate_id(&mut self) -> NodeId {
        let id = match self.free_ids.pop_first() {
            Some(id) => id,
            None => {
                self.nodes.push(None);
                (self.nodes.len() - 1) as u32
            }
        };
        NodeId(id)
    }

    pub fn insert(&mut self, id: NodeId, node: MirrorNode) {
        self.nodes[id.0 as usize] = Some(node);
        self.live += 1;
    }

    pub fn get(&self, id: u32) -> Option<&MirrorNode> {
        self.nodes.get(id as usize)?.as_ref()
    }

    fn get_mut(&mut self, id: u32) -> Option<&mut MirrorNode> {
        self.nodes.get_mut(id as usize)?.as_mut()
    }

    /// Number of edges.
    #[cfg(test)]
    pub fn edge_count(&self) -> usize {
        self.edge_count
    }

    /// The render-side changes made since the last call.
    pub fn take_patches(&mut self) -> Vec<Patch> {
        std::mem::take(&mut self.patches)
    }

    /// Gives a new node without edges a slot in the current order (any
    /// slot will do): (order generation, slot). None when a whole new order
    /// is due (also when this one has no room left).
    pub fn place(&mut self, id: NodeId) -> Option<(u32, u32)> {
        if self.order_due {
            return None;
        }
        let slot = match self.free_slots.pop() {
            Some(slot) => slot,
            None if self.slots.len() < self.order_cap => {
                self.slots.push(NO_SLOT);
                (self.slots.len() - 1) as u32
            }
            None => {
                self.order_due = true;
                return None;
            }
        };
        self.slots[slot as usize] = id.0;
        if let Some(n) = self.get_mut(id.0) {
            n.slot = slot;
        }
        Some((self.order_gen, slot))
    }

    /// Takes `id` out of the order (its slot is emptied on the render side
    /// too, before the id can be reused).
    fn vacate(&mut self, id: u32) {
        let Some(n) = self.get_mut(id) else {
            return;
        };
        let slot = std::mem::replace(&mut n.slot, NO_SLOT);
        if slot == NO_SLOT || self.order_due {
            return;
        }
        self.slots[slot as usize] = NO_SLOT;
        self.free_slots.push(slot);
        self.patches.push(Patch::Slots(
            self.order_gen,
            vec![(slot, OrderEntry::EMPTY)],
        ));
        // Mostly empty slots cost the render thread a visit each: compact
        // (amortised O(1) per removal).
        if self.free_slots.len() > 64 && self.free_slots.len() * 2 > self.slots.len() {
            self.order_due = true;
        }
    }

    /// Adds an edge; false if it existed already.
    pub fn connect(&mut self, src: u32, output: u32, dst: u32, target: Target) -> bool {
        if self.get(dst).is_none() {
            return false;
        }
        let Some(s) = self.get_mut(src) else {
            return false;
        };
        let pairs = s.edges.out.entry(dst).or_default();
        if pairs.contains(&(output, target)) {
            return false;
        }
        pairs.push((output, target));
        self.edge_count += 1;
        // The order first: the edge never meets an order that it breaks.
        self.order_for_edge(src, dst);
        let Some(d) = self.get_mut(dst) else {
            return true;
        };
        d.edges.inc.insert(src);
        d.in_count += 1;
        let grow_to = (d.in_count > d.in_cap).then(|| 2 * d.in_count as usize);
        if let Some(cap) = grow_to {
            d.in_cap = cap as u32;
        }
        if d.rendered {
            self.patches.push(Patch::AddEdge {
                dst: NodeId(dst),
                edge: InEdge {
                    src: NodeId(src),
                    output,
                    target,
                },
                grow_to,
            });
        }
        true
    }

    /// Removes `src`'s edges from `output` (any if `None`) to `dest`;
    /// returns how many went.
    pub fn disconnect(&mut self, src: u32, output: Option<u32>, dest: EdgeDest) -> usize {
        let Some(s) = self.get_mut(src) else {
            return 0;
        };
        let matches = |&(o, t): &(u32, Target)| output.is_none_or(|w| w == o) && dest.matches(t);
        let mut gone: Vec<(u32, u32, Target)> = Vec::new();
        let mut emptied: Vec<u32> = Vec::new();
        let mut take = |dst: u32, pairs: &mut Vec<(u32, Target)>| {
            pairs.retain(|p| {
                let m = matches(p);
                if m {
                    gone.push((dst, p.0, p.1));
                }
                !m
            });
            if pairs.is_empty() {
                emptied.push(dst);
            }
        };
        match dest.node() {
            Some(dst) => {
                if let Some(pairs) = s.edges.out.get_mut(&dst) {
                    take(dst, pairs);
                }
            }
            None => {
                for (&dst, pairs) in s.edges.out.iter_mut() {
                    take(dst, pairs);
                }
            }
        }
        for dst in &emptied {
            s.edges.out.remove(dst);
        }
        for dst in emptied {
            if let Some(d) = self.get_mut(dst) {
                d.edges.inc.remove(&src);
            }
        }
        for &(dst, output, target) in &gone {
            let Some(d) = self.get_mut(dst) else {
                continue;
            };
            d.in_count -= 1;
            if d.rendered {
                self.patches.push(Patch::RemoveEdge {
                    dst: NodeId(dst),
                    edge: InEdge {
                        src: NodeId(src),
                        output,
                        target,
                    },
                });
            }
        }
        self.edge_count -= gone.len();
        // Removing an edge never breaks an order; it can only open a cycle,
        // which the whole computation handles (unmuting, delays).
        if !gone.is_empty() && self.cyclic {
            self.order_due = true;
        }
        gone.len()
    }

    /// The last control handle of `id` went. Returns whether the render
    /// side still holds the node (it frees it once silent); otherwise the
    /// node is forgotten here and its id becomes reusable.
    pub fn release_handle(&mut self, id: NodeId) -> bool {
        let Some(n) = self.get_mut(id.0) else {
            return false;
        };
        n.handle = false;
        if n.rendered {
            return true;
        }
        self.remove(id);
        false
    }

    /// The render side let go of `id`: it leaves the order. Returns whether
    /// the node is gone entirely (no handle either).
    pub fn render_released(&mut self, id: NodeId) -> bool {
        let Some(n) = self.get_mut(id.0) else {
            return false;
        };
        n.rendered = false;
        let handle = n.handle;
        self.vacate(id.0);
        if self.cyclic {
            // It may have been part of a cycle.
            self.order_due = true;
        }
        if handle {
            return false;
        }
        self.remove(id);
        true
    }

    /// Forgets a node with all its edges; its id becomes reusable (the
    /// render side drops its edges out of it first).
    fn remove(&mut self, id: NodeId) {
        self.vacate(id.0);
        // Order-only edges of a node that is gone bind nothing.
        self.extra_out.remove(&id.0);
        self.extra_in.remove(&id.0);
        let Some(node) = self.nodes.get_mut(id.0 as usize).and_then(Option::take) else {
            return;
        };
        self.live -= 1;
        for (dst, pairs) in &node.edges.out {
            self.edge_count -= pairs.len();
            if *dst == id.0 {
                continue;
            }
            if let Some(d) = self.get_mut(*dst) {
                d.edges.inc.remove(&id.0);
                d.in_count -= pairs.len() as u32;
                if d.rendered {
                    self.patches.push(Patch::RemoveEdgesFrom {
                        dst: NodeId(*dst),
                        src: id,
                    });
                }
            }
        }
        for src in &node.edges.inc {
            if *src == id.0 {
                continue;
            }
            if let Some(s) = self.get_mut(*src)
                && let Some(pairs) = s.edges.out.remove(&id.0)
            {
                self.edge_count -= pairs.len();
            }
        }
        self.free_ids.insert(id.0);
    }

    /// Nodes that must run after `u` in the order (edges and order-only
    /// edges between rendered nodes).
    fn successors(&self, u: u32) -> impl Iterator<Item = u32> + '_ {
        let explicit = self
            .get(u)
            .into_iter()
            .flat_map(|n| n.edges.out.keys().copied());
        let extra = self.extra_out.get(&u).into_iter().flatten().copied();
        explicit
            .chain(extra)
            .filter(|&v| self.get(v).is_some_and(|n| n.rendered && n.slot != NO_SLOT))
    }

    fn predecessors(&self, u: u32) -> impl Iterator<Item = u32> + '_ {
        let explicit = self
            .get(u)
            .into_iter()
            .flat_map(|n| n.edges.inc.iter().copied());
        let extra = self.extra_in.get(&u).into_iter().flatten().copied();
        explicit
            .chain(extra)
            .filter(|&v| self.get(v).is_some_and(|n| n.rendered && n.slot != NO_SLOT))
    }

    fn slot_of(&self, u: u32) -> u32 {
        self.get(u).map_or(NO_SLOT, |n| n.slot)
    }

    /// Keeps the order valid for a new edge `x -> y`: nothing to do when
    /// `x` already runs first; otherwise the nodes reachable from `y` that
    /// run before `x`, and those reaching `x` that run after `y`, swap
    /// places among their own slots (Pearce-Kelly). An edge that closes a
    /// cycle, or a graph that had one, asks for a whole new order.
    fn order_for_edge(&mut self, x: u32, y: u32) {
        if self.order_due {
            return;
        }
        let (lb, ub) = (self.slot_of(y), self.slot_of(x));
        if lb == NO_SLOT || ub == NO_SLOT {
            // A node the render side does not process: no constraint.
            return;
        }
        if x == y || self.cyclic {
            self.order_due = true;
            return;
        }
        if ub < lb {
            return;
        }
        // Forward from y, within slots below ub.
        let mut marks = std::mem::take(&mut self.visit_mark);
        marks.clear();
        let mut forward = Vec::new();
        let mut stack = vec![y];
        marks.insert(y);
        let mut cycle = false;
        while let Some(u) = stack.pop() {
            forward.push(u);
            for v in self.successors(u) {
                if v == x {
                    // x -> y -> ... -> x: a cycle.
                    cycle = true;
                    break;
                }
                if self.slot_of(v) < ub && marks.insert(v) {
                    stack.push(v);
                }
            }
            if cycle {
                self.visit_mark = marks;
                self.order_due = true;
                return;
            }
        }
        // Backward from x, within slots above lb.
        let mut backward = Vec::new();
        stack.push(x);
        marks.insert(x);
        while let Some(u) = stack.pop() {
            backward.push(u);
            for v in self.predecessors(u) {
                if self.slot_of(v) > lb && marks.insert(v) {
                    stack.push(v);
                }
            }
        }
        self.visit_mark = marks;
        forward.sort_unstable_by_key(|&u| self.slot_of(u));
        backward.sort_unstable_by_key(|&u| self.slot_of(u));
        let mut free: Vec<u32> = forward
            .iter()
            .chain(&backward)
            .map(|&u| self.slot_of(u))
            .collect();
        free.sort_unstable();
        // What reaches x first, then what y reaches, each in its old order.
        let mut moves = Vec::with_capacity(free.len());
        for (&u, &slot) in backward.iter().chain(&forward).zip(&free) {
            self.slots[slot as usize] = u;
            if let Some(n) = self.get_mut(u) {
                n.slot = slot;
            }
            moves.push((slot, OrderEntry::node(NodeId(u))));
        }
        self.patches.push(Patch::Slots(self.order_gen, moves));
    }

    /// Processing order: a topological order of the rendered graph in which
    /// every cycle that goes through a DelayNode is broken at the delay (its
    /// reader runs before its writer and the delay is at least one quantum),
    /// and the nodes of any remaining cycle are muted. O(N + E log E).
    pub fn compute_topology(&mut self, spare: usize) -> ComputedTopology {
        let n = self.nodes.len();
        let rendered: Vec<bool> = self
            .nodes
            .iter()
            .map(|m| m.as_ref().is_some_and(|m| m.rendered))
            .collect();
        // Successor lists (distinct, ascending) of the explicit edges.
        let mut base = Csr::with_nodes(n);
        for (i, node) in self.nodes.iter().enumerate() {
            if let Some(node) = node.as_ref().filter(|_| rendered[i]) {
                base.push_node(
                    node.edges
                        .out
                        .keys()
                        .copied()
                        .filter(|&d| rendered[d as usize]),
                );
            } else {
                base.push_node(std::iter::empty());
            }
        }
        let mut extra = Extra::default();
        let mut reach = Reach::new(n);
        // Without the implicit writer->reader edges every cycle is delay-free
        // or goes through a delay; add those edges only where they close no
        // cycle, one at a time since two of them together can close one.
        let mut cycle_changes = Vec::new();
        let mut delay_cycles = false;
        for (w, node) in self.nodes.iter().enumerate() {
            let Some(MirrorNode {
                delay: DelayRole::Writer { reader },
                ..
            }) = node
            else {
                continue;
            };
            let r = reader.0 as usize;
            if !rendered[w] || !rendered.get(r).copied().unwrap_or(false) {
                continue;
            }
            let in_cycle = reach.reachable(&base, &extra, r, w);
            if in_cycle {
                delay_cycles = true;
            } else {
                extra.add(w as u32, r as u32);
            }
            cycle_changes.push((*reader, in_cycle));
        }
        cycle_changes.retain(|&(reader, in_cycle)| {
            let Some(node) = self.nodes[reader.0 as usize].as_mut() else {
                return false;
            };
            let changed = node.in_cycle != in_cycle;
            node.in_cycle = in_cycle;
            changed
        });

        // Order-only edges, added where they close no cycle (a listener
        // param driven by the panner's own output would): then the panner
        // reads the previous quantum's listener values.
        for i in 0..n {
            let Some(MirrorNode {
                after: Some(first), ..
            }) = self.nodes[i]
            else {
                continue;
            };
            let f = first.0 as usize;
            if rendered[i]
                && f < n
                && rendered[f]
                && !reach.reachable(&base, &extra, i, f)
                && !base.has_edge(f, i as u32)
                && !extra.has_edge(f as u32, i as u32)
            {
                extra.add(f as u32, i as u32);
            }
        }
        let adj = base.merged_with(&extra);

        let live: Vec<u32> = (0..n as u32).filter(|&i| rendered[i as usize]).collect();
        let sccs = tarjan(&adj, &live, n);

        let mut topology = Box::new(Topology {
            order: Vec::with_capacity(live.len() + spare),
            generation: 0,
        });
        let mut muted_any = false;
        // Tarjan emits components sinks first.
        for scc in sccs.iter().rev() {
            let muted = scc.len() > 1 || adj.has_edge(scc[0] as usize, scc[0]);
            muted_any |= muted;
            for &id in scc {
                topology.order.push(OrderEntry {
                    id: NodeId(id),
                    muted,
                });
            }
        }
        // The mirror of the new order.
        for node in self.nodes.iter_mut().flatten() {
            node.slot = NO_SLOT;
        }
        self.slots.clear();
        self.free_slots.clear();
        for (k, e) in topology.order.iter().enumerate() {
            self.slots.push(e.id.0);
            if let Some(node) = self.nodes[e.id.0 as usize].as_mut() {
                node.slot = k as u32;
            }
        }
        self.order_cap = topology.order.capacity();
        self.order_due = false;
        self.order_gen = self.order_gen.wrapping_add(1);
        topology.generation = self.order_gen;
        self.cyclic = muted_any || delay_cycles;
        self.extra_out = extra.edges;
        self.extra_in = IdMap::default();
        for (&u, vs) in &self.extra_out {
            for &v in vs {
                self.extra_in.entry(v).or_default().push(u);
            }
        }
        // Slot patches made before are superseded by this order.
        self.patches.retain(|p| !matches!(p, Patch::Slots(..)));
        ComputedTopology {
            topology,
            cycle_changes,
        }
    }
}

/// Successor lists in one array (compressed sparse rows), each sorted.
struct Csr {
    start: Vec<u32>,
    to: Vec<u32>,
}

impl Csr {
    fn with_nodes(n: usize) -> Self {
        let mut start = Vec::with_capacity(n + 1);
        start.push(0);
        Self {
            start,
            to: Vec::new(),
        }
    }

    /// Appends the next node's successors.
    fn push_node(&mut self, succ: impl Iterator<Item = u32>) {
        let from = self.to.len();
        self.to.extend(succ);
        self.to[from..].sort_unstable();
        self.start.push(self.to.len() as u32);
    }

    fn succ(&self, u: usize) -> &[u32] {
        &self.to[self.start[u] as usize..self.start[u + 1] as usize]
    }

    fn has_edge(&self, u: usize, v: u32) -> bool {
        self.succ(u).binary_search(&v).is_ok()
    }

    /// This graph plus `extra`'s edges.
    fn merged_with(&self, extra: &Extra) -> Csr {
        if extra.edges.is_empty() {
            return Csr {
                start: self.start.clone(),
                to: self.to.clone(),
            };
        }
        let n = self.start.len() - 1;
        let mut out = Csr::with_nodes(n);
        for u in 0..n {
            let more = extra.succ(u as u32);
            out.push_node(self.succ(u).iter().chain(more).copied());
        }
        out
    }
}

/// Implicit edges added to a [`Csr`] while the order is computed.
#[derive(Default)]
struct Extra {
    edges: IdMap<Vec<u32>>,
}

impl Extra {
    fn add(&mut self, u: u32, v: u32) {
        self.edges.entry(u).or_default().push(v);
    }

    fn succ(&self, u: u32) -> &[u32] {
        self.edges.get(&u).map_or(&[], Vec::as_slice)
    }

    fn has_edge(&self, u: u32, v: u32) -> bool {
        self.succ(u).contains(&v)
    }
}

/// Depth-first reachability with a visit stamp reused between queries.
struct Reach {
    stamp: Vec<u32>,
    generation: u32,
    stack: Vec<u32>,
}

impl Reach {
    fn new(n: usize) -> Self {
        Self {
            stamp: vec![0; n],
            generation: 0,
            stack: Vec::new(),
        }
    }

    fn reachable(&mut self, base: &Csr, extra: &Extra, from: usize, to: usize) -> bool {
        self.generation += 1;
        let g = self.generation;
        self.stack.clear();
        self.stack.push(from as u32);
        self.stamp[from] = g;
        while let Some(u) = self.stack.pop() {
            if u as usize == to {
                return true;
            }
            for &v in base.succ(u as usize).iter().chain(extra.succ(u)) {
                if self.stamp[v as usize] != g {
                    self.stamp[v as usize] = g;
                    self.stack.push(v);
                }
            }
        }
        false
    }
}

/// Strongly connected components (iterative Tarjan, so long chains cannot
/// overflow the stack), emitted in reverse topological order.
fn tarjan(adj: &Csr, nodes: &[u32], n: usize) -> Vec<Vec<u32>> {
    const UNSEEN: u32 = u32::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut next = 0u32;
    let mut out = Vec::new();
    let mut calls: Vec<(u32, usize)> = Vec::new();
    for &root in nodes {
        if index[root as usize] != UNSEEN {
            continue;
        }
        index[root as usize] = next;
        low[root as usize] = next;
        next += 1;
        stack.push(root);
        on_stack[root as usize] = true;
        calls.push((root, 0));
        while let Some(&mut (u, ref mut pos)) = calls.last_mut() {
            let ui = u as usize;
            let succ = adj.succ(ui);
            if *pos < succ.len() {
                let w = succ[*pos];
                *pos += 1;
                let wi = w as usize;
                if index[wi] == UNSEEN {
                    index[wi] = next;
                    low[wi] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[wi] = true;
                    calls.push((w, 0));
                } else if on_stack[wi] {
                    low[ui] = low[ui].min(index[wi]);
                }
            } else {
                calls.pop();
                if let Some(&(p, _)) = calls.last() {
                    low[p as usize] = low[p as usize].min(low[ui]);
                }
                if low[ui] == index[ui] {
                    let mut scc = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w as usize] = false;
                        scc.push(w);
                        if w == u {
                            break;
                        }
                    }
                    scc.reverse();
                    out.push(scc);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain() -> MirrorNode {
        MirrorNode::new(DelayRole::None)
    }

    fn edge(m: &mut Mirror, (src, output, dst, target): (u32, u32, u32, Target)) {
        assert!(m.connect(src, output, dst, target));
    }

    fn mirror_with(n: usize) -> Mirror {
        let mut m = Mirror::default();
        for _ in 0..n {
            let id = m.allocate_id();
            m.insert(id, plain());
        }
        m
    }

    fn position(t: &Topology, id: u32) -> usize {
        t.order.iter().position(|e| e.id == NodeId(id)).unwrap()
    }

    fn muted(t: &Topology, id: u32) -> bool {
        t.order[position(t, id)].muted
    }

    #[test]
    fn after_orders_without_an_edge_unless_that_closes_a_cycle() {
        // 3 (a panner) must follow 1 (the listener, made first); without the
        // rule, unconnected nodes come highest id first.
        let mut m = mirror_with(4);
        edge(&mut m, (3, 0, 0, Target::Input(0)));
        edge(&mut m, (2, 0, 1, Target::Param(0)));
        m.nodes[3].as_mut().unwrap().after = Some(NodeId(1));
        let t = m.compute_topology(0).topology;
        assert!(position(&t, 1) < position(&t, 3));
        assert!(position(&t, 2) < position(&t, 1));
        assert!(!muted(&t, 1) && !muted(&t, 3));

        // The panner's output drives a listener param: the rule yields
        // rather than muting a cycle.
        edge(&mut m, (3, 0, 1, Target::Param(0)));
        let t = m.compute_topology(0).topology;
        assert!(position(&t, 3) < position(&t, 1));
        assert!(!muted(&t, 1) && !muted(&t, 3));
    }

    #[test]
    fn order_respects_every_edge() {
        // A diamond plus a param edge: 4 -> 1 -> {2, 3} -> 0, 2 -> param of 3.
        let mut m = mirror_with(5);
        for e in [
            (4, 0, 1, Target::Input(0)),
            (1, 0, 2, Target::Input(0)),
            (1, 0, 3, Target::Input(0)),
            (2, 0, 3, Target::Param(0)),
            (2, 0, 0, Target::Input(0)),
            (3, 0, 0, Target::Input(0)),
        ] {
            edge(&mut m, e);
        }
        let t = m.compute_topology(0).topology;
        assert_eq!(t.order.len(), 5);
        for (s, d) in [(4, 1), (1, 2), (1, 3), (2, 3), (2, 0), (3, 0)] {
            assert!(position(&t, s) < position(&t, d), "{s} before {d}");
        }
        assert!(t.order.iter().all(|e| !e.muted));
    }

    #[test]
    fn cycle_without_delay_is_muted_and_downstream_is_not() {
        // 1 <-> 2 cycle, 2 -> 3 -> 0, and a self loop on 4.
        let mut m = mirror_with(5);
        for e in [
            (1, 0, 2, Target::Input(0)),
            (2, 0, 1, Target::Input(0)),
            (2, 0, 3, Target::Input(0)),
            (3, 0, 0, Target::Input(0)),
            (4, 0, 4, Target::Param(0)),
        ] {
            edge(&mut m, e);
        }
        let t = m.compute_topology(0).topology;
        assert!(muted(&t, 1) && muted(&t, 2) && muted(&t, 4));
        assert!(!muted(&t, 3) && !muted(&t, 0));
        assert!(position(&t, 2) < position(&t, 3));
    }

    #[test]
    fn delay_breaks_cycles_and_reader_orders_before_writer() {
        // 1 -> writer(2) ~> reader(3) -> 1 and reader -> 0.
        let mut m = mirror_with(2);
        let w = m.allocate_id();
        let r = m.allocate_id();
        m.insert(w, MirrorNode::new(DelayRole::Writer { reader: r }));
        m.insert(r, MirrorNode::new(DelayRole::Reader));
        edge(&mut m, (1, 0, w.0, Target::Input(0)));
        edge(&mut m, (r.0, 0, 0, Target::Input(0)));
        let c = m.compute_topology(0);
        // No cycle yet: the writer runs first so short delays work.
        assert!(position(&c.topology, w.0) < position(&c.topology, r.0));
        assert!(c.cycle_changes.is_empty());
        edge(&mut m, (r.0, 0, 1, Target::Input(0)));
        let c = m.compute_topology(0);
        let t = &c.topology;
        assert!(t.order.iter().all(|e| !e.muted));
        assert!(position(t, r.0) < position(t, 1));
        assert!(position(t, 1) < position(t, w.0));
        assert_eq!(c.cycle_changes, vec![(r, true)]);
    }

    #[test]
    fn long_chain_does_not_overflow_the_stack() {
        let mut m = mirror_with(200_000);
        for i in 1..200_000u32 {
            edge(&mut m, (i, 0, i - 1, Target::Input(0)));
        }
        let t = m.compute_topology(0).topology;
        assert_eq!(t.order[0].id, NodeId(199_999));
        assert_eq!(t.order[199_999].id, NodeId(0));
    }

    #[test]
    fn ids_are_reused_lowest_first() {
        let mut m = mirror_with(4);
        edge(&mut m, (2, 0, 3, Target::Input(0)));
        m.remove(NodeId(2));
        m.remove(NodeId(1));
        assert_eq!(m.edge_count(), 0);
        assert_eq!(m.live, 2);
        assert_eq!(m.allocate_id(), NodeId(1));
        assert_eq!(m.allocate_id(), NodeId(2));
        assert_eq!(m.allocate_id(), NodeId(4));
    }

    #[test]
    fn ids_stay_taken_until_both_the_handle_and_the_render_side_let_go() {
        let mut m = mirror_with(3);
        edge(&mut m, (1, 0, 2, Target::Input(0)));
        edge(&mut m, (2, 0, 0, Target::Input(0)));
        // The render side frees 1 (an ended source) while a handle holds it:
        // its id and edges stay, but it leaves the order.
        assert!(!m.render_released(NodeId(1)));
        assert_eq!(m.edge_count(), 2);
        let t = m.compute_topology(0).topology;
        assert!(t.order.iter().all(|e| e.id != NodeId(1)));
        assert_eq!(m.allocate_id(), NodeId(3));
        // JS can still remove the edge it made.
        assert_eq!(
            m.disconnect(
                1,
                None,
                EdgeDest::Node {
                    node: 2,
                    input: None
                }
            ),
            1
        );
        // Now the handle goes too: the id is free again.
        assert!(!m.release_handle(NodeId(1)));
        assert_eq!(m.allocate_id(), NodeId(1));
        // A handle dropped first: the node stays until the render side frees it.
        assert!(m.release_handle(NodeId(2)));
        assert!(m.get(2).is_some());
        assert!(m.render_released(NodeId(2)));
        assert!(m.get(2).is_none());
        assert_eq!(m.edge_count(), 0);
    }

    #[test]
    fn disconnect_filters_by_output_and_target() {
        let mut m = mirror_with(3);
        edge(&mut m, (1, 0, 2, Target::Input(0)));
        edge(&mut m, (1, 1, 2, Target::Input(1)));
        edge(&mut m, (1, 0, 2, Target::Param(0)));
        edge(&mut m, (1, 0, 0, Target::Input(0)));
        assert!(!m.connect(1, 0, 2, Target::Input(0)), "duplicate");
        assert_eq!(
            m.disconnect(
                1,
                Some(1),
                EdgeDest::Node {
                    node: 2,
                    input: None
                }
            ),
            1
        );
        assert_eq!(
            m.disconnect(1, None, EdgeDest::Param { node: 2, index: 1 }),
            0
        );
        assert_eq!(
            m.disconnect(1, None, EdgeDest::Param { node: 2, index: 0 }),
            1
        );
        assert_eq!(
            m.disconnect(
                1,
                None,
                EdgeDest::Node {
                    node: 2,
                    input: Some(0)
                }
            ),
            1
        );
        assert_eq!(m.disconnect(1, None, EdgeDest::Any), 1);
        assert_eq!(m.edge_count(), 0);
    }

    #[test]
    fn wide_fan_out_and_fan_in_stay_near_linear() {
        // One source into 20 000 gains into one node: adjacency must not
        // scan fan-outs per edge.
        let n = 20_000u32;
        let mut m = mirror_with(n as usize + 2);
        for g in 2..n + 2 {
            edge(&mut m, (1, 0, g, Target::Input(0)));
            edge(&mut m, (g, 0, 0, Target::Input(0)));
        }
        let t = m.compute_topology(0).topology;
        assert_eq!(t.order.len(), n as usize + 2);
        assert_eq!(t.order.last().unwrap().id, NodeId(0));
    }

    /// The order the render side would hold after `patches`.
    fn apply(order: &mut Vec<u32>, patches: &[Patch]) {
        for p in patches {
            if let Patch::Slots(_, slots) = p {
                for &(slot, e) in slots {
                    let s = slot as usize;
                    if s == order.len() {
                        order.push(e.id.0);
                    } else {
                        order[s] = e.id.0;
                    }
                }
            }
        }
    }

    fn assert_valid(m: &Mirror, order: &[u32], edges: &[(u32, u32)]) {
        let pos = |id: u32| order.iter().position(|&o| o == id).unwrap();
        for &(a, b) in edges {
            assert!(pos(a) < pos(b), "{a} before {b} in {order:?}");
            assert_eq!(m.slot_of(a) as usize, pos(a));
        }
    }

    #[test]
    fn new_edges_patch_the_order_locally() {
        let mut m = Mirror::with_destination();
        let t = m.compute_topology(16).topology;
        let mut order: Vec<u32> = t.order.iter().map(|e| e.id.0).collect();
        let mut edges = Vec::new();
        // Sources, gains and a bus made in an awkward order: every edge that
        // runs against the order is fixed by moving a few slots.
        let add = |m: &mut Mirror, order: &mut Vec<u32>| {
            let id = m.allocate_id();
            m.insert(id, MirrorNode::new(DelayRole::None));
            let (_, slot) = m.place(id).unwrap();
            apply(
                order,
                &[Patch::Slots(0, vec![(slot, OrderEntry::node(id))])],
            );
            id.0
        };
        let bus = add(&mut m, &mut order);
        for _ in 0..3 {
            let osc = add(&mut m, &mut order);
            let env = add(&mut m, &mut order);
            for (a, b) in [(env, bus), (osc, env), (bus, 0)] {
                m.connect(a, 0, b, Target::Input(0));
                edges.push((a, b));
                let patches = m.take_patches();
                apply(&mut order, &patches);
                assert!(!m.order_due, "no whole order needed");
                assert_valid(&m, &order, &edges);
            }
        }
        // A cycle needs the whole computation (to mute it).
        m.connect(0, 0, bus, Target::Input(0));
        assert!(m.order_due);
        let t = m.compute_topology(0).topology;
        assert!(t.order.iter().any(|e| e.muted));
    }
}
#[cfg(test)]
mod size_probe {
    #[test]
    fn print_sizes() {
        eprintln!(
            "MirrorNode {} Command {} RenderNode {}",
            std::mem::size_of::<Option<super::MirrorNode>>(),
            std::mem::size_of::<crate::render::Command>(),
            std::mem::size_of::<super::RenderNode>()
        );
    }
}
