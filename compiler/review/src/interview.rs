//! `mlspec review --interview`: the follow-up questions an interviewer
//! would ask about this design, first about its gaps (one per finding: its
//! rule's question, or the finding's own with the design's numbers), then
//! about the trade-offs it made, each tied to a spec line.

use super::{Ctx, Finding, Question, Step};
use mlspec_ir::numbers::{dur, money, num, pct};
use mlspec_ir::vocab::{ModelKind, ModelStage, Task};
use mlspec_ir::{MonitorKind, Scope, ServingMode, SplitStrategy};

pub fn questions(cx: &Ctx<'_>, findings: &[Finding]) -> Vec<Question> {
    let d = cx.d;
    let mut qs: Vec<Question> =
        findings.iter().map(|f| Question { step: f.step, question: format!("{} ({})", f.question, f.id), line: f.line }).collect();
    let mut ask = |step: Step, span: mlspec_diag::span::Span, q: String| qs.push(Question { step, question: q, line: cx.line(span) });

    if let Some(rate) = d.problem.positive_rate {
        ask(
            Step::Requirements,
            d.problem.span,
            format!("Positives are {} of examples. How was that measured, and is it stable across segments and seasons?", pct(rate)),
        );
    }
    if let Some((h, span)) = d.problem.horizon_s.map(|h| (h, d.problem.span)) {
        ask(
            Step::Requirements,
            span,
            format!(
                "The horizon is {}. Do you forecast each day directly or feed predictions back in, and how fast does the error grow towards day {}?",
                dur(h),
                num((h / 86_400.0).round())
            ),
        );
    }
    // A latency budget matters to a caller waiting online, not to a nightly batch.
    let waits = d.servings.is_empty() || d.servings.iter().any(|s| s.mode != Some(ServingMode::Batch));
    if let Some(l) = d.constraints.latency.iter().max_by(|a, b| a.percentile.total_cmp(&b.percentile)).filter(|_| waits) {
        ask(
            Step::Requirements,
            l.span,
            format!(
                "Where does the {} < {} budget come from, and how much of it is the network and the caller's own work?",
                l.label,
                dur(l.max_s)
            ),
        );
    }
    if let Some(cm) = &d.cost_matrix {
        let denom = (cm.fp - cm.tn) + (cm.fn_ - cm.tp);
        if denom > 0.0 {
            let t = (cm.fp - cm.tn) / denom;
            ask(
                Step::Metrics,
                cm.span,
                format!(
                    "A missed positive costs {} and a false alarm {}: that puts the cost-minimising threshold near a score of {}. Who owns that threshold, and how do you re-tune it when the prices change?",
                    money(cm.fn_),
                    money(cm.fp),
                    num((t * 1000.0).round() / 1000.0)
                ),
            );
        }
    }
    // Per-query metrics average over the declared query group's lists.
    let mut at_k = d.metrics.iter().filter(|m| m.scope == Scope::Offline && m.k.is_some());
    let at_k = at_k.clone().find(|m| m.primary).or_else(|| at_k.next());
    if let (Some(g), Some(m)) = (d.problem.group.as_ref(), at_k) {
        ask(
            Step::Metrics,
            g.span,
            format!(
                "`{}` averages over the lists grouped by `{g}`. Is one value of it one list a user saw, and how do lists with no relevant item count?",
                m.name
            ),
        );
    }
    if let Some(t) = d.problem.target.as_ref() {
        if let Some(delay) = mlspec_ir::facts::label_delay_s(d) {
            ask(
                Step::Data,
                t.span,
                format!(
                    "Labels for `{t}` arrive {} after the event. What do you train and evaluate on for the most recent {}, and which proxy signal do you watch until then?",
                    dur(delay),
                    dur(delay)
                ),
            );
        }
    }
    if let Some(f) = d.features.iter().find(|f| !f.windows.is_empty()) {
        let store =
            d.feature_store.as_ref().and_then(|fs| fs.online.as_ref()).map_or(String::new(), |s| format!(" served from `{}`", s.engine));
        let w = f.windows.first().map_or(String::new(), |w| format!(" over {}", dur(w.window_s)));
        ask(
            Step::Features,
            f.span,
            format!(
                "`{}` aggregates{w}{store}. How do you make the value used in training equal to what serving saw at request time (point-in-time correctness)?",
                f.name
            ),
        );
    }
    if let Some(m) = d.models.iter().find(|m| m.baseline.is_some()) {
        let base = m.baseline.as_deref().unwrap_or_default();
        let metric = d.metrics.iter().find(|x| x.primary).map_or("the primary metric".to_string(), |x| format!("`{}`", x.name));
        ask(
            Step::Model,
            m.name_span,
            format!(
                "What lift over `{base}` on {metric} would justify `{}` ({}), and how would you explain one of its decisions to a user or an auditor?",
                m.name,
                m.kind.as_str()
            ),
        );
    }
    if let Some(m) = d.models.iter().find(|m| m.stage == Some(ModelStage::Retrieval)) {
        ask(
            Step::Model,
            m.name_span,
            format!(
                "`{}` passes {} candidates to the ranker. How do you measure what retrieval misses, and how do new items with no history get retrieved?",
                m.name,
                m.candidates.map_or("its".to_string(), num)
            ),
        );
    }
    if let Some(split) = d.dataset.as_ref().and_then(|ds| ds.split.as_ref()) {
        let q = match &split.strategy {
            SplitStrategy::Time(f) => format!(
                "The split is by `{f}` with {} held out for test. Does the test period cover a full seasonal cycle, and do you retrain on it before launch?",
                pct(split.test)
            ),
            SplitStrategy::Group(f) => format!("The split groups by `{f}`. What leakage does that prevent, and is there also a drift in time to test for?"),
            SplitStrategy::Random => "Why is a random split right for this data? What would change with a split by time?".to_string(),
        };
        // A finding about the split already asks.
        if !findings.iter().any(|f| f.id == "random-split-temporal") {
            ask(Step::Training, split.span, q);
        }
    }
    for s in &d.servings {
        if let Some((ttl, hit)) = s.cache {
            ask(
                Step::Serving,
                s.span,
                format!(
                    "`{}` caches answers for {} with a {} hit rate. What is the cache key, and when is a cached answer wrong for a new request?",
                    s.name,
                    dur(ttl),
                    pct(hit)
                ),
            );
        }
        if let Some((after, fb)) = &s.timeout {
            ask(
                Step::Serving,
                s.timeout_span,
                format!(
                    "Requests slower than {} get `{fb}`'s answer. How often will that happen at peak, and how do you alert when the fallback rate climbs?",
                    dur(*after)
                ),
            );
        }
        if s.mode == Some(ServingMode::Batch) {
            ask(
                Step::Serving,
                s.name_span,
                format!(
                    "`{}` scores in batch{}. What happens to entities that appear between runs, and what if a run fails?",
                    s.name,
                    s.schedule_every_s.map_or(String::new(), |e| format!(" every {}", dur(e)))
                ),
            );
        }
    }
    if let Some(m) = d.monitors.iter().find(|m| matches!(m.kind, MonitorKind::Retrain { .. })) {
        ask(
            Step::Monitoring,
            m.span,
            "Retraining runs on a schedule. What gate (offline metrics, shadow traffic, a canary) stops a worse model from being promoted automatically?"
                .to_string(),
        );
    }
    if let Some(e) = d.experiments.first() {
        ask(
            Step::Monitoring,
            e.span,
            format!(
                "`{}` runs for {} on `{}`. Which guardrail metrics stop it early, and how do you handle novelty effects?",
                e.name,
                dur(e.duration_s),
                e.metric
            ),
        );
    }
    let feedback = matches!(d.task(), Task::BinaryClassification | Task::Ranking | Task::Recommendation)
        && d.servings.iter().any(|s| s.mode == Some(ServingMode::Realtime));
    if feedback {
        let what = match d.task() {
            Task::BinaryClassification => "Cases the model acts on (blocked, filtered) never get their natural outcome.",
            _ => "Users only interact with what the model showed them.",
        };
        ask(
            Step::Risks,
            d.problem.span,
            format!("{what} How do you keep the training data from reinforcing the model's own choices (a holdout, exploration, counterfactual logging)?"),
        );
    }
    if d.sources.iter().any(|s| s.fields.iter().any(|f| f.pii)) && d.metrics.iter().any(|m| m.scope != Scope::Business) {
        if let Some(s) = d.sources.iter().find(|s| s.fields.iter().any(|f| f.pii)) {
            ask(
                Step::Risks,
                s.name_span,
                format!("`{}` holds personal data. Could the model treat some groups of users worse than others, and how would you measure that?", s.name),
            );
        }
    }
    if d.models.iter().any(|m| matches!(m.kind, ModelKind::NeuralNetwork | ModelKind::Transformer)) {
        if let Some(m) = d.models.iter().find(|m| matches!(m.kind, ModelKind::NeuralNetwork | ModelKind::Transformer)) {
            ask(
                Step::Risks,
                m.name_span,
                format!("`{}` is a deep model. What is your plan when training cost or serving latency grows with data, and how do you debug its mistakes?", m.name),
            );
        }
    }
    qs.sort_by_key(|q| (q.step, q.line));
    qs
}
