//! Steady-state rendering with AudioWorklet processors must not allocate or
//! free on the render thread outside the JS engine itself. A counting global
//! allocator flags every allocation, reallocation and free made on a render
//! thread while the test is armed, except inside the sections the worklet
//! marks as the JS engine's (`JS_ENGINE_SECTION_HOOK`): the engine's own
//! work, and the copies into and out of the processor's arrays, are checked.

use std::time::Duration;

use webaudio_engine::alloc_check::RenderAllocCheck;
use webaudio_engine::node::constant_source::{ConstantSourceNode, ConstantSourceOptions};
use webaudio_engine::{Context, RealtimeOptions, SinkChoice};
use webaudio_ops::worklet::{
    self, JS_ENGINE_SECTION_HOOK, ParamDescriptorData, RealmReport, WorkletNode, WorkletNodeOptions,
};

#[global_allocator]
static GLOBAL: RenderAllocCheck = RenderAllocCheck;

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
    RenderAllocCheck::install();
    JS_ENGINE_SECTION_HOOK
        .set(RenderAllocCheck::excuse)
        .unwrap();
    let ctx = Context::new_realtime(RealtimeOptions {
        sample_rate: Some(48_000.0),
        sink: SinkChoice::None,
        ..Default::default()
    })
    .unwrap();
    let (reports, registrations) = std::sync::mpsc::channel();
    worklet::init_realm(&ctx, port(), reports, Default::default());
    let loaded = worklet::add_module(
        &ctx,
        "file:///no-alloc/gain.js".into(),
        GAIN_PROCESSOR.into(),
    );
    ctx.resume().unwrap();
    ctx.flush();
    loaded
        .blocking_recv()
        .expect("the render thread answers")
        .expect("the module loads");
    match registrations.try_recv() {
        Ok(RealmReport::Registered(r)) => assert_eq!(r.name, "gain"),
        other => panic!("expected the gain processor's registration, got {other:?}"),
    }

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
    RenderAllocCheck::arm(true);
    // Automation switches the param arrays between 1 and 128 values.
    for node in &nodes {
        let gain = node.node().param(0);
        let t = ctx.current_time();
        gain.set_value_at_time(0.25, t + 0.05).unwrap();
        gain.linear_ramp_to_value_at_time(1.0, t + 0.2).unwrap();
    }
    ctx.flush();
    std::thread::sleep(Duration::from_millis(500));
    RenderAllocCheck::arm(false);
    let rendered = ctx.current_frame() - before;
    assert!(
        rendered > 48_000 / 4,
        "rendering went on ({rendered} frames)"
    );
    assert_eq!(
        RenderAllocCheck::violations(),
        0,
        "the render thread allocated or freed outside the JS engine"
    );
    drop(nodes);
    ctx.close().unwrap();
}
