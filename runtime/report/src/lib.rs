//! mlspec-report: the reports of `mlspec simulate` (the load part of
//! [`mlspec_sim`] and the drift part of [`mlspec_drift`]) and of
//! `mlspec capacity`: human text, Markdown, and one self-contained HTML page
//! with SVG charts; JSON is the serde form of [`Simulation`] and of the
//! capacity report. Every table is a [`table::Table`]; [`run`] runs the
//! parts of a simulation. The report of `mlspec load`, a measured run, has
//! the same formats over [`mlspec_load::Summary`] ([`measured_human`] and
//! its kin).
//!
//! **Invariant:** the same report gives the same bytes in every format (no
//! dates, no wall-clock, no hash-ordered iteration).

mod capacity;
mod charts;
pub mod drift;
mod html;
mod load;
mod markdown;
mod measured;
pub mod replications;
pub mod run;
pub mod table;
mod text;

use mlspec_drift::quality::QualityOutcome;
use mlspec_ir::{Design, Scenario};
use mlspec_sim::summary::{fmt_ms, SloResult};
use mlspec_sim::LoadReport;
use replications::Intervals;
use serde::Serialize;

pub use capacity::{capacity_human, capacity_markdown, capacity_verdict};
pub use html::html;
pub use measured::{measured_html, measured_human, measured_markdown, measured_verdict};

/// What `mlspec simulate` reports: the load run when the spec has a
/// realtime serving, the drift run when the scenario drifts, or both.
/// JSON has the load report's fields at the top level and the `drift` and
/// `quality` objects beside them.
#[derive(Clone, Debug, Serialize)]
pub struct Simulation {
    #[serde(skip)]
    pub system: String,
    #[serde(skip)]
    pub scenario: String,
    #[serde(skip)]
    pub seed: u64,
    #[serde(flatten)]
    pub load: Option<LoadReport>,
    /// Serialised as the `drift` and `quality` objects.
    #[serde(flatten)]
    pub quality: Option<QualityOutcome>,
    /// The replica count at the load run's peak, as `mlspec capacity` finds
    /// it with the same options (absent when it finds none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<mlspec_ir::capacity::Sizing>,
    /// Independent replications behind the figures (1: a single run, and
    /// neither this nor `intervals` is in the JSON).
    #[serde(skip_serializing_if = "is_one")]
    pub replications: u32,
    /// Each replicated figure's 95% interval, by its dotted JSON path.
    #[serde(skip_serializing_if = "Intervals::is_empty")]
    pub intervals: Intervals,
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

impl Simulation {
    pub fn new(d: &Design, scenario: Option<&Scenario>, load: Option<LoadReport>, quality: Option<QualityOutcome>) -> Simulation {
        let seed = load.as_ref().map_or_else(|| mlspec_ir::traffic::run_seed(None, scenario), |l| l.seed);
        Simulation {
            system: d.name.clone(),
            scenario: load
                .as_ref()
                .map(|l| l.scenario.clone())
                .or(scenario.map(|s| s.name.clone()))
                .unwrap_or_else(|| mlspec_ir::traffic::DEFAULT_SCENARIO.into()),
            seed,
            load,
            quality,
            capacity: None,
            replications: 1,
            intervals: Intervals::default(),
        }
    }

