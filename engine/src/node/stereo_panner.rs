//! StereoPannerNode: equal-power positioning of a mono or stereo input in a
//! stereo output (index.bs "StereoPannerNode Panning").

use std::f64::consts::FRAC_PI_2;

use crate::context::{
    ChannelConstraints, Context, CountRule, ModeRule, NodeHandle, NodeSpec, ParamHandle,
};
use crate::error::{Error, ErrorKind};
use crate::message::NodeMessage;
use crate::mixing::{ChannelConfig, ChannelCountMode, ChannelInterpretation};
use crate::node::{NodeError, param_from_table};
use crate::processor::{ParamBlock, ProcessIo, Processor, RenderScope};
use crate::{MAX_CHANNELS, RENDER_QUANTUM_SIZE};

/// `dictionary StereoPannerOptions : AudioNodeOptions { float pan = 0; };`
///
/// The AudioNodeOptions members (channelCount 2, channelCountMode
/// "clamped-max", channelInterpretation "speakers" by default) are the
/// graph's; their StereoPanner-specific constraints are checked by
/// [`check_channel_count`] and [`check_channel_count_mode`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StereoPannerOptions {
    pub pan: f32,
}

impl Default for StereoPannerOptions {
    fn default() -> Self {
        Self { pan: 0.0 }
    }
}

/// Default channelCount of a StereoPannerNode.
pub const STEREO_PANNER_CHANNEL_COUNT: u32 = 2;

/// Params in `io.params` order: `io.params[0]` = pan.
/// (name, default, min, max, a-rate)
pub const STEREO_PANNER_PARAMS: &[(&str, f32, f32, f32, bool)] = &[("pan", 0.0, -1.0, 1.0, true)];

/// channelCount setter / constructor option: the general rule (0 or more
/// than the maximum: NotSupportedError) plus the StereoPanner constraint
/// (more than two: NotSupportedError).
pub fn check_channel_count(channel_count: u32) -> Result<(), NodeError> {
    if channel_count == 0 || channel_count as usize > MAX_CHANNELS {
        return Err(NodeError::NotSupported(format!(
            "StereoPannerNode: channelCount {channel_count} is out of range"
        )));
    }
    if channel_count > 2 {
        return Err(NodeError::NotSupported(format!(
            "StereoPannerNode: channelCount {channel_count} is greater than 2"
        )));
    }
    Ok(())
}

/// channelCountMode setter / constructor option: "max" is refused.
pub fn check_channel_count_mode(mode_is_max: bool) -> Result<(), NodeError> {
    if mode_is_max {
        return Err(NodeError::NotSupported(
            "StereoPannerNode: channelCountMode cannot be \"max\"".into(),
        ));
    }
    Ok(())
}

/// Equal-power gains for the already-normalised position `x` in [0, 1].
/// Gains and mixing run in f64 so each output sample is rounded to f32
/// once: the result is within half an ulp of the spec's formula.
#[inline(always)]
fn gains(x: f64) -> (f64, f64) {
    let a = x * FRAC_PI_2;
    (a.cos(), a.sin())
}

/// The spec's clamp to [-1, 1]; a NaN (which automation should never
/// produce) pans to the centre rather than poisoning the output.
#[inline(always)]
fn clamp_pan(pan: f32) -> f64 {
    if pan.is_nan() {
        0.0
    } else {
        pan.clamp(-1.0, 1.0) as f64
    }
}

/// Mono input: x = (pan + 1) / 2.
#[inline(always)]
fn mono_gains(pan: f32) -> (f64, f64) {
    gains((clamp_pan(pan) + 1.0) * 0.5)
}

/// Stereo input: x = pan + 1 for pan <= 0, else pan. Returns the gains and
/// whether the left side is the one being kept whole (pan <= 0).
#[inline(always)]
fn stereo_gains(pan: f32) -> (f64, f64, bool) {
    let pan = clamp_pan(pan);
    if pan <= 0.0 {
        let (l, r) = gains(pan + 1.0);
        (l, r, true)
    } else {
        let (l, r) = gains(pan);
        (l, r, false)
    }
}

/// Render half. One input (1 or 2 channels after the graph's clamped-max
/// mixing), one stereo output, `io.params[0]` = pan (a-rate).
#[derive(Debug, Default)]
pub struct StereoPannerProcessor;

impl StereoPannerProcessor {
    pub fn new() -> Self {
        Self
    }
}

