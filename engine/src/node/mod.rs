//! One file per node: options, control-side handle, render-side processor and
//! tests together.
