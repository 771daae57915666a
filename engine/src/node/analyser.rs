//! AnalyserNode: pass-through node whose recent input the JS thread can read
//! as time-domain or (windowed, smoothed) frequency-domain data.
//!
//! The render thread writes the mono down-mix of every quantum into a ring of
//! atomics ([`AnalyserRing`]) and then publishes the new frame count with a
//! release store. The JS thread copies the frames it needs and re-reads the
//! count: if the writer lapped the oldest copied frame meanwhile it retries.
//! The render thread never waits for the reader (a seqlock with the writer
//! never blocked); the ring is twice the largest `fftSize` so retries need
//! the reader to stall for over 0.3 s.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering, fence};

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};

use std::sync::{Arc, Mutex};

use crate::RENDER_QUANTUM_SIZE;
use crate::block::AudioBlock;
use crate::context::{Context, NodeHandle, NodeSpec};
use crate::error::Error;
use crate::node::NodeError;
use crate::processor::{ProcessIo, Processor, RenderScope};

const Q: usize = RENDER_QUANTUM_SIZE;

/// Largest allowed `fftSize`; the spec requires keeping this many frames.
pub const MAX_FFT_SIZE: usize = 32768;
/// Smallest allowed `fftSize`.
pub const MIN_FFT_SIZE: usize = 32;
const RING_LEN: usize = 2 * MAX_FFT_SIZE;

/// `AnalyserOptions` (the `AudioNodeOptions` members are the graph's:
/// channelCount 2, "max", "speakers"):
///
/// ```webidl
/// dictionary AnalyserOptions : AudioNodeOptions {
///     unsigned long fftSize = 2048;
///     double maxDecibels = -30;
///     double minDecibels = -100;
///     double smoothingTimeConstant = 0.8;
/// };
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnalyserOptions {
    pub fft_size: u32,
    pub max_decibels: f64,
    pub min_decibels: f64,
    pub smoothing_time_constant: f64,
}

impl Default for AnalyserOptions {
    fn default() -> Self {
        Self {
            fft_size: 2048,
            max_decibels: -30.0,
            min_decibels: -100.0,
            smoothing_time_constant: 0.8,
        }
    }
}

/// The AnalyserNode has no AudioParams.
pub const ANALYSER_PARAMS: &[(&str, f32, f32, f32, bool)] = &[];

/// `fftSize` must be a power of two in 32..=32768.
pub fn validate_fft_size(fft_size: u32) -> Result<(), NodeError> {
    let n = fft_size as usize;
    if !(MIN_FFT_SIZE..=MAX_FFT_SIZE).contains(&n) || !n.is_power_of_two() {
        return Err(NodeError::IndexSize(format!(
            "AnalyserNode: fftSize {fft_size} is not a power of two in [32, 32768]"
        )));
    }
    Ok(())
}

/// `minDecibels` must stay below `maxDecibels`.
pub fn validate_decibels(min_decibels: f64, max_decibels: f64) -> Result<(), NodeError> {
    // NaN fails too (the setters see only finite doubles from WebIDL anyway).
    if min_decibels >= max_decibels || min_decibels.is_nan() || max_decibels.is_nan() {
        return Err(NodeError::IndexSize(format!(
            "AnalyserNode: minDecibels {min_decibels} must be less than maxDecibels {max_decibels}"
        )));
    }
    Ok(())
}

/// `smoothingTimeConstant` must lie in [0, 1].
pub fn validate_smoothing_time_constant(value: f64) -> Result<(), NodeError> {
    if !(0.0..=1.0).contains(&value) {
        return Err(NodeError::IndexSize(format!(
            "AnalyserNode: smoothingTimeConstant {value} is outside [0, 1]"
        )));
    }
    Ok(())
}

/// The constructor's checks, all members at once.
pub fn validate_options(options: &AnalyserOptions) -> Result<(), NodeError> {
    validate_fft_size(options.fft_size)?;
    validate_decibels(options.min_decibels, options.max_decibels)?;
    validate_smoothing_time_constant(options.smoothing_time_constant)
}

/// Time-domain history shared between the render thread (single writer) and
/// the control thread (reader).
#[derive(Debug)]
pub struct AnalyserRing {
    samples: Box<[AtomicU32]>,
    /// Frames written so far; frames `written - RING_LEN .. written` are valid.
    written: AtomicU64,
}

impl Default for AnalyserRing {
    fn default() -> Self {
        Self::new()
    }
}

