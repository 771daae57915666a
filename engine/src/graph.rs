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

use std::collections::BTreeSet;
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

/// One node in processing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderEntry {
    pub id: NodeId,
    /// Part of a cycle without a DelayNode: outputs silence.
    pub muted: bool,
    /// Range of this node's incoming edges in [`Topology::edges`].
    pub edges_start: u32,
    pub edges_end: u32,
}

/// The processing order and incoming edges of every node.
#[derive(Debug, Default)]
pub struct Topology {
    pub order: Vec<OrderEntry>,
    pub edges: Vec<InEdge>,
}

impl Topology {
    pub fn incoming(&self, e: &OrderEntry) -> &[InEdge] {
        &self.edges[e.edges_start as usize..e.edges_end as usize]
    }
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
    pub freed: FreedIds,
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

#[derive(Debug, Clone)]
pub(crate) struct MirrorNode {
    pub delay: DelayRole,
    /// For delay readers: whether the last topology put them in a cycle.
    pub in_cycle: bool,
    /// A node this one must be processed after although no edge joins them
    /// (a PannerNode reads its context's AudioListener's params).
    pub after: Option<NodeId>,
}

/// An edge in the mirror: (src, output, dst, target). Ordered so iteration,
/// and hence summing order on the render thread, is deterministic.
pub(crate) type MirrorEdge = (u32, u32, u32, Target);

/// The control side's copy of the graph.
#[derive(Default)]
pub(crate) struct Mirror {
    pub nodes: Vec<Option<MirrorNode>>,
    pub free_ids: BTreeSet<u32>,
    pub edges: BTreeSet<MirrorEdge>,
    pub live: usize,
    /// Length and capacity of the render side's current `Topology::order`.
    pub order_len: usize,
    pub order_cap: usize,
}

/// The result of [`Mirror::compute_topology`].
pub(crate) struct ComputedTopology {
    pub topology: Box<Topology>,
    /// Delay readers whose in-cycle status changed: (reader, in_cycle).
    pub cycle_changes: Vec<(NodeId, bool)>,
}

impl Mirror {
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

    /// Forgets a node the render side freed, with all its edges.
    pub fn remove(&mut self, id: NodeId) {
        if let Some(slot) = self.nodes.get_mut(id.0 as usize)
            && slot.take().is_some()
        {
            self.live -= 1;
            self.edges.retain(|e| e.0 != id.0 && e.2 != id.0);
            self.free_ids.insert(id.0);
        }
    }

