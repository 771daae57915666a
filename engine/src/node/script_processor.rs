//! ScriptProcessorNode (deprecated, still specified): hands blocks of
//! `bufferSize` frames to script and plays what script wrote back.
//!
//! Double buffering without waiting (realtime): the render side fills a
//! preallocated [`Chunk`]'s input over one buffer period, sends it to the
//! control side through a lock-free queue and posts
//! [`EngineEvent::AudioProcess`]; script fills the chunk's output and sends it
//! back while the next period's input is being filled. The latency is two
//! buffers (`2 * bufferSize` frames, what browsers do and what WPT's
//! `simple-input-output.html` expects): the output for input frames
//! `[F, F + bufferSize)` plays from frame `F + 2 * bufferSize`
//! (`playbackTime`), so script has one whole buffer period to answer. If it
//! has not answered by then the period is silent and counted as an
//! underrun; late chunks are still played in order afterwards (the latency
//! grows by one buffer; when script falls further behind, input periods are
//! dropped rather than allocating).
//!
//! Offline contexts: the render worker waits (sleeping, not spinning hard)
//! for script at each buffer boundary, so the latency is exactly two buffers
//! and the output is deterministic. It stops waiting when the control handle
//! is dropped.
//!
//! [`CHUNKS`] chunks are allocated by the constructor; the render side only
//! moves boxes between queues and slots, never allocates or frees them.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use crossbeam_queue::ArrayQueue;

use crate::MAX_CHANNELS;
use crate::RENDER_QUANTUM_SIZE as N;
use crate::context::{ChannelConstraints, Context, CountRule, ModeRule, NodeHandle, NodeSpec};
use crate::error::{Error, ErrorKind};
use crate::message::EngineEvent;
use crate::mixing::{ChannelConfig, ChannelCountMode, ChannelInterpretation};
use crate::processor::{ProcessIo, Processor, RenderScope};

/// The buffer size chosen when script passes 0 ("implementation chooses").
pub const DEFAULT_BUFFER_SIZE: usize = 1024;
const CHUNKS: usize = 4;
/// Buffers between a block's input and its output.
const LATENCY_BUFFERS: usize = 2;
/// An offline render gives up waiting for script after this long (a script
/// that never yields to the event loop): the period is an underrun.
const OFFLINE_WAIT_LIMIT: Duration = Duration::from_secs(30);

/// `createScriptProcessor` argument checks, in the spec's order; returns the
/// effective buffer size.
pub fn check_arguments(
    buffer_size: usize,
    number_of_input_channels: usize,
    number_of_output_channels: usize,
) -> Result<usize, Error> {
    let size = match buffer_size {
        0 => DEFAULT_BUFFER_SIZE,
        256 | 512 | 1024 | 2048 | 4096 | 8192 | 16384 => buffer_size,
        _ => {
            return Err(Error::IndexSize(format!(
                "bufferSize ({buffer_size}) must be 0 or a power of two between 256 and 16384"
            )));
        }
    };
    if number_of_input_channels == 0 && number_of_output_channels == 0 {
        return Err(Error::IndexSize(
            "numberOfInputChannels and numberOfOutputChannels cannot both be zero".into(),
        ));
    }
    if number_of_input_channels > MAX_CHANNELS {
        return Err(Error::IndexSize(format!(
            "numberOfInputChannels ({number_of_input_channels}) exceeds {MAX_CHANNELS}"
        )));
    }
    if number_of_output_channels > MAX_CHANNELS {
        return Err(Error::IndexSize(format!(
            "numberOfOutputChannels ({number_of_output_channels}) exceeds {MAX_CHANNELS}"
        )));
    }
    Ok(size)
}

/// One buffer period's worth of planar audio: `input` holds
/// `input_channels * buffer_size` samples, `output` likewise.
#[derive(Debug)]
struct Chunk {
    input: Box<[f32]>,
    output: Box<[f32]>,
    /// First frame of the period whose input this chunk holds.
    frame: u64,
}

