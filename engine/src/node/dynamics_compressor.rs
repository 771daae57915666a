//! DynamicsCompressorNode: the spec's look-ahead compressor (6 ms pre-delay,
//! EnvelopeFollower, makeup gain).
//!
//! The spec fixes the algorithm's structure and leaves some curve shapes to
//! the implementation within stated constraints. The choices made here:
//! - knee: a quadratic in dB over [threshold, threshold + knee] (slope 1 at
//!   the threshold, 1/ratio at the knee's end, so the curve is continuous,
//!   C1 and monotonic), then slope 1/ratio;
//! - detector curve: `0.1 + 0.9 * attenuation` (continuous, increasing, in
//!   [0.1, 1]): unattenuated input resets the detector at once, heavy
//!   compression is averaged over ~10 frames;
//! - envelope rate: the gain falls by at most 10 dB per `attack` seconds
//!   toward the detector average and rises by exactly 10 dB per `release`
//!   seconds, which is what the two params are defined as;
//! - a stereo input drives one linked detector with max(|L|, |R|);
//! - `reduction` meters the compressor gain without the makeup gain, because
//!   the attribute must read 0 for no signal (the makeup gain alone would
//!   read as positive "reduction").

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::RENDER_QUANTUM_SIZE;
use crate::context::{Context, NodeHandle, NodeSpec, ParamHandle};
use crate::error::Error;
use crate::mixing::{ChannelConfig, ChannelCountMode, ChannelInterpretation};
use crate::node::NodeError;
use crate::param::{AutomationRate, ParamDescriptor};
use crate::processor::{ProcessIo, Processor, RenderScope};

const Q: usize = RENDER_QUANTUM_SIZE;

/// The fixed look-ahead delay, in seconds.
pub const PRE_DELAY: f64 = 0.006;

/// `DynamicsCompressorOptions` (the `AudioNodeOptions` members are the
/// graph's: channelCount 2, "clamped-max", "speakers"):
///
/// ```webidl
/// dictionary DynamicsCompressorOptions : AudioNodeOptions {
///     float attack = 0.003;
///     float knee = 30;
///     float ratio = 12;
///     float release = 0.25;
///     float threshold = -24;
/// };
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DynamicsCompressorOptions {
    pub attack: f32,
    pub knee: f32,
    pub ratio: f32,
    pub release: f32,
    pub threshold: f32,
}

impl Default for DynamicsCompressorOptions {
    fn default() -> Self {
        Self {
            attack: 0.003,
            knee: 30.0,
            ratio: 12.0,
            release: 0.25,
            threshold: -24.0,
        }
    }
}

/// `io.params` order and descriptors: (name, default, min, max, a-rate). All
/// five are k-rate and may not be switched to a-rate.
pub const DYNAMICS_COMPRESSOR_PARAMS: &[(&str, f32, f32, f32, bool)] = &[
    ("threshold", -24.0, -100.0, 0.0, false),
    ("knee", 30.0, 0.0, 40.0, false),
    ("ratio", 12.0, 1.0, 20.0, false),
    ("attack", 0.003, 0.0, 1.0, false),
    ("release", 0.25, 0.0, 1.0, false),
];

/// channelCount setter / constructor check.
pub fn validate_channel_count(channel_count: u32) -> Result<(), NodeError> {
    super::check_channel_count_at_most_two("DynamicsCompressorNode", channel_count)
}

/// channelCountMode setter / constructor check.
pub fn validate_channel_count_mode(mode_is_max: bool) -> Result<(), NodeError> {
    super::check_channel_count_mode_not_max("DynamicsCompressorNode", mode_is_max)
}

/// The params' automationRate may not become "a-rate".
pub fn validate_automation_rate(a_rate: bool) -> Result<(), NodeError> {
    if a_rate {
        return Err(NodeError::InvalidState(
            "DynamicsCompressorNode params must stay k-rate".into(),
        ));
    }
    Ok(())
}

/// The five params as graph descriptors: k-rate, with the rate fixed
/// (setting "a-rate" throws InvalidStateError).
pub fn param_descriptors() -> Vec<ParamDescriptor> {
    DYNAMICS_COMPRESSOR_PARAMS
        .iter()
        .map(|&(name, default_value, min, max, _)| {
            ParamDescriptor::new(name, default_value)
                .with_range(min, max)
                .with_rate(AutomationRate::KRate)
                .rate_fixed()
        })
        .collect()
}

