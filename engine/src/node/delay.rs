//! DelayNode, split in two graph nodes sharing one ring buffer: a *writer*
//! (the node's input) and a *reader* (its output and `delayTime` param).
//! Because nothing connects them in the graph, a cycle through a DelayNode
//! is an ordinary acyclic order for the graph: the reader runs first and the
//! delay is clamped to at least one quantum, as the spec requires in cycles.
//! Outside cycles the graph orders the writer first, so any delay from 0 up
//! works.

use std::cell::UnsafeCell;
use std::sync::Arc;

use crate::RENDER_QUANTUM_SIZE;
use crate::context::{Context, NodeHandle, NodeSpec, ParamHandle};
use crate::error::Error;
use crate::message::NodeMessage;
use crate::mixing::{ChannelConfig, ChannelCountMode};
use crate::param::{AutomationRate, ParamDescriptor};
use crate::processor::{ProcessIo, Processor, RenderScope};

/// Messages to the DelayNode processors (sent by the graph).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DelayMessage {
    /// The node is (no longer) part of a cycle.
    InCycle(bool),
}

/// `DelayOptions`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DelayOptions {
    pub max_delay_time: f64,
    pub delay_time: f64,
    pub channel_config: ChannelConfig,
}

impl Default for DelayOptions {
    fn default() -> Self {
        Self {
            max_delay_time: 1.0,
            delay_time: 0.0,
            channel_config: ChannelConfig::default(),
        }
    }
}

/// Control handle of a DelayNode.
#[derive(Debug, Clone)]
pub struct DelayNode {
    node: NodeHandle,
}

/// `delayTime` for a given maxDelayTime.
pub fn delay_time_descriptor(max_delay_time: f64) -> ParamDescriptor {
    ParamDescriptor {
        name: "delayTime",
        default_value: 0.0,
        min_value: 0.0,
        max_value: max_delay_time as f32,
        automation_rate: AutomationRate::ARate,
        rate_fixed: false,
    }
}

impl DelayNode {
    pub fn new(ctx: &Context, options: DelayOptions) -> Result<Self, Error> {
        let max = options.max_delay_time;
        if !(max > 0.0 && max < 180.0) {
            return Err(Error::NotSupported(format!(
                "maxDelayTime {max} is outside the range (0, 180)"
            )));
        }
        let mut writer_spec = NodeSpec::new(1, 0, Vec::new());
        writer_spec
            .constraints
            .check_count(2, options.channel_config.count)?;
        writer_spec.channel_config = options.channel_config;
        let reader_spec = NodeSpec::new(0, 1, vec![delay_time_descriptor(max)]);
        let sr = ctx.sample_rate() as f64;
        let cfg = options.channel_config;
        // Channel storage is fixed up front (no allocation while rendering);
        // "max" mode usually carries up to 5.1.
        let channels = match cfg.mode {
            ChannelCountMode::Max => cfg.count.max(6),
            _ => cfg.count,
        };
        let max_frames = (max * sr).ceil() as usize;
        let ring = Arc::new(
            SharedRing::new(channels, max_frames).map_err(|e| e.not_supported("the delay line"))?,
        );
        let node = ctx.create_delay_pair(
            writer_spec,
            Box::new(DelayWriter { ring: ring.clone() }),
            reader_spec,
            Box::new(DelayReader {
                ring,
                in_cycle: false,
                max_frames: max_frames as f64,
            }),
        )?;
        if options.delay_time != 0.0 {
            node.param(0).set_value(options.delay_time as f32)?;
        }
        Ok(Self { node })
    }

    pub fn node(&self) -> &NodeHandle {
        &self.node
    }

    pub fn delay_time(&self) -> ParamHandle {
        self.node.param(0)
    }
}

struct Ring {
    /// Planes of `len` frames (`len` a multiple of the quantum size); frame
    /// `f` lives at `f % len`.
    data: Vec<Box<[f32]>>,
    len: usize,
    /// Channel count of each quantum in the ring (0: silent input), indexed
    /// like the frames: the output carries the channel count of the input it
    /// is delaying, and a single silent channel where that was silence or
    /// not written yet (the spec's "not actively processing").
    quantum_channels: Box<[u8]>,
    /// Planes that may hold non-zero samples.
    dirty_planes: usize,
    /// One past the last frame written.
    written_until: u64,
    /// One past the last frame whose input was not silent.
    sound_until: u64,
}

