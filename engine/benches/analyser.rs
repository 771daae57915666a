//! AnalyserNode: render-side cost (pass-through + mono down-mix into the
//! atomic ring) as multiples of real time, and the control-side cost of
//! getFloatFrequencyData per call at the largest and default fftSize.
//!
//! What bounds the inner loops: the render side is 128 relaxed atomic stores
//! per quantum; the control side is one real FFT of fftSize plus a log10 per
//! bin.

use std::time::Instant;

use webaudio_engine::RENDER_QUANTUM_SIZE as Q;
use webaudio_engine::block::AudioBlock;
use webaudio_engine::message::NodeId;
use webaudio_engine::node::analyser::{Analyser, AnalyserOptions, AnalyserProcessor};
use webaudio_engine::processor::{ProcessIo, Processor, RenderScope};
use webaudio_engine::queues::{EventQueue, GarbageQueue};

fn main() {
    let sr = 48000.0f32;
    let seconds = 60.0f64;
    let quanta = (seconds * sr as f64 / Q as f64) as usize;
    let events = EventQueue::new(16);
    let garbage = GarbageQueue::new(16);
    for fft_size in [2048u32, 32768] {
        let (mut analyser, ring) = Analyser::new(&AnalyserOptions {
            fft_size,
            ..Default::default()
        });
        let mut p = AnalyserProcessor::new(ring);
        let mut input = AudioBlock::new(2);
        for (k, v) in input.channel_mut(0).iter_mut().enumerate() {
            *v = (k as f32 * 0.1).sin();
        }
        let mut out = [AudioBlock::new(2)];
        let start = Instant::now();
        for q in 0..quanta {
            let scope = RenderScope::new((q * Q) as u64, sr, NodeId(0), &events, &garbage);
            p.process(
                ProcessIo {
                    inputs: std::slice::from_ref(&input),
                    outputs: &mut out,
                    params: &[],
                },
                &scope,
            );
        }
        let render = start.elapsed().as_secs_f64();
        let mut data = vec![0.0f32; fft_size as usize / 2];
        let calls = 2000;
        let start = Instant::now();
        for q in 0..calls {
            // A new quantum before each call so nothing is cached.
            let scope = RenderScope::new((q * Q) as u64, sr, NodeId(0), &events, &garbage);
            p.process(
                ProcessIo {
                    inputs: std::slice::from_ref(&input),
                    outputs: &mut out,
                    params: &[],
                },
                &scope,
            );
            analyser.get_float_frequency_data(&mut data);
        }
        let per_call = start.elapsed().as_secs_f64() / calls as f64;
        println!(
            "analyser fftSize {fft_size}: render {:.0}x real time; getFloatFrequencyData {:.1} us/call ({})",
            seconds / render,
            per_call * 1e6,
            data[1]
        );
    }
}
