//! PannerNode: equal-power and HRTF spatialisation with the spec's distance
//! models and sound cones, relative to the context's AudioListener.
//!
//! `io.params` holds the panner's six params ([`PANNER_PARAMS`]). The
//! listener's nine ([`crate::node::audio_listener::LISTENER_PARAMS`]) come
//! from the context's AudioListener, which publishes them every quantum into
//! shared preallocated storage ([`ListenerValues`]); the graph processes the
//! listener before every panner. A processor driven directly (tests,
//! benchmarks) may instead pass the nine blocks after its own six; with
//! neither, the listener's defaults are used.

use std::sync::{Arc, Mutex, OnceLock};

use realfft::RealFftPlanner;
use realfft::num_complex::Complex;

use crate::RENDER_QUANTUM_SIZE;
use crate::context::{Context, NodeHandle, NodeSpec, ParamHandle};
use crate::error::Error;
use crate::message::NodeMessage;
use crate::mixing::{ChannelConfig, ChannelCountMode, ChannelInterpretation};
use crate::node::NodeError;
use crate::node::audio_listener::{AudioListener, LISTENER_PARAMS, ListenerParams, ListenerValues};
use crate::param::{AutomationRate, ParamDescriptor};
use crate::processor::{ParamBlock, ProcessIo, Processor, RenderScope};

const Q: usize = RENDER_QUANTUM_SIZE;

/// `PanningModelType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PanningModel {
    #[default]
    EqualPower,
    Hrtf,
}

/// `DistanceModelType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DistanceModel {
    Linear,
    #[default]
    Inverse,
    Exponential,
}

/// `PannerOptions` (the `AudioNodeOptions` members are the graph's:
/// channelCount 2, "clamped-max", "speakers"):
///
/// ```webidl
/// dictionary PannerOptions : AudioNodeOptions {
///     PanningModelType panningModel = "equalpower";
///     DistanceModelType distanceModel = "inverse";
///     float positionX = 0;
///     float positionY = 0;
///     float positionZ = 0;
///     float orientationX = 1;
///     float orientationY = 0;
///     float orientationZ = 0;
///     double refDistance = 1;
///     double maxDistance = 10000;
///     double rolloffFactor = 1;
///     double coneInnerAngle = 360;
///     double coneOuterAngle = 360;
///     double coneOuterGain = 0;
/// };
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PannerOptions {
    pub panning_model: PanningModel,
    pub distance_model: DistanceModel,
    pub position: [f32; 3],
    pub orientation: [f32; 3],
    pub ref_distance: f64,
    pub max_distance: f64,
    pub rolloff_factor: f64,
    pub cone_inner_angle: f64,
    pub cone_outer_angle: f64,
    pub cone_outer_gain: f64,
}

impl Default for PannerOptions {
    fn default() -> Self {
        Self {
            panning_model: PanningModel::EqualPower,
            distance_model: DistanceModel::Inverse,
            position: [0.0; 3],
            orientation: [1.0, 0.0, 0.0],
            ref_distance: 1.0,
            max_distance: 10000.0,
            rolloff_factor: 1.0,
            cone_inner_angle: 360.0,
            cone_outer_angle: 360.0,
            cone_outer_gain: 0.0,
        }
    }
}

/// `io.params[0..6]`: (name, default, min, max, a-rate). The effective rate
/// is k-rate under the HRTF model whatever `automationRate` says.
pub const PANNER_PARAMS: &[(&str, f32, f32, f32, bool)] = &[
    ("positionX", 0.0, f32::MIN, f32::MAX, true),
    ("positionY", 0.0, f32::MIN, f32::MAX, true),
    ("positionZ", 0.0, f32::MIN, f32::MAX, true),
    ("orientationX", 1.0, f32::MIN, f32::MAX, true),
    ("orientationY", 0.0, f32::MIN, f32::MAX, true),
    ("orientationZ", 0.0, f32::MIN, f32::MAX, true),
];

pub fn validate_ref_distance(v: f64) -> Result<(), NodeError> {
    if v < 0.0 || v.is_nan() {
        return Err(NodeError::Range(format!(
            "PannerNode: refDistance {v} is negative"
        )));
    }
    Ok(())
}

pub fn validate_max_distance(v: f64) -> Result<(), NodeError> {
    if v <= 0.0 || v.is_nan() {
        return Err(NodeError::Range(format!(
            "PannerNode: maxDistance {v} is not positive"
        )));
    }
    Ok(())
}

pub fn validate_rolloff_factor(v: f64) -> Result<(), NodeError> {
    if v < 0.0 || v.is_nan() {
        return Err(NodeError::Range(format!(
            "PannerNode: rolloffFactor {v} is negative"
        )));
    }
    Ok(())
}

pub fn validate_cone_outer_gain(v: f64) -> Result<(), NodeError> {
    if !(0.0..=1.0).contains(&v) {
        return Err(NodeError::InvalidState(format!(
            "PannerNode: coneOuterGain {v} is outside [0, 1]"
        )));
    }
    Ok(())
}

/// channelCount setter / constructor check.
pub fn validate_channel_count(channel_count: u32) -> Result<(), NodeError> {
    super::check_channel_count_at_most_two("PannerNode", channel_count)
}

/// channelCountMode setter / constructor check.
pub fn validate_channel_count_mode(mode_is_max: bool) -> Result<(), NodeError> {
    super::check_channel_count_mode_not_max("PannerNode", mode_is_max)
}

/// The constructor's checks on the PannerOptions members.
pub fn validate_options(o: &PannerOptions) -> Result<(), NodeError> {
    validate_ref_distance(o.ref_distance)?;
    validate_max_distance(o.max_distance)?;
    validate_rolloff_factor(o.rolloff_factor)?;
    validate_cone_outer_gain(o.cone_outer_gain)
}

/// The values `PannerNode.setPosition(x, y, z)` assigns, by PANNER_PARAMS
/// index (the caller first runs `audio_listener::check_legacy_setter`).
pub fn set_position_values(x: f32, y: f32, z: f32) -> [(usize, f32); 3] {
    [(0, x), (1, y), (2, z)]
}

/// The values `PannerNode.setOrientation(x, y, z)` assigns.
pub fn set_orientation_values(x: f32, y: f32, z: f32) -> [(usize, f32); 3] {
    [(3, x), (4, y), (5, z)]
}

/// The control-thread state behind PannerNode's plain attributes: validates
/// each setter and returns the messages for the processor.
#[derive(Debug, Clone)]
pub struct PannerAttributes {
    options: PannerOptions,
    sample_rate: f32,
    hrtf_sent: bool,
}

impl PannerAttributes {
    /// Validates the options and builds the processor (with the HRTF
    /// renderer when the initial model is HRTF).
    pub fn new(
        options: &PannerOptions,
        sample_rate: f32,
    ) -> Result<(Self, PannerProcessor), NodeError> {
        validate_options(options)?;
        let hrtf = (options.panning_model == PanningModel::Hrtf)
            .then(|| Box::new(HrtfRenderer::new(HrtfDatabase::shared(sample_rate))));
        let attrs = Self {
            options: *options,
            sample_rate,
            hrtf_sent: hrtf.is_some(),
        };
        Ok((attrs, PannerProcessor::new(options, hrtf)))
    }

    pub fn options(&self) -> &PannerOptions {
        &self.options
    }

    /// The first switch to HRTF also ships the renderer (the database is
    /// built once per sample rate for the process).
    pub fn set_panning_model(&mut self, model: PanningModel) -> Vec<PannerMessage> {
        self.options.panning_model = model;
        let mut out = Vec::with_capacity(2);
        if model == PanningModel::Hrtf && !self.hrtf_sent {
            out.push(PannerMessage::SetHrtf(Box::new(HrtfRenderer::new(
                HrtfDatabase::shared(self.sample_rate),
            ))));
            self.hrtf_sent = true;
        }
        out.push(PannerMessage::SetPanningModel(model));
        out
    }

    pub fn set_distance_model(&mut self, model: DistanceModel) -> PannerMessage {
        self.options.distance_model = model;
        PannerMessage::SetDistanceModel(model)
    }

    pub fn set_ref_distance(&mut self, v: f64) -> Result<PannerMessage, NodeError> {
        validate_ref_distance(v)?;
        self.options.ref_distance = v;
        Ok(PannerMessage::SetRefDistance(v))
    }

    pub fn set_max_distance(&mut self, v: f64) -> Result<PannerMessage, NodeError> {
        validate_max_distance(v)?;
        self.options.max_distance = v;
        Ok(PannerMessage::SetMaxDistance(v))
    }

    pub fn set_rolloff_factor(&mut self, v: f64) -> Result<PannerMessage, NodeError> {
        validate_rolloff_factor(v)?;
        self.options.rolloff_factor = v;
        Ok(PannerMessage::SetRolloffFactor(v))
    }

    /// Angles outside [0, 360] are accepted (the spec leaves the behaviour
    /// undefined; the cone formula uses their absolute halves).
    pub fn set_cone_inner_angle(&mut self, v: f64) -> PannerMessage {
        self.options.cone_inner_angle = v;
        PannerMessage::SetConeInnerAngle(v)
    }

