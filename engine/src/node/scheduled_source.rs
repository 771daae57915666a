//! The start/stop machinery of AudioScheduledSourceNode, shared by every
//! source: control-side validation ([`ScheduledSourceControl`]) and the
//! render-side schedule ([`Schedule`]) that tells a processor which frames
//! of a quantum play and fires `ended`.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::RENDER_QUANTUM_SIZE;
use crate::context::NodeHandle;
use crate::error::Error;
use crate::message::{EngineEvent, NodeMessage};
use crate::processor::RenderScope;

/// Control side: the spec's checks for `start()` and `stop()`.
#[derive(Debug, Default)]
pub struct ScheduledSourceControl {
    started: AtomicBool,
}

fn check_time(name: &str, t: f64) -> Result<(), Error> {
    if !t.is_finite() {
        return Err(Error::Type(format!("{name} must be finite")));
    }
    if t < 0.0 {
        return Err(Error::Range(format!(
            "{name} must not be negative (got {t})"
        )));
    }
    Ok(())
}

impl ScheduledSourceControl {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn has_started(&self) -> bool {
        self.started.load(Ordering::Relaxed)
    }

    /// `start(when)`.
    pub fn start(&self, node: &NodeHandle, when: f64) -> Result<(), Error> {
        self.start_with(node, when, 0.0, None)
    }

    /// `start(when, offset, duration)` (AudioBufferSourceNode). Offset and
    /// duration are validated by the caller (they are node specific).
    pub fn start_with(
        &self,
        node: &NodeHandle,
        when: f64,
        offset: f64,
        duration: Option<f64>,
    ) -> Result<(), Error> {
        if self.has_started() {
            return Err(Error::InvalidState("start() was already called".into()));
        }
        check_time("when", when)?;
        self.started.store(true, Ordering::Relaxed);
        node.send(NodeMessage::Start {
            at_frame: when * node.context().sample_rate() as f64,
            offset,
            duration,
        });
        Ok(())
    }

    /// `stop(when)`.
    pub fn stop(&self, node: &NodeHandle, when: f64) -> Result<(), Error> {
        if !self.has_started() {
            return Err(Error::InvalidState("stop() before start()".into()));
        }
        check_time("when", when)?;
        node.send(NodeMessage::Stop {
            at_frame: when * node.context().sample_rate() as f64,
        });
        Ok(())
    }
}

/// Render side: start/stop frames and the `ended` event.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Schedule {
    start: Option<u64>,
    stop: Option<u64>,
    ended: bool,
    /// The unrounded start frame, offset and duration of `start()` (for
    /// sources that need sub-sample accuracy, e.g. AudioBufferSourceNode).
    start_exact: f64,
    offset: f64,
    duration: Option<f64>,
}

/// Which frames of the current quantum play.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Playing {
    /// First playing frame in the quantum.
    pub begin: usize,
    /// One past the last playing frame.
    pub end: usize,
}

fn to_frame(f: f64) -> u64 {
    // Events take effect at round(t * sampleRate); negative or NaN never reach
    // here (validated on the control side) but saturate to 0 anyway.
    f.round().max(0.0) as u64
}

impl Schedule {
    /// Applies Start/Stop; returns false for other messages.
    pub fn handle(&mut self, message: &NodeMessage) -> bool {
        match *message {
            NodeMessage::Start {
                at_frame,
                offset,
                duration,
            } => {
                if self.start.is_none() {
                    self.start = Some(to_frame(at_frame));
                    self.start_exact = at_frame.max(0.0);
                    self.offset = offset;
                    self.duration = duration;
                }
                true
            }
            NodeMessage::Stop { at_frame } => {
                if !self.ended {
                    self.stop = Some(to_frame(at_frame));
                }
                true
            }
            _ => false,
        }
    }

    /// The start frame, once `start()` arrived.
    pub fn start_frame(&self) -> Option<u64> {
        self.start
    }

    /// The start frame before rounding (`when * sampleRate`).
    pub fn start_frame_exact(&self) -> Option<f64> {
        self.start.map(|_| self.start_exact)
    }

