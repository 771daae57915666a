//! ChannelSplitterNode: one input, `numberOfOutputs` mono outputs; output `i`
//! carries input channel `i` (silence when the input has fewer channels).

use crate::MAX_CHANNELS;
use crate::context::{ChannelConstraints, Context, CountRule, ModeRule, NodeHandle, NodeSpec};
use crate::error::{Error, ErrorKind};
use crate::mixing::{ChannelConfig, ChannelCountMode, ChannelInterpretation};
use crate::node::NodeError;
use crate::processor::{ProcessIo, Processor, RenderScope};

/// `dictionary ChannelSplitterOptions : AudioNodeOptions { unsigned long numberOfOutputs = 6; };`
///
/// The node's channelCount is fixed to `numberOfOutputs`, its
/// channelCountMode to "explicit" and its channelInterpretation to
/// "discrete"; [`validate_channel_options`] checks the AudioNodeOptions
/// members (and the attribute setters) against that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelSplitterOptions {
    pub number_of_outputs: u32,
}

impl Default for ChannelSplitterOptions {
    fn default() -> Self {
        Self {
            number_of_outputs: 6,
        }
    }
}

impl ChannelSplitterOptions {
    /// `numberOfOutputs` must be in 1..=32 (the supported channel count),
    /// else IndexSizeError.
    pub fn validate(&self) -> Result<(), NodeError> {
        if self.number_of_outputs == 0 || self.number_of_outputs as usize > MAX_CHANNELS {
            return Err(NodeError::IndexSize(format!(
                "ChannelSplitterNode: numberOfOutputs {} is outside 1..={MAX_CHANNELS}",
                self.number_of_outputs
            )));
        }
        Ok(())
    }

    /// The fixed channelCount (= numberOfOutputs).
    pub fn channel_count(&self) -> u32 {
        self.number_of_outputs
    }
}

/// Checks a requested channelCount / channelCountMode / channelInterpretation
/// (constructor options or attribute setters; `None` = not given) against the
/// splitter's fixed values. Any change is an InvalidStateError.
pub fn validate_channel_options(
    number_of_outputs: u32,
    channel_count: Option<u32>,
    mode_is_explicit: Option<bool>,
    interpretation_is_discrete: Option<bool>,
) -> Result<(), NodeError> {
    if let Some(c) = channel_count
        && c != number_of_outputs
    {
        return Err(NodeError::InvalidState(format!(
            "ChannelSplitterNode: channelCount is fixed to {number_of_outputs}"
        )));
    }
    if mode_is_explicit == Some(false) {
        return Err(NodeError::InvalidState(
            "ChannelSplitterNode: channelCountMode is fixed to \"explicit\"".into(),
        ));
    }
    if interpretation_is_discrete == Some(false) {
        return Err(NodeError::InvalidState(
            "ChannelSplitterNode: channelInterpretation is fixed to \"discrete\"".into(),
        ));
    }
    Ok(())
}

/// No AudioParams. (name, default, min, max, a-rate)
pub const CHANNEL_SPLITTER_PARAMS: &[(&str, f32, f32, f32, bool)] = &[];

/// Render half: `io.inputs[0]` arrives with `numberOfOutputs` channels
/// (explicit + discrete mixing); `io.outputs.len()` = numberOfOutputs. No
/// params.
#[derive(Debug, Default)]
pub struct ChannelSplitterProcessor;

impl ChannelSplitterProcessor {
    pub fn new() -> Self {
        Self
    }
}

impl Processor for ChannelSplitterProcessor {
    fn process(&mut self, io: ProcessIo<'_>, _scope: &RenderScope<'_>) -> bool {
        let input = &io.inputs[0];
        let n_in = input.number_of_channels();
        for (i, out) in io.outputs.iter_mut().enumerate() {
            if input.is_silent() || i >= n_in {
                out.make_silent_with_channels(1);
            } else {
                out.set_number_of_channels(1);
                out.channel_mut(0).copy_from_slice(input.channel(i));
            }
        }
        false
    }
}

/// Control handle of a ChannelSplitterNode.
#[derive(Debug, Clone)]
pub struct ChannelSplitterNode {
    node: NodeHandle,
}

