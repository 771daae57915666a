//! WaveShaperNode: curve mapping per index.bs "WaveShaperNode", with 2x/4x
//! oversampling through half-band FIR resamplers designed here.
//!
//! Control side: [`WaveShaperOptions`], [`OverSampleType`], [`CurveSlot`] (the
//! `curve` attribute with its `[[curve set]]` rule), [`apply_curve`],
//! [`latency_frames`] and [`tail_time_frames`]. Render side:
//! [`WaveShaperProcessor`], driven by [`WaveShaperMessage`]. No AudioParams.
//!
//! For the control handle: `CurveSlot::new(&options)` (which validates),
//! then `WaveShaperProcessor::new(slot.get().cloned(), options.oversample)`;
//! the `curve` setter sends what `CurveSlot::set` returns, the `oversample`
//! setter `WaveShaperMessage::SetOversample`.
//!
//! Oversampling latency: the up- and down-sampling filters are linear phase,
//! so with a linear curve the output is the input delayed by exactly
//! [`latency_frames`] frames (31 for 2x, 39 for 4x). The 4x path inserts one
//! sample of delay at the 2x rate so that total is a whole number of frames,
//! and no oversampling means no latency.

use std::sync::{Arc, Mutex};

use crate::context::{Context, NodeHandle, NodeSpec};
use crate::error::Error;
use crate::message::NodeMessage;
use crate::node::NodeError;
use crate::processor::{ProcessIo, Processor, RenderScope};
use crate::{MAX_CHANNELS, RENDER_QUANTUM_SIZE};

/// The node has no AudioParams.
pub const WAVE_SHAPER_PARAMS: &[(&str, f32, f32, f32, bool)] = &[];

/// `enum OverSampleType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OverSampleType {
    #[default]
    None,
    X2,
    X4,
}

impl OverSampleType {
    /// The IDL enum string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::X2 => "2x",
            Self::X4 => "4x",
        }
    }

    /// Parses the IDL enum string (TypeError in a dictionary; the attribute
    /// setter ignores unknown values, which the caller does by discarding the
    /// error).
    pub fn parse(s: &str) -> Result<Self, NodeError> {
        match s {
            "none" => Ok(Self::None),
            "2x" => Ok(Self::X2),
            "4x" => Ok(Self::X4),
            _ => Err(NodeError::Type(format!(
                "'{s}' is not a valid OverSampleType"
            ))),
        }
    }
}

/// ```webidl
/// dictionary WaveShaperOptions : AudioNodeOptions {
///     sequence<float> curve;
///     OverSampleType oversample = "none";
/// };
/// ```
/// (The `AudioNodeOptions` members are the graph's business.)
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WaveShaperOptions {
    pub curve: Option<Vec<f32>>,
    pub oversample: OverSampleType,
}

impl WaveShaperOptions {
    /// `sequence<float>` elements must be finite (TypeError); a curve shorter
    /// than 2 is an InvalidStateError, as when setting the attribute.
    pub fn validate(&self) -> Result<(), NodeError> {
        if let Some(curve) = &self.curve {
            if curve.iter().any(|v| !v.is_finite()) {
                return Err(NodeError::Type(
                    "WaveShaperOptions.curve values must be finite".into(),
                ));
            }
            validate_curve(curve)?;
        }
        Ok(())
    }
}

/// A curve must have at least two points.
pub fn validate_curve(curve: &[f32]) -> Result<(), NodeError> {
    if curve.len() < 2 {
        return Err(NodeError::InvalidState(format!(
            "WaveShaperNode.curve must have at least 2 values, got {}",
            curve.len()
        )));
    }
    Ok(())
}

/// The control side's `curve` attribute: the internal copy and the
/// `[[curve set]]` slot.
#[derive(Debug, Clone, Default)]
pub struct CurveSlot {
    curve: Option<Arc<[f32]>>,
    curve_set: bool,
}

impl CurveSlot {
    /// The slot as the constructor leaves it (options already validated).
    pub fn new(options: &WaveShaperOptions) -> Result<Self, NodeError> {
        options.validate()?;
        let mut slot = Self::default();
        if let Some(c) = &options.curve {
            slot.set(Some(c))?;
        }
        Ok(slot)
    }

    /// The current curve (what the `curve` getter copies out).
    pub fn get(&self) -> Option<&Arc<[f32]>> {
        self.curve.as_ref()
    }

    /// The `curve` setter: copies `new_curve` and returns the message that
    /// hands the copy to the processor.
    pub fn set(&mut self, new_curve: Option<&[f32]>) -> Result<WaveShaperMessage, NodeError> {
        if let Some(c) = new_curve {
            validate_curve(c)?;
            if self.curve_set {
                return Err(NodeError::InvalidState(
                    "WaveShaperNode.curve can only be set to a non-null value once".into(),
                ));
            }
            // The copy is the script's size.
            crate::fallible::check_budget::<f32>(c.len() as u128)
                .map_err(|e| NodeError::Range(e.to_string() + " for the curve"))?;
            self.curve_set = true;
        }
        self.curve = new_curve.map(Arc::from);
        Ok(WaveShaperMessage::SetCurve(Box::new(self.curve.clone())))
    }
}

/// Control handle of a WaveShaperNode.
#[derive(Debug, Clone)]
pub struct WaveShaperNode {
    node: NodeHandle,
    state: Arc<Mutex<(CurveSlot, OverSampleType)>>,
}

impl WaveShaperNode {
    /// The constructor after WebIDL conversion (the `AudioNodeOptions`
    /// members are applied through the node's channel setters).
    pub fn new(ctx: &Context, options: &WaveShaperOptions) -> Result<Self, Error> {
        let slot = CurveSlot::new(options)?;
        let processor = WaveShaperProcessor::new(slot.get().cloned(), options.oversample);
        let spec = NodeSpec::new(1, 1, Vec::new());
        let node = ctx.create_node(spec, Box::new(processor))?;
        Ok(Self {
            node,
            state: Arc::new(Mutex::new((slot, options.oversample))),
        })
    }

