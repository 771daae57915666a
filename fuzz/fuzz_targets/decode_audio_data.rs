//! Arbitrary bytes into `decode_audio_data`: it must return (Ok or Err),
//! never panic out, hang, or allocate without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use webaudio_engine::decode::{DecodeOptions, decode_audio_data_with};

fuzz_target!(
    init: {
        // libFuzzer's hook aborts on any panic, even one `decode_audio_data`
        // catches. The contract is that no panic *escapes*, and an escaping
        // one still aborts (libfuzzer-sys catches it outside this closure),
        // so by default caught panics are let through silently. Set
        // FUZZ_STRICT_PANICS=1 to also stop on panics inside dependencies.
        if std::env::var_os("FUZZ_STRICT_PANICS").is_none() {
            std::panic::set_hook(Box::new(|_| {}));
        }
    },
    |data: &[u8]| {
    // The first byte picks the context rate so both the bit-exact path and
    // the FFT and sinc resamplers are exercised.
    let (rate, bytes) = match data.split_first() {
        Some((sel, rest)) => (
            match sel % 4 {
                0 => 44_100.0,
                1 => 48_000.0,
                2 => 22_050.0,
                _ => 47_999.5,
            },
            rest,
        ),
        None => (48_000.0, data),
    };
    // A small output cap keeps libFuzzer's memory limit meaningful: any
    // allocation beyond it comes from a header we failed to distrust.
    let options = DecodeOptions {
        max_output_samples: 1 << 24,
    };
    let _ = decode_audio_data_with(bytes, rate, &options);
});