    /// Processing order: a topological order of the graph in which every
    /// cycle that goes through a DelayNode is broken at the delay (its reader
    /// runs before its writer and the delay is at least one quantum), and the
    /// nodes of any remaining cycle are muted.
    pub fn compute_topology(&mut self, spare: usize) -> ComputedTopology {
        let n = self.nodes.len();
        let mut adj: Vec<Vec<u32>> = vec![Vec::new(); n];
        for &(src, _, dst, _) in &self.edges {
            let a = &mut adj[src as usize];
            if a.last() != Some(&dst) && !a.contains(&dst) {
                a.push(dst);
            }
        }
        for a in &mut adj {
            a.sort_unstable();
        }
        // Without the implicit writer->reader edges every cycle is delay-free
        // or goes through a delay; add those edges only where they close no
        // cycle, one at a time since two of them together can close one.
        let mut cycle_changes = Vec::new();
        for (w, node) in self.nodes.iter().enumerate() {
            let Some(MirrorNode {
                delay: DelayRole::Writer { reader },
                ..
            }) = node
            else {
                continue;
            };
            let r = reader.0 as usize;
            let in_cycle = reachable(&adj, r, w);
            if !in_cycle {
                adj[w].push(r as u32);
                adj[w].sort_unstable();
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
            if f < n
                && self.nodes[f].is_some()
                && !reachable(&adj, i, f)
                && !adj[f].contains(&(i as u32))
            {
                adj[f].push(i as u32);
                adj[f].sort_unstable();
            }
        }

        let live: Vec<u32> = (0..n as u32)
            .filter(|&i| self.nodes[i as usize].is_some())
            .collect();
        let sccs = tarjan(&adj, &live, n);

        let mut topology = Box::new(Topology {
            order: Vec::with_capacity(live.len() + spare),
            edges: Vec::with_capacity(self.edges.len()),
        });
        // Incoming edges grouped by destination, in deterministic order.
        let mut incoming: Vec<Vec<InEdge>> = vec![Vec::new(); n];
        for &(src, output, dst, target) in &self.edges {
            incoming[dst as usize].push(InEdge {
                src: NodeId(src),
                output,
                target,
            });
        }
        // Tarjan emits components sinks first.
        for scc in sccs.iter().rev() {
            let muted = scc.len() > 1 || adj[scc[0] as usize].contains(&scc[0]);
            for &id in scc {
                let start = topology.edges.len() as u32;
                topology.edges.extend_from_slice(&incoming[id as usize]);
                topology.order.push(OrderEntry {
                    id: NodeId(id),
                    muted,
                    edges_start: start,
                    edges_end: topology.edges.len() as u32,
                });
            }
        }
        self.order_len = topology.order.len();
        self.order_cap = topology.order.capacity();
        ComputedTopology {
            topology,
            cycle_changes,
        }
    }
}

fn reachable(adj: &[Vec<u32>], from: usize, to: usize) -> bool {
    let mut seen = vec![false; adj.len()];
    let mut stack = vec![from];
    seen[from] = true;
    while let Some(u) = stack.pop() {
        if u == to {
            return true;
        }
        for &v in &adj[u] {
            if !seen[v as usize] {
                seen[v as usize] = true;
                stack.push(v as usize);
            }
        }
    }
    false
}

/// Strongly connected components (iterative Tarjan, so long chains cannot
/// overflow the stack), emitted in reverse topological order.
fn tarjan(adj: &[Vec<u32>], nodes: &[u32], n: usize) -> Vec<Vec<u32>> {
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
            if *pos < adj[ui].len() {
                let w = adj[ui][*pos];
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

    fn plain(inputs: usize, outputs: usize) -> MirrorNode {
        let _ = (inputs, outputs);
        MirrorNode {
            delay: DelayRole::None,
            in_cycle: false,
            after: None,
        }
    }

    fn mirror_with(n: usize) -> Mirror {
        let mut m = Mirror::default();
        for _ in 0..n {
            let id = m.allocate_id();
            m.insert(id, plain(1, 1));
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
        m.edges.insert((3, 0, 0, Target::Input(0)));
        m.edges.insert((2, 0, 1, Target::Param(0)));
        m.nodes[3].as_mut().unwrap().after = Some(NodeId(1));
        let t = m.compute_topology(0).topology;
        assert!(position(&t, 1) < position(&t, 3));
        assert!(position(&t, 2) < position(&t, 1));
        // No render edge is added: the panner has no incoming edges.
        let e = t.order[position(&t, 3)];
        assert!(t.incoming(&e).is_empty());
        assert!(!muted(&t, 1) && !muted(&t, 3));

        // The panner's output drives a listener param: the rule yields
        // rather than muting a cycle.
        m.edges.insert((3, 0, 1, Target::Param(0)));
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
            m.edges.insert(e);
        }
        let t = m.compute_topology(0).topology;
        assert_eq!(t.order.len(), 5);
        for &(s, _, d, _) in &m.edges {
            assert!(position(&t, s) < position(&t, d), "{s} before {d}");
        }
        assert!(t.order.iter().all(|e| !e.muted));
        let e3 = t.order[position(&t, 3)];
        assert_eq!(t.incoming(&e3).len(), 2);
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
            m.edges.insert(e);
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
        m.insert(
            w,
            MirrorNode {
                delay: DelayRole::Writer { reader: r },
                ..plain(1, 0)
            },
        );
        m.insert(
            r,
            MirrorNode {
                delay: DelayRole::Reader,
                ..plain(0, 1)
            },
        );
        m.edges.insert((1, 0, w.0, Target::Input(0)));
        m.edges.insert((r.0, 0, 0, Target::Input(0)));
        let c = m.compute_topology(0);
        // No cycle yet: the writer runs first so short delays work.
        assert!(position(&c.topology, w.0) < position(&c.topology, r.0));
        assert!(c.cycle_changes.is_empty());
        m.edges.insert((r.0, 0, 1, Target::Input(0)));
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
            m.edges.insert((i, 0, i - 1, Target::Input(0)));
        }
        let t = m.compute_topology(0).topology;
        assert_eq!(t.order[0].id, NodeId(199_999));
        assert_eq!(t.order[199_999].id, NodeId(0));
    }

    #[test]
    fn ids_are_reused_lowest_first() {
        let mut m = mirror_with(4);
        m.edges.insert((2, 0, 3, Target::Input(0)));
        m.remove(NodeId(2));
        m.remove(NodeId(1));
        assert!(m.edges.is_empty());
        assert_eq!(m.live, 2);
        assert_eq!(m.allocate_id(), NodeId(1));
        assert_eq!(m.allocate_id(), NodeId(2));
        assert_eq!(m.allocate_id(), NodeId(4));
    }
}
