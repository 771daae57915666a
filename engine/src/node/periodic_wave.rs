//! PeriodicWave: validated Fourier coefficients (control side) and the
//! band-limited wave tables an OscillatorNode plays (shared with the render
//! thread as `Arc<WaveTables>`).
//!
//! Band limiting: a wave is stored as several tables, each holding only the
//! partials up to some limit. The limits fall by a factor 2^(1/3) (three
//! tables per octave). The oscillator plays, for fundamental `f`, the table
//! with the largest limit `m` such that `m * |f| < nyquist`, so no partial at
//! or above Nyquist is ever produced.

use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

use realfft::RealFftPlanner;
use realfft::num_complex::Complex;

use crate::node::NodeError;
use crate::node::oscillator::OscillatorType;

/// Samples per period in every table. Partials up to `TABLE_SIZE / 2 - 1`
/// (4095) are representable; a fundamental low enough to allow more (below
/// about 5.9 Hz at 48 kHz) plays the first 4095.
pub const TABLE_SIZE: usize = 8192;
const TABLE_MASK_PARTIALS: usize = TABLE_SIZE / 2 - 1;
/// Guard samples around each table so the 4-point interpolator reads
/// `[i - 1, i + 2]` without wrapping: stored index `j` holds sample `j - 1`.
const GUARD: usize = 3;
const BANDS_PER_OCTAVE: f64 = 3.0;
/// Band `k` keeps partials `1..=band_limit(k)`; `k` runs until the limit is 1.
const NUM_BANDS: usize = 37;

/// Number of partials kept by band `k` (non-increasing in `k`, band 0 keeps
/// every representable partial, the last band keeps only the fundamental).
fn band_limit(k: usize) -> usize {
    let m = ((TABLE_MASK_PARTIALS + 1) as f64 * 2f64.powf(-(k as f64) / BANDS_PER_OCTAVE)).floor()
        as usize;
    m.clamp(1, TABLE_MASK_PARTIALS)
}

/// `dictionary PeriodicWaveConstraints { boolean disableNormalization = false; };`
/// `dictionary PeriodicWaveOptions : PeriodicWaveConstraints { sequence<float> real; sequence<float> imag; };`
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeriodicWaveOptions {
    pub real: Option<Vec<f32>>,
    pub imag: Option<Vec<f32>>,
    pub disable_normalization: bool,
}

/// The control-side PeriodicWave: `[[real]]`, `[[imag]]` (with the DC terms
/// zeroed) and `[[normalize]]`. Its tables are built on first use.
#[derive(Debug)]
pub struct PeriodicWave {
    real: Vec<f32>,
    imag: Vec<f32>,
    normalize: bool,
    tables: OnceLock<Arc<WaveTables>>,
}

impl PeriodicWave {
    /// `new PeriodicWave(context, options)`: the spec's constructor
    /// algorithm, with its IndexSizeErrors.
    pub fn new(options: PeriodicWaveOptions) -> Result<Self, NodeError> {
        let len = options
            .real
            .as_ref()
            .or(options.imag.as_ref())
            .map_or(0, Vec::len);
        Self::check_size(len)?;
        let (mut real, mut imag) = match (options.real, options.imag) {
            (Some(real), Some(imag)) => {
                if real.len() != imag.len() {
                    return Err(NodeError::IndexSize(format!(
                        "PeriodicWave: real has length {} but imag has length {}",
                        real.len(),
                        imag.len()
                    )));
                }
                if real.len() < 2 {
                    return Err(NodeError::IndexSize(format!(
                        "PeriodicWave: length {} is less than 2",
                        real.len()
                    )));
                }
                (real, imag)
            }
            (Some(real), None) => {
                if real.len() < 2 {
                    return Err(NodeError::IndexSize(format!(
                        "PeriodicWave: real length {} is less than 2",
                        real.len()
                    )));
                }
                let n = real.len();
                (real, vec![0.0; n])
            }
            (None, Some(imag)) => {
                if imag.len() < 2 {
                    return Err(NodeError::IndexSize(format!(
                        "PeriodicWave: imag length {} is less than 2",
                        imag.len()
                    )));
                }
                let n = imag.len();
                (vec![0.0; n], imag)
            }
            (None, None) => (vec![0.0, 0.0], vec![0.0, 1.0]),
        };
        real[0] = 0.0;
        imag[0] = 0.0;
        Ok(Self {
            real,
            imag,
            normalize: !options.disable_normalization,
            tables: OnceLock::new(),
        })
    }

