//! BiquadFilterNode: the spec's eight second-order filters (index.bs
//! "BiquadFilterNode", "Filters Characteristics").
//!
//! Control side: [`BiquadFilterOptions`], [`BiquadFilterType`],
//! [`biquad_coefficients`] and [`get_frequency_response`].
//! Render side: [`BiquadFilterProcessor`], driven by [`BiquadFilterMessage`].
//!
//! Params, in `io.params` order: `[0]` frequency, `[1]` detune, `[2]` Q,
//! `[3]` gain (see [`BIQUAD_FILTER_PARAMS`]); all four are a-rate.
//!
//! For the control handle: `options.validate()`, then
//! `BiquadFilterProcessor::new(&options, sample_rate)` with the four params
//! made from [`biquad_filter_params`] (initial values from the options);
//! the `type` setter sends `BiquadFilterMessage::SetType`;
//! `getFrequencyResponse` calls [`get_frequency_response`] with the params'
//! current values.
//!
//! The processor keeps the tail's channel count while the input is silent,
//! reports the tail through `process`'s return value (it ends once the
//! state is below -180 dBFS) and sends `EngineEvent::FilterStateNotFinite`
//! once if the state stops being finite.

use std::sync::{Arc, Mutex};

use crate::block::AudioBlock;
use crate::context::{Context, NodeHandle, NodeSpec, ParamHandle};
use crate::error::Error;
use crate::message::{EngineEvent, NodeMessage};
use crate::node::NodeError;
use crate::param::{AutomationRate, ParamDescriptor};
use crate::processor::{ParamBlock, ProcessIo, Processor, RenderScope};
use crate::{MAX_CHANNELS, RENDER_QUANTUM_SIZE};

/// `enum BiquadFilterType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BiquadFilterType {
    #[default]
    Lowpass,
    Highpass,
    Bandpass,
    Lowshelf,
    Highshelf,
    Peaking,
    Notch,
    Allpass,
}

impl BiquadFilterType {
    /// The IDL enum string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lowpass => "lowpass",
            Self::Highpass => "highpass",
            Self::Bandpass => "bandpass",
            Self::Lowshelf => "lowshelf",
            Self::Highshelf => "highshelf",
            Self::Peaking => "peaking",
            Self::Notch => "notch",
            Self::Allpass => "allpass",
        }
    }

    /// Parses the IDL enum string. WebIDL makes an unknown value a TypeError
    /// in a dictionary; the `type` attribute setter instead ignores it, which
    /// the caller does by discarding the error.
    pub fn parse(s: &str) -> Result<Self, NodeError> {
        Ok(match s {
            "lowpass" => Self::Lowpass,
            "highpass" => Self::Highpass,
            "bandpass" => Self::Bandpass,
            "lowshelf" => Self::Lowshelf,
            "highshelf" => Self::Highshelf,
            "peaking" => Self::Peaking,
            "notch" => Self::Notch,
            "allpass" => Self::Allpass,
            _ => {
                return Err(NodeError::Type(format!(
                    "'{s}' is not a valid BiquadFilterType"
                )));
            }
        })
    }
}

/// ```webidl
/// dictionary BiquadFilterOptions : AudioNodeOptions {
///     BiquadFilterType type = "lowpass";
///     float Q = 1;
///     float detune = 0;
///     float frequency = 350;
///     float gain = 0;
/// };
/// ```
/// (The `AudioNodeOptions` members are the graph's business.)
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BiquadFilterOptions {
    pub type_: BiquadFilterType,
    pub q: f32,
    pub detune: f32,
    pub frequency: f32,
    pub gain: f32,
}

impl Default for BiquadFilterOptions {
    fn default() -> Self {
        Self {
            type_: BiquadFilterType::Lowpass,
            q: 1.0,
            detune: 0.0,
            frequency: 350.0,
            gain: 0.0,
        }
    }
}

impl BiquadFilterOptions {
    /// The members are IDL `float` (not `unrestricted float`), so a
    /// non-finite value is a TypeError. The constructor throws nothing else of
    /// its own.
    pub fn validate(&self) -> Result<(), NodeError> {
        for (name, v) in [
            ("Q", self.q),
            ("detune", self.detune),
            ("frequency", self.frequency),
            ("gain", self.gain),
        ] {
            if !v.is_finite() {
                return Err(NodeError::Type(format!(
                    "BiquadFilterOptions.{name} must be finite"
                )));
            }
        }
        Ok(())
    }
}

/// Stand-in for "the Nyquist frequency" as `frequency`'s max in
/// [`BIQUAD_FILTER_PARAMS`]: the real bound depends on the context's sample
/// rate, see [`biquad_filter_params`].
pub const NYQUIST_PLACEHOLDER: f32 = f32::INFINITY;

/// `1200 * log2(FLT_MAX)`, rounded to f32: detune's nominal bound.
const DETUNE_LIMIT: f32 = 153_600.0;
/// `40 * log10(FLT_MAX)`: gain's nominal max.
const GAIN_MAX: f32 = 1_541.273_6;

/// `(name, default, min, max, a-rate)` for each AudioParam, in `io.params`
/// order. `frequency`'s max is [`NYQUIST_PLACEHOLDER`].
pub const BIQUAD_FILTER_PARAMS: &[(&str, f32, f32, f32, bool)] = &[
    ("frequency", 350.0, 0.0, NYQUIST_PLACEHOLDER, true),
    ("detune", 0.0, -DETUNE_LIMIT, DETUNE_LIMIT, true),
    ("Q", 1.0, f32::MIN, f32::MAX, true),
    ("gain", 0.0, f32::MIN, GAIN_MAX, true),
];

/// [`BIQUAD_FILTER_PARAMS`] with the Nyquist frequency filled in.
pub fn biquad_filter_params(sample_rate: f32) -> [(&'static str, f32, f32, f32, bool); 4] {
    let mut t = [BIQUAD_FILTER_PARAMS[0]; 4];
    t.copy_from_slice(BIQUAD_FILTER_PARAMS);
    t[0].3 = sample_rate / 2.0;
    t
}

/// `computedFrequency = frequency * 2^(detune / 1200)`, clamped to its
/// nominal range [0, Nyquist]. NaN maps to 0 so it can never reach the
/// coefficients.
#[inline]
pub fn computed_frequency(frequency: f32, detune: f32, sample_rate: f32) -> f64 {
    let f = if detune == 0.0 {
        frequency as f64
    } else {
        frequency as f64 * (detune as f64 / 1200.0).exp2()
    };
    let nyquist = sample_rate as f64 / 2.0;
    if f > nyquist {
        nyquist
    } else if f >= 0.0 {
        f
    } else {
        0.0
    }
}

/// The transfer function's coefficients divided by `a0` (so `a0` is 1):
/// `H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BiquadCoefficients {
    pub b0: f64,
    pub b1: f64,
    pub b2: f64,
    pub a1: f64,
    pub a2: f64,
}

impl BiquadCoefficients {
    /// `H(z) = k`.
    pub const fn gain(k: f64) -> Self {
        Self {
            b0: k,
            b1: 0.0,
            b2: 0.0,
            a1: 0.0,
            a2: 0.0,
        }
    }

