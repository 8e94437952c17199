//! The language's vocabularies and the tables that relate them: which
//! metrics and model kinds fit which task, function signatures, reserved
//! names. One place, so the checker, `explain` and the docs agree.

use serde::Serialize;

macro_rules! vocab_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        $(#[$m])*
        pub enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const NAMES: &'static [&'static str] = &[$($text),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocab_enum!(Task {
    BinaryClassification = "binary_classification",
    MulticlassClassification = "multiclass_classification",
    Regression = "regression",
    Ranking = "ranking",
    Recommendation = "recommendation",
    Forecasting = "forecasting",
    AnomalyDetection = "anomaly_detection",
    Clustering = "clustering",
});

vocab_enum!(ModelKind {
    Rules = "rules",
    Heuristic = "heuristic",
    LogisticRegression = "logistic_regression",
    LinearRegression = "linear_regression",
    DecisionTree = "decision_tree",
    RandomForest = "random_forest",
    GradientBoosting = "gradient_boosting",
    NeuralNetwork = "neural_network",
    TwoTower = "two_tower",
    MatrixFactorization = "matrix_factorization",
    Knn = "knn",
    Kmeans = "kmeans",
    IsolationForest = "isolation_forest",
    Arima = "arima",
    Transformer = "transformer",
});

impl ModelKind {
    /// Whether a model of this kind can serve the task.
    pub fn fits(self, task: Task) -> bool {
        use ModelKind::*;
        match task {
            Task::BinaryClassification | Task::MulticlassClassification => matches!(
                self,
                Rules | Heuristic | LogisticRegression | DecisionTree | RandomForest | GradientBoosting | NeuralNetwork | Knn | Transformer
            ),
            Task::Regression => matches!(
                self,
                Rules | Heuristic | LinearRegression | DecisionTree | RandomForest | GradientBoosting | NeuralNetwork | Knn | Transformer
            ),
            Task::Ranking | Task::Recommendation => matches!(
                self,
                Rules
                    | Heuristic
                    | LogisticRegression
                    | DecisionTree
                    | RandomForest
                    | GradientBoosting
                    | NeuralNetwork
                    | TwoTower
                    | MatrixFactorization
                    | Knn
                    | Transformer
            ),
            Task::Forecasting => matches!(
                self,
                Heuristic | Arima | LinearRegression | DecisionTree | RandomForest | GradientBoosting | NeuralNetwork | Transformer
            ),
            Task::AnomalyDetection => matches!(
                self,
                Rules | Heuristic | IsolationForest | Knn | Kmeans | NeuralNetwork | GradientBoosting | LogisticRegression | RandomForest
            ),
            Task::Clustering => matches!(self, Kmeans),
        }
    }
}

/// Offline metrics the tooling computes; any other name is online/business.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricFamily {
    Classification,
    Regression,
    Ranking,
    Clustering,
}

/// Whether a larger or a smaller value of a metric is the better one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}

/// What a metric averages over: the rows whose outcomes it counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Population {
    /// Every scored example (accuracy, AUC, log loss, errors of a regression).
    AllExamples,
    /// The examples whose label is positive (recall).
    ActualPositives,
    /// The examples whose label is negative (false positive rate).
    ActualNegatives,
    /// The examples the model flags (precision).
    PredictedPositives,
    /// The examples that are flagged or positive, or both (F1 leaves out true negatives).
    PredictedOrActualPositives,
    /// The items shown: the top K of each ranked list, as impressions are (precision@K).
    ShownItems,
    /// The ranked lists, one value per query or user (NDCG, MAP, MRR, hit rate).
    RankedLists,
}

/// What a metric is computed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reads {
    /// The scores or predicted values as they are (AUC, log loss, RMSE, NDCG).
    Scores,
    /// The yes/no decisions the threshold makes of the scores (precision, recall).
    Decisions,
}

/// The values a metric can take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bounds {
    /// 0 to 1: rates, areas, gains.
    Fraction,
    /// 0 and up: errors and losses.
    NonNegative,
    /// Up to 1, and below 0 when worse than the mean (R²).
    AtMostOne,
    /// -1 to 1 (silhouette).
    Signed,
}

impl Bounds {
    /// The lowest and highest value, infinite where unbounded.
    pub fn range(self) -> (f64, f64) {
        match self {
            Bounds::Fraction => (0.0, 1.0),
            Bounds::NonNegative => (0.0, f64::INFINITY),
            Bounds::AtMostOne => (f64::NEG_INFINITY, 1.0),
            Bounds::Signed => (-1.0, 1.0),
        }
    }
}

/// What a metric says about a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// How well the model does its task: a metric to select models on.
    Quality,
    /// A cost its decisions impose (false alarms): a limit, not a measure of quality.
    Guardrail,
}