    pub fn node(&self) -> &NodeHandle {
        &self.node
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (CurveSlot, OverSampleType)> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The node's internal copy of the curve (`None`: no curve).
    pub fn curve(&self) -> Option<Arc<[f32]>> {
        self.lock().0.get().cloned()
    }

    /// The `curve` setter: copies `curve`; InvalidStateError when it has
    /// fewer than 2 values or a curve was already set.
    pub fn set_curve(&self, curve: Option<&[f32]>) -> Result<(), Error> {
        let message = self.lock().0.set(curve)?;
        self.node.send(NodeMessage::WaveShaper(message));
        Ok(())
    }

    pub fn oversample(&self) -> OverSampleType {
        self.lock().1
    }

    pub fn set_oversample(&self, oversample: OverSampleType) {
        let mut state = self.lock();
        if state.1 != oversample {
            state.1 = oversample;
            self.node
                .send(NodeMessage::WaveShaper(WaveShaperMessage::SetOversample(
                    oversample,
                )));
        }
    }
}

/// The spec's curve mapping of one sample. `curve.len()` must be at least 2.
#[inline(always)]
pub fn apply_curve(curve: &[f32], x: f32) -> f32 {
    let last = curve.len() - 1;
    // f64 keeps v exact enough that inputs of exactly -1, 0 and 1 land on
    // curve points for any curve length.
    let v = last as f64 * 0.5 * (x as f64 + 1.0);
    if v < 0.0 {
        curve[0]
    } else if v >= last as f64 {
        curve[last]
    } else {
        // NaN input lands here with k = 0 and f = NaN: NaN out, no panic.
        let k = v as usize;
        let f = v - k as f64;
        ((1.0 - f) * curve[k] as f64 + f * curve[k + 1] as f64) as f32
    }
}

/// Frames by which oversampling delays the output (exact for a linear curve).
pub const fn latency_frames(oversample: OverSampleType) -> usize {
    match oversample {
        OverSampleType::None => 0,
        // Up and down filters each delay by 2*K1 - 1 samples at the 2x rate.
        OverSampleType::X2 => 2 * STAGE1_K - 1,
        // Plus the 4x stage's two filters (2*K2 - 1 at the 4x rate each) and
        // the one-sample pad at the 2x rate.
        OverSampleType::X4 => (2 * STAGE1_K - 1) + STAGE2_K,
    }
}

/// Frames the output can keep sounding after the input falls silent (with a
/// curve mapping 0 to 0): the resamplers' impulse response length.
pub const fn tail_time_frames(oversample: OverSampleType) -> usize {
    2 * latency_frames(oversample)
}

/// Half-band filter size of the 1x<->2x stage: 4*K1 - 1 taps. With the
/// Kaiser window below: flat (0.001 dB) to 0.408 of the base sample rate,
/// images and aliases from 0.592 up attenuated by at least 85 dB (checked by
/// `half_band_designs_meet_their_specs`).
const STAGE1_K: usize = 16;
/// The 2x<->4x stage only has to reject images of content already below
/// ~0.3 of the 2x rate (stopband from 0.352 of the 4x rate), so it can be
/// shorter.
const STAGE2_K: usize = 8;
/// Kaiser beta aiming at ~90 dB stopband attenuation (f32 taps reach 87-89).
const KAISER_BETA: f64 = 8.96;

/// A linear-phase half-band lowpass (cutoff at a quarter of the high rate) of
/// `4k - 1` taps, centred on tap `2k - 1` (which is 1/2). Taps at even
/// distance from the centre are zero, so only the `2k` taps at odd distance
/// (`h[0], h[2], ..., h[4k-2]`) are stored.
struct HalfBand {
    k: usize,
    /// The odd-distance taps, symmetric, summing to exactly 1/2.
    taps: Box<[f32]>,
    /// `taps * 2`: the upsampler's gain of 2 restores the level lost to
    /// zero-stuffing.
    up_taps: Box<[f32]>,
}

impl HalfBand {
    fn design(k: usize, beta: f64) -> Self {
        let n = 4 * k - 1;
        let centre = (2 * k - 1) as f64;
        let half_width = (n - 1) as f64 / 2.0;
        let mut taps: Vec<f64> = (0..2 * k)
            .map(|i| {
                let t = (2 * i) as f64 - centre; // odd
                let x = 0.5 * t * std::f64::consts::PI;
                let sinc = 0.5 * x.sin() / x;
                let r = t / half_width;
                sinc * bessel_i0(beta * (1.0 - r * r).max(0.0).sqrt()) / bessel_i0(beta)
            })
            .collect();
        // Each polyphase branch must pass DC with gain exactly 1/2 so a
        // constant survives the round trip unchanged.
        let sum: f64 = taps.iter().sum();
        for t in &mut taps {
            *t *= 0.5 / sum;
        }
        Self {
            k,
            taps: taps.iter().map(|&t| t as f32).collect(),
            up_taps: taps.iter().map(|&t| (2.0 * t) as f32).collect(),
        }
    }

    /// History an upsampler keeps (input samples).
    const fn up_history(k: usize) -> usize {
        2 * k - 1
    }

    /// Doubles the rate of `input` into `out` (`2 * input.len()`). `hist`
    /// holds the previous `2k - 1` inputs; `scratch` is at least
    /// `2k - 1 + input.len()` long.
    fn up(&self, hist: &mut [f32], scratch: &mut [f32], input: &[f32], out: &mut [f32]) {
        let h = Self::up_history(self.k);
        let n = input.len();
        let buf = &mut scratch[..h + n];
        buf[..h].copy_from_slice(hist);
        buf[h..].copy_from_slice(input);
        let delay = self.k - 1;
        for (i, pair) in out.chunks_exact_mut(2).enumerate() {
            // Symmetric taps: the window needs no reversal.
            let window = &buf[i..i + 2 * self.k];
            pair[0] = dot(&self.up_taps, window);
            // The centre tap (1/2, times the gain of 2) is a pure delay.
            pair[1] = buf[i + h - delay];
        }
        hist.copy_from_slice(&buf[n..]);
    }