    fn normalized(b0: f64, b1: f64, b2: f64, a0: f64, a1: f64, a2: f64) -> Self {
        let s = 1.0 / a0;
        Self {
            b0: b0 * s,
            b1: b1 * s,
            b2: b2 * s,
            a1: a1 * s,
            a2: a2 * s,
        }
    }

    /// `H(e^{jw})` as `(re, im)`.
    pub fn response(&self, w: f64) -> (f64, f64) {
        // z^-1 = e^{-jw}, z^-2 = e^{-2jw}
        let (s1, c1) = w.sin_cos();
        let (s2, c2) = (2.0 * w).sin_cos();
        let nr = self.b0 + self.b1 * c1 + self.b2 * c2;
        let ni = -(self.b1 * s1 + self.b2 * s2);
        let dr = 1.0 + self.a1 * c1 + self.a2 * c2;
        let di = -(self.a1 * s1 + self.a2 * s2);
        let d = dr * dr + di * di;
        ((nr * dr + ni * di) / d, (ni * dr - nr * di) / d)
    }
}

/// The spec's coefficient formulas for `filter_type` at `computed_freq` Hz
/// (already clamped to [0, Nyquist], see [`computed_frequency`]), `q` and
/// `gain` (dB).
///
/// Where a formula divides by zero (computed frequency at 0 or Nyquist, Q of
/// 0 for the linear-Q types) the coefficients are the limit of the transfer
/// function, so the filter stays finite and continuous under automation.
pub fn biquad_coefficients(
    filter_type: BiquadFilterType,
    computed_freq: f64,
    q: f64,
    gain: f64,
    sample_rate: f64,
) -> BiquadCoefficients {
    coefficients_with(
        filter_type,
        computed_freq,
        q,
        shelf_amplitude(gain),
        resonance(q),
        sample_rate,
    )
}

/// The spec's `A = 10^(G/40)`.
#[inline]
fn shelf_amplitude(gain: f64) -> f64 {
    10f64.powf(gain / 40.0)
}

/// `10^(Q/20)`: Q in dB, as lowpass and highpass read it.
#[inline]
fn resonance(q: f64) -> f64 {
    10f64.powf(q / 20.0)
}

/// [`biquad_coefficients`] with the two pows precomputed (`a` from the gain,
/// `resonance` from Q), so the render side can reuse them while only the
/// frequency moves.
fn coefficients_with(
    filter_type: BiquadFilterType,
    computed_freq: f64,
    q: f64,
    a: f64,
    resonance: f64,
    sample_rate: f64,
) -> BiquadCoefficients {
    use BiquadFilterType::*;
    // Normalised so Nyquist is 1; the edge cases are decided on it.
    let f = computed_freq / (sample_rate / 2.0);
    let interior = f > 0.0 && f < 1.0;
    let w0 = 2.0 * std::f64::consts::PI * computed_freq / sample_rate;
    let (sin_w0, cos_w0) = w0.sin_cos();
    let c = BiquadCoefficients::normalized;
    match filter_type {
        Lowpass => {
            if f >= 1.0 {
                // Zeros and poles cancel at z = -1: the filter is a wire.
                BiquadCoefficients::gain(1.0)
            } else if f <= 0.0 {
                BiquadCoefficients::gain(0.0)
            } else {
                let alpha = sin_w0 / (2.0 * resonance);
                if alpha.is_infinite() {
                    return BiquadCoefficients::gain(0.0);
                }
                let b1 = 1.0 - cos_w0;
                c(
                    b1 / 2.0,
                    b1,
                    b1 / 2.0,
                    1.0 + alpha,
                    -2.0 * cos_w0,
                    1.0 - alpha,
                )
            }
        }
        Highpass => {
            if f >= 1.0 {
                BiquadCoefficients::gain(0.0)
            } else if f <= 0.0 {
                // Zeros and poles cancel at z = 1.
                BiquadCoefficients::gain(1.0)
            } else {
                let alpha = sin_w0 / (2.0 * resonance);
                if alpha.is_infinite() {
                    return BiquadCoefficients::gain(0.0);
                }
                let b0 = (1.0 + cos_w0) / 2.0;
                c(
                    b0,
                    -(1.0 + cos_w0),
                    b0,
                    1.0 + alpha,
                    -2.0 * cos_w0,
                    1.0 - alpha,
                )
            }
        }
        Bandpass => {
            if !interior {
                BiquadCoefficients::gain(0.0)
            } else if q > 0.0 {
                let alpha = sin_w0 / (2.0 * q);
                c(alpha, 0.0, -alpha, 1.0 + alpha, -2.0 * cos_w0, 1.0 - alpha)
            } else {
                // Limit as Q -> 0.
                BiquadCoefficients::gain(1.0)
            }
        }
        Notch => {
            if !interior {
                BiquadCoefficients::gain(1.0)
            } else if q > 0.0 {
                let alpha = sin_w0 / (2.0 * q);
                c(
                    1.0,
                    -2.0 * cos_w0,
                    1.0,
                    1.0 + alpha,
                    -2.0 * cos_w0,
                    1.0 - alpha,
                )
            } else {
                BiquadCoefficients::gain(0.0)
            }
        }
        Allpass => {
            if !interior {
                BiquadCoefficients::gain(1.0)
            } else if q > 0.0 {
                let alpha = sin_w0 / (2.0 * q);
                c(
                    1.0 - alpha,
                    -2.0 * cos_w0,
                    1.0 + alpha,
                    1.0 + alpha,
                    -2.0 * cos_w0,
                    1.0 - alpha,
                )
            } else {
                BiquadCoefficients::gain(-1.0)
            }
        }
        Peaking => {
            if !interior {
                BiquadCoefficients::gain(1.0)
            } else if q > 0.0 {
                let alpha = sin_w0 / (2.0 * q);
                c(
                    1.0 + alpha * a,
                    -2.0 * cos_w0,
                    1.0 - alpha * a,
                    1.0 + alpha / a,
                    -2.0 * cos_w0,
                    1.0 - alpha / a,
                )
            } else {
                BiquadCoefficients::gain(a * a)
            }
        }
        Lowshelf => {
            if f >= 1.0 {
                BiquadCoefficients::gain(a * a)
            } else if f <= 0.0 {
                BiquadCoefficients::gain(1.0)
            } else {
                let k = 2.0 * alpha_s(sin_w0) * a.sqrt();
                let (ap1, am1) = (a + 1.0, a - 1.0);
                c(
                    a * (ap1 - am1 * cos_w0 + k),
                    2.0 * a * (am1 - ap1 * cos_w0),
                    a * (ap1 - am1 * cos_w0 - k),
                    ap1 + am1 * cos_w0 + k,
                    -2.0 * (am1 + ap1 * cos_w0),
                    ap1 + am1 * cos_w0 - k,
                )
            }
        }
        Highshelf => {
            if f >= 1.0 {
                BiquadCoefficients::gain(1.0)
            } else if f <= 0.0 {
                BiquadCoefficients::gain(a * a)
            } else {
                let k = 2.0 * alpha_s(sin_w0) * a.sqrt();
                let (ap1, am1) = (a + 1.0, a - 1.0);
                c(
                    a * (ap1 + am1 * cos_w0 + k),
                    -2.0 * a * (am1 + ap1 * cos_w0),
                    a * (ap1 + am1 * cos_w0 - k),
                    ap1 - am1 * cos_w0 + k,
                    2.0 * (am1 - ap1 * cos_w0),
                    ap1 - am1 * cos_w0 - k,
                )
            }
        }
    }
}

