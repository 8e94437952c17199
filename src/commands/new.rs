//! `mlspec new NAME [--template T]` and `mlspec new --list`: a new spec
//! from one of the example systems (compiled into the binary) or from a
//! commented skeleton that walks through the framework.

use crate::failure::{Failure, Outcome, Status};
use crate::io;
use mlspec_check::check_source;

/// The commented skeleton: every step of the framework, checks clean.
pub const SKELETON: &str = include_str!("../../templates/new/skeleton.mlspec");

/// The example systems, by name (the spec's file name in `specs/`).
pub const TEMPLATES: &[(&str, &str)] = &[
    ("ad_click_prediction", include_str!("../../specs/ad_click_prediction.mlspec")),
    ("customer_churn", include_str!("../../specs/customer_churn.mlspec")),
    ("demand_forecasting", include_str!("../../specs/demand_forecasting.mlspec")),
    ("feed_ranking", include_str!("../../specs/feed_ranking.mlspec")),
    ("food_delivery_eta", include_str!("../../specs/food_delivery_eta.mlspec")),
    ("fraud_detection", include_str!("../../specs/fraud_detection.mlspec")),
    ("predictive_maintenance", include_str!("../../specs/predictive_maintenance.mlspec")),
    ("product_recommendation", include_str!("../../specs/product_recommendation.mlspec")),
    ("realtime_fraud_detection", include_str!("../../specs/realtime_fraud_detection.mlspec")),
    ("rental_search_ranking", include_str!("../../specs/rental_search_ranking.mlspec")),
    ("ride_pricing", include_str!("../../specs/ride_pricing.mlspec")),
    ("spam_filter", include_str!("../../specs/spam_filter.mlspec")),
    ("streaming_content_recommendation", include_str!("../../specs/streaming_content_recommendation.mlspec")),
    ("toxic_comment_detection", include_str!("../../specs/toxic_comment_detection.mlspec")),
    ("video_recommendation", include_str!("../../specs/video_recommendation.mlspec")),
];

/// The first line of a template's doc comment, for `--list`.
fn summary(text: &str) -> &str {
    text.lines().find_map(|l| l.trim().strip_prefix("///")).map_or("", str::trim)
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic()) && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The template's text with its system renamed to `name`.
/// The template a mistyped name most likely meant: within a small edit
/// distance or a prefix (`vocab::did_you_mean`), else the one it is part of
/// (`search_ranking` -> `rental_search_ranking`).
fn nearest_template(wanted: &str) -> Option<&'static str> {
    let names = || TEMPLATES.iter().map(|(n, _)| *n).chain(["skeleton"]);
    mlspec_ir::vocab::did_you_mean(wanted, names())
        .or_else(|| (wanted.len() >= 4).then(|| names().filter(|n| n.contains(wanted)).min()).flatten())
}

pub fn instantiate(template: &str, name: &str) -> Option<String> {
    let text = if template == "skeleton" { SKELETON } else { TEMPLATES.iter().find(|(n, _)| *n == template)?.1 };
    let mut out = String::with_capacity(text.len());
    let mut renamed = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if !renamed && trimmed.starts_with("system ") {
            let brace = trimmed.find('{').unwrap_or(trimmed.len());
            out.push_str(&format!("system {name} {}", trimmed.get(brace..).unwrap_or("{\n")));
            renamed = true;
        } else {
            out.push_str(line);
        }
    }
    Some(out)
}

pub fn run(name: Option<&str>, template: &str, list: bool) -> Outcome {
    if list {
        let mut s = format!("{:<36} {}\n", "skeleton", "a commented skeleton that walks through the framework (default)");
        for (n, text) in TEMPLATES {
            s.push_str(&format!("{n:<36} {}\n", summary(text)));
        }
        io::print(&s);
        return Ok(Status::Clean);
    }
    let Some(name) = name else {
        return Err(Failure::Usage(
            "give the new system a name: `mlspec new NAME [--template T]`; `mlspec new --list` lists the templates".to_string(),
        ));
    };
    if !valid_name(name) {
        return Err(Failure::Usage(format!(
            "`{name}` is not a valid system name: use an ASCII letter followed by letters, digits and `_`"
        )));
    }
    let Some(text) = instantiate(template, name) else {
        let near = nearest_template(template).map(|n| format!(": did you mean `{n}`?")).unwrap_or_default();
        return Err(Failure::Usage(format!("no template `{template}`{near}; `mlspec new --list` lists them")));
    };
    let errors: Vec<String> =
        check_source(&text).diagnostics.iter().filter(|d| d.is_error()).map(|d| format!("{}: {}", d.code, d.message)).collect();
    if !errors.is_empty() {
        return Err(Failure::Usage(format!("`{name}` cannot name a system: {}", errors.join("; "))));
    }
    let path = format!("{name}.mlspec");
    io::write_new(&path, &text).map_err(Failure::Usage)?;
    eprintln!("wrote {path} (from {template}); next: `mlspec check {path}` and `mlspec review {path}`");
    Ok(Status::Clean)
}