/// An offline metric the tooling computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ComputedMetric {
    pub name: &'static str,
    pub family: MetricFamily,
    /// Written with `@K` (`ndcg@10`).
    pub at_k: bool,
    pub direction: Direction,
    pub population: Population,
    pub reads: Reads,
    pub bounds: Bounds,
    pub role: Role,
}

/// A quality metric of the scores, between 0 and 1; the methods below say otherwise.
const fn metric(name: &'static str, family: MetricFamily, at_k: bool, direction: Direction, population: Population) -> ComputedMetric {
    ComputedMetric { name, family, at_k, direction, population, reads: Reads::Scores, bounds: Bounds::Fraction, role: Role::Quality }
}

impl ComputedMetric {
    const fn of_decisions(self) -> Self {
        ComputedMetric { reads: Reads::Decisions, ..self }
    }

    const fn bounded(self, bounds: Bounds) -> Self {
        ComputedMetric { bounds, ..self }
    }

    const fn guardrail(self) -> Self {
        ComputedMetric { role: Role::Guardrail, ..self }
    }
}

pub const COMPUTED_METRICS: &[ComputedMetric] = {
    use Bounds::*;
    use Direction::*;
    use MetricFamily::*;
    use Population::*;
    &[
        metric("accuracy", Classification, false, HigherIsBetter, AllExamples).of_decisions(),
        metric("precision", Classification, false, HigherIsBetter, PredictedPositives).of_decisions(),
        metric("recall", Classification, false, HigherIsBetter, ActualPositives).of_decisions(),
        metric("f1", Classification, false, HigherIsBetter, PredictedOrActualPositives).of_decisions(),
        metric("auc_roc", Classification, false, HigherIsBetter, AllExamples),
        metric("auc_pr", Classification, false, HigherIsBetter, AllExamples),
        metric("log_loss", Classification, false, LowerIsBetter, AllExamples).bounded(NonNegative),
        metric("false_positive_rate", Classification, false, LowerIsBetter, ActualNegatives).of_decisions().guardrail(),
        metric("rmse", Regression, false, LowerIsBetter, AllExamples).bounded(NonNegative),
        metric("mae", Regression, false, LowerIsBetter, AllExamples).bounded(NonNegative),
        metric("mape", Regression, false, LowerIsBetter, AllExamples).bounded(NonNegative),
        metric("r2", Regression, false, HigherIsBetter, AllExamples).bounded(AtMostOne),
        metric("ndcg", Ranking, true, HigherIsBetter, RankedLists),
        metric("precision", Ranking, true, HigherIsBetter, ShownItems),
        metric("recall", Ranking, true, HigherIsBetter, ActualPositives),
        metric("map", Ranking, true, HigherIsBetter, RankedLists),
        metric("mrr", Ranking, false, HigherIsBetter, RankedLists),
        metric("hit_rate", Ranking, true, HigherIsBetter, RankedLists),
        metric("silhouette", Clustering, false, HigherIsBetter, AllExamples).bounded(Signed),
    ]
};

/// The computed metric of a name, given whether it was written with `@K`.
pub fn computed_metric(name: &str, at_k: bool) -> Option<&'static ComputedMetric> {
    COMPUTED_METRICS.iter().find(|m| m.name == name && m.at_k == at_k)
}

/// The family of a computed metric, given whether it was written with `@K`.
pub fn metric_family(name: &str, at_k: bool) -> Option<MetricFamily> {
    computed_metric(name, at_k).map(|m| m.family)
}

/// Whether a larger value of a metric (its base name, without `@K`) is
/// better; metrics the tooling does not compute count as higher-is-better.
pub fn higher_is_better(base: &str) -> bool {
    COMPUTED_METRICS.iter().find(|m| m.name == base).is_none_or(|m| m.direction == Direction::HigherIsBetter)
}

pub fn computed_metric_names() -> Vec<String> {
    COMPUTED_METRICS.iter().map(|m| if m.at_k { format!("{}@K", m.name) } else { m.name.to_string() }).collect()
}

/// Whether a computed metric fits a task.
pub fn metric_fits(name: &str, family: MetricFamily, task: Task) -> bool {
    use MetricFamily::*;
    match task {
        Task::BinaryClassification | Task::MulticlassClassification | Task::AnomalyDetection => family == Classification,
        Task::Regression | Task::Forecasting => family == Regression,
        // Pointwise rankers are also judged as classifiers of relevance.
        Task::Ranking | Task::Recommendation => family == Ranking || matches!(name, "auc_roc" | "auc_pr" | "log_loss"),
        Task::Clustering => family == Clustering,
    }
}

