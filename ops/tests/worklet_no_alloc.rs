//! Steady-state rendering with AudioWorklet processors must not allocate or
//! free on the render thread outside the JS engine itself. A counting global
//! allocator flags every allocation, reallocation and free made on a render
//! thread while the test is armed, except inside the sections the worklet
//! marks as the JS engine's (`JS_ENGINE_SECTION_HOOK`): the engine's own
//! work, and the copies into and out of the processor's arrays, are checked.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use webaudio_engine::node::constant_source::{ConstantSourceNode, ConstantSourceOptions};
use webaudio_engine::{Context, RENDER_THREAD_HOOK, RealtimeOptions, SinkChoice};
use webaudio_ops::worklet::{
    self, JS_ENGINE_SECTION_HOOK, ParamDescriptorData, WorkletNode, WorkletNodeOptions,
};

struct Checking;

thread_local! {
    static ON_RENDER_THREAD: Cell<bool> = const { Cell::new(false) };
    static IN_JS_ENGINE: Cell<i32> = const { Cell::new(0) };
}
static ARMED: AtomicBool = AtomicBool::new(false);
static VIOLATIONS: AtomicUsize = AtomicUsize::new(0);

fn check() {
    if ARMED.load(Ordering::Relaxed)
        && ON_RENDER_THREAD.try_with(Cell::get).unwrap_or(false)
        && IN_JS_ENGINE.try_with(Cell::get).unwrap_or(0) <= 0
    {
        VIOLATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

unsafe impl GlobalAlloc for Checking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        check();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        check();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        check();
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        check();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Checking = Checking;

const GAIN_PROCESSOR: &str = r#"
registerProcessor("gain", class extends AudioWorkletProcessor {
  static get parameterDescriptors() {
    return [{ name: "gain", defaultValue: 0.5 }];
  }
  process(inputs, outputs, parameters) {
    const input = inputs[0], output = outputs[0], gain = parameters.gain;
    for (let c = 0; c < output.length; c++) {
      const x = input[c], y = output[c];
      if (x === undefined) continue;
      for (let i = 0; i < y.length; i++) y[i] = x[i] * (gain.length > 1 ? gain[i] : gain[0]);
    }
    return true;
  }
});
"#;

fn port() -> Box<dyn deno_core::TransferredResource> {
    let (ours, _theirs) = deno_web::create_entangled_message_port();
    Box::new(ours)
}

#[test]
fn worklet_rendering_allocates_only_inside_the_js_engine() {
    RENDER_THREAD_HOOK
        .set(|| ON_RENDER_THREAD.with(|f| f.set(true)))
        .unwrap();
    JS_ENGINE_SECTION_HOOK
        .set(|enter| IN_JS_ENGINE.with(|d| d.set(d.get() + if enter { 1 } else { -1 })))
        .unwrap();
    let ctx = Context::new_realtime(RealtimeOptions {
        sample_rate: Some(48_000.0),
        sink: SinkChoice::None,
        ..Default::default()
    })
    .unwrap();
    let (reports, _rx) = std::sync::mpsc::channel();
    worklet::init_realm(&ctx, port(), reports);
    let loaded = worklet::add_module(
        &ctx,
        "file:///no-alloc/gain.js".into(),
        GAIN_PROCESSOR.into(),
    );
    ctx.resume().unwrap();
    ctx.flush();
    let registered = loaded
        .blocking_recv()
        .expect("the render thread answers")
        .expect("the module loads");
    assert_eq!(registered[0].name, "gain");

    let src = ConstantSourceNode::new(&ctx, ConstantSourceOptions { offset: 0.5 }).unwrap();
    src.start(0.0).unwrap();
    let mut nodes = Vec::new();
    for _ in 0..8 {
        let node = WorkletNode::new(
            &ctx,
            WorkletNodeOptions {
                name: "gain".into(),
                number_of_inputs: 1,
                number_of_outputs: 1,
                output_channel_count: None,
                descriptors: vec![ParamDescriptorData {
                    name: "gain".into(),
                    default_value: 0.5,
                    min_value: f32::MIN,
                    max_value: f32::MAX,
                    automation_rate: "a-rate".into(),
                }],
                serialized_options: Vec::new(),
                port: port(),
            },
        )
        .unwrap();
        src.node().connect(node.node(), 0, 0).unwrap();
        node.node().connect(&ctx.destination(), 0, 0).unwrap();
        nodes.push(node);
    }
    ctx.flush();
    // Let construction and the first (array-making) quanta pass.
    std::thread::sleep(Duration::from_millis(300));
    let before = ctx.current_frame();
    ARMED.store(true, Ordering::SeqCst);
    // Automation switches the param arrays between 1 and 128 values.
    for node in &nodes {
        let gain = node.node().param(0);
        let t = ctx.current_time();
        gain.set_value_at_time(0.25, t + 0.05).unwrap();
        gain.linear_ramp_to_value_at_time(1.0, t + 0.2).unwrap();
    }
    ctx.flush();
    std::thread::sleep(Duration::from_millis(500));
    ARMED.store(false, Ordering::SeqCst);
    let rendered = ctx.current_frame() - before;
    assert!(
        rendered > 48_000 / 4,
        "rendering went on ({rendered} frames)"
    );
    assert_eq!(
        VIOLATIONS.load(Ordering::SeqCst),
        0,
        "the render thread allocated or freed outside the JS engine"
    );
    drop(nodes);
    ctx.close().unwrap();
}