/// The spec's `alpha_S` with its fixed shelf slope `S = 1`, where the
/// `(A + 1/A)(1/S - 1)` term vanishes. Simplifying here (rather than
/// evaluating the product) keeps huge gains, where `A + 1/A` is infinite,
/// from turning `inf * 0` into NaN.
#[inline]
fn alpha_s(sin_w0: f64) -> f64 {
    sin_w0 / 2.0 * std::f64::consts::SQRT_2
}

/// Checks the three arrays of `getFrequencyResponse` have the same length.
pub(crate) fn check_response_lengths(
    frequency_hz: &[f32],
    mag_response: &[f32],
    phase_response: &[f32],
) -> Result<(), NodeError> {
    if mag_response.len() != frequency_hz.len() || phase_response.len() != frequency_hz.len() {
        return Err(NodeError::InvalidAccess(format!(
            "getFrequencyResponse: frequencyHz, magResponse and phaseResponse must have the \
             same length (got {}, {} and {})",
            frequency_hz.len(),
            mag_response.len(),
            phase_response.len()
        )));
    }
    Ok(())
}

/// `getFrequencyResponse()` for the given values of the params (the caller
/// passes their `[[current value]]`s). Frequencies outside [0, Nyquist] (and
/// NaN) give NaN magnitude and phase.
#[allow(clippy::too_many_arguments)]
pub fn get_frequency_response(
    filter_type: BiquadFilterType,
    frequency: f32,
    detune: f32,
    q: f32,
    gain: f32,
    sample_rate: f32,
    frequency_hz: &[f32],
    mag_response: &mut [f32],
    phase_response: &mut [f32],
) -> Result<(), NodeError> {
    check_response_lengths(frequency_hz, mag_response, phase_response)?;
    let coef = biquad_coefficients(
        filter_type,
        computed_frequency(frequency, detune, sample_rate),
        q as f64,
        gain as f64,
        sample_rate as f64,
    );
    let nyquist = sample_rate as f64 / 2.0;
    for ((&hz, mag), phase) in frequency_hz
        .iter()
        .zip(mag_response.iter_mut())
        .zip(phase_response.iter_mut())
    {
        let hz = hz as f64;
        if (0.0..=nyquist).contains(&hz) {
            let (re, im) = coef.response(std::f64::consts::PI * hz / nyquist);
            *mag = re.hypot(im) as f32;
            *phase = im.atan2(re) as f32;
        } else {
            *mag = f32::NAN;
            *phase = f32::NAN;
        }
    }
    Ok(())
}

/// The four AudioParams of a node in a context running at `sample_rate`.
fn param_descriptors(sample_rate: f32) -> Vec<ParamDescriptor> {
    biquad_filter_params(sample_rate)
        .iter()
        .map(
            |&(name, default_value, min_value, max_value, a_rate)| ParamDescriptor {
                name,
                default_value,
                min_value,
                max_value,
                automation_rate: if a_rate {
                    AutomationRate::ARate
                } else {
                    AutomationRate::KRate
                },
                rate_fixed: false,
            },
        )
        .collect()
}

/// Control handle of a BiquadFilterNode.
#[derive(Debug, Clone)]
pub struct BiquadFilterNode {
    node: NodeHandle,
    /// The `type` attribute as the control thread last set it (the getter
    /// must not wait for the render thread).
    filter_type: Arc<Mutex<BiquadFilterType>>,
}

impl BiquadFilterNode {
    /// The constructor after WebIDL conversion (the `AudioNodeOptions`
    /// members are applied through the node's channel setters).
    pub fn new(ctx: &Context, options: BiquadFilterOptions) -> Result<Self, Error> {
        options.validate()?;
        let sample_rate = ctx.sample_rate();
        let spec = NodeSpec::new(1, 1, param_descriptors(sample_rate));
        let processor = BiquadFilterProcessor::new(&options, sample_rate);
        let node = ctx.create_node(spec, Box::new(processor))?;
        let defaults = BiquadFilterOptions::default();
        for (index, value, default) in [
            (0, options.frequency, defaults.frequency),
            (1, options.detune, defaults.detune),
            (2, options.q, defaults.q),
            (3, options.gain, defaults.gain),
        ] {
            if value != default {
                node.param(index).set_value(value)?;
            }
        }
        Ok(Self {
            node,
            filter_type: Arc::new(Mutex::new(options.type_)),
        })
    }

    pub fn node(&self) -> &NodeHandle {
        &self.node
    }

    pub fn frequency(&self) -> ParamHandle {
        self.node.param(0)
    }

    pub fn detune(&self) -> ParamHandle {
        self.node.param(1)
    }

    pub fn q(&self) -> ParamHandle {
        self.node.param(2)
    }

    pub fn gain(&self) -> ParamHandle {
        self.node.param(3)
    }

    /// The `type` getter.
    pub fn filter_type(&self) -> BiquadFilterType {
        *self
            .filter_type
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The `type` setter (already a valid enum value: WebIDL drops invalid
    /// strings before this is reached).
    pub fn set_filter_type(&self, filter_type: BiquadFilterType) {
        let mut current = self
            .filter_type
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *current != filter_type {
            *current = filter_type;
            self.node
                .send(NodeMessage::BiquadFilter(BiquadFilterMessage::SetType(
                    filter_type,
                )));
        }
    }

    /// `getFrequencyResponse()`, computed from the params' current values
    /// (InvalidAccessError when the three lengths differ).
    pub fn get_frequency_response(
        &self,
        frequency_hz: &[f32],
        mag_response: &mut [f32],
        phase_response: &mut [f32],
    ) -> Result<(), Error> {
        Ok(get_frequency_response(
            self.filter_type(),
            self.frequency().value(),
            self.detune().value(),
            self.q().value(),
            self.gain().value(),
            self.node.context().sample_rate(),
            frequency_hz,
            mag_response,
            phase_response,
        )?)
    }
}

/// Messages to [`BiquadFilterProcessor`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BiquadFilterMessage {
    /// The `type` attribute changed.
    SetType(BiquadFilterType),
}

/// Once the input is silent and every state variable is below this, the
/// remaining tail is under -180 dBFS: the state is cleared and the node
/// reports it has stopped ringing.
pub(crate) const TAIL_THRESHOLD: f64 = 1e-9;

/// State variables this small are flushed to zero at the end of each quantum
/// so decaying tails never reach subnormal numbers.
pub(crate) const DENORMAL_THRESHOLD: f64 = 1e-30;

/// The render half. State is direct form I in f64 (two inputs, two outputs
/// per channel), preallocated for [`MAX_CHANNELS`].
pub struct BiquadFilterProcessor {
    filter_type: BiquadFilterType,
    sample_rate: f32,
    state: Box<[[f64; 4]; MAX_CHANNELS]>,
    /// Channels whose state may be non-zero.
    ringing_channels: usize,
    /// `EngineEvent::FilterStateNotFinite` was sent.
    warned_not_finite: bool,
    /// Param values (frequency, detune, Q, gain) and type that produced
    /// `cached`; recomputing coefficients costs a pow and a sin_cos.
    cached_key: Option<([f32; 4], BiquadFilterType)>,
    cached: BiquadCoefficients,
    /// `(Q, 10^(Q/20))` and `(gain, 10^(gain/40))` last computed.
    cached_q: (f32, f64),
    cached_gain: (f32, f64),
    /// Per-frame coefficients when a param varies within the quantum,
    /// computed once and shared by all channels.
    per_frame: Box<[BiquadCoefficients; RENDER_QUANTUM_SIZE]>,
}

impl BiquadFilterProcessor {
    /// Built on the control thread (allocates its state here).
    pub fn new(options: &BiquadFilterOptions, sample_rate: f32) -> Self {
        Self {
            filter_type: options.type_,
            sample_rate,
            state: Box::new([[0.0; 4]; MAX_CHANNELS]),
            ringing_channels: 0,
            warned_not_finite: false,
            cached_key: None,
            cached: BiquadCoefficients::gain(1.0),
            cached_q: (1.0, resonance(1.0)),
            cached_gain: (0.0, shelf_amplitude(0.0)),
            per_frame: Box::new([BiquadCoefficients::gain(1.0); RENDER_QUANTUM_SIZE]),
        }
    }

