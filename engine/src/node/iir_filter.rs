//! IIRFilterNode: a general IIR filter with fixed coefficients (index.bs
//! "IIRFilterNode", "createIIRFilter()").
//!
//! Control side: [`IIRFilterOptions`] (validation), [`IirCoefficients`]
//! (normalisation, stability check, frequency response) and
//! [`get_frequency_response`]. Render side: [`IIRFilterProcessor`]. The node has
//! no AudioParams and takes no messages: its coefficients never change.
//!
//! For the control handle: `IirCoefficients::new(&options)` (which
//! validates), keep a clone for `getFrequencyResponse`, and give the other to
//! `IIRFilterProcessor::new`. `is_stable()` tells whether to warn.

use crate::MAX_CHANNELS;
use crate::block::AudioBlock;
use crate::context::{Context, NodeHandle, NodeSpec};
use crate::error::Error;
use crate::message::EngineEvent;
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

/// Control handle of an IIRFilterNode.
#[derive(Debug, Clone)]
pub struct IIRFilterNode {
    node: NodeHandle,
    /// Kept for `getFrequencyResponse` (the coefficients never change).
    /// Boxed: the handle is cloned and stored in enums of handles.
    coefficients: std::sync::Arc<IirCoefficients>,
}

impl IIRFilterNode {
    /// The constructor (and `createIIRFilter`) after WebIDL conversion: the
    /// spec's TypeError, NotSupportedError and InvalidStateError checks.
    pub fn new(ctx: &Context, options: &IIRFilterOptions) -> Result<Self, Error> {
        let coefficients = IirCoefficients::new(options)?;
        let spec = NodeSpec::new(1, 1, Vec::new());
        let processor = IIRFilterProcessor::new(coefficients.clone());
        let node = ctx.create_node(spec, Box::new(processor))?;
        Ok(Self {
            node,
            coefficients: std::sync::Arc::new(coefficients),
        })
    }

    pub fn node(&self) -> &NodeHandle {
        &self.node
    }

    /// The normalised coefficients.
    pub fn coefficients(&self) -> &IirCoefficients {
        &self.coefficients
    }

    /// `getFrequencyResponse()` (InvalidAccessError when the three lengths
    /// differ).
    pub fn get_frequency_response(
        &self,
        frequency_hz: &[f32],
        mag_response: &mut [f32],
        phase_response: &mut [f32],
    ) -> Result<(), Error> {
        Ok(get_frequency_response(
            &self.coefficients,
            self.node.context().sample_rate(),
            frequency_hz,
            mag_response,
            phase_response,
        )?)
    }
}

/// The render half: transposed direct form II, f64 state, `order` state
/// variables per channel preallocated for [`MAX_CHANNELS`].
pub struct IIRFilterProcessor {
    coef: IirCoefficients,
    state: Box<[[f64; MAX_IIR_COEFFICIENTS]; MAX_CHANNELS]>,
    /// Channels whose state may be non-zero.
    ringing_channels: usize,
    /// `EngineEvent::FilterStateNotFinite` was sent.
    warned_not_finite: bool,
}

impl IIRFilterProcessor {
    /// Built on the control thread (allocates its state here).
    pub fn new(coefficients: IirCoefficients) -> Self {
        Self {
            coef: coefficients,
            state: Box::new([[0.0; MAX_IIR_COEFFICIENTS]; MAX_CHANNELS]),
            ringing_channels: 0,
            warned_not_finite: false,
        }
    }
}

/// One sample through the filter (transposed direct form II) with `N`
/// coefficients; `s[N - 1]` is always zero.
#[inline(always)]
fn tick<const N: usize>(b: &[f64; N], a: &[f64; N], s: &mut [f64; N], x: f64) -> f64 {
    let y = b[0] * x + s[0];
    for k in 1..N {
        s[k - 1] = b[k] * x - a[k] * y + s[k];
    }
    y
}