#[derive(Debug)]
struct Shared {
    to_script: ArrayQueue<Box<Chunk>>,
    from_script: ArrayQueue<Box<Chunk>>,
    underruns: AtomicU64,
    detached: AtomicBool,
}

/// Control handle of a ScriptProcessorNode.
#[derive(Debug)]
pub struct ScriptProcessorNode {
    node: NodeHandle,
    shared: Arc<Shared>,
    /// The chunk script is working on (between `take_input` and `give_output`).
    current: Mutex<Option<Box<Chunk>>>,
    buffer_size: usize,
    input_channels: usize,
    output_channels: usize,
}

impl ScriptProcessorNode {
    /// `createScriptProcessor(bufferSize, numberOfInputChannels,
    /// numberOfOutputChannels)`.
    pub fn new(
        ctx: &Context,
        buffer_size: usize,
        number_of_input_channels: usize,
        number_of_output_channels: usize,
    ) -> Result<Self, Error> {
        let buffer_size = check_arguments(
            buffer_size,
            number_of_input_channels,
            number_of_output_channels,
        )?;
        // The AudioBuffers script sees have at least one channel.
        let in_ch = number_of_input_channels.max(1);
        let out_ch = number_of_output_channels.max(1);
        let mut spec = NodeSpec::new(1, 1, Vec::new());
        spec.channel_config = ChannelConfig {
            count: in_ch,
            mode: ChannelCountMode::Explicit,
            interpretation: ChannelInterpretation::Speakers,
        };
        spec.constraints = ChannelConstraints {
            count: CountRule::Fixed {
                error: ErrorKind::NotSupported,
            },
            mode: ModeRule::Fixed {
                error: ErrorKind::NotSupported,
            },
            interpretation_fixed: None,
        };
        let shared = Arc::new(Shared {
            to_script: ArrayQueue::new(CHUNKS),
            from_script: ArrayQueue::new(CHUNKS),
            underruns: AtomicU64::new(0),
            detached: AtomicBool::new(false),
        });
        let processor = ScriptProcessorProcessor::new(
            shared.clone(),
            buffer_size,
            in_ch,
            number_of_output_channels,
            ctx.is_offline(),
        );
        let node = ctx.create_node(spec, Box::new(processor))?;
        Ok(Self {
            node,
            shared,
            current: Mutex::new(None),
            buffer_size,
            input_channels: in_ch,
            output_channels: out_ch,
        })
    }

    pub fn node(&self) -> &NodeHandle {
        &self.node
    }

    /// `bufferSize` (the chosen one when 0 was asked for).
    pub fn buffer_size(&self) -> usize {
        self.buffer_size
    }

    /// Channels of `inputBuffer` (at least 1).
    pub fn input_channels(&self) -> usize {
        self.input_channels
    }

    /// Channels of `outputBuffer` (at least 1).
    pub fn output_channels(&self) -> usize {
        self.output_channels
    }

    /// Buffer periods that played silence because script answered late.
    pub fn underruns(&self) -> u64 {
        self.shared.underruns.load(Ordering::Relaxed)
    }

    /// Takes the next block waiting for script: copies its planar input
    /// (`input_channels * buffer_size` samples) into `input` and returns the
    /// frame at which its output will play (`playbackTime * sampleRate`).
    /// `None` when no block is waiting. A block taken and not yet answered
    /// with [`Self::give_output`] is answered with silence first.
    pub fn take_input(&self, input: &mut [f32]) -> Option<u64> {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(mut c) = current.take() {
            c.output.fill(0.0);
            let _ = self.shared.from_script.push(c);
        }
        let chunk = self.shared.to_script.pop()?;
        let n = input.len().min(chunk.input.len());
        input[..n].copy_from_slice(&chunk.input[..n]);
        let frame = chunk.frame + (LATENCY_BUFFERS * self.buffer_size) as u64;
        *current = Some(chunk);
        Some(frame)
    }