/// Which tasks a metric family is for, for help texts.
pub fn family_tasks(family: MetricFamily) -> &'static str {
    match family {
        MetricFamily::Classification => "classification and anomaly detection",
        MetricFamily::Regression => "regression and forecasting",
        MetricFamily::Ranking => "ranking and recommendation",
        MetricFamily::Clustering => "clustering",
    }
}

/// A metric that fits each task, for help texts.
pub fn suggested_metric(task: Task) -> &'static str {
    match task {
        Task::BinaryClassification | Task::AnomalyDetection => "auc_pr, recall or precision",
        Task::MulticlassClassification => "f1 or accuracy",
        Task::Regression | Task::Forecasting => "rmse, mae or mape",
        Task::Ranking | Task::Recommendation => "ndcg@10, recall@K or map@K",
        Task::Clustering => "silhouette",
    }
}

/// Python keywords and soft keywords: such names cannot become identifiers.
pub const PYTHON_RESERVED: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except",
    "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
    "while", "with", "yield", "match", "case", "type", "_",
];

pub fn is_python_reserved(name: &str) -> bool {
    PYTHON_RESERVED.contains(&name)
}

/// The closest candidate within a small edit distance, for "did you mean";
/// failing that, the first candidate the word is a prefix of (`auc` ->
/// `auc_pr`, `ndcg` -> `ndcg@K`).
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    let limit = (word.chars().count() / 3).clamp(1, 3);
    let candidates: Vec<&'a str> = candidates.into_iter().collect();
    let close = candidates
        .iter()
        .map(|&c| (edit_distance(&lower, &c.to_ascii_lowercase()), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, c)| (d, c))
        .map(|(_, c)| c);
    close.or_else(|| {
        (lower.len() >= 3).then(|| candidates.iter().copied().filter(|c| c.to_ascii_lowercase().starts_with(&lower)).min()).flatten()
    })
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent swaps).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    let at = |i: usize, j: usize| i * w + j;
    for i in 0..=a.len() {
        d[at(i, 0)] = i;
    }
    for j in 0..=b.len() {
        d[at(0, j)] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[at(i - 1, j)] + 1).min(d[at(i, j - 1)] + 1).min(d[at(i - 1, j - 1)] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[at(i - 2, j - 2)] + 1);
            }
            d[at(i, j)] = v;
        }
    }
    d[at(a.len(), b.len())]
}

// ------------------------------------------------------------ monitors and dataset

/// Serialises a vocabulary as its word (`"psi"`), as the design's JSON had
/// it when these were strings.
macro_rules! serialize_as_word {
    ($($name:ident),+) => {$(
        impl From<$name> for &'static str {
            fn from(v: $name) -> Self {
                v.as_str()
            }
        }
    )+};
}

vocab_enum!(
    /// The statistic of `drift FEATURE using STAT`.
    #[serde(into = "&'static str")]
    DriftStat {
        Psi = "psi",
        Ks = "ks",
        Chi2 = "chi2",
        Wasserstein = "wasserstein",
        Js = "js",
    }
);

vocab_enum!(
    /// Where a monitor's `alert CHANNEL("target")` goes.
    #[serde(into = "&'static str")]
    AlertChannel {
        Slack = "slack",
        Pagerduty = "pagerduty",
        Email = "email",
        Webhook = "webhook",
    }
);

vocab_enum!(
    /// How training treats the rare class: `dataset { imbalance ... }`.
    #[serde(into = "&'static str")]
    Imbalance {
        Undersample = "undersample",
        Oversample = "oversample",
        ClassWeight = "class_weight",
        Smote = "smote",
    }
);

vocab_enum!(
    /// How training fills missing values: `dataset { missing ... }`.
    #[serde(into = "&'static str")]
    MissingStrategy {
        Median = "median",
        Mean = "mean",
        Mode = "mode",
        Drop = "drop",
    }
);

// ------------------------------------------------------------ models and scenarios

vocab_enum!(
    /// The part a model plays in a recommender: `model { stage ... }`.
    #[serde(into = "&'static str")]
    ModelStage {
        Retrieval = "retrieval",
        Ranking = "ranking",
    }
);

vocab_enum!(
    /// What `autoscale` scales a serving on: CPU utilisation, or requests
    /// per second per replica.
    #[serde(into = "&'static str")]
    AutoscaleSignal {
        Cpu = "cpu",
        Rps = "rps",
    }
);

vocab_enum!(
    /// How `tuning` searches the hyperparameters.
    #[serde(into = "&'static str")]
    TuningSearch {
        RandomSearch = "random_search",
        GridSearch = "grid_search",
        Bayesian = "bayesian",
    }
);

vocab_enum!(
    /// The moment of a field that `drift FIELD shift MOMENT` moves.
    #[serde(into = "&'static str")]
    Moment {
        Mean = "mean",
        Sd = "sd",
    }
);

// ------------------------------------------------------------ feature expressions

