//! Channel up-mixing and down-mixing (spec: "Channel Up-Mixing and
//! Down-Mixing"), and the computedNumberOfChannels rule.
//!
//! Everything here runs on the render thread: no allocation.

use crate::MAX_CHANNELS;
use crate::block::AudioBlock;

/// `AudioNode.channelCountMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChannelCountMode {
    #[default]
    Max,
    ClampedMax,
    Explicit,
}

/// `AudioNode.channelInterpretation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChannelInterpretation {
    #[default]
    Speakers,
    Discrete,
}

/// The three channel attributes of a node, which apply to all its inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelConfig {
    pub count: usize,
    pub mode: ChannelCountMode,
    pub interpretation: ChannelInterpretation,
}

impl Default for ChannelConfig {
    fn default() -> Self {
        Self {
            count: 2,
            mode: ChannelCountMode::Max,
            interpretation: ChannelInterpretation::Speakers,
        }
    }
}

impl ChannelConfig {
    /// computedNumberOfChannels for an input whose connections carry at most
    /// `max_connection_channels` channels (`None`: no connection). An input
    /// without connections is one silent channel whatever the mode.
    pub fn computed_number_of_channels(&self, max_connection_channels: Option<usize>) -> usize {
        let n = match (self.mode, max_connection_channels) {
            (_, None) => 1,
            (ChannelCountMode::Explicit, _) => self.count,
            (ChannelCountMode::Max, Some(m)) => m,
            (ChannelCountMode::ClampedMax, Some(m)) => m.min(self.count),
        };
        n.clamp(1, MAX_CHANNELS)
    }
}

const SQRT_HALF: f32 = std::f32::consts::FRAC_1_SQRT_2;

// Speaker layouts use the spec's channel orderings:
// mono [M], stereo [L, R], quad [L, R, SL, SR], 5.1 [L, R, C, LFE, SL, SR].

/// Adds `src`, mixed to `dst`'s channel count with `interpretation`, into
/// `dst`. `dst` keeps its channel count. Silent sources are skipped.
pub fn mix_add(dst: &mut AudioBlock, src: &AudioBlock, interpretation: ChannelInterpretation) {
    if src.is_silent() {
        return;
    }
    let n_in = src.number_of_channels();
    let n_out = dst.number_of_channels();
    let s = src.channels();
    let d = dst.channels_mut();

    if n_in == n_out {
        for (dc, sc) in d.iter_mut().zip(s) {
            add(dc, sc);
        }
        return;
    }

    if interpretation == ChannelInterpretation::Speakers {
        match (n_in, n_out) {
            // Up-mixing.
            (1, 2) | (1, 4) => {
                add(&mut d[0], &s[0]);
                add(&mut d[1], &s[0]);
                return;
            }
            (1, 6) => {
                add(&mut d[2], &s[0]);
                return;
            }
            (2, 4) | (2, 6) => {
                add(&mut d[0], &s[0]);
                add(&mut d[1], &s[1]);
                return;
            }
            (4, 6) => {
                add(&mut d[0], &s[0]);
                add(&mut d[1], &s[1]);
                add(&mut d[4], &s[2]);
                add(&mut d[5], &s[3]);
                return;
            }
            // Down-mixing.
            (2, 1) => {
                for i in 0..d[0].len() {
                    d[0][i] += 0.5 * (s[0][i] + s[1][i]);
                }
                return;
            }
            (4, 1) => {
                for i in 0..d[0].len() {
                    d[0][i] += 0.25 * (s[0][i] + s[1][i] + s[2][i] + s[3][i]);
                }
                return;
            }
            (6, 1) => {
                for i in 0..d[0].len() {
                    d[0][i] +=
                        SQRT_HALF * (s[0][i] + s[1][i]) + s[2][i] + 0.5 * (s[4][i] + s[5][i]);
                }
                return;
            }
            (4, 2) => {
                let (l, r) = d.split_at_mut(1);
                for i in 0..l[0].len() {
                    l[0][i] += 0.5 * (s[0][i] + s[2][i]);
                    r[0][i] += 0.5 * (s[1][i] + s[3][i]);
                }
                return;
            }
            (6, 2) => {
                let (l, r) = d.split_at_mut(1);
                for i in 0..l[0].len() {
                    l[0][i] += s[0][i] + SQRT_HALF * (s[2][i] + s[4][i]);
                    r[0][i] += s[1][i] + SQRT_HALF * (s[2][i] + s[5][i]);
                }
                return;
            }
            (6, 4) => {
                let (l, rest) = d.split_at_mut(1);
                let (r, rest) = rest.split_at_mut(1);
                for i in 0..l[0].len() {
                    l[0][i] += s[0][i] + SQRT_HALF * s[2][i];
                    r[0][i] += s[1][i] + SQRT_HALF * s[2][i];
                }
                add(&mut rest[0], &s[4]);
                add(&mut rest[1], &s[5]);
                return;
            }
            // Any other layout pair falls back to discrete mixing.
            _ => {}
        }
    }

    // Discrete: copy the channels both have; extra input channels are
    // dropped, extra output channels stay as they were (silence).
    for (dc, sc) in d.iter_mut().zip(s) {
        add(dc, sc);
    }
}