/// The ring shared by the two halves.
struct SharedRing(UnsafeCell<Ring>);

// SAFETY: the writer and reader processors are the only users; both run only
// inside `Processor::process`, which the graph calls for one node at a time
// on the single render thread, so accesses never overlap.
unsafe impl Sync for SharedRing {}
unsafe impl Send for SharedRing {}

const Q: usize = RENDER_QUANTUM_SIZE;

impl SharedRing {
    /// Sized by the script (maxDelayTime and channels): fallible.
    fn new(channels: usize, max_frames: usize) -> Result<Self, crate::fallible::AllocError> {
        use crate::fallible::{check_budget, try_filled, try_zeroed_f32};
        // Room for the longest delay, the quantum being written, one frame
        // for interpolation and the one-quantum minimum inside cycles.
        let len = (max_frames + 3 * Q + 2).div_ceil(Q) * Q;
        let planes = channels.clamp(1, crate::MAX_CHANNELS);
        check_budget::<f32>(planes as u128 * len as u128)?;
        let mut data = Vec::with_capacity(planes);
        for _ in 0..planes {
            data.push(try_zeroed_f32(len)?.into_boxed_slice());
        }
        Ok(Self(UnsafeCell::new(Ring {
            data,
            len,
            quantum_channels: try_filled(len / Q, 0u8)?.into_boxed_slice(),
            dirty_planes: 0,
            written_until: 0,
            sound_until: 0,
        })))
    }

    /// SAFETY: see the `Sync` impl; callers hold the only live reference.
    #[allow(clippy::mut_from_ref)]
    unsafe fn get(&self) -> &mut Ring {
        unsafe { &mut *self.0.get() }
    }
}

/// Writes the input into the ring.
struct DelayWriter {
    ring: Arc<SharedRing>,
}

impl Processor for DelayWriter {
    fn process(&mut self, io: ProcessIo<'_>, scope: &RenderScope<'_>) -> bool {
        // SAFETY: only called from the render thread, one node at a time.
        let ring = unsafe { self.ring.get() };
        let input = &io.inputs[0];
        let f0 = scope.current_frame;
        // Quanta start at multiples of Q and `len` is one too: never split.
        let start = (f0 % ring.len as u64) as usize;
        let mut n = if input.is_silent() {
            0
        } else {
            input.number_of_channels().min(ring.data.len())
        };
        let mut sounding = false;
        for (c, plane) in ring
            .data
            .iter_mut()
            .enumerate()
            .take(ring.dirty_planes.max(n))
        {
            let dst = &mut plane[start..start + Q];
            if c < n {
                // Feedback through the delay decays into subnormals: flush
                // them to zero (they are slow, and a loop of zeros must be
                // able to go quiet and end).
                for (d, &x) in dst.iter_mut().zip(input.channel(c)) {
                    let y = if x.abs() < f32::MIN_POSITIVE { 0.0 } else { x };
                    sounding |= y != 0.0;
                    *d = y;
                }
            } else {
                dst.fill(0.0);
            }
        }
        if !sounding {
            // All zeros is silence, whatever the flag said.
            n = 0;
        }
        ring.dirty_planes = ring.dirty_planes.max(n);
        ring.quantum_channels[start / Q] = n as u8;
        ring.written_until = f0 + Q as u64;
        if n > 0 {
            ring.sound_until = ring.written_until;
        } else if f0 >= ring.sound_until + ring.len as u64 {
            // Everything in the ring is silence again.
            ring.dirty_planes = 0;
        }
        false
    }
}

/// `delayTime` is an f32 in seconds, so a whole number of frames rarely
/// survives the conversion exactly; snap near-integers so such delays copy
/// samples instead of interpolating between neighbours.
#[inline]
fn snap(frames: f64) -> f64 {
    let r = frames.round();
    if (frames - r).abs() < 1e-4 { r } else { frames }
}

/// Reads the ring `delayTime` behind, with linear interpolation.
struct DelayReader {
    ring: Arc<SharedRing>,
    in_cycle: bool,
    max_frames: f64,
}

impl DelayReader {
    /// Delay in frames for a param value, clamped to the allowed range.
    #[inline]
    fn frames(&self, seconds: f32, sr: f64) -> f64 {
        let min = if self.in_cycle { Q as f64 } else { 0.0 };
        snap((seconds as f64 * sr).clamp(min, self.max_frames.max(min)))
    }
}

