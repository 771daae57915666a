//! Offline render speed of the graph core, in multiples of real time.
//!
//! `cargo bench -p webaudio-engine --bench engine`
//!
//! Scenarios: silence (destination only); 100 ConstantSource -> Gain chains
//! with per-sample gain automation; a chain of 500 gain nodes; and chains of
//! growing length to show the cost per node stays constant (linear scaling).

use std::time::Instant;

use webaudio_engine::node::constant_source::{ConstantSourceNode, ConstantSourceOptions};
use webaudio_engine::node::gain::{GainNode, GainOptions};
use webaudio_engine::{Context, OfflineOptions};

const SR: f32 = 48_000.0;

fn offline(seconds: f64) -> Context {
    Context::new_offline(OfflineOptions {
        number_of_channels: 2,
        length: (seconds * SR as f64) as usize,
        sample_rate: SR,
    })
    .unwrap()
}

/// Renders and returns (seconds of audio, wall seconds).
fn time_render(ctx: &Context, seconds: f64) -> f64 {
    let t = Instant::now();
    let out = ctx.render_blocking().unwrap();
    std::hint::black_box(&out);
    let wall = t.elapsed().as_secs_f64();
    seconds / wall
}

fn silence(seconds: f64) -> f64 {
    let ctx = offline(seconds);
    time_render(&ctx, seconds)
}

fn automated_chains(n: usize, seconds: f64) -> f64 {
    let ctx = offline(seconds);
    let dest = ctx.destination();
    let mut keep = Vec::new();
    for k in 0..n {
        let s = ConstantSourceNode::new(&ctx, ConstantSourceOptions { offset: 0.001 }).unwrap();
        let g = GainNode::new(&ctx, GainOptions::default()).unwrap();
        s.node().connect(g.node(), 0, 0).unwrap();
        g.node().connect(&dest, 0, 0).unwrap();
        // Ramps all the way through: the gain is a-rate every quantum.
        let gain = g.gain();
        let mut t = 0.0;
        while t < seconds {
            gain.linear_ramp_to_value_at_time(((k + 1) as f32).recip(), t + 0.05)
                .unwrap();
            gain.linear_ramp_to_value_at_time(1.0, t + 0.1).unwrap();
            t += 0.1;
        }
        s.start(0.0).unwrap();
        keep.push((s, g));
    }
    time_render(&ctx, seconds)
}

fn gain_chain(n: usize, seconds: f64) -> f64 {
    let ctx = offline(seconds);
    let s = ConstantSourceNode::new(&ctx, ConstantSourceOptions { offset: 0.5 }).unwrap();
    let mut keep = Vec::new();
    let mut prev = s.node().clone();
    for _ in 0..n {
        let g = GainNode::new(
            &ctx,
            GainOptions {
                gain: 0.999,
                ..Default::default()
            },
        )
        .unwrap();
        prev.connect(g.node(), 0, 0).unwrap();
        prev = g.node().clone();
        keep.push(g);
    }
    prev.connect(&ctx.destination(), 0, 0).unwrap();
    s.start(0.0).unwrap();
    time_render(&ctx, seconds)
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument filters nothing.
    let seconds = 20.0;
    println!("offline render speed, {SR} Hz stereo, multiples of real time (higher is better)");
    println!(
        "  silence (destination only):            {:>10.0}x",
        silence(seconds * 10.0)
    );
    println!(
        "  100 ConstantSource->Gain, a-rate gain:  {:>10.1}x",
        automated_chains(100, seconds)
    );
    println!(
        "  chain of 500 gain nodes:                {:>10.1}x",
        gain_chain(500, seconds)
    );
    println!("scaling (gain chain): nodes, x real time, x real time * nodes (flat = linear)");
    for n in [125, 250, 500, 1000, 2000] {
        let secs = 4000.0 / n as f64;
        let speed = gain_chain(n, secs);
        println!("  {n:>5} {speed:>10.1}x {:>12.0}", speed * n as f64);
    }
}
