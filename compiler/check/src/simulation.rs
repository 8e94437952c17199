//! What a simulation runs on: the serving, the scenario (declared or the
//! default one) and the empirical latency files, chosen and checked here so
//! that the runtime receives a design it can always simulate.
//!
//! Pure: files are read through the `read` callback the caller passes.
//!
//! **Invariant:** `target` returns `Ok` only when the serving is realtime, a
//! positive arrival rate is known, and every `empirical` file parsed into at
//! least one non-negative latency.

use mlspec_diag::Diagnostic;
use mlspec_ir::traffic::{expected_requests, Only, Parts, Target, MAX_REQUESTS};
use mlspec_ir::{Design, LatencyDist, MonitorKind, Scenario, Serving, ServingMode};
use std::collections::BTreeMap;

/// A name given on the command line that the spec does not declare.
#[derive(Clone, Debug, PartialEq)]
pub struct UnknownName {
    pub what: &'static str,
    pub name: String,
    pub known: Vec<String>,
    pub suggestion: Option<String>,
}

pub enum TargetError {
    /// The command line named something that is not in the spec.
    Unknown(UnknownName),
    /// The spec cannot be simulated as it is.
    Spec(Vec<Diagnostic>),
}

fn unknown(what: &'static str, name: &str, known: Vec<String>) -> TargetError {
    let suggestion = mlspec_ir::vocab::did_you_mean(name, known.iter().map(String::as_str)).map(str::to_string);
    TargetError::Unknown(UnknownName { what, name: name.to_string(), known, suggestion })
}

/// The scenario named on the command line, else the first one; `None` is
/// the default scenario of a spec that declares none.
pub fn scenario_index(d: &Design, scenario: Option<&str>) -> Result<Option<usize>, TargetError> {
    match scenario {
        Some(name) => match d.scenarios.iter().position(|s| s.name == name) {
            Some(i) => Ok(Some(i)),
            None => Err(unknown("scenario", name, d.scenarios.iter().map(|s| s.name.clone()).collect())),
        },
        None => Ok((!d.scenarios.is_empty()).then_some(0)),
    }
}

/// What `mlspec simulate` was asked to run.
pub struct Request<'a> {
    /// A realtime serving named on the command line (default: the first).
    pub serving: Option<&'a str>,
    /// A scenario named on the command line (default: the first).
    pub scenario: Option<&'a str>,
    /// Bounds the load run instead of the scenario's end.
    pub requests: Option<u64>,
    pub only: Option<Only>,
    /// A drift run's length was given: the drift part runs even when the
    /// scenario does not drift.
    pub drift_length_given: bool,
    /// Reads an `empirical` latency file named in the spec.
    pub read: &'a dyn Fn(&str) -> Result<String, String>,
}

/// Chooses the parts of a simulation. Load runs unless only drift is
/// asked for; drift runs when the scenario drifts, when it is a calm stretch
/// of a day or more watched by drift or quality monitors (to show how often
/// they fire by chance), when a drift run's length is given, or when only
/// drift is asked for. A spec without a realtime serving (E0501 alone)
/// still gets its drift part then, unless load was asked for explicitly.
pub fn parts(d: &Design, req: &Request<'_>) -> Result<Parts, TargetError> {
    let scenario = scenario_index(d, req.scenario)?;
    let sc = scenario.and_then(|i| d.scenarios.get(i));
    let drifts = sc.is_some_and(Scenario::drifts) || sc.is_some_and(|s| calm_and_watched(d, s)) || req.drift_length_given;
    let want_load = req.only != Some(Only::Drift);
    let want_drift = req.only != Some(Only::Load) && (drifts || req.only == Some(Only::Drift));
    let load = if want_load {
        match target(d, req.serving, req.scenario, req.requests, req.read) {
            Ok(t) => Some(t),
            Err(TargetError::Spec(diags)) if want_drift && req.only.is_none() && diags.iter().all(|x| x.code == "E0501") => None,
            Err(e) => return Err(e),
        }
    } else {
        None
    };
    Ok(Parts { scenario, load, drift: want_drift })
}

/// At least a day long, and some monitor watches drift or model quality.
fn calm_and_watched(d: &Design, s: &Scenario) -> bool {
    const DAY_S: f64 = 86_400.0;
    let watched = d.monitors.iter().any(|m| matches!(m.kind, MonitorKind::Drift { .. } | MonitorKind::Performance { .. }));
    watched && s.duration_s.is_some_and(|t| t >= DAY_S)
}

