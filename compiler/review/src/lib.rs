//! mlspec-review: `mlspec review`, a design review of a validated design, step by step
//! through the ML system-design framework (clarify requirements, metrics,
//! data, features, model, training and evaluation, serving, monitoring and
//! iteration, risks): what each step covers and leaves open, findings with a
//! stable id, a severity, the reason with the spec's numbers and a fix, an
//! overall score, and the follow-up questions an interviewer would ask.
//!
//! **Invariant:** the review only runs on a design without check errors
//! (the CLI refuses otherwise), so every reference resolves; rules still
//! never unwrap, index or divide without a guard.
//! **Invariant:** deterministic: findings are sorted by step, line and id;
//! numbers are formatted by [`mlspec_ir::numbers`].

pub mod coverage;
pub mod doc;
pub mod interview;
pub mod notes;
pub mod render;
pub mod rules;
pub mod stats;

use mlspec_diag::span::{LineIndex, Span};
use mlspec_ir::capacity::Sizing;
use mlspec_ir::Design;
use serde::Serialize;
use std::collections::BTreeMap;

/// Simulated sizings by serving name; `None`: the simulator found no count.
pub type SimulatedSizings = BTreeMap<String, Option<Sizing>>;

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
    /// Points a finding of this severity takes off the score.
    pub fn penalty(self) -> f64 {
        match self {
            Severity::Info => 0.0,
            Severity::Warning => 3.0,
            Severity::Critical => 10.0,
        }
    }
}

/// The steps of the framework, in the order a review walks them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Requirements,
    Metrics,
    Data,
    Features,
    Model,
    Training,
    Serving,
    Monitoring,
    Risks,
}

impl Step {
    pub const ALL: [Step; 9] = [
        Step::Requirements,
        Step::Metrics,
        Step::Data,
        Step::Features,
        Step::Model,
        Step::Training,
        Step::Serving,
        Step::Monitoring,
        Step::Risks,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Requirements => "requirements",
            Step::Metrics => "metrics",
            Step::Data => "data",
            Step::Features => "features",
            Step::Model => "model",
            Step::Training => "training",
            Step::Serving => "serving",
            Step::Monitoring => "monitoring",
            Step::Risks => "risks",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Step::Requirements => "Clarify requirements",
            Step::Metrics => "Metrics",
            Step::Data => "Data",
            Step::Features => "Features",
            Step::Model => "Model",
            Step::Training => "Training and evaluation",
            Step::Serving => "Serving",
            Step::Monitoring => "Monitoring and iteration",
            Step::Risks => "Risks",
        }
    }
    /// The step's share of the coverage part of the score (they sum to 100).
    pub fn weight(self) -> f64 {
        match self {
            Step::Requirements => 15.0,
            Step::Metrics => 15.0,
            Step::Data => 10.0,
            Step::Features => 10.0,
            Step::Model => 10.0,
            Step::Training => 10.0,
            Step::Serving => 10.0,
            Step::Monitoring => 15.0,
            Step::Risks => 5.0,
        }
    }
}

/// One finding of the review.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// Stable id, kebab-case: `capacity-short`.
    pub id: &'static str,
    pub severity: Severity,
    pub step: Step,
    /// One line: what is wrong, naming the spec's items.
    pub message: String,
    /// Why it matters, with the numbers involved.
    pub why: String,
    /// What to change; a spec snippet where one fits.
    pub fix: String,
    /// 1-based line of the spec the finding points at.
    pub line: usize,
    #[serde(skip)]
    pub span: Span,
    /// The interviewer's follow-up: the rule's question, or one with this
    /// design's numbers ([`Finding::ask`]).
    #[serde(skip)]
    pub question: String,
}

impl Finding {
    /// Replaces the rule's follow-up question with one about this finding.
    pub fn ask(mut self, question: String) -> Finding {
        self.question = question;
        self
    }
}

/// Coverage of one step: the checklist items the spec answers and those it leaves open.
#[derive(Clone, Debug, Serialize)]
pub struct StepCoverage {
    pub step: Step,
    /// Covered items over applicable items, 0..=1.
    pub coverage: f64,
    pub covered: Vec<String>,
    pub missing: Vec<String>,
}

/// A follow-up question an interviewer would ask, tied to the spec.
#[derive(Clone, Debug, Serialize)]
pub struct Question {
    pub step: Step,
    pub question: String,
    pub line: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Review {
    pub system: String,
    pub score: u32,
    pub steps: Vec<StepCoverage>,
    pub findings: Vec<Finding>,
    /// Figures checked that hold, with their arithmetic.
    pub checks: Vec<Question>,
    /// The replica count of each realtime serving at its peak, as the
    /// findings and notes used it: simulated when the caller sized it
    /// (`mlspec_sim::capacity`), else from declared times.
    pub capacity: Vec<Sizing>,
    #[serde(skip)]
    pub questions: Vec<Question>,
}

impl Review {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }
}

