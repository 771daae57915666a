//! Where rendered audio goes, and the threads that drive rendering:
//! the cpal device callback, the null sink (one quantum per quantum of wall
//! time), the offline worker, and the housekeeping (garbage) thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use crossbeam_queue::ArrayQueue;

use crate::block::AudioBlock;
use crate::context::{OfflineShared, Outbox, Timing};
use crate::message::EngineEvent;
use crate::mixing::{ChannelInterpretation, mix_add};
use crate::render::{ContextState, Renderer};
use crate::{MAX_CHANNELS, RENDER_QUANTUM_SIZE};

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Renders one quantum per quantum of wall time with no output device.
/// Suspended, it waits for a command; closed, it lets go of everything and
/// ends (unless an AudioWorklet scope lives on it: then it serves that
/// until the context goes).
pub(crate) fn spawn_null(
    mut renderer: Renderer,
    stop: Arc<AtomicBool>,
    timing: Arc<Timing>,
    epoch: Instant,
) -> JoinHandle<()> {
    std::thread::Builder::new()
        .name("webaudio-render".into())
        .spawn(move || {
            crate::enter_render_thread();
            let period =
                Duration::from_secs_f64(RENDER_QUANTUM_SIZE as f64 / renderer.sample_rate as f64);
            let mut next = Instant::now();
            while !stop.load(Ordering::Acquire) {
                let began = Instant::now();
                renderer.drain_commands();
                match renderer.state {
                    ContextState::Running => {
                        renderer.render_quantum();
                        let now = Instant::now();
                        timing.record_render(now.duration_since(began).as_nanos() as u64);
                        timing.stamp_frame.store(renderer.frame, Ordering::Release);
                        timing.stamp_nanos.store(
                            now.duration_since(epoch).as_nanos() as u64,
                            Ordering::Release,
                        );
                        next += period;
                        if next < now {
                            // Fell behind (or was suspended): do not try to catch up.
                            next = now;
                        }
                        let now = Instant::now();
                        if next > now {
                            std::thread::sleep(next - now);
                        }
                    }
                    ContextState::Suspended => {
                        renderer.wait_for_work();
                        next = Instant::now();
                    }
                    ContextState::Closed if renderer.has_host() => renderer.wait_for_work(),
                    ContextState::Closed => break,
                }
            }
        })
        .expect("spawn the render thread")
}

/// Renders an offline context as fast as possible, pausing at suspend
/// frames; waits for commands (without polling) before it starts and while
/// suspended. Once done it lets go of everything, unless an AudioWorklet
/// scope lives on it (its ports still deliver messages, new nodes still
/// construct processors): then it serves that until the context goes.
pub(crate) fn spawn_offline(
    mut renderer: Renderer,
    off: Arc<OfflineShared>,
    outbox: Arc<Outbox>,
    stop: Arc<AtomicBool>,
) -> JoinHandle<()> {
    std::thread::Builder::new()
        .name("webaudio-offline".into())
        .spawn(move || {
            let length = off.length;
            crate::enter_render_thread();
            let mut out: Option<Vec<Vec<f32>>> = None;
            loop {
                if stop.load(Ordering::Acquire) {
                    return;
                }
                // Everything sent so far applies before the next quantum,
                // however much it is (the queue takes a bounded batch).
                loop {
                    outbox.flush();
                    renderer.drain_commands();
                    if !outbox.overflowing() {
                        break;
                    }
                }
                if renderer.state != ContextState::Running {
                    renderer.wait_for_work();
                    continue;
                }
                let out = match &mut out {
                    Some(out) => out,
                    None => out.insert(lock(&off.output).take().unwrap_or_default()),
                };
                let frame = renderer.frame;
                if lock(&off.suspends).remove(&frame) {
                    renderer.set_state(ContextState::Suspended);
                    renderer.post(EngineEvent::Suspended { frame });
                    continue;
                }
                renderer.render_quantum();
                let n = RENDER_QUANTUM_SIZE.min(length - frame as usize);
                let block = renderer.destination_block();
                for (c, ch) in out.iter_mut().enumerate() {
                    // Within the capacity reserved by start_rendering: no
                    // allocation.
                    match block.filter(|b| c < b.number_of_channels()) {
                        Some(b) => ch.extend_from_slice(&b.channel(c)[..n]),
                        None => ch.resize(ch.len() + n, 0.0),
                    }
                }
                if renderer.frame as usize >= length {
                    break;
                }
            }
            *lock(&off.result) = out;
            renderer.post(EngineEvent::RenderComplete);
            renderer.set_state(ContextState::Closed);
            renderer.drain_commands();
            while renderer.has_host() && !stop.load(Ordering::Acquire) {
                renderer.wait_for_work();
                outbox.flush();
                renderer.drain_commands();
            }
            // The renderer goes with this thread: its link is retired and
            // the context's render memory freed.
        })
        .expect("spawn the offline render thread")
}