    pub fn set_cone_outer_angle(&mut self, v: f64) -> PannerMessage {
        self.options.cone_outer_angle = v;
        PannerMessage::SetConeOuterAngle(v)
    }

    pub fn set_cone_outer_gain(&mut self, v: f64) -> Result<PannerMessage, NodeError> {
        validate_cone_outer_gain(v)?;
        self.options.cone_outer_gain = v;
        Ok(PannerMessage::SetConeOuterGain(v))
    }
}

/// The six params as graph descriptors (a-rate, rate changeable).
pub fn param_descriptors() -> Vec<ParamDescriptor> {
    PANNER_PARAMS
        .iter()
        .map(|&(name, default_value, min, max, a_rate)| {
            ParamDescriptor::new(name, default_value)
                .with_range(min, max)
                .with_rate(if a_rate {
                    AutomationRate::ARate
                } else {
                    AutomationRate::KRate
                })
        })
        .collect()
}

/// Control handle of a PannerNode. Clones share the attributes.
#[derive(Debug, Clone)]
pub struct PannerNode {
    node: NodeHandle,
    attributes: Arc<Mutex<PannerAttributes>>,
}

impl PannerNode {
    /// The constructor with the node's default channel attributes (2,
    /// "clamped-max", "speakers"): the options' checks (RangeError), then
    /// the params' initial values. The node reads `listener`'s values and
    /// is processed after it.
    pub fn new(
        ctx: &Context,
        listener: &AudioListener,
        options: PannerOptions,
    ) -> Result<Self, Error> {
        let (attributes, processor) = PannerAttributes::new(&options, ctx.sample_rate())?;
        let processor = processor.with_listener(listener.values());
        let mut spec = NodeSpec::new(1, 1, param_descriptors());
        spec.constraints = super::at_most_two_not_max();
        spec.channel_config = ChannelConfig {
            count: 2,
            mode: ChannelCountMode::ClampedMax,
            interpretation: ChannelInterpretation::Speakers,
        };
        let node = ctx.create_node_after(spec, Box::new(processor), listener.id())?;
        let values = options.position.iter().chain(&options.orientation);
        for (i, &v) in values.enumerate() {
            if v != PANNER_PARAMS[i].1 {
                node.param(i).set_value(v)?;
            }
        }
        Ok(Self {
            node,
            attributes: Arc::new(Mutex::new(attributes)),
        })
    }

    pub fn node(&self) -> &NodeHandle {
        &self.node
    }

    fn attributes(&self) -> std::sync::MutexGuard<'_, PannerAttributes> {
        self.attributes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn send(&self, message: PannerMessage) {
        self.node.send(NodeMessage::Panner(message));
    }

    /// positionX/Y/Z, orientationX/Y/Z by index 0..6.
    pub fn param(&self, index: usize) -> Option<ParamHandle> {
        (index < PANNER_PARAMS.len()).then(|| self.node.param(index))
    }

    pub fn options(&self) -> PannerOptions {
        *self.attributes().options()
    }

    pub fn set_panning_model(&self, model: PanningModel) {
        for m in self.attributes().set_panning_model(model) {
            self.send(m);
        }
    }

    pub fn set_distance_model(&self, model: DistanceModel) {
        let m = self.attributes().set_distance_model(model);
        self.send(m);
    }

    pub fn set_ref_distance(&self, v: f64) -> Result<(), Error> {
        let m = self.attributes().set_ref_distance(v)?;
        self.send(m);
        Ok(())
    }

    pub fn set_max_distance(&self, v: f64) -> Result<(), Error> {
        let m = self.attributes().set_max_distance(v)?;
        self.send(m);
        Ok(())
    }

    pub fn set_rolloff_factor(&self, v: f64) -> Result<(), Error> {
        let m = self.attributes().set_rolloff_factor(v)?;
        self.send(m);
        Ok(())
    }

    pub fn set_cone_inner_angle(&self, v: f64) {
        let m = self.attributes().set_cone_inner_angle(v);
        self.send(m);
    }

    pub fn set_cone_outer_angle(&self, v: f64) {
        let m = self.attributes().set_cone_outer_angle(v);
        self.send(m);
    }

    pub fn set_cone_outer_gain(&self, v: f64) -> Result<(), Error> {
        let m = self.attributes().set_cone_outer_gain(v)?;
        self.send(m);
        Ok(())
    }

    /// The deprecated `setPosition(x, y, z)`: sets the position params'
    /// values (NotSupportedError from a param with a value curve running).
    pub fn set_position(&self, x: f32, y: f32, z: f32) -> Result<(), Error> {
        for (i, v) in set_position_values(x, y, z) {
            self.node.param(i).set_value(v)?;
        }
        Ok(())
    }

    /// The deprecated `setOrientation(x, y, z)`.
    pub fn set_orientation(&self, x: f32, y: f32, z: f32) -> Result<(), Error> {
        for (i, v) in set_orientation_values(x, y, z) {
            self.node.param(i).set_value(v)?;
        }
        Ok(())
    }
}

type V3 = [f64; 3];

fn sub(a: V3, b: V3) -> V3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
fn dot(a: V3, b: V3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
fn cross(a: V3, b: V3) -> V3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}
fn norm(a: V3) -> f64 {
    dot(a, a).sqrt()
}
fn scale(s: f64, a: V3) -> V3 {
    [s * a[0], s * a[1], s * a[2]]
}
fn normalize(a: V3) -> V3 {
    let m = norm(a);
    if m == 0.0 { a } else { scale(1.0 / m, a) }
}

/// The spec's azimuth and elevation (degrees) of `source` for a listener at
/// `listener` looking along `forward` with `up`.
pub fn azimuth_elevation(source: V3, listener: V3, forward: V3, up: V3) -> (f64, f64) {
    let d = sub(source, listener);
    if norm(d) == 0.0 {
        return (0.0, 0.0);
    }
    let source_listener = normalize(d);
    let right = cross(forward, up);
    if norm(right) == 0.0 {
        return (0.0, 0.0);
    }
    let right_n = normalize(right);
    let forward_n = normalize(forward);
    let up_v = cross(right_n, forward_n);
    let up_projection = dot(source_listener, up_v);
    let projected = sub(source_listener, scale(up_projection, up_v));
    let mut azimuth = if norm(projected) == 0.0 {
        // Straight above or below: no horizontal direction; the spec's
        // normalisation would give NaN, take the front.
        90.0
    } else {
        let p = normalize(projected);
        let mut a = dot(p, right_n).clamp(-1.0, 1.0).acos().to_degrees();
        if dot(p, forward_n) < 0.0 {
            a = 360.0 - a;
        }
        a
    };
    azimuth = if (0.0..=270.0).contains(&azimuth) {
        90.0 - azimuth
    } else {
        450.0 - azimuth
    };
    let mut elevation = 90.0
        - dot(source_listener, up_v)
            .clamp(-1.0, 1.0)
            .acos()
            .to_degrees();
    if elevation > 90.0 {
        elevation = 180.0 - elevation;
    } else if elevation < -90.0 {
        elevation = -180.0 - elevation;
    }
    (azimuth, elevation)
}

/// The spec's distanceGain for `distance` (rolloff clamped to the model's
/// nominal range).
pub fn distance_gain(
    model: DistanceModel,
    distance: f64,
    ref_d: f64,
    max_d: f64,
    rolloff: f64,
) -> f64 {
    match model {
        DistanceModel::Linear => {
            let f = rolloff.clamp(0.0, 1.0);
            let dref = ref_d.min(max_d);
            let dmax = ref_d.max(max_d);
            if dref == dmax {
                return 1.0 - f;
            }
            let d = distance.min(dmax).max(dref);
            1.0 - f * (d - dref) / (dmax - dref)
        }
        DistanceModel::Inverse => {
            if ref_d == 0.0 {
                return 0.0;
            }
            ref_d / (ref_d + rolloff.max(0.0) * (distance.max(ref_d) - ref_d))
        }
        DistanceModel::Exponential => {
            if ref_d == 0.0 {
                return 0.0;
            }
            (distance.max(ref_d) / ref_d).powf(-rolloff.max(0.0))
        }
    }
}

/// The spec's coneGain. The angle is measured between the source's
/// orientation and the direction from the source to the listener, so that
/// (as the spec's prose says) a source pointing at the listener is loudest.
pub fn cone_gain(
    source: V3,
    orientation: V3,
    listener: V3,
    inner: f64,
    outer: f64,
    outer_gain: f64,
) -> f64 {
    if norm(orientation) == 0.0 || (inner == 360.0 && outer == 360.0) {
        return 1.0;
    }
    let to_listener = normalize(sub(listener, source));
    let o = normalize(orientation);
    let angle = dot(to_listener, o).clamp(-1.0, 1.0).acos().to_degrees();
    let abs_angle = angle.abs();
    let abs_inner = inner.abs() / 2.0;
    let abs_outer = outer.abs() / 2.0;
    if abs_angle <= abs_inner {
        1.0
    } else if abs_angle >= abs_outer {
        outer_gain
    } else {
        let x = (abs_angle - abs_inner) / (abs_outer - abs_inner);
        (1.0 - x) + outer_gain * x
    }
}

