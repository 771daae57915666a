//! ConvolverNode: zero-latency partitioned FFT convolution.
//!
//! The impulse response is cut into non-uniform partitions: two of 128
//! frames, then two each of 256, 512, ... up to [`MAX_PARTITION`], after
//! which every partition has that size. Each group ("stage") of partitions
//! of size `B` is convolved by overlap-save with `2B` real FFTs and a
//! frequency-domain delay line, once per `B` input frames. The work per
//! sample is about one FFT pair of size `2B` per `B` frames for each of the
//! ~log2(len/128) stages: O(log² len) instead of the O(len) of direct or
//! uniformly partitioned convolution.
//!
//! Zero latency and real-time safety: the 128-frame stage runs within the
//! quantum. A stage of size `B >= 256` starts at IR offset `2B - 256`, so the
//! output of an input block is first needed `B - 256` frames after the block
//! completes; that slack lets the stage run `B/2` frames after its block
//! boundary. With those delays exactly one stage of size >= 256 runs in any
//! quantum (the one whose `B/256` is the largest power of two dividing the
//! quantum count + 1), and the multiply-accumulates of the long last stage
//! are spread over the quanta between its runs, so no quantum pays for all
//! stages at once.

use std::sync::{Arc, Mutex};

use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

use crate::RENDER_QUANTUM_SIZE;
use crate::buffer::AudioBufferData;
use crate::context::{Context, NodeHandle, NodeSpec};
use crate::error::Error;
use crate::message::NodeMessage;
use crate::mixing::{ChannelConfig, ChannelCountMode, ChannelInterpretation};
use crate::node::NodeError;
use crate::processor::{ProcessIo, Processor, RenderScope};

const Q: usize = RENDER_QUANTUM_SIZE;

/// Largest partition. Bigger partitions would mean even rarer but larger FFT
/// bursts on the render thread; beyond this the partitions stay uniform.
pub const MAX_PARTITION: usize = 16384;

/// `ConvolverOptions` (the `AudioNodeOptions` members are the graph's):
///
/// ```webidl
/// dictionary ConvolverOptions : AudioNodeOptions {
///     AudioBuffer? buffer;
///     boolean disableNormalization = false;
/// };
/// ```
#[derive(Debug, Clone, Default)]
pub struct ConvolverOptions {
    pub buffer: Option<Arc<AudioBufferData>>,
    pub disable_normalization: bool,
}

/// Channel count default and mode of the node: 2, "clamped-max", "speakers".
pub const CONVOLVER_DEFAULT_CHANNEL_COUNT: u32 = 2;

/// The `buffer` setter's checks: 1, 2 or 4 channels and the context's rate.
pub fn validate_buffer(
    buffer: &AudioBufferData,
    context_sample_rate: f32,
) -> Result<(), NodeError> {
    let n = buffer.number_of_channels();
    if !matches!(n, 1 | 2 | 4) {
        return Err(NodeError::NotSupported(format!(
            "ConvolverNode: buffer has {n} channels; it must have 1, 2 or 4"
        )));
    }
    if buffer.sample_rate() != context_sample_rate {
        return Err(NodeError::NotSupported(format!(
            "ConvolverNode: buffer sample rate {} differs from the context's {}",
            buffer.sample_rate(),
            context_sample_rate
        )));
    }
    Ok(())
}

/// channelCount setter / constructor check.
pub fn validate_channel_count(channel_count: u32) -> Result<(), NodeError> {
    super::check_channel_count_at_most_two("ConvolverNode", channel_count)
}

/// channelCountMode setter / constructor check.
pub fn validate_channel_count_mode(mode_is_max: bool) -> Result<(), NodeError> {
    super::check_channel_count_mode_not_max("ConvolverNode", mode_is_max)
}

/// The spec's `calculateNormalizationScale`, in double precision like the
/// JavaScript it is written in.
pub fn calculate_normalization_scale(buffer: &AudioBufferData) -> f64 {
    const GAIN_CALIBRATION: f64 = 0.00125;
    const GAIN_CALIBRATION_SAMPLE_RATE: f64 = 44100.0;
    const MIN_POWER: f64 = 0.000125;

    let channels = buffer.number_of_channels();
    let length = buffer.length();
    let mut power = 0.0f64;
    for ch in buffer.channels() {
        let channel_power: f64 = ch.iter().map(|&s| (s as f64) * (s as f64)).sum();
        power += channel_power;
    }
    power = (power / (channels * length) as f64).sqrt();
    if !power.is_finite() || power < MIN_POWER {
        power = MIN_POWER;
    }
    let mut scale = 1.0 / power;
    scale *= GAIN_CALIBRATION;
    let sr = buffer.sample_rate() as f64;
    if sr != 0.0 {
        scale *= GAIN_CALIBRATION_SAMPLE_RATE / sr;
    }
    if channels == 4 {
        scale *= 0.5;
    }
    scale
}

/// The control-thread state behind `ConvolverNode.buffer` and `.normalize`.
#[derive(Debug, Clone)]
pub struct ConvolverAttributes {
    context_sample_rate: f32,
    buffer: Option<Arc<AudioBufferData>>,
    normalize: bool,
}

impl ConvolverAttributes {
    /// The constructor's steps: `normalize = !disableNormalization`, then the
    /// buffer (if any) is set. Returns the state and the kernel for
    /// [`ConvolverProcessor::new`].
    pub fn new(
        options: &ConvolverOptions,
        context_sample_rate: f32,
    ) -> Result<(Self, Option<Box<ConvolverKernel>>), NodeError> {
        let mut a = Self {
            context_sample_rate,
            buffer: None,
            normalize: !options.disable_normalization,
        };
        let kernel = a.set_buffer(options.buffer.clone())?;
        Ok((a, kernel))
    }

