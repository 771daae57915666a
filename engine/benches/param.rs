//! AudioParam automation throughput: quanta per second and multiples of real
//! time for one a-rate param, per automation kind. Also counts heap
//! allocations made while rendering (must be zero).
//!
//! Run: `cargo bench -p webaudio-engine --bench param`

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use webaudio_engine::RENDER_QUANTUM_SIZE;
use webaudio_engine::param::{
    AutomationRate, ParamCommand, ParamControl, ParamDescriptor, ParamError, ParamRenderer,
};

/// Counts allocations and frees so the benchmark can show the render path
/// does neither.
struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);
static FREES: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        FREES.fetch_add(1, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const SR: f32 = 48000.0;
const QUANTA: u64 = 200_000;

fn desc() -> ParamDescriptor {
    ParamDescriptor {
        name: "bench",
        default_value: 1.0,
        min_value: -f32::MAX,
        max_value: f32::MAX,
        automation_rate: AutomationRate::ARate,
        rate_fixed: false,
    }
}

fn run(name: &str, schedule: impl Fn(&mut ParamControl) -> Vec<Result<ParamCommand, ParamError>>) {
    let d = desc();
    let mut ctrl = ParamControl::new(d);
    let mut rend = ParamRenderer::new(&d);
    let mut trash = Vec::new();
    for cmd in schedule(&mut ctrl) {
        rend.apply(cmd.expect("valid automation"), &mut |t| trash.push(t));
    }
    let mut out = [0.0f32; RENDER_QUANTUM_SIZE];
    let mut full = 0u64;
    let (a0, f0) = (
        ALLOCS.load(Ordering::Relaxed),
        FREES.load(Ordering::Relaxed),
    );
    let start = Instant::now();
    for q in 0..QUANTA {
        let n = rend.compute(q * RENDER_QUANTUM_SIZE as u64, SR, None, &mut out);
        full += (n == RENDER_QUANTUM_SIZE) as u64;
        black_box(&out);
    }
    let secs = start.elapsed().as_secs_f64();
    let (a1, f1) = (
        ALLOCS.load(Ordering::Relaxed),
        FREES.load(Ordering::Relaxed),
    );
    let qps = QUANTA as f64 / secs;
    let realtime = qps / (SR as f64 / RENDER_QUANTUM_SIZE as f64);
    println!(
        "{name:<28} {qps:>12.0} quanta/s  {realtime:>9.0}x real time  ({full} of {QUANTA} quanta per-sample; {} allocs, {} frees while rendering)",
        a1 - a0,
        f1 - f0
    );
    assert_eq!((a1 - a0, f1 - f0), (0, 0), "render path touched the heap");
}

/// Applying commands (insertions that bring bigger storage, cancellations)
/// must not touch the heap either: everything was allocated by the control
/// side and whatever is replaced goes to the trash.
fn apply_is_allocation_free() {
    let d = desc();
    let mut ctrl = ParamControl::new(d);
    let mut rend = ParamRenderer::new(&d);
    let curve = [0.0f32, 1.0, 0.5];
    let mut cmds = Vec::new();
    for k in 0..2000 {
        let t = k as f64 * 0.01;
        let cmd = match k % 5 {
            0 => ctrl.set_value_at_time(1.0, t),
            1 => ctrl.linear_ramp_to_value_at_time(2.0, t),
            2 => ctrl.exponential_ramp_to_value_at_time(0.5, t),
            3 => ctrl.set_target_at_time(0.0, t, 0.1),
            _ => ctrl.set_value_curve_at_time(&curve, t, 0.005),
        };
        cmds.push(cmd.expect("valid automation"));
    }
    cmds.push(ctrl.cancel_and_hold_at_time(15.0).expect("valid"));
    cmds.push(ctrl.cancel_scheduled_values(10.0).expect("valid"));
    let mut trash = Vec::with_capacity(100_000);
    let mut out = [0.0f32; RENDER_QUANTUM_SIZE];
    let (a0, f0) = (
        ALLOCS.load(Ordering::Relaxed),
        FREES.load(Ordering::Relaxed),
    );
    for (q, cmd) in cmds.drain(..).enumerate() {
        rend.apply(cmd, &mut |t| trash.push(t));
        rend.compute(q as u64 * 512, SR, None, &mut out);
    }
    let (a1, f1) = (
        ALLOCS.load(Ordering::Relaxed),
        FREES.load(Ordering::Relaxed),
    );
    println!(
        "apply + compute of 2002 commands: {} allocs, {} frees ({} payloads trashed)",
        a1 - a0,
        f1 - f0,
        trash.len()
    );
    assert_eq!((a1 - a0, f1 - f0), (0, 0), "apply touched the heap");
}

fn main() {
    apply_is_allocation_free();
    let total = QUANTA as f64 * RENDER_QUANTUM_SIZE as f64 / SR as f64;
    println!("one a-rate AudioParam, {QUANTA} quanta at {SR} Hz ({total:.0} s of audio)");
    run("constant (fast path)", |_| Vec::new());
    run("linear ramp", |c| {
        vec![
            c.set_value_at_time(0.0, 0.0),
            c.linear_ramp_to_value_at_time(1.0, total),
        ]
    });
    run("exponential ramp", |c| {
        vec![
            c.set_value_at_time(0.001, 0.0),
            c.exponential_ramp_to_value_at_time(1.0, total),
        ]
    });
    run("setTarget (tau = total)", |c| {
        vec![c.set_target_at_time(0.0, 0.0, total)]
    });
    let curve: Vec<f32> = (0..4096).map(|i| (i as f32 * 0.01).sin()).collect();
    run("setValueCurve (4096 pts)", move |c| {
        vec![c.set_value_curve_at_time(&curve, 0.0, total)]
    });
    run("1000 setValue steps", |c| {
        (0..1000)
            .map(|k| c.set_value_at_time(k as f32, (k as f64 * 25_600.0 + 60.3) / SR as f64))
            .collect()
    });
}