impl AnalyserRing {
    pub fn new() -> Self {
        Self {
            samples: (0..RING_LEN).map(|_| AtomicU32::new(0)).collect(),
            written: AtomicU64::new(0),
        }
    }

    /// Render thread: appends one quantum.
    fn push(&self, frames: &[f32; Q]) {
        let pos = self.written.load(Ordering::Relaxed);
        let start = (pos as usize) & (RING_LEN - 1);
        // RING_LEN is a multiple of Q, so a quantum never straddles the end.
        for (slot, &v) in self.samples[start..start + Q].iter().zip(frames) {
            slot.store(v.to_bits(), Ordering::Relaxed);
        }
        self.written.store(pos + Q as u64, Ordering::Release);
    }

    /// Frames written so far (identifies the render quantum last completed).
    pub fn frames_written(&self) -> u64 {
        self.written.load(Ordering::Acquire)
    }

    /// Control thread: copies the most recent `out.len()` (<= 32768) frames,
    /// oldest first, consistently. Frames before the first one written read
    /// as zero. Returns the frame count the snapshot ends at.
    pub fn snapshot(&self, out: &mut [f32]) -> u64 {
        let n = out.len().min(MAX_FFT_SIZE);
        loop {
            let end = self.written.load(Ordering::Acquire);
            let first = end.wrapping_sub(n as u64);
            for (k, o) in out[..n].iter_mut().enumerate() {
                let idx = (first.wrapping_add(k as u64) as usize) & (RING_LEN - 1);
                *o = f32::from_bits(self.samples[idx].load(Ordering::Relaxed));
            }
            // Order the sample loads before the re-check of the counter.
            fence(Ordering::Acquire);
            let now = self.written.load(Ordering::Relaxed);
            // The oldest frame copied is overwritten once the writer reaches
            // first + RING_LEN.
            // Frames not yet written read as the ring's initial zeros.
            if now - end + n as u64 <= RING_LEN as u64 {
                return end;
            }
        }
    }
}

/// Mono down-mix of a block by the speaker rules (what the spec asks for the
/// time-domain data, whatever the node's own channel settings).
fn downmix_to_mono(input: &AudioBlock, out: &mut [f32; Q]) {
    let c = input.channels();
    match c.len() {
        2 => {
            for (o, (l, r)) in out.iter_mut().zip(c[0].iter().zip(&c[1])) {
                *o = 0.5 * (l + r);
            }
        }
        4 => {
            for (k, o) in out.iter_mut().enumerate() {
                *o = 0.25 * (c[0][k] + c[1][k] + c[2][k] + c[3][k]);
            }
        }
        6 => {
            let s = std::f32::consts::FRAC_1_SQRT_2;
            for (k, o) in out.iter_mut().enumerate() {
                *o = s * (c[0][k] + c[1][k]) + c[2][k] + 0.5 * (c[4][k] + c[5][k]);
            }
        }
        // Mono, and layouts without speaker rules (discrete: keep channel 0).
        _ => out.copy_from_slice(&c[0]),
    }
}

/// The render half: passes its input through and records the mono down-mix.
/// No AudioParams.
pub struct AnalyserProcessor {
    ring: Arc<AnalyserRing>,
    mono: [f32; Q],
}

impl AnalyserProcessor {
    pub fn new(ring: Arc<AnalyserRing>) -> Self {
        Self {
            ring,
            mono: [0.0; Q],
        }
    }
}

impl Processor for AnalyserProcessor {
    fn process(&mut self, io: ProcessIo<'_>, _scope: &RenderScope<'_>) -> bool {
        let input = &io.inputs[0];
        io.outputs[0].copy_from(input);
        if input.is_silent() {
            self.mono.fill(0.0);
        } else {
            downmix_to_mono(input, &mut self.mono);
        }
        self.ring.push(&self.mono);
        false
    }
}

/// The control-thread state behind `AnalyserNode`'s attributes and getters.
pub struct Analyser {
    ring: Arc<AnalyserRing>,
    fft_size: usize,
    min_decibels: f64,
    max_decibels: f64,
    smoothing_time_constant: f64,
    planner: RealFftPlanner<f32>,
    fft: Arc<dyn RealToComplex<f32>>,
    window: Vec<f32>,
    time: Vec<f32>,
    spectrum: Vec<Complex<f32>>,
    /// \hat{X}_{-1}: the previous smoothed magnitudes.
    smoothed: Vec<f32>,
    /// Y[k] in dB, as last computed.
    decibels: Vec<f32>,
    /// `frames_written` when `decibels` was computed.
    computed_at: Option<u64>,
}

