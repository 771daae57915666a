//! AudioListener: the nine a-rate AudioParams that position the listener of
//! a context (used by every PannerNode). It has no audio inputs or outputs;
//! it lives in the graph so its params are automated and connected like any
//! other.
//!
//! Every quantum the listener's processor publishes its nine computed param
//! blocks into [`ListenerValues`], storage allocated once with the listener
//! and shared (`Arc`) with every PannerNode of the context. The graph orders
//! each panner after the listener (`Context::create_node_after`), so a
//! panner reads the values of the same quantum; the render thread neither
//! allocates nor locks for it (relaxed atomics, written and read on the one
//! render thread).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use crate::RENDER_QUANTUM_SIZE;
use crate::context::{Context, NodeHandle, NodeSpec, ParamHandle};
use crate::error::Error;
use crate::message::NodeId;
use crate::node::NodeError;
use crate::param::{AutomationRate, ParamDescriptor};
use crate::processor::{ParamBlock, ProcessIo, Processor, RenderScope};

const fn listener_param(name: &'static str, default_value: f32) -> ParamDescriptor {
    ParamDescriptor {
        name,
        default_value,
        min_value: f32::MIN,
        max_value: f32::MAX,
        automation_rate: AutomationRate::ARate,
        rate_fixed: false,
    }
}

/// positionX/Y/Z, forwardX/Y/Z, upX/Y/Z with the spec's defaults.
pub const LISTENER_PARAMS: [ParamDescriptor; 9] = [
    listener_param("positionX", 0.0),
    listener_param("positionY", 0.0),
    listener_param("positionZ", 0.0),
    listener_param("forwardX", 0.0),
    listener_param("forwardY", 0.0),
    listener_param("forwardZ", -1.0),
    listener_param("upX", 0.0),
    listener_param("upY", 1.0),
    listener_param("upZ", 0.0),
];

const Q: usize = RENDER_QUANTUM_SIZE;

/// The listener's param values of the last rendered quantum, for panners.
#[derive(Debug)]
pub struct ListenerValues {
    /// Nine params x 128 frames of `f32::to_bits`.
    values: Box<[AtomicU32]>,
    /// Per param: 1 (constant over the quantum) or 128.
    lens: [AtomicU32; 9],
    /// The frame of the quantum the values belong to (u64::MAX: none yet).
    frame: AtomicU64,
}

impl ListenerValues {
    fn new() -> Self {
        let values: Box<[AtomicU32]> = (0..9 * Q)
            .map(|i| AtomicU32::new(LISTENER_PARAMS[i / Q].default_value.to_bits()))
            .collect();
        Self {
            values,
            lens: std::array::from_fn(|_| AtomicU32::new(1)),
            frame: AtomicU64::new(u64::MAX),
        }
    }

    fn publish(&self, blocks: &[ParamBlock<'_>], frame: u64) {
        for (p, b) in blocks.iter().take(9).enumerate() {
            let src = if b.is_constant() {
                &b.as_slice()[..1]
            } else {
                b.as_slice()
            };
            let n = src.len().min(Q);
            for (dst, v) in self.values[p * Q..p * Q + n].iter().zip(src) {
                dst.store(v.to_bits(), Ordering::Relaxed);
            }
            self.lens[p].store(n as u32, Ordering::Relaxed);
        }
        self.frame.store(frame, Ordering::Relaxed);
    }

    /// Copies the values into `out` (nine rows of 128) and returns each
    /// row's length (1 or 128).
    pub fn read(&self, out: &mut [[f32; Q]; 9]) -> [usize; 9] {
        let mut lens = [1; 9];
        for (p, (row, len)) in out.iter_mut().zip(&mut lens).enumerate() {
            *len = (self.lens[p].load(Ordering::Relaxed) as usize).clamp(1, Q);
            for (dst, src) in row[..*len].iter_mut().zip(&self.values[p * Q..]) {
                *dst = f32::from_bits(src.load(Ordering::Relaxed));
            }
        }
        lens
    }

    /// The frame of the quantum last published (`None` before the first).
    pub fn frame(&self) -> Option<u64> {
        let f = self.frame.load(Ordering::Relaxed);
        (f != u64::MAX).then_some(f)
    }
}

/// Control handle of a context's AudioListener.
#[derive(Debug, Clone)]
pub struct AudioListener {
    node: NodeHandle,
    values: Arc<ListenerValues>,
}

impl AudioListener {
    pub fn new(ctx: &Context) -> Result<Self, Error> {
        let spec = NodeSpec::new(0, 0, LISTENER_PARAMS.to_vec());
        let values = Arc::new(ListenerValues::new());
        let node = ctx.create_node(
            spec,
            Box::new(ListenerProcessor {
                values: values.clone(),
            }),
        )?;
        Ok(Self { node, values })
    }