vocab_enum!(
    /// The prefix operator of a feature expression.
    #[serde(into = "&'static str")]
    UnaryOp {
        Not = "not",
        Neg = "-",
    }
);

vocab_enum!(
    /// The infix operator of a feature expression: arithmetic, comparison, logic.
    #[serde(into = "&'static str")]
    BinaryOp {
        Add = "+",
        Sub = "-",
        Mul = "*",
        Div = "/",
        Lt = "<",
        Le = "<=",
        Gt = ">",
        Ge = ">=",
        Eq = "==",
        Ne = "!=",
        And = "and",
        Or = "or",
    }
);

impl BinaryOp {
    /// Whether the operator compares its sides: the result is one bit, not a value.
    pub fn is_comparison(self) -> bool {
        use BinaryOp::*;
        match self {
            Lt | Le | Gt | Ge | Eq | Ne => true,
            Add | Sub | Mul | Div | And | Or => false,
        }
    }
}

serialize_as_word!(
    DriftStat,
    AlertChannel,
    Imbalance,
    MissingStrategy,
    ModelStage,
    TuningSearch,
    AutoscaleSignal,
    Moment,
    UnaryOp,
    BinaryOp
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("latncy", ["latency", "throughput"]), Some("latency"));
        assert_eq!(did_you_mean("xyz", ["latency"]), None);
        assert_eq!(edit_distance("ab", "ba"), 1);
    }

    #[test]
    fn fit_tables() {
        assert!(!ModelKind::LinearRegression.fits(Task::BinaryClassification));
        assert!(ModelKind::GradientBoosting.fits(Task::BinaryClassification));
        let f = metric_family("rmse", false).unwrap_or(MetricFamily::Clustering);
        assert!(!metric_fits("rmse", f, Task::BinaryClassification));
        assert_eq!(metric_family("ndcg", true), Some(MetricFamily::Ranking));
    }

    #[test]
    fn metric_directions_and_populations() {
        let lower: Vec<&str> = COMPUTED_METRICS.iter().filter(|m| m.direction == Direction::LowerIsBetter).map(|m| m.name).collect();
        assert_eq!(lower, ["log_loss", "false_positive_rate", "rmse", "mae", "mape"]);
        assert!(higher_is_better("auc_pr") && higher_is_better("ndcg") && higher_is_better("revenue"));
        assert!(!higher_is_better("rmse") && !higher_is_better("false_positive_rate"));
        let population = |name: &str, at_k: bool| computed_metric(name, at_k).map(|m| m.population);
        assert_eq!(population("recall", false), Some(Population::ActualPositives));
        assert_eq!(population("precision", false), Some(Population::PredictedPositives));
        assert_eq!(population("precision", true), Some(Population::ShownItems));
        assert_eq!(population("false_positive_rate", false), Some(Population::ActualNegatives));
        assert_eq!(population("ndcg", true), Some(Population::RankedLists));
        assert_eq!(population("rmse", false), Some(Population::AllExamples));
        let decided: Vec<&str> = COMPUTED_METRICS.iter().filter(|m| m.reads == Reads::Decisions).map(|m| m.name).collect();
        assert_eq!(decided, ["accuracy", "precision", "recall", "f1", "false_positive_rate"]);
        let range = |name: &str| computed_metric(name, false).map(|m| m.bounds.range());
        assert_eq!(range("rmse"), Some((0.0, f64::INFINITY)));
        assert_eq!(range("r2"), Some((f64::NEG_INFINITY, 1.0)));
        assert_eq!(range("silhouette"), Some((-1.0, 1.0)));
        assert_eq!(range("auc_pr"), Some((0.0, 1.0)));
        let guards: Vec<&str> = COMPUTED_METRICS.iter().filter(|m| m.role == Role::Guardrail).map(|m| m.name).collect();
        assert_eq!(guards, ["false_positive_rate"]);
        // A name is computed at most once per form (with and without `@K`).
        for m in COMPUTED_METRICS {
            assert_eq!(computed_metric(m.name, m.at_k), Some(m), "{} twice", m.name);
        }
    }

    #[test]
    fn words_serialise_as_themselves() {
        assert_eq!(serde_json::to_string(&DriftStat::Chi2).ok().as_deref(), Some("\"chi2\""));
        assert_eq!(serde_json::to_string(&AlertChannel::Pagerduty).ok().as_deref(), Some("\"pagerduty\""));
        assert_eq!(serde_json::to_string(&Imbalance::ClassWeight).ok().as_deref(), Some("\"class_weight\""));
        assert_eq!(serde_json::to_string(&BinaryOp::Le).ok().as_deref(), Some("\"<=\""));
        assert_eq!(serde_json::to_string(&UnaryOp::Neg).ok().as_deref(), Some("\"-\""));
    }
}