impl Processor for StereoPannerProcessor {
    fn process(&mut self, io: ProcessIo<'_>, _scope: &RenderScope<'_>) -> bool {
        let input = &io.inputs[0];
        let output = &mut io.outputs[0];
        if input.is_silent() {
            output.make_silent_with_channels(2);
            return false;
        }
        let pan: ParamBlock<'_> = io.params[0];
        output.set_number_of_channels(2);
        let (out_l, out_r) = {
            let chans = output.channels_mut();
            let (l, r) = chans.split_at_mut(1);
            (&mut l[0], &mut r[0])
        };

        if input.number_of_channels() == 1 {
            let x = input.channel(0);
            if pan.is_constant() {
                let (gl, gr) = mono_gains(pan.first());
                for i in 0..RENDER_QUANTUM_SIZE {
                    let v = x[i] as f64;
                    out_l[i] = (v * gl) as f32;
                    out_r[i] = (v * gr) as f32;
                }
            } else {
                for i in 0..RENDER_QUANTUM_SIZE {
                    let (gl, gr) = mono_gains(pan.at(i));
                    let v = x[i] as f64;
                    out_l[i] = (v * gl) as f32;
                    out_r[i] = (v * gr) as f32;
                }
            }
        } else {
            // More than two channels cannot reach us (channelCount <= 2 with
            // a mode other than "max"); the first two are used regardless.
            let il = input.channel(0);
            let ir = input.channel(1);
            if pan.is_constant() {
                let (gl, gr, left_whole) = stereo_gains(pan.first());
                if left_whole {
                    for i in 0..RENDER_QUANTUM_SIZE {
                        let (l, r) = (il[i] as f64, ir[i] as f64);
                        out_l[i] = (l + r * gl) as f32;
                        out_r[i] = (r * gr) as f32;
                    }
                } else {
                    for i in 0..RENDER_QUANTUM_SIZE {
                        let (l, r) = (il[i] as f64, ir[i] as f64);
                        out_l[i] = (l * gl) as f32;
                        out_r[i] = (r + l * gr) as f32;
                    }
                }
            } else {
                for i in 0..RENDER_QUANTUM_SIZE {
                    let (gl, gr, left_whole) = stereo_gains(pan.at(i));
                    if left_whole {
                        let (l, r) = (il[i] as f64, ir[i] as f64);
                        out_l[i] = (l + r * gl) as f32;
                        out_r[i] = (r * gr) as f32;
                    } else {
                        let (l, r) = (il[i] as f64, ir[i] as f64);
                        out_l[i] = (l * gl) as f32;
                        out_r[i] = (r + l * gr) as f32;
                    }
                }
            }
        }
        false
    }

    fn handle_message(&mut self, _message: NodeMessage, _scope: &RenderScope<'_>) {}
}

/// Control handle of a StereoPannerNode.
#[derive(Debug, Clone)]
pub struct StereoPannerNode {
    node: NodeHandle,
}

impl StereoPannerNode {
    /// Channel options are applied afterwards through the node's setters,
    /// which enforce the at-most-two-channels and not-"max" rules.
    pub fn new(ctx: &Context, options: StereoPannerOptions) -> Result<Self, Error> {
        let params = STEREO_PANNER_PARAMS
            .iter()
            .map(|&p| param_from_table(p, false))
            .collect();
        let mut spec = NodeSpec::new(1, 1, params);
        spec.channel_config = ChannelConfig {
            count: STEREO_PANNER_CHANNEL_COUNT as usize,
            mode: ChannelCountMode::ClampedMax,
            interpretation: ChannelInterpretation::Speakers,
        };
        spec.constraints = ChannelConstraints {
            count: CountRule::Range {
                max: 2,
                error: ErrorKind::NotSupported,
            },
            mode: ModeRule::NotMax {
                error: ErrorKind::NotSupported,
            },
            interpretation_fixed: None,
        };
        let node = ctx.create_node(spec, Box::new(StereoPannerProcessor::new()))?;
        if options.pan != STEREO_PANNER_PARAMS[0].1 {
            node.param(0).set_value(options.pan)?;
        }
        Ok(Self { node })
    }

    pub fn node(&self) -> &NodeHandle {
        &self.node
    }