    #[inline]
    fn coefficients(&mut self, key: [f32; 4]) -> BiquadCoefficients {
        if self.cached_key != Some((key, self.filter_type)) {
            // A sweep usually moves one param: only redo the pows whose
            // inputs changed.
            if self.cached_q.0 != key[2] {
                self.cached_q = (key[2], resonance(key[2] as f64));
            }
            if self.cached_gain.0 != key[3] {
                self.cached_gain = (key[3], shelf_amplitude(key[3] as f64));
            }
            self.cached = coefficients_with(
                self.filter_type,
                computed_frequency(key[0], key[1], self.sample_rate),
                key[2] as f64,
                self.cached_gain.1,
                self.cached_q.1,
                self.sample_rate as f64,
            );
            self.cached_key = Some((key, self.filter_type));
        }
        self.cached
    }
}

/// One sample of the spec's difference equation, direct form I: `s` is
/// `[x(n-1), x(n-2), y(n-1), y(n-2)]`. Unlike the transposed forms this
/// applies the coefficients of frame n to the history exactly as the
/// equation does when they change every frame.
#[inline(always)]
fn tick(c: &BiquadCoefficients, s: &mut [f64; 4], x: f64) -> f64 {
    // y(n-1) enters last: the loop-carried chain is one multiply and one
    // subtract; everything else can be computed ahead of it.
    let y = (c.b0 * x + c.b1 * s[0] + c.b2 * s[1] - c.a2 * s[3]) - c.a1 * s[2];
    *s = [x, s[0], y, s[2]];
    y
}

const ZERO_CHANNEL: [f32; RENDER_QUANTUM_SIZE] = [0.0; RENDER_QUANTUM_SIZE];

/// Filters `state.len()` channels of `input` (missing input channels read as
/// silence) into `output`, with frame i's coefficients from `coef(i)`.
///
/// The recursion serialises each channel on its previous output, so channels
/// go through in pairs: two independent dependency chains interleaved keep
/// the FPU busy while each waits on its own multiply-adds.
#[inline(always)]
fn render(
    coef: impl Fn(usize) -> BiquadCoefficients,
    state: &mut [[f64; 4]],
    input: &AudioBlock,
    output: &mut AudioBlock,
) {
    let in_channels = input.number_of_channels();
    let x_of = |ch: usize| {
        if ch < in_channels {
            input.channel(ch)
        } else {
            &ZERO_CHANNEL
        }
    };
    let channels = state.len();
    let out = &mut output.channels_mut()[..channels];
    let mut states = state.chunks_exact_mut(2);
    let mut outs = out.chunks_exact_mut(2);
    for (pair, (st, ys)) in (&mut states).zip(&mut outs).enumerate() {
        let (xa, xb) = (x_of(2 * pair), x_of(2 * pair + 1));
        let (sa, sb) = st.split_at_mut(1);
        let (ya, yb) = ys.split_at_mut(1);
        let (ya, yb) = (&mut ya[0], &mut yb[0]);
        // Local copies keep the state in registers across the loop.
        let (mut a, mut b) = (sa[0], sb[0]);
        for i in 0..RENDER_QUANTUM_SIZE {
            let c = coef(i);
            ya[i] = tick(&c, &mut a, xa[i] as f64) as f32;
            yb[i] = tick(&c, &mut b, xb[i] as f64) as f32;
        }
        (sa[0], sb[0]) = (a, b);
    }
    if let ([s], [y]) = (states.into_remainder(), outs.into_remainder()) {
        let x = x_of(channels - 1);
        let mut a = *s;
        for i in 0..RENDER_QUANTUM_SIZE {
            y[i] = tick(&coef(i), &mut a, x[i] as f64) as f32;
        }
        *s = a;
    }
}

impl Processor for BiquadFilterProcessor {
    fn process(&mut self, io: ProcessIo<'_>, scope: &RenderScope<'_>) -> bool {
        let input = &io.inputs[0];
        let output = &mut io.outputs[0];
        let Some(channels) =
            super::filter_channels(input, output, &mut self.state[..], self.ringing_channels)
        else {
            return false;
        };

        let params: [ParamBlock<'_>; 4] = [io.params[0], io.params[1], io.params[2], io.params[3]];
        if params.iter().all(|p| p.is_constant()) {
            let c = self.coefficients(params.map(|p| p.first()));
            render(|_| c, &mut self.state[..channels], input, output);
        } else {
            for i in 0..RENDER_QUANTUM_SIZE {
                let key = params.map(|p| p.at(i));
                self.per_frame[i] = self.coefficients(key);
            }
            let per_frame = &self.per_frame;
            render(|i| per_frame[i], &mut self.state[..channels], input, output);
        }

        let mut peak = 0.0f64;
        let mut finite = true;
        for s in &mut self.state[..channels] {
            let (p, f) = super::settle_filter_state(s, DENORMAL_THRESHOLD);
            peak = peak.max(p);
            finite &= f;
        }
        if !finite && !self.warned_not_finite {
            self.warned_not_finite = true;
            scope.post_event(EngineEvent::FilterStateNotFinite(scope.node_id));
        }
        if input.is_silent() && peak < TAIL_THRESHOLD {
            for s in &mut self.state[..channels] {
                *s = [0.0; 4];
            }
            self.ringing_channels = 0;
            false
        } else {
            self.ringing_channels = channels;
            true
        }
    }

    fn handle_message(&mut self, message: NodeMessage, _scope: &RenderScope<'_>) {
        if let NodeMessage::BiquadFilter(BiquadFilterMessage::SetType(t)) = message {
            self.filter_type = t;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::AudioBlock;
    use crate::processor::testing::TestScope;
    use std::f64::consts::PI;

    const SR: f32 = 44100.0;
    const ALL: [BiquadFilterType; 8] = [
        BiquadFilterType::Lowpass,
        BiquadFilterType::Highpass,
        BiquadFilterType::Bandpass,
        BiquadFilterType::Lowshelf,
        BiquadFilterType::Highshelf,
        BiquadFilterType::Peaking,
        BiquadFilterType::Notch,
        BiquadFilterType::Allpass,
    ];

    /// `[b0, b1, b2, a0, a1, a2]` transcribed from index.bs "Filters
    /// Characteristics", with the general alpha_S (S = 1). Valid where no
    /// formula divides by zero.
    fn spec_coefs(t: BiquadFilterType, f0: f64, q: f64, g: f64, fs: f64) -> [f64; 6] {
        use BiquadFilterType::*;
        let a = 10f64.powf(g / 40.0);
        let w0 = 2.0 * PI * f0 / fs;
        let (sn, cs) = (w0.sin(), w0.cos());
        let aq = sn / (2.0 * q);
        let aqdb = sn / (2.0 * 10f64.powf(q / 20.0));
        let s = 1.0;
        let as_ = sn / 2.0 * ((a + 1.0 / a) * (1.0 / s - 1.0) + 2.0).sqrt();
        let sa = a.sqrt();
        match t {
            Lowpass => [
                (1.0 - cs) / 2.0,
                1.0 - cs,
                (1.0 - cs) / 2.0,
                1.0 + aqdb,
                -2.0 * cs,
                1.0 - aqdb,
            ],
            Highpass => [
                (1.0 + cs) / 2.0,
                -(1.0 + cs),
                (1.0 + cs) / 2.0,
                1.0 + aqdb,
                -2.0 * cs,
                1.0 - aqdb,
            ],
            Bandpass => [aq, 0.0, -aq, 1.0 + aq, -2.0 * cs, 1.0 - aq],
            Notch => [1.0, -2.0 * cs, 1.0, 1.0 + aq, -2.0 * cs, 1.0 - aq],
            Allpass => [1.0 - aq, -2.0 * cs, 1.0 + aq, 1.0 + aq, -2.0 * cs, 1.0 - aq],
            Peaking => [
                1.0 + aq * a,
                -2.0 * cs,
                1.0 - aq * a,
                1.0 + aq / a,
                -2.0 * cs,
                1.0 - aq / a,
            ],
            Lowshelf => [
                a * ((a + 1.0) - (a - 1.0) * cs + 2.0 * as_ * sa),
                2.0 * a * ((a - 1.0) - (a + 1.0) * cs),
                a * ((a + 1.0) - (a - 1.0) * cs - 2.0 * as_ * sa),
                (a + 1.0) + (a - 1.0) * cs + 2.0 * as_ * sa,
                -2.0 * ((a - 1.0) + (a + 1.0) * cs),
                (a + 1.0) + (a - 1.0) * cs - 2.0 * as_ * sa,
            ],
            Highshelf => [
                a * ((a + 1.0) + (a - 1.0) * cs + 2.0 * as_ * sa),
                -2.0 * a * ((a - 1.0) + (a + 1.0) * cs),
                a * ((a + 1.0) + (a - 1.0) * cs - 2.0 * as_ * sa),
                (a + 1.0) - (a - 1.0) * cs + 2.0 * as_ * sa,
                2.0 * ((a - 1.0) - (a + 1.0) * cs),
                (a + 1.0) - (a - 1.0) * cs - 2.0 * as_ * sa,
            ],
        }
    }

    /// H(e^{jw}) of unnormalised coefficients, evaluated independently of
    /// `BiquadCoefficients::response`: sum of c_k e^{-jkw}, then a complex
    /// division through polar form.
    fn spec_response(c: [f64; 6], w: f64) -> (f64, f64) {
        let poly = |k: &[f64]| {
            k.iter().enumerate().fold((0.0, 0.0), |(re, im), (i, &v)| {
                (re + v * (i as f64 * w).cos(), im - v * (i as f64 * w).sin())
            })
        };
        let (nr, ni) = poly(&c[..3]);
        let (dr, di) = poly(&c[3..]);
        let mag = nr.hypot(ni) / dr.hypot(di);
        let ph = ni.atan2(nr) - di.atan2(dr);
        (mag * ph.cos(), mag * ph.sin())
    }

    /// Deterministic noise in [-1, 1).
    fn noise(n: usize, seed: u32) -> Vec<f32> {
        let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (s >> 8) as f32 / (1u32 << 23) as f32 - 1.0
            })
            .collect()
    }

    /// The spec's time-domain equation with per-frame coefficients `c(n)`.
    fn reference_filter(x: &[f32], c: impl Fn(usize) -> [f64; 6]) -> Vec<f64> {
        let mut y = vec![0.0f64; x.len()];
        for n in 0..x.len() {
            let [b0, b1, b2, a0, a1, a2] = c(n);
            let xm = |k: usize| if n >= k { x[n - k] as f64 } else { 0.0 };
            let ym = |k: usize, y: &[f64]| if n >= k { y[n - k] } else { 0.0 };
            y[n] = (b0 * xm(0) + b1 * xm(1) + b2 * xm(2) - a1 * ym(1, &y) - a2 * ym(2, &y)) / a0;
        }
        y
    }

    /// Runs `p` over `input` (channels of equal length, a multiple of 128)
    /// with per-frame param values from `params(frame) -> [f, d, q, g]`, or
    /// constant blocks when `constant`. Returns the output channels and each
    /// quantum's return value.
    fn run(
        p: &mut BiquadFilterProcessor,
        input: &[Vec<f32>],
        params: impl Fn(usize) -> [f32; 4],
        constant: bool,
    ) -> (Vec<Vec<f32>>, Vec<bool>) {
        let ts = TestScope::new(SR);
        let len = input[0].len();
        let mut out = vec![Vec::new(); input.len()];
        let mut alive = Vec::new();
        for q in 0..len / RENDER_QUANTUM_SIZE {
            let start = q * RENDER_QUANTUM_SIZE;
            let mut inb = AudioBlock::new(input.len());
            if input.iter().any(|c| {
                c[start..start + RENDER_QUANTUM_SIZE]
                    .iter()
                    .any(|&v| v != 0.0)
            }) {
                for (ch, c) in input.iter().enumerate() {
                    inb.channel_mut(ch)
                        .copy_from_slice(&c[start..start + RENDER_QUANTUM_SIZE]);
                }
            }
            let vals: Vec<[f32; 4]> = if constant {
                vec![params(start)]
            } else {
                (start..start + RENDER_QUANTUM_SIZE).map(&params).collect()
            };
            let cols: Vec<Vec<f32>> = (0..4)
                .map(|i| vals.iter().map(|v| v[i]).collect())
                .collect();
            let pb: Vec<ParamBlock<'_>> = cols.iter().map(|c| ParamBlock::new(c)).collect();
            let mut outb = [AudioBlock::new(1)];
            alive.push(p.process(
                ProcessIo {
                    inputs: std::slice::from_ref(&inb),
                    outputs: &mut outb,
                    params: &pb,
                },
                &ts.scope(start as u64),
            ));
            for (ch, o) in out.iter_mut().enumerate() {
                if ch < outb[0].number_of_channels() {
                    o.extend_from_slice(outb[0].channel(ch));
                } else {
                    o.extend_from_slice(&[f32::NAN; RENDER_QUANTUM_SIZE]);
                }
            }
        }
        (out, alive)
    }

    fn processor(t: BiquadFilterType) -> BiquadFilterProcessor {
        BiquadFilterProcessor::new(
            &BiquadFilterOptions {
                type_: t,
                ..Default::default()
            },
            SR,
        )
    }

    fn assert_close(actual: &[f32], expected: &[f64], tol: f64, what: &str) {
        assert_eq!(actual.len(), expected.len(), "{what}: length");
        for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
            assert!(
                (a as f64 - e).abs() <= tol * e.abs().max(1.0),
                "{what}: frame {i}: got {a}, expected {e}"
            );
        }
    }

