//! ConstantSourceNode: outputs its a-rate `offset` param between start and
//! stop.

use crate::context::{Context, NodeHandle, NodeSpec, ParamHandle};
use crate::error::Error;
use crate::message::NodeMessage;
use crate::node::scheduled_source::{Schedule, ScheduledSourceControl};
use crate::param::{AutomationRate, ParamDescriptor};
use crate::processor::{ProcessIo, Processor, RenderScope};

/// `ConstantSourceNode.offset`.
pub const OFFSET: ParamDescriptor = ParamDescriptor {
    name: "offset",
    default_value: 1.0,
    min_value: f32::MIN,
    max_value: f32::MAX,
    automation_rate: AutomationRate::ARate,
    rate_fixed: false,
};

/// `ConstantSourceOptions`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConstantSourceOptions {
    pub offset: f32,
}

impl Default for ConstantSourceOptions {
    fn default() -> Self {
        Self {
            offset: OFFSET.default_value,
        }
    }
}

/// Control handle of a ConstantSourceNode.
#[derive(Debug, Clone)]
pub struct ConstantSourceNode {
    node: NodeHandle,
    schedule: std::sync::Arc<ScheduledSourceControl>,
}

impl ConstantSourceNode {
    pub fn new(ctx: &Context, options: ConstantSourceOptions) -> Result<Self, Error> {
        let spec = NodeSpec::new(0, 1, vec![OFFSET]);
        let node = ctx.create_node(spec, Box::new(ConstantSourceProcessor::default()))?;
        if options.offset != OFFSET.default_value {
            node.param(0).set_value(options.offset)?;
        }
        Ok(Self {
            node,
            schedule: Default::default(),
        })
    }

    pub fn node(&self) -> &NodeHandle {
        &self.node
    }

    pub fn offset(&self) -> ParamHandle {
        self.node.param(0)
    }

    pub fn start(&self, when: f64) -> Result<(), Error> {
        self.schedule.start(&self.node, when)
    }

    pub fn stop(&self, when: f64) -> Result<(), Error> {
        self.schedule.stop(&self.node, when)
    }
}

/// Render half of a ConstantSourceNode.
#[derive(Debug, Default)]
pub struct ConstantSourceProcessor {
    schedule: Schedule,
}

impl Processor for ConstantSourceProcessor {
    fn has_finished(&self) -> bool {
        self.schedule.has_ended()
    }

    fn process(&mut self, io: ProcessIo<'_>, scope: &RenderScope<'_>) -> bool {
        let output = &mut io.outputs[0];
        let Some(p) = self.schedule.quantum(scope) else {
            output.make_silent_with_channels(1);
            return self.schedule.is_active();
        };
        let offset = io.params[0];
        output.set_number_of_channels(1);
        let out = output.channel_mut(0);
        out[..p.begin].fill(0.0);
        out[p.end..].fill(0.0);
        if offset.is_constant() {
            out[p.begin..p.end].fill(offset.first());
        } else {
            out[p.begin..p.end].copy_from_slice(&offset.as_slice()[p.begin..p.end]);
        }
        self.schedule.is_active()
    }

    fn handle_message(&mut self, message: NodeMessage, _scope: &RenderScope<'_>) {
        self.schedule.handle(&message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::AudioBlock;
    use crate::message::EngineEvent;
    use crate::processor::ParamBlock;
    use crate::processor::testing::TestScope;

    #[test]
    fn outputs_offset_between_start_and_stop() {
        let ts = TestScope::new(48000.0);
        let mut p = ConstantSourceProcessor::default();
        p.handle_message(
            NodeMessage::Start {
                at_frame: 10.0,
                offset: 0.0,
                duration: None,
            },
            &ts.scope(0),
        );
        p.handle_message(NodeMessage::Stop { at_frame: 200.0 }, &ts.scope(0));
        let values: Vec<f32> = (0..128).map(|i| i as f32).collect();
        let mut rendered = Vec::new();
        for q in 0..3u64 {
            let mut out = [AudioBlock::new(1)];
            let active = p.process(
                ProcessIo {
                    inputs: &[],
                    outputs: &mut out,
                    params: &[ParamBlock::new(&values)],
                },
                &ts.scope(q * 128),
            );
            assert_eq!(active, q == 0);
            rendered.extend_from_slice(out[0].channel(0));
        }
        for (f, &s) in rendered.iter().enumerate() {
            let want = if (10..200).contains(&f) {
                (f % 128) as f32
            } else {
                0.0
            };
            assert_eq!(s, want, "frame {f}");
        }
        assert_eq!(
            ts.events.pop(),
            Some(EngineEvent::Ended(crate::message::NodeId(0)))
        );
    }
}
