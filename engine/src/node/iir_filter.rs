//! IIRFilterNode: a general IIR filter with fixed coefficients (index.bs
//! "IIRFilterNode", "createIIRFilter()").
//!
//! Control side: [`IIRFilterOptions`] (validation), [`IirCoefficients`]
//! (normalisation, stability check, frequency response) and
//! [`get_frequency_response`]. Render side: [`IIRFilterProcessor`]. The node has
//! no AudioParams and takes no messages: its coefficients never change.

use crate::MAX_CHANNELS;
use crate::node::NodeError;
use crate::node::biquad_filter::{DENORMAL_THRESHOLD, TAIL_THRESHOLD, check_response_lengths};
use crate::processor::{ProcessIo, Processor, RenderScope};

/// The most coefficients either array may hold.
pub const MAX_IIR_COEFFICIENTS: usize = 20;

/// The node has no AudioParams.
pub const IIR_FILTER_PARAMS: &[(&str, f32, f32, f32, bool)] = &[];

/// ```webidl
/// dictionary IIRFilterOptions : AudioNodeOptions {
///     required sequence<double> feedforward;
///     required sequence<double> feedback;
/// };
/// ```
/// (The `AudioNodeOptions` members are the graph's business.)
#[derive(Debug, Clone, PartialEq)]
pub struct IIRFilterOptions {
    pub feedforward: Vec<f64>,
    pub feedback: Vec<f64>,
}

impl IIRFilterOptions {
    /// The checks of `createIIRFilter()` / the constructor, in the order a
    /// browser meets them: IDL conversion (`double` must be finite:
    /// TypeError), then lengths (NotSupportedError), then values
    /// (InvalidStateError).
    pub fn validate(&self) -> Result<(), NodeError> {
        for (name, coefs) in [
            ("feedforward", &self.feedforward),
            ("feedback", &self.feedback),
        ] {
            if coefs.iter().any(|c| !c.is_finite()) {
                return Err(NodeError::Type(format!(
                    "IIRFilter {name} coefficients must be finite"
                )));
            }
        }
        for (name, coefs) in [
            ("feedforward", &self.feedforward),
            ("feedback", &self.feedback),
        ] {
            if coefs.is_empty() || coefs.len() > MAX_IIR_COEFFICIENTS {
                return Err(NodeError::NotSupported(format!(
                    "IIRFilter {name} must have 1 to {MAX_IIR_COEFFICIENTS} coefficients, got {}",
                    coefs.len()
                )));
            }
        }
        if self.feedforward.iter().all(|&c| c == 0.0) {
            return Err(NodeError::InvalidState(
                "IIRFilter feedforward coefficients must not all be zero".into(),
            ));
        }
        if self.feedback[0] == 0.0 {
            return Err(NodeError::InvalidState(
                "IIRFilter feedback[0] must not be zero".into(),
            ));
        }
        Ok(())
    }
}

/// Validated coefficients divided by `feedback[0]`, both arrays padded with
/// zeros to a common length `order + 1` (at most 20).
#[derive(Debug, Clone, PartialEq)]
pub struct IirCoefficients {
    b: [f64; MAX_IIR_COEFFICIENTS],
    /// `a[0]` is 1.
    a: [f64; MAX_IIR_COEFFICIENTS],
    order: usize,
}

impl IirCoefficients {
    pub fn new(options: &IIRFilterOptions) -> Result<Self, NodeError> {
        options.validate()?;
        let a0 = options.feedback[0];
        let mut b = [0.0; MAX_IIR_COEFFICIENTS];
        let mut a = [0.0; MAX_IIR_COEFFICIENTS];
        for (d, s) in b.iter_mut().zip(&options.feedforward) {
            *d = s / a0;
        }
        for (d, s) in a.iter_mut().zip(&options.feedback) {
            *d = s / a0;
        }
        // Exactly 1, whatever rounding `a0 / a0` might do.
        a[0] = 1.0;
        let order = options.feedforward.len().max(options.feedback.len()) - 1;
        Ok(Self { b, a, order })
    }

    /// Normalised feedforward coefficients (`order + 1` of them).
    pub fn feedforward(&self) -> &[f64] {
        &self.b[..=self.order]
    }

    /// Normalised feedback coefficients (`order + 1` of them, the first 1).
    pub fn feedback(&self) -> &[f64] {
        &self.a[..=self.order]
    }

    /// `H(e^{jw})` as `(re, im)`.
    pub fn response(&self, w: f64) -> (f64, f64) {
        let (mut nr, mut ni, mut dr, mut di) = (0.0, 0.0, 0.0, 0.0);
        for k in 0..=self.order {
            // z^-k = e^{-jkw}
            let (s, c) = (k as f64 * w).sin_cos();
            nr += self.b[k] * c;
            ni -= self.b[k] * s;
            dr += self.a[k] * c;
            di -= self.a[k] * s;
        }
        let d = dr * dr + di * di;
        ((nr * dr + ni * di) / d, (ni * dr - nr * di) / d)
    }

