; Highlights for mlspec, with the capture names of nvim-treesitter and the
; tree-sitter CLI. queries/helix/highlights.scm and the Zed extension's
; languages/mlspec/highlights.scm are derived from this file by
; scripts/derive-queries.sh: edit this one and run that script.
;
; No node gets two different captures (the declaration pattern captures the
; statement name as @keyword again, the same as the first pattern), so the
; result does not depend on whether an editor lets the first or the last
; matching pattern win. scripts/editors/tree_sitter.sh checks this over
; specs/.

; ------------------------------------------------------------ statement names

; The statement names of the checker's blocks (compiler/check/src/lower.rs).
((statement
  name: (head) @keyword)
  (#any-of? @keyword
    "ab_test" "autoscale" "availability" "balancer" "baseline" "batch" "budget"
    "burst" "cache" "candidates" "classes" "concept_drift" "concurrency"
    "constraints" "cost_matrix" "dataset" "dedupe" "description" "drift"
    "duration" "endpoint" "errors" "experiment" "feature_store" "features" "fn"
    "format" "fp" "freshness" "group" "horizon" "imbalance" "instance" "kind"
    "latency" "location" "metrics" "missing" "mode" "model" "monitors" "objective"
    "offline" "online" "outage" "outliers" "owner" "params" "performance"
    "positive_rate" "prior_shift" "problem" "queue" "replicas" "requests"
    "retention" "retrain" "scenario" "schedule" "schema" "seed" "serving"
    "source" "split" "stage" "system" "target" "task" "throughput" "timeout"
    "tn" "tp" "traffic" "training_time" "tuning" "version" "volume"))

; Any other statement name: a metric in `metrics`, a hyperparameter in
; `params`, an unknown statement.
((statement
  name: (head) @property)
  (#not-any-of? @property
    "ab_test" "autoscale" "availability" "balancer" "baseline" "batch" "budget"
    "burst" "cache" "candidates" "classes" "concept_drift" "concurrency"
    "constraints" "cost_matrix" "dataset" "dedupe" "description" "drift"
    "duration" "endpoint" "errors" "experiment" "feature_store" "features" "fn"
    "format" "fp" "freshness" "group" "horizon" "imbalance" "instance" "kind"
    "latency" "location" "metrics" "missing" "mode" "model" "monitors" "objective"
    "offline" "online" "outage" "outliers" "owner" "params" "performance"
    "positive_rate" "prior_shift" "problem" "queue" "replicas" "requests"
    "retention" "retrain" "scenario" "schedule" "schema" "seed" "serving"
    "source" "split" "stage" "system" "target" "task" "throughput" "timeout"
    "tn" "tp" "traffic" "training_time" "tuning" "version" "volume"))

; `name: ...`: schema fields, `mix` shares.
(entry
  name: (head) @property)

; `NAME = EXPR`: a feature.
(assignment
  name: (head) @function)

"rule" @keyword

; `ndcg@10`, `hit_rate@5`
(metric_name) @property

; ------------------------------------------------------------ declared names

; `system NAME {`, `source NAME {`, `model NAME {`, ...
((statement
  name: (head) @keyword
  .
  (identifier) @type
  .
  (block))
  (#any-of? @keyword
    "system" "source" "model" "serving" "stage" "experiment" "scenario")
  ; a name that is also a word of the statement forms below keeps that colour
  (#not-any-of? @type
    "action" "alert" "at" "business" "control" "cost" "cv" "duration" "every"
    "fallback" "for" "from" "hit_rate" "metric" "min_effect" "mix" "offline"
    "online" "p" "primary" "rate" "shift" "strength" "test" "traffic" "train"
    "treatment" "ttl" "using" "validation" "wait" "warmup" "window"
    "anomaly_detection" "api" "arima" "batch" "bayesian" "binary_classification"
    "class_weight" "clustering" "cpu" "decision_tree" "drop" "edge" "files"
    "forecasting" "gradient_boosting" "grid_search" "heuristic"
    "isolation_forest" "kmeans" "knn" "least_loaded" "linear_regression"
    "logistic_regression" "logs" "matrix_factorization" "mean" "median" "mode"
    "multiclass_classification" "neural_network" "oversample" "p50" "p90"
    "p95" "p99" "p999" "poisson" "qps" "random" "random_forest"
    "random_search" "ranking" "realtime" "recommendation" "regression"
    "retrain" "retrieval" "round_robin" "rps" "rules" "sd" "shared_queue"
    "smote" "stream" "streaming" "table" "transformer" "two_tower"
    "undersample" "psi" "ks" "chi2" "wasserstein" "js"))

