//! AudioBufferSourceNode.

#[derive(Debug)]
pub enum AudioBufferSourceMessage {}