    /// The `index`th param in [`LISTENER_PARAMS`] order, if it exists.
    pub fn param(&self, index: usize) -> Option<ParamHandle> {
        (index < LISTENER_PARAMS.len()).then(|| self.node.param(index))
    }

    /// The graph node panners are ordered after.
    pub fn id(&self) -> NodeId {
        self.node.id()
    }

    /// The storage panners read the listener's values from.
    pub fn values(&self) -> Arc<ListenerValues> {
        self.values.clone()
    }

    /// The deprecated `setPosition(x, y, z)`: sets the position params'
    /// values (NotSupportedError while one of them has a value curve
    /// running, per the params' own `value` setter).
    pub fn set_position(&self, x: f32, y: f32, z: f32) -> Result<(), Error> {
        for (i, v) in set_position_values(x, y, z) {
            self.node.param(i).set_value(v)?;
        }
        Ok(())
    }

    /// The deprecated `setOrientation(x, y, z, xUp, yUp, zUp)`.
    pub fn set_orientation(
        &self,
        x: f32,
        y: f32,
        z: f32,
        x_up: f32,
        y_up: f32,
        z_up: f32,
    ) -> Result<(), Error> {
        for (i, v) in set_orientation_values(x, y, z, x_up, y_up, z_up) {
            self.node.param(i).set_value(v)?;
        }
        Ok(())
    }
}

/// The listener produces no audio; the graph computes its params and the
/// processor publishes them for the panners.
struct ListenerProcessor {
    values: Arc<ListenerValues>,
}

impl Processor for ListenerProcessor {
    fn process(&mut self, io: ProcessIo<'_>, scope: &RenderScope<'_>) -> bool {
        self.values.publish(io.params, scope.current_frame);
        false
    }
}

/// The deprecated `setPosition`/`setOrientation` (on the listener and on
/// PannerNode) set the params' `value`s; they throw NotSupportedError when
/// any of the affected params has a `setValueCurveAtTime` curve at that time.
pub fn check_legacy_setter(any_param_has_value_curve: bool) -> Result<(), NodeError> {
    if any_param_has_value_curve {
        return Err(NodeError::NotSupported(
            "setPosition/setOrientation: a param has an active value curve".into(),
        ));
    }
    Ok(())
}

/// The values `AudioListener.setPosition(x, y, z)` assigns, in
/// [`LISTENER_PARAMS`] indices.
pub fn set_position_values(x: f32, y: f32, z: f32) -> [(usize, f32); 3] {
    [(0, x), (1, y), (2, z)]
}

/// The values `AudioListener.setOrientation(x, y, z, xUp, yUp, zUp)` assigns,
/// in [`LISTENER_PARAMS`] indices.
pub fn set_orientation_values(
    x: f32,
    y: f32,
    z: f32,
    x_up: f32,
    y_up: f32,
    z_up: f32,
) -> [(usize, f32); 6] {
    [(3, x), (4, y), (5, z), (6, x_up), (7, y_up), (8, z_up)]
}

/// Typed view of the listener's nine param blocks for one quantum.
#[derive(Clone, Copy)]
pub struct ListenerParams<'a> {
    pub position: [ParamBlock<'a>; 3],
    pub forward: [ParamBlock<'a>; 3],
    pub up: [ParamBlock<'a>; 3],
}

impl<'a> ListenerParams<'a> {
    /// `blocks` are the nine listener params in [`LISTENER_PARAMS`] order.
    pub fn new(blocks: &[ParamBlock<'a>]) -> Option<Self> {
        if blocks.len() < 9 {
            return None;
        }
        Some(Self {
            position: [blocks[0], blocks[1], blocks[2]],
            forward: [blocks[3], blocks[4], blocks[5]],
            up: [blocks[6], blocks[7], blocks[8]],
        })
    }

    /// True when all nine are constant over the quantum.
    pub fn is_constant(&self) -> bool {
        self.position
            .iter()
            .chain(&self.forward)
            .chain(&self.up)
            .all(|p| p.is_constant())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::OfflineOptions;

    #[test]
    fn listener_params_have_the_spec_defaults() {
        let ctx = Context::new_offline(OfflineOptions {
            number_of_channels: 1,
            length: 128,
            sample_rate: 48000.0,
        })
        .unwrap();
        let listener = AudioListener::new(&ctx).unwrap();
        let defaults: Vec<f32> = (0..9)
            .map(|i| listener.param(i).unwrap().default_value())
            .collect();
        assert_eq!(defaults, [0.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 1.0, 0.0]);
        assert!(listener.param(9).is_none());
    }

    #[test]
    fn legacy_setters() {
        assert!(check_legacy_setter(false).is_ok());
        assert!(matches!(
            check_legacy_setter(true),
            Err(NodeError::NotSupported(_))
        ));
        assert_eq!(
            set_position_values(1.0, 2.0, 3.0),
            [(0, 1.0), (1, 2.0), (2, 3.0)]
        );
        let o = set_orientation_values(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
        let names: Vec<_> = o.iter().map(|(i, _)| LISTENER_PARAMS[*i].name).collect();
        assert_eq!(
            names,
            ["forwardX", "forwardY", "forwardZ", "upX", "upY", "upZ"]
        );
    }

    #[test]
    fn view_needs_nine_blocks() {
        let v = [[0.0f32]; 9];
        let blocks: Vec<ParamBlock> = v.iter().map(|a| ParamBlock::new(a)).collect();
        assert!(ListenerParams::new(&blocks[..8]).is_none());
        let l = ListenerParams::new(&blocks).unwrap();
        assert!(l.is_constant());
    }

    #[test]
    fn published_values_round_trip_without_allocating() {
        let values = ListenerValues::new();
        let mut out = [[0.0f32; Q]; 9];
        assert_eq!(values.frame(), None);
        assert_eq!(values.read(&mut out), [1; 9]);
        let firsts: Vec<f32> = out.iter().map(|r| r[0]).collect();
        assert_eq!(firsts, [0.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 1.0, 0.0]);

        let ramp: Vec<f32> = (0..Q).map(|i| i as f32 * 0.5).collect();
        let consts: Vec<[f32; 1]> = (0..9).map(|i| [i as f32 + 10.0]).collect();
        let mut blocks: Vec<ParamBlock> = consts.iter().map(|c| ParamBlock::new(c)).collect();
        blocks[4] = ParamBlock::new(&ramp);
        let (lens, allocs) = crate::node::alloc_count::count(|| {
            values.publish(&blocks, 256);
            values.read(&mut out)
        });
        assert_eq!(allocs, 0);
        assert_eq!(values.frame(), Some(256));
        for p in 0..9 {
            if p == 4 {
                assert_eq!(lens[p], Q);
                assert_eq!(&out[p][..], &ramp[..]);
            } else {
                assert_eq!(lens[p], 1);
                assert_eq!(out[p][0], p as f32 + 10.0);
            }
        }
    }
}