/// Control handle of a DynamicsCompressorNode.
#[derive(Debug, Clone)]
pub struct DynamicsCompressorNode {
    node: NodeHandle,
    reduction: Arc<CompressorReduction>,
}

impl DynamicsCompressorNode {
    /// The constructor with the node's default channel attributes (2,
    /// "clamped-max", "speakers"); the options set the params' values.
    pub fn new(ctx: &Context, options: DynamicsCompressorOptions) -> Result<Self, Error> {
        let mut spec = NodeSpec::new(1, 1, param_descriptors());
        spec.constraints = super::at_most_two_not_max();
        spec.channel_config = ChannelConfig {
            count: 2,
            mode: ChannelCountMode::ClampedMax,
            interpretation: ChannelInterpretation::Speakers,
        };
        let (processor, reduction) = DynamicsCompressorProcessor::new(ctx.sample_rate());
        let node = ctx.create_node(spec, Box::new(processor))?;
        let values = [
            options.threshold,
            options.knee,
            options.ratio,
            options.attack,
            options.release,
        ];
        for (i, v) in values.into_iter().enumerate() {
            if v != DYNAMICS_COMPRESSOR_PARAMS[i].1 {
                node.param(i).set_value(v)?;
            }
        }
        Ok(Self { node, reduction })
    }

    pub fn node(&self) -> &NodeHandle {
        &self.node
    }

    pub fn threshold(&self) -> ParamHandle {
        self.node.param(0)
    }

    pub fn knee(&self) -> ParamHandle {
        self.node.param(1)
    }

    pub fn ratio(&self) -> ParamHandle {
        self.node.param(2)
    }

    pub fn attack(&self) -> ParamHandle {
        self.node.param(3)
    }

    pub fn release(&self) -> ParamHandle {
        self.node.param(4)
    }

    /// `reduction`: the gain reduction (dB) of the last rendered quantum.
    pub fn reduction(&self) -> f32 {
        self.reduction.get()
    }
}

/// The static compression curve for one block's k-rate values, in dB.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompressionCurve {
    threshold: f32,
    knee: f32,
    slope: f32,
    /// Output level at the knee's end.
    knee_end_out: f32,
}

impl CompressionCurve {
    pub fn new(threshold: f32, knee: f32, ratio: f32) -> Self {
        let knee = knee.max(0.0);
        let slope = 1.0 / ratio.max(1.0);
        Self {
            threshold,
            knee,
            slope,
            knee_end_out: threshold + knee + (slope - 1.0) * knee * 0.5,
        }
    }

    /// Output level (dB) for an input level (dB).
    #[inline]
    pub fn apply_db(&self, x: f32) -> f32 {
        if x <= self.threshold {
            x
        } else if x < self.threshold + self.knee {
            let d = x - self.threshold;
            x + (self.slope - 1.0) * d * d / (2.0 * self.knee)
        } else {
            self.knee_end_out + (x - self.threshold - self.knee) * self.slope
        }
    }

    /// The spec's "applying the compression curve" to a linear magnitude.
    #[inline]
    pub fn apply_linear(&self, x: f32) -> f32 {
        x * self.attenuation(x)
    }

    /// `apply_linear(x) / x`, computed in dB so that it is exactly 1 below
    /// the threshold (10^0), whatever the rounding of log10.
    #[inline]
    pub fn attenuation(&self, x: f32) -> f32 {
        let db = linear_to_db(x);
        db_to_linear(self.apply_db(db) - db)
    }

    /// The spec's "computing the makeup gain".
    pub fn makeup_gain(&self) -> f32 {
        let full_range_gain = self.apply_linear(1.0);
        (1.0 / full_range_gain).powf(0.6)
    }
}

/// The spec's linear-to-decibel conversion (0 maps to -1000).
#[inline]
pub fn linear_to_db(v: f32) -> f32 {
    if v == 0.0 { -1000.0 } else { 20.0 * v.log10() }
}

