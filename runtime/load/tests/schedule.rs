//! Counts are Poisson: with mean n, five standard deviations are 5√n.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mlspec_load::schedule::{constant, even, send_times, ScheduleError, MAX_SEND_TIMES};
use mlspec_sim::plan::Traffic;

fn within_5_sigma(count: usize, mean: f64) -> bool {
    (count as f64 - mean).abs() <= 5.0 * mean.sqrt()
}

fn in_window(times: &[f64], from: f64, to: f64) -> usize {
    times.iter().filter(|&&t| t >= from && t < to).count()
}

#[test]
fn constant_rate_is_poisson_at_that_rate() {
    let t = constant(1000.0, 7, 100.0).unwrap();
    assert!(within_5_sigma(t.len(), 100_000.0), "{}", t.len());
    assert!(t.windows(2).all(|w| w[0] <= w[1]));
    assert!(t.iter().all(|&x| (0.0..100.0).contains(&x)));
    let gaps: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
    let sd = (gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / gaps.len() as f64).sqrt();
    assert!((sd / mean - 1.0).abs() < 0.02, "cv {}", sd / mean);
}

#[test]
fn the_same_seed_gives_the_same_times() {
    let tr = Traffic { base_rps: 50.0, diurnal: Some((3.0, 43_200.0)), bursts: vec![(4.0, 1000.0, 2000.0)] };
    let a = send_times(&tr, 3, 30.0, 2880.0).unwrap();
    assert_eq!(a, send_times(&tr, 3, 30.0, 2880.0).unwrap());
    assert_ne!(a, send_times(&tr, 4, 30.0, 2880.0).unwrap());
}

#[test]
fn a_compressed_burst_lands_where_the_day_puts_it() {
    // 5x from 12:00 for 10 minutes of a 24 h day, compressed 1440x into 60 s:
    // run time [30, 30.4167) at 5 × 200 rps.
    let tr = Traffic { base_rps: 200.0, diurnal: None, bursts: vec![(5.0, 43_200.0, 43_800.0)] };
    let t = send_times(&tr, 11, 60.0, 1440.0).unwrap();
    let burst = 600.0 / 1440.0;
    assert!(within_5_sigma(t.len(), 200.0 * 60.0 + 800.0 * burst), "{}", t.len());
    assert!(within_5_sigma(in_window(&t, 30.0, 30.0 + burst), 1000.0 * burst), "burst: {}", in_window(&t, 30.0, 30.0 + burst));
    assert!(within_5_sigma(in_window(&t, 30.0 - burst, 30.0), 200.0 * burst), "before: {}", in_window(&t, 30.0 - burst, 30.0));
    assert!(within_5_sigma(in_window(&t, 30.0 + burst, 30.0 + 2.0 * burst), 200.0 * burst));
    assert!(t.iter().all(|&x| (0.0..60.0).contains(&x)) && t.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn a_compressed_day_keeps_its_diurnal_shape() {
    // Peak 3x at 18:00: at run time 45 s of a 60 s day the rate is 3 × 100.
    let tr = Traffic { base_rps: 100.0, diurnal: Some((3.0, 64_800.0)), bursts: vec![] };
    let t = send_times(&tr, 5, 60.0, 1440.0).unwrap();
    let near_peak = in_window(&t, 44.0, 46.0) as f64;
    let trough = in_window(&t, 14.0, 16.0) as f64;
    assert!(within_5_sigma(near_peak as usize, 600.0 * 0.9989), "{near_peak}");
    assert!(within_5_sigma(trough as usize, 200.0 * 1.0011), "{trough}");
}

#[test]
fn bad_inputs_are_refused() {
    let tr = Traffic { base_rps: 10.0, diurnal: None, bursts: vec![] };
    for (run_s, compress) in [(f64::NAN, 1.0), (0.0, 1.0), (-1.0, 1.0), (f64::INFINITY, 1.0), (10.0, 0.0), (10.0, f64::NAN)] {
        assert!(matches!(send_times(&tr, 1, run_s, compress), Err(ScheduleError::NotPositive { .. })), "{run_s} {compress}");
    }
    assert!(constant(0.0, 1, 10.0).is_err());
    assert!(constant(f64::NAN, 1, 10.0).is_err());
    let nan_burst = Traffic { base_rps: 10.0, diurnal: None, bursts: vec![(f64::NAN, 0.0, 1.0)] };
    assert_eq!(send_times(&nan_burst, 1, 10.0, 1.0), Err(ScheduleError::Traffic));
    let e = constant(1e9, 1, 1000.0).unwrap_err();
    assert!(matches!(e, ScheduleError::TooMany { .. }));
    assert!(e.to_string().contains(&MAX_SEND_TIMES.to_string()), "{e}");
}

#[test]
fn even_spacing_sends_at_exact_intervals() {
    let t = even(400.0, 10.0).unwrap();
    assert_eq!(t.len(), 4000);
    assert_eq!(t[0], 0.0);
    assert!(t.windows(2).all(|w| ((w[1] - w[0]) - 0.0025).abs() < 1e-12), "every gap is 1 / rate");
    assert!(*t.last().unwrap() < 10.0);
    // A rate that does not divide the run: the sends before its end.
    assert_eq!(even(3.0, 1.0).unwrap(), vec![0.0, 1.0 / 3.0, 2.0 / 3.0]);
    assert!(matches!(even(0.0, 10.0), Err(ScheduleError::NotPositive { .. })));
    assert!(matches!(even(10.0, f64::NAN), Err(ScheduleError::NotPositive { .. })));
    assert!(matches!(even(1e9, 1000.0), Err(ScheduleError::TooMany { .. })));
}
