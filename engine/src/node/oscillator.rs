//! OscillatorNode: a band-limited periodic source (sine, square, sawtooth,
//! triangle or a custom PeriodicWave), with a-rate `frequency` and `detune`.

use std::sync::{Arc, Mutex};

use crate::RENDER_QUANTUM_SIZE;
use crate::context::{Context, NodeHandle, NodeSpec, ParamHandle};
use crate::error::Error;
use crate::message::{EngineEvent, NodeMessage};
use crate::node::periodic_wave::{PeriodicWave, WaveTables, builtin_tables, sample_table};
use crate::node::scheduled_source::ScheduledSourceControl;
use crate::node::{NodeError, param_from_table};
use crate::processor::{ParamBlock, ProcessIo, Processor, RenderScope};

/// `enum OscillatorType { "sine", "square", "sawtooth", "triangle", "custom" };`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OscillatorType {
    #[default]
    Sine,
    Square,
    Sawtooth,
    Triangle,
    Custom,
}

/// ```text
/// dictionary OscillatorOptions : AudioNodeOptions {
///     OscillatorType type = "sine";
///     float frequency = 440;
///     float detune = 0;
///     PeriodicWave periodicWave;
/// };
/// ```
/// (AudioNodeOptions defaults for this node: channelCount 2, "max",
/// "speakers"; it has no input so they have no effect.)
#[derive(Debug, Clone)]
pub struct OscillatorOptions {
    pub type_: OscillatorType,
    pub frequency: f32,
    pub detune: f32,
    pub periodic_wave: Option<Arc<PeriodicWave>>,
}

impl Default for OscillatorOptions {
    fn default() -> Self {
        Self {
            type_: OscillatorType::Sine,
            frequency: 440.0,
            detune: 0.0,
            periodic_wave: None,
        }
    }
}

impl OscillatorOptions {
    /// Constructor checks: "custom" without a periodicWave is an
    /// InvalidStateError. Returns the effective type ("custom" whenever a
    /// periodicWave is given) and the tables to hand to the processor.
    pub fn resolve(&self) -> Result<(OscillatorType, Arc<WaveTables>), NodeError> {
        if let Some(wave) = &self.periodic_wave {
            return Ok((OscillatorType::Custom, wave.tables()));
        }
        match builtin_tables(self.type_) {
            Some(t) => Ok((self.type_, t)),
            None => Err(NodeError::InvalidState(
                "OscillatorNode: type \"custom\" requires a periodicWave".into(),
            )),
        }
    }
}

/// The `type` setter: "custom" cannot be set directly (InvalidStateError);
/// otherwise returns the tables to send with [`OscillatorMessage::SetWave`].
pub fn tables_for_type(type_: OscillatorType) -> Result<Arc<WaveTables>, NodeError> {
    builtin_tables(type_).ok_or_else(|| {
        NodeError::InvalidState(
            "OscillatorNode: type cannot be set to \"custom\"; use setPeriodicWave()".into(),
        )
    })
}

/// Lower bound of `detune`: about `-1200 * log2(FLT_MAX)`.
pub const DETUNE_MIN: f32 = -153_600.0;
/// Upper bound of `detune`: about `1200 * log2(FLT_MAX)`.
pub const DETUNE_MAX: f32 = 153_600.0;

/// Params in `io.params` order: `[0]` = frequency, `[1]` = detune, both
/// a-rate. (name, default, min, max, a-rate)
///
/// frequency's range is really [-Nyquist, Nyquist], which depends on the
/// context; this table carries ±`f32::MAX` there, use
/// [`oscillator_params`] for the real bounds.
pub const OSCILLATOR_PARAMS: &[(&str, f32, f32, f32, bool)] = &[
    ("frequency", 440.0, -f32::MAX, f32::MAX, true),
    ("detune", 0.0, DETUNE_MIN, DETUNE_MAX, true),
];