/// What rules need: the design and a way to turn spans into lines.
pub struct Ctx<'d> {
    pub d: &'d Design,
    lines: LineIndex<'d>,
    /// One per realtime serving that can be sized, in declaration order.
    sized: Vec<Sizing>,
}

impl<'d> Ctx<'d> {
    pub fn new(d: &'d Design, source: &'d str) -> Self {
        Self::with_sizings(d, source, SimulatedSizings::new())
    }

    /// With the caller's simulated sizings, by serving: `None` where the
    /// simulator found no count (an infeasible limit), which is then not
    /// guessed. A serving the caller did not size is sized from its declared
    /// times at the design's peak ([`rules::peak`]).
    pub fn with_sizings(d: &'d Design, source: &'d str, simulated: SimulatedSizings) -> Self {
        let peak = rules::peak(d);
        let sized = d
            .servings
            .iter()
            .filter(|s| rules::realtime(s))
            .filter_map(|s| match simulated.get(&s.name) {
                Some(z) => z.clone(),
                None => peak.as_ref().and_then(|p| mlspec_ir::capacity::from_declared(d, s, &p.scenario, p.rps)),
            })
            .collect();
        Ctx { d, lines: LineIndex::new(source), sized }
    }

    /// The sizing of a serving, when it could be sized.
    pub fn sizing(&self, serving: &str) -> Option<&Sizing> {
        self.sized.iter().find(|z| z.serving == serving)
    }
    pub fn line(&self, span: Span) -> usize {
        self.lines.line_col(span.start).line
    }
    /// The text of the spec line a span starts on, trimmed.
    pub fn line_text(&self, span: Span) -> &'d str {
        self.lines.line_text(self.line(span)).trim()
    }
    /// A finding of `rule` at `span`, with the rule's id, severity, step
    /// and follow-up question.
    pub fn finding(&self, rule: &rules::Rule, span: Span, message: String, why: String, fix: String) -> Finding {
        Finding {
            id: rule.id,
            severity: rule.severity,
            step: rule.step,
            message,
            why,
            fix,
            line: self.line(span),
            span,
            question: rule.question.to_string(),
        }
    }
}

/// The score: the weighted coverage of the steps (0..=100), minus 10 per
/// critical finding and 3 per warning, never below 0.
pub fn score(steps: &[StepCoverage], findings: &[Finding]) -> u32 {
    let coverage: f64 = steps.iter().map(|s| s.step.weight() * s.coverage).sum();
    let penalty: f64 = findings.iter().map(|f| f.severity.penalty()).sum();
    let s = (coverage - penalty).round().clamp(0.0, 100.0);
    s as u32
}

/// Reviews a design that checked without errors. `source` is the spec's
/// text, for line numbers.
pub fn review(d: &Design, source: &str) -> Review {
    review_sized(d, source, SimulatedSizings::new())
}

/// [`review`] with the simulated sizing of some servings (`mlspec review`
/// sizes every realtime serving as `mlspec capacity` does, so both print
/// one replica count).
pub fn review_sized(d: &Design, source: &str, simulated: SimulatedSizings) -> Review {
    let cx = Ctx::with_sizings(d, source, simulated);
    let mut findings = rules::run(&cx);
    findings.sort_by(|a, b| (a.step, a.line, a.id).cmp(&(b.step, b.line, b.id)));
    let steps = coverage::steps(d);
    let questions = interview::questions(&cx, &findings);
    let checks = notes::notes(&cx);
    Review { system: d.name.clone(), score: score(&steps, &findings), steps, findings, checks, questions, capacity: cx.sized }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(step: Step, coverage: f64) -> StepCoverage {
        StepCoverage { step, coverage, covered: vec![], missing: vec![] }
    }

    fn finding(severity: Severity) -> Finding {
        Finding {
            id: "x",
            severity,
            step: Step::Serving,
            message: String::new(),
            why: String::new(),
            fix: String::new(),
            line: 1,
            span: Span::default(),
            question: String::new(),
        }
    }

    #[test]
    fn weights_sum_to_100() {
        let total: f64 = Step::ALL.iter().map(|s| s.weight()).sum();
        assert!((total - 100.0).abs() < 1e-9);
    }

    #[test]
    fn score_is_weighted_coverage_minus_penalties() {
        let full: Vec<StepCoverage> = Step::ALL.iter().map(|&s| step(s, 1.0)).collect();
        assert_eq!(score(&full, &[]), 100);
        assert_eq!(score(&full, &[finding(Severity::Critical), finding(Severity::Warning), finding(Severity::Info)]), 87);
        // Half of the metrics step (weight 15) open: 92.5 rounds to 93.
        let mut half = full.clone();
        half[1].coverage = 0.5;
        assert_eq!(score(&half, &[]), 93);
        let many: Vec<Finding> = (0..20).map(|_| finding(Severity::Critical)).collect();
        assert_eq!(score(&full, &many), 0);
    }
}