impl Processor for DelayReader {
    fn process(&mut self, io: ProcessIo<'_>, scope: &RenderScope<'_>) -> bool {
        // SAFETY: only called from the render thread, one node at a time.
        let ring = unsafe { self.ring.get() };
        let output = &mut io.outputs[0];
        let f0 = scope.current_frame;
        // Everything written is older than the longest delay: silence.
        if f0 > ring.sound_until + self.max_frames as u64 {
            output.make_silent_with_channels(1);
            return false;
        }
        let sr = scope.sample_rate as f64;
        let delay = io.params[0];
        let (mut d_min, mut d_max) = (f64::MAX, 0.0f64);
        if delay.is_constant() {
            d_min = self.frames(delay.first(), sr);
            d_max = d_min;
        } else {
            for &v in delay.as_slice() {
                let d = self.frames(v, sr);
                d_min = d_min.min(d);
                d_max = d_max.max(d);
            }
        }
        // The quanta this output quantum reads from decide its layout.
        let first_pos = f0 as f64 - d_max;
        // (+1: the interpolation neighbour, read only for fractional delays)
        let last_pos = (f0 + Q as u64 - 1) as f64 - d_min.floor();
        let lo = (first_pos.max(0.0) / Q as f64).floor() as u64;
        let hi = (last_pos.max(0.0) / Q as f64).floor() as u64;
        let written_quanta = ring.written_until / Q as u64;
        let ring_quanta = (ring.len / Q) as u64;
        let mut channels = 0usize;
        if last_pos >= 0.0 {
            for q in lo..=hi.min(written_quanta.saturating_sub(1)) {
                channels = channels.max(ring.quantum_channels[(q % ring_quanta) as usize] as usize);
            }
        }
        if channels == 0 {
            output.make_silent_with_channels(1);
            return true;
        }
        let len = ring.len as u64;
        output.set_number_of_channels(channels);
        let out = output.channels_mut();
        let planes = &ring.data[..channels];
        for i in 0..Q {
            let d = if delay.is_constant() {
                d_min
            } else {
                self.frames(delay.at(i), sr)
            };
            let pos = (f0 + i as u64) as f64 - d;
            if pos <= -1.0 {
                for ch in out.iter_mut() {
                    ch[i] = 0.0;
                }
                continue;
            }
            let k = pos.floor();
            let frac = (pos - k) as f32;
            if k < 0.0 {
                // Between the silence before time began and frame 0 (which
                // the ring still holds at index 0): interpolate from zero.
                for (ch, plane) in out.iter_mut().zip(planes) {
                    ch[i] = plane[0] * frac;
                }
                continue;
            }
            let k = k as u64;
            let a = (k % len) as usize;
            let b = ((k + 1) % len) as usize;
            for (ch, plane) in out.iter_mut().zip(planes) {
                let x0 = plane[a];
                let x1 = if frac > 0.0 { plane[b] } else { x0 };
                ch[i] = x0 + (x1 - x0) * frac;
            }
        }
        true
    }

    fn handle_message(&mut self, message: NodeMessage, _scope: &RenderScope<'_>) {
        if let NodeMessage::Delay(DelayMessage::InCycle(c)) = message {
            self.in_cycle = c;
        }
    }
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)]
mod tests {
    use super::*;
    use crate::block::AudioBlock;
    use crate::processor::ParamBlock;
    use crate::processor::testing::TestScope;

    /// Runs writer then reader (the acyclic order) over `input`, returning
    /// the output and whether the reader still rang at the end.
    fn run(input: &[f32], delay_frames: &[f32], sr: f32, max_frames: usize) -> (Vec<f32>, bool) {
        let ts = TestScope::new(sr);
        let ring = Arc::new(SharedRing::new(1, max_frames).unwrap());
        let mut w = DelayWriter { ring: ring.clone() };
        let mut r = DelayReader {
            ring,
            in_cycle: false,
            max_frames: max_frames as f64,
        };
        let mut out = Vec::new();
        let mut active = false;
        for (q, chunk) in input.chunks(RENDER_QUANTUM_SIZE).enumerate() {
            let mut block = AudioBlock::new(1);
            if chunk.iter().any(|&s| s != 0.0) {
                block.channel_mut(0)[..chunk.len()].copy_from_slice(chunk);
            }
            let scope = ts.scope((q * RENDER_QUANTUM_SIZE) as u64);
            w.process(
                ProcessIo {
                    inputs: std::slice::from_ref(&block),
                    outputs: &mut [],
                    params: &[],
                },
                &scope,
            );
            let d: Vec<f32> = delay_frames.iter().map(|f| f / sr).collect();
            let mut o = [AudioBlock::new(1)];
            active = r.process(
                ProcessIo {
                    inputs: &[],
                    outputs: &mut o,
                    params: &[ParamBlock::new(&d)],
                },
                &scope,
            );
            out.extend_from_slice(o[0].channel(0));
        }
        (out, active)
    }