/// Equal-power gains (left, right) for an azimuth, as the spec computes
/// them for a mono (`stereo == false`) or stereo input.
pub fn equal_power_gains(azimuth: f64, stereo: bool) -> (f64, f64) {
    let mut a = azimuth.clamp(-180.0, 180.0);
    if a < -90.0 {
        a = -180.0 - a;
    } else if a > 90.0 {
        a = 180.0 - a;
    }
    let x = if !stereo {
        (a + 90.0) / 180.0
    } else if a <= 0.0 {
        (a + 90.0) / 90.0
    } else {
        a / 90.0
    };
    let t = x * std::f64::consts::FRAC_PI_2;
    (t.cos(), t.sin())
}

// ---------------------------------------------------------------------------
// HRTF

static KEMAR: &[u8] = include_bytes!("hrtf/mit_kemar.bin");

struct Ring {
    elevation: f32,
    /// SOFA azimuths (degrees, counter-clockwise, ascending in [0, 360)).
    azimuths: Vec<f32>,
    indices: Vec<usize>,
}

/// Measured HRIRs resampled to one sample rate. See `HRTF_DATA.md`.
///
/// Each response is stored onset-aligned (shifted left by its onset delay,
/// the interaural time difference's share of that ear) with the delay kept
/// apart: blending aligned responses and interpolating their delays avoids
/// the comb filtering of averaging responses whose onsets differ.
pub struct HrtfDatabase {
    sample_rate: f32,
    taps: usize,
    rings: Vec<Ring>,
    /// `[position][ear][tap]`, onset-aligned.
    irs: Vec<f32>,
    /// `[position][ear]`: frames the aligned response must be delayed by.
    onsets: Vec<f32>,
    max_onset: f32,
}

impl std::fmt::Debug for HrtfDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HrtfDatabase")
            .field("sample_rate", &self.sample_rate)
            .field("taps", &self.taps)
            .field("positions", &(self.irs.len() / (2 * self.taps.max(1))))
            .finish()
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

impl HrtfDatabase {
    /// The MIT KEMAR set, resampled to `sample_rate` (control thread; tens of
    /// milliseconds). Use [`HrtfDatabase::shared`] to share one per rate.
    pub fn mit_kemar(sample_rate: f32) -> Self {
        let rd_u32 =
            |o: usize| u32::from_le_bytes([KEMAR[o], KEMAR[o + 1], KEMAR[o + 2], KEMAR[o + 3]]);
        let rd_f32 = |o: usize| f32::from_bits(rd_u32(o));
        debug_assert_eq!(&KEMAR[..4], b"KEMR");
        let positions = rd_u32(4) as usize;
        let src_taps = rd_u32(8) as usize;
        let src_rate = rd_f32(12);
        let pos_off = 16;
        let ir_off = pos_off + 8 * positions;

        // Exact band-limited resampling: zero-pad each response to a length
        // whose image at the new rate is an integer, then truncate or extend
        // its spectrum.
        let (src_len, dst_len) = {
            let num = sample_rate.round() as u64;
            let den = src_rate.round() as u64;
            let g = gcd(num, den).max(1);
            let (p, q) = (num / g, den / g);
            let min_len = 2 * src_taps as u64;
            if q <= 4096 {
                let n = q * min_len.div_ceil(q);
                (n as usize, (n * p / q) as usize)
            } else {
                let n = min_len as usize;
                (
                    n,
                    ((n as f64) * sample_rate as f64 / src_rate as f64).round() as usize,
                )
            }
        };
        let taps = ((src_taps as f64) * sample_rate as f64 / src_rate as f64).ceil() as usize;
        let taps = taps.clamp(1, dst_len);
        // Frames kept before the detected onset (the resampled responses
        // ring a little ahead of it).
        let margin = ((4.0 * sample_rate / src_rate).round() as usize).max(1);
        let mut planner = RealFftPlanner::<f32>::new();
        let fwd = planner.plan_fft_forward(src_len);
        let inv = planner.plan_fft_inverse(dst_len);
        let mut time_in = vec![0.0f32; src_len];
        let mut spec_in = fwd.make_output_vec();
        let mut spec_out = inv.make_input_vec();
        let mut time_out = vec![0.0f32; dst_len];
        let common = spec_in.len().min(spec_out.len());

        let mut irs = vec![0.0f32; positions * 2 * taps];
        let mut onsets = vec![0.0f32; positions * 2];
        for p in 0..positions {
            for ear in 0..2 {
                let base = ir_off + ((p * 2 + ear) * src_taps) * 2;
                time_in.fill(0.0);
                for (k, v) in time_in.iter_mut().take(src_taps).enumerate() {
                    let o = base + 2 * k;
                    *v = i16::from_le_bytes([KEMAR[o], KEMAR[o + 1]]) as f32 / 32768.0;
                }
                let _ = fwd.process(&mut time_in, &mut spec_in);
                spec_out.fill(Complex::new(0.0, 0.0));
                spec_out[..common].copy_from_slice(&spec_in[..common]);
                if dst_len > src_len && src_len % 2 == 0 {
                    // The old Nyquist bin stands for both +/- halves.
                    spec_out[src_len / 2] *= 0.5;
                }
                if dst_len % 2 == 0
                    && let Some(last) = spec_out.last_mut()
                {
                    last.im = 0.0;
                }
                spec_out[0].im = 0.0;
                let _ = inv.process(&mut spec_out, &mut time_out);
                // 1/dst_len: the inverse FFT's scale and the src/dst rate
                // ratio that keeps the filter's gain.
                let s = 1.0 / dst_len as f32;
                let response = &mut time_out[..taps];
                for v in response.iter_mut() {
                    *v *= s;
                }
                let peak = response.iter().fold(0.0f32, |m, v| m.max(v.abs()));
                let first = response
                    .iter()
                    .position(|v| v.abs() >= 0.2 * peak)
                    .unwrap_or(0);
                let onset = first.saturating_sub(margin);
                onsets[p * 2 + ear] = onset as f32;
                let dst = &mut irs[(p * 2 + ear) * taps..][..taps];
                dst[..taps - onset].copy_from_slice(&response[onset..]);
            }
        }
        let max_onset = onsets.iter().fold(0.0f32, |m, &v| m.max(v));

        let mut rings: Vec<Ring> = Vec::new();
        for p in 0..positions {
            let az = rd_f32(pos_off + 8 * p).rem_euclid(360.0);
            let el = rd_f32(pos_off + 8 * p + 4);
            match rings.iter_mut().find(|r| (r.elevation - el).abs() < 1e-3) {
                Some(r) => {
                    r.azimuths.push(az);
                    r.indices.push(p);
                }
                None => rings.push(Ring {
                    elevation: el,
                    azimuths: vec![az],
                    indices: vec![p],
                }),
            }
        }
        rings.sort_by(|a, b| a.elevation.total_cmp(&b.elevation));
        for r in &mut rings {
            let mut pairs: Vec<(f32, usize)> = r
                .azimuths
                .iter()
                .copied()
                .zip(r.indices.iter().copied())
                .collect();
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
            r.azimuths = pairs.iter().map(|p| p.0).collect();
            r.indices = pairs.iter().map(|p| p.1).collect();
        }
        Self {
            sample_rate,
            taps,
            rings,
            irs,
            onsets,
            max_onset,
        }
    }

    /// One database per sample rate for the whole process.
    pub fn shared(sample_rate: f32) -> Arc<HrtfDatabase> {
        static CACHE: OnceLock<Mutex<Vec<Arc<HrtfDatabase>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
        let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(db) = cache.iter().find(|d| d.sample_rate == sample_rate) {
            return db.clone();
        }
        let db = Arc::new(Self::mit_kemar(sample_rate));
        cache.push(db.clone());
        db
    }

    /// Response length at this rate.
    pub fn taps(&self) -> usize {
        self.taps
    }

    /// The largest onset delay, in frames.
    pub fn max_onset(&self) -> f32 {
        self.max_onset
    }

    pub fn positions(&self) -> usize {
        self.irs.len() / (2 * self.taps)
    }

    pub fn elevations(&self) -> Vec<f32> {
        self.rings.iter().map(|r| r.elevation).collect()
    }

    /// A measured response, onset-aligned, and its onset delay.
    pub fn measured(&self, position: usize, ear: usize) -> (&[f32], f32) {
        (
            &self.irs[(position * 2 + ear) * self.taps..][..self.taps],
            self.onsets[position * 2 + ear],
        )
    }

    /// The measured position at web azimuth/elevation, if there is one.
    pub fn find(&self, azimuth: f32, elevation: f32) -> Option<usize> {
        let az = (-azimuth).rem_euclid(360.0);
        let r = self
            .rings
            .iter()
            .find(|r| (r.elevation - elevation).abs() < 1e-3)?;
        let j = r.azimuths.iter().position(|&a| (a - az).abs() < 1e-3)?;
        Some(r.indices[j])
    }

