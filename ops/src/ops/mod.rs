//! The ops, grouped by interface. Engine handles live in the handle table
//! (`crate::handles`); ops take the ids the JS wrappers keep.

pub mod analyser;
pub mod context;
pub mod convolver;
pub mod decode;
pub mod dynamics_compressor;
pub mod filter;
pub mod node;
pub mod panner;
pub mod param;
pub mod routing;
pub mod script_processor;
pub mod source;
pub mod worklet;