    pub fn buffer(&self) -> Option<&Arc<AudioBufferData>> {
        self.buffer.as_ref()
    }

    pub fn normalize(&self) -> bool {
        self.normalize
    }

    /// Takes effect at the next `buffer` assignment, as the spec says.
    pub fn set_normalize(&mut self, normalize: bool) {
        self.normalize = normalize;
    }

    /// The `buffer` setter: validates, then builds the kernel to send with
    /// [`ConvolverMessage::SetKernel`] (`None` for a null buffer).
    pub fn set_buffer(
        &mut self,
        buffer: Option<Arc<AudioBufferData>>,
    ) -> Result<Option<Box<ConvolverKernel>>, NodeError> {
        let kernel = match &buffer {
            Some(b) => {
                validate_buffer(b, self.context_sample_rate)?;
                ConvolverKernel::check_size(b)
                    .map_err(|e| NodeError::NotSupported(e.to_string() + " for the convolution"))?;
                Some(Box::new(ConvolverKernel::new(b, self.normalize)))
            }
            None => None,
        };
        self.buffer = buffer;
        Ok(kernel)
    }
}

/// Control handle of a ConvolverNode. Clones share the attributes.
#[derive(Debug, Clone)]
pub struct ConvolverNode {
    node: NodeHandle,
    attributes: Arc<Mutex<ConvolverAttributes>>,
}

impl ConvolverNode {
    /// The constructor with the node's default channel attributes (2,
    /// "clamped-max", "speakers"; the JS layer applies the AudioNodeOptions
    /// through the setters): `normalize`, then the buffer's checks
    /// (NotSupportedError).
    pub fn new(ctx: &Context, options: ConvolverOptions) -> Result<Self, Error> {
        let mut spec = NodeSpec::new(1, 1, Vec::new());
        spec.constraints = super::at_most_two_not_max();
        spec.channel_config = Self::default_channel_config();
        let (attributes, kernel) = ConvolverAttributes::new(&options, ctx.sample_rate())?;
        let node = ctx.create_node(spec, Box::new(ConvolverProcessor::new(kernel)))?;
        Ok(Self {
            node,
            attributes: Arc::new(Mutex::new(attributes)),
        })
    }

    /// The node's default channel attributes (2, "clamped-max", "speakers").
    pub fn default_channel_config() -> ChannelConfig {
        ChannelConfig {
            count: CONVOLVER_DEFAULT_CHANNEL_COUNT as usize,
            mode: ChannelCountMode::ClampedMax,
            interpretation: ChannelInterpretation::Speakers,
        }
    }

    pub fn node(&self) -> &NodeHandle {
        &self.node
    }

    fn attributes(&self) -> std::sync::MutexGuard<'_, ConvolverAttributes> {
        self.attributes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn buffer(&self) -> Option<Arc<AudioBufferData>> {
        self.attributes().buffer().cloned()
    }

    pub fn normalize(&self) -> bool {
        self.attributes().normalize()
    }

    pub fn set_normalize(&self, normalize: bool) {
        self.attributes().set_normalize(normalize);
    }

    /// The `buffer` setter: validates and builds the kernel here (the control
    /// thread), then hands it to the render thread.
    pub fn set_buffer(&self, buffer: Option<Arc<AudioBufferData>>) -> Result<(), Error> {
        let kernel = self.attributes().set_buffer(buffer)?;
        self.node
            .send(NodeMessage::Convolver(ConvolverMessage::SetKernel(kernel)));
        Ok(())
    }
}

/// Render-side message.
#[derive(Debug)]
pub enum ConvolverMessage {
    /// A kernel built on the control thread by [`ConvolverKernel::new`]
    /// (`None` when `buffer` is set to null). The replaced kernel is discarded.
    SetKernel(Option<Box<ConvolverKernel>>),
}

/// One group of equally sized partitions.
struct Stage {
    /// Partition size B (a multiple of 128).
    block: usize,
    /// IR frame where this stage's first partition starts.
    offset: usize,
    partitions: usize,
    /// Quanta after its block boundary at which the stage runs (0: in the
    /// boundary quantum itself).
    delay: usize,
    /// Partitions to pre-accumulate per quantum between runs.
    chunk: usize,
    fwd: Arc<dyn RealToComplex<f32>>,
    inv: Arc<dyn ComplexToReal<f32>>,
    /// Spectra (B + 1 bins) of each partition, `[ir][partition][bin]`, with the
    /// 1/2B of the inverse FFT folded in.
    h: Vec<Complex<f32>>,
    /// Per tracked input channel: 3B frames `[previous | completed | filling]`.
    time: [Vec<f32>; 2],
    /// Per tracked input channel: spectra of the last `partitions` windows,
    /// a ring whose newest entry is at `head`.
    fdl: [Vec<Complex<f32>>; 2],
    head: usize,
    /// Per output channel: sum over partitions `1..pending` for the next run.
    pre: [Vec<Complex<f32>>; 2],
    pending: usize,
}

impl Stage {
    fn bins(&self) -> usize {
        self.block + 1
    }

    /// Adds `X[target - p] * H[p]` for `p` in `parts` to `acc`, for output
    /// channel `o`, where `head_of_target` is the FDL slot of the target block.
    fn accumulate(
        &self,
        acc: &mut [Complex<f32>],
        tracked: usize,
        ir_channels: usize,
        o: usize,
        head_of_target: usize,
        parts: std::ops::Range<usize>,
    ) {
        let bins = self.bins();
        let n = self.partitions;
        for &(c, ir) in routing(tracked, ir_channels, o) {
            let x = &self.fdl[c];
            let h = &self.h[ir * n * bins..][..n * bins];
            for p in parts.clone() {
                let xs = (head_of_target + n - p) % n;
                let xb = &x[xs * bins..][..bins];
                let hb = &h[p * bins..][..bins];
                for ((a, &xv), &hv) in acc.iter_mut().zip(xb).zip(hb) {
                    *a += xv * hv;
                }
            }
        }
    }
}