    /// Building the tables of `len` coefficients takes about 128 bytes per
    /// coefficient at its peak (f64 copies and the normalization's FFT):
    /// more than the machine has is a NotSupportedError.
    fn check_size(len: usize) -> Result<(), NodeError> {
        crate::fallible::check_budget::<u8>(len as u128 * 128).map_err(|e| {
            NodeError::NotSupported(format!("{e} for a PeriodicWave of {len} coefficients"))
        })
    }

    /// `context.createPeriodicWave(real, imag, constraints)`: a length
    /// mismatch is an IndexSizeError, then the constructor runs.
    pub fn create(
        real: &[f32],
        imag: &[f32],
        disable_normalization: bool,
    ) -> Result<Self, NodeError> {
        if real.len() != imag.len() {
            return Err(NodeError::IndexSize(format!(
                "createPeriodicWave: real has length {} but imag has length {}",
                real.len(),
                imag.len()
            )));
        }
        Self::check_size(real.len())?;
        Self::new(PeriodicWaveOptions {
            real: Some(real.to_vec()),
            imag: Some(imag.to_vec()),
            disable_normalization,
        })
    }

    /// `[[real]]` (element 0 is always 0).
    pub fn real(&self) -> &[f32] {
        &self.real
    }

    /// `[[imag]]` (element 0 is always 0).
    pub fn imag(&self) -> &[f32] {
        &self.imag
    }

    /// `[[normalize]]`.
    pub fn normalize(&self) -> bool {
        self.normalize
    }

    /// The band-limited tables, built once and shared by every oscillator
    /// this wave is set on.
    pub fn tables(&self) -> Arc<WaveTables> {
        self.tables
            .get_or_init(|| {
                let real: Vec<f64> = self.real.iter().map(|&v| v as f64).collect();
                let imag: Vec<f64> = self.imag.iter().map(|&v| v as f64).collect();
                Arc::new(WaveTables::build(&real, &imag, self.normalize))
            })
            .clone()
    }
}

/// Number of coefficients (DC included) used for the built-in waveforms:
/// every partial a table can hold.
pub const BUILTIN_LENGTH: usize = TABLE_MASK_PARTIALS + 1;

/// The spec's "Oscillator Coefficients" for a built-in type: `(a, b)` of
/// length `len` (a is all zeros, b[0] = 0). `None` for "custom".
pub fn builtin_coefficients(kind: OscillatorType, len: usize) -> Option<(Vec<f64>, Vec<f64>)> {
    use std::f64::consts::PI;
    let a = vec![0.0; len];
    let b: Vec<f64> = (0..len)
        .map(|n| {
            if n == 0 {
                return 0.0;
            }
            let nf = n as f64;
            match kind {
                OscillatorType::Sine => {
                    if n == 1 {
                        1.0
                    } else {
                        0.0
                    }
                }
                // 2/(n pi) * (1 - (-1)^n): 4/(n pi) for odd n, 0 for even.
                OscillatorType::Square => {
                    if n % 2 == 1 {
                        4.0 / (nf * PI)
                    } else {
                        0.0
                    }
                }
                // (-1)^(n+1) * 2/(n pi)
                OscillatorType::Sawtooth => {
                    let sign = if n % 2 == 1 { 1.0 } else { -1.0 };
                    sign * 2.0 / (nf * PI)
                }
                // 8 sin(n pi / 2) / (pi n)^2; sin(n pi/2) is 0, 1, 0, -1.
                OscillatorType::Triangle => {
                    let s = match n % 4 {
                        1 => 1.0,
                        3 => -1.0,
                        _ => 0.0,
                    };
                    8.0 * s / (PI * nf).powi(2)
                }
                OscillatorType::Custom => 0.0,
            }
        })
        .collect();
    if kind == OscillatorType::Custom {
        None
    } else {
        Some((a, b))
    }
}