    /// Writes the onset-aligned response for a web-audio azimuth (clockwise,
    /// degrees) and elevation into `left` and `right` (`taps()` long),
    /// blending the four nearest measurements bilinearly, and returns the
    /// equally blended onset delays (left, right) in frames.
    /// Allocation-free (render thread).
    pub fn kernel_into(
        &self,
        azimuth: f32,
        elevation: f32,
        left: &mut [f32],
        right: &mut [f32],
    ) -> (f32, f32) {
        left.fill(0.0);
        right.fill(0.0);
        let mut delays = (0.0f32, 0.0f32);
        if self.rings.is_empty() {
            return delays;
        }
        let az = (-azimuth).rem_euclid(360.0);
        let lo = self.rings[0].elevation;
        let hi = self.rings[self.rings.len() - 1].elevation;
        let el = elevation.clamp(lo, hi);
        let mut i = 0;
        while i + 1 < self.rings.len() && self.rings[i + 1].elevation <= el {
            i += 1;
        }
        let (ring_a, ring_b, t) = if i + 1 < self.rings.len() {
            let a = &self.rings[i];
            let b = &self.rings[i + 1];
            (a, b, (el - a.elevation) / (b.elevation - a.elevation))
        } else {
            (&self.rings[i], &self.rings[i], 0.0)
        };
        for (ring, w_ring) in [(ring_a, 1.0 - t), (ring_b, t)] {
            if w_ring <= 0.0 {
                continue;
            }
            let n = ring.azimuths.len();
            // Last azimuth <= az (wrapping below the first).
            let mut j = n - 1;
            for (k, &a) in ring.azimuths.iter().enumerate() {
                if a <= az {
                    j = k;
                }
            }
            let j2 = (j + 1) % n;
            let a1 = ring.azimuths[j];
            let mut a2 = ring.azimuths[j2];
            let mut x = az;
            if a2 <= a1 {
                a2 += 360.0;
            }
            if x < a1 {
                x += 360.0;
            }
            let u = if n == 1 {
                0.0
            } else {
                ((x - a1) / (a2 - a1)).clamp(0.0, 1.0)
            };
            for (idx, w) in [(ring.indices[j], 1.0 - u), (ring.indices[j2], u)] {
                let w = w * w_ring;
                if w <= 0.0 {
                    continue;
                }
                let (l, dl) = self.measured(idx, 0);
                let (r, dr) = self.measured(idx, 1);
                for (d, &s) in left.iter_mut().zip(l) {
                    *d += w * s;
                }
                for (d, &s) in right.iter_mut().zip(r) {
                    *d += w * s;
                }
                delays.0 += w * dl;
                delays.1 += w * dr;
            }
        }
        delays
    }
}

/// Render-side HRTF state (built on the control thread, sent with
/// [`PannerMessage::SetHrtf`]): the database and every buffer the
/// convolution needs.
pub struct HrtfRenderer {
    db: Arc<HrtfDatabase>,
    kernels: [[Vec<f32>; 2]; 2],
    /// Onset delays (frames) of `kernels`, per ear.
    delays: [[f32; 2]; 2],
    /// Which of `kernels` is current.
    cur: usize,
    direction: Option<(f32, f32)>,
    /// Per ear: taps - 1 past input frames, then the current quantum.
    history: [Vec<f32>; 2],
    /// Per ear: the aligned convolution output, delayed by the onset delay.
    delay_line: [Vec<f32>; 2],
    delay_mask: usize,
    write: usize,
    fir: [[f32; Q]; 2],
    old: [[f32; Q]; 2],
    out: [[f32; Q]; 2],
    tail_left: usize,
}

impl std::fmt::Debug for HrtfRenderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HrtfRenderer")
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}

impl HrtfRenderer {
    pub fn new(db: Arc<HrtfDatabase>) -> Self {
        let taps = db.taps();
        let k = || [vec![0.0; taps], vec![0.0; taps]];
        let dl_len = (db.max_onset().ceil() as usize + 2 + Q).next_power_of_two();
        Self {
            kernels: [k(), k()],
            delays: [[0.0; 2]; 2],
            cur: 0,
            direction: None,
            history: [vec![0.0; taps - 1 + Q], vec![0.0; taps - 1 + Q]],
            delay_line: [vec![0.0; dl_len], vec![0.0; dl_len]],
            delay_mask: dl_len - 1,
            write: 0,
            fir: [[0.0; Q]; 2],
            old: [[0.0; Q]; 2],
            out: [[0.0; Q]; 2],
            tail_left: 0,
            db,
        }
    }

    /// Forgets all history (a model switch must not replay stale input).
    fn reset(&mut self) {
        for v in self.history.iter_mut().chain(self.delay_line.iter_mut()) {
            v.fill(0.0);
        }
        self.direction = None;
        self.tail_left = 0;
    }

    /// Frames of output that follow the last non-silent input frame.
    fn tail_frames(&self) -> usize {
        self.db.taps() - 1 + self.db.max_onset().ceil() as usize + 1
    }

    /// Convolves one quantum (input: 1 or 2 channels, or None for silence)
    /// for the k-rate direction, scaled by `gain`. Returns false once the
    /// output is silent for good.
    fn process(
        &mut self,
        input: Option<&[[f32; Q]]>,
        azimuth: f32,
        elevation: f32,
        gain: f32,
    ) -> bool {
        let taps = self.db.taps();
        let h = taps - 1;
        match input {
            Some(ch) => {
                let l = &ch[0];
                let r = if ch.len() > 1 { &ch[1] } else { &ch[0] };
                self.history[0][h..].copy_from_slice(l);
                self.history[1][h..].copy_from_slice(r);
                self.tail_left = self.tail_frames();
            }
            None => {
                if self.tail_left == 0 {
                    return false;
                }
                self.history[0][h..].fill(0.0);
                self.history[1][h..].fill(0.0);
            }
        }
        let changed = self.direction != Some((azimuth, elevation));
        let first = self.direction.is_none();
        if changed {
            let next = 1 - self.cur;
            let [l, r] = &mut self.kernels[next];
            let (dl, dr) = self.db.kernel_into(azimuth, elevation, l, r);
            self.delays[next] = [dl, dr];
            if first {
                self.delays[self.cur] = [dl, dr];
            }
            self.direction = Some((azimuth, elevation));
            self.cur = next;
        }
        let crossfade = changed && !first;
        for ear in 0..2 {
            convolve(
                &self.history[ear],
                &self.kernels[self.cur][ear],
                &mut self.fir[ear],
            );
            if crossfade {
                convolve(
                    &self.history[ear],
                    &self.kernels[1 - self.cur][ear],
                    &mut self.old[ear],
                );
                for (n, (o, &p)) in self.fir[ear].iter_mut().zip(&self.old[ear]).enumerate() {
                    let w = (n + 1) as f32 / Q as f32;
                    *o = p + (*o - p) * w;
                }
            }
            self.history[ear].copy_within(Q.., 0);

            // Delay by the onset, ramped across the quantum after a change,
            // with linear interpolation for fractional delays.
            let line = &mut self.delay_line[ear];
            for (k, &v) in self.fir[ear].iter().enumerate() {
                line[(self.write + k) & self.delay_mask] = v;
            }
            let to = self.delays[self.cur][ear];
            let from = if crossfade {
                self.delays[1 - self.cur][ear]
            } else {
                to
            };
            let len = self.delay_mask + 1;
            for (n, o) in self.out[ear].iter_mut().enumerate() {
                let d = from + (to - from) * (n + 1) as f32 / Q as f32;
                let whole = d.floor();
                let frac = d - whole;
                let pos = self.write + n + len - whole as usize;
                let a = line[pos & self.delay_mask];
                let b = line[(pos - 1) & self.delay_mask];
                *o = (a + (b - a) * frac) * gain;
            }
        }
        self.write = (self.write + Q) & self.delay_mask;
        if input.is_none() {
            self.tail_left = self.tail_left.saturating_sub(Q);
        }
        true
    }
}

/// out[n] = sum_k h[k] x[taps - 1 + n - k], as axpy passes that vectorise.
fn convolve(history: &[f32], h: &[f32], out: &mut [f32; Q]) {
    out.fill(0.0);
    let base = h.len() - 1;
    for (k, &hk) in h.iter().enumerate() {
        let x = &history[base - k..][..Q];
        for (o, &xv) in out.iter_mut().zip(x) {
            *o += hk * xv;
        }
    }
}

// ---------------------------------------------------------------------------
// Render side

/// Render-side messages (attribute setters; the params travel as params).
#[derive(Debug)]
pub enum PannerMessage {
    /// Switching to HRTF needs a renderer: the control side sends one first
    /// (with [`HrtfDatabase::shared`]); without one HRTF falls back to
    /// equal-power.
    SetPanningModel(PanningModel),
    SetHrtf(Box<HrtfRenderer>),
    SetDistanceModel(DistanceModel),
    SetRefDistance(f64),
    SetMaxDistance(f64),
    SetRolloffFactor(f64),
    SetConeInnerAngle(f64),
    SetConeOuterAngle(f64),
    SetConeOuterGain(f64),
}