impl std::fmt::Debug for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stage")
            .field("block", &self.block)
            .field("offset", &self.offset)
            .field("partitions", &self.partitions)
            .field("delay", &self.delay)
            .finish_non_exhaustive()
    }
}

/// Which (input channel, IR channel) products are summed into each output
/// channel, from the spec's channel-configuration diagram. A mono input with
/// a 4-channel IR is treated as its stereo up-mix (L = R = input).
fn routing(inputs: usize, ir: usize, out: usize) -> &'static [(usize, usize)] {
    match (inputs, ir, out) {
        (1, 1, 0) => &[(0, 0)],
        (1, 2, 0) => &[(0, 0)],
        (1, 2, 1) => &[(0, 1)],
        (1, 4, 0) => &[(0, 0), (0, 2)],
        (1, 4, 1) => &[(0, 1), (0, 3)],
        (2, 1, 0) => &[(0, 0)],
        (2, 1, 1) => &[(1, 0)],
        (2, 2, 0) => &[(0, 0)],
        (2, 2, 1) => &[(1, 1)],
        (2, 4, 0) => &[(0, 0), (1, 2)],
        (2, 4, 1) => &[(0, 1), (1, 3)],
        _ => &[],
    }
}

/// The complete convolution state for one impulse response: partition
/// spectra, FFT plans, delay lines and scratch space, all allocated here on
/// the control thread.
#[derive(Debug)]
pub struct ConvolverKernel {
    ir_channels: usize,
    length: usize,
    stages: Vec<Stage>,
    /// Output accumulators for the (at most) two output channels.
    ring: [Vec<f32>; 2],
    ring_mask: usize,
    /// Quanta since the state was last cleared; stage block boundaries are
    /// counted from it.
    quantum: u64,
    /// Input channels the delay lines currently hold (1 or 2).
    tracked: usize,
    /// Output frames that may still be non-zero after the current quantum.
    tail_left: usize,
    /// True once the tail has died out and the state has been cleared.
    idle: bool,
    /// Stages that ran their FFTs in the last quantum (diagnostics).
    last_runs: usize,
    fft_in: Vec<f32>,
    fft_out: Vec<f32>,
    acc: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
}

impl ConvolverKernel {
    /// Fails when the kernel for `buffer` cannot be had: it takes about 56
    /// bytes per impulse-response frame and channel (partition spectra,
    /// delay lines, output ring), sized by the script's buffer.
    pub fn check_size(buffer: &AudioBufferData) -> Result<(), crate::fallible::AllocError> {
        let frames = buffer.length() as u128 + 4 * MAX_PARTITION as u128;
        let per_frame = 16 * buffer.number_of_channels().max(1) as u128 + 40;
        crate::fallible::check_budget::<u8>(frames * per_frame)
    }

    /// Builds the kernel for `buffer` (already validated), scaled by
    /// [`calculate_normalization_scale`] when `normalize` is true.
    pub fn new(buffer: &AudioBufferData, normalize: bool) -> Self {
        let scale = if normalize {
            calculate_normalization_scale(buffer) as f32
        } else {
            1.0
        };
        let ir_channels = buffer.number_of_channels().max(1);
        let length = buffer.length();
        let mut planner = RealFftPlanner::<f32>::new();

        let mut stages = Vec::new();
        let mut offset = 0;
        let mut block = Q;
        let mut max_block = Q;
        let mut scratch_len = 0;
        while offset < length {
            let remaining_parts = (length - offset).div_ceil(block);
            let partitions = if block == MAX_PARTITION {
                remaining_parts
            } else {
                remaining_parts.min(2)
            };
            let per_block = block / Q;
            let delay = if block == Q { 0 } else { per_block / 2 };
            // The stage's output for a block starts `offset - block` frames
            // after the block ends; running `delay` quanta late needs that
            // much slack (the quantum that runs it is rendered after it).
            debug_assert!(delay == 0 || offset + Q >= block + delay * Q);
            let chunk = if per_block > 1 {
                (partitions.saturating_sub(1)).div_ceil(per_block - 1)
            } else {
                0
            };
            let fwd = planner.plan_fft_forward(2 * block);
            let inv = planner.plan_fft_inverse(2 * block);
            scratch_len = scratch_len
                .max(fwd.get_scratch_len())
                .max(inv.get_scratch_len());
            let bins = block + 1;
            let mut h = vec![Complex::new(0.0, 0.0); ir_channels * partitions * bins];
            let mut padded = vec![0.0f32; 2 * block];
            let norm = scale / (2 * block) as f32;
            for ir in 0..ir_channels {
                let data = buffer.channel(ir);
                for p in 0..partitions {
                    let start = offset + p * block;
                    let end = (start + block).min(length);
                    padded.fill(0.0);
                    for (d, &s) in padded.iter_mut().zip(&data[start..end]) {
                        *d = s * norm;
                    }
                    let dst = &mut h[(ir * partitions + p) * bins..][..bins];
                    // Lengths come from the plan itself, so this cannot fail.
                    let _ = fwd.process(&mut padded, dst);
                }
            }
            let zeros = || vec![Complex::new(0.0, 0.0); partitions * bins];
            stages.push(Stage {
                block,
                offset,
                partitions,
                delay,
                chunk,
                fwd,
                inv,
                h,
                time: [vec![0.0; 3 * block], vec![0.0; 3 * block]],
                fdl: [zeros(), zeros()],
                head: 0,
                pre: [
                    vec![Complex::new(0.0, 0.0); bins],
                    vec![Complex::new(0.0, 0.0); bins],
                ],
                pending: 1,
            });
            max_block = block;
            offset += partitions * block;
            if block < MAX_PARTITION {
                block *= 2;
            }
        }
        let reach = stages.iter().map(|s| s.offset + s.block).max().unwrap_or(0) + 2 * Q;
        let ring_len = reach.next_power_of_two();
        Self {
            ir_channels,
            length,
            stages,
            ring: [vec![0.0; ring_len], vec![0.0; ring_len]],
            ring_mask: ring_len - 1,
            quantum: 0,
            tracked: 1,
            tail_left: 0,
            idle: true,
            last_runs: 0,
            fft_in: vec![0.0; 2 * max_block],
            fft_out: vec![0.0; 2 * max_block],
            acc: vec![Complex::new(0.0, 0.0); max_block + 1],
            scratch: vec![Complex::new(0.0, 0.0); scratch_len],
        }
    }

