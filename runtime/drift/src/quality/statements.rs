//! Scenario events and monitors written back as spec statements, for the
//! report (`drift transactions.amount shift mean +30% from 3d`).

use mlspec_ir::numbers::human_duration;
use mlspec_ir::numbers::pct;
use mlspec_ir::{MonitorKind, ScenarioEvent};

pub fn event_statement(e: &ScenarioEvent) -> String {
    match e {
        ScenarioEvent::Shift { field, moment, by, from_s } => {
            format!("drift {field} shift {moment} {}{} from {}", if *by >= 0.0 { "+" } else { "" }, pct(*by), human_duration(*from_s))
        }
        ScenarioEvent::Mix { field, weights, from_s } => {
            let w: Vec<String> = weights.iter().map(|(k, v)| format!("{k}: {}", pct(*v))).collect();
            format!("drift {field} mix {{ {} }} from {}", w.join(", "), human_duration(*from_s))
        }
        ScenarioEvent::ConceptDrift { strength, from_s } => format!("concept_drift strength {strength} from {}", human_duration(*from_s)),
        ScenarioEvent::PriorShift { field, rate, from_s } => {
            format!("prior_shift {field} {} from {}", pct(*rate), human_duration(*from_s))
        }
        ScenarioEvent::Burst { factor, at_s, for_s } => {
            format!("burst {factor}x at {} for {}", human_duration(*at_s), human_duration(*for_s))
        }
        ScenarioEvent::Outage { stage, at_s, for_s, .. } => {
            format!("outage {stage} at {} for {}", human_duration(*at_s), human_duration(*for_s))
        }
    }
}

fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

pub fn monitor_statement(k: &MonitorKind) -> String {
    match k {
        MonitorKind::Drift { feature, statistic, p_value, cmp, threshold, every_s } => {
            let every = every_s.map(|e| format!(" every {}", human_duration(e))).unwrap_or_default();
            let p = if *p_value { "p " } else { "" };
            format!("drift {feature} using {statistic} {p}{} {}{every}", cmp.as_str(), fmt_num(*threshold))
        }
        MonitorKind::Performance { metric, cmp, threshold, window_s, retrain } => {
            let action = if *retrain { " action retrain" } else { "" };
            format!("performance {metric} {} {} window {}{action}", cmp.as_str(), fmt_num(*threshold), human_duration(*window_s))
        }
        MonitorKind::Latency { label, max_s, window_s, .. } => {
            format!("latency {label} > {} window {}", human_duration(*max_s), human_duration(*window_s))
        }
        MonitorKind::Errors { rate, window_s } => format!("errors rate > {} window {}", pct(*rate), human_duration(*window_s)),
        MonitorKind::Retrain { every_s } => format!("retrain every {}", human_duration(*every_s)),
    }
}