/// Tables of the built-in types, built once per process and shared.
/// `None` for "custom".
pub fn builtin_tables(kind: OscillatorType) -> Option<Arc<WaveTables>> {
    static CACHE: [OnceLock<Arc<WaveTables>>; 4] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    let slot = match kind {
        OscillatorType::Sine => 0,
        OscillatorType::Square => 1,
        OscillatorType::Sawtooth => 2,
        OscillatorType::Triangle => 3,
        OscillatorType::Custom => return None,
    };
    Some(
        CACHE[slot]
            .get_or_init(|| {
                // The sine needs only its fundamental; the others use every
                // representable partial.
                let len = if kind == OscillatorType::Sine {
                    2
                } else {
                    BUILTIN_LENGTH
                };
                let (a, b) = builtin_coefficients(kind, len).unwrap_or_default();
                Arc::new(WaveTables::build(&a, &b, true))
            })
            .clone(),
    )
}

/// The normalization factor `f = max |x~(n)|` over `n = 0..N`, `N` a power
/// of two at least `TABLE_SIZE` and large enough to hold every partial.
pub fn normalization_factor(real: &[f64], imag: &[f64]) -> f64 {
    let n = (2 * real.len()).next_power_of_two().max(TABLE_SIZE);
    let x = synthesize(real, imag, real.len() - 1, n);
    x.iter().fold(0.0f64, |m, &v| m.max(v.abs()))
}

/// `x(n) = sum_{k=1}^{min(max_partial, L-1, N/2-1)} a[k] cos(2 pi k n / N) + b[k] sin(2 pi k n / N)`
/// for `n = 0..N`, by inverse real FFT.
fn synthesize(real: &[f64], imag: &[f64], max_partial: usize, n: usize) -> Vec<f64> {
    thread_local! {
        // Plans are cached per planner; keep one per (control) thread.
        static PLANNER: RefCell<RealFftPlanner<f64>> = RefCell::new(RealFftPlanner::new());
    }
    let ifft = PLANNER.with(|p| p.borrow_mut().plan_fft_inverse(n));
    let mut spectrum = ifft.make_input_vec();
    let top = max_partial.min(real.len() - 1).min(n / 2 - 1);
    // The unnormalised inverse transform yields
    // X0 + 2 Re(sum_k X[k] e^{+2 pi i k n / N}) (+ Nyquist term), and
    // 2 Re((a - i b)/2 * e^{i theta}) = a cos theta + b sin theta.
    for k in 1..=top {
        spectrum[k] = Complex::new(real[k] / 2.0, -imag[k] / 2.0);
    }
    let mut out = ifft.make_output_vec();
    let mut scratch = ifft.make_scratch_vec();
    // Lengths come from the plan itself, and bins 0 and N/2 are zero, so
    // this cannot fail.
    ifft.process_with_scratch(&mut spectrum, &mut out, &mut scratch)
        .expect("inverse FFT with planner-made buffers");
    out
}

/// The band-limited tables of one wave. Immutable; shared with the render
/// thread.
#[derive(Debug)]
pub struct WaveTables {
    /// Distinct tables, each `TABLE_SIZE + GUARD` long (see [`GUARD`]).
    tables: Vec<Box<[f32]>>,
    /// Band `k` -> index into `tables`.
    band_table: [u8; NUM_BANDS],
    /// Band `k` -> partial limit.
    band_limits: [u32; NUM_BANDS],
}

impl WaveTables {
    /// Builds the tables of the wave with coefficients `real`/`imag` (the DC
    /// terms are ignored), scaled by the wave's normalization factor when
    /// `normalize` is set.
    pub fn build(real: &[f64], imag: &[f64], normalize: bool) -> Self {
        debug_assert_eq!(real.len(), imag.len());
        let len = real.len().max(2);
        let scale = if normalize {
            let f = normalization_factor(real, imag);
            // An all-zero wave has nothing to normalise (and 1/0 would turn
            // its silence into NaNs).
            if f > 0.0 { 1.0 / f } else { 1.0 }
        } else {
            1.0
        };
        // Highest partial that is actually present.
        let highest = (1..len.min(real.len()))
            .rev()
            .find(|&k| real[k] != 0.0 || imag[k] != 0.0)
            .unwrap_or(1)
            .min(TABLE_MASK_PARTIALS);

        let mut tables: Vec<Box<[f32]>> = Vec::new();
        let mut band_table = [0u8; NUM_BANDS];
        let mut band_limits = [0u32; NUM_BANDS];
        let mut last_effective = usize::MAX;
        for k in 0..NUM_BANDS {
            let limit = band_limit(k);
            band_limits[k] = limit as u32;
            let effective = limit.min(highest);
            if effective != last_effective {
                let x = synthesize(real, imag, effective, TABLE_SIZE);
                let mut t = vec![0.0f32; TABLE_SIZE + GUARD].into_boxed_slice();
                for (j, s) in t.iter_mut().enumerate() {
                    let src = (j + TABLE_SIZE - 1) % TABLE_SIZE;
                    *s = (x[src] * scale) as f32;
                }
                tables.push(t);
                last_effective = effective;
            }
            band_table[k] = (tables.len() - 1) as u8;
        }
        Self {
            tables,
            band_table,
            band_limits,
        }
    }