/// The render half. Params: [`PANNER_PARAMS`] then the listener's nine.
/// Output: stereo while actively processing, else one silent channel.
pub struct PannerProcessor {
    panning_model: PanningModel,
    distance_model: DistanceModel,
    ref_distance: f64,
    max_distance: f64,
    rolloff_factor: f64,
    cone_inner_angle: f64,
    cone_outer_angle: f64,
    cone_outer_gain: f64,
    hrtf: Option<Box<HrtfRenderer>>,
    pan_l: [f32; Q],
    pan_r: [f32; Q],
    /// Distance gain x cone gain per frame.
    total: [f32; Q],
    /// Per frame: azimuth <= 0 (which stereo formula applies).
    left_side: [bool; Q],
    /// The context's listener values, copied here each quantum.
    listener: Option<Arc<ListenerValues>>,
    listener_rows: Box<[[f32; Q]; 9]>,
}

const LISTENER_DEFAULTS: [[f32; 1]; 9] = [
    [0.0],
    [0.0],
    [0.0],
    [0.0],
    [0.0],
    [-1.0],
    [0.0],
    [1.0],
    [0.0],
];

impl PannerProcessor {
    pub fn new(options: &PannerOptions, hrtf: Option<Box<HrtfRenderer>>) -> Self {
        debug_assert_eq!(LISTENER_PARAMS.len(), LISTENER_DEFAULTS.len());
        Self {
            panning_model: options.panning_model,
            distance_model: options.distance_model,
            ref_distance: options.ref_distance,
            max_distance: options.max_distance,
            rolloff_factor: options.rolloff_factor,
            cone_inner_angle: options.cone_inner_angle,
            cone_outer_angle: options.cone_outer_angle,
            cone_outer_gain: options.cone_outer_gain,
            hrtf,
            pan_l: [0.0; Q],
            pan_r: [0.0; Q],
            total: [0.0; Q],
            left_side: [false; Q],
            listener: None,
            listener_rows: Box::new([[0.0; Q]; 9]),
        }
    }

    /// The processor of a PannerNode in a graph: reads `listener` each
    /// quantum.
    pub fn with_listener(mut self, listener: Arc<ListenerValues>) -> Self {
        self.listener = Some(listener);
        self
    }

    /// (azimuth, elevation, distance gain x cone gain) at frame `k`.
    fn spatial(&self, own: &[ParamBlock<'_>], l: &ListenerParams<'_>, k: usize) -> (f64, f64, f64) {
        let at = |p: &ParamBlock<'_>| p.at(k) as f64;
        let src = [at(&own[0]), at(&own[1]), at(&own[2])];
        let ori = [at(&own[3]), at(&own[4]), at(&own[5])];
        let lp = [at(&l.position[0]), at(&l.position[1]), at(&l.position[2])];
        let lf = [at(&l.forward[0]), at(&l.forward[1]), at(&l.forward[2])];
        let lu = [at(&l.up[0]), at(&l.up[1]), at(&l.up[2])];
        let (az, el) = azimuth_elevation(src, lp, lf, lu);
        let d = norm(sub(src, lp));
        let g = distance_gain(
            self.distance_model,
            d,
            self.ref_distance,
            self.max_distance,
            self.rolloff_factor,
        ) * cone_gain(
            src,
            ori,
            lp,
            self.cone_inner_angle,
            self.cone_outer_angle,
            self.cone_outer_gain,
        );
        (az, el, g)
    }
}

impl Processor for PannerProcessor {
    fn process(&mut self, io: ProcessIo<'_>, _scope: &RenderScope<'_>) -> bool {
        let defaults: [ParamBlock<'_>; 9] =
            std::array::from_fn(|i| ParamBlock::new(&LISTENER_DEFAULTS[i]));
        let own = &io.params[..io.params.len().min(6)];
        let output = &mut io.outputs[0];
        if own.len() < 6 {
            output.make_silent_with_channels(1);
            return false;
        }
        let shared_lens = match &self.listener {
            Some(values) if io.params.len() < 15 => Some(values.read(&mut self.listener_rows)),
            _ => None,
        };
        let rows = &self.listener_rows;
        let shared: Option<[ParamBlock<'_>; 9]> =
            shared_lens.map(|lens| std::array::from_fn(|i| ParamBlock::new(&rows[i][..lens[i]])));
        let listener = match &shared {
            Some(b) => ListenerParams::new(b),
            None => ListenerParams::new(&io.params[6..]),
        }
        .unwrap_or(ListenerParams {
            position: [defaults[0], defaults[1], defaults[2]],
            forward: [defaults[3], defaults[4], defaults[5]],
            up: [defaults[6], defaults[7], defaults[8]],
        });
        let input = &io.inputs[0];
        let silent = input.is_silent();
        let stereo_in = input.number_of_channels() >= 2;

        if self.panning_model == PanningModel::Hrtf && self.hrtf.is_some() {
            // HRTF: every param is effectively k-rate.
            let (az, el, g) = self.spatial(own, &listener, 0);
            let Some(hrtf) = self.hrtf.as_deref_mut() else {
                return false;
            };
            let chans = if silent {
                None
            } else {
                let c = input.channels();
                Some(&c[..c.len().min(2)])
            };
            if !hrtf.process(chans, az as f32, el as f32, g as f32) {
                output.make_silent_with_channels(1);
                return false;
            }
            output.set_number_of_channels(2);
            let out = output.channels_mut();
            out[0].copy_from_slice(&hrtf.out[0]);
            out[1].copy_from_slice(&hrtf.out[1]);
            return hrtf.tail_left > 0;
        }

        if silent {
            output.make_silent_with_channels(1);
            return false;
        }
        // a-rate processing only when some param actually varies.
        let constant = own.iter().all(|p| p.is_constant()) && listener.is_constant();
        if constant {
            let (az, _, g) = self.spatial(own, &listener, 0);
            let (gl, gr) = equal_power_gains(az, stereo_in);
            self.pan_l.fill(gl as f32);
            self.pan_r.fill(gr as f32);
            self.total.fill(g as f32);
            self.left_side.fill(az <= 0.0);
        } else {
            for k in 0..Q {
                let (az, _, g) = self.spatial(own, &listener, k);
                let (gl, gr) = equal_power_gains(az, stereo_in);
                self.pan_l[k] = gl as f32;
                self.pan_r[k] = gr as f32;
                self.total[k] = g as f32;
                self.left_side[k] = az <= 0.0;
            }
        }
        let l_in = *input.channel(0);
        let r_in = if stereo_in { *input.channel(1) } else { l_in };
        output.set_number_of_channels(2);
        let out = output.channels_mut();
        let (ol, rest) = out.split_at_mut(1);
        let (ol, or) = (&mut ol[0], &mut rest[0]);
        if !stereo_in {
            for k in 0..Q {
                let x = l_in[k] * self.total[k];
                ol[k] = x * self.pan_l[k];
                or[k] = x * self.pan_r[k];
            }
        } else {
            for k in 0..Q {
                let (l, r, g) = (l_in[k], r_in[k], self.total[k]);
                if self.left_side[k] {
                    ol[k] = g * (l + r * self.pan_l[k]);
                    or[k] = g * (r * self.pan_r[k]);
                } else {
                    ol[k] = g * (l * self.pan_l[k]);
                    or[k] = g * (r + l * self.pan_r[k]);
                }
            }
        }
        false
    }

    fn handle_message(&mut self, message: NodeMessage, scope: &RenderScope<'_>) {
        let NodeMessage::Panner(m) = message else {
            return;
        };
        match m {
            PannerMessage::SetPanningModel(p) => {
                if p != self.panning_model
                    && let Some(h) = self.hrtf.as_deref_mut()
                {
                    h.reset();
                }
                self.panning_model = p;
            }
            PannerMessage::SetHrtf(r) => {
                if let Some(old) = self.hrtf.replace(r) {
                    scope.discard(old);
                }
            }
            PannerMessage::SetDistanceModel(d) => self.distance_model = d,
            PannerMessage::SetRefDistance(v) => self.ref_distance = v,
            PannerMessage::SetMaxDistance(v) => self.max_distance = v,
            PannerMessage::SetRolloffFactor(v) => self.rolloff_factor = v,
            PannerMessage::SetConeInnerAngle(v) => self.cone_inner_angle = v,
            PannerMessage::SetConeOuterAngle(v) => self.cone_outer_angle = v,
            PannerMessage::SetConeOuterGain(v) => self.cone_outer_gain = v,
        }
    }
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)] // index loops mirror the spec's formulas
mod tests {
    use super::*;
    use crate::block::AudioBlock;
    use crate::processor::testing::TestScope;

    /// Params: six panner values then nine listener values, each either a
    /// constant or 128 per-frame values.
    struct Params(Vec<Vec<f32>>);

