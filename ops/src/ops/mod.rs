//! The ops, grouped by interface. Engine handles live in cppgc objects that
//! the JS wrappers own.

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

/// Declares a cppgc resource that holds nothing traced by the JS heap.
macro_rules! gc_resource {
    ($ty:ty, $name:literal) => {
        // SAFETY: the type holds no references into the JS heap.
        unsafe impl deno_core::GarbageCollected for $ty {
            fn trace(&self, _visitor: &mut deno_core::v8::cppgc::Visitor) {}

            fn get_name(&self) -> &'static std::ffi::CStr {
                $name
            }
        }
    };
}
pub(crate) use gc_resource;