impl Analyser {
    /// `options` must have passed [`validate_options`]. The returned ring is
    /// what [`AnalyserProcessor::new`] takes.
    pub fn new(options: &AnalyserOptions) -> (Self, Arc<AnalyserRing>) {
        let ring = Arc::new(AnalyserRing::new());
        let mut planner = RealFftPlanner::new();
        let fft = planner.plan_fft_forward(MIN_FFT_SIZE);
        let mut a = Self {
            ring: ring.clone(),
            fft_size: 0,
            min_decibels: options.min_decibels,
            max_decibels: options.max_decibels,
            smoothing_time_constant: options.smoothing_time_constant,
            planner,
            fft,
            window: Vec::new(),
            time: Vec::new(),
            spectrum: Vec::new(),
            smoothed: Vec::new(),
            decibels: Vec::new(),
            computed_at: None,
        };
        a.resize(options.fft_size as usize);
        (a, ring)
    }

    fn resize(&mut self, n: usize) {
        self.fft_size = n;
        self.fft = self.planner.plan_fft_forward(n);
        // The spec's Blackman window with alpha = 0.16.
        let alpha = 0.16f64;
        let (a0, a1, a2) = ((1.0 - alpha) / 2.0, 0.5, alpha / 2.0);
        self.window = (0..n)
            .map(|i| {
                let x = 2.0 * std::f64::consts::PI * i as f64 / n as f64;
                (a0 - a1 * x.cos() + a2 * (2.0 * x).cos()) as f32
            })
            .collect();
        self.time = vec![0.0; n];
        self.spectrum = vec![Complex::new(0.0, 0.0); n / 2 + 1];
        self.smoothed = vec![0.0; n / 2];
        self.decibels = vec![0.0; n / 2];
        self.computed_at = None;
    }

    pub fn fft_size(&self) -> u32 {
        self.fft_size as u32
    }

    /// `fftSize` setter: a new size resets the smoothing state.
    pub fn set_fft_size(&mut self, fft_size: u32) -> Result<(), NodeError> {
        validate_fft_size(fft_size)?;
        if fft_size as usize != self.fft_size {
            self.resize(fft_size as usize);
        }
        Ok(())
    }

    pub fn frequency_bin_count(&self) -> u32 {
        (self.fft_size / 2) as u32
    }

    pub fn min_decibels(&self) -> f64 {
        self.min_decibels
    }

    pub fn set_min_decibels(&mut self, value: f64) -> Result<(), NodeError> {
        validate_decibels(value, self.max_decibels)?;
        self.min_decibels = value;
        Ok(())
    }

    pub fn max_decibels(&self) -> f64 {
        self.max_decibels
    }

    pub fn set_max_decibels(&mut self, value: f64) -> Result<(), NodeError> {
        validate_decibels(self.min_decibels, value)?;
        self.max_decibels = value;
        Ok(())
    }

    pub fn smoothing_time_constant(&self) -> f64 {
        self.smoothing_time_constant
    }

    pub fn set_smoothing_time_constant(&mut self, value: f64) -> Result<(), NodeError> {
        validate_smoothing_time_constant(value)?;
        self.smoothing_time_constant = value;
        Ok(())
    }

    /// Computes the current frequency data unless it was already computed
    /// for the quantum the ring currently ends at.
    fn update_frequency_data(&mut self) {
        let now = self.ring.frames_written();
        if self.computed_at == Some(now) {
            return;
        }
        let end = self.ring.snapshot(&mut self.time);
        self.computed_at = Some(end);
        for (x, w) in self.time.iter_mut().zip(&self.window) {
            *x *= w;
        }
        let _ = self.fft.process(&mut self.time, &mut self.spectrum);
        let n = self.fft_size as f32;
        let tau = self.smoothing_time_constant as f32;
        for ((s, db), x) in self
            .smoothed
            .iter_mut()
            .zip(&mut self.decibels)
            .zip(&self.spectrum)
        {
            let mag = x.norm() / n;
            let mut v = tau * *s + (1.0 - tau) * mag;
            if !v.is_finite() {
                v = 0.0;
            }
            *s = v;
            *db = 20.0 * v.log10();
        }
    }