    impl Params {
        fn new(panner: [f32; 6]) -> Self {
            let mut v: Vec<Vec<f32>> = panner.iter().map(|&x| vec![x]).collect();
            v.extend(LISTENER_PARAMS.iter().map(|p| vec![p.default_value]));
            Self(v)
        }
        fn blocks(&self) -> Vec<ParamBlock<'_>> {
            self.0.iter().map(|v| ParamBlock::new(v)).collect()
        }
    }

    fn run(
        p: &mut PannerProcessor,
        params: &Params,
        input: &[&[f32; Q]],
        frame: u64,
    ) -> (AudioBlock, bool) {
        let ts = TestScope::new(44100.0);
        let mut inb = AudioBlock::new(input.len().max(1));
        for (c, d) in input.iter().enumerate() {
            inb.channel_mut(c).copy_from_slice(*d);
        }
        let mut outb = [AudioBlock::new(1)];
        let blocks = params.blocks();
        let alive = p.process(
            ProcessIo {
                inputs: &[inb],
                outputs: &mut outb,
                params: &blocks,
            },
            &ts.scope(frame),
        );
        let [o] = outb;
        (o, alive)
    }

    fn ramp() -> [f32; Q] {
        std::array::from_fn(|k| ((k as f32) * 0.37).sin() * 0.8)
    }

    #[test]
    fn validation_and_descriptors() {
        assert!(validate_options(&PannerOptions::default()).is_ok());
        assert!(matches!(
            validate_ref_distance(-1.0),
            Err(NodeError::Range(_))
        ));
        assert!(validate_ref_distance(0.0).is_ok());
        assert!(matches!(
            validate_max_distance(0.0),
            Err(NodeError::Range(_))
        ));
        assert!(matches!(
            validate_max_distance(-5.0),
            Err(NodeError::Range(_))
        ));
        assert!(matches!(
            validate_rolloff_factor(-0.1),
            Err(NodeError::Range(_))
        ));
        assert!(validate_rolloff_factor(100.0).is_ok());
        assert!(matches!(
            validate_cone_outer_gain(1.1),
            Err(NodeError::InvalidState(_))
        ));
        assert!(matches!(
            validate_cone_outer_gain(-0.1),
            Err(NodeError::InvalidState(_))
        ));
        assert!(validate_cone_outer_gain(1.0).is_ok());
        assert!(matches!(
            validate_channel_count(3),
            Err(NodeError::NotSupported(_))
        ));
        assert!(matches!(
            validate_channel_count_mode(true),
            Err(NodeError::NotSupported(_))
        ));
        let names: Vec<_> = PANNER_PARAMS.iter().map(|p| p.0).collect();
        assert_eq!(
            names,
            [
                "positionX",
                "positionY",
                "positionZ",
                "orientationX",
                "orientationY",
                "orientationZ"
            ]
        );
        let o = PannerOptions::default();
        let defaults: Vec<_> = PANNER_PARAMS.iter().map(|p| p.1).collect();
        assert_eq!(defaults[..3], o.position);
        assert_eq!(defaults[3..], o.orientation);
        assert_eq!(
            set_orientation_values(1.0, 2.0, 3.0),
            [(3, 1.0), (4, 2.0), (5, 3.0)]
        );
        assert_eq!(
            set_position_values(1.0, 2.0, 3.0),
            [(0, 1.0), (1, 2.0), (2, 3.0)]
        );
    }

    #[test]
    fn attributes_validate_and_produce_messages() {
        let bad = PannerOptions {
            max_distance: 0.0,
            ..Default::default()
        };
        assert!(matches!(
            PannerAttributes::new(&bad, 48000.0),
            Err(NodeError::Range(_))
        ));
        let (mut a, _) = PannerAttributes::new(&PannerOptions::default(), 48000.0).unwrap();
        assert!(a.set_ref_distance(-1.0).is_err());
        assert_eq!(a.options().ref_distance, 1.0);
        assert!(
            matches!(a.set_ref_distance(2.0), Ok(PannerMessage::SetRefDistance(v)) if v == 2.0)
        );
        assert!(a.set_max_distance(-1.0).is_err());
        assert!(a.set_rolloff_factor(-1.0).is_err());
        assert!(matches!(
            a.set_cone_outer_gain(2.0),
            Err(NodeError::InvalidState(_))
        ));
        // The first switch to HRTF ships the renderer, later ones do not.
        let m = a.set_panning_model(PanningModel::Hrtf);
        assert!(matches!(
            m[..],
            [
                PannerMessage::SetHrtf(_),
                PannerMessage::SetPanningModel(PanningModel::Hrtf)
            ]
        ));
        a.set_panning_model(PanningModel::EqualPower);
        assert_eq!(a.set_panning_model(PanningModel::Hrtf).len(), 1);
    }

    #[test]
    fn azimuth_and_elevation_of_cardinal_directions() {
        let l = [0.0; 3];
        let f = [0.0, 0.0, -1.0];
        let u = [0.0, 1.0, 0.0];
        let close =
            |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9;
        assert!(close(
            azimuth_elevation([1.0, 0.0, 0.0], l, f, u),
            (90.0, 0.0)
        ));
        assert!(close(
            azimuth_elevation([-1.0, 0.0, 0.0], l, f, u),
            (-90.0, 0.0)
        ));
        assert!(close(
            azimuth_elevation([0.0, 0.0, -1.0], l, f, u),
            (0.0, 0.0)
        ));
        let back = azimuth_elevation([0.0, 0.0, 1.0], l, f, u);
        assert!((back.0.abs() - 180.0).abs() < 1e-9);
        assert!(close(
            azimuth_elevation([1.0, 0.0, -1.0], l, f, u),
            (45.0, 0.0)
        ));
        let e = azimuth_elevation([0.0, 1.0, -1.0], l, f, u);
        assert!((e.1 - 45.0).abs() < 1e-9 && e.0.abs() < 1e-9);
        let down = azimuth_elevation([0.0, -2.0, 0.0], l, f, u);
        assert!((down.1 + 90.0).abs() < 1e-9);
        // Degenerate cases.
        assert_eq!(azimuth_elevation(l, l, f, u), (0.0, 0.0));
        assert_eq!(azimuth_elevation([1.0, 0.0, 0.0], l, f, f), (0.0, 0.0));
        // A rotated listener: facing +x, a source at +x is in front.
        assert!(close(
            azimuth_elevation([5.0, 0.0, 0.0], l, [1.0, 0.0, 0.0], u),
            (0.0, 0.0)
        ));
        // Listener position matters.
        assert!(close(
            azimuth_elevation([3.0, 0.0, 0.0], [2.0, 0.0, 0.0], f, u),
            (90.0, 0.0)
        ));
    }

    #[test]
    fn distance_models_follow_the_formulas() {
        use DistanceModel::*;
        // linear: clamped distance, rolloff clamped to [0, 1]
        assert!((distance_gain(Linear, 5.0, 1.0, 11.0, 1.0) - 0.6).abs() < 1e-12);
        assert!((distance_gain(Linear, 50.0, 1.0, 11.0, 0.5) - 0.5).abs() < 1e-12);
        assert!((distance_gain(Linear, 0.0, 1.0, 11.0, 1.0) - 1.0).abs() < 1e-12);
        assert!((distance_gain(Linear, 5.0, 1.0, 11.0, 3.0) - 0.6).abs() < 1e-12);
        // ref > max swaps; ref == max gives 1 - f
        assert!((distance_gain(Linear, 5.0, 11.0, 1.0, 1.0) - 0.6).abs() < 1e-12);
        assert!((distance_gain(Linear, 5.0, 2.0, 2.0, 0.25) - 0.75).abs() < 1e-12);
        // inverse
        assert!((distance_gain(Inverse, 4.0, 1.0, 10000.0, 1.0) - 0.25).abs() < 1e-12);
        assert!((distance_gain(Inverse, 0.5, 1.0, 10000.0, 1.0) - 1.0).abs() < 1e-12);
        assert!((distance_gain(Inverse, 5.0, 2.0, 10000.0, 3.0) - 2.0 / 11.0).abs() < 1e-12);
        assert_eq!(distance_gain(Inverse, 5.0, 0.0, 10000.0, 3.0), 0.0);
        // exponential
        assert!(
            (distance_gain(Exponential, 8.0, 2.0, 10000.0, 1.5) - 4f64.powf(-1.5)).abs() < 1e-12
        );
        assert!((distance_gain(Exponential, 1.0, 2.0, 10000.0, 1.5) - 1.0).abs() < 1e-12);
        assert_eq!(distance_gain(Exponential, 5.0, 0.0, 10000.0, 3.0), 0.0);
        // maxDistance does not clamp inverse/exponential
        assert!((distance_gain(Inverse, 100.0, 1.0, 10.0, 1.0) - 0.01).abs() < 1e-12);
    }

