//! PannerNode throughput, printed as multiples of real time: equal-power with
//! constant params (gains computed once per quantum), equal-power with a-rate
//! params (geometry per frame: sqrt/acos/cos/sin in f64), and HRTF (two
//! direct FIR convolutions of ~280 taps at 48 kHz, axpy loops that
//! vectorise; the kernel is re-blended only when the direction changes).

use std::sync::Arc;
use std::time::Instant;

use webaudio_engine::RENDER_QUANTUM_SIZE as Q;
use webaudio_engine::block::AudioBlock;
use webaudio_engine::message::NodeId;
use webaudio_engine::node::audio_listener::LISTENER_PARAMS;
use webaudio_engine::node::panner::{
    HrtfDatabase, HrtfRenderer, PANNER_PARAMS, PannerOptions, PannerProcessor, PanningModel,
};
use webaudio_engine::processor::{ParamBlock, ProcessIo, Processor, RenderScope};
use webaudio_engine::queues::{EventQueue, GarbageQueue};

fn bench(name: &str, mut p: PannerProcessor, a_rate: bool, moving: bool) {
    let sr = 48000.0f32;
    let seconds = 20.0f64;
    let quanta = (seconds * sr as f64 / Q as f64) as usize;
    let events = EventQueue::new(16);
    let garbage = GarbageQueue::new(16);
    let mut values: Vec<Vec<f32>> = PANNER_PARAMS
        .iter()
        .map(|d| d.1)
        .chain(LISTENER_PARAMS.iter().map(|d| d.default_value))
        .map(|v| vec![v])
        .collect();
    values[0] = vec![3.0];
    values[2] = vec![-1.0];
    if a_rate {
        values[0] = (0..Q).map(|k| -5.0 + k as f32 * 0.05).collect();
    }
    let mut input = AudioBlock::new(1);
    for (k, v) in input.channel_mut(0).iter_mut().enumerate() {
        *v = (k as f32 * 0.05).sin();
    }
    let mut out = [AudioBlock::new(2)];
    let start = Instant::now();
    for q in 0..quanta {
        if moving {
            values[0][0] = (q as f32 * 0.01).sin() * 5.0;
        }
        let params: Vec<ParamBlock> = values.iter().map(|v| ParamBlock::new(v)).collect();
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
        "panner {name}: {:.1}x real time ({})",
        seconds / elapsed,
        out[0].channel(0)[5]
    );
}

fn main() {
    let o = PannerOptions::default();
    bench(
        "equalpower, constant params",
        PannerProcessor::new(&o, None),
        false,
        false,
    );
    bench(
        "equalpower, a-rate position",
        PannerProcessor::new(&o, None),
        true,
        false,
    );
    let db: Arc<HrtfDatabase> = HrtfDatabase::shared(48000.0);
    let h = PannerOptions {
        panning_model: PanningModel::Hrtf,
        ..o
    };
    bench(
        "HRTF, fixed direction",
        PannerProcessor::new(&h, Some(Box::new(HrtfRenderer::new(db.clone())))),
        false,
        false,
    );
    bench(
        "HRTF, moving every quantum",
        PannerProcessor::new(&h, Some(Box::new(HrtfRenderer::new(db)))),
        false,
        true,
    );
}