    #[test]
    fn options_defaults_and_validation() {
        let o = BiquadFilterOptions::default();
        assert_eq!(o.type_, BiquadFilterType::Lowpass);
        assert_eq!((o.q, o.detune, o.frequency, o.gain), (1.0, 0.0, 350.0, 0.0));
        assert!(o.validate().is_ok());
        for bad in [f32::NAN, f32::INFINITY] {
            let o = BiquadFilterOptions {
                frequency: bad,
                ..Default::default()
            };
            assert!(matches!(o.validate(), Err(NodeError::Type(_))));
        }
        for t in ALL {
            assert_eq!(BiquadFilterType::parse(t.as_str()), Ok(t));
        }
        assert!(matches!(
            BiquadFilterType::parse("lowPass"),
            Err(NodeError::Type(_))
        ));
        let table = biquad_filter_params(48000.0);
        assert_eq!(table[0], ("frequency", 350.0, 0.0, 24000.0, true));
        assert_eq!(table[1].0, "detune");
        assert_eq!(table[2], ("Q", 1.0, f32::MIN, f32::MAX, true));
        assert_eq!(table[3].0, "gain");
        // The nominal bounds the spec derives from FLT_MAX.
        assert_eq!(table[1].3, (1200.0 * (f32::MAX as f64).log2()) as f32);
        assert!((table[3].3 as f64 - 40.0 * (f32::MAX as f64).log10()).abs() < 1e-3);
    }