    /// `getFloatFrequencyData`: Y[k] in dB; writes min(len, binCount) values.
    pub fn get_float_frequency_data(&mut self, array: &mut [f32]) {
        self.update_frequency_data();
        let n = array.len().min(self.decibels.len());
        array[..n].copy_from_slice(&self.decibels[..n]);
    }

    /// `getByteFrequencyData`: Y[k] mapped linearly from
    /// [minDecibels, maxDecibels] to [0, 255], floored and clamped.
    pub fn get_byte_frequency_data(&mut self, array: &mut [u8]) {
        self.update_frequency_data();
        let scale = 255.0 / (self.max_decibels - self.min_decibels);
        for (b, &y) in array.iter_mut().zip(&self.decibels) {
            let v = (scale * (y as f64 - self.min_decibels)).floor();
            // NaN (never expected) maps to 0 through the saturating cast.
            *b = v.clamp(0.0, 255.0) as u8;
        }
    }

    /// `getFloatTimeDomainData`: the most recent fftSize frames.
    pub fn get_float_time_domain_data(&mut self, array: &mut [f32]) {
        let n = array.len().min(self.fft_size);
        self.ring.snapshot(&mut self.time);
        array[..n].copy_from_slice(&self.time[..n]);
    }

    /// `getByteTimeDomainData`: floor(128 (1 + x)) clamped to [0, 255].
    pub fn get_byte_time_domain_data(&mut self, array: &mut [u8]) {
        self.ring.snapshot(&mut self.time);
        for (b, &x) in array.iter_mut().zip(&self.time) {
            let v = (128.0 * (1.0 + x as f64)).floor();
            *b = v.clamp(0.0, 255.0) as u8;
        }
    }
}

/// Control handle of an AnalyserNode. Clones share the analysis state.
#[derive(Clone)]
pub struct AnalyserNode {
    node: NodeHandle,
    analyser: Arc<Mutex<Analyser>>,
}

impl std::fmt::Debug for AnalyserNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnalyserNode")
            .field("node", &self.node)
            .finish_non_exhaustive()
    }
}

impl AnalyserNode {
    /// The constructor with the default channel attributes (2, "max",
    /// "speakers"): the options' checks throw IndexSizeError.
    pub fn new(ctx: &Context, options: AnalyserOptions) -> Result<Self, Error> {
        validate_options(&options)?;
        let (analyser, ring) = Analyser::new(&options);
        let spec = NodeSpec::new(1, 1, Vec::new());
        let node = ctx.create_node(spec, Box::new(AnalyserProcessor::new(ring)))?;
        Ok(Self {
            node,
            analyser: Arc::new(Mutex::new(analyser)),
        })
    }

    pub fn node(&self) -> &NodeHandle {
        &self.node
    }

    fn analyser(&self) -> std::sync::MutexGuard<'_, Analyser> {
        self.analyser
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn fft_size(&self) -> u32 {
        self.analyser().fft_size()
    }

    pub fn set_fft_size(&self, fft_size: u32) -> Result<(), Error> {
        Ok(self.analyser().set_fft_size(fft_size)?)
    }

    pub fn frequency_bin_count(&self) -> u32 {
        self.analyser().frequency_bin_count()
    }

    pub fn min_decibels(&self) -> f64 {
        self.analyser().min_decibels()
    }

    pub fn set_min_decibels(&self, value: f64) -> Result<(), Error> {
        Ok(self.analyser().set_min_decibels(value)?)
    }

    pub fn max_decibels(&self) -> f64 {
        self.analyser().max_decibels()
    }

    pub fn set_max_decibels(&self, value: f64) -> Result<(), Error> {
        Ok(self.analyser().set_max_decibels(value)?)
    }

    pub fn smoothing_time_constant(&self) -> f64 {
        self.analyser().smoothing_time_constant()
    }

    pub fn set_smoothing_time_constant(&self, value: f64) -> Result<(), Error> {
        Ok(self.analyser().set_smoothing_time_constant(value)?)
    }

    pub fn get_float_frequency_data(&self, array: &mut [f32]) {
        self.analyser().get_float_frequency_data(array);
    }

    pub fn get_byte_frequency_data(&self, array: &mut [u8]) {
        self.analyser().get_byte_frequency_data(array);
    }

    pub fn get_float_time_domain_data(&self, array: &mut [f32]) {
        self.analyser().get_float_time_domain_data(array);
    }