    /// Impulse response length in frames (the node's tail time).
    pub fn length(&self) -> usize {
        self.length
    }

    pub fn ir_channels(&self) -> usize {
        self.ir_channels
    }

    /// Partition sizes, first to last (for tests and diagnostics).
    pub fn partition_sizes(&self) -> Vec<usize> {
        self.stages
            .iter()
            .flat_map(|s| std::iter::repeat_n(s.block, s.partitions))
            .collect()
    }

    /// How many stages ran their FFTs in the last processed quantum.
    pub fn last_stage_runs(&self) -> usize {
        self.last_runs
    }

    /// (block, IR offset, run delay in quanta) of each stage.
    pub fn stage_layout(&self) -> Vec<(usize, usize, usize)> {
        self.stages
            .iter()
            .map(|s| (s.block, s.offset, s.delay))
            .collect()
    }

    fn output_channels(&self) -> usize {
        if self.tracked == 1 && self.ir_channels == 1 {
            1
        } else {
            2
        }
    }

    fn reset_pending(&mut self) {
        for s in &mut self.stages {
            for p in &mut s.pre {
                p.fill(Complex::new(0.0, 0.0));
            }
            s.pending = 1;
        }
    }

    /// Zeroes every delay line and accumulator. Run once when the tail has
    /// died out so that numerical residue never reappears later.
    fn clear(&mut self) {
        for s in &mut self.stages {
            for t in &mut s.time {
                t.fill(0.0);
            }
            for f in &mut s.fdl {
                f.fill(Complex::new(0.0, 0.0));
            }
            s.head = 0;
        }
        self.reset_pending();
        for r in &mut self.ring {
            r.fill(0.0);
        }
        self.quantum = 0;
        self.tracked = 1;
    }

    /// Re-shapes the history when the input channel count changes, as the
    /// spec asks of nodes with internal state: mono history is up-mixed
    /// (copied) into the right channel, stereo history is down-mixed to mono
    /// (the whole state is linear in the input, so this is exact).
    fn set_tracked(&mut self, n: usize) {
        if n == self.tracked {
            return;
        }
        let mono_ir = self.ir_channels == 1;
        if n == 2 {
            for s in &mut self.stages {
                let [t0, t1] = &mut s.time;
                t1.copy_from_slice(t0);
                let [f0, f1] = &mut s.fdl;
                f1.copy_from_slice(f0);
            }
            if mono_ir {
                let [r0, r1] = &mut self.ring;
                r1.copy_from_slice(r0);
            }
        } else {
            for s in &mut self.stages {
                let [t0, t1] = &mut s.time;
                for (a, b) in t0.iter_mut().zip(t1.iter()) {
                    *a = 0.5 * (*a + *b);
                }
                let [f0, f1] = &mut s.fdl;
                for (a, b) in f0.iter_mut().zip(f1.iter()) {
                    *a = (*a + *b) * 0.5;
                }
            }
            if mono_ir {
                let [r0, r1] = &mut self.ring;
                for (a, b) in r0.iter_mut().zip(r1.iter()) {
                    *a = 0.5 * (*a + *b);
                }
            }
        }
        // The partial sums were routed for the old layout: redo them whole
        // at the next run (a one-off cost).
        self.reset_pending();
        self.tracked = n;
    }