    /// Number of distinct tables stored (for tests and memory accounting).
    pub fn table_count(&self) -> usize {
        self.tables.len()
    }

    /// The table to play for a fundamental of `freq` Hz (any sign) at
    /// `nyquist`, or `None` when `|freq| >= nyquist` (or NaN): then even the
    /// fundamental is not below Nyquist and the output is silence.
    #[inline]
    pub fn table_for(&self, freq: f32, nyquist: f32) -> Option<&[f32]> {
        let f = freq.abs();
        // Also catches NaN.
        if f.partial_cmp(&nyquist) != Some(std::cmp::Ordering::Less) {
            return None;
        }
        // Estimate from the geometric spacing of the limits; `band_for`
        // corrects it.
        let ratio = nyquist as f64 / f as f64 / (TABLE_MASK_PARTIALS + 1) as f64;
        let hint = (-BANDS_PER_OCTAVE * ratio.log2()).clamp(0.0, (NUM_BANDS - 1) as f64) as usize;
        Some(self.table(self.band_for(hint, f, nyquist)))
    }

    /// The band to play for a fundamental of `|f| = f_abs < nyquist`: the
    /// first (richest) band whose every partial is below Nyquist, i.e.
    /// `limit * f_abs < nyquist`. The search starts at `hint` (the previous
    /// frame's band), so a slowly moving frequency costs a compare or two.
    #[inline]
    pub fn band_for(&self, hint: usize, f_abs: f32, nyquist: f32) -> usize {
        if self.tables.len() == 1 {
            return 0;
        }
        let (f, nyq) = (f_abs as f64, nyquist as f64);
        // Exact: a limit (< 2^13) times an f32 fits an f64 mantissa.
        let ok = |k: usize| (self.band_limits[k] as f64) * f < nyq;
        let mut k = hint.min(NUM_BANDS - 1);
        if ok(k) {
            while k > 0 && ok(k - 1) {
                k -= 1;
            }
        } else {
            // The last band keeps only the fundamental, which is below
            // Nyquist here, so this stops.
            while k < NUM_BANDS - 1 && !ok(k) {
                k += 1;
            }
        }
        k
    }

    /// The table of band `band` (from [`WaveTables::band_for`]).
    #[inline]
    pub fn table(&self, band: usize) -> &[f32] {
        &self.tables[self.band_table[band.min(NUM_BANDS - 1)] as usize]
    }
}

