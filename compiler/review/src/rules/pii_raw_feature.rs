use super::Rule;
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::{Design, FeatureExpr, FeatureFunction, FieldType, WindowFunction};

pub const RULE: Rule = Rule {
    id: "pii-raw-feature",
    step: Step::Features,
    severity: Severity::Critical,
    triggers: "a feature that a model uses reads a `pii` field as it is: not inside `hash`, `embedding`, `bucketize`, `distance`, a window aggregation (`count`, `sum`, `mean`, `min`, `max`, `distinct_count`) or a comparison; features read through other features are followed",
    question: "This feature carries personal data as it is. Do you need the raw value? What happens when a user asks to be deleted?",
    check,
};

/// Whether a function's output hides the raw value of its input (a hash,
/// an embedding, an aggregate, a distance, a bucket). Exhaustive, so a new
/// function is classified here before the review compiles.
fn protects(f: FeatureFunction) -> bool {
    use FeatureFunction as F;
    use WindowFunction as W;
    match f {
        F::Hash | F::Embedding | F::Distance | F::Bucketize => true,
        F::Window(W::Count | W::Sum | W::Mean | W::Min | W::Max | W::DistinctCount) => true,
        F::Window(W::Last) => false,
        F::Log1p
        | F::Standardize
        | F::Minmax
        | F::Clip
        | F::Onehot
        | F::Tfidf
        | F::Fill
        | F::HourOfDay
        | F::DayOfWeek
        | F::DaysSince
        | F::Cross => false,
    }
}

/// The pii fields an expression reads as they are (outside hashing or
/// aggregation), following other features it reads unprotected.
fn raw_pii<'d>(d: &'d Design, e: &'d FeatureExpr, depth: usize, out: &mut Vec<(String, String)>) {
    if depth > 64 {
        return;
    }
    match e {
        FeatureExpr::Field { source, field } if d.source(source).and_then(|s| s.field(field)).is_some_and(|f| f.pii) => {
            let pair = (source.clone(), field.clone());
            if !out.contains(&pair) {
                out.push(pair);
            }
        }
        FeatureExpr::Feature { name } => {
            if let Some(f) = d.feature(name) {
                raw_pii(d, &f.expr, depth + 1, out);
            }
        }
        FeatureExpr::Call { func, args, named } => {
            if protects(*func) {
                return;
            }
            args.iter().for_each(|a| raw_pii(d, a, depth + 1, out));
            named.values().for_each(|a| raw_pii(d, a, depth + 1, out));
        }
        FeatureExpr::Unary { arg, .. } => raw_pii(d, arg, depth + 1, out),
        // A comparison yields one bit, not the value.
        FeatureExpr::Binary { op, .. } if op.is_comparison() => {}
        FeatureExpr::Binary { left, right, .. } => {
            raw_pii(d, left, depth + 1, out);
            raw_pii(d, right, depth + 1, out);
        }
        FeatureExpr::List { items } => items.iter().for_each(|a| raw_pii(d, a, depth + 1, out)),
        _ => {}
    }
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let mut out = Vec::new();
    for f in &d.features {
        let users: Vec<&str> = d.models.iter().filter(|m| m.features.contains(&f.name)).map(|m| m.name.as_str()).collect();
        let mut rule_users = Vec::new();
        for m in &d.models {
            let mut names = Vec::new();
            m.rules.iter().for_each(|r| r.feature_names(&mut names));
            if names.contains(&f.name.as_str()) {
                rule_users.push(m.name.as_str());
            }
        }
        if users.is_empty() && rule_users.is_empty() {
            continue;
        }
        let mut raw = Vec::new();
        raw_pii(d, &f.expr, 0, &mut raw);
        let Some((source, field)) = raw.first() else { continue };
        let models: Vec<String> = users.iter().chain(rule_users.iter()).map(|m| format!("`{m}`")).collect();
        out.push(cx.finding(&RULE, f.span,
            format!("feature `{}` passes the pii field `{source}.{field}` to {} as it is", f.name, models.join(", ")),
            format!(
                "`{source}.{field}` is marked `pii`: used raw, personal data ends up in training sets, model files and feature-store rows that need consent, retention limits and deletion on request, and identifying values let the model memorise individuals instead of patterns"
            ),
            fix(d, &f.name, source, field),
        )
        .ask(format!(
            "`{}` feeds `{source}.{field}`, personal data, to the model as it is. Do you need the raw value, and what happens to the model and the feature store when a user asks to be deleted?",
            f.name
        )));
    }
    out
}

/// A fix that keeps the signal of the field's kind: a band for a time (a
/// birth date as an age band) or a number, where a hash would keep the
/// value identifying and lose its order; a hash or an aggregate otherwise.
fn fix(d: &Design, feature: &str, source: &str, field: &str) -> String {
    let ty = d.source(source).and_then(|s| s.field(field)).map(|f| &f.ty);
    match ty {
        Some(FieldType::Timestamp | FieldType::Date) => format!(
            "keep a coarse band, not the value: `{feature} = bucketize(days_since({source}.{field}), [6570, 9125, 12775, 18250, 23725])` (ages 18, 25, 35, 50 and 65 for a birth date); a hash of a date stays identifying and loses its order; drop it if it carries no signal"
        ),
        Some(FieldType::Int | FieldType::Float) => format!(
            "keep a few coarse bands, not the value: `{feature} = bucketize({source}.{field}, [EDGES])` with edges wide enough that each band holds many people; a hash would stay identifying and lose the order; drop it if it carries no signal"
        ),
        _ => format!(
            "hash it or aggregate over it, e.g. `{feature} = hash({source}.{field}, buckets: 100000)`, or a windowed count/mean `by: {field}`; drop it if it carries no signal"
        ),
    }
}