    /// Convolves one quantum. `input` holds 1 or 2 channels, or `None` for
    /// silence. Writes `out` and returns how many of its channels (1 or 2)
    /// were written, or 0 when the output is silence because the tail has
    /// died out, and whether output may follow without further input.
    pub fn process(
        &mut self,
        input: Option<&[[f32; Q]]>,
        out: &mut [[f32; Q]; 2],
    ) -> (usize, bool) {
        match input {
            Some(chans) => {
                self.set_tracked(chans.len().clamp(1, 2));
                self.tail_left = self.length.saturating_sub(1);
                self.idle = false;
            }
            None => {
                if self.idle {
                    return (0, false);
                }
            }
        }
        let tracked = self.tracked;
        let out_channels = self.output_channels();
        let q = self.quantum;
        self.last_runs = 0;
        for s in &mut self.stages {
            let per_block = s.block / Q;
            let slot = (q % per_block as u64) as usize;
            let b = s.block;
            for c in 0..tracked {
                let dst = &mut s.time[c][2 * b + slot * Q..][..Q];
                match input {
                    Some(chans) => dst.copy_from_slice(&chans[c.min(chans.len() - 1)]),
                    None => dst.fill(0.0),
                }
                if slot + 1 == per_block {
                    s.time[c].copy_within(b.., 0);
                }
            }
            let run = if s.delay == 0 {
                slot + 1 == per_block
            } else {
                slot + 1 == s.delay
            };
            let bins = s.bins();
            let n = s.partitions;
            if !run {
                // Pre-accumulate the next run's older partitions.
                if s.pending < n {
                    let end = (s.pending + s.chunk).min(n);
                    let target = (s.head + 1) % n;
                    for o in 0..out_channels {
                        let mut pre = std::mem::take(&mut s.pre[o]);
                        s.accumulate(
                            &mut pre,
                            tracked,
                            self.ir_channels,
                            o,
                            target,
                            s.pending..end,
                        );
                        s.pre[o] = pre;
                    }
                    s.pending = end;
                }
                continue;
            }
            self.last_runs += 1;
            s.head = (s.head + 1) % n;
            let fft_in = &mut self.fft_in[..2 * b];
            for c in 0..tracked {
                fft_in.copy_from_slice(&s.time[c][..2 * b]);
                let dst = &mut s.fdl[c][s.head * bins..][..bins];
                let _ = s.fwd.process_with_scratch(fft_in, dst, &mut self.scratch);
            }
            // This run's block ended at the start of quantum q - delay + 1;
            // its output starts `offset - block` frames later.
            let end_of_block = (q + 1 - s.delay as u64) * Q as u64;
            let start = (end_of_block + s.offset as u64 - b as u64) as usize;
            for (o, ring) in self.ring.iter_mut().enumerate().take(out_channels) {
                let acc = &mut self.acc[..bins];
                acc.copy_from_slice(&s.pre[o]);
                s.accumulate(acc, tracked, self.ir_channels, o, s.head, s.pending..n);
                s.accumulate(acc, tracked, self.ir_channels, o, s.head, 0..1);
                // DC and Nyquist are real for real signals; clear rounding
                // residue so the inverse transform accepts the spectrum.
                acc[0].im = 0.0;
                acc[bins - 1].im = 0.0;
                let fft_out = &mut self.fft_out[..2 * b];
                let _ = s.inv.process_with_scratch(acc, fft_out, &mut self.scratch);
                for (k, &v) in fft_out[b..].iter().enumerate() {
                    ring[(start + k) & self.ring_mask] += v;
                }
            }
            for p in &mut s.pre {
                p.fill(Complex::new(0.0, 0.0));
            }
            s.pending = 1;
        }
        let pos = (self.quantum as usize * Q) & self.ring_mask;
        for (o, dst) in out.iter_mut().enumerate().take(out_channels) {
            let src = &mut self.ring[o][pos..pos + Q];
            dst.copy_from_slice(src);
            src.fill(0.0);
        }
        self.quantum += 1;
        if input.is_none() {
            self.tail_left = self.tail_left.saturating_sub(Q);
            if self.tail_left == 0 {
                self.clear();
                self.idle = true;
                return (out_channels, false);
            }
        }
        (out_channels, self.tail_left > 0)
    }
}

/// The render half. No AudioParams. Input: 1 or 2 channels (clamped-max,
/// channelCount <= 2). Output: mono only for a mono input and a mono IR,
/// otherwise stereo; a single silent channel when not actively processing.
pub struct ConvolverProcessor {
    kernel: Option<Box<ConvolverKernel>>,
    scratch_out: [[f32; Q]; 2],
}

/// The ConvolverNode has no AudioParams.
pub const CONVOLVER_PARAMS: &[(&str, f32, f32, f32, bool)] = &[];

impl ConvolverProcessor {
    pub fn new(kernel: Option<Box<ConvolverKernel>>) -> Self {
        Self {
            kernel,
            scratch_out: [[0.0; Q]; 2],
        }
    }
}

impl Processor for ConvolverProcessor {
    fn process(&mut self, io: ProcessIo<'_>, _scope: &RenderScope<'_>) -> bool {
        let output = &mut io.outputs[0];
        let Some(kernel) = self.kernel.as_deref_mut() else {
            output.make_silent_with_channels(1);
            return false;
        };
        let input = &io.inputs[0];
        let chans = if input.is_silent() {
            None
        } else {
            let c = input.channels();
            Some(&c[..c.len().min(2)])
        };
        let (n, alive) = kernel.process(chans, &mut self.scratch_out);
        if n == 0 {
            output.make_silent_with_channels(1);
            return false;
        }
        output.set_number_of_channels(n);
        for (dst, src) in output.channels_mut().iter_mut().zip(&self.scratch_out[..n]) {
            dst.copy_from_slice(src);
        }
        alive
    }

