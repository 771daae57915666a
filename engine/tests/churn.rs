//! Churn: a realtime (null sink) context creates, starts, stops and drops
//! 100 000 short-lived nodes. Afterwards the graph is back to its baseline
//! node count and the heap (live bytes, counted by a global allocator) is
//! flat. Sources whose handles are kept (a script that holds its nodes)
//! leave the render graph as soon as they end all the same.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use webaudio_engine::node::constant_source::{ConstantSourceNode, ConstantSourceOptions};
use webaudio_engine::node::gain::{GainNode, GainOptions};
use webaudio_engine::{Context, RealtimeOptions, SinkChoice};

struct Counting;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE_BYTES.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const TOTAL: usize = 100_000;
const BATCH: usize = 250;

/// Runs `batches` rounds of churn: each source plays ~1 ms through its own
/// gain into the destination and every handle is dropped at once.
fn churn(ctx: &Context, batches: usize) {
    let dest = ctx.destination();
    for _ in 0..batches {
        let now = ctx.current_time();
        for _ in 0..BATCH {
            let s = ConstantSourceNode::new(ctx, ConstantSourceOptions { offset: 0.01 }).unwrap();
            let g = GainNode::new(ctx, GainOptions::default()).unwrap();
            s.node().connect(g.node(), 0, 0).unwrap();
            g.node().connect(&dest, 0, 0).unwrap();
            s.start(now).unwrap();
            s.stop(now + 0.001).unwrap();
        }
        // The end of the "task" (a host flushes there): the batch goes to
        // the render thread now.
        ctx.flush();
        while ctx.try_event().is_some() {}
        std::thread::sleep(Duration::from_millis(2));
        // At most a few batches in flight, however the machine schedules
        // the render thread: the id high-water mark (and so the size of
        // the node tables) is bounded by the test, not by the load.
        let end = Instant::now() + Duration::from_secs(10);
        while ctx.node_count() > 1 + IN_FLIGHT && Instant::now() < end {
            while ctx.try_event().is_some() {}
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// Nodes (sources and gains) allowed to wait for the render thread before
/// the next batch is made.
const IN_FLIGHT: usize = 4 * BATCH;

/// Makes the node tables as big as churn can make them: that many nodes at
/// once, then all dropped.
fn grow_tables(ctx: &Context) {
    let held: Vec<GainNode> = (0..IN_FLIGHT + 2 * BATCH + 1)
        .map(|_| GainNode::new(ctx, GainOptions::default()).unwrap())
        .collect();
    ctx.flush();
    drop(held);
}

fn settle(ctx: &Context) {
    let end = Instant::now() + Duration::from_secs(30);
    while Instant::now() < end {
        while ctx.try_event().is_some() {}
        if ctx.node_count() == 1 && ctx.render_node_count() == 1 && !ctx.may_make_sound() {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!(
        "graph did not return to baseline: {} control / {} render nodes",
        ctx.node_count(),
        ctx.render_node_count()
    );
}

#[test]
fn hundred_thousand_short_lived_nodes_leave_nothing_behind() {
    let ctx = Context::new_realtime(RealtimeOptions {
        sample_rate: Some(96_000.0),
        sink: SinkChoice::None,
        ..Default::default()
    })
    .unwrap();
    // Warm-up round: grows the node tables and queues to their working size.
    let warm = 40;
    grow_tables(&ctx);
    churn(&ctx, warm);
    settle(&ctx);
    let baseline = LIVE_BYTES.load(Ordering::SeqCst);

    churn(&ctx, TOTAL / BATCH);
    settle(&ctx);
    let after = LIVE_BYTES.load(Ordering::SeqCst);

    assert_eq!(ctx.node_count(), 1, "only the destination is left");
    assert_eq!(ctx.render_node_count(), 1);
    let growth = after - baseline;
    eprintln!("live heap: baseline {baseline} B, after {after} B, growth {growth} B");
    assert!(
        growth < 256 * 1024,
        "heap grew by {growth} bytes over {TOTAL} nodes"
    );
}

#[test]
fn ended_sources_leave_the_render_graph_while_their_handles_live() {
    let ctx = Context::new_realtime(RealtimeOptions {
        sample_rate: Some(48_000.0),
        sink: SinkChoice::None,
        ..Default::default()
    })
    .unwrap();
    let dest = ctx.destination();
    // A standing chain that lives on, and 2000 notes through it whose
    // handles (and edges) the "script" keeps.
    let bus = GainNode::new(&ctx, GainOptions::default()).unwrap();
    bus.node().connect(&dest, 0, 0).unwrap();
    let mut kept = Vec::new();
    for _ in 0..20 {
        let now = ctx.current_time();
        for _ in 0..100 {
            let s = ConstantSourceNode::new(&ctx, ConstantSourceOptions { offset: 0.01 }).unwrap();
            s.node().connect(bus.node(), 0, 0).unwrap();
            s.start(now).unwrap();
            s.stop(now + 0.002).unwrap();
            kept.push(s);
        }
        ctx.flush();
        while ctx.try_event().is_some() {}
        std::thread::sleep(Duration::from_millis(5));
    }
    // Within a second of ending, only the destination and the bus remain
    // on the render side, whatever the handles do.
    let end = Instant::now() + Duration::from_secs(1);
    while ctx.render_node_count() != 2 && Instant::now() < end {
        while ctx.try_event().is_some() {}
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(ctx.render_node_count(), 2, "ended sources still rendered");
    // (A task's end, where a host sends what it held.)
    ctx.flush();
    let end = Instant::now() + Duration::from_secs(1);
    while ctx.may_make_sound() && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(!ctx.may_make_sound());
    // The control side still has them all, with their edges: JS can still
    // disconnect what it connected.
    assert_eq!(ctx.node_count(), 2 + kept.len());
    for s in &kept[..10] {
        s.node().disconnect_node(bus.node()).unwrap();
        assert!(s.node().disconnect_node(bus.node()).is_err());
    }
    drop(kept);
    settle_to(&ctx, 2);
}

fn settle_to(ctx: &Context, nodes: usize) {
    let end = Instant::now() + Duration::from_secs(30);
    while ctx.node_count() != nodes && Instant::now() < end {
        while ctx.try_event().is_some() {}
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(ctx.node_count(), nodes);
}
