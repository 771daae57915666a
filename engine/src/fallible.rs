//! Allocations whose size a script chooses (buffers, curves, coefficient
//! lists, delay lines, decoded files...). They are fallible: a size that
//! cannot be had becomes the exception the spec names for that call instead
//! of aborting the process.

use std::alloc::Layout;

use crate::error::Error;

/// An allocation of `bytes` bytes failed (or its size overflowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllocError {
    pub bytes: u128,
}

impl AllocError {
    fn of<T>(n: usize) -> Self {
        Self {
            bytes: n as u128 * std::mem::size_of::<T>() as u128,
        }
    }

    fn message(self, what: &str) -> String {
        format!("cannot allocate {} bytes for {what}", self.bytes)
    }

    /// As a RangeError (the spec's failure to create a data block).
    pub fn range(self, what: &str) -> Error {
        Error::Range(self.message(what))
    }

    /// As a NotSupportedError.
    pub fn not_supported(self, what: &str) -> Error {
        Error::NotSupported(self.message(what))
    }
}

impl std::fmt::Display for AllocError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot allocate {} bytes", self.bytes)
    }
}

impl std::error::Error for AllocError {}

/// The most memory a script-sized allocation may ask for: what the machine
/// has (RAM and swap). Larger requests would be granted by an overcommitting
/// kernel and then kill the process when touched.
pub fn memory_budget() -> u128 {
    static BUDGET: std::sync::OnceLock<u128> = std::sync::OnceLock::new();
    *BUDGET.get_or_init(|| total_memory().unwrap_or(u128::MAX))
}

#[cfg(target_os = "linux")]
fn total_memory() -> Option<u128> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let field = |name: &str| -> Option<u128> {
        let line = info.lines().find(|l| l.starts_with(name))?;
        let kib = line[name.len()..].trim().trim_end_matches("kB").trim();
        Some(kib.parse::<u128>().ok()? * 1024)
    };
    Some(field("MemTotal:")? + field("SwapTotal:").unwrap_or(0))
}

#[cfg(not(target_os = "linux"))]
fn total_memory() -> Option<u128> {
    None
}

/// Fails unless `count` elements of `T` fit the [`memory_budget`].
pub fn check_budget<T>(count: u128) -> Result<(), AllocError> {
    let bytes = count * std::mem::size_of::<T>() as u128;
    if bytes > memory_budget() {
        return Err(AllocError { bytes });
    }
    Ok(())
}

/// An empty vector with room for `n` elements.
pub fn try_vec_with_capacity<T>(n: usize) -> Result<Vec<T>, AllocError> {
    check_budget::<T>(n as u128)?;
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| AllocError::of::<T>(n))?;
    Ok(v)
}

/// `n` copies of `value`.
pub fn try_filled<T: Clone>(n: usize, value: T) -> Result<Vec<T>, AllocError> {
    let mut v = try_vec_with_capacity(n)?;
    v.resize(n, value);
    Ok(v)
}

/// A copy of `src`.
pub fn try_copy<T: Copy>(src: &[T]) -> Result<Vec<T>, AllocError> {
    let mut v = try_vec_with_capacity(src.len())?;
    v.extend_from_slice(src);
    Ok(v)
}

/// `n` zeros, from zeroed memory (pages are only touched when written).
pub fn try_zeroed_f32(n: usize) -> Result<Vec<f32>, AllocError> {
    check_budget::<f32>(n as u128)?;
    let err = AllocError::of::<f32>(n);
    let layout = Layout::array::<f32>(n).map_err(|_| err)?;
    if layout.size() == 0 {
        return Ok(Vec::new());
    }
    // SAFETY: the layout has a non-zero size.
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) }.cast::<f32>();
    if ptr.is_null() {
        return Err(err);
    }
    // SAFETY: `ptr` comes from the global allocator with the layout of
    // `[f32; n]`, and all-zero bits are `0.0`: n initialised elements.
    Ok(unsafe { Vec::from_raw_parts(ptr, n, n) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_sizes_fail_instead_of_aborting() {
        assert!(try_vec_with_capacity::<f32>(usize::MAX / 2).is_err());
        assert!(try_zeroed_f32(usize::MAX / 2).is_err());
        assert!(try_filled(1usize << 60, 0u8).is_err());
        let e = try_zeroed_f32(1 << 62).unwrap_err();
        assert_eq!(e.bytes, 1u128 << 64);
        assert!(matches!(e.range("x"), Error::Range(_)));
    }

    #[test]
    fn sizes_beyond_the_machine_fail_even_when_the_kernel_would_overcommit() {
        let budget = memory_budget();
        if budget < u128::MAX {
            let n = (budget / 4 + 1) as usize;
            assert!(try_vec_with_capacity::<f32>(n).is_err());
            assert!(try_zeroed_f32(n).is_err());
        }
    }

    #[test]
    fn possible_sizes_work() {
        assert_eq!(try_zeroed_f32(1000).unwrap(), vec![0.0; 1000]);
        assert_eq!(try_filled(3, 1.5f64).unwrap(), vec![1.5; 3]);
        assert_eq!(try_copy(&[1, 2, 3]).unwrap(), vec![1, 2, 3]);
        assert!(try_zeroed_f32(0).unwrap().is_empty());
    }
}