/// Mixes `src` down to mono (speakers rules, as AudioParam inputs are) and
/// adds it into `dst`.
pub fn mix_add_mono(dst: &mut [f32; crate::RENDER_QUANTUM_SIZE], src: &AudioBlock) {
    if src.is_silent() {
        return;
    }
    let s = src.channels();
    match s.len() {
        1 => add(dst, &s[0]),
        2 => {
            for i in 0..dst.len() {
                dst[i] += 0.5 * (s[0][i] + s[1][i]);
            }
        }
        4 => {
            for i in 0..dst.len() {
                dst[i] += 0.25 * (s[0][i] + s[1][i] + s[2][i] + s[3][i]);
            }
        }
        6 => {
            for i in 0..dst.len() {
                dst[i] += SQRT_HALF * (s[0][i] + s[1][i]) + s[2][i] + 0.5 * (s[4][i] + s[5][i]);
            }
        }
        // Other layouts down-mix discretely: only the first channel survives.
        _ => add(dst, &s[0]),
    }
}

#[inline]
fn add(d: &mut [f32; crate::RENDER_QUANTUM_SIZE], s: &[f32; crate::RENDER_QUANTUM_SIZE]) {
    for (a, b) in d.iter_mut().zip(s) {
        *a += *b;
    }
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)]
mod tests {
    use super::*;
    use crate::RENDER_QUANTUM_SIZE as N;

    /// A block whose channel c, frame i holds a distinct value.
    fn ramp_block(channels: usize, seed: f32) -> AudioBlock {
        let mut b = AudioBlock::new(channels);
        for (c, ch) in b.channels_mut().iter_mut().enumerate() {
            for (i, s) in ch.iter_mut().enumerate() {
                *s = seed + (c as f32 + 1.0) * 0.01 + i as f32 * 1e-4 * (c as f32 + 1.0);
            }
        }
        b
    }

    /// The spec's mixing formulas written per frame, independently of the
    /// vectorised implementation above.
    fn reference(input: &[f32], n_out: usize, interp: ChannelInterpretation) -> Vec<f32> {
        let n_in = input.len();
        let h = 0.5f32.sqrt();
        let discrete = |inp: &[f32]| -> Vec<f32> {
            (0..n_out)
                .map(|c| if c < n_in { inp[c] } else { 0.0 })
                .collect()
        };
        if n_in == n_out {
            return input.to_vec();
        }
        if interp == ChannelInterpretation::Discrete {
            return discrete(input);
        }
        let x = input;
        match (n_in, n_out) {
            (1, 2) => vec![x[0], x[0]],
            (1, 4) => vec![x[0], x[0], 0.0, 0.0],
            (1, 6) => vec![0.0, 0.0, x[0], 0.0, 0.0, 0.0],
            (2, 4) => vec![x[0], x[1], 0.0, 0.0],
            (2, 6) => vec![x[0], x[1], 0.0, 0.0, 0.0, 0.0],
            (4, 6) => vec![x[0], x[1], 0.0, 0.0, x[2], x[3]],
            (2, 1) => vec![0.5 * (x[0] + x[1])],
            (4, 1) => vec![0.25 * (x[0] + x[1] + x[2] + x[3])],
            (6, 1) => vec![h * (x[0] + x[1]) + x[2] + 0.5 * (x[4] + x[5])],
            (4, 2) => vec![0.5 * (x[0] + x[2]), 0.5 * (x[1] + x[3])],
            (6, 2) => vec![x[0] + h * (x[2] + x[4]), x[1] + h * (x[2] + x[5])],
            (6, 4) => vec![x[0] + h * x[2], x[1] + h * x[2], x[4], x[5]],
            _ => discrete(input),
        }
    }