    #[test]
    fn cone_gain_cases() {
        let l = [0.0; 3];
        let src = [0.0, 0.0, -1.0];
        // Omnidirectional by default, or with a zero orientation.
        assert_eq!(cone_gain(src, [1.0, 0.0, 0.0], l, 360.0, 360.0, 0.0), 1.0);
        assert_eq!(cone_gain(src, [0.0; 3], l, 10.0, 20.0, 0.0), 1.0);
        // Pointing at the listener: inside the inner cone.
        assert_eq!(cone_gain(src, [0.0, 0.0, 1.0], l, 60.0, 120.0, 0.25), 1.0);
        // Pointing away: outside the outer cone.
        assert_eq!(cone_gain(src, [0.0, 0.0, -1.0], l, 60.0, 120.0, 0.25), 0.25);
        // 45 degrees off axis with inner 60 (30 half) and outer 120 (60 half):
        // x = (45 - 30) / 30 = 0.5.
        let g = cone_gain(src, [1.0, 0.0, 1.0], l, 60.0, 120.0, 0.25);
        assert!((g - (0.5 + 0.25 * 0.5)).abs() < 1e-12, "{g}");
    }

    #[test]
    fn equalpower_mono_matches_the_spec_per_azimuth() {
        let x = ramp();
        for &(pos, az) in &[
            ([1.0f32, 0.0, 0.0], 90.0f64),
            ([-1.0, 0.0, 0.0], -90.0),
            ([0.0, 0.0, -1.0], 0.0),
            ([1.0, 0.0, -1.0], 45.0),
            ([1.0, 0.0, 1.0], 135.0),
        ] {
            let mut p = PannerProcessor::new(&PannerOptions::default(), None);
            let params = Params::new([pos[0], pos[1], pos[2], 1.0, 0.0, 0.0]);
            let (out, alive) = run(&mut p, &params, &[&x], 0);
            assert!(!alive);
            assert_eq!(out.number_of_channels(), 2);
            let d = (pos.iter().map(|v| (*v as f64).powi(2)).sum::<f64>()).sqrt();
            let g = distance_gain(DistanceModel::Inverse, d, 1.0, 10000.0, 1.0);
            // Reference from the spec's steps, independently: wrap, x, gains.
            let w = if az > 90.0 { 180.0 - az } else { az };
            let t = (w + 90.0) / 180.0 * std::f64::consts::FRAC_PI_2;
            for k in 0..Q {
                let el = x[k] as f64 * g * t.cos();
                let er = x[k] as f64 * g * t.sin();
                assert!(
                    (out.channel(0)[k] as f64 - el).abs() < 1e-6,
                    "az {az} L {k}"
                );
                assert!(
                    (out.channel(1)[k] as f64 - er).abs() < 1e-6,
                    "az {az} R {k}"
                );
            }
        }
    }

