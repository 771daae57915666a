//! AudioListener: the nine a-rate params every PannerNode of a context reads.
//!
//! The listener has no processor of its own. The graph computes its nine
//! params once per quantum (before any panner, since every panner has the
//! listener as an implicit input) and appends those nine blocks, in
//! [`LISTENER_PARAMS`] order, after each panner's own six params in the
//! panner's `io.params`. [`ListenerParams`] is the typed view of them.

use crate::node::NodeError;
use crate::processor::ParamBlock;

/// `io.params` order and descriptors: (name, default, min, max, a-rate).
/// Nominal ranges are the whole f32 range.
pub const LISTENER_PARAMS: &[(&str, f32, f32, f32, bool)] = &[
    ("positionX", 0.0, f32::MIN, f32::MAX, true),
    ("positionY", 0.0, f32::MIN, f32::MAX, true),
    ("positionZ", 0.0, f32::MIN, f32::MAX, true),
    ("forwardX", 0.0, f32::MIN, f32::MAX, true),
    ("forwardY", 0.0, f32::MIN, f32::MAX, true),
    ("forwardZ", -1.0, f32::MIN, f32::MAX, true),
    ("upX", 0.0, f32::MIN, f32::MAX, true),
    ("upY", 1.0, f32::MIN, f32::MAX, true),
    ("upZ", 0.0, f32::MIN, f32::MAX, true),
];

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

    #[test]
    fn descriptors_follow_the_spec() {
        let names: Vec<_> = LISTENER_PARAMS.iter().map(|p| p.0).collect();
        assert_eq!(
            names,
            [
                "positionX",
                "positionY",
                "positionZ",
                "forwardX",
                "forwardY",
                "forwardZ",
                "upX",
                "upY",
                "upZ"
            ]
        );
        let defaults: Vec<_> = LISTENER_PARAMS.iter().map(|p| p.1).collect();
        assert_eq!(defaults, [0.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 1.0, 0.0]);
        assert!(
            LISTENER_PARAMS
                .iter()
                .all(|p| p.4 && p.2 == f32::MIN && p.3 == f32::MAX)
        );
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
        let names: Vec<_> = o.iter().map(|(i, _)| LISTENER_PARAMS[*i].0).collect();
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
}
