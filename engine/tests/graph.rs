//! Render-graph behaviour through the public control API, rendered offline.

use std::time::Duration;

use webaudio_engine::message::EngineEvent;
use webaudio_engine::node::constant_source::{ConstantSourceNode, ConstantSourceOptions};
use webaudio_engine::node::delay::{DelayNode, DelayOptions};
use webaudio_engine::node::gain::{GainNode, GainOptions};
use webaudio_engine::{
    ChannelCountMode, ChannelInterpretation, Context, ContextState, Error, OfflineOptions,
};

const SR: f32 = 8000.0;
const Q: usize = 128;

fn offline(channels: usize, length: usize) -> Context {
    Context::new_offline(OfflineOptions {
        number_of_channels: channels,
        length,
        sample_rate: SR,
    })
    .unwrap()
}

fn constant(ctx: &Context, offset: f32) -> ConstantSourceNode {
    ConstantSourceNode::new(ctx, ConstantSourceOptions { offset }).unwrap()
}

fn gain(ctx: &Context, g: f32) -> GainNode {
    GainNode::new(
        ctx,
        GainOptions {
            gain: g,
            ..Default::default()
        },
    )
    .unwrap()
}

/// A one-frame impulse of height `v` at frame `at`.
fn impulse(ctx: &Context, v: f32, at: usize) -> ConstantSourceNode {
    let s = constant(ctx, v);
    s.start(at as f64 / SR as f64).unwrap();
    s.stop((at + 1) as f64 / SR as f64).unwrap();
    s
}

#[test]
fn source_gain_destination_with_sample_accurate_start() {
    let ctx = offline(1, 4 * Q);
    let src = constant(&ctx, 0.8);
    let g = gain(&ctx, 0.5);
    src.node().connect(g.node(), 0, 0).unwrap();
    g.node().connect(&ctx.destination(), 0, 0).unwrap();
    src.start(100.0 / SR as f64).unwrap();
    src.stop(300.0 / SR as f64).unwrap();
    let out = ctx.render_blocking().unwrap();
    for (i, &s) in out[0].iter().enumerate() {
        let want = if (100..300).contains(&i) {
            0.8 * 0.5
        } else {
            0.0
        };
        assert_eq!(s, want, "frame {i}");
    }
}

#[test]
fn fan_in_sums_and_mono_upmixes_to_stereo_destination() {
    let ctx = offline(2, 2 * Q);
    let a = constant(&ctx, 0.25);
    let b = constant(&ctx, 0.5);
    for s in [&a, &b] {
        s.node().connect(&ctx.destination(), 0, 0).unwrap();
        s.start(0.0).unwrap();
    }
    let out = ctx.render_blocking().unwrap();
    for ch in &out {
        assert!(ch.iter().all(|&s| s == 0.75));
    }
}

#[test]
fn explicit_mono_gain_downmixes_stereo_fan_in() {
    // Two mono sources into a gain with explicit 2 channels give stereo;
    // a second gain in explicit-1/speakers down-mixes it: 0.5 * (L + R).
    let ctx = offline(1, Q);
    let a = constant(&ctx, 0.3);
    let g2 = gain(&ctx, 1.0);
    g2.node().set_channel_count(2).unwrap();
    g2.node()
        .set_channel_count_mode(ChannelCountMode::Explicit)
        .unwrap();
    let g1 = gain(&ctx, 1.0);
    g1.node().set_channel_count(1).unwrap();
    g1.node()
        .set_channel_count_mode(ChannelCountMode::Explicit)
        .unwrap();
    a.node().connect(g2.node(), 0, 0).unwrap();
    g2.node().connect(g1.node(), 0, 0).unwrap();
    g1.node().connect(&ctx.destination(), 0, 0).unwrap();
    a.start(0.0).unwrap();
    let out = ctx.render_blocking().unwrap();
    // mono 0.3 -> stereo (0.3, 0.3) -> mono 0.5 * 0.6
    assert!(out[0].iter().all(|&s| s == 0.5 * (0.3 + 0.3)));
}

