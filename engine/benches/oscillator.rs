//! OscillatorNode render speed, as multiples of real time.
//!
//! The inner loop is bounded by the 4-point table interpolation (four loads
//! and a dozen f64 flops per frame) and the serial phase recurrence; with
//! a-rate params the per-frame band selection (a division and, below the
//! top band, a log2) and the detune exp2 come on top.

use std::hint::black_box;
use std::time::Instant;

use webaudio_engine::RENDER_QUANTUM_SIZE;
use webaudio_engine::block::AudioBlock;
use webaudio_engine::message::{NodeId, NodeMessage};
use webaudio_engine::node::oscillator::{OscillatorProcessor, OscillatorType, tables_for_type};
use webaudio_engine::node::periodic_wave::{PeriodicWave, PeriodicWaveOptions};
use webaudio_engine::processor::{ParamBlock, ProcessIo, Processor, RenderScope};
use webaudio_engine::queues::{EventQueue, GarbageQueue};

const SAMPLE_RATE: f32 = 48000.0;
const SECONDS: f64 = 60.0;

fn bench(name: &str, kind: OscillatorType, a_rate: bool) {
    let events = EventQueue::new(16);
    let garbage = GarbageQueue::new(16);
    let mut p = OscillatorProcessor::new(tables_for_type(kind).expect("built-in type"));
    let start = RenderScope::new(0, SAMPLE_RATE, NodeId(0), &events, &garbage);
    p.handle_message(
        NodeMessage::Start {
            at_frame: 0.0,
            offset: 0.0,
            duration: None,
        },
        &start,
    );
    let freq_ramp: Vec<f32> = (0..RENDER_QUANTUM_SIZE)
        .map(|i| 220.0 + i as f32 * 3.0)
        .collect();
    let detune_ramp: Vec<f32> = (0..RENDER_QUANTUM_SIZE).map(|i| -50.0 + i as f32).collect();
    let (freq, detune): (&[f32], &[f32]) = if a_rate {
        (&freq_ramp, &detune_ramp)
    } else {
        (&[440.0], &[0.0])
    };
    let mut out = [AudioBlock::new(1)];
    let quanta = (SECONDS * SAMPLE_RATE as f64 / RENDER_QUANTUM_SIZE as f64) as u64;
    let t0 = Instant::now();
    for q in 0..quanta {
        let scope = RenderScope::new(
            q * RENDER_QUANTUM_SIZE as u64,
            SAMPLE_RATE,
            NodeId(0),
            &events,
            &garbage,
        );
        let params = [ParamBlock::new(freq), ParamBlock::new(detune)];
        p.process(
            ProcessIo {
                inputs: &[],
                outputs: &mut out,
                params: &params,
            },
            &scope,
        );
        black_box(&out);
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "oscillator {name:<28} {:>8.0}x real time ({SECONDS} s of audio in {secs:.3} s)",
        SECONDS / secs
    );
}

/// Control-side cost of a PeriodicWave: normalization plus one inverse FFT
/// per distinct band table.
fn bench_wave_build(len: usize) {
    let imag: Vec<f32> = (0..len).map(|k| 1.0 / (k.max(1) as f32)).collect();
    let runs = 20;
    let t0 = Instant::now();
    for _ in 0..runs {
        let wave = PeriodicWave::new(PeriodicWaveOptions {
            real: None,
            imag: Some(imag.clone()),
            disable_normalization: false,
        })
        .expect("valid wave");
        black_box(wave.tables());
    }
    let ms = t0.elapsed().as_secs_f64() * 1000.0 / runs as f64;
    println!("periodic wave build, {len} coefficients: {ms:.2} ms");
}

fn main() {
    bench_wave_build(2);
    bench_wave_build(64);
    bench_wave_build(8192);
    bench("sine, constant params", OscillatorType::Sine, false);
    bench("sawtooth, constant params", OscillatorType::Sawtooth, false);
    bench("square, a-rate freq+detune", OscillatorType::Square, true);
    bench("sine, a-rate freq+detune", OscillatorType::Sine, true);
    bench(
        "triangle, a-rate freq+detune",
        OscillatorType::Triangle,
        true,
    );
    bench("sine, a-rate freq+detune", OscillatorType::Sine, true);
}
