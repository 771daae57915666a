//! Whole-graph offline render speed of the source and routing nodes, in
//! multiples of real time (control API end to end, as the JS bindings use
//! it).
//!
//! `cargo bench -p webaudio-engine --bench source_graph`
//!
//! Scenarios: 100 oscillators (mixed types, detune automation) each through
//! a StereoPannerNode; 100 looping AudioBufferSourceNodes (rate 0.9, so
//! interpolating) each through a 10 ms DelayNode; 50 stereo sources split
//! into two channels and merged back swapped.

use std::sync::Arc;
use std::time::Instant;

use webaudio_engine::buffer::AudioBufferData;
use webaudio_engine::node::audio_buffer_source::{AudioBufferSourceNode, AudioBufferSourceOptions};
use webaudio_engine::node::channel_merger::{ChannelMergerNode, ChannelMergerOptions};
use webaudio_engine::node::channel_splitter::{ChannelSplitterNode, ChannelSplitterOptions};
use webaudio_engine::node::delay::{DelayNode, DelayOptions};
use webaudio_engine::node::oscillator::{OscillatorNode, OscillatorOptions, OscillatorType};
use webaudio_engine::node::stereo_panner::{StereoPannerNode, StereoPannerOptions};
use webaudio_engine::{Context, OfflineOptions};

const SR: f32 = 48_000.0;
const SECONDS: f64 = 10.0;

fn offline() -> Context {
    Context::new_offline(OfflineOptions {
        number_of_channels: 2,
        length: (SECONDS * SR as f64) as usize,
        sample_rate: SR,
    })
    .unwrap()
}

fn time_render(ctx: &Context) -> f64 {
    let t = Instant::now();
    let out = ctx.render_blocking().unwrap();
    std::hint::black_box(&out);
    SECONDS / t.elapsed().as_secs_f64()
}

fn stereo_buffer(frames: usize) -> Arc<AudioBufferData> {
    let ch = |k: f32| -> Box<[f32]> {
        (0..frames)
            .map(|i| (i as f32 * 0.01 * k).sin() * 0.1)
            .collect()
    };
    Arc::new(AudioBufferData::new(SR, vec![ch(1.0), ch(1.5)]))
}

fn oscillators_panned(n: usize) -> f64 {
    let ctx = offline();
    let dest = ctx.destination();
    let types = [
        OscillatorType::Sine,
        OscillatorType::Square,
        OscillatorType::Sawtooth,
        OscillatorType::Triangle,
    ];
    let mut keep = Vec::new();
    for k in 0..n {
        let o = OscillatorNode::new(
            &ctx,
            OscillatorOptions {
                type_: types[k % 4],
                frequency: 110.0 + k as f32 * 7.0,
                ..Default::default()
            },
        )
        .unwrap();
        o.detune()
            .linear_ramp_to_value_at_time(100.0, SECONDS)
            .unwrap();
        let p = StereoPannerNode::new(
            &ctx,
            StereoPannerOptions {
                pan: (k as f32 / n as f32) * 2.0 - 1.0,
            },
        )
        .unwrap();
        o.node().connect(p.node(), 0, 0).unwrap();
        p.node().connect(&dest, 0, 0).unwrap();
        o.start(0.0).unwrap();
        keep.push((o, p));
    }
    time_render(&ctx)
}

fn buffer_sources_delayed(n: usize) -> f64 {
    let ctx = offline();
    let dest = ctx.destination();
    let buffer = stereo_buffer(48_000);
    let mut keep = Vec::new();
    for _ in 0..n {
        let s = AudioBufferSourceNode::new(
            &ctx,
            AudioBufferSourceOptions {
                buffer: Some(buffer.clone()),
                loop_: true,
                playback_rate: 0.9,
                ..Default::default()
            },
        )
        .unwrap();
        let d = DelayNode::new(
            &ctx,
            DelayOptions {
                delay_time: 0.01,
                ..Default::default()
            },
        )
        .unwrap();
        s.node().connect(d.node(), 0, 0).unwrap();
        d.node().connect(&dest, 0, 0).unwrap();
        s.start(0.0, 0.0, None, None).unwrap();
        keep.push((s, d));
    }
    time_render(&ctx)
}