#[test]
fn discrete_downmix_keeps_first_channel() {
    let ctx = offline(1, Q);
    let a = constant(&ctx, 0.3);
    let up = gain(&ctx, 1.0);
    up.node().set_channel_count(2).unwrap();
    up.node()
        .set_channel_count_mode(ChannelCountMode::Explicit)
        .unwrap();
    let down = gain(&ctx, 1.0);
    down.node().set_channel_count(1).unwrap();
    down.node()
        .set_channel_count_mode(ChannelCountMode::Explicit)
        .unwrap();
    down.node()
        .set_channel_interpretation(ChannelInterpretation::Discrete)
        .unwrap();
    a.node().connect(up.node(), 0, 0).unwrap();
    up.node().connect(down.node(), 0, 0).unwrap();
    down.node().connect(&ctx.destination(), 0, 0).unwrap();
    a.start(0.0).unwrap();
    let out = ctx.render_blocking().unwrap();
    assert!(out[0].iter().all(|&s| s == 0.3));
}

#[test]
fn audio_param_input_adds_to_the_intrinsic_value() {
    let ctx = offline(1, Q);
    let src = constant(&ctx, 2.0);
    let modulator = constant(&ctx, 0.25);
    let g = gain(&ctx, 1.0);
    src.node().connect(g.node(), 0, 0).unwrap();
    modulator.node().connect_param(&g.gain(), 0).unwrap();
    g.node().connect(&ctx.destination(), 0, 0).unwrap();
    src.start(0.0).unwrap();
    modulator.start(64.0 / SR as f64).unwrap();
    let out = ctx.render_blocking().unwrap();
    for (i, &s) in out[0].iter().enumerate() {
        let want = if i < 64 { 2.0 } else { 2.0 * 1.25 };
        assert_eq!(s, want, "frame {i}");
    }
    // The `value` getter reports the timeline's value, without the input.
    assert_eq!(g.gain().value(), 1.0);
}

#[test]
fn cycle_without_delay_is_muted_but_the_rest_plays() {
    let ctx = offline(1, 2 * Q);
    let src = constant(&ctx, 1.0);
    let g1 = gain(&ctx, 0.5);
    let g2 = gain(&ctx, 0.5);
    src.node().connect(g1.node(), 0, 0).unwrap();
    g1.node().connect(g2.node(), 0, 0).unwrap();
    g2.node().connect(g1.node(), 0, 0).unwrap();
    g2.node().connect(&ctx.destination(), 0, 0).unwrap();
    // A path outside the cycle still sounds.
    let direct = constant(&ctx, 0.125);
    direct.node().connect(&ctx.destination(), 0, 0).unwrap();
    src.start(0.0).unwrap();
    direct.start(0.0).unwrap();
    let out = ctx.render_blocking().unwrap();
    assert!(out[0].iter().all(|&s| s == 0.125));
}

#[test]
fn breaking_a_cycle_unmutes_it() {
    let ctx = offline(1, 2 * Q);
    let src = constant(&ctx, 1.0);
    let g1 = gain(&ctx, 0.5);
    let g2 = gain(&ctx, 0.5);
    src.node().connect(g1.node(), 0, 0).unwrap();
    g1.node().connect(g2.node(), 0, 0).unwrap();
    g2.node().connect(g1.node(), 0, 0).unwrap();
    g2.node().connect(&ctx.destination(), 0, 0).unwrap();
    g2.node().disconnect_node(g1.node()).unwrap();
    src.start(0.0).unwrap();
    let out = ctx.render_blocking().unwrap();
    assert!(out[0].iter().all(|&s| s == 0.25));
}

#[test]
fn feedback_through_a_delay_recirculates() {
    // y[n] = x[n - D] + 0.5 * y[n - D], x a unit impulse at 0.
    let d = 200usize;
    let ctx = offline(1, 8 * Q);
    let x = impulse(&ctx, 1.0, 0);
    let delay = DelayNode::new(
        &ctx,
        DelayOptions {
            max_delay_time: 1.0,
            delay_time: d as f64 / SR as f64,
            ..Default::default()
        },
    )
    .unwrap();
    let fb = gain(&ctx, 0.5);
    x.node().connect(delay.node(), 0, 0).unwrap();
    delay.node().connect(fb.node(), 0, 0).unwrap();
    fb.node().connect(delay.node(), 0, 0).unwrap();
    delay.node().connect(&ctx.destination(), 0, 0).unwrap();
    let out = ctx.render_blocking().unwrap();
    for (i, &s) in out[0].iter().enumerate() {
        let want = if i > 0 && i % d == 0 {
            0.5f32.powi((i / d) as i32 - 1)
        } else {
            0.0
        };
        assert!((s - want).abs() < 1e-6, "frame {i}: {s} vs {want}");
    }
}

