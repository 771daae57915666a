//! GainNode: multiplies its input by the a-rate `gain` param.

use crate::context::{Context, NodeHandle, NodeSpec, ParamHandle};
use crate::error::Error;
use crate::mixing::ChannelConfig;
use crate::param::{AutomationRate, ParamDescriptor};
use crate::processor::{ProcessIo, Processor, RenderScope};

/// `GainNode.gain`.
pub const GAIN: ParamDescriptor = ParamDescriptor {
    name: "gain",
    default_value: 1.0,
    min_value: f32::MIN,
    max_value: f32::MAX,
    automation_rate: AutomationRate::ARate,
    rate_fixed: false,
};

/// `GainOptions`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GainOptions {
    pub gain: f32,
    pub channel_config: ChannelConfig,
}

impl Default for GainOptions {
    fn default() -> Self {
        Self {
            gain: GAIN.default_value,
            channel_config: ChannelConfig::default(),
        }
    }
}

/// Control handle of a GainNode.
#[derive(Debug, Clone)]
pub struct GainNode {
    node: NodeHandle,
}

impl GainNode {
    pub fn new(ctx: &Context, options: GainOptions) -> Result<Self, Error> {
        let mut spec = NodeSpec::new(1, 1, vec![GAIN]);
        spec.constraints
            .check_count(spec.channel_config.count, options.channel_config.count)?;
        spec.channel_config = options.channel_config;
        let node = ctx.create_node(spec, Box::new(GainProcessor))?;
        if options.gain != GAIN.default_value {
            node.param(0).set_value(options.gain)?;
        }
        Ok(Self { node })
    }

    pub fn node(&self) -> &NodeHandle {
        &self.node
    }

    pub fn gain(&self) -> ParamHandle {
        self.node.param(0)
    }
}

/// Render half of a GainNode.
pub struct GainProcessor;

impl Processor for GainProcessor {
    fn process(&mut self, io: ProcessIo<'_>, _scope: &RenderScope<'_>) -> bool {
        let input = &io.inputs[0];
        let output = &mut io.outputs[0];
        let gain = io.params[0];
        let channels = input.number_of_channels();
        if input.is_silent() {
            // Nothing upstream is actively processing: per the spec the
            // output is then a single channel of silence.
            output.make_silent_with_channels(1);
            return false;
        }
        if gain.is_constant() && gain.first() == 0.0 {
            output.make_silent_with_channels(channels);
            return false;
        }
        output.set_number_of_channels(channels);
        if gain.is_constant() {
            let g = gain.first();
            for (o, i) in output.channels_mut().iter_mut().zip(input.channels()) {
                for (o, i) in o.iter_mut().zip(i) {
                    *o = i * g;
                }
            }
        } else {
            let g = gain.as_slice();
            for (o, i) in output.channels_mut().iter_mut().zip(input.channels()) {
                for ((o, i), g) in o.iter_mut().zip(i).zip(g) {
                    *o = i * g;
                }
            }
        }
        false
    }
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)]
mod tests {
    use super::*;
    use crate::RENDER_QUANTUM_SIZE as N;
    use crate::block::AudioBlock;
    use crate::processor::ParamBlock;
    use crate::processor::testing::TestScope;

    fn run(input: &AudioBlock, gain: &[f32]) -> AudioBlock {
        let ts = TestScope::new(48000.0);
        let mut out = [AudioBlock::new(1)];
        GainProcessor.process(
            ProcessIo {
                inputs: std::slice::from_ref(input),
                outputs: &mut out,
                params: &[ParamBlock::new(gain)],
            },
            &ts.scope(0),
        );
        let [o] = out;
        o
    }

    fn input(channels: usize) -> AudioBlock {
        let mut b = AudioBlock::new(channels);
        for (c, ch) in b.channels_mut().iter_mut().enumerate() {
            for (i, s) in ch.iter_mut().enumerate() {
                *s = (i as f32 * 0.37 + c as f32).sin();
            }
        }
        b
    }

    #[test]
    fn constant_gain_scales_every_channel() {
        let x = input(3);
        let y = run(&x, &[0.5]);
        assert_eq!(y.number_of_channels(), 3);
        for c in 0..3 {
            for i in 0..N {
                assert_eq!(y.channel(c)[i], x.channel(c)[i] * 0.5);
            }
        }
    }

    #[test]
    fn a_rate_gain_is_applied_per_sample() {
        let x = input(2);
        let g: Vec<f32> = (0..N).map(|i| i as f32 / N as f32).collect();
        let y = run(&x, &g);
        for c in 0..2 {
            for i in 0..N {
                assert_eq!(y.channel(c)[i], x.channel(c)[i] * g[i]);
            }
        }
    }

    #[test]
    fn silent_input_or_zero_gain_gives_silence() {
        let y = run(&AudioBlock::new(2), &[3.0]);
        assert!(y.is_silent());
        assert_eq!(y.number_of_channels(), 1, "inactive: one silent channel");
        let y = run(&input(3), &[0.0]);
        assert!(y.is_silent());
        assert_eq!(y.number_of_channels(), 3, "active, muted by the gain");
    }
}
