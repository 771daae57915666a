//! WaveShaperNode render speed, printed as multiples of real time.
//!
//! "none": bound by the curve lookup (a data-dependent gather per sample,
//! not vectorisable). "2x"/"4x": bound by the half-band FIR dot products
//! (32 and 16 taps, vectorised) at the oversampled rates, plus the lookups
//! at 2x/4x the sample count.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use webaudio_engine::RENDER_QUANTUM_SIZE;
use webaudio_engine::block::AudioBlock;
use webaudio_engine::message::NodeId;
use webaudio_engine::node::waveshaper::{OverSampleType, WaveShaperProcessor};
use webaudio_engine::processor::{ProcessIo, Processor, RenderScope};
use webaudio_engine::queues::{EventQueue, GarbageQueue};

const SAMPLE_RATE: f32 = 48000.0;
const SECONDS: usize = 60;
/// Runs per case; the fastest is reported (the machine is shared).
const RUNS: usize = 3;

fn bench(oversample: OverSampleType, channels: usize) {
    let events = EventQueue::new(16);
    let garbage = GarbageQueue::new(16);
    let curve: Arc<[f32]> = (0..1024)
        .map(|i| ((i as f32 / 1023.0) * 2.0 - 1.0).tanh())
        .collect();
    let mut p = WaveShaperProcessor::new(Some(curve), oversample);
    let mut input = AudioBlock::new(channels);
    for ch in 0..channels {
        for (i, s) in input.channel_mut(ch).iter_mut().enumerate() {
            *s = ((i * 7 + ch) % 13) as f32 / 6.0 - 1.0;
        }
    }
    let mut outputs = [AudioBlock::new(channels)];
    let quanta = SECONDS * SAMPLE_RATE as usize / RENDER_QUANTUM_SIZE;
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
            black_box(p.process(
                ProcessIo {
                    inputs: std::slice::from_ref(&input),
                    outputs: &mut outputs,
                    params: &[],
                },
                &scope,
            ));
            black_box(&outputs);
        }
        elapsed = elapsed.min(start.elapsed().as_secs_f64());
    }
    println!(
        "waveshaper {}: {:.0}x real time ({SECONDS} s of {channels}-channel audio in {elapsed:.3} s, best of {RUNS})",
        oversample.as_str(),
        SECONDS as f64 / elapsed
    );
}

fn main() {
    for o in [OverSampleType::None, OverSampleType::X2, OverSampleType::X4] {
        bench(o, 2);
    }
}