    /// `offset` and `duration` given to `start()` (seconds).
    pub fn offset_and_duration(&self) -> (f64, Option<f64>) {
        (self.offset, self.duration)
    }

    pub fn has_ended(&self) -> bool {
        self.ended
    }

    /// Started (possibly in the future) and not ended: the node may still
    /// make sound, whatever its input.
    pub fn is_active(&self) -> bool {
        self.start.is_some() && !self.ended
    }

    /// The frames of the quantum starting at `scope.current_frame` that
    /// play, or `None`. Posts `ended` (once) in the quantum where the stop
    /// frame is reached.
    pub fn quantum(&mut self, scope: &RenderScope<'_>) -> Option<Playing> {
        let start = self.start?;
        if self.ended {
            return None;
        }
        let q0 = scope.current_frame;
        let q1 = q0 + RENDER_QUANTUM_SIZE as u64;
        let stop = self.stop.unwrap_or(u64::MAX);
        let begin = start.max(q0);
        let end = stop.min(q1);
        if stop <= q1 && start <= q1 {
            self.finish(scope);
        }
        if begin >= end {
            return None;
        }
        Some(Playing {
            begin: (begin - q0) as usize,
            end: (end - q0) as usize,
        })
    }

    /// Ends the source now (e.g. a non-looping buffer ran out).
    pub fn finish(&mut self, scope: &RenderScope<'_>) {
        if !self.ended {
            self.ended = true;
            scope.post_event(EngineEvent::Ended(scope.node_id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::processor::testing::TestScope;

    fn start(f: f64) -> NodeMessage {
        NodeMessage::Start {
            at_frame: f,
            offset: 0.0,
            duration: None,
        }
    }

    #[test]
    fn start_and_stop_are_sample_accurate() {
        let ts = TestScope::new(48000.0);
        let mut s = Schedule::default();
        assert_eq!(s.quantum(&ts.scope(0)), None);
        assert!(!s.is_active());
        s.handle(&start(130.4));
        s.handle(&NodeMessage::Stop { at_frame: 300.6 });
        assert!(s.is_active());
        assert_eq!(s.quantum(&ts.scope(0)), None);
        assert_eq!(
            s.quantum(&ts.scope(128)),
            Some(Playing { begin: 2, end: 128 })
        );
        assert!(ts.events.is_empty());
        assert_eq!(
            s.quantum(&ts.scope(256)),
            Some(Playing { begin: 0, end: 45 })
        );
        assert_eq!(
            ts.events.pop(),
            Some(EngineEvent::Ended(crate::message::NodeId(0)))
        );
        assert!(!s.is_active());
        assert_eq!(s.quantum(&ts.scope(384)), None);
        assert!(ts.events.is_empty());
    }

    #[test]
    fn start_in_the_past_plays_now_and_second_start_is_ignored() {
        let ts = TestScope::new(48000.0);
        let mut s = Schedule::default();
        s.handle(&start(10.0));
        s.handle(&start(1000.0));
        assert_eq!(
            s.quantum(&ts.scope(512)),
            Some(Playing { begin: 0, end: 128 })
        );
        assert_eq!(s.start_frame_exact(), Some(10.0));
    }

    #[test]
    fn keeps_the_exact_start_offset_and_duration() {
        let mut s = Schedule::default();
        s.handle(&NodeMessage::Start {
            at_frame: 12.75,
            offset: 0.5,
            duration: Some(2.0),
        });
        assert_eq!(s.start_frame(), Some(13));
        assert_eq!(s.start_frame_exact(), Some(12.75));
        assert_eq!(s.offset_and_duration(), (0.5, Some(2.0)));
    }

    #[test]
    fn stop_before_start_never_plays_but_ends() {
        let ts = TestScope::new(48000.0);
        let mut s = Schedule::default();
        s.handle(&start(200.0));
        s.handle(&NodeMessage::Stop { at_frame: 100.0 });
        assert_eq!(s.quantum(&ts.scope(0)), None);
        assert!(ts.events.is_empty());
        assert_eq!(s.quantum(&ts.scope(128)), None);
        assert_eq!(ts.events.len(), 1);
    }
}