/// Filters each channel of `state` (missing or silent input channels read
/// as zeros) with `N >= order + 1` coefficients.
#[inline(always)]
fn render<const N: usize>(
    coef: &IirCoefficients,
    state: &mut [[f64; MAX_IIR_COEFFICIENTS]],
    input: &AudioBlock,
    silent: bool,
    output: &mut AudioBlock,
) {
    let mut b = [0.0; N];
    let mut a = [0.0; N];
    b.copy_from_slice(&coef.b[..N]);
    a.copy_from_slice(&coef.a[..N]);
    let in_channels = input.number_of_channels();
    for (ch, st) in state.iter_mut().enumerate() {
        let mut s = [0.0; N];
        // Only the first `order` entries are live; the rest are zero.
        s[..N - 1].copy_from_slice(&st[..N - 1]);
        let y = output.channel_mut(ch);
        if ch < in_channels && !silent {
            for (y, &x) in y.iter_mut().zip(input.channel(ch).iter()) {
                *y = tick(&b, &a, &mut s, x as f64) as f32;
            }
        } else {
            for y in y.iter_mut() {
                *y = tick(&b, &a, &mut s, 0.0) as f32;
            }
        }
        st[..N - 1].copy_from_slice(&s[..N - 1]);
    }
}

impl Processor for IIRFilterProcessor {
    fn process(&mut self, io: ProcessIo<'_>, scope: &RenderScope<'_>) -> bool {
        let input = &io.inputs[0];
        let output = &mut io.outputs[0];
        let Some(channels) =
            super::filter_channels(input, output, &mut self.state[..], self.ringing_channels)
        else {
            return false;
        };

        // Fixed-size kernels (coefficients zero-padded, which leaves the
        // padded state at zero) let the compiler unroll the update and keep
        // the state in registers.
        let silent = input.is_silent();
        let state = &mut self.state[..channels];
        match self.coef.order + 1 {
            0..=3 => render::<3>(&self.coef, state, input, silent, output),
            4..=5 => render::<5>(&self.coef, state, input, silent, output),
            6..=9 => render::<9>(&self.coef, state, input, silent, output),
            _ => render::<MAX_IIR_COEFFICIENTS>(&self.coef, state, input, silent, output),
        }

        let mut peak = 0.0f64;
        let mut finite = true;
        for s in &mut self.state[..channels] {
            let (p, f) = super::settle_filter_state(&mut s[..self.coef.order], DENORMAL_THRESHOLD);
            peak = peak.max(p);
            finite &= f;
        }
        if !finite && !self.warned_not_finite {
            self.warned_not_finite = true;
            scope.post_event(EngineEvent::FilterStateNotFinite(scope.node_id));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RENDER_QUANTUM_SIZE;
    use crate::block::AudioBlock;
    use crate::message::NodeId;
    use crate::node::biquad_filter::{
        BiquadFilterOptions, BiquadFilterProcessor, BiquadFilterType, biquad_coefficients,
    };
    use crate::processor::ParamBlock;
    use crate::processor::testing::TestScope;
    use std::f64::consts::PI;

    const SR: f32 = 48000.0;

    fn opts(ff: &[f64], fb: &[f64]) -> IIRFilterOptions {
        IIRFilterOptions {
            feedforward: ff.to_vec(),
            feedback: fb.to_vec(),
        }
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

    /// The spec's time-domain equation, unnormalised, in f64.
    fn reference(x: &[f32], b: &[f64], a: &[f64]) -> Vec<f64> {
        let mut y = vec![0.0f64; x.len()];
        for n in 0..x.len() {
            let mut acc = 0.0;
            for (k, bk) in b.iter().enumerate().filter(|(k, _)| *k <= n) {
                acc += bk * x[n - k] as f64;
            }
            for (k, ak) in a.iter().enumerate().skip(1).filter(|(k, _)| *k <= n) {
                acc -= ak * y[n - k];
            }
            y[n] = acc / a[0];
        }
        y
    }

    /// Runs the processor over `input` channels; returns outputs and each
    /// quantum's return value.
    fn run(p: &mut dyn Processor, input: &[Vec<f32>]) -> (Vec<Vec<f32>>, Vec<bool>) {
        run_in(&TestScope::new(SR), p, input)
    }

    fn run_in(
        ts: &TestScope,
        p: &mut dyn Processor,
        input: &[Vec<f32>],
    ) -> (Vec<Vec<f32>>, Vec<bool>) {
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
            for (ch, o) in out.iter_mut().enumerate() {
                o.extend_from_slice(outb[0].channel(ch));
            }
        }
        (out, alive)
    }

    fn assert_close(actual: &[f32], expected: &[f64], tol: f64, what: &str) {
        for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
            assert!(
                (a as f64 - e).abs() <= tol * e.abs().max(1.0),
                "{what}: frame {i}: got {a}, expected {e}"
            );
        }
    }

    #[test]
    fn validation_follows_create_iir_filter() {
        let ok = |ff: &[f64], fb: &[f64]| opts(ff, fb).validate();
        assert!(ok(&[1.0], &[1.0]).is_ok());
        let mut twenty = vec![0.0; 20];
        twenty[0] = 1.0;
        assert!(ok(&twenty, &twenty).is_ok());
        let mut long = [0.0; 21];
        long[0] = 1.0;
        for (ff, fb) in [
            (&[][..], &[1.0][..]),
            (&[1.0][..], &[][..]),
            (&long[..], &[1.0][..]),
            (&[1.0][..], &long[..]),
        ] {
            assert!(matches!(ok(ff, fb), Err(NodeError::NotSupported(_))));
        }
        assert!(matches!(
            ok(&[0.0; 10], &[1.0]),
            Err(NodeError::InvalidState(_))
        ));
        assert!(matches!(
            ok(&[1.0], &[0.0, 0.0]),
            Err(NodeError::InvalidState(_))
        ));
        assert!(matches!(
            ok(&[0.5, 0.5], &[0.0]),
            Err(NodeError::InvalidState(_))
        ));
        assert!(matches!(
            ok(&[1.0], &[1.0, f64::INFINITY, f64::NAN]),
            Err(NodeError::Type(_))
        ));
        assert!(matches!(
            ok(&[1.0, f64::NAN], &[1.0]),
            Err(NodeError::Type(_))
        ));
        // Length is checked before values.
        assert!(matches!(
            ok(&[0.0; 21], &[1.0]),
            Err(NodeError::NotSupported(_))
        ));
        assert!(IIR_FILTER_PARAMS.is_empty());
    }

    #[test]
    fn coefficients_are_normalised_by_feedback_0() {
        let c = IirCoefficients::new(&opts(&[2.0, 4.0], &[4.0, 1.0, -2.0])).unwrap();
        assert_eq!(c.feedforward(), &[0.5, 1.0, 0.0]);
        assert_eq!(c.feedback(), &[1.0, 0.25, -0.5]);
    }

    #[test]
    fn output_matches_difference_equation_per_channel() {
        let len = 3 * RENDER_QUANTUM_SIZE;
        // Unequal lengths and a non-unit feedback[0]; poles well inside.
        let b = [0.3, -0.2, 0.1];
        let a = [2.0, -0.9, 0.5, -0.1, 0.05];
        let input = vec![noise(len, 1), noise(len, 2), noise(len, 3)];
        let mut p = IIRFilterProcessor::new(IirCoefficients::new(&opts(&b, &a)).unwrap());
        let (out, alive) = run(&mut p, &input);
        assert!(alive.iter().all(|&v| v));
        for ch in 0..3 {
            assert_close(
                &out[ch],
                &reference(&input[ch], &b, &a),
                1e-6,
                &format!("ch{ch}"),
            );
        }
    }

    #[test]
    fn every_order_matches_difference_equation() {
        let len = 2 * RENDER_QUANTUM_SIZE;
        let input = vec![noise(len, 31), noise(len, 32)];
        for n_ff in 1..=MAX_IIR_COEFFICIENTS {
            for n_fb in [1, n_ff.div_ceil(2), n_ff] {
                // Distinct real poles spread over (-0.8, 0.8): stable and
                // well conditioned at every order.
                let m = n_fb - 1;
                let mut a = vec![3.0];
                for k in 0..m {
                    let pole = 0.8 * (PI * (k as f64 + 0.5) / m as f64).cos();
                    let mut next = vec![0.0; a.len() + 1];
                    for (i, c) in a.iter().enumerate() {
                        next[i] += c;
                        next[i + 1] -= pole * c;
                    }
                    a = next;
                }
                let b: Vec<f64> = (0..n_ff).map(|k| 0.3 / (k as f64 + 1.0)).collect();
                let mut p = IIRFilterProcessor::new(IirCoefficients::new(&opts(&b, &a)).unwrap());
                let (out, _) = run(&mut p, &input);
                for ch in 0..2 {
                    assert_close(
                        &out[ch],
                        &reference(&input[ch], &b, &a),
                        1e-6,
                        &format!("{n_ff} feedforward, {n_fb} feedback, ch{ch}"),
                    );
                }
            }
        }
    }

    #[test]
    fn order_zero_is_a_gain() {
        let x = noise(RENDER_QUANTUM_SIZE, 4);
        let mut p = IIRFilterProcessor::new(IirCoefficients::new(&opts(&[0.5], &[2.0])).unwrap());
        let (out, alive) = run(&mut p, &[x.clone(), vec![0.0; RENDER_QUANTUM_SIZE]]);
        let expected: Vec<f32> = x.iter().map(|v| v * 0.25).collect();
        assert_eq!(out[0], expected);
        assert!(alive[0]);
        // Nothing to ring: a silent quantum ends it.
        let (_, alive) = run(&mut p, &[vec![0.0; RENDER_QUANTUM_SIZE]]);
        assert!(!alive[0]);
    }

    #[test]
    fn same_as_biquad_with_its_coefficients() {
        let len = 4 * RENDER_QUANTUM_SIZE;
        let x = vec![noise(len, 5)];
        let c = biquad_coefficients(BiquadFilterType::Peaking, 2500.0, 4.0, 9.0, SR as f64);
        let mut iir = IIRFilterProcessor::new(
            IirCoefficients::new(&opts(&[c.b0, c.b1, c.b2], &[1.0, c.a1, c.a2])).unwrap(),
        );
        let (a, _) = run(&mut iir, &x);
        let mut bq = BiquadFilterProcessor::new(
            &BiquadFilterOptions {
                type_: BiquadFilterType::Peaking,
                ..Default::default()
            },
            SR,
        );
        let ts = TestScope::new(SR);
        let mut b = Vec::new();
        for q in 0..len / RENDER_QUANTUM_SIZE {
            let mut inb = AudioBlock::new(1);
            inb.channel_mut(0)
                .copy_from_slice(&x[0][q * RENDER_QUANTUM_SIZE..(q + 1) * RENDER_QUANTUM_SIZE]);
            let mut outb = [AudioBlock::new(1)];
            let (f, d, qq, g) = ([2500.0], [0.0], [4.0], [9.0]);
            bq.process(
                ProcessIo {
                    inputs: std::slice::from_ref(&inb),
                    outputs: &mut outb,
                    params: &[
                        ParamBlock::new(&f),
                        ParamBlock::new(&d),
                        ParamBlock::new(&qq),
                        ParamBlock::new(&g),
                    ],
                },
                &ts.scope(0),
            );
            b.extend_from_slice(outb[0].channel(0));
        }
        let b: Vec<f64> = b.iter().map(|&v| v as f64).collect();
        assert_close(&a[0], &b, 1e-6, "iir vs biquad");
    }

    #[test]
    fn tail_rings_then_ends_below_threshold() {
        let len = 300 * RENDER_QUANTUM_SIZE;
        let mut x = vec![0.0f32; len];
        x[3] = 1.0;
        // A resonant pair of poles at radius 0.999.
        let (r, th) = (0.999f64, 0.05f64);
        let b = [1.0, 0.0, -1.0];
        let a = [1.0, -2.0 * r * th.cos(), r * r];
        let mut p = IIRFilterProcessor::new(IirCoefficients::new(&opts(&b, &a)).unwrap());
        let (out, alive) = run(&mut p, &[x.clone()]);
        let refy = reference(&x, &b, &a);
        let stop =
            (alive.iter().position(|&v| !v).expect("tail must end") + 1) * RENDER_QUANTUM_SIZE;
        assert!(stop > 2 * RENDER_QUANTUM_SIZE);
        assert_close(&out[0][..stop], &refy[..stop], 1e-6, "tail");
        let rest = refy[stop..].iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(rest < 1e-7, "cut a tail of {rest}");
        assert!(out[0][stop..].iter().all(|&v| v == 0.0));
    }

    #[test]
    fn unstable_filter_runs_without_panicking_and_keeps_going() {
        let mut x = vec![0.0f32; 40 * RENDER_QUANTUM_SIZE];
        x[0] = 1.0;
        let mut p =
            IIRFilterProcessor::new(IirCoefficients::new(&opts(&[1.0], &[1.0, -1.5])).unwrap());
        let ts = TestScope::new(SR);
        let (out, alive) = run_in(&ts, &mut p, &[x]);
        assert!(alive.iter().all(|&v| v));
        assert!(!out[0].last().unwrap().is_finite());
        // Reported once, for the UA to warn about.
        assert_eq!(
            ts.events.pop(),
            Some(EngineEvent::FilterStateNotFinite(NodeId(0)))
        );
        assert_eq!(ts.events.pop(), None);
    }

    /// Feedback polynomial with the given poles (as `(radius, angle)`;
    /// non-zero angles add the conjugate too).
    fn from_poles(poles: &[(f64, f64)]) -> Vec<f64> {
        let mut p = vec![1.0];
        let mul = |p: &mut Vec<f64>, q: &[f64]| {
            let mut r = vec![0.0; p.len() + q.len() - 1];
            for (i, a) in p.iter().enumerate() {
                for (j, b) in q.iter().enumerate() {
                    r[i + j] += a * b;
                }
            }
            *p = r;
        };
        for &(r, th) in poles {
            if th == 0.0 {
                mul(&mut p, &[1.0, -r]);
            } else {
                mul(&mut p, &[1.0, -2.0 * r * th.cos(), r * r]);
            }
        }
        p
    }

    #[test]
    fn stability_check_finds_poles_outside_the_unit_circle() {
        let stable = |poles: &[(f64, f64)]| {
            IirCoefficients::new(&opts(&[1.0], &from_poles(poles)))
                .unwrap()
                .is_stable()
        };
        assert!(stable(&[]));
        assert!(stable(&[(0.5, 0.0), (0.99, 1.0), (-0.9, 0.0), (0.95, 2.5)]));
        assert!(!stable(&[(0.5, 0.0), (1.01, 1.0)]));
        assert!(!stable(&[(1.0, 0.0)]));
        assert!(!stable(&[(0.3, 0.0), (-1.2, 0.0)]));
        // Trailing zeros are poles at the origin.
        assert!(
            IirCoefficients::new(&opts(&[1.0], &[1.0, -0.5, 0.0, 0.0]))
                .unwrap()
                .is_stable()
        );
    }

    #[test]
    fn frequency_response_matches_transfer_function() {
        let b = [0.2, 0.4, 0.2];
        let a = [1.5, -0.3, 0.2, 0.05];
        let c = IirCoefficients::new(&opts(&b, &a)).unwrap();
        let freqs = [
            0.0f32,
            100.0,
            1000.0,
            7000.0,
            24000.0,
            -0.5,
            24000.5,
            f32::NAN,
        ];
        let mut mag = [0.0f32; 8];
        let mut phase = [0.0f32; 8];
        get_frequency_response(&c, SR, &freqs, &mut mag, &mut phase).unwrap();
        for i in 0..5 {
            let w = PI * freqs[i] as f64 / 24000.0;
            let eval = |k: &[f64]| {
                k.iter().enumerate().fold((0.0, 0.0), |(re, im), (n, &v)| {
                    (re + v * (n as f64 * w).cos(), im - v * (n as f64 * w).sin())
                })
            };
            let (nr, ni) = eval(&b);
            let (dr, di) = eval(&a);
            let m = nr.hypot(ni) / dr.hypot(di);
            let p = ni.atan2(nr) - di.atan2(dr);
            assert!(
                (mag[i] as f64 - m).abs() < 1e-6 * m.max(1.0),
                "mag at {}",
                freqs[i]
            );
            assert!(
                (phase[i] as f64 - p).sin().abs() < 1e-6,
                "phase at {}",
                freqs[i]
            );
        }
        for i in 5..8 {
            assert!(mag[i].is_nan() && phase[i].is_nan());
        }
        let mut short = [0.0f32; 3];
        assert!(matches!(
            get_frequency_response(&c, SR, &freqs, &mut short, &mut phase),
            Err(NodeError::InvalidAccess(_))
        ));
        assert!(matches!(
            get_frequency_response(&c, SR, &freqs, &mut mag, &mut short),
            Err(NodeError::InvalidAccess(_))
        ));
    }

    #[test]
    fn render_path_does_not_allocate_or_free() {
        let ts = TestScope::new(SR);
        let mut ff = vec![0.05; 20];
        ff[0] = 1.0;
        let mut p = IIRFilterProcessor::new(
            IirCoefficients::new(&opts(&ff, &[1.0, -0.5, 0.1, 0.0, 0.02])).unwrap(),
        );
        let mut loud = AudioBlock::new(MAX_CHANNELS);
        for ch in 0..MAX_CHANNELS {
            loud.channel_mut(ch)
                .copy_from_slice(&noise(RENDER_QUANTUM_SIZE, ch as u32));
        }
        let silent = AudioBlock::new(1);
        let mut out = [AudioBlock::new(1)];
        let ((), n) = crate::node::alloc_count::count(|| {
            for input in [&loud, &silent, &loud, &silent] {
                p.process(
                    ProcessIo {
                        inputs: std::slice::from_ref(input),
                        outputs: &mut out,
                        params: &[],
                    },
                    &ts.scope(0),
                );
            }
        });
        assert_eq!(n, 0);
        assert_eq!(out[0].number_of_channels(), MAX_CHANNELS);
    }

    #[test]
    fn control_handle_checks_and_response() {
        let ctx = crate::Context::new_offline(crate::OfflineOptions {
            number_of_channels: 1,
            length: 128,
            sample_rate: 48000.0,
        })
        .unwrap();
        let new = |ff: Vec<f64>, fb: Vec<f64>| {
            IIRFilterNode::new(
                &ctx,
                &IIRFilterOptions {
                    feedforward: ff,
                    feedback: fb,
                },
            )
        };
        assert!(matches!(
            new(vec![], vec![1.0]),
            Err(Error::NotSupported(_))
        ));
        assert!(matches!(
            new(vec![0.0], vec![1.0]),
            Err(Error::InvalidState(_))
        ));
        assert!(matches!(
            new(vec![1.0], vec![0.0]),
            Err(Error::InvalidState(_))
        ));
        assert!(matches!(
            new(vec![f64::NAN], vec![1.0]),
            Err(Error::Type(_))
        ));
        let node = new(vec![1.0, 1.0], vec![2.0, -0.5]).unwrap();
        assert_eq!(node.coefficients().feedforward(), &[0.5, 0.5]);
        assert_eq!(node.coefficients().feedback(), &[1.0, -0.25]);
        let (mut mag, mut phase) = ([0.0f32; 1], [0.0f32; 1]);
        node.get_frequency_response(&[0.0], &mut mag, &mut phase)
            .unwrap();
        // H(1) = (0.5 + 0.5) / (1 - 0.25).
        assert!((mag[0] as f64 - 1.0 / 0.75).abs() < 1e-6);
        assert_eq!(phase[0], 0.0);
        assert!(matches!(
            node.get_frequency_response(&[0.0, 1.0], &mut mag, &mut phase),
            Err(Error::InvalidAccess(_))
        ));
    }
}