/// Chooses and checks what to simulate. `serving`/`scenario` are names from
/// the command line; by default the first realtime serving and the first
/// scenario. `requests`, from the command line, bounds the run instead of
/// the scenario.
pub fn target(
    d: &Design,
    serving: Option<&str>,
    scenario: Option<&str>,
    requests: Option<u64>,
    read: &dyn Fn(&str) -> Result<String, String>,
) -> Result<Target, TargetError> {
    let serving_idx = match serving {
        Some(name) => match d.servings.iter().position(|s| s.name == name) {
            Some(i) => i,
            None => return Err(unknown("serving", name, d.servings.iter().map(|s| s.name.clone()).collect())),
        },
        None => match d.servings.iter().position(|s| s.mode == Some(ServingMode::Realtime)) {
            Some(i) => i,
            None => {
                let (span, msg) = match d.servings.first() {
                    Some(s) => (s.name_span, format!("serving `{}` is not realtime: the load simulation has no queue to model", s.name)),
                    None => (d.span, format!("system `{}` has no serving block to simulate", d.name)),
                };
                return Err(TargetError::Spec(vec![Diagnostic::new("E0501", span, msg).help(
                    "declare a serving with `mode realtime`, stages and replicas; batch jobs are sized by their schedule, not by a queue",
                )]));
            }
        },
    };
    let scenario_idx = scenario_index(d, scenario)?;
    let mut diags = Vec::new();
    let Some(s) = d.servings.get(serving_idx) else {
        return Err(TargetError::Spec(diags));
    };
    if s.mode != Some(ServingMode::Realtime) {
        diags.push(
            Diagnostic::new(
                "E0501",
                s.name_span,
                format!("serving `{}` is not realtime: the load simulation has no queue to model", s.name),
            )
            .help("simulate a serving with `mode realtime`"),
        );
    }
    if s.stages.is_empty() {
        diags.push(
            Diagnostic::new("E0501", s.name_span, format!("serving `{}` has no stages: a request would take no time", s.name))
                .help("declare its stages in order, like `stage score { model gbdt }`"),
        );
    }
    let sc = scenario_idx.and_then(|i| d.scenarios.get(i));
    let rate = sc.and_then(|sc| sc.traffic.as_ref()).map(|t| t.rate_rps).or(d.constraints.throughput_rps);
    if rate.is_none() {
        let (span, what) = match sc {
            Some(sc) => (sc.name_span, format!("scenario `{}` has no `traffic`", sc.name)),
            None => (d.span, format!("system `{}` declares no scenario", d.name)),
        };
        diags.push(
            Diagnostic::new("E0502", span, format!("{what} and the constraints give no `throughput`: no arrival rate to simulate"))
                .help("add `traffic poisson 1000 rps` to the scenario, or `throughput 1000 rps` to `constraints`"),
        );
    }
    if let (Some(sc), Some(rate), None) = (sc, rate, requests) {
        let expected = expected_requests(sc, rate);
        if expected > MAX_REQUESTS {
            diags.push(
                Diagnostic::new(
                    "E0504",
                    sc.name_span,
                    format!(
                        "scenario `{}` would simulate about {:.1e} requests, more than the {:.0e} a run may take",
                        sc.name, expected, MAX_REQUESTS
                    ),
                )
                .help("shorten `duration`, set `requests`, run a part of it with `--requests 10M`, or run only the weeks of drift and model quality with `--only drift`"),
            );
        }
    }
    let empirical = empirical_files(d, s, read, &mut diags);
    if !diags.is_empty() {
        return Err(TargetError::Spec(diags));
    }
    Ok(Target { serving: serving_idx, scenario: scenario_idx, rate_rps: rate.unwrap_or(0.0), empirical })
}