/// Routes alsa-lib's diagnostics for this thread into a buffer nobody reads:
/// a missing device is reported once, by us.
fn quiet_alsa() {
    #[cfg(target_os = "linux")]
    {
        let _ = alsa::Output::local_error_handler();
    }
}

/// An output device that can be opened.
pub(crate) struct DeviceInfo {
    device: cpal::Device,
    config: cpal::StreamConfig,
    buffer_range: Option<(u32, u32)>,
    pub sample_rate: f32,
    pub channels: usize,
}

/// Finds the default output device and an f32 configuration for it.
pub(crate) fn probe_device(sample_rate: Option<f32>) -> Result<DeviceInfo, String> {
    quiet_alsa();
    let host = cpal::default_host();
    let device = host
        .default_output_device()
        .ok_or_else(|| "no default output device".to_string())?;
    let default = device.default_output_config().map_err(|e| e.to_string())?;
    let wanted = sample_rate.map(|r| r.round() as u32);
    let mut chosen = None;
    if default.sample_format() == cpal::SampleFormat::F32
        && wanted.is_none_or(|w| w == default.sample_rate())
    {
        chosen = Some(default);
    } else if let Ok(ranges) = device.supported_output_configs() {
        let rate = wanted.unwrap_or(default.sample_rate());
        for range in ranges {
            if range.sample_format() == cpal::SampleFormat::F32
                && let Some(c) = range.try_with_sample_rate(rate)
            {
                chosen = Some(c);
                break;
            }
        }
    }
    let supported = chosen.ok_or_else(|| "no f32 output configuration at that rate".to_string())?;
    let buffer_range = match supported.buffer_size() {
        cpal::SupportedBufferSize::Range { min, max } => Some((*min, *max)),
        cpal::SupportedBufferSize::Unknown => None,
    };
    let config = supported.config();
    Ok(DeviceInfo {
        buffer_range,
        sample_rate: config.sample_rate as f32,
        channels: (config.channels as usize).clamp(1, MAX_CHANNELS),
        device,
        config,
    })
}