#[inline]
pub fn db_to_linear(v: f32) -> f32 {
    10f32.powf(v / 20.0)
}

/// The value the JS thread reads as `reduction` (dB), written by the render
/// thread once per quantum.
#[derive(Debug, Default)]
pub struct CompressorReduction(AtomicU32);

impl CompressorReduction {
    pub fn get(&self) -> f32 {
        f32::from_bits(self.0.load(Ordering::Relaxed))
    }

    fn set(&self, v: f32) {
        self.0.store(v.to_bits(), Ordering::Relaxed);
    }
}

/// The render half. Params: `[threshold, knee, ratio, attack, release]`.
/// Output channels = input channels (1 or 2).
pub struct DynamicsCompressorProcessor {
    sample_rate: f32,
    reduction: Arc<CompressorReduction>,
    detector_average: f32,
    compressor_gain: f32,
    /// Whole and fractional frames of the pre-delay.
    delay_whole: usize,
    delay_frac: f32,
    /// Two channels of delay line; a mono input is written to both so a
    /// later switch to stereo finds its history up-mixed.
    line: [Vec<f32>; 2],
    mask: usize,
    write: usize,
    /// Frames of non-silent delayed signal still to come out.
    tail_left: usize,
    channels: usize,
    gains: [f32; Q],
}

impl DynamicsCompressorProcessor {
    /// Returns the processor and the shared `reduction` slot for the handle.
    pub fn new(sample_rate: f32) -> (Self, Arc<CompressorReduction>) {
        let delay = PRE_DELAY * sample_rate as f64;
        let delay_whole = delay.floor() as usize;
        let delay_frac = (delay - delay.floor()) as f32;
        let len = (delay_whole + 2 + Q).next_power_of_two();
        let reduction = Arc::new(CompressorReduction::default());
        (
            Self {
                sample_rate,
                reduction: reduction.clone(),
                detector_average: 0.0,
                compressor_gain: 1.0,
                delay_whole,
                delay_frac,
                line: [vec![0.0; len], vec![0.0; len]],
                mask: len - 1,
                write: 0,
                tail_left: 0,
                channels: 1,
                gains: [1.0; Q],
            },
            reduction,
        )
    }

    /// Frames of look-ahead delay (possibly fractional).
    pub fn delay_frames(&self) -> f64 {
        self.delay_whole as f64 + self.delay_frac as f64
    }
}

