//! Offline render speed of whole graphs made of the bound ConvolverNode,
//! DynamicsCompressorNode, PannerNode (with the context's AudioListener) and
//! AnalyserNode, in multiples of real time.
//!
//! `cargo bench -p webaudio-engine --bench spatial_graph`

use std::sync::Arc;
use std::time::Instant;

use webaudio_engine::buffer::AudioBufferData;
use webaudio_engine::node::analyser::{AnalyserNode, AnalyserOptions};
use webaudio_engine::node::audio_listener::AudioListener;
use webaudio_engine::node::constant_source::{ConstantSourceNode, ConstantSourceOptions};
use webaudio_engine::node::convolver::{ConvolverNode, ConvolverOptions};
use webaudio_engine::node::dynamics_compressor::{
    DynamicsCompressorNode, DynamicsCompressorOptions,
};
use webaudio_engine::node::panner::{PannerNode, PannerOptions, PanningModel};
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

fn ir(seconds: f64) -> Arc<AudioBufferData> {
    let n = (seconds * SR as f64) as usize;
    let ch = |seed: f32| -> Box<[f32]> {
        (0..n)
            .map(|i| ((i as f32 * seed).sin()) * (-(i as f32) / (0.3 * SR)).exp())
            .collect()
    };
    Arc::new(AudioBufferData::new(SR, vec![ch(0.37), ch(0.53)]))
}

/// `voices` sources, each through its own panner (moving, a-rate) into one
/// reverb (stereo IR of `ir_seconds`), compressor and analyser.
fn scene(voices: usize, model: PanningModel, ir_seconds: f64, seconds: f64) -> f64 {
    let ctx = offline(seconds);
    let listener = AudioListener::new(&ctx).unwrap();
    let convolver = ConvolverNode::new(
        &ctx,
        ConvolverOptions {
            buffer: Some(ir(ir_seconds)),
            disable_normalization: false,
        },
    )
    .unwrap();
    let compressor =
        DynamicsCompressorNode::new(&ctx, DynamicsCompressorOptions::default()).unwrap();
    let analyser = AnalyserNode::new(&ctx, AnalyserOptions::default()).unwrap();
    convolver.node().connect(compressor.node(), 0, 0).unwrap();
    compressor.node().connect(analyser.node(), 0, 0).unwrap();
    analyser.node().connect(&ctx.destination(), 0, 0).unwrap();
    let mut keep = Vec::new();
    for v in 0..voices {
        let s = ConstantSourceNode::new(&ctx, ConstantSourceOptions { offset: 0.1 }).unwrap();
        let p = PannerNode::new(
            &ctx,
            &listener,
            PannerOptions {
                panning_model: model,
                ..Default::default()
            },
        )
        .unwrap();
        let x = p.param(0).unwrap();
        x.set_value_at_time(-5.0, 0.0).unwrap();
        x.linear_ramp_to_value_at_time(5.0 + v as f32, seconds)
            .unwrap();
        s.node().connect(p.node(), 0, 0).unwrap();
        p.node().connect(convolver.node(), 0, 0).unwrap();
        s.start(0.0).unwrap();
        keep.push((s, p));
    }
    // The listener turns slowly: its params are a-rate every quantum.
    let fx = listener.param(3).unwrap();
    fx.linear_ramp_to_value_at_time(1.0, seconds).unwrap();
    let t = Instant::now();
    let out = ctx.render_blocking().unwrap();
    std::hint::black_box(&out);
    seconds / t.elapsed().as_secs_f64()
}

fn main() {
    let seconds = 10.0;
    for (voices, model, ir_s) in [
        (1, PanningModel::EqualPower, 1.0),
        (8, PanningModel::EqualPower, 1.0),
        (8, PanningModel::Hrtf, 1.0),
        (8, PanningModel::Hrtf, 4.0),
        (16, PanningModel::Hrtf, 4.0),
    ] {
        let x = scene(voices, model, ir_s, seconds);
        println!(
            "{voices} voices {model:?} panners -> convolver ({ir_s} s stereo IR) -> compressor -> analyser: {x:.1}x real time"
        );
    }
}