/// Keeps the device stream alive; dropping it closes the stream.
pub(crate) struct DeviceSink {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for DeviceSink {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Opens the stream on its own thread (cpal streams are not `Send` on every
/// platform) and renders inside the device callback.
pub(crate) fn start_device(
    info: DeviceInfo,
    mut renderer: Renderer,
    latency_frames: usize,
    timing: Arc<Timing>,
    epoch: Instant,
) -> Result<DeviceSink, String> {
    let mut info = info;
    // Ask for a buffer matching the latency hint when the device says what
    // it accepts; otherwise leave the device's default.
    let mut buffer_frames = RENDER_QUANTUM_SIZE;
    if let Some((min, max)) = info.buffer_range {
        let frames = (latency_frames as u32).clamp(min.max(1), max.max(1));
        info.config.buffer_size = cpal::BufferSize::Fixed(frames);
        buffer_frames = frames as usize;
    }
    let (ready_tx, ready_rx) = mpsc::channel::<Result<(), String>>();
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("webaudio-device".into())
        .spawn(move || {
            quiet_alsa();
            let channels = info.channels;
            let sample_rate = info.sample_rate as f64;
            let mut block = AudioBlock::new(channels);
            let mut pos = RENDER_QUANTUM_SIZE;
            let mut entered = false;
            timing.base_latency.store(
                (buffer_frames.max(RENDER_QUANTUM_SIZE) as f64 / sample_rate).to_bits(),
                Ordering::Relaxed,
            );
            let callback = move |data: &mut [f32], cb: &cpal::OutputCallbackInfo| {
                if !entered {
                    crate::enter_render_thread();
                    entered = true;
                }
                let ts = cb.timestamp();
                let latency = ts.playback.duration_since(ts.callback);
                timing
                    .output_latency
                    .store(latency.as_secs_f64().to_bits(), Ordering::Relaxed);
                let played_at = Instant::now() + latency;
                // The frame now playing; before anything was rendered (the
                // context not running yet) there is none: frame 0.
                let start_frame = renderer.frame.saturating_sub(
                    (RENDER_QUANTUM_SIZE - pos) as u64 * (pos < RENDER_QUANTUM_SIZE) as u64,
                );
                timing.stamp_frame.store(start_frame, Ordering::Release);
                timing.stamp_nanos.store(
                    played_at.duration_since(epoch).as_nanos() as u64,
                    Ordering::Release,
                );
                for frame in data.chunks_mut(channels) {
                    if pos == RENDER_QUANTUM_SIZE {
                        let began = Instant::now();
                        let was_running = renderer.state == ContextState::Running;
                        renderer.drain_commands();
                        let running = renderer.state == ContextState::Running;
                        // Stopping or starting mid-signal would click. On
                        // suspend/close the last quantum is played once more,
                        // faded out (rendering another would move
                        // currentTime past the suspension); the first
                        // quantum after a resume is faded in.
                        if was_running && !running {
                            if !block.is_silent() {
                                apply_fade(&mut block, false);
                            }
                        } else {
                            block.make_silent_with_channels(channels);
                            if running {
                                renderer.render_quantum();
                                if let Some(dest) = renderer.destination_block() {
                                    mix_add(&mut block, dest, ChannelInterpretation::Speakers);
                                }
                                if !was_running && !block.is_silent() {
                                    apply_fade(&mut block, true);
                                }
                                timing.record_render(began.elapsed().as_nanos() as u64);
                            }
                        }
                        pos = 0;
                    }
                    for (c, s) in frame.iter_mut().enumerate() {
                        *s = block.channel(c)[pos];
                    }
                    pos += 1;
                }
            };
            // Stream errors arrive on the audio thread: count them and keep
            // the first; they are reported once, when the sink closes.
            let errors = Arc::new(AtomicU64::new(0));
            let first_error = Arc::new(ArrayQueue::<cpal::Error>::new(1));
            let (count, first) = (errors.clone(), first_error.clone());
            let stream = info.device.build_output_stream(
                info.config,
                callback,
                move |e| {
                    count.fetch_add(1, Ordering::Relaxed);
                    let _ = first.push(e);
                },
                None,
            );
            let stream = match stream {
                Ok(s) => s,
                Err(e) => {
                    let _ = ready_tx.send(Err(e.to_string()));
                    return;
                }
            };
            if let Err(e) = stream.play() {
                let _ = ready_tx.send(Err(e.to_string()));
                return;
            }
            let _ = ready_tx.send(Ok(()));
            // Blocks until the sink is dropped (the sender goes away).
            let _ = stop_rx.recv();
            drop(stream);
            report_stream_errors(errors.load(Ordering::Relaxed), first_error.pop());
        })
        .map_err(|e| e.to_string())?;
    match ready_rx.recv() {
        Ok(Ok(())) => Ok(DeviceSink {
            stop: Some(stop_tx),
            thread: Some(thread),
        }),
        Ok(Err(e)) => {
            let _ = thread.join();
            Err(e)
        }
        Err(_) => {
            let _ = thread.join();
            Err("the device thread ended".into())
        }
    }
}

/// One line about the output stream's errors, if there were any.
fn report_stream_errors(count: u64, first: Option<cpal::Error>) {
    if let Some(first) = first {
        let more = match count {
            0 | 1 => String::new(),
            n => format!(" ({} more)", n - 1),
        };
        eprintln!("webaudio-run: output stream error: {first}{more}");
    }
}

/// Fades a whole quantum in (0 -> 1) or out (1 -> 0) linearly.
fn apply_fade(block: &mut AudioBlock, fade_in: bool) {
    let step = 1.0 / RENDER_QUANTUM_SIZE as f32;
    for channel in block.channels_mut() {
        for (i, sample) in channel.iter_mut().enumerate() {
            let ramp = (i as f32 + 1.0) * step;
            *sample *= if fade_in { ramp } else { 1.0 - ramp };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fades_reach_zero_at_the_silent_end() {
        let mut block = AudioBlock::new(2);
        for c in block.channels_mut() {
            c.fill(1.0);
        }
        apply_fade(&mut block, false);
        assert_eq!(block.channel(0)[RENDER_QUANTUM_SIZE - 1], 0.0);
        assert!(block.channel(1)[0] > 0.99);
        for c in block.channels_mut() {
            c.fill(1.0);
        }
        apply_fade(&mut block, true);
        assert!(block.channel(0)[0] < 0.01);
        assert_eq!(block.channel(0)[RENDER_QUANTUM_SIZE - 1], 1.0);
    }
}
