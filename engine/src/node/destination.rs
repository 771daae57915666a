//! AudioDestinationNode: the graph's final node. The context (sink) reads its
//! mixed input; its processor passes that through so the node also works as
//! an ordinary source for analysis connections.

use crate::processor::{ProcessIo, Processor, RenderScope};

/// Copies the (already mixed) input to the output.
pub struct DestinationProcessor;

impl Processor for DestinationProcessor {
    fn process(&mut self, io: ProcessIo<'_>, _scope: &RenderScope<'_>) -> bool {
        if let (Some(input), Some(output)) = (io.inputs.first(), io.outputs.first_mut()) {
            output.copy_from(input);
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::AudioBlock;
    use crate::processor::testing::TestScope;

    #[test]
    fn passes_input_through() {
        let ts = TestScope::new(48000.0);
        let mut input = AudioBlock::new(2);
        input.channel_mut(1)[5] = 0.25;
        let mut out = [AudioBlock::new(1)];
        let active = DestinationProcessor.process(
            ProcessIo {
                inputs: std::slice::from_ref(&input),
                outputs: &mut out,
                params: &[],
            },
            &ts.scope(0),
        );
        assert!(!active);
        assert_eq!(out[0].number_of_channels(), 2);
        assert_eq!(out[0].channel(1)[5], 0.25);
    }
}