    pub fn get_byte_time_domain_data(&self, array: &mut [u8]) {
        self.analyser().get_byte_time_domain_data(array);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::processor::testing::TestScope;

    fn feed(p: &mut AnalyserProcessor, ts: &TestScope, frame: u64, chans: &[&[f32]]) -> AudioBlock {
        let mut inb = AudioBlock::new(chans.len());
        for (c, data) in chans.iter().enumerate() {
            inb.channel_mut(c).copy_from_slice(data);
        }
        let mut outb = [AudioBlock::new(1)];
        let alive = p.process(
            ProcessIo {
                inputs: std::slice::from_ref(&inb),
                outputs: &mut outb,
                params: &[],
            },
            &ts.scope(frame),
        );
        assert!(!alive, "no tail time");
        let [out] = outb;
        out
    }

    fn signal(n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| {
                let t = i as f32;
                0.6 * (0.05 * t).sin() + 0.3 * (0.31 * t + 1.0).cos() + 0.05 * (i % 7) as f32
            })
            .collect()
    }

    /// The spec's frequency data computed directly (double precision DFT).
    fn reference_magnitudes(x: &[f32]) -> Vec<f64> {
        let n = x.len();
        let w: Vec<f64> = (0..n)
            .map(|i| {
                let a = 2.0 * std::f64::consts::PI * i as f64 / n as f64;
                0.42 - 0.5 * a.cos() + 0.08 * (2.0 * a).cos()
            })
            .collect();
        (0..n / 2)
            .map(|k| {
                let (mut re, mut im) = (0.0f64, 0.0f64);
                for i in 0..n {
                    let ph = -2.0 * std::f64::consts::PI * (k * i) as f64 / n as f64;
                    let v = x[i] as f64 * w[i];
                    re += v * ph.cos();
                    im += v * ph.sin();
                }
                (re * re + im * im).sqrt() / n as f64
            })
            .collect()
    }

    #[test]
    fn validation() {
        for ok in [32u32, 64, 2048, 32768] {
            assert!(validate_fft_size(ok).is_ok());
        }
        for bad in [0u32, 16, 31, 33, 48, 65536, 100] {
            assert!(matches!(
                validate_fft_size(bad),
                Err(NodeError::IndexSize(_))
            ));
        }
        assert!(validate_decibels(-100.0, -30.0).is_ok());
        assert!(matches!(
            validate_decibels(-30.0, -30.0),
            Err(NodeError::IndexSize(_))
        ));
        assert!(matches!(
            validate_decibels(-10.0, -30.0),
            Err(NodeError::IndexSize(_))
        ));
        assert!(validate_smoothing_time_constant(0.0).is_ok());
        assert!(validate_smoothing_time_constant(1.0).is_ok());
        assert!(validate_smoothing_time_constant(-0.1).is_err());
        assert!(validate_smoothing_time_constant(1.1).is_err());
        assert!(validate_options(&AnalyserOptions::default()).is_ok());
        let o = AnalyserOptions {
            min_decibels: -10.0,
            ..Default::default()
        };
        assert!(matches!(validate_options(&o), Err(NodeError::IndexSize(_))));

        let (mut a, _) = Analyser::new(&AnalyserOptions::default());
        assert_eq!(a.frequency_bin_count(), 1024);
        assert!(a.set_max_decibels(-100.0).is_err());
        assert!(a.set_min_decibels(-30.0).is_err());
        assert_eq!((a.min_decibels(), a.max_decibels()), (-100.0, -30.0));
        assert!(a.set_min_decibels(-50.0).is_ok());
        assert!(a.set_fft_size(1000).is_err());
        assert_eq!(a.fft_size(), 2048);
        assert!(a.set_smoothing_time_constant(2.0).is_err());
        assert_eq!(a.smoothing_time_constant(), 0.8);
    }

