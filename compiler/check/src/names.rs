//! Pass 3: names that must be unique (also ignoring case, since they become
//! Python identifiers and file names) and must be safe as code.

use super::args::Diags;
use mlspec_diag::span::Span;
use mlspec_diag::Diagnostic;
use mlspec_ir::vocab::is_python_reserved;
use mlspec_ir::{Design, Draft};
use std::collections::BTreeMap;

pub fn check(d: &Design<Draft>, diags: &mut Diags) {
    unique("metric", d.metrics.iter().map(|m| (m.name.as_str(), m.span)), diags);
    unique("source", d.sources.iter().map(|s| (s.name.as_str(), s.name_span)), diags);
    for s in &d.sources {
        unique_in("field", &format!("source `{}`", s.name), s.fields.iter().map(|f| (f.name.as_str(), f.span)), diags);
    }
    unique("feature", d.features.iter().map(|f| (f.name.as_str(), f.name_span)), diags);
    unique("model", d.models.iter().map(|m| (m.name.as_str(), m.name_span)), diags);
    unique("serving", d.servings.iter().map(|s| (s.name.as_str(), s.name_span)), diags);
    for s in &d.servings {
        unique_in("stage", &format!("serving `{}`", s.name), s.stages.iter().map(|st| (st.name.as_str(), st.span)), diags);
    }
    unique("experiment", d.experiments.iter().map(|e| (e.name.as_str(), e.name_span)), diags);
    unique("scenario", d.scenarios.iter().map(|s| (s.name.as_str(), s.name_span)), diags);

    let code_names = std::iter::once(("system", d.name.as_str(), d.span))
        .chain(d.sources.iter().map(|s| ("source", s.name.as_str(), s.name_span)))
        .chain(d.sources.iter().flat_map(|s| s.fields.iter().map(|f| ("field", f.name.as_str(), f.span))))
        .chain(d.features.iter().map(|f| ("feature", f.name.as_str(), f.name_span)))
        .chain(d.models.iter().map(|m| ("model", m.name.as_str(), m.name_span)))
        .chain(d.servings.iter().map(|s| ("serving", s.name.as_str(), s.name_span)))
        .chain(d.servings.iter().flat_map(|s| s.stages.iter().map(|st| ("stage", st.name.as_str(), st.span))))
        .chain(d.experiments.iter().map(|e| ("experiment", e.name.as_str(), e.name_span)))
        .chain(d.scenarios.iter().map(|s| ("scenario", s.name.as_str(), s.name_span)));
    for (what, name, span) in code_names {
        if is_python_reserved(name) {
            diags.push(
                Diagnostic::new("E0202", span, format!("the {what} name `{name}` is a Python keyword"))
                    .help(format!("names become Python identifiers: rename it, e.g. `{name}_{what}`")),
            );
        }
    }
}

fn unique<'a>(what: &str, names: impl Iterator<Item = (&'a str, Span)>, diags: &mut Diags) {
    unique_in(what, "", names, diags);
}

/// Duplicates among names of one kind, within `scope` (empty: the system).
fn unique_in<'a>(what: &str, scope: &str, names: impl Iterator<Item = (&'a str, Span)>, diags: &mut Diags) {
    let of = if scope.is_empty() { String::new() } else { format!(" of {scope}") };
    let mut seen: BTreeMap<String, (&'a str, Span)> = BTreeMap::new();
    for (name, span) in names {
        if name.is_empty() {
            continue;
        }
        match seen.get(&name.to_ascii_lowercase()) {
            Some(&(first, first_span)) => {
                let msg = if first == name {
                    format!("the {what} `{name}`{of} is declared twice")
                } else {
                    format!("the {what} `{name}`{of} differs from `{first}` only by case")
                };
                diags.push(
                    Diagnostic::new("E0201", span, msg)
                        .label(first_span, "first declared here")
                        .help("names must be unique, also ignoring case: rename one of them"),
                );
            }
            None => {
                seen.insert(name.to_ascii_lowercase(), (name, span));
            }
        }
    }
}
