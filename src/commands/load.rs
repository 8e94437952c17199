//! `mlspec load FILE --url URL [--serving S] [--scenario S] [--rate RPS [--spacing poisson|even]] [--seconds S] [--compress F] [--connections N] [--bodies F] [--warmup S] [--timeout S] [--seed N] [--header H] [--allow-remote] [--format F] [--out FILE]`
//!
//! An open-loop load run against a live server (`mlspec-load`): arrivals
//! from the scenario's traffic (its day replayed `--compress` times faster)
//! or Poisson at `--rate`, latency from each request's scheduled time, and a
//! report in `simulate`'s formats and keys with the spec's SLO verdict.

use super::remote::{bodies, headers, target};
use crate::failure::{Failure, Outcome, Status};
use crate::{LoadArgs, SimFormat, Spacing};
use mlspec_check::simulation;
use mlspec_ir::traffic::Traffic;
use mlspec_load::{constant, even, run, send_times, summarize, Config, Context};
use mlspec_report as report;

pub fn run_load(a: &LoadArgs) -> Outcome {
    let path = a.file.as_str();
    let (design, src) = super::load_design(path, "load its server")?;
    let read = super::latency_file_reader(path);
    let t = simulation::target(&design, a.serving.as_deref(), a.scenario.as_deref(), None, &read)
        .map_err(|e| super::target_failure(path, &src, e))?;
    let s = t.serving(&design).ok_or_else(|| super::no_plan(path))?;
    let scenario = t.scenario(&design);
    if !(a.seconds > 0.0 && a.seconds <= 86_400.0 && (0.0..=3600.0).contains(&a.warmup)) {
        return Err(Failure::Usage("--seconds: give above 0 and at most 86,400 seconds; --warmup: 0 to 3,600".to_string()));
    }
    if !(a.compress >= 1.0 && a.compress <= 1e6) {
        return Err(Failure::Usage("--compress: give a factor from 1 to 1,000,000".to_string()));
    }
    if a.rate.is_some_and(|r| !(r > 0.0 && r <= 1e6)) {
        return Err(Failure::Usage("--rate: give a rate above 0 and at most 1,000,000 requests per second".to_string()));
    }
    let timeout_s = a.timeout.unwrap_or_else(|| s.timeout.as_ref().map_or(10.0, |t| (t.0 * 20.0).clamp(2.0, 60.0)));
    let (arrivals, schedule) = match a.rate {
        Some(rate) if a.spacing == Spacing::Even => {
            (format!("evenly spaced at {} rps", report::trim1(rate)), even(rate, a.warmup + a.seconds))
        }
        Some(rate) => (format!("Poisson at {} rps", report::trim1(rate)), constant(rate, a.seed, a.warmup + a.seconds)),
        None => {
            let traffic = Traffic::of(scenario, t.rate_rps);
            let what = match scenario {
                Some(sc) if a.compress > 1.0 => format!("scenario `{}`'s traffic, {}× faster", sc.name, report::trim1(a.compress)),
                Some(sc) => format!("scenario `{}`'s traffic", sc.name),
                None => format!("Poisson at {} rps (`constraints throughput`)", report::trim1(traffic.base_rps)),
            };
            (what, send_times(&traffic, a.seed, a.warmup + a.seconds, a.compress))
        }
    };
    let times = schedule.map_err(|e| Failure::Usage(e.to_string()))?;
    let url = target(&a.url, a.allow_remote)?;
    let bodies = bodies(a.bodies.as_deref())?;
    let headers = headers(&a.header)?;
    let config = |send_times: Vec<f64>, duration_s: f64, bodies: Vec<Vec<u8>>| Config {
        target: url.clone(),
        send_times,
        bodies,
        headers: headers.clone(),
        connections: a.connections,
        request_timeout_s: timeout_s,
        duration_s,
        step_s: a.step.unwrap_or_else(|| (a.seconds / 10.0).max(1.0)),
    };
    // The warm-up takes the schedule's first seconds and the first bodies;
    // the measured run the rest, its times from 0.
    let split = times.partition_point(|&x| x < a.warmup);
    let (warm, measured) = times.split_at(split);
    let mut rest = bodies.clone();
    if a.warmup > 0.0 {
        eprintln!("warming up: {} s", report::trim1(a.warmup));
        let m = run(&config(warm.to_vec(), a.warmup, bodies)).map_err(|e| Failure::Usage(e.to_string()))?;
        let n = rest.len();
        rest.rotate_left((m.sent % n as u64) as usize);
    }
    eprintln!("loading {} for {} s: {arrivals}", a.url, report::trim1(a.seconds));
    let shifted = measured.iter().map(|x| x - a.warmup).collect();
    let m = run(&config(shifted, a.seconds, rest)).map_err(|e| Failure::Usage(e.to_string()))?;
    if m.sent > 0 && m.ok + m.by_status.values().sum::<u64>() == 0 {
        let why = m.first_transport_error.clone().unwrap_or_else(|| "every request timed out".to_string());
        return Err(Failure::refused(format!("no answer from {} to {} requests: {why}", a.url, m.sent)));
    }
    let context = Context {
        system: design.name.clone(),
        serving: s.name.clone(),
        scenario: if a.rate.is_some() {
            "constant".to_string()
        } else {
            scenario.map_or_else(|| mlspec_ir::traffic::DEFAULT_SCENARIO.to_string(), |sc| sc.name.clone())
        },
        url: a.url.clone(),
        arrivals,
        seed: a.seed,
        duration_s: a.seconds,
        slo: design.constraints.latency.iter().map(|l| (l.label.clone(), l.percentile / 100.0, l.max_s)).collect(),
    };
    let summary = summarize(&m, &context);
    let text = match a.format {
        SimFormat::Human => report::measured_human(&summary),
        SimFormat::Json => report::json(&summary),
        SimFormat::Markdown => report::measured_markdown(&summary),
        SimFormat::Html => report::measured_html(&summary),
    };
    super::emit(&text, a.out.as_deref(), |file| eprintln!("wrote {file}"))?;
    // A missed SLO is a finding, as in `simulate`'s capacity verdicts.
    Ok(Status::findings_if(!summary.slo_met))
}