    #[test]
    fn coefficients_match_spec_formulas() {
        let fs = SR as f64;
        for t in ALL {
            for f0 in [10.0, 350.0, 1000.0, 9000.0, 21000.0] {
                for q in [-6.0, 0.1, 1.0, 12.5] {
                    let linear_q =
                        !matches!(t, BiquadFilterType::Lowpass | BiquadFilterType::Highpass);
                    if linear_q && q <= 0.0 {
                        continue;
                    }
                    for g in [-15.0, 0.0, 9.0] {
                        let s = spec_coefs(t, f0, q, g, fs);
                        let c = biquad_coefficients(t, f0, q, g, fs);
                        let want = [
                            s[0] / s[3],
                            s[1] / s[3],
                            s[2] / s[3],
                            s[4] / s[3],
                            s[5] / s[3],
                        ];
                        let got = [c.b0, c.b1, c.b2, c.a1, c.a2];
                        for (g_, w) in got.iter().zip(want) {
                            assert!(
                                (g_ - w).abs() <= 1e-12 * w.abs().max(1.0),
                                "{t:?} f0={f0} q={q} g={g}: {got:?} vs {want:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    /// Where the formulas divide by zero the coefficients must be the limit
    /// of the transfer function: compare responses against the formulas just
    /// inside the edge.
    #[test]
    fn edge_coefficients_are_limits_of_the_formulas() {
        let fs = SR as f64;
        let nyq = fs / 2.0;
        let eps = 1e-6;
        let ws = [0.1, 0.3, 0.5, 0.7, 0.9].map(|x| x * PI);
        for t in ALL {
            for g in [-6.0, 0.0, 10.0] {
                // (frequency used, near-edge frequency, q used, near-edge q)
                let mut cases = vec![
                    (0.0, nyq * eps, 1.0, 1.0),
                    (nyq, nyq * (1.0 - eps), 1.0, 1.0),
                ];
                if matches!(
                    t,
                    BiquadFilterType::Bandpass
                        | BiquadFilterType::Notch
                        | BiquadFilterType::Allpass
                        | BiquadFilterType::Peaking
                ) {
                    // The response converges to the limit like Q does.
                    cases.push((1000.0, 1000.0, 0.0, 1e-10));
                }
                for (f, f_near, q, q_near) in cases {
                    let c = biquad_coefficients(t, f, q, g, fs);
                    let s = spec_coefs(t, f_near, q_near, g, fs);
                    for &w in &ws {
                        let (re, im) = c.response(w);
                        let (sre, sim) = spec_response(s, w);
                        assert!(
                            (re - sre).abs() < 1e-4 && (im - sim).abs() < 1e-4,
                            "{t:?} f={f} q={q} g={g} w={w}: ({re},{im}) vs ({sre},{sim})"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn constant_params_match_difference_equation_per_channel() {
        let len = 4 * RENDER_QUANTUM_SIZE;
        let input = vec![noise(len, 1), noise(len, 2), noise(len, 3)];
        for t in ALL {
            let (f, d, q, g) = (1200.0f32, -300.0f32, 4.0f32, 6.0f32);
            let mut p = processor(t);
            let (out, alive) = run(&mut p, &input, |_| [f, d, q, g], true);
            assert!(alive.iter().all(|&a| a));
            let f0 = f as f64 * (d as f64 / 1200.0).exp2();
            let s = spec_coefs(t, f0, q as f64, g as f64, SR as f64);
            for ch in 0..3 {
                let r = reference_filter(&input[ch], |_| s);
                assert_close(&out[ch], &r, 1e-6, &format!("{t:?} ch{ch}"));
            }
        }
    }

    #[test]
    fn per_frame_params_match_time_varying_equation() {
        let len = 3 * RENDER_QUANTUM_SIZE;
        let input = vec![noise(len, 7), noise(len, 8)];
        let params = |n: usize| {
            let x = n as f32 / len as f32;
            [
                200.0 + 6000.0 * x,
                -600.0 + 1200.0 * x,
                0.5 + 8.0 * x,
                -12.0 + 24.0 * x,
            ]
        };
        for t in ALL {
            let mut p = processor(t);
            let (out, _) = run(&mut p, &input, params, false);
            let c = |n: usize| {
                let [f, d, q, g] = params(n);
                let f0 = f as f64 * (d as f64 / 1200.0).exp2();
                spec_coefs(t, f0, q as f64, g as f64, SR as f64)
            };
            for ch in 0..2 {
                let r = reference_filter(&input[ch], c);
                assert_close(&out[ch], &r, 1e-6, &format!("{t:?} ch{ch}"));
            }
        }
    }

    #[test]
    fn detune_forms_computed_frequency_and_is_clamped_to_nyquist() {
        let len = 2 * RENDER_QUANTUM_SIZE;
        let input = vec![noise(len, 4)];
        let (a, _) = run(
            &mut processor(BiquadFilterType::Bandpass),
            &input,
            |_| [1000.0, 1200.0, 3.0, 0.0],
            true,
        );
        let (b, _) = run(
            &mut processor(BiquadFilterType::Bandpass),
            &input,
            |_| [2000.0, 0.0, 3.0, 0.0],
            true,
        );
        assert_close(
            &a[0],
            &b[0].iter().map(|&v| v as f64).collect::<Vec<_>>(),
            1e-6,
            "detune",
        );
        // 20 kHz up an octave is past Nyquist: clamped, a lowpass there is a wire.
        let (w, _) = run(
            &mut processor(BiquadFilterType::Lowpass),
            &input,
            |_| [20000.0, 1200.0, 1.0, 0.0],
            true,
        );
        assert_eq!(w[0], input[0]);
        assert_eq!(computed_frequency(20000.0, 1200.0, SR), SR as f64 / 2.0);
        assert_eq!(computed_frequency(-5.0, 0.0, SR), 0.0);
        assert_eq!(computed_frequency(f32::NAN, 0.0, SR), 0.0);
    }

    #[test]
    fn tail_rings_after_input_stops_then_ends_below_threshold() {
        // Impulse, then silence: the output is the impulse response.
        let len = 400 * RENDER_QUANTUM_SIZE;
        let mut x = vec![0.0f32; len];
        x[5] = 1.0;
        let t = BiquadFilterType::Peaking;
        let (f, q, g) = (300.0, 30.0, 12.0);
        let (out, alive) = run(&mut processor(t), &[x.clone()], |_| [f, 0.0, q, g], true);
        let s = spec_coefs(t, f as f64, q as f64, g as f64, SR as f64);
        let r = reference_filter(&x, |_| s);
        // The quantum that returns false still carries the last of the tail.
        let stop =
            (alive.iter().position(|&a| !a).expect("tail must end") + 1) * RENDER_QUANTUM_SIZE;
        assert!(
            stop > RENDER_QUANTUM_SIZE,
            "tail must outlast the input quantum"
        );
        assert_close(&out[0][..stop], &r[..stop], 1e-6, "tail");
        // What was cut off is inaudible.
        let rest = r[stop..].iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(rest < 1e-7, "cut a tail of {rest}");
        assert!(out[0][stop..].iter().all(|&v| v == 0.0));
    }

    #[test]
    fn silent_input_without_state_is_silent_and_not_alive() {
        let mut p = processor(BiquadFilterType::Lowpass);
        let ts = TestScope::new(SR);
        let inb = AudioBlock::new(2);
        let mut outb = [AudioBlock::new(1)];
        let v = [350.0];
        let d = [0.0];
        let alive = p.process(
            ProcessIo {
                inputs: std::slice::from_ref(&inb),
                outputs: &mut outb,
                params: &[
                    ParamBlock::new(&v),
                    ParamBlock::new(&d),
                    ParamBlock::new(&[1.0]),
                    ParamBlock::new(&d),
                ],
            },
            &ts.scope(0),
        );
        assert!(!alive);
        assert!(outb[0].is_silent());
        assert_eq!(outb[0].number_of_channels(), 2);
    }

    #[test]
    fn channel_changes_keep_tail_channels_and_clear_dropped_state() {
        let q = RENDER_QUANTUM_SIZE;
        let t = BiquadFilterType::Lowpass;
        let params = |_| [500.0, 0.0, 10.0, 0.0];
        let ts = TestScope::new(SR);
        let mut p = processor(t);
        let n0 = noise(q, 1);
        let n1 = noise(q, 2);
        let consts: Vec<[f32; 1]> = params(0).iter().map(|&v| [v]).collect::<Vec<_>>();
        let pb: Vec<ParamBlock<'_>> = consts.iter().map(|c| ParamBlock::new(c)).collect();
        let step = |p: &mut BiquadFilterProcessor, chans: &[&[f32]], frame: u64| {
            let mut inb = AudioBlock::new(chans.len().max(1));
            for (i, c) in chans.iter().enumerate() {
                inb.channel_mut(i).copy_from_slice(c);
            }
            let mut outb = [AudioBlock::new(1)];
            let alive = p.process(
                ProcessIo {
                    inputs: std::slice::from_ref(&inb),
                    outputs: &mut outb,
                    params: &pb,
                },
                &ts.scope(frame),
            );
            let [o] = outb;
            (o, alive)
        };
        // Stereo, then the input disconnects (one silent channel): the tail
        // keeps ringing in stereo.
        step(&mut p, &[&n0, &n1], 0);
        let silent = AudioBlock::new(1);
        let _ = silent;
        let mut inb = AudioBlock::new(1);
        inb.make_silent();
        let (o, alive) = {
            let mut outb = [AudioBlock::new(1)];
            let a = p.process(
                ProcessIo {
                    inputs: std::slice::from_ref(&inb),
                    outputs: &mut outb,
                    params: &pb,
                },
                &ts.scope(q as u64),
            );
            let [o] = outb;
            (o, a)
        };
        assert!(alive);
        assert_eq!(o.number_of_channels(), 2);
        assert!(o.channel(1).iter().any(|&v| v != 0.0));

        // Now mono audio: channel 1's state is dropped, so when stereo comes
        // back, channel 1 behaves like a fresh filter.
        step(&mut p, &[&n0], 2 * q as u64);
        let (o, _) = step(&mut p, &[&n0, &n1], 3 * q as u64);
        let s = spec_coefs(t, 500.0, 10.0, 0.0, SR as f64);
        let r = reference_filter(&n1, |_| s);
        assert_close(o.channel(1), &r, 1e-6, "fresh channel 1");
    }

    #[test]
    fn type_message_switches_coefficients_at_the_next_quantum() {
        let len = 2 * RENDER_QUANTUM_SIZE;
        let x = noise(len, 9);
        let mut p = processor(BiquadFilterType::Lowpass);
        let ts = TestScope::new(SR);
        let (a, _) = run(
            &mut p,
            &[x[..RENDER_QUANTUM_SIZE].to_vec()],
            |_| [800.0, 0.0, 2.0, 0.0],
            true,
        );
        p.handle_message(
            NodeMessage::BiquadFilter(BiquadFilterMessage::SetType(BiquadFilterType::Highpass)),
            &ts.scope(RENDER_QUANTUM_SIZE as u64),
        );
        let (b, _) = run(
            &mut p,
            &[x[RENDER_QUANTUM_SIZE..].to_vec()],
            |_| [800.0, 0.0, 2.0, 0.0],
            true,
        );
        let lp = spec_coefs(BiquadFilterType::Lowpass, 800.0, 2.0, 0.0, SR as f64);
        let hp = spec_coefs(BiquadFilterType::Highpass, 800.0, 2.0, 0.0, SR as f64);
        let r = reference_filter(&x, |n| if n < RENDER_QUANTUM_SIZE { lp } else { hp });
        let got: Vec<f32> = a[0].iter().chain(b[0].iter()).copied().collect();
        assert_close(&got, &r, 1e-6, "type switch");
    }

    #[test]
    fn fast_sweeps_stay_bounded() {
        let len = 40 * RENDER_QUANTUM_SIZE;
        let input = vec![noise(len, 5)];
        for t in ALL {
            // Exponential sweeps 20 Hz -> 20 kHz -> 20 Hz, 2048 frames each
            // way, with high Q and gain.
            let params = |n: usize| {
                let phase = ((n % 4096) as f32 / 2048.0 - 1.0).abs();
                [20.0 * 1000f32.powf(phase), 0.0, 30.0, 20.0]
            };
            let (out, _) = run(&mut processor(t), &input, params, false);
            let peak = out[0].iter().fold(0.0f32, |m, v| m.max(v.abs()));
            assert!(peak.is_finite() && peak < 1e3, "{t:?}: peak {peak}");
        }
    }

    #[test]
    fn frequency_response_matches_transfer_function() {
        let freqs: Vec<f32> = vec![
            0.0,
            10.0,
            100.0,
            350.0,
            1000.0,
            5000.0,
            22050.0,
            -1.0,
            22051.0,
            f32::NAN,
        ];
        let mut mag = vec![0.0; freqs.len()];
        let mut phase = vec![0.0; freqs.len()];
        for t in ALL {
            let (f, d, q, g) = (900.0f32, 100.0f32, 2.5f32, -7.0f32);
            get_frequency_response(t, f, d, q, g, SR, &freqs, &mut mag, &mut phase).unwrap();
            let f0 = f as f64 * (d as f64 / 1200.0).exp2();
            let s = spec_coefs(t, f0, q as f64, g as f64, SR as f64);
            for i in 0..7 {
                let w = PI * freqs[i] as f64 / (SR as f64 / 2.0);
                let (re, im) = spec_response(s, w);
                let (m, p) = (re.hypot(im), im.atan2(re));
                assert!(
                    (mag[i] as f64 - m).abs() <= 1e-6 * m.max(1.0),
                    "{t:?} mag at {}",
                    freqs[i]
                );
                // Phase compared on the circle (atan2 branch at +-pi).
                let dp = (phase[i] as f64 - p).sin().abs();
                assert!(
                    dp < 1e-5,
                    "{t:?} phase at {}: {} vs {p}",
                    freqs[i],
                    phase[i]
                );
            }
            for i in 7..10 {
                assert!(
                    mag[i].is_nan() && phase[i].is_nan(),
                    "{t:?} at {}",
                    freqs[i]
                );
            }
        }
        let mut short = vec![0.0; 2];
        assert!(matches!(
            get_frequency_response(
                BiquadFilterType::Lowpass,
                350.0,
                0.0,
                1.0,
                0.0,
                SR,
                &freqs,
                &mut short,
                &mut phase
            ),
            Err(NodeError::InvalidAccess(_))
        ));
        assert!(matches!(
            get_frequency_response(
                BiquadFilterType::Lowpass,
                350.0,
                0.0,
                1.0,
                0.0,
                SR,
                &freqs,
                &mut mag,
                &mut short
            ),
            Err(NodeError::InvalidAccess(_))
        ));
    }

    #[test]
    fn render_path_does_not_allocate_or_free() {
        let ts = TestScope::new(SR);
        let mut p = processor(BiquadFilterType::Peaking);
        let mut loud = AudioBlock::new(MAX_CHANNELS);
        for ch in 0..MAX_CHANNELS {
            loud.channel_mut(ch)
                .copy_from_slice(&noise(RENDER_QUANTUM_SIZE, ch as u32));
        }
        let silent = AudioBlock::new(1);
        let mut out = [AudioBlock::new(1)];
        let ramp: Vec<f32> = (0..RENDER_QUANTUM_SIZE)
            .map(|i| 100.0 + 10.0 * i as f32)
            .collect();
        let (d, q, g) = ([0.0f32], [3.0f32], [6.0f32]);
        let ((), n) = crate::node::alloc_count::count(|| {
            for (i, input) in [&loud, &loud, &silent, &silent].into_iter().enumerate() {
                let f: &[f32] = if i % 2 == 0 { &ramp } else { &ramp[..1] };
                let params = [
                    ParamBlock::new(f),
                    ParamBlock::new(&d),
                    ParamBlock::new(&q),
                    ParamBlock::new(&g),
                ];
                p.process(
                    ProcessIo {
                        inputs: std::slice::from_ref(input),
                        outputs: &mut out,
                        params: &params,
                    },
                    &ts.scope(0),
                );
                p.handle_message(
                    NodeMessage::BiquadFilter(BiquadFilterMessage::SetType(
                        BiquadFilterType::Lowshelf,
                    )),
                    &ts.scope(0),
                );
            }
        });
        assert_eq!(n, 0);
        // All 32 channels were filtered, and the tail kept them.
        assert_eq!(out[0].number_of_channels(), MAX_CHANNELS);
    }

    #[test]
    fn non_finite_state_is_reported_once() {
        let ts = TestScope::new(SR);
        let mut p = processor(BiquadFilterType::Lowpass);
        let mut inb = AudioBlock::new(1);
        inb.channel_mut(0)[10] = f32::NAN;
        let (f, d, q, g) = ([350.0f32], [0.0f32], [1.0f32], [0.0f32]);
        let params = [
            ParamBlock::new(&f),
            ParamBlock::new(&d),
            ParamBlock::new(&q),
            ParamBlock::new(&g),
        ];
        for frame in [0, 128, 256] {
            let mut out = [AudioBlock::new(1)];
            let alive = p.process(
                ProcessIo {
                    inputs: std::slice::from_ref(&inb),
                    outputs: &mut out,
                    params: &params,
                },
                &ts.scope(frame),
            );
            assert!(alive);
            assert!(out[0].channel(0)[127].is_nan());
        }
        assert_eq!(
            ts.events.pop(),
            Some(crate::message::EngineEvent::FilterStateNotFinite(
                crate::message::NodeId(0)
            ))
        );
        assert_eq!(ts.events.pop(), None);
    }

    fn offline_context(sample_rate: f32) -> Context {
        Context::new_offline(crate::OfflineOptions {
            number_of_channels: 1,
            length: 128,
            sample_rate,
        })
        .unwrap()
    }

    #[test]
    fn control_handle_params_type_and_response() {
        let ctx = offline_context(22050.0);
        let node = BiquadFilterNode::new(
            &ctx,
            BiquadFilterOptions {
                type_: BiquadFilterType::Highpass,
                frequency: 900.0,
                q: 3.0,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(node.frequency().max_value(), 11025.0);
        assert_eq!(node.frequency().value(), 900.0);
        assert_eq!(node.q().value(), 3.0);
        assert_eq!(node.detune().value(), 0.0);
        assert_eq!(node.gain().max_value(), GAIN_MAX);
        assert_eq!(node.filter_type(), BiquadFilterType::Highpass);
        node.set_filter_type(BiquadFilterType::Notch);
        assert_eq!(node.filter_type(), BiquadFilterType::Notch);

        let hz = [10.0, 900.0, 5000.0];
        let (mut mag, mut phase) = ([0.0; 3], [0.0; 3]);
        node.get_frequency_response(&hz, &mut mag, &mut phase)
            .unwrap();
        let (mut want_mag, mut want_phase) = ([0.0; 3], [0.0; 3]);
        get_frequency_response(
            BiquadFilterType::Notch,
            900.0,
            0.0,
            3.0,
            0.0,
            22050.0,
            &hz,
            &mut want_mag,
            &mut want_phase,
        )
        .unwrap();
        assert_eq!(mag, want_mag);
        assert_eq!(phase, want_phase);
        assert!(matches!(
            node.get_frequency_response(&hz, &mut [0.0; 2], &mut phase),
            Err(Error::InvalidAccess(_))
        ));
        assert!(matches!(
            BiquadFilterNode::new(
                &ctx,
                BiquadFilterOptions {
                    gain: f32::NAN,
                    ..Default::default()
                }
            ),
            Err(Error::Type(_))
        ));
    }
}