/// Value of a table (as returned by [`WaveTables::table_for`]) at `phase`
/// cycles (`0 <= phase < 1`), by 4-point (cubic) Lagrange interpolation.
#[inline(always)]
pub fn sample_table(table: &[f32], phase: f64) -> f32 {
    let pos = phase * TABLE_SIZE as f64;
    // `min` keeps a phase that rounded up to exactly 1.0 in bounds (t is
    // then 1, which still lands on the right sample).
    let i = (pos as usize).min(TABLE_SIZE - 1);
    let t = pos - i as f64;
    // Guard samples: stored j holds sample j - 1, so samples i-1..=i+2 are
    // stored at i..=i+3.
    let p = &table[i..i + 4];
    let (p0, p1, p2, p3) = (p[0] as f64, p[1] as f64, p[2] as f64, p[3] as f64);
    let tm1 = t - 1.0;
    let tm2 = t - 2.0;
    let tp1 = t + 1.0;
    let w0 = -t * tm1 * tm2 / 6.0;
    let w1 = tp1 * tm1 * tm2 / 2.0;
    let w2 = -tp1 * t * tm2 / 2.0;
    let w3 = tp1 * t * tm1 / 6.0;
    (w0 * p0 + w1 * p1 + w2 * p2 + w3 * p3) as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// Direct evaluation of the Fourier sum at `n = 0..N`, using exact
    /// `(k n) mod N` indexing into one sine/cosine period.
    fn direct(real: &[f64], imag: &[f64], max_partial: usize, n: usize) -> Vec<f64> {
        let sin: Vec<f64> = (0..n)
            .map(|j| (2.0 * PI * j as f64 / n as f64).sin())
            .collect();
        let cos: Vec<f64> = (0..n)
            .map(|j| (2.0 * PI * j as f64 / n as f64).cos())
            .collect();
        (0..n)
            .map(|j| {
                (1..=max_partial.min(real.len() - 1))
                    .map(|k| {
                        let idx = (k * j) % n;
                        real[k] * cos[idx] + imag[k] * sin[idx]
                    })
                    .sum()
            })
            .collect()
    }

    #[test]
    fn fft_synthesis_matches_the_fourier_sum() {
        let real = [0.0, 0.3, -0.2, 0.0, 0.7, 0.1];
        let imag = [0.0, 1.0, 0.5, -0.25, 0.0, 0.05];
        for max in [1, 3, 5] {
            let fft = synthesize(&real, &imag, max, 256);
            let reference = direct(&real, &imag, max, 256);
            for (a, b) in fft.iter().zip(&reference) {
                assert!((a - b).abs() < 1e-12, "{a} vs {b}");
            }
        }
    }

    #[test]
    fn constructor_exceptions_and_defaults() {
        let err = |o: PeriodicWaveOptions| PeriodicWave::new(o).unwrap_err();
        assert!(matches!(
            err(PeriodicWaveOptions {
                real: Some(vec![0.0; 4]),
                imag: Some(vec![0.0; 3]),
                ..Default::default()
            }),
            NodeError::IndexSize(_)
        ));
        assert!(matches!(
            err(PeriodicWaveOptions {
                real: Some(vec![0.0; 1]),
                imag: Some(vec![0.0; 1]),
                ..Default::default()
            }),
            NodeError::IndexSize(_)
        ));
        assert!(matches!(
            err(PeriodicWaveOptions {
                real: Some(vec![0.0]),
                ..Default::default()
            }),
            NodeError::IndexSize(_)
        ));
        assert!(matches!(
            err(PeriodicWaveOptions {
                imag: Some(vec![]),
                ..Default::default()
            }),
            NodeError::IndexSize(_)
        ));
        assert!(matches!(
            PeriodicWave::create(&[0.0; 4], &[0.0; 5], false),
            Err(NodeError::IndexSize(_))
        ));
        let w = PeriodicWave::new(Default::default()).unwrap();
        assert_eq!(w.real(), &[0.0, 0.0]);
        assert_eq!(w.imag(), &[0.0, 1.0]);
        assert!(w.normalize());
        // Only real: imag is zeros of the same length; DC is dropped.
        let w = PeriodicWave::new(PeriodicWaveOptions {
            real: Some(vec![5.0, 1.0, 2.0]),
            disable_normalization: true,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(w.real(), &[0.0, 1.0, 2.0]);
        assert_eq!(w.imag(), &[0.0, 0.0, 0.0]);
        assert!(!w.normalize());
        let w = PeriodicWave::new(PeriodicWaveOptions {
            imag: Some(vec![5.0, 1.0]),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(w.real(), &[0.0, 0.0]);
        assert_eq!(w.imag(), &[0.0, 1.0]);
    }

    #[test]
    fn tables_are_normalised_by_the_full_waveform_peak() {
        let real = [0.0, 0.0, 0.0, 0.0];
        let imag = [0.0, 1.0, 0.0, 0.5];
        let n = TABLE_SIZE;
        let full = direct(&real, &imag, 3, n);
        let peak = full.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!((normalization_factor(&real, &imag) - peak).abs() < 1e-12);
        let t = WaveTables::build(&real, &imag, true);
        // Band 0 holds every partial: its peak is exactly 1 (to f32).
        let table = t.table_for(1.0, 22050.0).unwrap();
        let tpeak = table[1..=TABLE_SIZE]
            .iter()
            .fold(0.0f32, |m, v| m.max(v.abs()));
        assert!((tpeak - 1.0).abs() < 1e-7);
        // The fundamental-only band carries the same fixed factor.
        let fund = t.table_for(10000.0, 22050.0).unwrap();
        for j in 0..TABLE_SIZE {
            let expected = (2.0 * PI * j as f64 / n as f64).sin() / peak;
            assert!((fund[j + 1] as f64 - expected).abs() < 1e-7);
        }
        // Without normalization the raw sum is stored.
        let t = WaveTables::build(&real, &imag, false);
        let table = t.table_for(1.0, 22050.0).unwrap();
        for j in 0..TABLE_SIZE {
            assert!((table[j + 1] as f64 - full[j]).abs() < 1e-6);
        }
    }

    #[test]
    fn all_zero_wave_is_silent_not_nan() {
        let t = WaveTables::build(&[0.0; 3], &[0.0; 3], true);
        let table = t.table_for(440.0, 22050.0).unwrap();
        assert!(table.iter().all(|&s| s == 0.0));
    }

    #[test]
    fn band_selection_never_passes_nyquist() {
        let (a, b) = builtin_coefficients(OscillatorType::Sawtooth, BUILTIN_LENGTH).unwrap();
        let t = WaveTables::build(&a, &b, true);
        // One table per distinct limit (the last few bands all keep just the
        // fundamental).
        let mut distinct: Vec<u32> = t.band_limits.to_vec();
        distinct.dedup();
        assert_eq!(t.table_count(), distinct.len());
        assert_eq!(*distinct.last().unwrap(), 1);
        let nyquist = 24000.0f32;
        for &f in &[
            0.5f32, 5.0, 5.9, 20.0, 100.0, 440.0, 1000.0, 4799.0, 4800.0, 4801.0, 7999.0, 8000.0,
            12000.0, 23999.0,
        ] {
            let k = t.band_for(0, f, nyquist);
            // Same answer from any starting point.
            for hint in [5, 20, 36, 99] {
                assert_eq!(t.band_for(hint, f, nyquist), k, "{f} from {hint}");
            }
            let limit = t.band_limits[k] as f64;
            // Every kept partial is strictly below Nyquist...
            assert!(limit * (f as f64) < nyquist as f64, "{f}: {limit}");
            // ...and the next richer band would not be.
            if k > 0 {
                assert!(
                    t.band_limits[k - 1] as f64 * f as f64 >= nyquist as f64,
                    "{f}"
                );
            }
            let table = t.table_for(f, nyquist).unwrap();
            assert!(std::ptr::eq(table, t.table(k)), "{f}");
        }
        assert!(t.table_for(24000.0, nyquist).is_none());
        assert!(t.table_for(-30000.0, nyquist).is_none());
        assert!(t.table_for(f32::NAN, nyquist).is_none());
        assert!(t.table_for(0.0, nyquist).is_some());
    }

    #[test]
    fn sine_has_a_single_table_and_interpolates_accurately() {
        let t = builtin_tables(OscillatorType::Sine).unwrap();
        assert_eq!(t.table_count(), 1);
        let table = t.table_for(440.0, 24000.0).unwrap();
        let mut worst = 0.0f64;
        for j in 0..10_000 {
            let phase = j as f64 / 10_000.0 + 1.234e-5;
            let v = sample_table(table, phase) as f64;
            worst = worst.max((v - (2.0 * PI * phase).sin()).abs());
        }
        // Cubic interpolation error at 8192 points/period is ~1e-13; what is
        // left is the f32 rounding of the stored and returned samples.
        assert!(worst < 1.2e-7, "{worst}");
    }

    #[test]
    fn builtin_coefficients_follow_the_spec() {
        let (a, b) = builtin_coefficients(OscillatorType::Square, 6).unwrap();
        assert!(a.iter().all(|&v| v == 0.0));
        for (n, &bn) in b.iter().enumerate().skip(1) {
            let nf = n as f64;
            let sq = 2.0 / (nf * PI) * (1.0 - (-1.0f64).powi(n as i32));
            assert!((bn - sq).abs() < 1e-15);
        }
        let (_, b) = builtin_coefficients(OscillatorType::Sawtooth, 6).unwrap();
        for (n, &bn) in b.iter().enumerate().skip(1) {
            let nf = n as f64;
            assert!((bn - (-1.0f64).powi(n as i32 + 1) * 2.0 / (nf * PI)).abs() < 1e-15);
        }
        let (_, b) = builtin_coefficients(OscillatorType::Triangle, 6).unwrap();
        for (n, &bn) in b.iter().enumerate().skip(1) {
            let nf = n as f64;
            let tri = 8.0 * (nf * PI / 2.0).sin() / (PI * nf).powi(2);
            assert!((bn - tri).abs() < 1e-15);
        }
        assert!(builtin_coefficients(OscillatorType::Custom, 4).is_none());
    }
}
