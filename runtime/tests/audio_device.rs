//! End to end through a real sound server: plays a script on the default
//! output device and records what the server received.
//!
//! Needs a PulseAudio server with a null sink and ALSA's default device routed
//! to it (`.ci/run` sets this up): set `WEBAUDIO_RUN_PULSE_SINK` to the sink
//! name. Without it the test reports that it was skipped.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn a_constant_source_reaches_the_sound_server() {
    let Ok(sink) = std::env::var("WEBAUDIO_RUN_PULSE_SINK") else {
        println!("skipped: WEBAUDIO_RUN_PULSE_SINK is not set (no sound server)");
        return;
    };
    let mut recorder = Command::new("parec")
        .args([
            "-d",
            &format!("{sink}.monitor"),
            "--format=float32le",
            "--rate=48000",
            "--channels=2",
            "--raw",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start parec");
    // Drain the recording as it comes: a full pipe would stall parec.
    let mut stdout = recorder.stdout.take().expect("parec stdout");
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut bytes);
        bytes
    });
    std::thread::sleep(Duration::from_millis(300));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/play_one_second.js");
    let run = Command::new(env!("CARGO_BIN_EXE_webaudio-run"))
        .arg(&script)
        .output()
        .expect("run webaudio-run");
    std::thread::sleep(Duration::from_millis(300));
    let _ = recorder.kill();
    let _ = recorder.wait();
    let captured = reader.join().expect("recording");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("running at 48000"), "{stdout}");
    let frames_at_half = captured
        .chunks_exact(8)
        .filter(|frame| {
            let left = f32::from_le_bytes([frame[0], frame[1], frame[2], frame[3]]);
            let right = f32::from_le_bytes([frame[4], frame[5], frame[6], frame[7]]);
            (left - 0.5).abs() < 1e-2 && (right - 0.5).abs() < 1e-2
        })
        .count();
    let seconds = frames_at_half as f64 / 48000.0;
    let captured_seconds = captured.len() as f64 / 8.0 / 48000.0;
    // One second of 0.5 minus the fade-in quantum and the scheduling slack.
    assert!(
        (0.95..=1.01).contains(&seconds),
        "the sound server received {seconds} s of the signal in {captured_seconds} s recorded"
    );
}
