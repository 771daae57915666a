//! BiquadFilterNode render speed, printed as multiples of real time.
//!
//! Constant params: bound by the recursion's serial dependency (each output
//! needs the previous one), five multiply-adds per sample per channel.
//! Per-frame params: bound by the per-frame coefficient computation (a pow
//! and a sin_cos whenever any param value changes), shared by all channels.

use std::hint::black_box;
use std::time::Instant;

use webaudio_engine::RENDER_QUANTUM_SIZE;
use webaudio_engine::block::AudioBlock;
use webaudio_engine::message::NodeId;
use webaudio_engine::node::biquad_filter::{
    BiquadFilterOptions, BiquadFilterProcessor, BiquadFilterType,
};
use webaudio_engine::processor::{ParamBlock, ProcessIo, Processor, RenderScope};
use webaudio_engine::queues::{EventQueue, GarbageQueue};

const SAMPLE_RATE: f32 = 48000.0;
const SECONDS: usize = 60;
/// Runs per case; the fastest is reported (the machine is shared).
const RUNS: usize = 3;

fn bench(name: &str, channels: usize, a_rate: bool) {
    let events = EventQueue::new(16);
    let garbage = GarbageQueue::new(16);
    let mut p = BiquadFilterProcessor::new(
        &BiquadFilterOptions {
            type_: BiquadFilterType::Peaking,
            ..Default::default()
        },
        SAMPLE_RATE,
    );
    let mut input = AudioBlock::new(channels);
    for ch in 0..channels {
        for (i, s) in input.channel_mut(ch).iter_mut().enumerate() {
            *s = ((i * 7 + ch) % 13) as f32 / 13.0 - 0.5;
        }
    }
    let mut outputs = [AudioBlock::new(channels)];
    let quanta = SECONDS * SAMPLE_RATE as usize / RENDER_QUANTUM_SIZE;
    let mut freq = [0.0f32; RENDER_QUANTUM_SIZE];
    let detune = [0.0f32];
    let q = [4.0f32];
    let gain = [6.0f32];
    let mut elapsed = f64::INFINITY;
    for _ in 0..RUNS {
        let start = Instant::now();
        for n in 0..quanta {
            let scope = RenderScope::new(
                (n * RENDER_QUANTUM_SIZE) as u64,
                SAMPLE_RATE,
                NodeId(0),
                &events,
                &garbage,
            );
            let f: &[f32] = if a_rate {
                for (i, v) in freq.iter_mut().enumerate() {
                    *v = 200.0 + ((n * RENDER_QUANTUM_SIZE + i) % 48000) as f32 * 0.1;
                }
                &freq
            } else {
                &freq[..1]
            };
            let params = [
                ParamBlock::new(f),
                ParamBlock::new(&detune),
                ParamBlock::new(&q),
                ParamBlock::new(&gain),
            ];
            black_box(p.process(
                ProcessIo {
                    inputs: std::slice::from_ref(&input),
                    outputs: &mut outputs,
                    params: &params,
                },
                &scope,
            ));
            black_box(&outputs);
        }
        elapsed = elapsed.min(start.elapsed().as_secs_f64());
    }
    println!(
        "biquad {name}: {:.0}x real time ({SECONDS} s of {channels}-channel audio in {elapsed:.3} s, best of {RUNS})",
        SECONDS as f64 / elapsed
    );
}

fn main() {
    bench("constant params, stereo", 2, false);
    bench("constant params, mono", 1, false);
    bench("constant params, 3 channels", 3, false);
    bench("a-rate frequency, mono", 1, true);
    bench("a-rate frequency, stereo", 2, true);
}
