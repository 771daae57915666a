//! The render thread must never allocate or free. A counting global
//! allocator flags every allocation, reallocation and free made on a thread
//! that entered rendering (via `RENDER_THREAD_HOOK`) once the test is armed,
//! while the control thread keeps sending param events, connects,
//! disconnects, node messages and new / dropped nodes.

use std::time::{Duration, Instant};

use webaudio_engine::alloc_check::RenderAllocCheck;
use webaudio_engine::node::constant_source::{ConstantSourceNode, ConstantSourceOptions};
use webaudio_engine::node::delay::{DelayNode, DelayOptions};
use webaudio_engine::node::gain::{GainNode, GainOptions};
use webaudio_engine::node::script_processor::ScriptProcessorNode;
use webaudio_engine::{Context, RealtimeOptions, SinkChoice};

#[global_allocator]
static GLOBAL: RenderAllocCheck = RenderAllocCheck;

#[test]
fn render_thread_never_allocates_or_frees() {
    RenderAllocCheck::install();
    let ctx = Context::new_realtime(RealtimeOptions {
        sample_rate: Some(48_000.0),
        sink: SinkChoice::None,
        ..Default::default()
    })
    .unwrap();
    let dest = ctx.destination();

    // A standing graph with a feedback loop through a delay.
    let src = ConstantSourceNode::new(&ctx, ConstantSourceOptions { offset: 0.5 }).unwrap();
    let g = GainNode::new(&ctx, GainOptions::default()).unwrap();
    let delay = DelayNode::new(
        &ctx,
        DelayOptions {
            delay_time: 0.01,
            ..Default::default()
        },
    )
    .unwrap();
    let fb = GainNode::new(
        &ctx,
        GainOptions {
            gain: 0.5,
            ..Default::default()
        },
    )
    .unwrap();
    src.node().connect(g.node(), 0, 0).unwrap();
    g.node().connect(delay.node(), 0, 0).unwrap();
    delay.node().connect(fb.node(), 0, 0).unwrap();
    fb.node().connect(delay.node(), 0, 0).unwrap();
    delay.node().connect(&dest, 0, 0).unwrap();
    src.start(0.0).unwrap();
    // A ScriptProcessorNode whose blocks the control thread answers (late
    // answers are underruns, which must not allocate either).
    let spn = ScriptProcessorNode::new(&ctx, 256, 2, 2).unwrap();
    g.node().connect(spn.node(), 0, 0).unwrap();
    spn.node().connect(&dest, 0, 0).unwrap();
    let mut spn_buf = vec![0.0f32; 2 * 256];

    // Warm-up: let the render thread start and settle.
    std::thread::sleep(Duration::from_millis(100));
    while ctx.try_event().is_some() {}
    RenderAllocCheck::arm(true);
    let frame0 = ctx.current_frame();

    let end = Instant::now() + Duration::from_millis(1500);
    let mut k = 0u32;
    let mut extra: Vec<GainNode> = Vec::new();
    let mut persistent: Vec<GainNode> = Vec::new();
    while Instant::now() < end {
        let now = ctx.current_time();
        let gain = g.gain();
        gain.set_value_at_time(0.25 + (k % 7) as f32 * 0.1, now + 0.01)
            .unwrap();
        gain.linear_ramp_to_value_at_time(1.0, now + 0.05).unwrap();
        delay
            .delay_time()
            .set_value(0.005 + (k % 5) as f32 * 0.001)
            .unwrap();
        // Short-lived sources: created, started, stopped, dropped.
        let s = ConstantSourceNode::new(&ctx, ConstantSourceOptions { offset: 0.1 }).unwrap();
        s.node().connect(g.node(), 0, 0).unwrap();
        s.start(now).unwrap();
        s.stop(now + 0.003).unwrap();
        drop(s);
        // Edges come and go (topology swaps) and nodes are added/dropped.
        if k.is_multiple_of(2) {
            let x = GainNode::new(&ctx, GainOptions::default()).unwrap();
            g.node().connect(x.node(), 0, 0).unwrap();
            x.node().connect(&dest, 0, 0).unwrap();
            extra.push(x);
        } else if let Some(x) = extra.pop() {
            g.node().disconnect_node(x.node()).unwrap();
        }
        // Persistent nodes make the render-side node table grow (the control
        // side sends the bigger table).
        if persistent.len() < 400 {
            persistent.push(GainNode::new(&ctx, GainOptions::default()).unwrap());
        }
        while ctx.try_event().is_some() {}
        while spn.take_input(&mut spn_buf).is_some() {
            spn.give_output(&spn_buf);
        }
        k += 1;
        std::thread::sleep(Duration::from_millis(1));
    }
    RenderAllocCheck::arm(false);
    let rendered = ctx.current_frame() - frame0;
    assert!(
        rendered >= 128 * 50,
        "the render thread ran ({rendered} frames)"
    );
    assert!(k > 100, "commands kept arriving ({k} rounds)");
    assert!(
        ctx.render_node_count() > 400,
        "the node table grew while armed"
    );
    assert_eq!(
        RenderAllocCheck::violations(),
        0,
        "allocations or frees on the render thread"
    );
}
