//! AudioBufferSourceNode render speed, as multiples of real time.
//!
//! At rate 1 on whole frames the quantum is a straight copy per channel. At
//! other rates the inner loop is bounded by the per-frame playhead update
//! (a handful of compares and an add in f64) and the linear interpolation
//! (two loads, one fma) per channel.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use webaudio_engine::RENDER_QUANTUM_SIZE;
use webaudio_engine::block::AudioBlock;
use webaudio_engine::buffer::AudioBufferData;
use webaudio_engine::message::{NodeId, NodeMessage};
use webaudio_engine::node::audio_buffer_source::{
    AudioBufferSourceOptions, AudioBufferSourceProcessor,
};
use webaudio_engine::processor::{ParamBlock, ProcessIo, Processor, RenderScope};
use webaudio_engine::queues::{EventQueue, GarbageQueue};

const SAMPLE_RATE: f32 = 48000.0;
const SECONDS: f64 = 60.0;

fn bench(name: &str, buffer_rate: f32, playback_rate: f32) {
    let events = EventQueue::new(16);
    let garbage = GarbageQueue::new(16);
    // One second of stereo noise-ish content, looped.
    let len = buffer_rate as usize;
    let channels = (0..2)
        .map(|c| {
            (0..len)
                .map(|k| ((k * 7919 + c * 31) % 1000) as f32 / 500.0 - 1.0)
                .collect::<Vec<_>>()
                .into_boxed_slice()
        })
        .collect();
    let buffer = Arc::new(AudioBufferData::new(buffer_rate, channels));
    let mut p = AudioBufferSourceProcessor::new(&AudioBufferSourceOptions {
        buffer: Some(buffer),
        loop_: true,
        ..Default::default()
    });
    let scope0 = RenderScope::new(0, SAMPLE_RATE, NodeId(0), &events, &garbage);
    p.handle_message(
        NodeMessage::Start {
            at_frame: 0.0,
            offset: 0.0,
            duration: None,
        },
        &scope0,
    );
    let mut out = [AudioBlock::new(2)];
    let quanta = (SECONDS * SAMPLE_RATE as f64 / RENDER_QUANTUM_SIZE as f64) as u64;
    let rate = [playback_rate];
    let detune = [0.0];
    let t0 = Instant::now();
    for q in 0..quanta {
        let scope = RenderScope::new(
            q * RENDER_QUANTUM_SIZE as u64,
            SAMPLE_RATE,
            NodeId(0),
            &events,
            &garbage,
        );
        let params = [ParamBlock::new(&rate), ParamBlock::new(&detune)];
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
        "audio_buffer_source {name:<32} {:>8.0}x real time ({SECONDS} s of stereo audio in {secs:.3} s)",
        SECONDS / secs
    );
}

fn main() {
    bench("rate 1, same sample rate (copy)", 48000.0, 1.0);
    bench("rate 0.73 (interpolated)", 48000.0, 0.73);
    bench("44.1 kHz buffer (resampled)", 44100.0, 1.0);
}