    /// The capacity sentence under the load figures: the count every command
    /// prints, and why the simulated autoscaler's own maximum may differ.
    pub fn capacity_line(&self) -> Option<String> {
        let z = self.capacity.as_ref()?;
        use mlspec_sim::plan::{AUTOSCALE_PERIOD_S, AUTOSCALE_TOLERANCE, SCALE_DOWN_WINDOW_S};
        let autoscaled = self.load.as_ref().is_some_and(|l| l.replicas.min != l.replicas.max);
        let why = if autoscaled {
            format!(
                " The replicas above are the autoscaler's as simulated (Kubernetes HPA: {} period, {} tolerance, {} scale-down window), which lags a burst and then holds its fleet, so its maximum can differ from this count.",
                mlspec_ir::numbers::dur(AUTOSCALE_PERIOD_S),
                mlspec_ir::numbers::pct(AUTOSCALE_TOLERANCE),
                mlspec_ir::numbers::dur(SCALE_DOWN_WINDOW_S)
            )
        } else {
            String::new()
        };
        Some(format!("Capacity: {}; {}.{why}", z.sentence(), z.fleet()))
    }
}

/// The report for a terminal.
pub fn human(sim: &Simulation) -> String {
    let mut s = match &sim.load {
        Some(r) => text::human(r, &sim.intervals, &replications_line(sim)),
        None => {
            format!("{} · scenario `{}` · seed {}\n\n{}\n{}\n", sim.system, sim.scenario, sim.seed, verdict(sim), replications_line(sim))
        }
    };
    if let Some(line) = sim.capacity_line() {
        s.push_str(&format!("\n{line}\n"));
    }
    if let Some(q) = &sim.quality {
        if sim.load.is_some() {
            s.push_str(&format!("\n{}\n", drift::drift_verdict_in(q, &sim.intervals)));
        }
        s.push_str(&drift::text(q, &sim.intervals));
    }
    s
}

pub fn markdown(sim: &Simulation) -> String {
    let mut s = match &sim.load {
        Some(r) => markdown::markdown(r, &sim.intervals, &replications_line(sim)),
        None => format!("# Simulation: {}\n\nScenario `{}`, seed {}. {}\n", sim.system, sim.scenario, sim.seed, replications_line(sim)),
    };
    if let Some(line) = sim.capacity_line() {
        s.push_str(&format!("\n{line}\n"));
    }
    if let Some(q) = &sim.quality {
        s.push_str(&drift::markdown(q, &sim.intervals));
    }
    s
}

/// JSON, pretty-printed, ending with a newline.
pub fn json<T: serde::Serialize>(r: &T) -> String {
    let mut s = serde_json::to_string_pretty(r).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// The verdict on top of every report: load, then drift, one line each.
pub fn verdict(sim: &Simulation) -> String {
    let iv = &sim.intervals;
    let lines: Vec<String> =
        sim.load.iter().map(|r| load_verdict_in(r, iv)).chain(sim.quality.iter().map(|q| drift::drift_verdict_in(q, iv))).collect();
    lines.join("\n")
}

/// How the figures were made, in one line: a single run, with the hint
/// that `--replications N` gives intervals, or the replications and the
/// method of their intervals.
pub fn replications_line(sim: &Simulation) -> String {
    let n = sim.replications;
    if n <= 1 {
        return format!("One run (seed {}); `--replications N` gives 95% intervals.", sim.seed);
    }
    let others = if n == 2 { "one seed".to_string() } else { format!("{} seeds", group(u64::from(n - 1))) };
    format!(
        "Means of {} independent replications (seed {} and {others} derived from it), each with its 95% Student t interval [low, high] (left out where it rounds to the figure); timelines, charts, worst windows, monitors, retrains and offline metrics are replication 0's (seed {}).",
        group(u64::from(n)),
        sim.seed,
        sim.seed
    )
}

/// The one-line verdict of a load run.
pub fn load_verdict(r: &LoadReport) -> String {
    load_verdict_in(r, &Intervals::default())
}

/// The verdict of a load run with its figures' intervals, when replicated.
pub fn load_verdict_in(r: &LoadReport, iv: &Intervals) -> String {
    let mut v = slo_verdict_in(&r.slo, r.slo_met, iv);
    let cost = r.cost_per_month.map(|c| format!(", {}{}/month", money(c), iv.bracket("cost_per_month", money))).unwrap_or_default();
    v.push_str(&format!(
        "; {}{} replicas on average (max {}){cost}",
        trim1(r.replicas.mean),
        iv.bracket("replicas.mean", |x| format!("{x:.2}")),
        r.replicas.max
    ));
    let lost = r.fallbacks + r.rejected + r.errors;
    if lost > 0 {
        let share = lost as f64 / r.requests.max(1) as f64 * 100.0;
        v.push_str(&format!(
            "; {} of requests not answered by the model ({}{} fallbacks, {}{} rejected, {}{} errors)",
            pct(share),
            group(r.fallbacks),
            iv.bracket("fallbacks", count_bound),
            group(r.rejected),
            iv.bracket("rejected", count_bound),
            group(r.errors),
            iv.bracket("errors", count_bound)
        ));
    }
    v
}

/// A bound of a count's interval: one decimal below 100, whole above.
pub fn count_bound(x: f64) -> String {
    if x.abs() < 100.0 {
        trim1(x)
    } else {
        group(x.round().max(0.0) as u64)
    }
}

/// A latency with its interval, the bounds in the figure's unit:
/// `11.4 ms [10.9, 11.9]`, or to the µs when the bounds would print the
/// same (`11.376 ms [11.373, 11.379]`); the figure alone without an
/// interval or when it did not vary.
pub fn ms_in(v: f64, iv: &Intervals, path: &str) -> String {
    let figure = fmt_ms(v);
    let Some([lo, hi]) = iv.get(path).filter(|[lo, hi]| lo < hi) else { return figure };
    let unit = if figure.ends_with(" ms") { " ms" } else { " s" };
    let (l, h) = (fmt_ms(lo), fmt_ms(hi));
    match (l.strip_suffix(unit), h.strip_suffix(unit)) {
        _ if l == h => format!("{v} ms [{lo}, {hi}]"),
        (Some(l), Some(h)) => format!("{figure} [{l}, {h}]"),
        _ => format!("{figure} [{l}, {h}]"),
    }
}

/// The declared traffic: `1,000 rps at the trough, 3,000 at the peak (19h);
/// burst 5x at 12h for 10m`.
pub fn traffic_line(r: &LoadReport) -> String {
    let mut line = mlspec_ir::traffic::describe_rate(r.base_rps, r.daily_curve.as_ref().map(|c| (c.factor, c.peak_at_s)));
    for b in &r.bursts {
        line.push_str(&format!("; burst {}x at {} for {}", trim1(b.factor), duration(b.from_s), duration(b.to_s - b.from_s)));
    }
    line
}

/// Why requests were not answered by the model, by cause: timeouts, the
/// declared outages they ran into, rejections. `None` when all were.
pub fn loss_causes(r: &LoadReport) -> Option<String> {
    let mut causes = Vec::new();
    if r.timed_out > 0 {
        causes.push(format!("{} timed out", group(r.timed_out)));
    }
    if r.failed_in_outage > 0 {
        let windows: Vec<String> =
            r.outages.iter().map(|o| format!("`{}` down at {} for {}", o.stage, duration(o.from_s), duration(o.to_s - o.from_s))).collect();
        let answered = if r.fallbacks > r.timed_out { "answered by the fallback" } else { "errors" };
        causes.push(format!("{} reached a stage while it was down ({}), {answered}", group(r.failed_in_outage), windows.join(", ")));
    }
    if r.rejected > 0 {
        causes.push(format!("{} rejected (the queue was full, or no replica was serving)", group(r.rejected)));
    }
    (!causes.is_empty()).then(|| format!("Not answered by the model: {}", causes.join("; ")))
}

/// What a calibrated replica's interpreters did, for people: `interpreters:
/// 1 per replica, busy 91% of the time; 4,812 batches of 2.8 requests on
/// average` (to set beside the server's CPU time and batches).
pub fn interpreters_line(r: &LoadReport) -> Option<String> {
    let i = r.interpreters.as_ref()?;
    Some(format!(
        "interpreters: {} per replica, busy {} of the time; {} batches of {} requests on average",
        i.per_replica,
        pct(r.utilization * 100.0),
        group(i.batches),
        trim1(i.mean_batch)
    ))
}

/// The percentile of a latency constraint: `p99` of `latency p99 < 50 ms`.
pub fn percentile_label(constraint: &str) -> &str {
    constraint.split_whitespace().nth(1).unwrap_or("")
}

/// The SLO part of a load verdict: `SLO met: p99 12 ms ≤ 50 ms (38 ms to
/// spare), …`, `SLO MISSED: …`, or `No latency SLO declared`.
fn slo_verdict(slo: &[SloResult], met: bool) -> String {
    slo_verdict_in(slo, met, &Intervals::default())
}

/// The SLO verdict with each value's interval (`p99 11.4 ms [10.9, 11.9]
/// ≤ 100 ms`), saying when an interval straddles the limit.
fn slo_verdict_in(slo: &[SloResult], met: bool, iv: &Intervals) -> String {
    let mut parts = Vec::new();
    for (k, s) in slo.iter().enumerate() {
        let (word, gap) = if s.met { ("≤", s.limit_ms - s.value_ms) } else { (">", s.value_ms - s.limit_ms) };
        let label = percentile_label(&s.constraint);
        let path = format!("slo.{k}.value_ms");
        let mut how = if s.met { format!("{} to spare", fmt_ms(gap)) } else { format!("over by {}", fmt_ms(gap)) };
        if iv.get(&path).is_some_and(|[lo, hi]| lo <= s.limit_ms && s.limit_ms <= hi) {
            how.push_str(&format!("; the 95% interval straddles the limit: not settled at {} replications", iv.replications));
        }
        parts.push(format!("{label} {} {word} {} ({how})", ms_in(s.value_ms, iv, &path), fmt_ms(s.limit_ms)));
    }
    let head = match (slo.is_empty(), met) {
        (true, _) => "No latency SLO declared".to_string(),
        (false, true) => "SLO met".to_string(),
        (false, false) => "SLO MISSED".to_string(),
    };
    if parts.is_empty() {
        head
    } else {
        format!("{head}: {}", parts.join(", "))
    }
}

pub use mlspec_ir::numbers::money;

/// `1,234,567` (the review's number format, for counts).
pub fn group(n: u64) -> String {
    mlspec_ir::numbers::count(n as f64)
}

pub fn pct(p: f64) -> String {
    if p >= 10.0 || p == 0.0 {
        format!("{p:.0}%")
    } else if p >= 0.1 {
        format!("{p:.1}%")
    } else {
        format!("{p:.3}%")
    }
}

pub fn trim1(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// `24h`, `90m`, `45s`, `1.5s`.
pub fn duration(s: f64) -> String {
    if s >= 86_400.0 && (s / 86_400.0).fract() == 0.0 {
        format!("{}d", s / 86_400.0)
    } else if s >= 3600.0 {
        format!("{}h", trim1(s / 3600.0))
    } else if s >= 60.0 {
        format!("{}m", trim1(s / 60.0))
    } else {
        format!("{}s", trim1(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(group(1_234_567), "1,234,567");
        assert_eq!(group(12), "12");
        assert_eq!(money(905.4), "$905");
        assert_eq!(money(1234.0), "$1,234");
        assert_eq!(money(3.5), "$3.50");
        assert_eq!(duration(86_400.0), "1d");
        assert_eq!(duration(5400.0), "1.5h");
        assert_eq!(pct(0.05), "0.050%");
    }
}