impl Processor for DynamicsCompressorProcessor {
    fn process(&mut self, io: ProcessIo<'_>, _scope: &RenderScope<'_>) -> bool {
        let input = &io.inputs[0];
        let silent_in = input.is_silent();
        if silent_in && self.tail_left == 0 && self.compressor_gain == 1.0 {
            // Nothing delayed, nothing to release: the fast path. The
            // detector still sees silence (attenuation 1).
            self.detector_average = 1.0;
            self.reduction.set(0.0);
            io.outputs[0].make_silent_with_channels(self.channels);
            return false;
        }
        // Whether delayed non-silent input can reach this quantum's output.
        let delayed_signal = !silent_in || self.tail_left > 0;
        if !silent_in {
            self.channels = input.number_of_channels().clamp(1, 2);
            // The last input frame comes out delay_whole (+1 through the
            // interpolation) frames after this quantum.
            self.tail_left = self.delay_whole + 1;
        }
        let p = io.params;
        let curve = CompressionCurve::new(p[0].first(), p[1].first(), p[2].first());
        let makeup = curve.makeup_gain();
        let sr = self.sample_rate;
        let attack_frames = p[3].first() * sr;
        let release_frames = p[4].first() * sr;
        // 10 dB per attack/release time, as per-frame factors.
        let attack_step = if attack_frames > 0.0 {
            db_to_linear(-10.0 / attack_frames)
        } else {
            0.0
        };
        let release_step = if release_frames > 0.0 {
            db_to_linear(10.0 / release_frames)
        } else {
            f32::INFINITY
        };

        // Write the input into the delay line.
        let len = self.line[0].len();
        for k in 0..Q {
            let idx = (self.write + k) & self.mask;
            let (l, r) = if silent_in {
                (0.0, 0.0)
            } else if input.number_of_channels() >= 2 {
                (input.channel(0)[k], input.channel(1)[k])
            } else {
                let m = input.channel(0)[k];
                (m, m)
            };
            self.line[0][idx] = l;
            self.line[1][idx] = r;
        }

        // The EnvelopeFollower.
        let mut avg = self.detector_average;
        let mut gain = self.compressor_gain;
        for k in 0..Q {
            let level = if silent_in {
                0.0
            } else {
                let mut m = input.channel(0)[k].abs();
                if input.number_of_channels() >= 2 {
                    m = m.max(input.channel(1)[k].abs());
                }
                m
            };
            let attenuation = if level < 0.0001 {
                1.0
            } else {
                curve.attenuation(level)
            };
            let releasing = attenuation > gain;
            let detector_rate = 0.1 + 0.9 * attenuation.clamp(0.0, 1.0);
            avg += (attenuation - avg) * detector_rate;
            avg = avg.min(1.0);
            if releasing {
                gain = (gain * release_step).min(1.0);
            } else if avg < gain {
                // Move toward the average, by at most 10 dB per attack time:
                // as a rate on (avg - gain) this is (1 - step) / (1 - avg/gain),
                // increasing in avg/gain and clamped to [0, 1].
                gain = (gain * attack_step).max(avg);
            } else {
                gain = avg.min(gain * release_step);
            }
            self.gains[k] = gain * makeup;
        }
        // Denormal-free by construction: gain is floored by the detector
        // average, which stays >= the smallest attenuation the curve gives.
        self.detector_average = avg;
        self.compressor_gain = gain;
        self.reduction.set(linear_to_db(gain));

        // Delayed input times the reduction gain (the spec's DelayNode ->
        // GainNode), linearly interpolated for a fractional delay.
        let out = &mut io.outputs[0];
        out.set_number_of_channels(self.channels);
        let frac = self.delay_frac;
        for (c, dst) in out.channels_mut().iter_mut().enumerate() {
            let line = &self.line[c];
            for (k, o) in dst.iter_mut().enumerate() {
                let pos = self.write + k + len - self.delay_whole;
                let a = line[pos & self.mask];
                let b = line[(pos - 1) & self.mask];
                *o = (a + (b - a) * frac) * self.gains[k];
            }
        }
        self.write = (self.write + Q) & self.mask;
        if silent_in {
            self.tail_left = self.tail_left.saturating_sub(Q);
        }
        if !delayed_signal {
            // The delay line held only zeros: keep the silent fast path.
            out.make_silent();
        }
        self.tail_left > 0 || self.compressor_gain < 1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::AudioBlock;
    use crate::processor::ParamBlock;
    use crate::processor::testing::TestScope;

    struct Rig {
        ts: TestScope,
        p: DynamicsCompressorProcessor,
        reduction: Arc<CompressorReduction>,
        params: [f32; 5],
        frame: u64,
    }

    impl Rig {
        fn new(sr: f32) -> Self {
            let (p, reduction) = DynamicsCompressorProcessor::new(sr);
            let mut params = [0.0; 5];
            for (v, d) in params.iter_mut().zip(DYNAMICS_COMPRESSOR_PARAMS) {
                *v = d.1;
            }
            Self {
                ts: TestScope::new(sr),
                p,
                reduction,
                params,
                frame: 0,
            }
        }

        fn run(&mut self, input: &[Vec<f32>]) -> (Vec<Vec<f32>>, Vec<bool>) {
            let n = input[0].len() / Q;
            let mut out = vec![Vec::new(); input.len()];
            let mut alive = Vec::new();
            for q in 0..n {
                let mut inb = AudioBlock::new(input.len());
                if input
                    .iter()
                    .any(|c| c[q * Q..][..Q].iter().any(|&v| v != 0.0))
                {
                    for (c, data) in input.iter().enumerate() {
                        inb.channel_mut(c).copy_from_slice(&data[q * Q..][..Q]);
                    }
                }
                let pb: Vec<ParamBlock> = self
                    .params
                    .iter()
                    .map(std::slice::from_ref)
                    .map(ParamBlock::new)
                    .collect();
                let mut outb = [AudioBlock::new(1)];
                alive.push(self.p.process(
                    ProcessIo {
                        inputs: &[inb],
                        outputs: &mut outb,
                        params: &pb,
                    },
                    &self.ts.scope(self.frame),
                ));
                self.frame += Q as u64;
                for (c, o) in out.iter_mut().enumerate() {
                    let c = c.min(outb[0].number_of_channels() - 1);
                    o.extend_from_slice(outb[0].channel(c));
                }
            }
            (out, alive)
        }
    }

    #[test]
    fn params_and_options_follow_the_spec() {
        let o = DynamicsCompressorOptions::default();
        let names: Vec<_> = DYNAMICS_COMPRESSOR_PARAMS.iter().map(|p| p.0).collect();
        assert_eq!(names, ["threshold", "knee", "ratio", "attack", "release"]);
        let defaults: Vec<_> = DYNAMICS_COMPRESSOR_PARAMS.iter().map(|p| p.1).collect();
        assert_eq!(
            defaults,
            [o.threshold, o.knee, o.ratio, o.attack, o.release]
        );
        assert!(DYNAMICS_COMPRESSOR_PARAMS.iter().all(|p| !p.4));
        assert!(validate_channel_count(3).is_err());
        assert!(validate_channel_count(1).is_ok());
        assert!(validate_channel_count_mode(true).is_err());
        assert!(validate_automation_rate(true).is_err());
    }

    #[test]
    fn curve_is_identity_then_knee_then_one_over_ratio() {
        let c = CompressionCurve::new(-24.0, 30.0, 12.0);
        assert_eq!(c.apply_db(-50.0), -50.0);
        assert_eq!(c.apply_db(-24.0), -24.0);
        // Continuity at the knee end and slope 1/ratio beyond it.
        let end = c.apply_db(6.0);
        assert!((c.apply_db(6.0 + 1e-3) - end).abs() < 1e-3);
        assert!((c.apply_db(18.0) - end - 1.0).abs() < 1e-4);
        // Monotonic everywhere.
        let mut prev = f32::NEG_INFINITY;
        for i in 0..2000 {
            let x = -100.0 + i as f32 * 0.1;
            let y = c.apply_db(x);
            assert!(y >= prev);
            prev = y;
        }
        // Hard knee.
        let h = CompressionCurve::new(-20.0, 0.0, 4.0);
        assert_eq!(h.apply_db(-20.0), -20.0);
        assert!((h.apply_db(-12.0) - -18.0).abs() < 1e-5);
    }

    #[test]
    fn makeup_gain_is_the_inverse_full_range_gain_to_the_point_six() {
        // Defaults: 0 dB is inside the knee: -(1 - 1/12) * 24^2 / (2 * 30) dB.
        let y = -(1.0 - 1.0 / 12.0) * 24.0f64 * 24.0 / 60.0;
        let expected = (1.0 / 10f64.powf(y / 20.0)).powf(0.6);
        let got = CompressionCurve::new(-24.0, 30.0, 12.0).makeup_gain() as f64;
        assert!(
            (got - expected).abs() < 1e-5 * expected,
            "{got} vs {expected}"
        );
    }

    #[test]
    fn quiet_signal_is_delayed_6ms_and_made_up() {
        let mut rig = Rig::new(48000.0);
        let x: Vec<f32> = (0..20 * Q)
            .map(|i| 0.01 * ((i as f32) * 0.1).sin())
            .collect();
        let (out, _) = rig.run(std::slice::from_ref(&x));
        let makeup = CompressionCurve::new(-24.0, 30.0, 12.0).makeup_gain();
        let d = 288; // 0.006 * 48000
        for i in 0..out[0].len() {
            let e = if i >= d { x[i - d] * makeup } else { 0.0 };
            assert!(
                (out[0][i] - e).abs() < 1e-7,
                "frame {i}: {} vs {e}",
                out[0][i]
            );
        }
        assert_eq!(rig.reduction.get(), 0.0);
    }

    #[test]
    fn fractional_pre_delay_interpolates_linearly() {
        let mut rig = Rig::new(44100.0);
        assert!((rig.p.delay_frames() - 264.6).abs() < 1e-5);
        let mut x = vec![0.0f32; 4 * Q];
        x[10] = 0.001; // below 0.0001? no: above, but far below threshold
        let (out, _) = rig.run(&[x]);
        let makeup = CompressionCurve::new(-24.0, 30.0, 12.0).makeup_gain();
        assert!((out[0][274] - 0.4 * 0.001 * makeup).abs() < 1e-8);
        assert!((out[0][275] - 0.6 * 0.001 * makeup).abs() < 1e-8);
        let rest: f32 = out[0]
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 274 && *i != 275)
            .map(|(_, v)| v.abs())
            .sum();
        assert_eq!(rest, 0.0);
    }

