//! AudioListener: the nine a-rate AudioParams that position the listener of
//! a context (used by every PannerNode). It has no audio inputs or outputs;
//! it lives in the graph so its params are automated like any other.

use crate::context::{Context, NodeHandle, NodeSpec, ParamHandle};
use crate::error::Error;
use crate::param::{AutomationRate, ParamDescriptor};
use crate::processor::{ProcessIo, Processor, RenderScope};

const fn listener_param(name: &'static str, default_value: f32) -> ParamDescriptor {
    ParamDescriptor {
        name,
        default_value,
        min_value: f32::MIN,
        max_value: f32::MAX,
        automation_rate: AutomationRate::ARate,
        rate_fixed: false,
    }
}

/// positionX/Y/Z, forwardX/Y/Z, upX/Y/Z with the spec's defaults.
pub const LISTENER_PARAMS: [ParamDescriptor; 9] = [
    listener_param("positionX", 0.0),
    listener_param("positionY", 0.0),
    listener_param("positionZ", 0.0),
    listener_param("forwardX", 0.0),
    listener_param("forwardY", 0.0),
    listener_param("forwardZ", -1.0),
    listener_param("upX", 0.0),
    listener_param("upY", 1.0),
    listener_param("upZ", 0.0),
];

/// Control handle of a context's AudioListener.
#[derive(Debug, Clone)]
pub struct AudioListener {
    node: NodeHandle,
}

impl AudioListener {
    pub fn new(ctx: &Context) -> Result<Self, Error> {
        let spec = NodeSpec::new(0, 0, LISTENER_PARAMS.to_vec());
        let node = ctx.create_node(spec, Box::new(ListenerProcessor))?;
        Ok(Self { node })
    }

    /// The `index`th param in [`LISTENER_PARAMS`] order, if it exists.
    pub fn param(&self, index: usize) -> Option<ParamHandle> {
        (index < LISTENER_PARAMS.len()).then(|| self.node.param(index))
    }
}

/// The listener produces no audio; the graph computes its params.
struct ListenerProcessor;

impl Processor for ListenerProcessor {
    fn process(&mut self, _io: ProcessIo<'_>, _scope: &RenderScope<'_>) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::OfflineOptions;

    #[test]
    fn listener_params_have_the_spec_defaults() {
        let ctx = Context::new_offline(OfflineOptions {
            number_of_channels: 1,
            length: 128,
            sample_rate: 48000.0,
        })
        .unwrap();
        let listener = AudioListener::new(&ctx).unwrap();
        let defaults: Vec<f32> = (0..9)
            .map(|i| listener.param(i).unwrap().default_value())
            .collect();
        assert_eq!(defaults, [0.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 1.0, 0.0]);
        assert!(listener.param(9).is_none());
    }
}