    pub fn pan(&self) -> ParamHandle {
        self.node.param(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::AudioBlock;
    use crate::processor::testing::TestScope;

    /// 2^-24: half an f32 ulp, relative.
    const TOL: f64 = 5.960_464_477_539_063e-8;

    fn input(channels: usize) -> AudioBlock {
        let mut b = AudioBlock::new(channels);
        for c in 0..channels {
            for (i, s) in b.channel_mut(c).iter_mut().enumerate() {
                *s = ((i as f32 * 0.37 + c as f32 * 1.3).sin()) * (c as f32 + 1.0);
            }
        }
        b
    }

    /// The spec's algorithm in f64.
    fn reference(inp: &AudioBlock, pan: &[f32]) -> (Vec<f64>, Vec<f64>) {
        let mut l = vec![0.0; RENDER_QUANTUM_SIZE];
        let mut r = vec![0.0; RENDER_QUANTUM_SIZE];
        for i in 0..RENDER_QUANTUM_SIZE {
            let p = pan[if pan.len() == 1 { 0 } else { i }].clamp(-1.0, 1.0) as f64;
            let half_pi = std::f64::consts::FRAC_PI_2;
            if inp.number_of_channels() == 1 {
                let x = (p + 1.0) / 2.0;
                let s = inp.channel(0)[i] as f64;
                l[i] = s * (x * half_pi).cos();
                r[i] = s * (x * half_pi).sin();
            } else {
                let x = if p <= 0.0 { p + 1.0 } else { p };
                let (gl, gr) = ((x * half_pi).cos(), (x * half_pi).sin());
                let (sl, sr) = (inp.channel(0)[i] as f64, inp.channel(1)[i] as f64);
                if p <= 0.0 {
                    l[i] = sl + sr * gl;
                    r[i] = sr * gr;
                } else {
                    l[i] = sl * gl;
                    r[i] = sr + sl * gr;
                }
            }
        }
        (l, r)
    }

    fn run(inp: &AudioBlock, pan: &[f32]) -> AudioBlock {
        let ts = TestScope::new(48000.0);
        let mut p = StereoPannerProcessor::new();
        let mut out = [AudioBlock::new(1)];
        let params = [ParamBlock::new(pan)];
        let tail = p.process(
            ProcessIo {
                inputs: std::slice::from_ref(inp),
                outputs: &mut out,
                params: &params,
            },
            &ts.scope(0),
        );
        assert!(!tail);
        let [out] = out;
        out
    }

    fn check(inp: &AudioBlock, pan: &[f32]) {
        let out = run(inp, pan);
        assert_eq!(out.number_of_channels(), 2);
        let (l, r) = reference(inp, pan);
        for i in 0..RENDER_QUANTUM_SIZE {
            // Within half an ulp of the spec's formula evaluated in f64.
            for (a, e) in [(out.channel(0)[i], l[i]), (out.channel(1)[i], r[i])] {
                let tol = e.abs() * TOL + 1e-30;
                assert!(
                    ((a as f64) - e).abs() <= tol,
                    "[{i}] pan {pan:?}: {a} vs {e}"
                );
            }
        }
    }

    #[test]
    fn mono_and_stereo_constant_pan() {
        for pan in [-1.0, -0.7, -0.25, 0.0, 0.3, 0.9, 1.0, -5.0, 7.0] {
            check(&input(1), &[pan]);
            check(&input(2), &[pan]);
        }
    }

    #[test]
    fn a_rate_pan_sweep() {
        let pan: Vec<f32> = (0..RENDER_QUANTUM_SIZE)
            .map(|i| -1.2 + 2.4 * i as f32 / 127.0)
            .collect();
        check(&input(1), &pan);
        check(&input(2), &pan);
    }

    #[test]
    fn exact_values_at_extremes_and_centre() {
        // Stereo, pan 0: x = 1, gainL = cos(pi/2) (~ -4.4e-8 in f32), gainR = 1:
        // L = inL + inR * cos(pi/2), R = inR exactly.
        let inp = input(2);
        let out = run(&inp, &[0.0]);
        assert_eq!(out.channel(1), inp.channel(1));
        // Mono, pan -1: x = 0, gainL = 1 exactly, gainR = sin(0) = 0 exactly.
        let inp = input(1);
        let out = run(&inp, &[-1.0]);
        assert_eq!(out.channel(0), inp.channel(0));
        assert!(out.channel(1).iter().all(|&s| s == 0.0));
        // Stereo, pan 1: x = 1 so gainL ~ 0 and R = inR + inL * 1.
        let inp = input(2);
        let out = run(&inp, &[1.0]);
        for i in 0..RENDER_QUANTUM_SIZE {
            assert_eq!(out.channel(1)[i], inp.channel(1)[i] + inp.channel(0)[i]);
        }
    }

    #[test]
    fn silent_input_gives_silent_stereo() {
        let out = run(&AudioBlock::new(1), &[0.3]);
        assert!(out.is_silent());
        assert_eq!(out.number_of_channels(), 2);
    }

    #[test]
    fn channel_constraints() {
        assert!(check_channel_count(1).is_ok());
        assert!(check_channel_count(2).is_ok());
        for bad in [0, 3, 32, 99] {
            assert!(matches!(
                check_channel_count(bad),
                Err(NodeError::NotSupported(_))
            ));
        }
        assert!(matches!(
            check_channel_count_mode(true),
            Err(NodeError::NotSupported(_))
        ));
        assert!(check_channel_count_mode(false).is_ok());
        assert_eq!(StereoPannerOptions::default().pan, 0.0);
        assert_eq!(STEREO_PANNER_PARAMS[0], ("pan", 0.0, -1.0, 1.0, true));
    }
}