fn split_merge(n: usize) -> f64 {
    let ctx = offline();
    let dest = ctx.destination();
    let buffer = stereo_buffer(48_000);
    let mut keep = Vec::new();
    for _ in 0..n {
        let s = AudioBufferSourceNode::new(
            &ctx,
            AudioBufferSourceOptions {
                buffer: Some(buffer.clone()),
                loop_: true,
                ..Default::default()
            },
        )
        .unwrap();
        let split = ChannelSplitterNode::new(
            &ctx,
            ChannelSplitterOptions {
                number_of_outputs: 2,
            },
        )
        .unwrap();
        let merge = ChannelMergerNode::new(
            &ctx,
            ChannelMergerOptions {
                number_of_inputs: 2,
            },
        )
        .unwrap();
        s.node().connect(split.node(), 0, 0).unwrap();
        split.node().connect(merge.node(), 0, 1).unwrap();
        split.node().connect(merge.node(), 1, 0).unwrap();
        merge.node().connect(&dest, 0, 0).unwrap();
        s.start(0.0, 0.0, None, None).unwrap();
        keep.push((s, split, merge));
    }
    time_render(&ctx)
}

/// `n` sine oscillators whose frequency sweeps exponentially (a-rate
/// automation every frame) straight into the destination.
fn oscillators_swept(n: usize) -> f64 {
    let ctx = offline();
    let dest = ctx.destination();
    let mut keep = Vec::new();
    for k in 0..n {
        let o = OscillatorNode::new(
            &ctx,
            OscillatorOptions {
                frequency: 100.0 + k as f32,
                ..Default::default()
            },
        )
        .unwrap();
        o.frequency()
            .exponential_ramp_to_value_at_time(8000.0, SECONDS)
            .unwrap();
        o.node().connect(&dest, 0, 0).unwrap();
        o.start(0.0).unwrap();
        keep.push(o);
    }
    time_render(&ctx)
}

/// One looping stereo buffer source resampling at `rate`.
fn buffer_source_at_rate(rate: f32) -> f64 {
    let ctx = offline();
    let s = AudioBufferSourceNode::new(
        &ctx,
        AudioBufferSourceOptions {
            buffer: Some(stereo_buffer(48_000)),
            loop_: true,
            playback_rate: rate,
            ..Default::default()
        },
    )
    .unwrap();
    s.node().connect(&ctx.destination(), 0, 0).unwrap();
    s.start(0.0, 0.0, None, None).unwrap();
    time_render(&ctx)
}

/// A looping source through one DelayNode whose delayTime is automated
/// every frame (a-rate, interpolated reads).
fn delay_a_rate() -> f64 {
    let ctx = offline();
    let s = AudioBufferSourceNode::new(
        &ctx,
        AudioBufferSourceOptions {
            buffer: Some(stereo_buffer(48_000)),
            loop_: true,
            ..Default::default()
        },
    )
    .unwrap();
    let d = DelayNode::new(
        &ctx,
        DelayOptions {
            delay_time: 0.001,
            ..Default::default()
        },
    )
    .unwrap();
    d.delay_time()
        .linear_ramp_to_value_at_time(0.5, SECONDS)
        .unwrap();
    s.node().connect(d.node(), 0, 0).unwrap();
    d.node().connect(&ctx.destination(), 0, 0).unwrap();
    s.start(0.0, 0.0, None, None).unwrap();
    time_render(&ctx)
}

fn main() {
    println!("offline render speed, multiples of real time ({SECONDS} s at {SR} Hz, stereo)");
    println!(
        "64 oscillators, frequency automation:    {:8.1}x",
        oscillators_swept(64)
    );
    println!(
        "1 buffer source, playbackRate 0.87:      {:8.1}x",
        buffer_source_at_rate(0.87)
    );
    println!(
        "1 delay line, a-rate delayTime:          {:8.1}x",
        delay_a_rate()
    );
    println!(
        "100 oscillators -> StereoPanner:        {:8.1}x",
        oscillators_panned(100)
    );
    println!(
        "100 looping buffer sources -> Delay:    {:8.1}x",
        buffer_sources_delayed(100)
    );
    println!(
        "50 buffer sources -> Splitter -> Merger: {:8.1}x",
        split_merge(50)
    );
}