    /// Answers the block taken by [`Self::take_input`] with planar output
    /// (`output_channels * buffer_size` samples; missing samples are silence).
    pub fn give_output(&self, output: &[f32]) {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(mut c) = current.take() {
            let n = output.len().min(c.output.len());
            c.output[..n].copy_from_slice(&output[..n]);
            c.output[n..].fill(0.0);
            let _ = self.shared.from_script.push(c);
        }
    }
}

impl Drop for ScriptProcessorNode {
    fn drop(&mut self) {
        // Nobody will answer anymore: an offline render must not wait.
        self.shared.detached.store(true, Ordering::Release);
    }
}

/// Render half of a ScriptProcessorNode.
pub struct ScriptProcessorProcessor {
    shared: Arc<Shared>,
    buffer_size: usize,
    input_channels: usize,
    /// 0 when the node was created with no output channels (outputs one
    /// silent channel).
    output_channels: usize,
    offline: bool,
    /// Frames of the current buffer period already rendered.
    pos: usize,
    filling: Option<Box<Chunk>>,
    playing: Option<Box<Chunk>>,
    spares: [Option<Box<Chunk>>; CHUNKS],
    /// Chunks sent to script and not yet back.
    outstanding: usize,
}

impl ScriptProcessorProcessor {
    fn new(
        shared: Arc<Shared>,
        buffer_size: usize,
        input_channels: usize,
        output_channels: usize,
        offline: bool,
    ) -> Self {
        let chunk = || {
            Some(Box::new(Chunk {
                input: vec![0.0; input_channels * buffer_size].into_boxed_slice(),
                output: vec![0.0; output_channels.max(1) * buffer_size].into_boxed_slice(),
                frame: 0,
            }))
        };
        Self {
            shared,
            buffer_size,
            input_channels,
            output_channels,
            offline,
            pos: 0,
            filling: chunk(),
            playing: None,
            spares: [chunk(), chunk(), chunk(), None],
            outstanding: 0,
        }
    }

    fn put_spare(&mut self, chunk: Box<Chunk>) {
        if let Some(slot) = self.spares.iter_mut().find(|s| s.is_none()) {
            *slot = Some(chunk);
        }
    }

    fn take_spare(&mut self) -> Option<Box<Chunk>> {
        self.spares.iter_mut().find_map(Option::take)
    }

