//! DynamicsCompressorNode throughput on stereo noise, printed as multiples of
//! real time.
//!
//! What bounds the inner loop: per frame, one log10 and one pow for the
//! static curve (the detector cannot be vectorised: each frame depends on the
//! previous gain), then the delay-line read and gain multiply per channel.

use std::time::Instant;

use webaudio_engine::RENDER_QUANTUM_SIZE as Q;
use webaudio_engine::block::AudioBlock;
use webaudio_engine::message::NodeId;
use webaudio_engine::node::dynamics_compressor::{
    DYNAMICS_COMPRESSOR_PARAMS, DynamicsCompressorProcessor,
};
use webaudio_engine::processor::{ParamBlock, ProcessIo, Processor, RenderScope};
use webaudio_engine::queues::{EventQueue, GarbageQueue};

fn main() {
    let sr = 48000.0f32;
    let seconds = 20.0f64;
    let quanta = (seconds * sr as f64 / Q as f64) as usize;
    let events = EventQueue::new(16);
    let garbage = GarbageQueue::new(16);
    let (mut p, _reduction) = DynamicsCompressorProcessor::new(sr);
    let defaults: Vec<[f32; 1]> = DYNAMICS_COMPRESSOR_PARAMS.iter().map(|d| [d.1]).collect();
    let params: Vec<ParamBlock> = defaults.iter().map(|v| ParamBlock::new(v)).collect();
    let mut input = AudioBlock::new(2);
    let mut s = 12345u32;
    for c in input.channels_mut() {
        for v in c.iter_mut() {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            *v = (s as f32 / u32::MAX as f32) * 2.0 - 1.0;
        }
    }
    let mut out = [AudioBlock::new(2)];
    let start = Instant::now();
    for q in 0..quanta {
        let scope = RenderScope::new((q * Q) as u64, sr, NodeId(0), &events, &garbage);
        p.process(
            ProcessIo {
                inputs: std::slice::from_ref(&input),
                outputs: &mut out,
                params: &params,
            },
            &scope,
        );
    }
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "dynamics compressor, stereo: {:.1}x real time (out {})",
        seconds / elapsed,
        out[0].channel(0)[0]
    );
}