    #[test]
    fn loud_signal_settles_on_the_static_curve_with_timed_attack_and_release() {
        let sr = 48000.0;
        let mut rig = Rig::new(sr);
        rig.params[0] = -40.0; // threshold
        rig.params[1] = 0.0; // hard knee
        rig.params[2] = 3.0; // ratio
        rig.params[3] = 0.1; // attack: 10 dB per 100 ms
        rig.params[4] = 0.2; // release: 10 dB per 200 ms
        let curve = CompressionCurve::new(-40.0, 0.0, 3.0);
        // Square-ish constant-magnitude signal at 0 dBFS: 40 dB over the
        // threshold, so the static curve asks for 40 * (1 - 1/3) = 26.67 dB.
        let n = (sr as usize / Q) * Q; // ~1 s
        let x: Vec<f32> = (0..n)
            .map(|i| if (i / 50) % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        let (_, _) = rig.run(&[x[..29 * Q].to_vec()]);
        // After 0.1 s (3750 frames, rounded to quanta) the gain fell ~10 dB.
        let r = rig.reduction.get();
        let frames = (29 * Q) as f32;
        let expected = -10.0 * frames / (0.1 * sr);
        assert!((r - expected).abs() < 0.05, "reduction {r} vs {expected}");
        let (out, _) = rig.run(&[x[..n - 29 * Q].to_vec()]);
        let target = curve.apply_db(0.0); // -26.67 dB
        assert!(
            (rig.reduction.get() - target).abs() < 5e-3,
            "{} vs {target}",
            rig.reduction.get()
        );
        let makeup = curve.makeup_gain();
        let last = *out[0].last().unwrap();
        let expected = db_to_linear(target) * makeup;
        assert!((last.abs() - expected).abs() < 1e-3 * expected);
        // Release: silence -> the gain rises 10 dB per 200 ms.
        let (_, alive) = rig.run(&[vec![0.0; 75 * Q]]); // 0.2 s
        let r = rig.reduction.get();
        let expected = target + 10.0 * (75 * Q) as f32 / (0.2 * sr);
        assert!((r - expected).abs() < 0.05, "release {r} vs {expected}");
        assert!(alive.iter().all(|&a| a), "still releasing");
        let (_, alive) = rig.run(&[vec![0.0; 200 * Q]]);
        assert_eq!(rig.reduction.get(), 0.0);
        assert!(!alive.last().unwrap());
    }

    #[test]
    fn stereo_detector_is_linked_and_channels_pass_through() {
        let mut rig = Rig::new(48000.0);
        let l = vec![0.9f32; 10 * Q];
        let r = vec![0.0f32; 10 * Q];
        let (out, _) = rig.run(&[l, r]);
        // Right stays silent, left is compressed by the level of the left.
        assert!(out[1].iter().all(|&v| v == 0.0));
        let curve = CompressionCurve::new(-24.0, 30.0, 12.0);
        let expected = curve.apply_linear(0.9) * curve.makeup_gain();
        let last = *out[0].last().unwrap();
        assert!((last - expected).abs() < 1e-4, "{last} vs {expected}");
    }

    #[test]
    fn tail_covers_the_pre_delay_then_goes_quiet() {
        let mut rig = Rig::new(48000.0);
        let mut x = vec![0.0f32; 8 * Q];
        x[Q - 1] = 0.001;
        let (out, alive) = rig.run(&[x]);
        let makeup = CompressionCurve::new(-24.0, 30.0, 12.0).makeup_gain();
        assert!((out[0][Q - 1 + 288] - 0.001 * makeup).abs() < 1e-9);
        assert!(alive[0] && alive[1] && alive[2]);
        assert!(!alive[4]);
    }
}