    #[test]
    fn equalpower_stereo_uses_the_two_formulas() {
        let l = ramp();
        let r: [f32; Q] = std::array::from_fn(|k| 0.3 - l[k]);
        for &(pos, left_side) in &[([-1.0f32, 0.0, -1.0], true), ([1.0, 0.0, -1.0], false)] {
            let mut p = PannerProcessor::new(
                &PannerOptions {
                    ref_distance: 2.0,
                    ..Default::default()
                },
                None,
            );
            let params = Params::new([pos[0], pos[1], pos[2], 1.0, 0.0, 0.0]);
            let (out, _) = run(&mut p, &params, &[&l, &r], 0);
            // |az| = 45: stereo x = (-45 + 90) / 90 = 0.5 left, 45 / 90 = 0.5 right.
            let t = 0.5 * std::f64::consts::FRAC_PI_2;
            let (gl, gr) = (t.cos(), t.sin());
            for k in 0..Q {
                let (li, ri) = (l[k] as f64, r[k] as f64);
                let (el, er) = if left_side {
                    (li + ri * gl, ri * gr)
                } else {
                    (li * gl, ri + li * gr)
                };
                assert!((out.channel(0)[k] as f64 - el).abs() < 1e-6);
                assert!((out.channel(1)[k] as f64 - er).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn a_rate_position_and_listener_are_sample_accurate() {
        let x = [1.0f32; Q];
        let mut p = PannerProcessor::new(
            &PannerOptions {
                distance_model: DistanceModel::Linear,
                max_distance: 100.0,
                ..Default::default()
            },
            None,
        );
        let mut params = Params::new([0.0, 0.0, -1.0, 1.0, 0.0, 0.0]);
        // positionX sweeps from -5 to +5 over the quantum; the listener's
        // positionZ moves too.
        params.0[0] = (0..Q).map(|k| -5.0 + 10.0 * k as f32 / 127.0).collect();
        params.0[8] = (0..Q).map(|k| k as f32 * 0.01).collect();
        let (out, _) = run(&mut p, &params, &[&x], 0);
        for k in 0..Q {
            let src = [params.0[0][k] as f64, 0.0, -1.0];
            let lis = [0.0, 0.0, params.0[8][k] as f64];
            let (az, _) = azimuth_elevation(src, lis, [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]);
            let d = norm(sub(src, lis));
            let g = distance_gain(DistanceModel::Linear, d, 1.0, 100.0, 1.0);
            let (gl, gr) = equal_power_gains(az, false);
            assert!((out.channel(0)[k] as f64 - g * gl).abs() < 1e-6, "L {k}");
            assert!((out.channel(1)[k] as f64 - g * gr).abs() < 1e-6, "R {k}");
        }
    }

    #[test]
    fn silent_input_gives_mono_silence_and_messages_apply() {
        let ts = TestScope::new(44100.0);
        let mut p = PannerProcessor::new(&PannerOptions::default(), None);
        let params = Params::new([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
        let mut inb = AudioBlock::new(1);
        inb.make_silent();
        let blocks = params.blocks();
        let mut outb = [AudioBlock::new(2)];
        let alive = p.process(
            ProcessIo {
                inputs: &[inb],
                outputs: &mut outb,
                params: &blocks,
            },
            &ts.scope(0),
        );
        assert!(!alive);
        assert!(outb[0].is_silent());
        assert_eq!(outb[0].number_of_channels(), 1);
        // Attribute messages: exponential model with refDistance 0 gives 0.
        p.handle_message(
            NodeMessage::Panner(PannerMessage::SetDistanceModel(DistanceModel::Exponential)),
            &ts.scope(0),
        );
        p.handle_message(
            NodeMessage::Panner(PannerMessage::SetRefDistance(0.0)),
            &ts.scope(0),
        );
        let (out, _) = run(&mut p, &params, &[&ramp()], 0);
        assert!(
            out.channel(0)
                .iter()
                .chain(out.channel(1))
                .all(|&v| v == 0.0)
        );
    }

    /// A measured response with its onset delay put back.
    fn original(db: &HrtfDatabase, position: usize, ear: usize) -> Vec<f32> {
        let (h, onset) = db.measured(position, ear);
        let onset = onset as usize;
        let mut v = vec![0.0; onset];
        v.extend_from_slice(h);
        v.truncate(db.taps());
        v
    }

    #[test]
    fn hrtf_database_loads_and_resamples() {
        let db = HrtfDatabase::mit_kemar(44100.0);
        assert_eq!(db.positions(), 710);
        assert_eq!(db.taps(), 256);
        assert_eq!(db.elevations().len(), 14);
        let raw = |p: usize, ear: usize, k: usize| {
            let positions = 710usize;
            let o = 16 + 8 * positions + ((p * 2 + ear) * 256 + k) * 2;
            i16::from_le_bytes([KEMAR[o], KEMAR[o + 1]]) as f32 / 32768.0
        };
        // At the source rate resampling is the identity, and alignment only
        // moves the response by its onset (dropping nothing but zeros).
        for &p in &[0usize, 100, 709] {
            for ear in 0..2 {
                let (h, onset) = db.measured(p, ear);
                let onset = onset as usize;
                assert!(onset > 0 && onset < 60, "onset {onset}");
                for k in 0..256 {
                    let e = if k + onset < 256 {
                        raw(p, ear, k + onset)
                    } else {
                        0.0
                    };
                    assert!((h[k] - e).abs() < 1e-6);
                    if k < onset {
                        assert!(
                            raw(p, ear, k).abs() < 0.2 * 0.9,
                            "nothing big before the onset"
                        );
                    }
                }
            }
        }
        // A source on the right reaches the right ear first.
        let right = db.find(90.0, 0.0).unwrap();
        assert!(db.measured(right, 1).1 + 10.0 < db.measured(right, 0).1);
        // At twice the rate the even samples are the originals, halved to
        // keep the filter's gain.
        let db2 = HrtfDatabase::mit_kemar(88200.0);
        assert_eq!(db2.taps(), 512);
        // (Alignment drops the measurement noise floor before the onset.)
        let o2 = original(&db2, 100, 1);
        let onset2 = db2.measured(100, 1).1 as usize;
        for k in onset2.div_ceil(2)..200 {
            let e = raw(100, 1, k) * 0.5;
            assert!((o2[2 * k] - e).abs() < 1e-5, "tap {k}");
        }
        // 48 kHz: a non-trivial ratio (160/147).
        let db48 = HrtfDatabase::mit_kemar(48000.0);
        assert_eq!(db48.taps(), (256.0f64 * 48000.0 / 44100.0).ceil() as usize);
        // Energy scales with the rate ratio (same gain, more taps).
        let energy = |d: &HrtfDatabase| {
            d.measured(300, 0)
                .0
                .iter()
                .map(|v| (*v as f64).powi(2))
                .sum::<f64>()
        };
        let ratio = energy(&db48) / energy(&db) * 48000.0 / 44100.0;
        assert!((ratio - 1.0).abs() < 0.02, "{ratio}");
    }

    #[test]
    fn hrtf_kernels_interpolate_between_measurements() {
        let db = HrtfDatabase::mit_kemar(44100.0);
        let taps = db.taps();
        let mut l = vec![0.0; taps];
        let mut r = vec![0.0; taps];
        // A measured direction gives exactly that measurement. Web azimuth
        // +90 (right) is SOFA azimuth 270.
        let right = db.find(90.0, 0.0).unwrap();
        let d = db.kernel_into(90.0, 0.0, &mut l, &mut r);
        assert_eq!(&l[..], db.measured(right, 0).0);
        assert_eq!(&r[..], db.measured(right, 1).0);
        assert_eq!(d, (db.measured(right, 0).1, db.measured(right, 1).1));
        let el = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>();
        assert!(
            el(&r) > 4.0 * el(&l),
            "right ear louder for a source on the right"
        );
        // Half way between two azimuths on the 0 degree ring (5 degree
        // steps): responses and onsets both average.
        let a = db.find(-10.0, 0.0).unwrap();
        let b = db.find(-15.0, 0.0).unwrap();
        let d = db.kernel_into(-12.5, 0.0, &mut l, &mut r);
        for k in 0..taps {
            let e = 0.5 * (db.measured(a, 0).0[k] + db.measured(b, 0).0[k]);
            assert!((l[k] - e).abs() < 1e-6);
        }
        assert!((d.0 - 0.5 * (db.measured(a, 0).1 + db.measured(b, 0).1)).abs() < 1e-6);
        // Between two rings (0 and 10 degrees) at a shared azimuth (0).
        let c = db.find(0.0, 0.0).unwrap();
        let e10 = db.find(0.0, 10.0).unwrap();
        let d = db.kernel_into(0.0, 2.5, &mut l, &mut r);
        for k in 0..taps {
            let e = 0.75 * db.measured(c, 1).0[k] + 0.25 * db.measured(e10, 1).0[k];
            assert!((r[k] - e).abs() < 1e-6);
        }
        assert!((d.1 - (0.75 * db.measured(c, 1).1 + 0.25 * db.measured(e10, 1).1)).abs() < 1e-6);
        // Below the lowest ring clamps to it; the top is the single 90 point.
        let low = db.find(0.0, -40.0).unwrap();
        db.kernel_into(0.0, -80.0, &mut l, &mut r);
        assert_eq!(&l[..], db.measured(low, 0).0);
        let top = db.find(0.0, 90.0).unwrap();
        db.kernel_into(123.0, 90.0, &mut l, &mut r);
        assert_eq!(&l[..], db.measured(top, 0).0);
    }

    #[test]
    fn hrtf_panning_convolves_with_the_direction_response() {
        let db = HrtfDatabase::shared(44100.0);
        let mut p = PannerProcessor::new(
            &PannerOptions {
                panning_model: PanningModel::Hrtf,
                ..Default::default()
            },
            Some(Box::new(HrtfRenderer::new(db.clone()))),
        );
        // Source at distance 2 on the right: inverse model gain 1/2.
        let params = Params::new([2.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
        let x: Vec<f32> = (0..4 * Q).map(|i| ((i as f32) * 0.21).sin()).collect();
        let quanta = 10;
        let mut out = [Vec::new(), Vec::new()];
        let mut alive = Vec::new();
        let mut counts = Vec::new();
        for q in 0..quanta {
            let ts = TestScope::new(44100.0);
            let mut inb = AudioBlock::new(1);
            if q < 4 {
                inb.channel_mut(0).copy_from_slice(&x[q * Q..][..Q]);
            }
            let blocks = params.blocks();
            let mut outb = [AudioBlock::new(1)];
            alive.push(p.process(
                ProcessIo {
                    inputs: &[inb],
                    outputs: &mut outb,
                    params: &blocks,
                },
                &ts.scope((q * Q) as u64),
            ));
            let [o] = outb;
            counts.push(o.number_of_channels());
            for (c, dst) in out.iter_mut().enumerate() {
                let ch = if o.number_of_channels() > c {
                    *o.channel(c)
                } else {
                    [0.0; Q]
                };
                dst.extend_from_slice(&ch);
            }
        }
        // Measured direction, integer onset: exactly the stored response.
        let right = db.find(90.0, 0.0).unwrap();
        for ear in 0..2 {
            let h = original(&db, right, ear);
            for n in 0..quanta * Q {
                let mut e = 0.0f64;
                for (k, &hk) in h.iter().enumerate().take(n + 1) {
                    if let Some(&v) = x.get(n - k) {
                        e += hk as f64 * v as f64;
                    }
                }
                e *= 0.5;
                assert!((out[ear][n] as f64 - e).abs() < 1e-5, "ear {ear} frame {n}");
            }
        }
        // The tail (response length plus the largest onset) ends the node's
        // activity: then one silent channel.
        let tail = db.taps() + db.max_onset().ceil() as usize;
        let last_quantum = (4 * Q + tail - 1) / Q;
        assert!(alive[..last_quantum].iter().all(|&a| a));
        assert!(alive[last_quantum + 1..].iter().all(|&a| !a));
        assert_eq!(*counts.last().unwrap(), 1);
    }

    #[test]
    fn hrtf_direction_change_crossfades_over_one_quantum() {
        let db = HrtfDatabase::shared(44100.0);
        let mut p = PannerProcessor::new(
            &PannerOptions {
                panning_model: PanningModel::Hrtf,
                ..Default::default()
            },
            Some(Box::new(HrtfRenderer::new(db.clone()))),
        );
        let x = [1.0f32; Q];
        let left = Params::new([-1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
        let right = Params::new([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
        for q in 0..6 {
            run(&mut p, &left, &[&x], (q * Q) as u64);
        }
        let (o, _) = run(&mut p, &right, &[&x], (6 * Q) as u64);
        // With a constant input, each aligned kernel's steady output is the
        // sum of its taps. In the quantum after the change the convolution
        // output moves linearly from the old kernel's value to the new one's
        // while the onset delay ramps from the old delay to the new one.
        for ear in 0..2 {
            let (ha, da) = db.measured(db.find(-90.0, 0.0).unwrap(), ear);
            let (hb, db_) = db.measured(db.find(90.0, 0.0).unwrap(), ear);
            let (a, b) = (ha.iter().sum::<f32>(), hb.iter().sum::<f32>());
            let fir = |m: i64| {
                if m < 0 {
                    a
                } else {
                    a + (b - a) * (m + 1) as f32 / Q as f32
                }
            };
            for n in 0..Q {
                let d = da + (db_ - da) * (n + 1) as f32 / Q as f32;
                let whole = d.floor();
                let frac = d - whole;
                let m = n as i64 - whole as i64;
                let e = fir(m) + (fir(m - 1) - fir(m)) * frac;
                assert!(
                    (o.channel(ear)[n] - e).abs() < 1e-4,
                    "ear {ear} frame {n}: {} vs {e}",
                    o.channel(ear)[n]
                );
            }
        }
    }

    #[test]
    fn hrtf_renderer_is_swapped_by_message() {
        let ts = TestScope::new(44100.0);
        let db = HrtfDatabase::shared(44100.0);
        let mut p = PannerProcessor::new(
            &PannerOptions::default(),
            Some(Box::new(HrtfRenderer::new(db.clone()))),
        );
        p.handle_message(
            NodeMessage::Panner(PannerMessage::SetHrtf(Box::new(HrtfRenderer::new(db)))),
            &ts.scope(0),
        );
        assert_eq!(ts.garbage.len(), 1);
        p.handle_message(
            NodeMessage::Panner(PannerMessage::SetPanningModel(PanningModel::Hrtf)),
            &ts.scope(0),
        );
        let params = Params::new([0.0, 0.0, -1.0, 1.0, 0.0, 0.0]);
        let (o, alive) = run(&mut p, &params, &[&ramp()], 0);
        assert!(alive);
        assert_eq!(o.number_of_channels(), 2);
        // Switching away and back forgets the HRTF history: silent input
        // then gives silence at once, not the old tail.
        for m in [PanningModel::EqualPower, PanningModel::Hrtf] {
            p.handle_message(
                NodeMessage::Panner(PannerMessage::SetPanningModel(m)),
                &ts.scope(0),
            );
        }
        let blocks = params.blocks();
        let mut outb = [AudioBlock::new(1)];
        let alive = p.process(
            ProcessIo {
                inputs: &[AudioBlock::new(1)],
                outputs: &mut outb,
                params: &blocks,
            },
            &ts.scope(Q as u64),
        );
        assert!(!alive);
        assert!(outb[0].is_silent());
    }
}
