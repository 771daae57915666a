//! ChannelMergerNode: `numberOfInputs` inputs, each down-mixed to mono, become
//! the channels of one output, in input order.

use crate::MAX_CHANNELS;
use crate::context::{ChannelConstraints, Context, CountRule, ModeRule, NodeHandle, NodeSpec};
use crate::error::{Error, ErrorKind};
use crate::mixing::{ChannelConfig, ChannelCountMode, ChannelInterpretation};
use crate::node::NodeError;
use crate::processor::{ProcessIo, Processor, RenderScope};

/// `dictionary ChannelMergerOptions : AudioNodeOptions { unsigned long numberOfInputs = 6; };`
///
/// channelCount is fixed to 1 and channelCountMode to "explicit"
/// (channelInterpretation is free, default "speakers"); see
/// [`validate_channel_options`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelMergerOptions {
    pub number_of_inputs: u32,
}

impl Default for ChannelMergerOptions {
    fn default() -> Self {
        Self {
            number_of_inputs: 6,
        }
    }
}

impl ChannelMergerOptions {
    /// `numberOfInputs` must be in 1..=32, else IndexSizeError.
    pub fn validate(&self) -> Result<(), NodeError> {
        if self.number_of_inputs == 0 || self.number_of_inputs as usize > MAX_CHANNELS {
            return Err(NodeError::IndexSize(format!(
                "ChannelMergerNode: numberOfInputs {} is outside 1..={MAX_CHANNELS}",
                self.number_of_inputs
            )));
        }
        Ok(())
    }
}

/// The fixed channelCount of every merger input.
pub const CHANNEL_MERGER_CHANNEL_COUNT: u32 = 1;

/// Checks a requested channelCount / channelCountMode (constructor options or
/// attribute setters; `None` = not given): any change from 1 / "explicit" is
/// an InvalidStateError.
pub fn validate_channel_options(
    channel_count: Option<u32>,
    mode_is_explicit: Option<bool>,
) -> Result<(), NodeError> {
    if let Some(c) = channel_count
        && c != CHANNEL_MERGER_CHANNEL_COUNT
    {
        return Err(NodeError::InvalidState(
            "ChannelMergerNode: channelCount is fixed to 1".into(),
        ));
    }
    if mode_is_explicit == Some(false) {
        return Err(NodeError::InvalidState(
            "ChannelMergerNode: channelCountMode is fixed to \"explicit\"".into(),
        ));
    }
    Ok(())
}

/// No AudioParams. (name, default, min, max, a-rate)
pub const CHANNEL_MERGER_PARAMS: &[(&str, f32, f32, f32, bool)] = &[];

/// Render half: `io.inputs` (one block per input, each already mixed to one
/// channel), one output of `io.inputs.len()` channels. No params.
///
/// The spec makes the output a single silent channel when no input is
/// actively processing; the processor cannot see "actively processing", so
/// it uses "every input is silent" instead (the samples are zeros either
/// way; only the channel count of all-silent quanta can differ).
#[derive(Debug, Default)]
pub struct ChannelMergerProcessor;

impl ChannelMergerProcessor {
    pub fn new() -> Self {
        Self
    }
}

impl Processor for ChannelMergerProcessor {
    fn process(&mut self, io: ProcessIo<'_>, _scope: &RenderScope<'_>) -> bool {
        let output = &mut io.outputs[0];
        if io.inputs.iter().all(|b| b.is_silent()) {
            output.make_silent_with_channels(1);
            return false;
        }
        output.set_number_of_channels(io.inputs.len());
        let chans = output.channels_mut();
        for (out, input) in chans.iter_mut().zip(io.inputs) {
            if input.is_silent() {
                out.fill(0.0);
            } else {
                out.copy_from_slice(input.channel(0));
            }
        }
        false
    }
}

/// Control handle of a ChannelMergerNode.
#[derive(Debug, Clone)]
pub struct ChannelMergerNode {
    node: NodeHandle,
}

impl ChannelMergerNode {
    /// numberOfInputs outside 1..=32 is an IndexSizeError; channelCount and
    /// channelCountMode are fixed (InvalidStateError).
    pub fn new(ctx: &Context, options: ChannelMergerOptions) -> Result<Self, Error> {
        options.validate()?;
        let n = options.number_of_inputs as usize;
        let mut spec = NodeSpec::new(n, 1, Vec::new());
        spec.channel_config = ChannelConfig {
            count: CHANNEL_MERGER_CHANNEL_COUNT as usize,
            mode: ChannelCountMode::Explicit,
            interpretation: ChannelInterpretation::Speakers,
        };
        spec.constraints = ChannelConstraints {
            count: CountRule::Fixed {
                error: ErrorKind::InvalidState,
            },
            mode: ModeRule::Fixed {
                error: ErrorKind::InvalidState,
            },
            interpretation_fixed: None,
        };
        let node = ctx.create_node(spec, Box::new(ChannelMergerProcessor::new()))?;
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

    fn run(inputs: &[AudioBlock]) -> AudioBlock {
        let ts = TestScope::new(44100.0);
        let mut out = [AudioBlock::new(1)];
        out[0].channel_mut(0)[5] = 3.0; // stale data must be overwritten
        let tail = ChannelMergerProcessor::new().process(
            ProcessIo {
                inputs,
                outputs: &mut out,
                params: &[],
            },
            &ts.scope(0),
        );
        assert!(!tail);
        let [o] = out;
        o
    }

    #[test]
    fn merges_inputs_in_order_with_silent_gaps() {
        let mut inputs: Vec<AudioBlock> = (0..4).map(|_| AudioBlock::new(1)).collect();
        for (i, s) in inputs[0].channel_mut(0).iter_mut().enumerate() {
            *s = i as f32;
        }
        for (i, s) in inputs[2].channel_mut(0).iter_mut().enumerate() {
            *s = -(i as f32) * 0.5;
        }
        let out = run(&inputs);
        assert_eq!(out.number_of_channels(), 4);
        assert_eq!(out.channel(0), inputs[0].channel(0));
        assert!(out.channel(1).iter().all(|&s| s == 0.0));
        assert_eq!(out.channel(2), inputs[2].channel(0));
        assert!(out.channel(3).iter().all(|&s| s == 0.0));
    }

    #[test]
    fn all_silent_inputs_give_one_silent_channel() {
        let inputs: Vec<AudioBlock> = (0..6).map(|_| AudioBlock::new(1)).collect();
        let out = run(&inputs);
        assert_eq!(out.number_of_channels(), 1);
        assert!(out.is_silent() && out.is_all_zero());
    }

    #[test]
    fn options_and_fixed_channel_rules() {
        assert_eq!(ChannelMergerOptions::default().number_of_inputs, 6);
        for ok in [1, 3, 32] {
            assert!(
                ChannelMergerOptions {
                    number_of_inputs: ok
                }
                .validate()
                .is_ok()
            );
        }
        for bad in [0, 33, 99] {
            assert!(matches!(
                ChannelMergerOptions {
                    number_of_inputs: bad
                }
                .validate(),
                Err(NodeError::IndexSize(_))
            ));
        }
        assert!(validate_channel_options(Some(1), Some(true)).is_ok());
        assert!(validate_channel_options(None, None).is_ok());
        assert!(matches!(
            validate_channel_options(Some(3), None),
            Err(NodeError::InvalidState(_))
        ));
        assert!(matches!(
            validate_channel_options(Some(0), None),
            Err(NodeError::InvalidState(_))
        ));
        assert!(matches!(
            validate_channel_options(None, Some(false)),
            Err(NodeError::InvalidState(_))
        ));
    }
}