#[test]
fn short_delay_outside_a_cycle_is_exact() {
    let ctx = offline(1, 2 * Q);
    let x = impulse(&ctx, 1.0, 10);
    let delay = DelayNode::new(
        &ctx,
        DelayOptions {
            delay_time: 5.0 / SR as f64,
            ..Default::default()
        },
    )
    .unwrap();
    x.node().connect(delay.node(), 0, 0).unwrap();
    delay.node().connect(&ctx.destination(), 0, 0).unwrap();
    let out = ctx.render_blocking().unwrap();
    let nonzero: Vec<usize> = (0..out[0].len()).filter(|&i| out[0][i] != 0.0).collect();
    assert_eq!(nonzero, vec![15]);
    assert_eq!(out[0][15], 1.0);
}

#[test]
fn offline_renders_are_bit_identical() {
    fn render() -> Vec<Box<[f32]>> {
        let ctx = offline(2, 16 * Q);
        let mut keep = Vec::new();
        for k in 0..20 {
            let s = constant(&ctx, 0.01 * k as f32);
            let g = gain(&ctx, 0.9);
            let dl = DelayNode::new(
                &ctx,
                DelayOptions {
                    delay_time: (k as f64 * 13.7) / SR as f64,
                    ..Default::default()
                },
            )
            .unwrap();
            s.node().connect(g.node(), 0, 0).unwrap();
            g.node().connect(dl.node(), 0, 0).unwrap();
            dl.node().connect(&ctx.destination(), 0, 0).unwrap();
            g.gain()
                .linear_ramp_to_value_at_time(0.1, 0.2 + k as f64 * 0.01)
                .unwrap();
            s.start(k as f64 / 1000.0).unwrap();
            keep.push((s, g, dl));
        }
        ctx.render_blocking().unwrap()
    }
    let a = render();
    let b = render();
    assert!(a[0].iter().any(|&s| s != 0.0));
    assert_eq!(a, b);
}

#[test]
fn offline_suspend_lets_the_graph_change_mid_render() {
    let ctx = offline(1, 4 * Q);
    let src = constant(&ctx, 1.0);
    src.start(0.0).unwrap();
    let t = 200.0 / SR as f64; // quantised up to frame 256
    assert_eq!(ctx.suspend_at(t).unwrap(), 256);
    assert!(matches!(ctx.suspend_at(t), Err(Error::InvalidState(_))));
    assert!(matches!(ctx.suspend_at(10.0), Err(Error::InvalidState(_))));
    ctx.start_rendering().unwrap();
    assert!(ctx.wait_for(Duration::from_secs(10), |e| matches!(
        e,
        EngineEvent::Suspended { frame: 256 }
    )));
    assert_eq!(ctx.current_frame(), 256);
    src.node().connect(&ctx.destination(), 0, 0).unwrap();
    ctx.resume().unwrap();
    assert!(ctx.wait_for(Duration::from_secs(10), |e| matches!(
        e,
        EngineEvent::RenderComplete
    )));
    let out = ctx.take_rendered().unwrap();
    for (i, &s) in out[0].iter().enumerate() {
        assert_eq!(s, if i >= 256 { 1.0 } else { 0.0 }, "frame {i}");
    }
    assert!(ctx.wait_for(Duration::from_secs(10), |e| matches!(
        e,
        EngineEvent::StateChange(ContextState::Closed)
    )));
    assert_eq!(ctx.state(), ContextState::Closed);
}

#[test]
fn connect_and_disconnect_validation() {
    let ctx = offline(1, Q);
    let other = offline(1, Q);
    let a = gain(&ctx, 1.0);
    let b = gain(&ctx, 1.0);
    let foreign = gain(&other, 1.0);
    assert!(matches!(
        a.node().connect(b.node(), 1, 0),
        Err(Error::IndexSize(_))
    ));
    assert!(matches!(
        a.node().connect(b.node(), 0, 1),
        Err(Error::IndexSize(_))
    ));
    assert!(matches!(
        a.node().connect(foreign.node(), 0, 0),
        Err(Error::InvalidAccess(_))
    ));
    assert!(matches!(
        a.node().disconnect_node(b.node()),
        Err(Error::InvalidAccess(_))
    ));
    assert!(matches!(
        a.node().disconnect_output(1),
        Err(Error::IndexSize(_))
    ));
    a.node().connect(b.node(), 0, 0).unwrap();
    a.node().connect_param(&b.gain(), 0).unwrap();
    assert!(matches!(
        a.node().disconnect_node_output_input(b.node(), 0, 1),
        Err(Error::IndexSize(_))
    ));
    a.node()
        .disconnect_node_output_input(b.node(), 0, 0)
        .unwrap();
    assert!(matches!(
        a.node().disconnect_node(b.node()),
        Err(Error::InvalidAccess(_))
    ));
    a.node().disconnect_param_output(&b.gain(), 0).unwrap();
    assert!(matches!(
        a.node().disconnect_param(&b.gain()),
        Err(Error::InvalidAccess(_))
    ));
    // disconnect() with nothing connected is fine.
    a.node().disconnect().unwrap();
}