    fn close(a: f32, b: f32) -> bool {
        // Only the order of float additions differs from the reference.
        (a - b).abs() <= 1e-6 * (1.0 + b.abs())
    }

    #[test]
    fn every_layout_pair_matches_the_spec_formulas() {
        let counts = [1usize, 2, 3, 4, 5, 6, 8, 32];
        for interp in [
            ChannelInterpretation::Speakers,
            ChannelInterpretation::Discrete,
        ] {
            for &n_in in &counts {
                for &n_out in &counts {
                    let src = ramp_block(n_in, 0.3);
                    let mut dst = AudioBlock::new(n_out);
                    mix_add(&mut dst, &src, interp);
                    assert_eq!(dst.number_of_channels(), n_out);
                    for i in 0..N {
                        let frame: Vec<f32> = (0..n_in).map(|c| src.channel(c)[i]).collect();
                        let want = reference(&frame, n_out, interp);
                        for c in 0..n_out {
                            let got = dst.channel(c)[i];
                            assert!(
                                close(got, want[c]),
                                "{interp:?} {n_in}->{n_out} ch {c} frame {i}: {got} vs {}",
                                want[c]
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn mixing_adds_into_existing_content() {
        let a = ramp_block(2, 0.1);
        let b = ramp_block(1, 0.7);
        let mut dst = AudioBlock::new(2);
        mix_add(&mut dst, &a, ChannelInterpretation::Speakers);
        mix_add(&mut dst, &b, ChannelInterpretation::Speakers);
        for i in 0..N {
            for c in 0..2 {
                let want = a.channel(c)[i] + b.channel(0)[i];
                assert_eq!(dst.channel(c)[i], want);
            }
        }
    }

    #[test]
    fn silent_source_leaves_destination_silent() {
        let src = AudioBlock::new(6);
        let mut dst = AudioBlock::new(2);
        mix_add(&mut dst, &src, ChannelInterpretation::Speakers);
        assert!(dst.is_silent());
    }

    #[test]
    fn mono_downmix_uses_speaker_rules() {
        for n in [1usize, 2, 3, 4, 5, 6, 7] {
            let src = ramp_block(n, -0.2);
            let mut dst = [0.0f32; N];
            mix_add_mono(&mut dst, &src);
            for (i, got) in dst.iter().enumerate() {
                let frame: Vec<f32> = (0..n).map(|c| src.channel(c)[i]).collect();
                let want = reference(&frame, 1, ChannelInterpretation::Speakers)[0];
                assert!(close(*got, want), "{n} channels frame {i}");
            }
        }
    }

    #[test]
    fn computed_number_of_channels_per_mode() {
        let cfg = |count, mode| ChannelConfig {
            count,
            mode,
            interpretation: ChannelInterpretation::Speakers,
        };
        use ChannelCountMode::*;
        for count in 1..=MAX_CHANNELS {
            for max in [None, Some(1), Some(2), Some(5), Some(MAX_CHANNELS)] {
                let m = max.unwrap_or(1);
                assert_eq!(cfg(count, Max).computed_number_of_channels(max), m);
                assert_eq!(
                    cfg(count, ClampedMax).computed_number_of_channels(max),
                    m.min(count)
                );
                let explicit = if max.is_some() { count } else { 1 };
                assert_eq!(
                    cfg(count, Explicit).computed_number_of_channels(max),
                    explicit
                );
            }
        }
    }
}
