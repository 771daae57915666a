//! What a context keeps once its render side is done: the graph the host
//! built (nodes, edges, params, ids) stays as it was; threads, queues and
//! render memory go at once.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use webaudio_engine::message::EngineEvent;
use webaudio_engine::node::constant_source::{ConstantSourceNode, ConstantSourceOptions};
use webaudio_engine::node::gain::{GainNode, GainOptions};
use webaudio_engine::node::oscillator::{OscillatorNode, OscillatorOptions};
use webaudio_engine::{Context, ContextState, Error, OfflineOptions, RealtimeOptions, SinkChoice};

struct Counting;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc_zeroed(layout) }
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

fn offline(length: usize) -> Context {
    Context::new_offline(OfflineOptions {
        number_of_channels: 1,
        length,
        sample_rate: 8000.0,
    })
    .unwrap()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Threads of this process (Linux).
fn thread_count() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count())
}

#[test]
fn the_graph_survives_offline_rendering() {
    let ctx = offline(1024);
    let src = ConstantSourceNode::new(&ctx, ConstantSourceOptions { offset: 0.5 }).unwrap();
    let lfo = ConstantSourceNode::new(&ctx, ConstantSourceOptions { offset: 0.25 }).unwrap();
    let gain = GainNode::new(&ctx, GainOptions::default()).unwrap();
    let dest = ctx.destination();
    src.node().connect(gain.node(), 0, 0).unwrap();
    lfo.node().connect_param(&gain.gain(), 0).unwrap();
    gain.node().connect(&dest, 0, 0).unwrap();
    gain.gain().set_value_at_time(0.5, 0.0).unwrap();
    src.start(0.0).unwrap();
    src.stop(0.01).unwrap();
    lfo.start(0.0).unwrap();
    let rendered = ctx.render_blocking().unwrap();
    assert_eq!(rendered[0][0], 0.5 * (0.5 + 0.25));
    // The render side goes at once...
    wait_until("the render side to go", || {
        while ctx.try_event().is_some() {}
        ctx.is_render_released()
    });
    assert_eq!(ctx.state(), ContextState::Closed);
    // ...and every edge the host made is still there to be removed once.
    src.node().disconnect_node(gain.node()).unwrap();
    assert!(matches!(
        src.node().disconnect_node(gain.node()),
        Err(Error::InvalidAccess(_))
    ));
    lfo.node().disconnect_param(&gain.gain()).unwrap();
    gain.node().disconnect_node(&dest).unwrap();
    // New edges can be made and removed too.
    gain.node().connect(&dest, 0, 0).unwrap();
    gain.node().disconnect().unwrap();
    assert!(matches!(
        gain.node().disconnect_node(&dest),
        Err(Error::InvalidAccess(_))
    ));
    // Params still read their last value and take automation calls.
    assert_eq!(gain.gain().value(), 0.5);
    gain.gain().linear_ramp_to_value_at_time(1.0, 2.0).unwrap();
    // A node made now gets an id no live handle has.
    let taken = [
        src.node().id(),
        lfo.node().id(),
        gain.node().id(),
        dest.id(),
    ];
    let fresh = GainNode::new(&ctx, GainOptions::default()).unwrap();
    assert!(!taken.contains(&fresh.node().id()));
    fresh.node().connect(gain.node(), 0, 0).unwrap();
    fresh.node().disconnect_node(gain.node()).unwrap();
    assert_eq!(ctx.node_count(), 5);
    assert!(!ctx.may_make_sound());
}

#[test]
fn ids_are_not_reused_while_a_handle_holds_them() {
    let ctx = Context::new_realtime(RealtimeOptions {
        sample_rate: Some(48_000.0),
        sink: SinkChoice::None,
        ..Default::default()
    })
    .unwrap();
    let src = ConstantSourceNode::new(&ctx, ConstantSourceOptions { offset: 0.5 }).unwrap();
    let gain = GainNode::new(&ctx, GainOptions::default()).unwrap();
    src.node().connect(gain.node(), 0, 0).unwrap();
    gain.node().connect(&ctx.destination(), 0, 0).unwrap();
    src.start(0.0).unwrap();
    src.stop(0.0).unwrap();
    ctx.flush();
    assert!(ctx.wait_for(Duration::from_secs(5), |e| matches!(
        e,
        EngineEvent::Ended(id) if *id == src.node().id()
    )));
    // The ended source leaves the render side; its handle keeps its id.
    wait_until("the source to leave the render side", || {
        ctx.node_count();
        ctx.render_node_count() == 2
    });
    for _ in 0..50 {
        let g = GainNode::new(&ctx, GainOptions::default()).unwrap();
        assert_ne!(g.node().id(), src.node().id());
        assert_ne!(g.node().id(), gain.node().id());
    }
    src.node().disconnect_node(gain.node()).unwrap();
    ctx.close().unwrap();
    wait_until("the closed context to let go", || {
        while ctx.try_event().is_some() {}
        ctx.is_render_released()
    });
    // Closed: the graph stays as built, every call still validates.
    gain.node().disconnect_node(&ctx.destination()).unwrap();
    assert!(gain.node().disconnect_node(&ctx.destination()).is_err());
}

#[test]
fn finished_contexts_keep_no_thread_and_little_memory() {
    fn render_one(kept: &mut Vec<(Context, OscillatorNode)>) {
        let ctx = offline(4096);
        let osc = OscillatorNode::new(&ctx, OscillatorOptions::default()).unwrap();
        osc.node().connect(&ctx.destination(), 0, 0).unwrap();
        osc.start(0.0).unwrap();
        let out = ctx.render_blocking().unwrap();
        assert_eq!(out[0].len(), 4096);
        // A host keeps the context and the node (an uncollected wrapper).
        kept.push((ctx, osc));
    }
    let mut kept = Vec::new();
    for _ in 0..20 {
        render_one(&mut kept);
    }
    wait_until("the warm-up contexts to let go", || {
        kept.iter().all(|(c, _)| c.is_render_released())
    });
    std::thread::sleep(Duration::from_millis(50));
    let threads = thread_count();
    let bytes = LIVE_BYTES.load(Ordering::SeqCst);
    const N: usize = 1000;
    for _ in 0..N {
        render_one(&mut kept);
    }
    wait_until("every context to let go", || {
        kept.iter().all(|(c, _)| c.is_render_released())
    });
    wait_until("the render threads to end", || thread_count() <= threads);
    let per_context = (LIVE_BYTES.load(Ordering::SeqCst) - bytes) / N as isize;
    eprintln!(
        "{N} finished offline contexts: threads {threads} -> {}, {per_context} B each",
        thread_count()
    );
    // What stays is the control side's graph (the output, 16 KiB here,
    // went to the host; queues alone were ~2.8 MB before).
    assert!(
        per_context < 8 * 1024,
        "{per_context} bytes per finished context"
    );
    assert!(webaudio_engine::service::registered_links() <= 1);
}

#[test]
fn an_output_that_cannot_be_allocated_is_a_range_error() {
    let ctx = Context::new_offline(OfflineOptions {
        number_of_channels: 32,
        length: u32::MAX as usize,
        sample_rate: 8000.0,
    })
    .unwrap();
    assert!(matches!(ctx.start_rendering(), Err(Error::Range(_))));
    // Nothing started: the context is as it was.
    assert_eq!(ctx.state(), ContextState::Suspended);
    assert!(!ctx.is_render_released());
}