#[test]
fn channel_attribute_rules() {
    let ctx = offline(2, Q);
    let g = gain(&ctx, 1.0);
    assert!(matches!(
        g.node().set_channel_count(0),
        Err(Error::NotSupported(_))
    ));
    assert!(matches!(
        g.node().set_channel_count(33),
        Err(Error::NotSupported(_))
    ));
    g.node().set_channel_count(32).unwrap();
    assert_eq!(g.node().channel_config().count, 32);
    // An offline destination's channel count cannot change.
    let d = ctx.destination();
    assert!(matches!(
        d.set_channel_count(1),
        Err(Error::InvalidState(_))
    ));
    d.set_channel_count(2).unwrap();
    assert_eq!(d.channel_config().mode, ChannelCountMode::Explicit);
}

#[test]
fn scheduled_source_validation() {
    let ctx = offline(1, Q);
    let s = constant(&ctx, 1.0);
    assert!(matches!(s.stop(0.0), Err(Error::InvalidState(_))));
    assert!(matches!(s.start(-1.0), Err(Error::Range(_))));
    s.start(0.0).unwrap();
    assert!(matches!(s.start(0.0), Err(Error::InvalidState(_))));
    assert!(matches!(s.stop(-1.0), Err(Error::Range(_))));
    s.stop(1.0).unwrap();
}

#[test]
fn ended_event_and_context_options_validation() {
    let ctx = offline(1, 4 * Q);
    let s = constant(&ctx, 1.0);
    s.start(0.0).unwrap();
    s.stop(200.0 / SR as f64).unwrap();
    let id = s.node().id();
    ctx.render_blocking().unwrap();
    // render_blocking consumed events up to RenderComplete; Ended came first.
    let _ = id;
    assert!(matches!(
        Context::new_offline(OfflineOptions {
            number_of_channels: 0,
            length: 1,
            sample_rate: SR
        }),
        Err(Error::NotSupported(_))
    ));
    assert!(matches!(
        Context::new_offline(OfflineOptions {
            number_of_channels: 1,
            length: 1,
            sample_rate: 1.0
        }),
        Err(Error::NotSupported(_))
    ));
}

#[test]
fn ended_is_reported_for_the_right_node() {
    let ctx = offline(1, 4 * Q);
    let s = constant(&ctx, 1.0);
    s.start(0.0).unwrap();
    s.stop(200.0 / SR as f64).unwrap();
    let id = s.node().id();
    ctx.start_rendering().unwrap();
    let mut ended = false;
    while let Some(e) = ctx.wait_event(Duration::from_secs(10)) {
        match e {
            EngineEvent::Ended(n) => {
                assert_eq!(n, id);
                ended = true;
            }
            EngineEvent::RenderComplete => break,
            _ => {}
        }
    }
    assert!(ended);
}