/// [`OSCILLATOR_PARAMS`] with frequency bounded by ±Nyquist of `sample_rate`.
pub fn oscillator_params(sample_rate: f32) -> [(&'static str, f32, f32, f32, bool); 2] {
    let nyquist = sample_rate / 2.0;
    [
        ("frequency", 440.0, -nyquist, nyquist, true),
        OSCILLATOR_PARAMS[1],
    ]
}

/// Control-to-render messages specific to the oscillator (start/stop use
/// [`NodeMessage::Start`] / [`NodeMessage::Stop`]).
#[derive(Debug)]
pub enum OscillatorMessage {
    /// New tables (a type change or setPeriodicWave). Boxed on the control
    /// side so the processor can hand the old tables back in the same box
    /// without allocating. The phase is kept.
    SetWave(Box<Arc<WaveTables>>),
}

/// `computedOscFrequency = frequency * 2^(detune / 1200)`.
#[inline(always)]
fn computed_frequency(frequency: f32, detune: f32) -> f32 {
    if detune == 0.0 {
        frequency
    } else {
        (frequency as f64 * (detune as f64 / 1200.0).exp2()) as f32
    }
}

/// Start/stop frames of an oscillator: events take effect at frame
/// `round(t * sampleRate)`.
#[derive(Debug, Default, Clone, Copy)]
struct Schedule {
    /// Exact (fractional) start frame from `start()`.
    start: Option<f64>,
    stop: Option<f64>,
    /// Whether the first frame was rendered (phase initialised).
    playing: bool,
    ended: bool,
}

fn round_frame(f: f64) -> u64 {
    if f <= 0.0 { 0 } else { f.round() as u64 }
}

/// Render half. No input, one mono output; `io.params[0]` = frequency,
/// `io.params[1]` = detune.
pub struct OscillatorProcessor {
    tables: Arc<WaveTables>,
    /// Phase in cycles, in [0, 1).
    phase: f64,
    /// Band used last (search start for a-rate frequencies).
    band: usize,
    schedule: Schedule,
}

impl OscillatorProcessor {
    /// `tables` from [`OscillatorOptions::resolve`].
    pub fn new(tables: Arc<WaveTables>) -> Self {
        Self {
            tables,
            phase: 0.0,
            band: 0,
            schedule: Schedule::default(),
        }
    }

    /// Renders frames `range` of the quantum into `out` (already zeroed
    /// elsewhere), advancing the phase.
    fn render(
        &mut self,
        out: &mut [f32; RENDER_QUANTUM_SIZE],
        range: std::ops::Range<usize>,
        frequency: ParamBlock<'_>,
        detune: ParamBlock<'_>,
        sample_rate: f32,
    ) {
        let nyquist = sample_rate / 2.0;
        let inv_sr = 1.0 / sample_rate as f64;
        let mut phase = self.phase;
        let tables = &*self.tables;
        if frequency.is_constant() && detune.is_constant() {
            let f = computed_frequency(frequency.first(), detune.first());
            let inc = phase_increment(f, nyquist, inv_sr);
            match tables.table_for(f, nyquist) {
                // Bounded by the 4-point interpolation (4 loads, ~12 flops)
                // per frame; the phase recurrence is serial.
                Some(table) => {
                    for o in &mut out[range] {
                        *o = sample_table(table, phase);
                        phase = wrap(phase + inc);
                    }
                }
                None => {
                    out[range.clone()].fill(0.0);
                    let n = range.len() as f64;
                    phase = (phase + inc * n).rem_euclid(1.0);
                }
            }
        } else {
            // computedOscFrequency per frame; with a constant detune its
            // factor is computed once.
            let factor = detune
                .is_constant()
                .then(|| (detune.first() as f64 / 1200.0).exp2());
            let mut band = self.band;
            for i in range {
                let f = match factor {
                    Some(1.0) => frequency.at(i),
                    Some(m) => (frequency.at(i) as f64 * m) as f32,
                    None => computed_frequency(frequency.at(i), detune.at(i)),
                };
                let f_abs = f.abs();
                out[i] = if f_abs < nyquist {
                    band = tables.band_for(band, f_abs, nyquist);
                    sample_table(tables.table(band), phase)
                } else {
                    0.0
                };
                phase = wrap(phase + phase_increment(f, nyquist, inv_sr));
            }
            self.band = band;
        }
        // rem_euclid can round up to exactly 1.0 for tiny negative phases.
        self.phase = if phase >= 1.0 { 0.0 } else { phase };
    }
}

/// Phase advance per frame in cycles. Beyond Nyquist the frequency is
/// clamped to ±Nyquist (the output there is silence anyway); NaN counts as 0.
#[inline(always)]
fn phase_increment(f: f32, nyquist: f32, inv_sr: f64) -> f64 {
    let f = if f.is_nan() {
        0.0
    } else {
        f.clamp(-nyquist, nyquist)
    };
    f as f64 * inv_sr
}

/// Keeps a phase in [0, 1) after one step of at most half a cycle.
#[inline(always)]
fn wrap(p: f64) -> f64 {
    if p >= 1.0 {
        p - 1.0
    } else if p < 0.0 {
        p + 1.0
    } else {
        p
    }
}

impl Processor for OscillatorProcessor {
    fn has_finished(&self) -> bool {
        self.schedule.ended
    }

    fn process(&mut self, io: ProcessIo<'_>, scope: &RenderScope<'_>) -> bool {
        let output = &mut io.outputs[0];
        let sched = self.schedule;
        if sched.ended {
            output.make_silent_with_channels(1);
            return false;
        }
        let Some(start_exact) = sched.start else {
            output.make_silent_with_channels(1);
            return true;
        };
        let q_start = scope.current_frame;
        let q_end = q_start + RENDER_QUANTUM_SIZE as u64;
        let start = round_frame(start_exact);
        let stop = sched.stop.map_or(u64::MAX, round_frame);

        let play_from = start.max(q_start);
        let play_to = stop.min(q_end);
        if play_from < play_to {
            let a = (play_from - q_start) as usize;
            let b = (play_to - q_start) as usize;
            if !sched.playing {
                // Phase zero at the exact start time: the first rendered frame
                // is up to half a frame off it (rounding), or later if the
                // start time was already past.
                let lead = if start >= q_start {
                    play_from as f64 - start_exact
                } else {
                    0.0
                };
                let f = computed_frequency(io.params[0].at(a), io.params[1].at(a));
                let inc =
                    phase_increment(f, scope.sample_rate / 2.0, 1.0 / scope.sample_rate as f64);
                self.phase = (lead * inc).rem_euclid(1.0);
                if self.phase >= 1.0 {
                    self.phase = 0.0;
                }
                self.schedule.playing = true;
            }
            output.set_number_of_channels(1);
            let out = output.channel_mut(0);
            out[..a].fill(0.0);
            out[b..].fill(0.0);
            let (freq, detune) = (io.params[0], io.params[1]);
            self.render(out, a..b, freq, detune, scope.sample_rate);
        } else {
            output.make_silent_with_channels(1);
        }

        if stop <= q_end {
            self.schedule.ended = true;
            scope.post_event(EngineEvent::Ended(scope.node_id));
            return false;
        }
        true
    }

    fn handle_message(&mut self, message: NodeMessage, scope: &RenderScope<'_>) {
        match message {
            // start() can only be called once; a repeat is ignored.
            NodeMessage::Start { at_frame, .. } if self.schedule.start.is_none() => {
                self.schedule.start = Some(at_frame);
            }
            // The last stop() wins unless the source has already ended.
            NodeMessage::Stop { at_frame } if !self.schedule.ended => {
                self.schedule.stop = Some(at_frame);
            }
            NodeMessage::Oscillator(OscillatorMessage::SetWave(mut tables)) => {
                std::mem::swap(&mut self.tables, &mut *tables);
                scope.discard(tables);
            }
            // A repeated start, a stop after the end, or a message meant for
            // another node kind: ignored. Forgotten rather than dropped so a
            // stray payload is never freed on the render thread.
            other => std::mem::forget(other),
        }
    }
}

/// Control handle of an OscillatorNode.
#[derive(Debug, Clone)]
pub struct OscillatorNode {
    node: NodeHandle,
    schedule: Arc<ScheduledSourceControl>,
    type_: Arc<Mutex<OscillatorType>>,
}

impl OscillatorNode {
    /// `new OscillatorNode(context, options)`: a "custom" type without a
    /// periodicWave is an InvalidStateError; a periodicWave makes the type
    /// "custom" whatever `type` said.
    pub fn new(ctx: &Context, options: OscillatorOptions) -> Result<Self, Error> {
        let (type_, tables) = options.resolve()?;
        let params = oscillator_params(ctx.sample_rate())
            .into_iter()
            .map(|p| param_from_table(p, false))
            .collect();
        let spec = NodeSpec::new(0, 1, params);
        let node = ctx.create_node(spec, Box::new(OscillatorProcessor::new(tables)))?;
        if options.frequency != OSCILLATOR_PARAMS[0].1 {
            node.param(0).set_value(options.frequency)?;
        }
        if options.detune != OSCILLATOR_PARAMS[1].1 {
            node.param(1).set_value(options.detune)?;
        }
        Ok(Self {
            node,
            schedule: Default::default(),
            type_: Arc::new(Mutex::new(type_)),
        })
    }

    pub fn node(&self) -> &NodeHandle {
        &self.node
    }

    pub fn frequency(&self) -> ParamHandle {
        self.node.param(0)
    }

    pub fn detune(&self) -> ParamHandle {
        self.node.param(1)
    }

    pub fn type_(&self) -> OscillatorType {
        *self.type_.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The `type` setter: "custom" is an InvalidStateError.
    pub fn set_type(&self, type_: OscillatorType) -> Result<(), Error> {
        let tables = tables_for_type(type_)?;
        *self.type_.lock().unwrap_or_else(|e| e.into_inner()) = type_;
        self.send_tables(tables);
        Ok(())
    }

    /// `setPeriodicWave(wave)`: the type becomes "custom".
    pub fn set_periodic_wave(&self, wave: &PeriodicWave) {
        *self.type_.lock().unwrap_or_else(|e| e.into_inner()) = OscillatorType::Custom;
        self.send_tables(wave.tables());
    }

    fn send_tables(&self, tables: Arc<WaveTables>) {
        self.node
            .send(NodeMessage::Oscillator(OscillatorMessage::SetWave(
                Box::new(tables),
            )));
    }

    pub fn start(&self, when: f64) -> Result<(), Error> {
        self.schedule.start(&self.node, when)
    }

    pub fn stop(&self, when: f64) -> Result<(), Error> {
        self.schedule.stop(&self.node, when)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::AudioBlock;
    use crate::node::periodic_wave::{BUILTIN_LENGTH, PeriodicWaveOptions, builtin_coefficients};
    use crate::processor::testing::TestScope;
    use std::f64::consts::PI;

    const SR: f32 = 48000.0;

    /// Renders `quanta` quanta; `freq` / `detune` give each frame's value
    /// (absolute frame index) or None for a constant param.
    struct Run {
        out: Vec<f32>,
        ended_at: Vec<usize>,
        alive: Vec<bool>,
    }

    fn run(
        p: &mut OscillatorProcessor,
        quanta: usize,
        freq: &dyn Fn(usize) -> f32,
        detune: &dyn Fn(usize) -> f32,
        constant: bool,
        messages: &mut dyn FnMut(usize) -> Vec<NodeMessage>,
    ) -> Run {
        let ts = TestScope::new(SR);
        let mut out = Vec::new();
        let mut ended_at = Vec::new();
        let mut alive = Vec::new();
        for q in 0..quanta {
            let frame = (q * RENDER_QUANTUM_SIZE) as u64;
            let scope = ts.scope(frame);
            for m in messages(q) {
                p.handle_message(m, &scope);
            }
            let (fv, dv): (Vec<f32>, Vec<f32>) = if constant {
                (vec![freq(frame as usize)], vec![detune(frame as usize)])
            } else {
                (0..RENDER_QUANTUM_SIZE)
                    .map(|i| (freq(frame as usize + i), detune(frame as usize + i)))
                    .unzip()
            };
            let params = [ParamBlock::new(&fv), ParamBlock::new(&dv)];
            let mut outs = [AudioBlock::new(2)];
            alive.push(p.process(
                ProcessIo {
                    inputs: &[],
                    outputs: &mut outs,
                    params: &params,
                },
                &scope,
            ));
            assert_eq!(outs[0].number_of_channels(), 1);
            out.extend_from_slice(outs[0].channel(0));
            while let Some(ev) = ts.events.pop() {
                assert_eq!(ev, EngineEvent::Ended(scope.node_id));
                ended_at.push(q);
            }
        }
        Run {
            out,
            ended_at,
            alive,
        }
    }

    fn start_at(frame: f64) -> impl FnMut(usize) -> Vec<NodeMessage> {
        move |q| {
            if q == 0 {
                vec![NodeMessage::Start {
                    at_frame: frame,
                    offset: 0.0,
                    duration: None,
                }]
            } else {
                vec![]
            }
        }
    }

    fn osc(kind: OscillatorType) -> OscillatorProcessor {
        OscillatorProcessor::new(tables_for_type(kind).unwrap())
    }

    /// Partials kept by the band an oscillator at `f` plays: the largest of
    /// `floor(4096 * 2^(-k/3))` (clamped to 1..=4095) not above the count of
    /// partials strictly below Nyquist.
    fn band_limit_for(f: f64) -> usize {
        let nyq = SR as f64 / 2.0;
        let allowed = ((nyq / f.abs()).ceil() as usize - 1).max(1);
        (0..37)
            .map(|k| ((4096.0 * 2f64.powf(-(k as f64) / 3.0)).floor() as usize).clamp(1, 4095))
            .find(|&m| m <= allowed)
            .unwrap()
    }

    /// The spec's waveform for built-in `kind` keeping partials `1..=limit`,
    /// divided by the normalization factor of the full series (max over an
    /// 8192-point grid, by exact `(k n) mod N` indexing).
    fn band_limited_reference(
        kind: OscillatorType,
        f: f64,
        frames: usize,
        limit: usize,
    ) -> Vec<f64> {
        let (b, peak) = builtin_series(kind);
        (0..frames)
            .map(|t| {
                let ph = f * t as f64 / SR as f64;
                (1..=limit)
                    .map(|k| b[k] * (2.0 * PI * k as f64 * ph).sin())
                    .sum::<f64>()
                    / peak
            })
            .collect()
    }

    /// Sine coefficients of built-in `kind` and the normalization factor of
    /// its full series.
    fn builtin_series(kind: OscillatorType) -> (Vec<f64>, f64) {
        let (_, b) = builtin_coefficients(kind, BUILTIN_LENGTH).unwrap();
        let n = 8192usize;
        let sin: Vec<f64> = (0..n)
            .map(|j| (2.0 * PI * j as f64 / n as f64).sin())
            .collect();
        let mut peak = 0.0f64;
        for j in 0..n {
            let v: f64 = (1..BUILTIN_LENGTH).map(|k| b[k] * sin[(k * j) % n]).sum();
            peak = peak.max(v.abs());
        }
        (b, peak)
    }

    fn assert_close(actual: &[f32], expected: &[f64], tol: f64, what: &str) {
        assert_eq!(actual.len(), expected.len());
        for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
            assert!(
                (a as f64 - e).abs() <= tol,
                "{what}[{i}]: {a} vs {e} (diff {})",
                (a as f64 - e).abs()
            );
        }
    }

    #[test]
    fn sine_matches_sin_closely() {
        for f in [440.0f32, -100.0, 1.0, 2.0, 7919.0] {
            let mut p = osc(OscillatorType::Sine);
            let r = run(&mut p, 40, &|_| f, &|_| 0.0, true, &mut start_at(0.0));
            let expected: Vec<f64> = (0..r.out.len())
                .map(|n| (2.0 * PI * f as f64 * n as f64 / SR as f64).sin())
                .collect();
            // f32 output rounding (6e-8) plus interpolation (< 1e-12) and
            // phase accumulation error.
            assert_close(&r.out, &expected, 1.2e-7, &format!("sine {f}"));
        }
    }

    #[test]
    fn builtin_waves_are_the_band_limited_fourier_series() {
        for kind in [
            OscillatorType::Square,
            OscillatorType::Sawtooth,
            OscillatorType::Triangle,
        ] {
            for f in [440.0f32, 5000.0, 13000.0] {
                let mut p = osc(kind);
                let r = run(&mut p, 4, &|_| f, &|_| 0.0, true, &mut start_at(0.0));
                // The tables keep up to 2^(1/3) fewer partials than Nyquist
                // would allow (3 bands per octave), so the reference is the
                // series with exactly the selected band's partials.
                let limit = band_limit_for(f as f64);
                assert!(limit as f64 * f as f64 <= SR as f64 / 2.0);
                let kept = band_limited_reference(kind, f as f64, r.out.len(), limit);
                assert_close(&r.out, &kept, 2e-6, &format!("{kind:?} {f}"));
            }
        }
    }

    #[test]
    fn custom_wave_without_normalization() {
        // real [0, 1], imag [0, 1]: cos + sin, as in WPT osc-basic-waveform.
        let wave = PeriodicWave::new(PeriodicWaveOptions {
            real: Some(vec![0.0, 1.0]),
            imag: Some(vec![0.0, 1.0]),
            disable_normalization: true,
        })
        .unwrap();
        let opts = OscillatorOptions {
            type_: OscillatorType::Sine, // ignored: a periodicWave makes it custom
            periodic_wave: Some(Arc::new(wave)),
            frequency: 100.0,
            ..Default::default()
        };
        let (ty, tables) = opts.resolve().unwrap();
        assert_eq!(ty, OscillatorType::Custom);
        let mut p = OscillatorProcessor::new(tables);
        let r = run(&mut p, 10, &|_| 100.0, &|_| 0.0, true, &mut start_at(0.0));
        let expected: Vec<f64> = (0..r.out.len())
            .map(|n| {
                let w = 2.0 * PI * 100.0 * n as f64 / SR as f64;
                w.cos() + w.sin()
            })
            .collect();
        assert_close(&r.out, &expected, 2.4e-7, "cos+sin");
    }

    #[test]
    fn custom_wave_normalised() {
        let wave = PeriodicWave::new(PeriodicWaveOptions {
            real: Some(vec![0.0, 0.0]),
            imag: Some(vec![0.0, 3.0]),
            disable_normalization: false,
        })
        .unwrap();
        let mut p = OscillatorProcessor::new(wave.tables());
        let r = run(&mut p, 4, &|_| 440.0, &|_| 0.0, true, &mut start_at(0.0));
        let expected: Vec<f64> = (0..r.out.len())
            .map(|n| (2.0 * PI * 440.0 * n as f64 / SR as f64).sin())
            .collect();
        assert_close(&r.out, &expected, 1.2e-7, "normalised 3 sin");
    }

    #[test]
    fn a_rate_frequency_and_detune_integrate_the_phase() {
        let freq = |n: usize| 200.0 + 3.0 * (n % 1000) as f32;
        let detune = |n: usize| -600.0 + (n as f32 * 0.37) % 1200.0;
        let mut p = osc(OscillatorType::Sine);
        let r = run(&mut p, 20, &freq, &detune, false, &mut start_at(0.0));
        let mut phase = 0.0f64;
        let mut expected = Vec::new();
        for n in 0..r.out.len() {
            expected.push((2.0 * PI * phase).sin());
            let f = freq(n) as f64 * (detune(n) as f64 / 1200.0).exp2();
            phase += f / SR as f64;
        }
        // The computed frequency is rounded to f32 per frame (relative 6e-8)
        // and that phase error accumulates over the 2560 frames.
        assert_close(&r.out, &expected, 2e-6, "a-rate");
    }

    #[test]
    fn a_rate_sweep_switches_bands_per_frame() {
        // A square sweeping 300 Hz -> 11 kHz over 20 quanta: every frame must
        // be the series with exactly the partials of that frame's band, at
        // the integrated phase.
        let frames = 20 * RENDER_QUANTUM_SIZE;
        let freq = move |n: usize| 300.0 + 10_700.0 * n as f32 / frames as f32;
        let mut p = osc(OscillatorType::Square);
        let r = run(&mut p, 20, &freq, &|_| 0.0, false, &mut start_at(0.0));
        let (b, peak) = builtin_series(OscillatorType::Square);
        let mut phase = 0.0f64;
        let mut expected = Vec::with_capacity(frames);
        for n in 0..frames {
            let f = freq(n) as f64;
            let limit = band_limit_for(f);
            expected.push(
                (1..=limit)
                    .map(|k| b[k] * (2.0 * PI * k as f64 * phase).sin())
                    .sum::<f64>()
                    / peak,
            );
            phase = (phase + f / SR as f64).fract();
        }
        assert_close(&r.out, &expected, 5e-6, "sweep");
    }

    #[test]
    fn per_frame_params_with_constant_values_match_the_constant_path() {
        for kind in [OscillatorType::Sawtooth, OscillatorType::Triangle] {
            let mut a = osc(kind);
            let mut b = osc(kind);
            let ra = run(&mut a, 5, &|_| 1234.5, &|_| 30.0, true, &mut start_at(0.0));
            let rb = run(&mut b, 5, &|_| 1234.5, &|_| 30.0, false, &mut start_at(0.0));
            assert_eq!(ra.out, rb.out);
        }
    }

    #[test]
    fn long_periodic_waves_are_supported() {
        // 8192 coefficients (the spec's minimum); partial 3 only, so the
        // normalised wave is exactly sin(3 wt).
        let mut imag = vec![0.0f32; 8192];
        imag[3] = 0.25;
        let wave = PeriodicWave::new(PeriodicWaveOptions {
            real: Some(vec![0.0; 8192]),
            imag: Some(imag),
            disable_normalization: false,
        })
        .unwrap();
        let mut p = OscillatorProcessor::new(wave.tables());
        let r = run(&mut p, 2, &|_| 100.0, &|_| 0.0, true, &mut start_at(0.0));
        let expected: Vec<f64> = (0..r.out.len())
            .map(|n| (2.0 * PI * 300.0 * n as f64 / SR as f64).sin())
            .collect();
        assert_close(&r.out, &expected, 1.5e-7, "8192-term wave");
    }

    #[test]
    fn nyquist_and_beyond_is_silence() {
        // frequency 1 with detune 1200*log2(sampleRate): sampleRate Hz.
        let d = (1200.0 * (SR as f64).log2()) as f32;
        let mut p = osc(OscillatorType::Sine);
        let r = run(&mut p, 3, &|_| 1.0, &|_| d, true, &mut start_at(0.0));
        assert!(r.out.iter().all(|&s| s == 0.0));
        // detune 153600 on 440 Hz overflows f32 to infinity.
        let mut p = osc(OscillatorType::Square);
        let r = run(
            &mut p,
            1,
            &|_| 440.0,
            &|_| DETUNE_MAX,
            true,
            &mut start_at(0.0),
        );
        assert!(r.out.iter().all(|&s| s == 0.0));
        let mut p = osc(OscillatorType::Sawtooth);
        let r = run(&mut p, 1, &|_| SR / 2.0, &|_| 0.0, true, &mut start_at(0.0));
        assert!(r.out.iter().all(|&s| s == 0.0));
        // A detune ramp crossing Nyquist: sound before the crossing frame,
        // silence from it on.
        let detune = |n: usize| n as f32 * 20.0;
        let critical = (1200.0 * (SR as f64 / 2.0).log2() / 20.0).ceil() as usize;
        let mut p = osc(OscillatorType::Sine);
        let r = run(&mut p, 20, &|_| 1.0, &detune, false, &mut start_at(0.0));
        assert!(r.out[..critical].iter().any(|&s| s != 0.0));
        assert!(r.out[critical..].iter().all(|&s| s == 0.0), "{critical}");
    }

    #[test]
    fn start_and_stop_are_sample_accurate_and_ended_fires_once() {
        // cos wave: the first played frame is exactly 1.
        let wave = PeriodicWave::new(PeriodicWaveOptions {
            real: Some(vec![0.0, 1.0]),
            ..Default::default()
        })
        .unwrap();
        let mut p = OscillatorProcessor::new(wave.tables());
        let mut msgs = |q: usize| match q {
            0 => vec![NodeMessage::Start {
                at_frame: 300.0,
                offset: 0.0,
                duration: None,
            }],
            1 => vec![NodeMessage::Stop { at_frame: 700.0 }],
            _ => vec![],
        };
        let r = run(&mut p, 8, &|_| 1000.0, &|_| 0.0, true, &mut msgs);
        assert!(r.out[..300].iter().all(|&s| s == 0.0));
        for n in 300..700 {
            let e = (2.0 * PI * 1000.0 * (n - 300) as f64 / SR as f64).cos();
            assert!((r.out[n] as f64 - e).abs() < 1.2e-7, "{n}");
        }
        assert!(r.out[700..].iter().all(|&s| s == 0.0));
        // Frame 700 lies in quantum 5 (640..768).
        assert_eq!(r.ended_at, vec![5]);
        assert_eq!(
            r.alive,
            vec![true, true, true, true, true, false, false, false]
        );
    }

    #[test]
    fn fractional_times_round_to_the_nearest_frame() {
        let mut p = osc(OscillatorType::Square);
        let mut msgs = |q: usize| match q {
            0 => vec![
                NodeMessage::Start {
                    at_frame: 10.4,
                    offset: 0.0,
                    duration: None,
                },
                NodeMessage::Stop { at_frame: 20.5 },
            ],
            _ => vec![],
        };
        let r = run(&mut p, 2, &|_| 1000.0, &|_| 0.0, true, &mut msgs);
        assert!(r.out[..10].iter().all(|&s| s == 0.0));
        // Phase zero at the exact start 10.4, so frame 10 is 0.4 frames
        // before it (just before a rising edge: negative), frame 11 0.6 after.
        let (b, peak) = builtin_series(OscillatorType::Square);
        let reference = |t: f64| {
            (1..=band_limit_for(1000.0))
                .map(|k| b[k] * (2.0 * PI * k as f64 * 1000.0 * t / SR as f64).sin())
                .sum::<f64>()
                / peak
        };
        assert!(r.out[10] < 0.0 && r.out[11] > 0.0);
        assert_close(
            &r.out[10..21],
            &(10..21)
                .map(|n| reference(n as f64 - 10.4))
                .collect::<Vec<_>>(),
            2e-6,
            "sub-sample phase",
        );
        assert!(r.out[11..21].iter().all(|&s| s != 0.0));
        assert!(r.out[21..].iter().all(|&s| s == 0.0));
        assert_eq!(r.ended_at, vec![0]);
    }

    #[test]
    fn stop_on_a_quantum_boundary_ends_in_the_quantum_before_it() {
        let mut p = osc(OscillatorType::Sine);
        let mut msgs = |q: usize| match q {
            0 => vec![
                NodeMessage::Start {
                    at_frame: 0.0,
                    offset: 0.0,
                    duration: None,
                },
                NodeMessage::Stop { at_frame: 256.0 },
            ],
            _ => vec![],
        };
        let r = run(&mut p, 3, &|_| 440.0, &|_| 0.0, true, &mut msgs);
        assert!(r.out[255] != 0.0);
        assert!(r.out[256..].iter().all(|&s| s == 0.0));
        assert_eq!(r.ended_at, vec![1]);
        assert_eq!(r.alive, vec![true, false, false]);
    }

    #[test]
    fn stop_before_start_never_plays() {
        let mut p = osc(OscillatorType::Sine);
        let mut msgs = |q: usize| match q {
            0 => vec![
                NodeMessage::Start {
                    at_frame: 500.0,
                    offset: 0.0,
                    duration: None,
                },
                NodeMessage::Stop { at_frame: 200.0 },
            ],
            _ => vec![],
        };
        let r = run(&mut p, 6, &|_| 440.0, &|_| 0.0, true, &mut msgs);
        assert!(r.out.iter().all(|&s| s == 0.0));
        assert_eq!(r.ended_at, vec![1]);
    }

    #[test]
    fn start_in_the_past_starts_now_with_zero_phase() {
        let mut p = osc(OscillatorType::Sine);
        let mut msgs = |q: usize| match q {
            2 => vec![NodeMessage::Start {
                at_frame: 3.0,
                offset: 0.0,
                duration: None,
            }],
            _ => vec![],
        };
        let r = run(&mut p, 4, &|_| 440.0, &|_| 0.0, true, &mut msgs);
        assert!(r.out[..256].iter().all(|&s| s == 0.0));
        for n in 256..512 {
            let e = (2.0 * PI * 440.0 * (n - 256) as f64 / SR as f64).sin();
            assert!((r.out[n] as f64 - e).abs() < 1.2e-7);
        }
        assert!(r.ended_at.is_empty());
        assert!(r.alive.iter().all(|&a| a));
    }

    #[test]
    fn type_change_keeps_the_phase() {
        let mut p = osc(OscillatorType::Sine);
        let mut msgs = |q: usize| match q {
            0 => vec![NodeMessage::Start {
                at_frame: 0.0,
                offset: 0.0,
                duration: None,
            }],
            1 => vec![NodeMessage::Oscillator(OscillatorMessage::SetWave(
                Box::new(tables_for_type(OscillatorType::Triangle).unwrap()),
            ))],
            _ => vec![],
        };
        let f = 300.0;
        let r = run(&mut p, 3, &|_| f, &|_| 0.0, true, &mut msgs);
        // From frame 128 on the triangle continues the sine's phase, i.e. it
        // equals a triangle started at frame 0.
        let kept = band_limited_reference(
            OscillatorType::Triangle,
            f as f64,
            384,
            band_limit_for(f as f64),
        );
        assert_close(&r.out[128..], &kept[128..], 2e-6, "triangle after switch");
    }

    #[test]
    fn options_and_setter_exceptions() {
        let d = OscillatorOptions::default();
        assert_eq!(d.type_, OscillatorType::Sine);
        assert_eq!(d.frequency, 440.0);
        assert_eq!(d.detune, 0.0);
        assert!(matches!(
            OscillatorOptions {
                type_: OscillatorType::Custom,
                ..Default::default()
            }
            .resolve(),
            Err(NodeError::InvalidState(_))
        ));
        assert!(matches!(
            tables_for_type(OscillatorType::Custom),
            Err(NodeError::InvalidState(_))
        ));
        assert!(tables_for_type(OscillatorType::Sawtooth).is_ok());
        let p = oscillator_params(44100.0);
        assert_eq!(p[0], ("frequency", 440.0, -22050.0, 22050.0, true));
        assert_eq!(p[1], ("detune", 0.0, -153_600.0, 153_600.0, true));
        use crate::node::{check_scheduled_start, check_scheduled_stop};
        assert!(check_scheduled_start(false, 0.0).is_ok());
        assert!(matches!(
            check_scheduled_start(true, 0.0),
            Err(NodeError::InvalidState(_))
        ));
        assert!(matches!(
            check_scheduled_start(false, -1.0),
            Err(NodeError::Range(_))
        ));
        assert!(matches!(
            check_scheduled_stop(false, 1.0),
            Err(NodeError::InvalidState(_))
        ));
        assert!(matches!(
            check_scheduled_stop(true, -0.5),
            Err(NodeError::Range(_))
        ));
        assert!(check_scheduled_stop(true, 0.5).is_ok());
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(matches!(
                check_scheduled_start(false, bad),
                Err(NodeError::Type(_))
            ));
            assert!(matches!(
                check_scheduled_start(true, bad),
                Err(NodeError::Type(_))
            ));
            assert!(matches!(
                check_scheduled_stop(false, bad),
                Err(NodeError::Type(_))
            ));
        }
    }
}

#[cfg(test)]
mod control_tests {
    use super::*;
    use crate::context::OfflineOptions;

    fn ctx() -> Context {
        Context::new_offline(OfflineOptions {
            number_of_channels: 1,
            length: 256,
            sample_rate: 48000.0,
        })
        .unwrap()
    }

    #[test]
    fn type_rules() {
        let ctx = ctx();
        let custom = OscillatorOptions {
            type_: OscillatorType::Custom,
            ..Default::default()
        };
        assert!(matches!(
            OscillatorNode::new(&ctx, custom),
            Err(Error::InvalidState(_))
        ));
        let o = OscillatorNode::new(&ctx, Default::default()).unwrap();
        assert_eq!(o.type_(), OscillatorType::Sine);
        assert_eq!(o.frequency().max_value(), 24000.0);
        assert_eq!(o.frequency().min_value(), -24000.0);
        o.set_type(OscillatorType::Square).unwrap();
        assert_eq!(o.type_(), OscillatorType::Square);
        assert!(matches!(
            o.set_type(OscillatorType::Custom),
            Err(Error::InvalidState(_))
        ));
        let wave = PeriodicWave::new(Default::default()).unwrap();
        o.set_periodic_wave(&wave);
        assert_eq!(o.type_(), OscillatorType::Custom);
    }

    #[test]
    fn renders_the_default_sine() {
        let ctx = ctx();
        let o = OscillatorNode::new(
            &ctx,
            OscillatorOptions {
                frequency: 1000.0,
                ..Default::default()
            },
        )
        .unwrap();
        o.node().connect(&ctx.destination(), 0, 0).unwrap();
        o.start(0.0).unwrap();
        let out = ctx.render_blocking().unwrap();
        for (i, &s) in out[0].iter().enumerate() {
            let want = (2.0 * std::f64::consts::PI * 1000.0 * i as f64 / 48000.0).sin();
            assert!((s as f64 - want).abs() < 1e-4, "frame {i}: {s} vs {want}");
        }
    }
}