    #[test]
    fn passes_input_through_and_records_the_mono_downmix() {
        let ts = TestScope::new(48000.0);
        let (mut a, ring) = Analyser::new(&AnalyserOptions {
            fft_size: 256,
            ..Default::default()
        });
        let mut p = AnalyserProcessor::new(ring);
        let l = signal(3 * Q);
        let r: Vec<f32> = l.iter().map(|v| 0.25 - v).collect();
        for q in 0..3 {
            let out = feed(
                &mut p,
                &ts,
                (q * Q) as u64,
                &[&l[q * Q..][..Q], &r[q * Q..][..Q]],
            );
            assert_eq!(out.number_of_channels(), 2);
            assert_eq!(out.channel(0), &l[q * Q..][..Q]);
            assert_eq!(out.channel(1), &r[q * Q..][..Q]);
        }
        // Most recent 256 frames, down-mixed 0.5 (L + R).
        let mut t = vec![9.0f32; 300];
        a.get_float_time_domain_data(&mut t);
        for k in 0..256 {
            assert_eq!(t[k], 0.5 * (l[Q + k] + r[Q + k]), "frame {k}");
        }
        assert!(t[256..].iter().all(|&v| v == 9.0), "excess is left alone");

        // Byte time-domain mapping, and a shorter array gets a prefix.
        let mut b = vec![0u8; 100];
        a.get_byte_time_domain_data(&mut b);
        for k in 0..100 {
            let x = 0.5 * (l[Q + k] + r[Q + k]) as f64;
            assert_eq!(b[k], (128.0 * (1.0 + x)).floor().clamp(0.0, 255.0) as u8);
        }
    }

    #[test]
    fn byte_time_domain_clamps() {
        let ts = TestScope::new(48000.0);
        let (mut a, ring) = Analyser::new(&AnalyserOptions {
            fft_size: 128,
            ..Default::default()
        });
        let mut p = AnalyserProcessor::new(ring);
        let mut x = [0.0f32; Q];
        x[0] = 2.0;
        x[1] = -2.0;
        x[2] = 0.99;
        x[3] = -1.0;
        feed(&mut p, &ts, 0, &[&x]);
        let mut b = [0u8; Q];
        a.get_byte_time_domain_data(&mut b);
        assert_eq!(&b[..5], &[255, 0, 254, 0, 128]);
    }

    #[test]
    fn control_state_can_move_between_threads() {
        fn is_send<T: Send>() {}
        is_send::<Analyser>();
        is_send::<Arc<AnalyserRing>>();
    }

    #[test]
    fn before_any_rendering_everything_is_silent() {
        let (mut a, _) = Analyser::new(&AnalyserOptions::default());
        let mut t = vec![1.0f32; 2048];
        a.get_float_time_domain_data(&mut t);
        assert!(t.iter().all(|&v| v == 0.0));
        let mut f = vec![0.0f32; 1024];
        a.get_float_frequency_data(&mut f);
        assert!(f.iter().all(|&v| v == f32::NEG_INFINITY));
        let mut b = vec![7u8; 1024];
        a.get_byte_frequency_data(&mut b);
        assert!(b.iter().all(|&v| v == 0));
    }

    #[test]
    fn frequency_data_matches_the_spec_with_smoothing() {
        let ts = TestScope::new(48000.0);
        let n = 512;
        let tau = 0.6;
        let (mut a, ring) = Analyser::new(&AnalyserOptions {
            fft_size: n as u32,
            smoothing_time_constant: tau,
            ..Default::default()
        });
        let mut p = AnalyserProcessor::new(ring);
        let x = signal(8 * Q);
        for q in 0..4 {
            feed(&mut p, &ts, (q * Q) as u64, &[&x[q * Q..][..Q]]);
        }
        let m1 = reference_magnitudes(&x[..n]);
        let mut f = vec![0.0f32; n / 2];
        a.get_float_frequency_data(&mut f);
        let s1: Vec<f64> = m1.iter().map(|m| (1.0 - tau) * m).collect();
        // f32 FFT against f64 DFT: compare in linear units with a bound
        // relative to the largest bin (1e-5 of full scale).
        let peak = s1.iter().cloned().fold(0.0, f64::max);
        for k in 0..n / 2 {
            let got = 10f64.powf(f[k] as f64 / 20.0);
            assert!(
                (got - s1[k]).abs() < 1e-5 * peak,
                "bin {k}: {got} vs {}",
                s1[k]
            );
        }
        // Another call in the same quantum returns the same data, unsmoothed again.
        let mut f2 = vec![0.0f32; n / 2];
        a.get_float_frequency_data(&mut f2);
        assert_eq!(f, f2);

        // Next quantum: smoothing with the previous block.
        feed(&mut p, &ts, (4 * Q) as u64, &[&x[4 * Q..][..Q]]);
        let m2 = reference_magnitudes(&x[Q..Q + n]);
        let s2: Vec<f64> = s1
            .iter()
            .zip(&m2)
            .map(|(p, m)| tau * p + (1.0 - tau) * m)
            .collect();
        let mut b = vec![0u8; n / 2 + 10];
        a.get_byte_frequency_data(&mut b);
        a.get_float_frequency_data(&mut f);
        let scale = 255.0 / (-30.0 - -100.0);
        for k in 0..n / 2 {
            let got = 10f64.powf(f[k] as f64 / 20.0);
            assert!(
                (got - s2[k]).abs() < 1e-5 * peak,
                "bin {k}: {got} vs {}",
                s2[k]
            );
            let expected = (scale * (f[k] as f64 + 100.0)).floor().clamp(0.0, 255.0) as u8;
            assert_eq!(b[k], expected, "byte bin {k}");
        }
        assert!(b[n / 2..].iter().all(|&v| v == 0));
        // The test signal spans the byte range: some bins clamp, some don't.
        assert!(b.iter().any(|&v| v > 0 && v < 255));
    }