    /// Start of a buffer period: retire the played chunk, pick the next one.
    fn begin_period(&mut self) {
        if let Some(c) = self.playing.take() {
            self.put_spare(c);
        }
        if self.outstanding >= LATENCY_BUFFERS {
            if self.offline {
                self.wait_for_script();
            }
            match self.shared.from_script.pop() {
                Some(c) => {
                    self.outstanding -= 1;
                    self.playing = Some(c);
                }
                None => {
                    self.shared.underruns.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        if self.filling.is_none() {
            self.filling = self.take_spare();
        }
    }

    /// Offline only: the render worker is not realtime, so it may sleep.
    fn wait_for_script(&self) {
        let mut waited = Duration::ZERO;
        let step = Duration::from_micros(50);
        while self.shared.from_script.is_empty()
            && !self.shared.detached.load(Ordering::Acquire)
            && waited < OFFLINE_WAIT_LIMIT
        {
            std::thread::sleep(step);
            waited += step;
        }
    }
}

impl Processor for ScriptProcessorProcessor {
    fn process(&mut self, io: ProcessIo<'_>, scope: &RenderScope<'_>) -> bool {
        if self.pos == 0 {
            self.begin_period();
        }
        let bs = self.buffer_size;
        let pos = self.pos;
        let input = &io.inputs[0];
        if let Some(chunk) = self.filling.as_mut() {
            if pos == 0 {
                chunk.frame = scope.current_frame;
            }
            for c in 0..self.input_channels {
                let dst = &mut chunk.input[c * bs + pos..c * bs + pos + N];
                if input.is_silent() || c >= input.number_of_channels() {
                    dst.fill(0.0);
                } else {
                    dst.copy_from_slice(&input.channel(c)[..]);
                }
            }
        }
        let output = &mut io.outputs[0];
        match (&self.playing, self.output_channels) {
            (Some(chunk), oc) if oc > 0 => {
                output.set_number_of_channels(oc);
                for (c, out) in output.channels_mut().iter_mut().enumerate() {
                    out.copy_from_slice(&chunk.output[c * bs + pos..c * bs + pos + N]);
                }
            }
            (_, oc) => output.make_silent_with_channels(oc.max(1)),
        }
        self.pos += N;
        if self.pos >= bs {
            self.pos = 0;
            if let Some(chunk) = self.filling.take() {
                match self.shared.to_script.push(chunk) {
                    Ok(()) => {
                        self.outstanding += 1;
                        scope.post_event(EngineEvent::AudioProcess(scope.node_id));
                    }
                    Err(chunk) => self.filling = Some(chunk),
                }
            }
        }
        // Script may produce sound at any time.
        !self.shared.detached.load(Ordering::Relaxed) || self.outstanding > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::AudioBlock;
    use crate::processor::testing::TestScope;

    fn shared() -> Arc<Shared> {
        Arc::new(Shared {
            to_script: ArrayQueue::new(CHUNKS),
            from_script: ArrayQueue::new(CHUNKS),
            underruns: AtomicU64::new(0),
            detached: AtomicBool::new(false),
        })
    }

    fn ramp(frame: u64) -> AudioBlock {
        let mut b = AudioBlock::new(1);
        for (i, s) in b.channel_mut(0).iter_mut().enumerate() {
            *s = (frame as usize + i) as f32 + 1.0;
        }
        b
    }

    fn step(p: &mut ScriptProcessorProcessor, ts: &TestScope, frame: u64) -> AudioBlock {
        let inputs = [ramp(frame)];
        let mut out = [AudioBlock::new(1)];
        p.process(
            ProcessIo {
                inputs: &inputs,
                outputs: &mut out,
                params: &[],
            },
            &ts.scope(frame),
        );
        let [o] = out;
        o
    }

    /// Plays script's part: output = input * 0.5.
    fn answer(sh: &Shared) -> bool {
        let Some(mut c) = sh.to_script.pop() else {
            return false;
        };
        for (o, i) in c.output.iter_mut().zip(c.input.iter()) {
            *o = i * 0.5;
        }
        sh.from_script.push(c).unwrap();
        true
    }

    #[test]
    fn arguments_are_checked_in_order() {
        assert_eq!(check_arguments(0, 1, 1), Ok(DEFAULT_BUFFER_SIZE));
        for s in [256, 512, 1024, 2048, 4096, 8192, 16384] {
            assert_eq!(check_arguments(s, 2, 2), Ok(s));
        }
        for s in [1, 128, 255, 257, 32768] {
            assert!(matches!(check_arguments(s, 1, 1), Err(Error::IndexSize(_))));
        }
        assert!(matches!(
            check_arguments(256, 0, 0),
            Err(Error::IndexSize(_))
        ));
        assert!(matches!(
            check_arguments(256, 33, 1),
            Err(Error::IndexSize(_))
        ));
        assert!(matches!(
            check_arguments(256, 1, 33),
            Err(Error::IndexSize(_))
        ));
        assert_eq!(check_arguments(256, 32, 0), Ok(256));
    }

    #[test]
    fn prompt_script_gives_output_delayed_by_two_buffers() {
        let sh = shared();
        let bs = 256;
        let mut p = ScriptProcessorProcessor::new(sh.clone(), bs, 1, 1, false);
        let ts = TestScope::new(48000.0);
        let mut got = Vec::new();
        for q in 0..16u64 {
            let o = step(&mut p, &ts, q * N as u64);
            got.extend_from_slice(&o.channel(0)[..]);
            // Script answers between quanta, as soon as the block is ready.
            answer(&sh);
        }
        for (i, g) in got.iter().enumerate() {
            let expected = if i < 2 * bs {
                0.0
            } else {
                ((i - 2 * bs) as f32 + 1.0) * 0.5
            };
            assert_eq!(*g, expected, "frame {i}");
        }
        assert_eq!(sh.underruns.load(Ordering::Relaxed), 0);
        let mut events = 0;
        while let Some(e) = ts.events.pop() {
            assert!(matches!(e, EngineEvent::AudioProcess(_)));
            events += 1;
        }
        assert_eq!(events, 16 * N / bs);
    }

    #[test]
    fn late_script_is_an_underrun_not_a_stall() {
        let sh = shared();
        let bs = 256;
        let mut p = ScriptProcessorProcessor::new(sh.clone(), bs, 1, 1, false);
        let ts = TestScope::new(48000.0);
        let mut got = Vec::new();
        for q in 0..8u64 {
            let o = step(&mut p, &ts, q * N as u64);
            got.extend_from_slice(&o.channel(0)[..]);
        }
        // Script never answered: silence; periods 2 and 3 were late (the
        // first two had nothing to play yet).
        assert!(got.iter().all(|&s| s == 0.0));
        assert_eq!(sh.underruns.load(Ordering::Relaxed), 2);
        // Script catches up: the oldest blocks play in order.
        while answer(&sh) {}
        let o = step(&mut p, &ts, 8 * N as u64);
        assert_eq!(o.channel(0)[0], 0.5);
    }

    #[test]
    fn steady_state_does_not_allocate() {
        let sh = shared();
        let mut p = ScriptProcessorProcessor::new(sh.clone(), 256, 2, 2, false);
        let ts = TestScope::new(48000.0);
        let mut inputs = [AudioBlock::new(2)];
        inputs[0].set_number_of_channels(2);
        let mut outputs = [AudioBlock::new(2)];
        let ((), n) = crate::node::alloc_count::count(|| {
            for q in 0..64u64 {
                p.process(
                    ProcessIo {
                        inputs: &inputs,
                        outputs: &mut outputs,
                        params: &[],
                    },
                    &ts.scope(q * N as u64),
                );
                if q % 3 == 0 {
                    while let Some(c) = sh.to_script.pop() {
                        sh.from_script.push(c).unwrap();
                    }
                }
            }
        });
        assert_eq!(n, 0);
    }

    #[test]
    fn offline_context_waits_for_script_and_is_sample_exact() {
        use crate::context::OfflineOptions;
        let bs = 512;
        let len = 8 * bs;
        let ctx = Context::new_offline(OfflineOptions {
            number_of_channels: 1,
            length: len,
            sample_rate: 48000.0,
        })
        .unwrap();
        let spn = Arc::new(ScriptProcessorNode::new(&ctx, bs, 1, 1).unwrap());
        assert!(matches!(
            spn.node().set_channel_count(2),
            Err(Error::NotSupported(_))
        ));
        assert!(matches!(
            spn.node().set_channel_count_mode(ChannelCountMode::Max),
            Err(Error::NotSupported(_))
        ));
        spn.node().connect(&ctx.destination(), 0, 0).unwrap();
        let script = {
            let spn = spn.clone();
            std::thread::spawn(move || {
                let mut frames = Vec::new();
                let mut buf = vec![0.0; bs];
                while frames.len() < len / bs {
                    match spn.take_input(&mut buf) {
                        Some(f) => {
                            // A slow script: the render must wait, not underrun.
                            std::thread::sleep(Duration::from_millis(2));
                            let k = frames.len() as f32 + 1.0;
                            buf.fill(k);
                            spn.give_output(&buf);
                            frames.push(f);
                        }
                        None => std::thread::yield_now(),
                    }
                }
                frames
            })
        };
        let out = ctx.render_blocking().unwrap();
        let frames = script.join().unwrap();
        for (k, f) in frames.iter().enumerate() {
            assert_eq!(*f, ((k + 2) * bs) as u64);
        }
        for (i, v) in out[0].iter().enumerate() {
            let expected = if i < 2 * bs {
                0.0
            } else {
                ((i - 2 * bs) / bs) as f32 + 1.0
            };
            assert_eq!(*v, expected, "frame {i}");
        }
        assert_eq!(spn.underruns(), 0);
    }
}