; ------------------------------------------------------------ arguments

; The literal words of statement forms (`using`, `window`, `fallback`, ...).
((statement
  (identifier) @keyword.modifier)
  (#any-of? @keyword.modifier
    "action" "alert" "at" "business" "control" "cost" "cv" "duration" "every"
    "fallback" "for" "from" "hit_rate" "metric" "min_effect" "mix" "offline"
    "online" "p" "primary" "rate" "shift" "strength" "test" "traffic" "train"
    "treatment" "ttl" "using" "validation" "wait" "warmup" "window"))

; Closed vocabularies: tasks, model kinds, modes, drift statistics, ...
((statement
  (identifier) @constant.builtin)
  (#any-of? @constant.builtin
    "anomaly_detection" "api" "arima" "batch" "bayesian" "binary_classification"
    "class_weight" "clustering" "cpu" "decision_tree" "drop" "edge" "files"
    "forecasting" "gradient_boosting" "grid_search" "heuristic"
    "isolation_forest" "kmeans" "knn" "least_loaded" "linear_regression"
    "logistic_regression" "logs" "matrix_factorization" "mean" "median" "mode"
    "multiclass_classification" "neural_network" "oversample" "p50" "p90"
    "p95" "p99" "p999" "poisson" "qps" "random" "random_forest"
    "random_search" "ranking" "realtime" "recommendation" "regression"
    "retrain" "retrieval" "round_robin" "rps" "rules" "sd" "shared_queue"
    "smote" "stream" "streaming" "table" "transformer" "two_tower"
    "undersample" "psi" "ks" "chi2" "wasserstein" "js"))

; A period after `/`: `86M / day`, `$25k / month`.
(statement
  (slash)
  .
  (identifier) @constant.builtin)

; Field types and modifiers in a schema entry.
((entry
  (identifier) @type.builtin)
  (#any-of? @type.builtin
    "id" "int" "float" "bool" "string" "text" "category" "timestamp" "date"
    "geo"))

((entry
  (identifier) @keyword.modifier)
  (#any-of? @keyword.modifier
    "key" "pii" "label" "nullable" "event_time" "range" "values" "missing"
    "delay" "references" "dist"))

; ------------------------------------------------------------ calls and paths

(call
  function: (identifier) @function.call)

(named_argument
  name: (identifier) @variable.parameter)

; `SOURCE.FIELD`
(path
  .
  (identifier) @variable)

(path
  (identifier) @variable.member
  .)

; ------------------------------------------------------------ literals

(number) @number

(money) @number

(boolean) @boolean

(string) @string

(escape_sequence) @string.escape

(comment) @comment

(doc_comment) @comment.documentation

; ------------------------------------------------------------ operators

[
  "and"
  "or"
  "not"
] @keyword.operator

[
  "<"
  "<="
  ">"
  ">="
  "=="
  "!="
  "+"
  "-"
  "*"
  "/"
  "="
  ".."
] @operator

(slash) @operator

[
  "("
  ")"
  "["
  "]"
  "{"
  "}"
] @punctuation.bracket

[
  ","
  ";"
  ":"
  "."
] @punctuation.delimiter