    /// Halves the rate of `input` into `out` (`input.len() / 2`). `hist_even`
    /// holds the previous `2k - 1` even-phase inputs, `hist_odd` the previous
    /// `k` odd-phase ones; `scratch_even`/`scratch_odd` are at least that
    /// plus `out.len()` long.
    fn down(
        &self,
        hist_even: &mut [f32],
        hist_odd: &mut [f32],
        scratch_even: &mut [f32],
        scratch_odd: &mut [f32],
        input: &[f32],
        out: &mut [f32],
    ) {
        let (he, ho, n) = (2 * self.k - 1, self.k, out.len());
        let even = &mut scratch_even[..he + n];
        let odd = &mut scratch_odd[..ho + n];
        even[..he].copy_from_slice(hist_even);
        odd[..ho].copy_from_slice(hist_odd);
        for (i, pair) in input.chunks_exact(2).enumerate() {
            even[he + i] = pair[0];
            odd[ho + i] = pair[1];
        }
        for (m, y) in out.iter_mut().enumerate() {
            // y[m] = sum_i h[2i] v[2m - 2i] + h[centre] v[2m - (2k - 1)]
            *y = dot(&self.taps, &even[m..m + 2 * self.k]) + 0.5 * odd[m];
        }
        hist_even.copy_from_slice(&even[n..]);
        hist_odd.copy_from_slice(&odd[n..]);
    }
}

/// Four independent accumulators so the compiler can vectorise without
/// reassociating a single sum.
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 4];
    let (ac, ar) = a.split_at(a.len() / 4 * 4);
    let (bc, br) = b.split_at(ac.len());
    for (x, y) in ac.chunks_exact(4).zip(bc.chunks_exact(4)) {
        for j in 0..4 {
            acc[j] += x[j] * y[j];
        }
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (x, y) in ar.iter().zip(br) {
        s += x * y;
    }
    s
}