    /// True when every pole lies strictly inside the unit circle (Schur-Cohn
    /// step-down test on the feedback polynomial). The spec lets a UA warn
    /// about an unstable filter; the render side runs it regardless.
    pub fn is_stable(&self) -> bool {
        let mut p = self.a;
        let mut m = self.order;
        // Trailing zero coefficients are poles at the origin.
        while m > 0 && p[m] == 0.0 {
            m -= 1;
        }
        while m > 0 {
            let k = p[m];
            if k.abs() >= 1.0 {
                return false;
            }
            let scale = 1.0 / (1.0 - k * k);
            let prev = p;
            for i in 1..m {
                p[i] = (prev[i] - k * prev[m - i]) * scale;
            }
            m -= 1;
        }
        true
    }
}

/// `getFrequencyResponse()`. Frequencies outside [0, Nyquist] (and NaN) give
/// NaN magnitude and phase.
pub fn get_frequency_response(
    coefficients: &IirCoefficients,
    sample_rate: f32,
    frequency_hz: &[f32],
    mag_response: &mut [f32],
    phase_response: &mut [f32],
) -> Result<(), NodeError> {
    check_response_lengths(frequency_hz, mag_response, phase_response)?;
    let nyquist = sample_rate as f64 / 2.0;
    for ((&hz, mag), phase) in frequency_hz
        .iter()
        .zip(mag_response.iter_mut())
        .zip(phase_response.iter_mut())
    {
        let hz = hz as f64;
        if (0.0..=nyquist).contains(&hz) {
            let (re, im) = coefficients.response(std::f64::consts::PI * hz / nyquist);
            *mag = re.hypot(im) as f32;
            *phase = im.atan2(re) as f32;
        } else {
            *mag = f32::NAN;
            *phase = f32::NAN;
        }
    }
    Ok(())
}

/// The render half: transposed direct form II, f64 state, `order` state
/// variables per channel preallocated for [`MAX_CHANNELS`].
pub struct IIRFilterProcessor {
    coef: IirCoefficients,
    state: Box<[[f64; MAX_IIR_COEFFICIENTS]; MAX_CHANNELS]>,
    /// Channels whose state may be non-zero.
    ringing_channels: usize,
}

impl IIRFilterProcessor {
    /// Built on the control thread (allocates its state here).
    pub fn new(coefficients: IirCoefficients) -> Self {
        Self {
            coef: coefficients,
            state: Box::new([[0.0; MAX_IIR_COEFFICIENTS]; MAX_CHANNELS]),
            ringing_channels: 0,
        }
    }
}

/// One sample through the filter. `s` holds `order` live state variables.
#[inline(always)]
fn tick(b: &[f64], a: &[f64], s: &mut [f64], x: f64) -> f64 {
    let order = s.len();
    let y = b[0] * x + if order > 0 { s[0] } else { 0.0 };
    for k in 1..order {
        s[k - 1] = b[k] * x - a[k] * y + s[k];
    }
    if order > 0 {
        s[order - 1] = b[order] * x - a[order] * y;
    }
    y
}

impl Processor for IIRFilterProcessor {
    fn process(&mut self, io: ProcessIo<'_>, _scope: &RenderScope<'_>) -> bool {
        let input = &io.inputs[0];
        let output = &mut io.outputs[0];
        let in_channels = input.number_of_channels();

        if input.is_silent() && self.ringing_channels == 0 {
            output.make_silent_with_channels(in_channels);
            return false;
        }

        // While only the tail sounds, keep the channel count it rings in.
        let channels = if input.is_silent() {
            in_channels.max(self.ringing_channels)
        } else {
            in_channels
        };
        for s in &mut self.state[channels..self.ringing_channels.max(channels)] {
            *s = [0.0; MAX_IIR_COEFFICIENTS];
        }
        output.set_number_of_channels(channels);

        let order = self.coef.order;
        let b = &self.coef.b[..=order];
        let a = &self.coef.a[..=order];
        for ch in 0..channels {
            let s = &mut self.state[ch][..order];
            let y = output.channel_mut(ch);
            if ch < in_channels && !input.is_silent() {
                for (y, &x) in y.iter_mut().zip(input.channel(ch).iter()) {
                    *y = tick(b, a, s, x as f64) as f32;
                }
            } else {
                for y in y.iter_mut() {
                    *y = tick(b, a, s, 0.0) as f32;
                }
            }
        }

        let mut peak = 0.0f64;
        for s in &mut self.state[..channels] {
            for v in s[..order].iter_mut() {
                if v.abs() < DENORMAL_THRESHOLD {
                    *v = 0.0;
                }
                // NaN (an unstable filter) keeps the node ringing: the spec
                // lets NaN show in the output rather than hiding it.
                peak = if v.is_nan() {
                    f64::INFINITY
                } else {
                    peak.max(v.abs())
                };
            }
        }
        if input.is_silent() && peak < TAIL_THRESHOLD {
            for s in &mut self.state[..channels] {
                *s = [0.0; MAX_IIR_COEFFICIENTS];
            }
            self.ringing_channels = 0;
            false
        } else {
            self.ringing_channels = channels;
            true
        }
    }
}