    #[test]
    fn integer_delay_is_exact() {
        let x: Vec<f32> = (0..1024).map(|i| ((i * 7919) % 97) as f32 / 97.0).collect();
        for d in [0usize, 1, 5, 127, 128, 300] {
            let (y, _) = run(&x, &[d as f32], 1000.0, 512);
            for i in 0..x.len() {
                let want = if i >= d { x[i - d] } else { 0.0 };
                assert_eq!(y[i], want, "delay {d} frame {i}");
            }
        }
    }

    #[test]
    fn fractional_delay_interpolates_linearly() {
        let x: Vec<f32> = (0..512).map(|i| (i as f32 * 0.1).sin()).collect();
        let d = 10.25f32;
        let (y, _) = run(&x, &[d], 1000.0, 64);
        for i in 11..x.len() {
            let pos = i as f64 - d as f64;
            let k = pos.floor() as usize;
            let f = (pos - k as f64) as f32;
            let want = x[k] + (x[k + 1] - x[k]) * f;
            assert!((y[i] - want).abs() < 1e-6, "frame {i}");
        }
    }

    #[test]
    fn fractional_delay_of_the_first_frame_interpolates_from_silence() {
        // y[n] = x(n - 10.25): frame 10 lies a quarter of the way from the
        // silence before frame 0 to frame 0 itself.
        let mut x = vec![0.0f32; 256];
        x[0] = 1.0;
        let (y, _) = run(&x, &[10.25], 1000.0, 64);
        assert_eq!(y[9], 0.0);
        assert!((y[10] - 0.75).abs() < 1e-6, "frame 10: {}", y[10]);
        assert!((y[11] - 0.25).abs() < 1e-6, "frame 11: {}", y[11]);
        assert!(y[12..].iter().all(|&v| v == 0.0));
    }

    #[test]
    fn tail_rings_for_max_delay_then_stops() {
        let mut x = vec![0.0f32; 128 * 8];
        x[0] = 1.0;
        let (y, _) = run(&x[..128 * 2], &[200.0], 1000.0, 256);
        assert_eq!(y[200], 1.0);
        let (_, active) = run(&x, &[200.0], 1000.0, 256);
        assert!(!active, "silent after max delay");
    }

    #[test]
    fn in_cycle_delay_is_at_least_one_quantum() {
        let ts = TestScope::new(1000.0);
        let ring = Arc::new(SharedRing::new(1, 512).unwrap());
        let mut w = DelayWriter { ring: ring.clone() };
        let mut r = DelayReader {
            ring,
            in_cycle: false,
            max_frames: 512.0,
        };
        r.handle_message(
            NodeMessage::Delay(DelayMessage::InCycle(true)),
            &ts.scope(0),
        );
        let mut impulse = AudioBlock::new(1);
        impulse.channel_mut(0)[3] = 1.0;
        let mut got = Vec::new();
        for q in 0..3u64 {
            let scope = ts.scope(q * 128);
            // Reader first, as the graph orders it in a cycle.
            let mut o = [AudioBlock::new(1)];
            r.process(
                ProcessIo {
                    inputs: &[],
                    outputs: &mut o,
                    params: &[ParamBlock::new(&[0.0])],
                },
                &scope,
            );
            got.extend_from_slice(o[0].channel(0));
            let input = if q == 0 {
                impulse.clone()
            } else {
                AudioBlock::new(1)
            };
            w.process(
                ProcessIo {
                    inputs: std::slice::from_ref(&input),
                    outputs: &mut [],
                    params: &[],
                },
                &scope,
            );
        }
        let nonzero: Vec<usize> = (0..got.len()).filter(|&i| got[i] != 0.0).collect();
        assert_eq!(nonzero, vec![3 + 128]);
    }
}
