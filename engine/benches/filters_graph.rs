//! Offline render speed of whole graphs through the filter and shaping
//! nodes' control API, in multiples of real time.
//!
//! `cargo bench -p webaudio-engine --bench filters_graph`
//!
//! Scenarios: a ramping ConstantSource into a lowpass BiquadFilterNode whose
//! frequency is automated every sample; the same into a WaveShaperNode with
//! 4x oversampling; and an IIRFilterNode of order 4. Each is rendered with
//! 1 and with 16 parallel chains.

use std::time::Instant;

use webaudio_engine::node::biquad_filter::{BiquadFilterNode, BiquadFilterOptions};
use webaudio_engine::node::constant_source::{ConstantSourceNode, ConstantSourceOptions};
use webaudio_engine::node::iir_filter::{IIRFilterNode, IIRFilterOptions};
use webaudio_engine::node::waveshaper::{OverSampleType, WaveShaperNode, WaveShaperOptions};
use webaudio_engine::{Context, NodeHandle, OfflineOptions};

const SR: f32 = 48_000.0;

fn offline(seconds: f64) -> Context {
    Context::new_offline(OfflineOptions {
        number_of_channels: 2,
        length: (seconds * SR as f64) as usize,
        sample_rate: SR,
    })
    .unwrap()
}

/// A source whose offset ramps back and forth, so it is never constant.
fn source(ctx: &Context, seconds: f64) -> ConstantSourceNode {
    let s = ConstantSourceNode::new(ctx, ConstantSourceOptions { offset: 0.0 }).unwrap();
    let offset = s.offset();
    let mut t = 0.0;
    while t < seconds {
        offset.linear_ramp_to_value_at_time(0.9, t + 0.001).unwrap();
        offset
            .linear_ramp_to_value_at_time(-0.9, t + 0.002)
            .unwrap();
        t += 0.002;
    }
    s.start(0.0).unwrap();
    s
}

/// Renders `chains` copies of source -> `make(ctx)` -> destination and
/// returns the speed in multiples of real time.
fn run<N>(chains: usize, seconds: f64, make: impl Fn(&Context) -> (N, NodeHandle)) -> f64 {
    let ctx = offline(seconds);
    let dest = ctx.destination();
    let mut keep = Vec::new();
    for _ in 0..chains {
        let s = source(&ctx, seconds);
        let (n, handle) = make(&ctx);
        s.node().connect(&handle, 0, 0).unwrap();
        handle.connect(&dest, 0, 0).unwrap();
        keep.push((s, n));
    }
    let t = Instant::now();
    let out = ctx.render_blocking().unwrap();
    std::hint::black_box(&out);
    seconds / t.elapsed().as_secs_f64()
}

fn biquad(ctx: &Context, seconds: f64) -> (BiquadFilterNode, NodeHandle) {
    let b = BiquadFilterNode::new(ctx, BiquadFilterOptions::default()).unwrap();
    // Sweeps all the way through: the frequency is a-rate every quantum.
    let f = b.frequency();
    let mut t = 0.0;
    while t < seconds {
        f.exponential_ramp_to_value_at_time(8000.0, t + 0.05)
            .unwrap();
        f.exponential_ramp_to_value_at_time(200.0, t + 0.1).unwrap();
        t += 0.1;
    }
    let h = b.node().clone();
    (b, h)
}

fn waveshaper(ctx: &Context) -> (WaveShaperNode, NodeHandle) {
    let curve: Vec<f32> = (0..1024)
        .map(|i| ((i as f32 / 1023.0) * 2.0 - 1.0).mul_add(3.0, 0.0).tanh())
        .collect();
    let w = WaveShaperNode::new(
        ctx,
        &WaveShaperOptions {
            curve: Some(curve),
            oversample: OverSampleType::X4,
        },
    )
    .unwrap();
    let h = w.node().clone();
    (w, h)
}

fn iir(ctx: &Context) -> (IIRFilterNode, NodeHandle) {
    // Two cascaded one-pole lowpasses and a zero pair: order 4, stable.
    let n = IIRFilterNode::new(
        ctx,
        &IIRFilterOptions {
            feedforward: vec![0.0625, 0.25, 0.375, 0.25, 0.0625],
            feedback: vec![1.0, -1.6, 0.96, -0.256, 0.0256],
        },
    )
    .unwrap();
    let h = n.node().clone();
    (n, h)
}

fn main() {
    let seconds = 10.0;
    println!("offline render speed, {SR} Hz, multiples of real time (higher is better)");
    for chains in [1, 16] {
        println!(
            "  {chains:>2} x source -> biquad lowpass, a-rate frequency sweep: {:>9.1}x",
            run(chains, seconds, |ctx| biquad(ctx, seconds))
        );
        println!(
            "  {chains:>2} x source -> waveshaper 4x (1024-point curve):      {:>9.1}x",
            run(chains, seconds, waveshaper)
        );
        println!(
            "  {chains:>2} x source -> IIR filter, order 4:                   {:>9.1}x",
            run(chains, seconds, iir)
        );
    }
}
