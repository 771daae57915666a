//! Offline render speed of a ConstantSource -> ScriptProcessorNode ->
//! destination graph, in multiples of real time, with a control-side thread
//! playing script's part (output = input * 0.5). Includes the offline
//! render's wait for script at every buffer boundary.
//!
//! `cargo bench -p webaudio-engine --bench script_processor`

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use webaudio_engine::node::constant_source::{ConstantSourceNode, ConstantSourceOptions};
use webaudio_engine::node::script_processor::ScriptProcessorNode;
use webaudio_engine::{Context, OfflineOptions};

const SR: f32 = 48_000.0;

fn run(buffer_size: usize, channels: usize, seconds: f64) -> f64 {
    let ctx = Context::new_offline(OfflineOptions {
        number_of_channels: channels,
        length: (seconds * SR as f64) as usize,
        sample_rate: SR,
    })
    .unwrap();
    let src = ConstantSourceNode::new(&ctx, ConstantSourceOptions { offset: 0.25 }).unwrap();
    let spn = Arc::new(ScriptProcessorNode::new(&ctx, buffer_size, channels, channels).unwrap());
    src.node().connect(spn.node(), 0, 0).unwrap();
    spn.node().connect(&ctx.destination(), 0, 0).unwrap();
    src.start(0.0).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let script = {
        let spn = spn.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut buf = vec![0.0f32; channels * buffer_size];
            while !stop.load(Ordering::Relaxed) {
                if spn.take_input(&mut buf).is_some() {
                    for s in &mut buf {
                        *s *= 0.5;
                    }
                    spn.give_output(&buf);
                } else {
                    std::thread::yield_now();
                }
            }
        })
    };
    let t = Instant::now();
    let out = ctx.render_blocking().unwrap();
    let wall = t.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    script.join().unwrap();
    let last = out[0][out[0].len() - 1];
    assert_eq!(last, 0.125, "the script's output reached the destination");
    seconds / wall
}

fn main() {
    let seconds = 20.0;
    for (bs, ch) in [(256, 1), (1024, 2), (4096, 2), (16384, 8)] {
        println!(
            "bufferSize {bs:>5}, {ch} channels: {:>8.1} x real time",
            run(bs, ch, seconds)
        );
    }
}
