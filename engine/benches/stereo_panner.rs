//! StereoPannerNode, ChannelSplitterNode and ChannelMergerNode render speed,
//! as multiples of real time.
//!
//! Constant pan: two f64 multiplies (and an add for stereo input) per frame,
//! vectorisable. A-rate pan adds an f64 sin and cos per frame, which
//! dominate.
//! Splitter and merger are channel copies.

use std::hint::black_box;
use std::time::Instant;

use webaudio_engine::RENDER_QUANTUM_SIZE;
use webaudio_engine::block::AudioBlock;
use webaudio_engine::message::NodeId;
use webaudio_engine::node::channel_merger::ChannelMergerProcessor;
use webaudio_engine::node::channel_splitter::ChannelSplitterProcessor;
use webaudio_engine::node::stereo_panner::StereoPannerProcessor;
use webaudio_engine::processor::{ParamBlock, ProcessIo, Processor, RenderScope};
use webaudio_engine::queues::{EventQueue, GarbageQueue};

const SAMPLE_RATE: f32 = 48000.0;
const SECONDS: f64 = 60.0;

fn input(channels: usize) -> AudioBlock {
    let mut b = AudioBlock::new(channels);
    for c in 0..channels {
        for (i, s) in b.channel_mut(c).iter_mut().enumerate() {
            *s = ((i * 13 + c * 7) % 100) as f32 / 50.0 - 1.0;
        }
    }
    b
}

fn run(
    name: &str,
    p: &mut dyn Processor,
    inputs: &[AudioBlock],
    outputs: &mut [AudioBlock],
    params: &[&[f32]],
) {
    let events = EventQueue::new(16);
    let garbage = GarbageQueue::new(16);
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
        let blocks: Vec<ParamBlock<'_>> = params.iter().map(|v| ParamBlock::new(v)).collect();
        p.process(
            ProcessIo {
                inputs,
                outputs: &mut *outputs,
                params: &blocks,
            },
            &scope,
        );
        black_box(&*outputs);
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "{name:<40} {:>8.0}x real time ({SECONDS} s of audio in {secs:.3} s)",
        SECONDS / secs
    );
}

fn main() {
    let pan_ramp: Vec<f32> = (0..RENDER_QUANTUM_SIZE)
        .map(|i| -1.0 + 2.0 * i as f32 / 127.0)
        .collect();
    let mut out = [AudioBlock::new(2)];
    let mono = [input(1)];
    let stereo = [input(2)];
    let mut p = StereoPannerProcessor::new();
    run(
        "stereo_panner mono, constant pan",
        &mut p,
        &mono,
        &mut out,
        &[&[0.3]],
    );
    run(
        "stereo_panner stereo, constant pan",
        &mut p,
        &stereo,
        &mut out,
        &[&[-0.3]],
    );
    run(
        "stereo_panner mono, a-rate pan",
        &mut p,
        &mono,
        &mut out,
        &[&pan_ramp],
    );
    run(
        "stereo_panner stereo, a-rate pan",
        &mut p,
        &stereo,
        &mut out,
        &[&pan_ramp],
    );

    let six = [input(6)];
    let mut outs: Vec<AudioBlock> = (0..6).map(|_| AudioBlock::new(1)).collect();
    run(
        "channel_splitter 6 channels",
        &mut ChannelSplitterProcessor::new(),
        &six,
        &mut outs,
        &[],
    );
    let monos: Vec<AudioBlock> = (0..6).map(|_| input(1)).collect();
    let mut merged = [AudioBlock::new(6)];
    run(
        "channel_merger 6 inputs",
        &mut ChannelMergerProcessor::new(),
        &monos,
        &mut merged,
        &[],
    );
}
