//! Work a script sizes must stay O(n log n) or better. Each case is timed
//! at n and 4n (best of a few runs) and the ratio of the two compared: about
//! 4 to 5 when linear or n log n, 16 when quadratic. No absolute time is
//! asserted (the machine is shared); the ratio bound leaves room for noise.

use std::time::{Duration, Instant};

use webaudio_engine::node::gain::{GainNode, GainOptions};
use webaudio_engine::node::periodic_wave::PeriodicWave;
use webaudio_engine::param::{ParamControl, ParamDescriptor, ParamRenderer};
use webaudio_engine::{Context, OfflineOptions};

/// Quadratic work gives 16; n log n about 4.5, up to about 8 once the
/// larger size falls out of the caches.
const MAX_RATIO: f64 = 12.0;

fn best_of(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    (0..runs).map(|_| f()).min().unwrap_or_default()
}

fn check_scaling(name: &str, n: usize, mut f: impl FnMut(usize) -> Duration) {
    f(n / 4);
    let a = best_of(5, || f(n));
    let b = best_of(5, || f(4 * n));
    let ratio = b.as_secs_f64() / a.as_secs_f64().max(1e-9);
    eprintln!("{name}: n={n} {a:?}, 4n {b:?}, ratio {ratio:.2}");
    assert!(
        ratio < MAX_RATIO,
        "{name}: 4x the work took {ratio:.1}x the time ({a:?} -> {b:?})"
    );
}

fn offline() -> Context {
    Context::new_offline(OfflineOptions {
        number_of_channels: 1,
        length: 128,
        sample_rate: 48_000.0,
    })
    .unwrap()
}

#[test]
fn set_value_at_time_in_reverse_order() {
    // Both halves: the control side's checks and mirror, and the render
    // side's insertion (applied as one batch, then one quantum computed).
    check_scaling("setValueAtTime reverse", 20_000, |n| {
        let desc = ParamDescriptor::new("p", 0.0);
        let mut control = ParamControl::new(desc);
        let mut renderer = ParamRenderer::new(&desc);
        let mut garbage = Vec::new();
        let began = Instant::now();
        let mut commands = Vec::with_capacity(n);
        for i in (1..=n).rev() {
            commands.push(
                control
                    .set_value_at_time(i as f32, i as f64 * 1e-3)
                    .unwrap(),
            );
        }
        for c in commands {
            renderer.apply(c, &mut |t| garbage.push(t));
        }
        let mut out = [0.0; 128];
        renderer.compute(0, 48_000.0, None, &mut out);
        let took = began.elapsed();
        assert_eq!(renderer.dropped_events(), 0);
        took
    });
}

#[test]
fn connect_many_into_one_node() {
    check_scaling("fan-in connect + order", 4_000, |n| {
        let ctx = offline();
        let dest = ctx.destination();
        let gains: Vec<GainNode> = (0..n)
            .map(|_| GainNode::new(&ctx, GainOptions::default()).unwrap())
            .collect();
        let began = Instant::now();
        for g in &gains {
            g.node().connect(&dest, 0, 0).unwrap();
        }
        ctx.flush();
        for g in &gains[..n / 2] {
            g.node().disconnect_node(&dest).unwrap();
        }
        ctx.flush();
        began.elapsed()
    });
}

#[test]
fn periodic_wave_tables() {
    check_scaling("PeriodicWave tables", 100_000, |n| {
        let real = vec![0.0f32; n];
        let imag: Vec<f32> = (0..n).map(|k| 1.0 / (k.max(1) as f32)).collect();
        let began = Instant::now();
        let wave = PeriodicWave::create(&real, &imag, false).unwrap();
        let tables = wave.tables();
        assert!(tables.table_count() > 1);
        began.elapsed()
    });
}

#[test]
fn set_value_curve_at_time() {
    check_scaling("setValueCurveAtTime", 1_000_000, |n| {
        let desc = ParamDescriptor::new("p", 0.0);
        let mut control = ParamControl::new(desc);
        let curve: Vec<f32> = (0..n).map(|i| i as f32).collect();
        let began = Instant::now();
        let _command = control.set_value_curve_at_time(&curve, 0.0, 1.0).unwrap();
        began.elapsed()
    });
}