    fn handle_message(&mut self, message: NodeMessage, scope: &RenderScope<'_>) {
        if let NodeMessage::Convolver(ConvolverMessage::SetKernel(kernel)) = message
            && let Some(old) = std::mem::replace(&mut self.kernel, kernel)
        {
            scope.discard(old);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::AudioBlock;
    use crate::processor::testing::TestScope;

    /// Deterministic noise in [-1, 1).
    fn noise(seed: u64, n: usize) -> Vec<f32> {
        let mut s = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 40) as f32 / (1u64 << 23) as f32) - 1.0
            })
            .collect()
    }

    fn direct(x: &[f32], h: &[f32], n: usize) -> Vec<f64> {
        let mut y = vec![0.0f64; n];
        for (j, &xv) in x.iter().enumerate() {
            if xv == 0.0 {
                continue;
            }
            for (i, &hv) in h.iter().enumerate() {
                if let Some(v) = y.get_mut(i + j) {
                    *v += hv as f64 * xv as f64;
                }
            }
        }
        y
    }

    fn buffer(chans: Vec<Vec<f32>>, sr: f32) -> Arc<AudioBufferData> {
        Arc::new(AudioBufferData::new(
            sr,
            chans.into_iter().map(Vec::into_boxed_slice).collect(),
        ))
    }

    /// Runs `quanta` quanta with `input` (channels) then silence; returns the
    /// output channels and the per-quantum `process` results.
    fn run(
        kernel: ConvolverKernel,
        input: &[Vec<f32>],
        quanta: usize,
    ) -> (Vec<Vec<f32>>, Vec<bool>, Vec<usize>) {
        let ts = TestScope::new(48000.0);
        let mut p = ConvolverProcessor::new(Some(Box::new(kernel)));
        let mut outs = vec![Vec::new(), Vec::new()];
        let mut alive = Vec::new();
        let mut counts = Vec::new();
        for q in 0..quanta {
            let mut inb = AudioBlock::new(input.len());
            let mut any = false;
            for (c, data) in input.iter().enumerate() {
                if q * Q < data.len() {
                    any = true;
                    let ch = inb.channel_mut(c);
                    for (k, v) in ch.iter_mut().enumerate() {
                        *v = data.get(q * Q + k).copied().unwrap_or(0.0);
                    }
                }
            }
            if !any {
                inb = AudioBlock::new(1);
            }
            let mut outb = [AudioBlock::new(1)];
            let a = p.process(
                ProcessIo {
                    inputs: &[inb],
                    outputs: &mut outb,
                    params: &[],
                },
                &ts.scope((q * Q) as u64),
            );
            alive.push(a);
            counts.push(outb[0].number_of_channels());
            for (c, out) in outs.iter_mut().enumerate() {
                if c < outb[0].number_of_channels() {
                    out.extend_from_slice(outb[0].channel(c));
                } else {
                    out.extend_from_slice(&[0.0; Q]);
                }
            }
        }
        (outs, alive, counts)
    }

    fn assert_close(actual: &[f32], expected: &[f64], tol: f64, what: &str) {
        assert_eq!(actual.len(), expected.len());
        for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
            assert!(
                (a as f64 - e).abs() <= tol,
                "{what}: frame {i}: got {a}, expected {e}"
            );
        }
    }

    #[test]
    fn partition_layout_doubles_and_staggers_the_stages() {
        let b = buffer(vec![vec![0.5; 100_000]], 48000.0);
        let k = ConvolverKernel::new(&b, false);
        let sizes = k.partition_sizes();
        assert_eq!(&sizes[..6], &[128, 128, 256, 256, 512, 512]);
        assert!(sizes.iter().sum::<usize>() >= 100_000);
        assert!(sizes.iter().all(|&s| s <= MAX_PARTITION));
        let layout = k.stage_layout();
        for &(block, offset, delay) in &layout {
            // Running `delay` quanta after the block boundary still writes
            // the output before it is due (zero added latency).
            if block > Q {
                assert!(offset + Q >= block + delay * Q, "{block} at {offset}");
            } else {
                assert_eq!((offset, delay), (0, 0));
            }
        }
        // Apart from the 128-frame stage, at most one stage runs per quantum:
        // observed while processing, and from the layout over a long span.
        let mut k = k;
        let mut out = [[0.0f32; Q]; 2];
        let x = [[0.25f32; Q]];
        let mut seen_two = false;
        for _ in 0..2000 {
            k.process(Some(&x), &mut out);
            assert!(k.last_stage_runs() <= 2);
            seen_two |= k.last_stage_runs() == 2;
        }
        assert!(seen_two);
        for q in 0..100_000usize {
            let running = layout
                .iter()
                .filter(|(block, _, delay)| *block > Q && q % (block / Q) + 1 == *delay)
                .count();
            assert!(running <= 1, "quantum {q}: {running} stages");
        }
    }

    #[test]
    fn matches_direct_convolution_for_many_lengths() {
        // Lengths around partition boundaries, and ones long enough to reach
        // the uniform MAX_PARTITION stage with one and with several
        // partitions (whose sums are pre-accumulated between runs).
        for &len in &[
            1usize, 5, 127, 128, 129, 256, 257, 700, 1500, 5000, 40_000, 100_000,
        ] {
            let h = noise(len as u64, len);
            let x = noise(7, 3000);
            let total = (x.len() + len).div_ceil(Q) + 2;
            let k = ConvolverKernel::new(&buffer(vec![h.clone()], 48000.0), false);
            let (out, _, _) = run(k, std::slice::from_ref(&x), total);
            let expected = direct(&x, &h, total * Q);
            // f32 FFT rounding: observed errors stay below 3e-7 of the peak
            // output for every length; allow 1e-6 of it (a few f32 ulps).
            let peak = expected.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            assert_close(&out[0], &expected, 1e-6 * peak, &format!("len {len}"));
        }
    }

    #[test]
    fn impulse_input_reproduces_the_response_sample_exact() {
        let h = noise(3, 2000);
        let mut x = vec![0.0f32; 400];
        x[300] = 1.0;
        let k = ConvolverKernel::new(&buffer(vec![h.clone()], 48000.0), false);
        let (out, _, _) = run(k, &[x], 24);
        for (i, &v) in out[0].iter().enumerate() {
            let e = if (300..2300).contains(&i) {
                h[i - 300]
            } else {
                0.0
            };
            assert!((v - e).abs() < 1e-5, "frame {i}: {v} vs {e}");
        }
    }

    #[test]
    fn normalization_scale_follows_the_spec_algorithm() {
        let h = vec![noise(1, 1000), noise(2, 1000)];
        let b = buffer(h.clone(), 22050.0);
        let mut power = 0.0f64;
        for c in &h {
            for &s in c {
                power += (s as f64).powi(2);
            }
        }
        let power = (power / 2000.0).sqrt();
        let expected = 1.0 / power * 0.00125 * 44100.0 / 22050.0;
        assert!((calculate_normalization_scale(&b) - expected).abs() < 1e-12 * expected);

        // Silent IR: power floors at MinPower; 4 channels halve the scale.
        let silent = AudioBufferData::silent(4, 10, 44100.0).unwrap();
        let expected = 1.0 / 0.000125 * 0.00125 * 0.5;
        assert!((calculate_normalization_scale(&silent) - expected).abs() < 1e-9);
    }

    #[test]
    fn normalize_scales_the_output() {
        let h = noise(9, 300);
        let b = buffer(vec![h.clone()], 48000.0);
        let scale = calculate_normalization_scale(&b);
        let x = noise(4, 1000);
        let (out, _, _) = run(ConvolverKernel::new(&b, true), std::slice::from_ref(&x), 12);
        let expected: Vec<f64> = direct(&x, &h, 12 * Q).iter().map(|v| v * scale).collect();
        assert_close(&out[0], &expected, 1e-4 * scale, "normalized");
    }

    #[test]
    fn channel_matrix_follows_the_spec_diagram() {
        let irs: Vec<Vec<f32>> = (0..4).map(|i| noise(20 + i, 500)).collect();
        let l = noise(30, 700);
        let r = noise(31, 700);
        let quanta = 12;
        let n = quanta * Q;
        let d = |x: &Vec<f32>, h: &Vec<f32>| direct(x, h, n);
        let add =
            |a: Vec<f64>, b: Vec<f64>| a.iter().zip(&b).map(|(x, y)| x + y).collect::<Vec<_>>();
        let tol = 1e-4;

        // mono in, mono IR: mono out
        let k = ConvolverKernel::new(&buffer(vec![irs[0].clone()], 48000.0), false);
        let (out, _, counts) = run(k, std::slice::from_ref(&l), quanta);
        assert!(counts[..6].iter().all(|&c| c == 1));
        assert_close(&out[0], &d(&l, &irs[0]), tol, "1x1");

        // mono in, stereo IR
        let k = ConvolverKernel::new(&buffer(irs[..2].to_vec(), 48000.0), false);
        let (out, _, counts) = run(k, std::slice::from_ref(&l), quanta);
        assert_eq!(counts[0], 2);
        assert_close(&out[0], &d(&l, &irs[0]), tol, "1x2 L");
        assert_close(&out[1], &d(&l, &irs[1]), tol, "1x2 R");

        // mono in, 4-channel IR: the input is up-mixed to L = R
        let k = ConvolverKernel::new(&buffer(irs.clone(), 48000.0), false);
        let (out, _, _) = run(k, std::slice::from_ref(&l), quanta);
        assert_close(&out[0], &add(d(&l, &irs[0]), d(&l, &irs[2])), tol, "1x4 L");
        assert_close(&out[1], &add(d(&l, &irs[1]), d(&l, &irs[3])), tol, "1x4 R");

        // stereo in, mono IR
        let k = ConvolverKernel::new(&buffer(vec![irs[0].clone()], 48000.0), false);
        let (out, _, _) = run(k, &[l.clone(), r.clone()], quanta);
        assert_close(&out[0], &d(&l, &irs[0]), tol, "2x1 L");
        assert_close(&out[1], &d(&r, &irs[0]), tol, "2x1 R");

        // stereo in, stereo IR
        let k = ConvolverKernel::new(&buffer(irs[..2].to_vec(), 48000.0), false);
        let (out, _, _) = run(k, &[l.clone(), r.clone()], quanta);
        assert_close(&out[0], &d(&l, &irs[0]), tol, "2x2 L");
        assert_close(&out[1], &d(&r, &irs[1]), tol, "2x2 R");

        // stereo in, 4-channel IR: true stereo
        let k = ConvolverKernel::new(&buffer(irs.clone(), 48000.0), false);
        let (out, _, _) = run(k, &[l.clone(), r.clone()], quanta);
        assert_close(&out[0], &add(d(&l, &irs[0]), d(&r, &irs[2])), tol, "2x4 L");
        assert_close(&out[1], &add(d(&l, &irs[1]), d(&r, &irs[3])), tol, "2x4 R");
    }

    #[test]
    fn mono_to_stereo_input_change_keeps_the_history_upmixed() {
        let h = noise(40, 1000);
        let k = ConvolverKernel::new(&buffer(vec![h.clone()], 48000.0), false);
        let ts = TestScope::new(48000.0);
        let mut p = ConvolverProcessor::new(Some(Box::new(k)));
        let x = noise(41, 16 * Q);
        let mut out = [Vec::new(), Vec::new()];
        for q in 0..16 {
            // First 5 quanta mono, then stereo with R = 0.
            let stereo = q >= 5;
            let mut inb = AudioBlock::new(if stereo { 2 } else { 1 });
            inb.channel_mut(0).copy_from_slice(&x[q * Q..][..Q]);
            if stereo {
                inb.channel_mut(1).fill(0.0);
            }
            let mut outb = [AudioBlock::new(1)];
            p.process(
                ProcessIo {
                    inputs: &[inb],
                    outputs: &mut outb,
                    params: &[],
                },
                &ts.scope((q * Q) as u64),
            );
            assert_eq!(outb[0].number_of_channels(), if stereo { 2 } else { 1 });
            out[0].extend_from_slice(outb[0].channel(0));
            if stereo {
                out[1].extend_from_slice(outb[0].channel(1));
            }
        }
        // Left sees the whole signal; right sees the mono part (its up-mix)
        // followed by silence.
        let full = direct(&x, &h, 16 * Q);
        assert_close(&out[0], &full, 1e-4, "L");
        let mono_part: Vec<f32> = x[..5 * Q].to_vec();
        let right = direct(&mono_part, &h, 16 * Q);
        assert_close(&out[1], &right[5 * Q..], 1e-4, "R");
    }

    #[test]
    fn tail_lasts_exactly_the_response_length() {
        let len = 1000;
        let h = vec![1.0f32; len];
        let x = vec![1.0f32; Q]; // one quantum of input
        let k = ConvolverKernel::new(&buffer(vec![h.clone()], 48000.0), false);
        let (out, alive, counts) = run(k, std::slice::from_ref(&x), 14);
        // Last non-zero output frame: Q - 1 + len - 1.
        let last = Q + len - 2;
        assert!(out[0][last].abs() > 0.5);
        // FFT residue within the last quantum, exact silence after it.
        let next_quantum = (last / Q + 1) * Q;
        let residue = out[0][last + 1..next_quantum]
            .iter()
            .fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(residue < 1e-4, "residue {residue}");
        assert!(out[0][next_quantum..].iter().all(|&v| v == 0.0));
        // Alive while frames remain after the quantum; then silent mono.
        let last_quantum = last / Q;
        assert!(alive[..last_quantum].iter().all(|&a| a));
        assert!(alive[last_quantum + 1..].iter().all(|&a| !a));
        assert!(counts[last_quantum + 1..].iter().all(|&c| c == 1));
        // Restarting after idling still lines up.
        let k = ConvolverKernel::new(&buffer(vec![noise(5, 300)], 48000.0), false);
        let mut x2 = vec![0.0f32; 40 * Q];
        x2[..Q].copy_from_slice(&noise(6, Q));
        x2[20 * Q + 17] = 1.0;
        let (out, _, _) = run(k, &[x2.clone()], 40);
        let expected = direct(&x2, &noise(5, 300), 40 * Q);
        assert_close(&out[0], &expected, 1e-4, "restart");
    }

    #[test]
    fn no_buffer_outputs_mono_silence() {
        let ts = TestScope::new(48000.0);
        let mut p = ConvolverProcessor::new(None);
        let mut inb = AudioBlock::new(2);
        inb.channel_mut(0).fill(1.0);
        let mut outb = [AudioBlock::new(2)];
        let alive = p.process(
            ProcessIo {
                inputs: &[inb],
                outputs: &mut outb,
                params: &[],
            },
            &ts.scope(0),
        );
        assert!(!alive);
        assert!(outb[0].is_silent());
        assert_eq!(outb[0].number_of_channels(), 1);
    }

    #[test]
    fn new_kernel_is_swapped_in_and_old_one_discarded() {
        let ts = TestScope::new(48000.0);
        let k1 = ConvolverKernel::new(&buffer(vec![vec![1.0]], 48000.0), false);
        let k2 = ConvolverKernel::new(&buffer(vec![vec![0.0, 0.5]], 48000.0), false);
        let mut p = ConvolverProcessor::new(Some(Box::new(k1)));
        let mut inb = AudioBlock::new(1);
        inb.channel_mut(0).fill(1.0);
        let mut outb = [AudioBlock::new(1)];
        p.process(
            ProcessIo {
                inputs: std::slice::from_ref(&inb),
                outputs: &mut outb,
                params: &[],
            },
            &ts.scope(0),
        );
        assert!(outb[0].channel(0).iter().all(|&v| (v - 1.0).abs() < 1e-6));
        p.handle_message(
            NodeMessage::Convolver(ConvolverMessage::SetKernel(Some(Box::new(k2)))),
            &ts.scope(Q as u64),
        );
        assert_eq!(ts.garbage.len(), 1);
        p.process(
            ProcessIo {
                inputs: std::slice::from_ref(&inb),
                outputs: &mut outb,
                params: &[],
            },
            &ts.scope(Q as u64),
        );
        assert!(outb[0].channel(0)[0].abs() < 1e-6);
        assert!(
            outb[0].channel(0)[1..]
                .iter()
                .all(|&v| (v - 0.5).abs() < 1e-6)
        );
    }

    #[test]
    fn attributes_follow_the_constructor_and_setter_steps() {
        let ir = buffer(vec![vec![1.0, 0.0, 0.5]], 48000.0);
        let (mut a, k) = ConvolverAttributes::new(
            &ConvolverOptions {
                buffer: Some(ir.clone()),
                disable_normalization: true,
            },
            48000.0,
        )
        .unwrap();
        assert!(!a.normalize());
        assert_eq!(k.unwrap().length(), 3);
        // normalize only matters at the next buffer assignment.
        a.set_normalize(true);
        let k = a.set_buffer(Some(ir.clone())).unwrap().unwrap();
        let x = vec![1.0f32; 1];
        let (out, _, _) = run(*k, std::slice::from_ref(&x), 1);
        let scale = calculate_normalization_scale(&ir) as f32;
        assert!((out[0][0] - scale).abs() < 1e-5 * scale);
        assert!(a.set_buffer(None).unwrap().is_none());
        assert!(a.buffer().is_none());
        let wrong_rate = buffer(vec![vec![1.0]], 44100.0);
        assert!(matches!(
            a.set_buffer(Some(wrong_rate)),
            Err(NodeError::NotSupported(_))
        ));
        let three = Arc::new(AudioBufferData::silent(3, 4, 48000.0).unwrap());
        assert!(
            ConvolverAttributes::new(
                &ConvolverOptions {
                    buffer: Some(three),
                    disable_normalization: false,
                },
                48000.0
            )
            .is_err()
        );
    }

    #[test]
    fn validation_errors() {
        let five = AudioBufferData::silent(3, 10, 48000.0).unwrap();
        assert!(matches!(
            validate_buffer(&five, 48000.0),
            Err(NodeError::NotSupported(_))
        ));
        let ok = AudioBufferData::silent(4, 10, 48000.0).unwrap();
        assert!(validate_buffer(&ok, 48000.0).is_ok());
        assert!(matches!(
            validate_buffer(&ok, 44100.0),
            Err(NodeError::NotSupported(_))
        ));
        assert!(validate_channel_count(2).is_ok());
        assert!(matches!(
            validate_channel_count(3),
            Err(NodeError::NotSupported(_))
        ));
        assert!(validate_channel_count_mode(false).is_ok());
        assert!(matches!(
            validate_channel_count_mode(true),
            Err(NodeError::NotSupported(_))
        ));
    }
}