#[test]
fn realtime_state_machine_and_lifetime_query() {
    use webaudio_engine::{RealtimeOptions, SinkChoice};
    let ctx = Context::new_realtime(RealtimeOptions {
        sample_rate: Some(SR),
        sink: SinkChoice::None,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(ctx.state(), ContextState::Suspended);
    let t = Duration::from_secs(10);
    let running = |e: &EngineEvent| matches!(e, EngineEvent::StateChange(ContextState::Running));
    assert!(ctx.wait_for(t, running));
    assert_eq!(ctx.state(), ContextState::Running);
    assert!(!ctx.has_device_sink());
    assert_eq!(ctx.base_latency(), Q as f64 / SR as f64);

    // A source scheduled 50 ms ahead keeps the context "making sound" until
    // it has ended.
    let s = constant(&ctx, 1.0);
    s.node().connect(&ctx.destination(), 0, 0).unwrap();
    let now = ctx.current_time();
    s.start(now + 0.05).unwrap();
    s.stop(now + 0.06).unwrap();
    let id = s.node().id();
    drop(s);
    assert!(ctx.may_make_sound());
    assert!(ctx.wait_for(t, |e| *e == EngineEvent::Ended(id)));
    let end = std::time::Instant::now() + t;
    while ctx.may_make_sound() && std::time::Instant::now() < end {
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(!ctx.may_make_sound());

    ctx.suspend().unwrap();
    assert!(ctx.wait_for(t, |e| matches!(
        e,
        EngineEvent::StateChange(ContextState::Suspended)
    )));
    let frozen = ctx.current_frame();
    std::thread::sleep(Duration::from_millis(30));
    assert_eq!(ctx.current_frame(), frozen, "time stops while suspended");
    ctx.resume().unwrap();
    assert!(ctx.wait_for(t, running));
    ctx.close().unwrap();
    // [[control thread state]] is closed at once.
    assert!(matches!(ctx.close(), Err(Error::InvalidState(_))));
    assert!(ctx.wait_for(t, |e| matches!(
        e,
        EngineEvent::StateChange(ContextState::Closed)
    )));
    assert_eq!(ctx.state(), ContextState::Closed);
    assert!(matches!(ctx.resume(), Err(Error::InvalidState(_))));
    assert!(matches!(ctx.close(), Err(Error::InvalidState(_))));
}

#[test]
fn default_sink_opens_a_device_or_falls_back_to_none() {
    use webaudio_engine::{RealtimeOptions, SinkChoice};
    let ctx = Context::new_realtime(RealtimeOptions {
        sample_rate: None,
        sink: SinkChoice::Default,
        ..Default::default()
    })
    .unwrap();
    let t = Duration::from_secs(10);
    assert!(ctx.wait_for(t, |e| matches!(
        e,
        EngineEvent::StateChange(ContextState::Running)
    )));
    let f0 = ctx.current_frame();
    std::thread::sleep(Duration::from_millis(50));
    assert!(ctx.current_frame() > f0, "rendering advances either way");
    assert!(ctx.sample_rate() >= 3000.0);
}

#[test]
fn a_panicking_processor_is_contained_and_reported() {
    use webaudio_engine::NodeSpec;
    use webaudio_engine::processor::{ProcessIo, Processor, RenderScope};
    struct Faulty;
    impl Processor for Faulty {
        fn process(&mut self, io: ProcessIo<'_>, scope: &RenderScope<'_>) -> bool {
            if scope.current_frame >= 128 {
                panic!("deliberate test panic");
            }
            io.outputs[0].channel_mut(0).fill(0.5);
            true
        }
    }
    let ctx = offline(1, 3 * Q);
    let bad = ctx
        .create_node(NodeSpec::new(0, 1, Vec::new()), Box::new(Faulty))
        .unwrap();
    bad.connect(&ctx.destination(), 0, 0).unwrap();
    let good = constant(&ctx, 0.25);
    good.node().connect(&ctx.destination(), 0, 0).unwrap();
    good.start(0.0).unwrap();
    ctx.start_rendering().unwrap();
    let mut reported = false;
    while let Some(e) = ctx.wait_event(Duration::from_secs(10)) {
        match e {
            EngineEvent::ProcessorError(id) => {
                assert_eq!(id, bad.id());
                reported = true;
            }
            EngineEvent::RenderComplete => break,
            _ => {}
        }
    }
    assert!(reported);
    let out = ctx.take_rendered().unwrap();
    for (i, &s) in out[0].iter().enumerate() {
        let want = if i < Q { 0.75 } else { 0.25 };
        assert_eq!(s, want, "frame {i}");
    }
}

#[test]
fn a_rate_automation_reaches_the_processor_per_sample() {
    let ctx = offline(1, 3 * Q);
    let src = constant(&ctx, 1.0);
    let g = gain(&ctx, 1.0);
    src.node().connect(g.node(), 0, 0).unwrap();
    g.node().connect(&ctx.destination(), 0, 0).unwrap();
    let len = 256.0;
    g.gain().set_value_at_time(0.0, 0.0).unwrap();
    g.gain()
        .linear_ramp_to_value_at_time(1.0, len / SR as f64)
        .unwrap();
    src.start(0.0).unwrap();
    let out = ctx.render_blocking().unwrap();
    for (i, &s) in out[0].iter().enumerate() {
        // The spec's linear ramp: v0 + (v1 - v0) * (t - t0) / (t1 - t0).
        let want = (i as f64 / len).min(1.0) as f32;
        assert!((s - want).abs() < 1e-6, "frame {i}: {s} vs {want}");
    }
    assert_eq!(g.gain().value(), 1.0);
}

#[test]
fn dropped_nodes_play_out_then_are_freed() {
    let ctx = offline(1, 10 * Q);
    {
        // A source whose handle is dropped keeps playing through a gain
        // whose handle is dropped too.
        let a = constant(&ctx, 0.5);
        let g = gain(&ctx, 0.5);
        a.node().connect(g.node(), 0, 0).unwrap();
        g.node().connect(&ctx.destination(), 0, 0).unwrap();
        a.start(0.0).unwrap();
        a.stop(200.0 / SR as f64).unwrap();
        // Never started and unreferenced: freed straight away.
        let _b = constant(&ctx, 1.0);
    }
    // A node still referenced stays.
    let kept = gain(&ctx, 1.0);
    assert_eq!(ctx.node_count(), 5);
    let out = ctx.render_blocking().unwrap();
    for (i, &s) in out[0].iter().enumerate() {
        assert_eq!(s, if i < 200 { 0.25 } else { 0.0 }, "frame {i}");
    }
    // Destination and `kept` remain on the render side.
    assert_eq!(ctx.render_node_count(), 2);
    drop(kept);
}

#[test]
fn delay_output_layout_follows_the_delayed_input() {
    // (cf. WPT delaynode-channel-count-1) A discrete stereo signal (0.5, 0)
    // goes through a delay; a mono 0.25 joins it in a discrete-mixing gain.
    // Where the delay reads silence or unwritten history its output is one
    // silent channel, so the gain's output is mono and the speaker up-mix
    // at the destination puts 0.25 in both channels; where it reads the
    // stereo input the gain is stereo: (0.75, 0.25 discretely -> 0).
    let d = 3 * Q;
    let switch = 6 * Q;
    let ctx = offline(2, 8 * Q);
    let stereo_src = constant(&ctx, 0.5);
    let widen = gain(&ctx, 1.0);
    widen.node().set_channel_count(2).unwrap();
    widen
        .node()
        .set_channel_count_mode(ChannelCountMode::Explicit)
        .unwrap();
    widen
        .node()
        .set_channel_interpretation(ChannelInterpretation::Discrete)
        .unwrap();
    let delay = DelayNode::new(
        &ctx,
        DelayOptions {
            max_delay_time: (16 * Q) as f64 / SR as f64,
            delay_time: d as f64 / SR as f64,
            ..Default::default()
        },
    )
    .unwrap();
    delay
        .delay_time()
        .set_value_at_time((16 * Q) as f32 / SR, switch as f64 / SR as f64)
        .unwrap();
    let mono = constant(&ctx, 0.25);
    let sum = gain(&ctx, 1.0);
    sum.node()
        .set_channel_interpretation(ChannelInterpretation::Discrete)
        .unwrap();
    stereo_src.node().connect(widen.node(), 0, 0).unwrap();
    widen.node().connect(delay.node(), 0, 0).unwrap();
    delay.node().connect(sum.node(), 0, 0).unwrap();
    mono.node().connect(sum.node(), 0, 0).unwrap();
    sum.node().connect(&ctx.destination(), 0, 0).unwrap();
    stereo_src.start(0.0).unwrap();
    mono.start(0.0).unwrap();
    let out = ctx.render_blocking().unwrap();
    for (i, (&l, &r)) in out[0].iter().zip(out[1].iter()).enumerate() {
        let want = if (d..switch).contains(&i) {
            (0.75, 0.0)
        } else {
            (0.25, 0.25)
        };
        assert_eq!((l, r), want, "frame {i}");
    }
}

#[test]
fn handles_are_send_and_sync() {
    fn check<T: Send + Sync + 'static>() {}
    check::<Context>();
    check::<webaudio_engine::NodeHandle>();
    check::<webaudio_engine::ParamHandle>();
    check::<GainNode>();
    check::<ConstantSourceNode>();
    check::<DelayNode>();
}

#[test]
fn realtime_destination_channel_count_is_bounded_by_max_channel_count() {
    use webaudio_engine::{RealtimeOptions, SinkChoice};
    let ctx = Context::new_realtime(RealtimeOptions {
        sink: SinkChoice::None,
        ..Default::default()
    })
    .unwrap();
    let d = ctx.destination();
    let max = ctx.max_channel_count();
    assert_eq!(d.channel_config().count, 2.min(max));
    assert!(matches!(
        d.set_channel_count(max + 1),
        Err(Error::IndexSize(_))
    ));
    assert!(matches!(d.set_channel_count(0), Err(Error::IndexSize(_))));
    d.set_channel_count(1).unwrap();
    assert_eq!(ctx.destination().channel_config().count, 1);
    assert!(matches!(
        Context::new_realtime(RealtimeOptions {
            sample_rate: Some(1.0),
            sink: SinkChoice::None,
            ..Default::default()
        }),
        Err(Error::NotSupported(_))
    ));
}

#[test]
fn output_timestamp_tracks_rendering() {
    use webaudio_engine::{RealtimeOptions, SinkChoice};
    let ctx = Context::new_realtime(RealtimeOptions {
        sample_rate: Some(SR),
        sink: SinkChoice::None,
        ..Default::default()
    })
    .unwrap();
    assert!(ctx.wait_for(Duration::from_secs(10), |e| matches!(
        e,
        EngineEvent::StateChange(ContextState::Running)
    )));
    std::thread::sleep(Duration::from_millis(50));
    let a = ctx.output_timestamp();
    std::thread::sleep(Duration::from_millis(50));
    let b = ctx.output_timestamp();
    assert!(b.context_time > a.context_time);
    assert!(b.instant > a.instant);
    assert!(b.instant <= std::time::Instant::now());
    assert_eq!(ctx.output_latency(), 0.0);
}

#[test]
fn node_kind_constraints_apply_at_creation_and_to_setters() {
    use webaudio_engine::node::destination::DestinationProcessor;
    use webaudio_engine::{ChannelConstraints, CountRule, ErrorKind, ModeRule, NodeSpec};
    let ctx = offline(1, Q);
    // A ConvolverNode-like kind: at most 2 channels, never "max".
    let constraints = ChannelConstraints {
        count: CountRule::Range {
            max: 2,
            error: ErrorKind::NotSupported,
        },
        mode: ModeRule::NotMax {
            error: ErrorKind::NotSupported,
        },
        interpretation_fixed: None,
    };
    let mut spec = NodeSpec::new(1, 1, Vec::new());
    spec.constraints = constraints;
    // The default mode is "max": rejected.
    assert!(matches!(
        ctx.create_node(spec.clone(), Box::new(DestinationProcessor)),
        Err(Error::NotSupported(_))
    ));
    spec.channel_config.mode = ChannelCountMode::ClampedMax;
    let n = ctx
        .create_node(spec, Box::new(DestinationProcessor))
        .unwrap();
    assert!(matches!(
        n.set_channel_count(3),
        Err(Error::NotSupported(_))
    ));
    assert!(matches!(
        n.set_channel_count_mode(ChannelCountMode::Max),
        Err(Error::NotSupported(_))
    ));
    n.set_channel_count(1).unwrap();
    n.set_channel_count_mode(ChannelCountMode::Explicit)
        .unwrap();
    // A ChannelSplitterNode-like kind: everything fixed.
    let mut spec = NodeSpec::new(1, 2, Vec::new());
    spec.channel_config.count = 2;
    spec.channel_config.mode = ChannelCountMode::Explicit;
    spec.channel_config.interpretation = ChannelInterpretation::Discrete;
    spec.constraints = ChannelConstraints {
        count: CountRule::Fixed {
            error: ErrorKind::InvalidState,
        },
        mode: ModeRule::Fixed {
            error: ErrorKind::InvalidState,
        },
        interpretation_fixed: Some(ErrorKind::InvalidState),
    };
    let s = ctx
        .create_node(spec, Box::new(DestinationProcessor))
        .unwrap();
    assert!(matches!(
        s.set_channel_count(1),
        Err(Error::InvalidState(_))
    ));
    assert!(matches!(
        s.set_channel_count_mode(ChannelCountMode::Max),
        Err(Error::InvalidState(_))
    ));
    assert!(matches!(
        s.set_channel_interpretation(ChannelInterpretation::Speakers),
        Err(Error::InvalidState(_))
    ));
    // Setting the current values is not a change.
    s.set_channel_count(2).unwrap();
    s.set_channel_interpretation(ChannelInterpretation::Discrete)
        .unwrap();
}

#[test]
fn an_unreferenced_feedback_loop_decays_and_is_freed() {
    // Impulse -> delay -> gain(0.5) -> delay: the echo halves every loop,
    // reaches subnormals, is flushed to zero, and then every node of the
    // loop goes quiet and is freed once no handle refers to it.
    let ctx = offline(1, 48 * 1024);
    {
        let x = impulse(&ctx, 1.0, 0);
        let delay = DelayNode::new(
            &ctx,
            DelayOptions {
                max_delay_time: 0.1,
                delay_time: Q as f64 / SR as f64,
                ..Default::default()
            },
        )
        .unwrap();
        let fb = gain(&ctx, 0.5);
        x.node().connect(delay.node(), 0, 0).unwrap();
        delay.node().connect(fb.node(), 0, 0).unwrap();
        fb.node().connect(delay.node(), 0, 0).unwrap();
        delay.node().connect(&ctx.destination(), 0, 0).unwrap();
    }
    let out = ctx.render_blocking().unwrap();
    assert_eq!(out[0][Q], 1.0);
    assert_eq!(out[0][2 * Q], 0.5);
    assert_eq!(ctx.render_node_count(), 1, "only the destination is left");
    assert!(!ctx.may_make_sound(), "a finished offline context is done");
}

#[test]
fn zero_delay_in_a_cycle_is_one_quantum() {
    // The spec clamps a delay inside a cycle to at least one render quantum:
    // y[n] = x[n - Q] + 0.5 * y[n - Q], x a unit impulse at 0.
    let ctx = offline(1, 8 * Q);
    let x = impulse(&ctx, 1.0, 0);
    let delay = DelayNode::new(&ctx, DelayOptions::default()).unwrap();
    let fb = gain(&ctx, 0.5);
    x.node().connect(delay.node(), 0, 0).unwrap();
    delay.node().connect(fb.node(), 0, 0).unwrap();
    fb.node().connect(delay.node(), 0, 0).unwrap();
    delay.node().connect(&ctx.destination(), 0, 0).unwrap();
    let out = ctx.render_blocking().unwrap();
    for (i, &s) in out[0].iter().enumerate() {
        let want = if i > 0 && i % Q == 0 {
            0.5f32.powi((i / Q) as i32 - 1)
        } else {
            0.0
        };
        assert!((s - want).abs() < 1e-6, "frame {i}: {s} vs {want}");
    }
}

/// A node with more inputs than the renderer's shared input blocks mixes
/// each into its own, and blocks wider than stereo keep every channel.
#[test]
fn many_inputs_and_wide_blocks_mix_exactly() {
    use webaudio_engine::NodeSpec;
    use webaudio_engine::node::channel_merger::{ChannelMergerNode, ChannelMergerOptions};
    use webaudio_engine::processor::{ProcessIo, Processor, RenderScope};
    /// Outputs, on channel 0, the sum over inputs of input `i`'s channel
    /// `c` times `(i + 1) * 100 + c`.
    struct Weigh;
    impl Processor for Weigh {
        fn process(&mut self, io: ProcessIo<'_>, _scope: &RenderScope<'_>) -> bool {
            let mut sum = 0.0;
            for (i, input) in io.inputs.iter().enumerate() {
                for (c, ch) in input.channels().iter().enumerate() {
                    sum += ch[0] * ((i + 1) * 100 + c) as f32;
                }
            }
            io.outputs[0].channel_mut(0).fill(sum);
            true
        }
    }
    const INPUTS: usize = 40;
    let ctx = offline(1, Q);
    let mut spec = NodeSpec::new(INPUTS, 1, Vec::new());
    spec.channel_config.mode = ChannelCountMode::Max;
    let weigh = ctx.create_node(spec, Box::new(Weigh)).unwrap();
    weigh.connect(&ctx.destination(), 0, 0).unwrap();
    // Input 0: a 6-channel merger of constants 1..=6; input 39: 0.5 (mono).
    let merger = ChannelMergerNode::new(
        &ctx,
        ChannelMergerOptions {
            number_of_inputs: 6,
        },
    )
    .unwrap();
    let mut sources = Vec::new();
    for c in 0..6 {
        let s = constant(&ctx, (c + 1) as f32);
        s.node().connect(merger.node(), 0, c).unwrap();
        s.start(0.0).unwrap();
        sources.push(s);
    }
    merger.node().connect(&weigh, 0, 0).unwrap();
    let last = constant(&ctx, 0.5);
    last.node().connect(&weigh, 0, INPUTS - 1).unwrap();
    last.start(0.0).unwrap();
    let out = ctx.render_blocking().unwrap();
    let want: f32 = (0..6)
        .map(|c| (c + 1) as f32 * (100 + c) as f32)
        .sum::<f32>()
        + 0.5 * (INPUTS * 100) as f32;
    assert_eq!(out[0][0], want);
    assert_eq!(out[0][Q - 1], want);
}