    #[test]
    fn growing_fft_size_reaches_back_into_history() {
        let ts = TestScope::new(48000.0);
        let (mut a, ring) = Analyser::new(&AnalyserOptions {
            fft_size: 32,
            ..Default::default()
        });
        let mut p = AnalyserProcessor::new(ring);
        let quanta = 300; // 38400 frames, more than the largest fftSize
        let x: Vec<f32> = (0..quanta * Q)
            .map(|i| (i % 1000) as f32 / 1000.0)
            .collect();
        for q in 0..quanta {
            feed(&mut p, &ts, (q * Q) as u64, &[&x[q * Q..][..Q]]);
        }
        a.set_fft_size(32768).unwrap();
        let mut t = vec![0.0f32; 32768];
        a.get_float_time_domain_data(&mut t);
        assert_eq!(&t[..], &x[x.len() - 32768..]);
    }

    #[test]
    fn changing_fft_size_resets_smoothing() {
        let ts = TestScope::new(48000.0);
        let (mut a, ring) = Analyser::new(&AnalyserOptions {
            fft_size: 256,
            smoothing_time_constant: 0.9,
            ..Default::default()
        });
        let mut p = AnalyserProcessor::new(ring);
        let x = signal(4 * Q);
        for q in 0..2 {
            feed(&mut p, &ts, (q * Q) as u64, &[&x[q * Q..][..Q]]);
        }
        let mut f = vec![0.0f32; 128];
        a.get_float_frequency_data(&mut f);
        a.set_fft_size(128).unwrap();
        a.set_fft_size(256).unwrap();
        // Same quantum, but the reset forces a fresh computation from zero
        // history: the result equals the first one.
        let mut g = vec![0.0f32; 128];
        a.get_float_frequency_data(&mut g);
        assert_eq!(f, g);
    }

    #[test]
    fn reader_never_sees_a_torn_snapshot() {
        let (mut a, ring) = Analyser::new(&AnalyserOptions {
            fft_size: 32768,
            ..Default::default()
        });
        let writer_ring = ring.clone();
        let quanta = 20_000usize;
        let start = Arc::new(std::sync::Barrier::new(2));
        let writer_start = start.clone();
        let writer = std::thread::spawn(move || {
            let ts = TestScope::new(48000.0);
            writer_start.wait();
            let mut p = AnalyserProcessor::new(writer_ring);
            for q in 0..quanta {
                let mut block = [0.0f32; Q];
                for (k, v) in block.iter_mut().enumerate() {
                    // Exact in f32 (below 2^24), distinct per frame.
                    *v = ((q * Q + k) % (1 << 23)) as f32 + 1.0;
                }
                feed(&mut p, &ts, (q * Q) as u64, &[&block]);
            }
        });
        let mut t = vec![0.0f32; 32768];
        let mut checked = 0;
        start.wait();
        while !writer.is_finished() || checked == 0 {
            a.get_float_time_domain_data(&mut t);
            // Consecutive frames must be consecutive integers (after the
            // leading zeros before the first write).
            let first = t.iter().position(|&v| v != 0.0);
            if let Some(f) = first {
                for w in t[f..].windows(2) {
                    let d = w[1] - w[0];
                    assert!(
                        d == 1.0 || w[1] == 1.0,
                        "torn snapshot: {} then {}",
                        w[0],
                        w[1]
                    );
                }
            }
            checked += 1;
        }
        writer.join().unwrap();
    }
}