/// Zeroth-order modified Bessel function of the first kind (power series).
fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    let q = x * x / 4.0;
    for k in 1..200 {
        term *= q / (k * k) as f64;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

const S1_UP_HIST: usize = HalfBand::up_history(STAGE1_K);
const S2_UP_HIST: usize = HalfBand::up_history(STAGE2_K);

/// Per-channel resampler memory.
#[derive(Clone, Copy)]
struct ChannelHistory {
    up1: [f32; S1_UP_HIST],
    pad: f32,
    up2: [f32; S2_UP_HIST],
    down2_even: [f32; 2 * STAGE2_K - 1],
    down2_odd: [f32; STAGE2_K],
    down1_even: [f32; 2 * STAGE1_K - 1],
    down1_odd: [f32; STAGE1_K],
}

impl ChannelHistory {
    /// The state after endless silence: zeros before the curve, the curve's
    /// value at 0 after it. Starting from this (rather than all zeros) keeps
    /// a curve with `curve(0) != 0` from ramping up at the start.
    fn silence(curve_at_zero: f32) -> Self {
        Self {
            down2_even: [curve_at_zero; 2 * STAGE2_K - 1],
            down2_odd: [curve_at_zero; STAGE2_K],
            down1_even: [curve_at_zero; 2 * STAGE1_K - 1],
            down1_odd: [curve_at_zero; STAGE1_K],
            ..ZERO_HISTORY
        }
    }
}

const ZERO_HISTORY: ChannelHistory = ChannelHistory {
    up1: [0.0; S1_UP_HIST],
    pad: 0.0,
    up2: [0.0; S2_UP_HIST],
    down2_even: [0.0; 2 * STAGE2_K - 1],
    down2_odd: [0.0; STAGE2_K],
    down1_even: [0.0; 2 * STAGE1_K - 1],
    down1_odd: [0.0; STAGE1_K],
};

const Q2: usize = 2 * RENDER_QUANTUM_SIZE;
const Q4: usize = 4 * RENDER_QUANTUM_SIZE;
/// Room for the longest history plus the longest block any stage sees.
const SCRATCH: usize = 2 * STAGE1_K + Q4;

/// Messages to [`WaveShaperProcessor`].
#[derive(Debug, Clone, PartialEq)]
pub enum WaveShaperMessage {
    /// The `curve` attribute changed (`None`: pass-through). Boxed on the
    /// control thread so the processor can send the old curve to the garbage
    /// thread in the same box.
    SetCurve(Box<Option<Arc<[f32]>>>),
    /// The `oversample` attribute changed.
    SetOversample(OverSampleType),
}

/// The render half.
pub struct WaveShaperProcessor {
    curve: Option<Arc<[f32]>>,
    /// `apply_curve(curve, 0.0)`: what silence maps to.
    curve_at_zero: f32,
    oversample: OverSampleType,
    stage1: HalfBand,
    stage2: HalfBand,
    history: Box<[ChannelHistory; MAX_CHANNELS]>,
    /// Frames the resamplers may still output after silent input.
    tail_remaining: usize,
    /// Channel count the tail is sounding in.
    ringing_channels: usize,
    rate2: Box<[f32; Q2]>,
    rate4: Box<[f32; Q4]>,
    scratch_a: Box<[f32; SCRATCH]>,
    scratch_b: Box<[f32; SCRATCH]>,
}

impl WaveShaperProcessor {
    /// Built on the control thread (designs the filters and allocates state
    /// here). `curve` is the [`CurveSlot`]'s current curve.
    pub fn new(curve: Option<Arc<[f32]>>, oversample: OverSampleType) -> Self {
        let mut p = Self {
            curve: None,
            curve_at_zero: 0.0,
            oversample,
            stage1: HalfBand::design(STAGE1_K, KAISER_BETA),
            stage2: HalfBand::design(STAGE2_K, KAISER_BETA),
            history: Box::new([ZERO_HISTORY; MAX_CHANNELS]),
            tail_remaining: 0,
            ringing_channels: 0,
            rate2: Box::new([0.0; Q2]),
            rate4: Box::new([0.0; Q4]),
            scratch_a: Box::new([0.0; SCRATCH]),
            scratch_b: Box::new([0.0; SCRATCH]),
        };
        p.install_curve(curve);
        p.reset_history(0);
        p
    }

    /// Swaps in `curve`, returning the old one (for the caller to discard).
    fn install_curve(&mut self, curve: Option<Arc<[f32]>>) -> Option<Arc<[f32]>> {
        self.curve_at_zero = curve.as_deref().map_or(0.0, |c| apply_curve(c, 0.0));
        std::mem::replace(&mut self.curve, curve)
    }

    /// Puts the resamplers of channels `from..` into the silent state.
    fn reset_history(&mut self, from: usize) {
        let silence = ChannelHistory::silence(self.curve_at_zero);
        for h in &mut self.history[from..] {
            *h = silence;
        }
        if from == 0 {
            self.tail_remaining = 0;
        }
    }

    /// Shapes one channel at the oversampled rate.
    fn render_channel(&mut self, ch: usize, curve: &[f32], input: &[f32], out: &mut [f32]) {
        let h = &mut self.history[ch];
        match self.oversample {
            OverSampleType::None => {
                for (y, &x) in out.iter_mut().zip(input) {
                    *y = apply_curve(curve, x);
                }
            }
            OverSampleType::X2 => {
                let r2 = &mut self.rate2[..];
                self.stage1
                    .up(&mut h.up1, &mut self.scratch_a[..], input, r2);
                for v in r2.iter_mut() {
                    *v = apply_curve(curve, *v);
                }
                self.stage1.down(
                    &mut h.down1_even,
                    &mut h.down1_odd,
                    &mut self.scratch_a[..],
                    &mut self.scratch_b[..],
                    r2,
                    out,
                );
            }
            OverSampleType::X4 => {
                let r2 = &mut self.rate2[..];
                let r4 = &mut self.rate4[..];
                self.stage1
                    .up(&mut h.up1, &mut self.scratch_a[..], input, r2);
                // One sample of delay at the 2x rate makes the total latency
                // a whole number of frames.
                let last = r2[Q2 - 1];
                r2.copy_within(..Q2 - 1, 1);
                r2[0] = h.pad;
                h.pad = last;
                self.stage2.up(&mut h.up2, &mut self.scratch_a[..], r2, r4);
                for v in r4.iter_mut() {
                    *v = apply_curve(curve, *v);
                }
                self.stage2.down(
                    &mut h.down2_even,
                    &mut h.down2_odd,
                    &mut self.scratch_a[..],
                    &mut self.scratch_b[..],
                    r4,
                    r2,
                );
                self.stage1.down(
                    &mut h.down1_even,
                    &mut h.down1_odd,
                    &mut self.scratch_a[..],
                    &mut self.scratch_b[..],
                    r2,
                    out,
                );
            }
        }
    }
}

const ZERO_CHANNEL: [f32; RENDER_QUANTUM_SIZE] = [0.0; RENDER_QUANTUM_SIZE];

impl Processor for WaveShaperProcessor {
    fn process(&mut self, io: ProcessIo<'_>, _scope: &RenderScope<'_>) -> bool {
        let input = &io.inputs[0];
        let output = &mut io.outputs[0];
        let in_channels = input.number_of_channels();

        if self.curve.is_none() {
            // No curve: a wire, with no resampling and so no latency.
            output.copy_from(input);
            return false;
        }

        let silent = input.is_silent();
        if silent && self.tail_remaining == 0 {
            if self.curve_at_zero == 0.0 {
                output.make_silent_with_channels(in_channels);
                return false;
            }
            if self.oversample == OverSampleType::None {
                // Silence maps to a constant (the spec's DC note).
                output.set_number_of_channels(in_channels);
                for c in output.channels_mut() {
                    c.fill(self.curve_at_zero);
                }
                return true;
            }
        }

        // While only the tail sounds, keep the channel count it rings in.
        let channels = if silent {
            in_channels.max(self.ringing_channels)
        } else {
            in_channels
        };
        let silence = ChannelHistory::silence(self.curve_at_zero);
        for h in &mut self.history[channels..self.ringing_channels.max(channels)] {
            *h = silence;
        }
        output.set_number_of_channels(channels);
        // Moved out (and back) so `render_channel` can borrow `self` mutably;
        // no reference count changes, nothing can be freed here.
        let curve = self.curve.take();
        if let Some(curve) = curve.as_deref() {
            for ch in 0..channels {
                let x = if ch < in_channels {
                    input.channel(ch)
                } else {
                    &ZERO_CHANNEL
                };
                let y = output.channel_mut(ch);
                self.render_channel(ch, curve, x, y);
            }
        }
        self.curve = curve;

        self.ringing_channels = channels;
        if silent {
            self.tail_remaining = self.tail_remaining.saturating_sub(RENDER_QUANTUM_SIZE);
        } else {
            self.tail_remaining = tail_time_frames(self.oversample);
        }
        self.tail_remaining > 0 || self.curve_at_zero != 0.0
    }

    fn handle_message(&mut self, message: NodeMessage, scope: &RenderScope<'_>) {
        match message {
            NodeMessage::WaveShaper(WaveShaperMessage::SetCurve(mut slot)) => {
                let new = slot.take();
                // The box made on the control thread carries the old curve
                // away, so nothing is allocated or freed here.
                *slot = self.install_curve(new);
                let was_wire = slot.is_none();
                scope.discard(slot);
                if was_wire || self.curve.is_none() {
                    // A wire bypasses the resamplers: they start from silence
                    // under the new curve.
                    self.reset_history(0);
                } else {
                    // Channels not sounding hold silence under the old curve.
                    self.reset_history(self.ringing_channels);
                    // The sounding ones hold values shaped by the old curve:
                    // let them drain before any silent fast path.
                    self.tail_remaining = tail_time_frames(self.oversample);
                }
            }
            NodeMessage::WaveShaper(WaveShaperMessage::SetOversample(o))
                if o != self.oversample =>
            {
                self.oversample = o;
                // Histories of one rate mean nothing at another.
                self.reset_history(0);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::AudioBlock;
    use crate::processor::testing::TestScope;
    use std::f64::consts::PI;

    const SR: f32 = 48000.0;

    /// index.bs "WaveShaperNode" curve algorithm, transcribed.
    fn spec_curve(c: &[f32], x: f32) -> f64 {
        let n = c.len() as f64;
        let v = (n - 1.0) / 2.0 * (x as f64 + 1.0);
        let k = v.floor();
        let f = v - k;
        if v < 0.0 {
            c[0] as f64
        } else if v >= n - 1.0 {
            c[c.len() - 1] as f64
        } else {
            let k = k as usize;
            (1.0 - f) * c[k] as f64 + f * c[k + 1] as f64
        }
    }

    /// Runs `p` over `input` channels; returns outputs and each quantum's
    /// return value. All-zero quanta are sent as silent blocks.
    fn run(p: &mut WaveShaperProcessor, input: &[Vec<f32>]) -> (Vec<Vec<f32>>, Vec<bool>) {
        let ts = TestScope::new(SR);
        let mut out = vec![Vec::new(); input.len()];
        let mut alive = Vec::new();
        for q in 0..input[0].len() / RENDER_QUANTUM_SIZE {
            let r = q * RENDER_QUANTUM_SIZE..(q + 1) * RENDER_QUANTUM_SIZE;
            let mut inb = AudioBlock::new(input.len());
            if input.iter().any(|c| c[r.clone()].iter().any(|&v| v != 0.0)) {
                for (ch, c) in input.iter().enumerate() {
                    inb.channel_mut(ch).copy_from_slice(&c[r.clone()]);
                }
            }
            let mut outb = [AudioBlock::new(1)];
            alive.push(p.process(
                ProcessIo {
                    inputs: std::slice::from_ref(&inb),
                    outputs: &mut outb,
                    params: &[],
                },
                &ts.scope(r.start as u64),
            ));
            assert_eq!(outb[0].number_of_channels(), input.len());
            for (ch, o) in out.iter_mut().enumerate() {
                o.extend_from_slice(outb[0].channel(ch));
            }
        }
        (out, alive)
    }

    fn noise(n: usize, seed: u32) -> Vec<f32> {
        let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (s >> 8) as f32 / (1u32 << 23) as f32 - 1.0
            })
            .collect()
    }

    fn sines(n: usize, parts: &[(f64, f64)]) -> Vec<f32> {
        (0..n)
            .map(|i| {
                parts
                    .iter()
                    .map(|&(amp, hz)| amp * (2.0 * PI * hz * i as f64 / SR as f64 + hz / 1e3).sin())
                    .sum::<f64>() as f32
            })
            .collect()
    }

    /// Amplitude of the `hz` component over `x` (a whole number of cycles).
    fn amplitude(x: &[f32], hz: f64) -> f64 {
        let (mut re, mut im) = (0.0, 0.0);
        for (i, &v) in x.iter().enumerate() {
            let ph = 2.0 * PI * hz * i as f64 / SR as f64;
            re += v as f64 * ph.cos();
            im += v as f64 * ph.sin();
        }
        2.0 * re.hypot(im) / x.len() as f64
    }

    fn shaper(curve: Option<&[f32]>, o: OverSampleType) -> WaveShaperProcessor {
        WaveShaperProcessor::new(curve.map(Arc::from), o)
    }

    #[test]
    fn options_and_enum() {
        let o = WaveShaperOptions::default();
        assert_eq!(
            (o.curve.clone(), o.oversample),
            (None, OverSampleType::None)
        );
        assert!(o.validate().is_ok());
        for len in [0, 1] {
            let o = WaveShaperOptions {
                curve: Some(vec![0.5; len]),
                ..Default::default()
            };
            assert!(matches!(o.validate(), Err(NodeError::InvalidState(_))));
        }
        let o = WaveShaperOptions {
            curve: Some(vec![0.0, f32::NAN]),
            ..Default::default()
        };
        assert!(matches!(o.validate(), Err(NodeError::Type(_))));
        for t in [OverSampleType::None, OverSampleType::X2, OverSampleType::X4] {
            assert_eq!(OverSampleType::parse(t.as_str()), Ok(t));
        }
        assert!(matches!(
            OverSampleType::parse("8x"),
            Err(NodeError::Type(_))
        ));
        assert!(WAVE_SHAPER_PARAMS.is_empty());
    }

    #[test]
    fn curve_slot_follows_curve_set_rule() {
        // Set through the constructor: no second non-null curve.
        let mut s = CurveSlot::new(&WaveShaperOptions {
            curve: Some(vec![1.0, 2.0, 3.0]),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(s.get().map(|c| &c[..]), Some(&[1.0, 2.0, 3.0][..]));
        assert!(matches!(
            s.set(Some(&[0.0, 1.0])),
            Err(NodeError::InvalidState(_))
        ));
        // Null is always allowed, but does not reset [[curve set]].
        assert!(matches!(s.set(None), Ok(WaveShaperMessage::SetCurve(b)) if b.is_none()));
        assert!(s.get().is_none());
        assert!(matches!(
            s.set(Some(&[0.0, 1.0])),
            Err(NodeError::InvalidState(_))
        ));

        let mut s = CurveSlot::new(&WaveShaperOptions::default()).unwrap();
        assert!(matches!(
            s.set(Some(&[1.0])),
            Err(NodeError::InvalidState(_))
        ));
        let mut src = vec![-1.0, 0.0, 1.0];
        let msg = s.set(Some(&src)).unwrap();
        // The slot and the message hold a copy.
        src[0] = 9.0;
        assert_eq!(&s.get().unwrap()[..], &[-1.0, 0.0, 1.0]);
        let WaveShaperMessage::SetCurve(b) = msg else {
            panic!()
        };
        assert_eq!(b.as_deref(), Some(&[-1.0, 0.0, 1.0][..]));
        assert!(matches!(
            s.set(Some(&[0.0, 1.0])),
            Err(NodeError::InvalidState(_))
        ));
    }

    #[test]
    fn curve_mapping_matches_spec_and_wpt_cases() {
        let c3 = [2.0, -3.0, 4.0];
        assert_eq!(
            [-1.0, 0.0, 1.0].map(|x| apply_curve(&c3, x)),
            [2.0, -3.0, 4.0]
        );
        assert_eq!(
            [-0.5, 0.5, 0.75].map(|x| apply_curve(&c3, x)),
            [-0.5, 0.5, 2.25]
        );
        assert_eq!([-1.5, 1.5].map(|x| apply_curve(&c3, x)), [2.0, 4.0]);
        assert_eq!(
            [-1.0, 0.0, 1.0].map(|x| apply_curve(&[2.0, -2.0], x)),
            [2.0, 0.0, -2.0]
        );
        assert_eq!(
            [-1.0, 0.0, 1.0].map(|x| apply_curve(&[1.0, 2.0, 4.0, 7.0], x)),
            [1.0, 3.0, 7.0]
        );
        let big: Vec<f32> = (0..=60000).map(|i| i as f32 / 3.5435).collect();
        assert_eq!(
            [-1.0, 0.0, 1.0].map(|x| apply_curve(&big, x)),
            [big[0], big[30000], big[60000]]
        );
        assert!(apply_curve(&c3, f32::NAN).is_nan());
        assert_eq!(apply_curve(&c3, f32::INFINITY), 4.0);
        assert_eq!(apply_curve(&c3, f32::NEG_INFINITY), 2.0);
        // Dense sweep against the transcribed algorithm: both evaluate it
        // in f64 and round once, so they agree exactly.
        let curve = noise(37, 3);
        for i in 0..=10000 {
            let x = -1.2 + 2.4 * i as f32 / 10000.0;
            assert_eq!(
                apply_curve(&curve, x),
                spec_curve(&curve, x) as f32,
                "x={x}"
            );
        }
    }

    #[test]
    fn no_oversampling_applies_the_curve_per_sample() {
        let len = 3 * RENDER_QUANTUM_SIZE;
        let input = vec![
            noise(len, 1).iter().map(|v| v * 1.3).collect(),
            noise(len, 2),
        ];
        let mut curve = noise(9, 5);
        curve[4] = 0.0;
        let (out, alive) = run(&mut shaper(Some(&curve), OverSampleType::None), &input);
        assert!(
            alive.iter().all(|&a| !a),
            "curve(0) = 0 and no resampler: no tail"
        );
        for ch in 0..2 {
            for (i, (&y, &x)) in out[ch].iter().zip(&input[ch]).enumerate() {
                assert_eq!(y, spec_curve(&curve, x) as f32, "ch{ch} frame {i}");
            }
        }
    }

    #[test]
    fn null_curve_is_a_wire_at_any_oversampling() {
        let len = 2 * RENDER_QUANTUM_SIZE;
        let input = vec![noise(len, 8).iter().map(|v| v * 3.0).collect::<Vec<_>>()];
        for o in [OverSampleType::None, OverSampleType::X2, OverSampleType::X4] {
            let (out, alive) = run(&mut shaper(None, o), &input);
            assert_eq!(out[0], input[0]);
            assert!(alive.iter().all(|&a| !a));
        }
    }

    #[test]
    fn oversampling_latency_is_a_whole_number_of_frames() {
        assert_eq!(latency_frames(OverSampleType::None), 0);
        let len = 16 * RENDER_QUANTUM_SIZE;
        // Band-limited: everything below 0.4 * sample rate.
        let x = sines(
            len,
            &[(0.3, 440.0), (0.2, 5100.0), (0.2, 17000.0), (0.1, 19000.0)],
        );
        let identity = [-1.0, 1.0];
        for o in [OverSampleType::X2, OverSampleType::X4] {
            let lat = latency_frames(o);
            let (out, _) = run(&mut shaper(Some(&identity), o), std::slice::from_ref(&x));
            // Passband ripple and f32 rounding only.
            let err = (lat + 256..len)
                .map(|n| (out[0][n] - x[n - lat]).abs())
                .fold(0.0f32, f32::max);
            assert!(err < 2e-4, "{o:?}: delayed by {lat}: error {err}");
            // One frame off is far worse: the latency really is `lat`.
            let off = (lat + 256..len)
                .map(|n| (out[0][n] - x[n - lat - 1]).abs())
                .fold(0.0f32, f32::max);
            assert!(off > 0.1, "{o:?}");
        }
    }

    #[test]
    fn oversampled_dc_passes_at_unity_gain() {
        let len = 4 * RENDER_QUANTUM_SIZE;
        let x = vec![vec![0.5f32; len]];
        for o in [OverSampleType::X2, OverSampleType::X4] {
            let (out, _) = run(&mut shaper(Some(&[-1.0, 1.0]), o), &x);
            for &y in &out[0][2 * RENDER_QUANTUM_SIZE..] {
                assert!((y - 0.5).abs() < 1e-6, "{o:?}: {y}");
            }
        }
    }

    #[test]
    fn oversampling_suppresses_aliasing() {
        // y = x^3 on a 10 kHz sine makes a 30 kHz harmonic, which aliases to
        // 18 kHz at 48 kHz. sin^3 = (3 sin(wt) - sin(3wt)) / 4.
        let curve: Vec<f32> = (0..4097)
            .map(|i| {
                let x = -1.0 + 2.0 * i as f64 / 4096.0;
                (x * x * x) as f32
            })
            .collect();
        let len = 48 * RENDER_QUANTUM_SIZE;
        let x: Vec<f32> = (0..len)
            .map(|i| (2.0 * PI * 10000.0 * i as f64 / SR as f64).sin() as f32)
            .collect();
        // 4800 frames: whole cycles of both 10 kHz and 18 kHz.
        let window = 1024..1024 + 4800;
        let alias = |o| {
            let (out, _) = run(&mut shaper(Some(&curve), o), std::slice::from_ref(&x));
            let w = &out[0][window.clone()];
            (amplitude(w, 10000.0), amplitude(w, 18000.0))
        };
        let (f, a) = alias(OverSampleType::None);
        assert!(
            (f - 0.75).abs() < 1e-3 && (a - 0.25).abs() < 1e-3,
            "none: {f} {a}"
        );
        for o in [OverSampleType::X2, OverSampleType::X4] {
            let (f, a) = alias(o);
            assert!((f - 0.75).abs() < 1e-3, "{o:?}: fundamental {f}");
            // At least 80 dB below the fundamental.
            assert!(a < 0.75e-4, "{o:?}: alias {a}");
        }
    }

    #[test]
    fn tail_drains_then_stops() {
        let q = RENDER_QUANTUM_SIZE;
        let mut x = vec![0.0f32; 6 * q];
        x[q - 1] = 0.9;
        for o in [OverSampleType::X2, OverSampleType::X4] {
            let (out, alive) = run(&mut shaper(Some(&[-1.0, 1.0]), o), std::slice::from_ref(&x));
            // Alive while the impulse is still inside the resamplers.
            assert_eq!(&alive[..3], &[true, false, false], "{o:?}");
            let lat = latency_frames(o);
            // The (band-limited) impulse peaks `lat` frames later, in the
            // silent quantum.
            let peak = (0..out[0].len())
                .max_by(|&i, &j| out[0][i].abs().total_cmp(&out[0][j].abs()))
                .unwrap();
            assert_eq!(peak, q - 1 + lat, "{o:?}");
            assert!(out[0][peak] > 0.5, "{o:?}");
            let last_nonzero = out[0].iter().rposition(|&v| v != 0.0).unwrap();
            assert!(
                last_nonzero < q + tail_time_frames(o),
                "{o:?}: {last_nonzero}"
            );
            assert!(out[0][2 * q..].iter().all(|&v| v == 0.0));
        }
    }

    #[test]
    fn silence_through_a_curve_not_through_zero_is_dc() {
        let curve = [0.25, 0.75, 0.5];
        let (out, alive) = run(
            &mut shaper(Some(&curve), OverSampleType::None),
            &[vec![0.0; 256]],
        );
        assert!(out[0].iter().all(|&v| v == 0.75));
        assert!(alive.iter().all(|&a| a));
        for o in [OverSampleType::X2, OverSampleType::X4] {
            // From the very first frame: the resamplers start in the state
            // silence leaves them in.
            let (out, alive) = run(&mut shaper(Some(&curve), o), &[vec![0.0; 512]]);
            assert!(out[0].iter().all(|&v| (v - 0.75).abs() < 1e-6), "{o:?}");
            assert!(alive.iter().all(|&a| a));
        }
        // A curve arriving while the node is a wire starts from silence too.
        let ts = TestScope::new(SR);
        let mut p = shaper(None, OverSampleType::X2);
        let mut slot = CurveSlot::default();
        p.handle_message(
            NodeMessage::WaveShaper(slot.set(Some(&curve)).unwrap()),
            &ts.scope(0),
        );
        let (out, _) = run(&mut p, &[vec![0.0; 256]]);
        assert!(out[0].iter().all(|&v| (v - 0.75).abs() < 1e-6));
    }

    #[test]
    fn oversampled_channels_are_independent() {
        let len = 3 * RENDER_QUANTUM_SIZE;
        let a = noise(len, 11);
        let b = noise(len, 12);
        let curve = noise(17, 13);
        let (both, _) = run(
            &mut shaper(Some(&curve), OverSampleType::X4),
            &[a.clone(), b.clone()],
        );
        let (only_b, _) = run(&mut shaper(Some(&curve), OverSampleType::X4), &[b]);
        let (only_a, _) = run(&mut shaper(Some(&curve), OverSampleType::X4), &[a]);
        assert_eq!(both[0], only_a[0]);
        assert_eq!(both[1], only_b[0]);
    }

    #[test]
    fn messages_swap_curve_and_oversampling() {
        let ts = TestScope::new(SR);
        let q = RENDER_QUANTUM_SIZE;
        let x = noise(q, 21);
        let mut p = shaper(Some(&[-1.0, 1.0]), OverSampleType::None);
        let (first, _) = run(&mut p, std::slice::from_ref(&x));
        assert_eq!(first[0], x);
        let mut slot = CurveSlot::default();
        let msg = slot.set(Some(&[1.0, -1.0])).unwrap();
        p.handle_message(NodeMessage::WaveShaper(msg), &ts.scope(q as u64));
        // The old curve went to the garbage thread, in the message's box.
        let trash = ts.garbage.pop().expect("old curve discarded");
        let old = trash.downcast::<Option<Arc<[f32]>>>().unwrap();
        assert_eq!(old.as_deref(), Some(&[-1.0, 1.0][..]));
        let (second, _) = run(&mut p, std::slice::from_ref(&x));
        let negated: Vec<f32> = x.iter().map(|v| -v).collect();
        assert_eq!(second[0], negated);

        // Switching oversampling restarts from clean resampler state.
        p.handle_message(
            NodeMessage::WaveShaper(WaveShaperMessage::SetOversample(OverSampleType::X2)),
            &ts.scope(2 * q as u64),
        );
        let (third, _) = run(&mut p, std::slice::from_ref(&x));
        let (fresh, _) = run(&mut shaper(Some(&[1.0, -1.0]), OverSampleType::X2), &[x]);
        assert_eq!(third[0], fresh[0]);
    }

    #[test]
    fn render_path_does_not_allocate_or_free() {
        let ts = TestScope::new(SR);
        let mut p = shaper(Some(&[-1.0, 0.0, 0.5]), OverSampleType::None);
        let mut loud = AudioBlock::new(MAX_CHANNELS);
        for ch in 0..MAX_CHANNELS {
            loud.channel_mut(ch)
                .copy_from_slice(&noise(RENDER_QUANTUM_SIZE, ch as u32));
        }
        let silent = AudioBlock::new(1);
        let mut out = [AudioBlock::new(1)];
        // Messages are built on the control thread.
        let mut slot = CurveSlot::default();
        let messages = vec![
            NodeMessage::WaveShaper(WaveShaperMessage::SetOversample(OverSampleType::X2)),
            NodeMessage::WaveShaper(WaveShaperMessage::SetOversample(OverSampleType::X4)),
            NodeMessage::WaveShaper(slot.set(Some(&[1.0, 0.0, -1.0])).unwrap()),
            NodeMessage::WaveShaper(slot.set(None).unwrap()),
        ];
        // Iterated by reference so the Vec is freed outside the count.
        let mut messages = messages.into_iter();
        let ((), n) = crate::node::alloc_count::count(|| {
            for m in &mut messages {
                for input in [&loud, &silent] {
                    p.process(
                        ProcessIo {
                            inputs: std::slice::from_ref(input),
                            outputs: &mut out,
                            params: &[],
                        },
                        &ts.scope(0),
                    );
                }
                p.handle_message(m, &ts.scope(0));
            }
        });
        assert_eq!(n, 0);
        // Both replaced curves went to the garbage queue.
        assert_eq!(ts.garbage.len(), 2);
    }

    /// |H(f)| in dB of a designed half-band, f in cycles per high-rate sample.
    fn half_band_db(hb: &HalfBand, f: f64) -> f64 {
        let centre = (2 * hb.k - 1) as f64;
        let (mut re, mut im) = (0.5, 0.0); // the centre tap, at zero phase
        for (i, &t) in hb.taps.iter().enumerate() {
            let w = 2.0 * PI * f * ((2 * i) as f64 - centre);
            re += t as f64 * w.cos();
            im -= t as f64 * w.sin();
        }
        20.0 * re.hypot(im).log10()
    }

    #[test]
    fn half_band_designs_meet_their_specs() {
        // Stage 1 (1x <-> 2x): flat to 0.204 of the 2x rate (0.408 of the
        // sample rate), at least 85 dB down from 0.296.
        let s1 = HalfBand::design(STAGE1_K, KAISER_BETA);
        // Stage 2 (2x <-> 4x): only content below 0.148 of the 4x rate
        // reaches it, so its stopband starts at 0.352.
        let s2 = HalfBand::design(STAGE2_K, KAISER_BETA);
        for (hb, pass, stop) in [(&s1, 0.204, 0.296), (&s2, 0.148, 0.352)] {
            let mut worst_pass = 0.0f64;
            let mut worst_stop = f64::NEG_INFINITY;
            for i in 0..=1000 {
                let f = 0.5 * i as f64 / 1000.0;
                let db = half_band_db(hb, f);
                if f <= pass {
                    worst_pass = worst_pass.max(db.abs());
                } else if f >= stop {
                    worst_stop = worst_stop.max(db);
                }
            }
            assert!(
                worst_pass < 1e-3,
                "k={}: passband ripple {worst_pass} dB",
                hb.k
            );
            assert!(worst_stop < -85.0, "k={}: stopband {worst_stop} dB", hb.k);
            // Exactly half-band: -6.02 dB at a quarter of the rate.
            assert!((half_band_db(hb, 0.25) + 6.0206).abs() < 1e-3);
        }
    }

    #[test]
    fn control_handle_curve_set_once_and_oversample() {
        let ctx = crate::Context::new_offline(crate::OfflineOptions {
            number_of_channels: 1,
            length: 128,
            sample_rate: 48000.0,
        })
        .unwrap();
        let node = WaveShaperNode::new(&ctx, &WaveShaperOptions::default()).unwrap();
        assert!(node.curve().is_none());
        assert_eq!(node.oversample(), OverSampleType::None);
        assert!(matches!(
            node.set_curve(Some(&[1.0])),
            Err(Error::InvalidState(_))
        ));
        node.set_curve(Some(&[0.0, 1.0, 0.5])).unwrap();
        assert_eq!(node.curve().as_deref(), Some(&[0.0, 1.0, 0.5][..]));
        assert!(matches!(
            node.set_curve(Some(&[0.0, 1.0])),
            Err(Error::InvalidState(_))
        ));
        node.set_curve(None).unwrap();
        assert!(node.curve().is_none());
        assert!(matches!(
            node.set_curve(Some(&[0.0, 1.0])),
            Err(Error::InvalidState(_))
        ));
        node.set_oversample(OverSampleType::X2);
        assert_eq!(node.oversample(), OverSampleType::X2);
        let with_curve = WaveShaperNode::new(
            &ctx,
            &WaveShaperOptions {
                curve: Some(vec![1.0, 2.0]),
                oversample: OverSampleType::X4,
            },
        )
        .unwrap();
        assert_eq!(with_curve.oversample(), OverSampleType::X4);
        assert!(matches!(
            with_curve.set_curve(Some(&[0.0, 1.0])),
            Err(Error::InvalidState(_))
        ));
    }
}
