//! Decode speed (multiples of real time) and peak heap use of
//! `decode_audio_data` for 60 s of 44.1 kHz stereo as WAV, FLAC and MP3,
//! decoded at the source rate and resampled into a 48 kHz context.
//!
//! Run: `cargo bench -p webaudio-engine --bench decode`
//! FLAC and MP3 inputs are made at run time with `sox`, `flac` and `lame`
//! (Debian packages of the same names); a missing tool skips that format.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use webaudio_engine::decode::decode_audio_data;

/// Counts live heap bytes and their high-water mark.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let grow = new_size - layout.size();
                let now = LIVE.fetch_add(grow, Ordering::Relaxed) + grow;
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const RATE: u32 = 44_100;
const SECONDS: usize = 60;

/// 60 s of 16-bit stereo: a few partials plus low-level noise, so lossy
/// encoders have something to code.
fn synth_wav() -> Vec<u8> {
    let frames = RATE as usize * SECONDS;
    let mut data = Vec::with_capacity(frames * 4);
    let mut x: u32 = 0x1234_5678;
    for n in 0..frames {
        let t = n as f64 / f64::from(RATE);
        for (ch, f0) in [(0, 220.0), (1, 330.0)] {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let noise = (f64::from(x) / f64::from(u32::MAX) - 0.5) * 0.02;
            let v = 0.3 * (2.0 * std::f64::consts::PI * f0 * t).sin()
                + 0.1 * (2.0 * std::f64::consts::PI * f0 * 3.01 * t + f64::from(ch)).sin()
                + 0.05 * (2.0 * std::f64::consts::PI * 5_000.0 * t).sin()
                + noise;
            data.extend_from_slice(&((v * 32767.0).round() as i16).to_le_bytes());
        }
    }
    let mut out = Vec::with_capacity(44 + data.len());
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&RATE.to_le_bytes());
    out.extend_from_slice(&(RATE * 4).to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(&data);
    out
}

fn encode(tool: &str, args: &[&str], out: &Path) -> Option<Vec<u8>> {
    let status = Command::new(tool).args(args).status().ok()?;
    if !status.success() {
        return None;
    }
    std::fs::read(out).ok()
}

fn measure(name: &str, bytes: &[u8], target: f32) {
    const RUNS: usize = 3;
    let mut best = f64::INFINITY;
    let mut peak = 0;
    let mut frames = 0;
    for _ in 0..RUNS {
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let start = Instant::now();
        let buf = decode_audio_data(bytes, target).expect("decode");
        let secs = start.elapsed().as_secs_f64();
        peak = peak.max(PEAK.load(Ordering::Relaxed) - base);
        frames = buf.length();
        best = best.min(secs);
        drop(buf);
    }
    let output_mb = (frames * 2 * 4) as f64 / 1e6;
    println!(
        "{name:<5} -> {target:>6} Hz: {:>7.1} x real time ({:>6.1} ms), peak heap {:>6.1} MB \
         ({:.2} x the {output_mb:.1} MB result), input {:.1} MB",
        SECONDS as f64 / best,
        best * 1e3,
        peak as f64 / 1e6,
        peak as f64 / 1e6 / output_mb,
        bytes.len() as f64 / 1e6,
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` must not run
    // the full measurement.
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("webaudio-decode-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let wav = synth_wav();
    let wav_path = dir.join("in.wav");
    std::fs::write(&wav_path, &wav).expect("write wav");
    let flac_path = dir.join("in.flac");
    let mp3_path = dir.join("in.mp3");
    let w = wav_path.to_str().unwrap();
    let flac = encode(
        "flac",
        &["-s", "-f", "-5", "-o", flac_path.to_str().unwrap(), w],
        &flac_path,
    );
    let mp3 = encode(
        "lame",
        &["--quiet", "-b", "192", w, mp3_path.to_str().unwrap()],
        &mp3_path,
    );

    println!("decode_audio_data, {SECONDS} s of {RATE} Hz stereo (best of 3)");
    for target in [44_100.0, 48_000.0] {
        measure("WAV", &wav, target);
        match &flac {
            Some(b) => measure("FLAC", b, target),
            None => println!("FLAC skipped: `flac` not available"),
        }
        match &mp3 {
            Some(b) => measure("MP3", b, target),
            None => println!("MP3 skipped: `lame` not available"),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