impl ChannelSplitterNode {
    /// numberOfOutputs outside 1..=32 is an IndexSizeError; the channel
    /// attributes are fixed (changing them is an InvalidStateError).
    pub fn new(ctx: &Context, options: ChannelSplitterOptions) -> Result<Self, Error> {
        options.validate()?;
        let n = options.number_of_outputs as usize;
        let mut spec = NodeSpec::new(1, n, Vec::new());
        spec.channel_config = ChannelConfig {
            count: options.channel_count() as usize,
            mode: ChannelCountMode::Explicit,
            interpretation: ChannelInterpretation::Discrete,
        };
        spec.constraints = ChannelConstraints {
            count: CountRule::Fixed {
                error: ErrorKind::InvalidState,
            },
            mode: ModeRule::Fixed {
                error: ErrorKind::InvalidState,
            },
            interpretation_fixed: Some(ErrorKind::InvalidState),
        };
        let node = ctx.create_node(spec, Box::new(ChannelSplitterProcessor::new()))?;
        Ok(Self { node })
    }

    pub fn node(&self) -> &NodeHandle {
        &self.node
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::AudioBlock;
    use crate::processor::testing::TestScope;

    #[test]
    fn routes_each_channel_to_its_output() {
        let ts = TestScope::new(44100.0);
        let mut input = AudioBlock::new(3);
        for c in 0..3 {
            for (i, s) in input.channel_mut(c).iter_mut().enumerate() {
                *s = (c * 1000 + i) as f32;
            }
        }
        let mut outs: Vec<AudioBlock> = (0..5).map(|_| AudioBlock::new(2)).collect();
        // A previous non-silent quantum on output 4 must not leak.
        outs[4].channel_mut(0)[0] = 1.0;
        let mut p = ChannelSplitterProcessor::new();
        let tail = p.process(
            ProcessIo {
                inputs: std::slice::from_ref(&input),
                outputs: &mut outs,
                params: &[],
            },
            &ts.scope(0),
        );
        assert!(!tail);
        for (c, out) in outs.iter().enumerate() {
            assert_eq!(out.number_of_channels(), 1);
            if c < 3 {
                assert_eq!(out.channel(0), input.channel(c));
            } else {
                assert!(out.is_silent() && out.is_all_zero());
            }
        }
    }

    #[test]
    fn silent_input_gives_silent_outputs() {
        let ts = TestScope::new(44100.0);
        let input = AudioBlock::new(6);
        let mut outs: Vec<AudioBlock> = (0..6).map(|_| AudioBlock::new(1)).collect();
        ChannelSplitterProcessor::new().process(
            ProcessIo {
                inputs: std::slice::from_ref(&input),
                outputs: &mut outs,
                params: &[],
            },
            &ts.scope(0),
        );
        assert!(outs.iter().all(|o| o.is_silent()));
    }

    #[test]
    fn options_and_fixed_channel_rules() {
        let d = ChannelSplitterOptions::default();
        assert_eq!(d.number_of_outputs, 6);
        assert_eq!(d.channel_count(), 6);
        assert!(d.validate().is_ok());
        for ok in [1, 9, 32] {
            assert!(
                ChannelSplitterOptions {
                    number_of_outputs: ok
                }
                .validate()
                .is_ok()
            );
        }
        for bad in [0, 33, 99] {
            assert!(matches!(
                ChannelSplitterOptions {
                    number_of_outputs: bad
                }
                .validate(),
                Err(NodeError::IndexSize(_))
            ));
        }
        assert!(validate_channel_options(6, Some(6), Some(true), Some(true)).is_ok());
        assert!(validate_channel_options(6, None, None, None).is_ok());
        assert!(matches!(
            validate_channel_options(6, Some(3), None, None),
            Err(NodeError::InvalidState(_))
        ));
        assert!(matches!(
            validate_channel_options(6, None, Some(false), None),
            Err(NodeError::InvalidState(_))
        ));
        assert!(matches!(
            validate_channel_options(6, None, None, Some(false)),
            Err(NodeError::InvalidState(_))
        ));
    }
}
