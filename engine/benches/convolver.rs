//! ConvolverNode throughput: renders N seconds of stereo noise through
//! impulse responses of growing length and prints multiples of real time.
//!
//! What bounds the inner loop: per stage, one real FFT pair of size 2B every
//! B frames plus the complex multiply-accumulate over its partitions; the
//! stages double in size, so the cost per sample grows with log²(IR length)
//! (compare the rows: 10x longer IRs cost far less than 10x more).

use std::time::Instant;

use webaudio_engine::RENDER_QUANTUM_SIZE as Q;
use webaudio_engine::buffer::AudioBufferData;
use webaudio_engine::node::convolver::ConvolverKernel;

fn noise(seed: u64, n: usize) -> Vec<f32> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect()
}

fn main() {
    let sample_rate = 48000.0f32;
    let seconds = 10.0f64;
    let quanta = (seconds * sample_rate as f64 / Q as f64) as usize;
    let input: Vec<[f32; Q]> = (0..2)
        .map(|c| {
            let n = noise(99 + c, Q);
            let mut a = [0.0; Q];
            a.copy_from_slice(&n);
            a
        })
        .collect();
    for &(ir_channels, ir_seconds) in &[
        (1usize, 0.1f64),
        (1, 1.0),
        (1, 10.0),
        (2, 1.0),
        (2, 10.0),
        (4, 3.0),
    ] {
        let len = (ir_seconds * sample_rate as f64) as usize;
        let chans = (0..ir_channels)
            .map(|c| noise(c as u64 + 1, len).into_boxed_slice())
            .collect();
        let ir = AudioBufferData::new(sample_rate, chans);
        let mut kernel = ConvolverKernel::new(&ir, true);
        let mut out = [[0.0f32; Q]; 2];
        let in_ch = if ir_channels == 1 { 1 } else { 2 };
        let start = Instant::now();
        let mut sink = 0.0f32;
        // Per-quantum cost matters as much as the average: the stages are
        // staggered so that no quantum runs them all. On a shared machine the
        // maximum includes preemption; the 99.9th percentile is the signal.
        let mut times = Vec::with_capacity(quanta);
        for _ in 0..quanta {
            let t = Instant::now();
            kernel.process(Some(&input[..in_ch]), &mut out);
            times.push(t.elapsed().as_secs_f64());
            sink += out[0][0];
        }
        let elapsed = start.elapsed().as_secs_f64();
        times.sort_by(f64::total_cmp);
        let p999 = times[times.len() * 999 / 1000];
        let worst = times[times.len() - 1];
        let quantum_ms = Q as f64 / sample_rate as f64 * 1e3;
        println!(
            "convolver: {in_ch} in x {ir_channels}-ch IR of {ir_seconds:>5} s: {:>7.1}x real time; per quantum p99.9 {:.3} ms, max {:.3} ms (quantum = {quantum_ms:.2} ms) (checksum {sink:.3})",
            seconds / elapsed,
            p999 * 1e3,
            worst * 1e3,
        );
    }
}