/// Reads every `empirical("file")` latency the serving uses (stages and
/// their models), reporting unreadable or malformed files at the stage.
fn empirical_files(
    d: &Design,
    s: &Serving,
    read: &dyn Fn(&str) -> Result<String, String>,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Vec<f64>> {
    let mut out = BTreeMap::new();
    for st in &s.stages {
        let model_latency = st.model.as_deref().and_then(|m| d.model(m)).and_then(|m| m.latency.as_ref());
        let Some(LatencyDist::Empirical { file }) = st.latency.as_ref().or(model_latency) else {
            continue;
        };
        if out.contains_key(file) {
            continue;
        }
        let parsed = read(file).and_then(|text| parse_latency_ms(&text).map_err(|(line, e)| format!("line {line}: {e}")));
        match parsed {
            Ok(values) => {
                out.insert(file.clone(), values);
            }
            Err(e) => diags.push(
                Diagnostic::new("E0503", st.span, format!("stage `{}`: cannot use the latency file \"{file}\": {e}", st.name))
                    .help("give one latency in milliseconds per line (a CSV's first column; one header line is allowed), relative to the spec's folder"),
            ),
        }
    }
    out
}

/// Parses an empirical latency file: one value per line in milliseconds (the
/// first column of a CSV; a first line that is not a number is a header).
/// Returns the values in seconds, or the 1-based line of the first bad value.
pub fn parse_latency_ms(text: &str) -> Result<Vec<f64>, (usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let cell = line.split(',').next().unwrap_or("").trim();
        if cell.is_empty() {
            continue;
        }
        match cell.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => out.push(v / 1000.0),
            Ok(_) => return Err((i + 1, format!("`{cell}` is not a latency (a non-negative number of milliseconds)"))),
            Err(_) if i == 0 => {} // header
            Err(_) => return Err((i + 1, format!("`{cell}` is not a number"))),
        }
    }
    if out.is_empty() {
        return Err((1, "the file has no latency values".to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_files() {
        assert_eq!(parse_latency_ms("latency_ms\n1\n2.5,x\n\n"), Ok(vec![0.001, 0.0025]));
        assert!(matches!(parse_latency_ms("1\nabc\n"), Err((2, _))));
        assert!(matches!(parse_latency_ms("1\n-3\n"), Err((2, _))));
        assert!(parse_latency_ms("header\n").is_err());
    }

    const FRAUD: &str = include_str!("../../../specs/fraud_detection.mlspec");
    const SPAM: &str = include_str!("../../../specs/spam_filter.mlspec");

    fn parts_of(src: &str, only: Option<Only>, drift_length_given: bool) -> Result<Parts, TargetError> {
        let design = crate::check_source(src).design().unwrap_or_else(|diags| panic!("{diags:?}"));
        let read = |_: &str| Err("no files here".to_string());
        parts(&design, &Request { serving: None, scenario: None, requests: None, only, drift_length_given, read: &read })
    }

    fn runs(p: &Result<Parts, TargetError>) -> (bool, bool) {
        match p {
            Ok(p) => (p.load.is_some(), p.drift),
            Err(_) => panic!("no parts"),
        }
    }

    #[test]
    fn a_drifting_scenario_runs_both_parts_unless_one_is_asked_for() {
        assert_eq!(runs(&parts_of(FRAUD, None, false)), (true, true));
        assert_eq!(runs(&parts_of(FRAUD, Some(Only::Load), false)), (true, false));
        assert_eq!(runs(&parts_of(FRAUD, Some(Only::Drift), false)), (false, true));
    }

    #[test]
    fn a_calm_day_watched_by_monitors_runs_the_drift_part() {
        let calm: String = FRAUD
            .lines()
            .filter(|l| !["drift transactions.", "concept_drift", "prior_shift"].iter().any(|d| l.trim_start().starts_with(d)))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(runs(&parts_of(&calm, None, false)), (true, true), "24h with drift and performance monitors");
        let hours = calm.replacen("duration 24h", "duration 23h", 1);
        assert_eq!(runs(&parts_of(&hours, None, false)), (true, false), "shorter than a day");
        assert_eq!(runs(&parts_of(&hours, None, true)), (true, true), "unless a length is given");
        let unwatched: String = calm
            .lines()
            .filter(|l| !["drift ", "performance "].iter().any(|d| l.trim_start().starts_with(d)))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(runs(&parts_of(&unwatched, None, false)), (true, false), "no drift or quality monitor");
    }

    #[test]
    fn without_a_realtime_serving_drift_runs_alone_unless_load_is_asked_for() {
        assert_eq!(runs(&parts_of(SPAM, None, false)), (false, true));
        match parts_of(SPAM, Some(Only::Load), false) {
            Err(TargetError::Spec(d)) => assert!(!d.is_empty() && d.iter().all(|d| d.code == "E0501")),
            _ => panic!("load alone must be refused with E0501"),
        }
    }
}
