//! IIRFilterNode render speed, printed as multiples of real time.
//!
//! Bound by the transposed direct form II update: `order` dependent
//! multiply-adds per sample per channel, serialised by the feedback (each
//! output needs the previous state).

use std::hint::black_box;
use std::time::Instant;

use webaudio_engine::RENDER_QUANTUM_SIZE;
use webaudio_engine::block::AudioBlock;
use webaudio_engine::message::NodeId;
use webaudio_engine::node::iir_filter::{IIRFilterOptions, IIRFilterProcessor, IirCoefficients};
use webaudio_engine::processor::{ProcessIo, Processor, RenderScope};
use webaudio_engine::queues::{EventQueue, GarbageQueue};

const SAMPLE_RATE: f32 = 48000.0;
const SECONDS: usize = 60;
/// Runs per case; the fastest is reported (the machine is shared).
const RUNS: usize = 3;

fn bench(order: usize, channels: usize) {
    let events = EventQueue::new(16);
    let garbage = GarbageQueue::new(16);
    // A stable filter: poles at 0.5 (a binomial feedback polynomial).
    let mut feedback = vec![1.0f64];
    for _ in 0..order {
        let mut next = vec![0.0; feedback.len() + 1];
        for (i, c) in feedback.iter().enumerate() {
            next[i] += c;
            next[i + 1] -= 0.5 * c;
        }
        feedback = next;
    }
    let feedforward = vec![0.1; order + 1];
    let coef = IirCoefficients::new(&IIRFilterOptions {
        feedforward,
        feedback,
    })
    .expect("valid coefficients");
    let mut p = IIRFilterProcessor::new(coef);
    let mut input = AudioBlock::new(channels);
    for ch in 0..channels {
        for (i, s) in input.channel_mut(ch).iter_mut().enumerate() {
            *s = ((i * 7 + ch) % 13) as f32 / 13.0 - 0.5;
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
        "iir order {order}: {:.0}x real time ({SECONDS} s of {channels}-channel audio in {elapsed:.3} s, best of {RUNS})",
        SECONDS as f64 / elapsed
    );
}

fn main() {
    bench(2, 1);
    bench(2, 2);
    bench(8, 2);
    bench(19, 2);
}
