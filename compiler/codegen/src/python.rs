//! `build --target python`: the view model of the generated project, and its
//! rendering with the templates in `templates/python/`.
//!
//! The spec-independent code is the vendored `mlspec_runtime` package
//! ([`super::runtime`]); what is generated here is small: `spec_config.py`
//! (a module of literals built here), the pydantic models, the feature and
//! rule expressions (see [`super::python_expr`]), thin entry points, tests
//! and deployment files. `hooks.py` is the user's ([`Owner::User`]).

use super::literal::{dns, md, md_code, py, py_num, py_str, yaml_str};
use super::python_expr::{Columns, Compiler, WindowUse};
use super::view::{
    AlertConfig, Autoscale, Config, CostMatrixConfig, DistConfig, DriftConfig, FeatureView, FieldConfig, Join, K8s, MetricConfig,
    ModelConfig, OnlineStoreConfig, RankingRequest, Record, RuleView, SchemaField, ServingConfig, SourceConfig, SplitConfig, StageConfig,
    TuningConfig, View,
};
use super::{ranking, spec_hash, GeneratedFile, Owner, Project};
use handlebars::Handlebars;
use mlspec_ir::vocab::{metric_family, AutoscaleSignal, ModelKind, Task};
use mlspec_ir::{Design, FeatureExpr, FieldType, MonitorKind, Scope, ServingMode, Source, SplitStrategy};
use std::collections::{BTreeMap, BTreeSet};

/// (output path, template text); `.hbs` templates are rendered, the rest
/// copied. The path may be chosen per mode in [`files_for`].
const TEMPLATES: &[(&str, &str)] = &[
    ("requirements.txt", include_str!("../../../templates/python/requirements.txt.hbs")),
    ("pyproject.toml", include_str!("../../../templates/python/pyproject.toml.hbs")),
    ("README.md", include_str!("../../../templates/python/README.md.hbs")),
    ("spec_config.py", include_str!("../../../templates/python/spec_config.py.hbs")),
    ("schema.py", include_str!("../../../templates/python/schema.py.hbs")),
    ("features.py", include_str!("../../../templates/python/features.py.hbs")),
    ("project.py", include_str!("../../../templates/python/project.py.hbs")),
    ("hooks.py", include_str!("../../../templates/python/hooks.py.hbs")),
    ("sample_data.py", include_str!("../../../templates/python/sample_data.py.hbs")),
    ("bodies.py", include_str!("../../../templates/python/bodies.py.hbs")),
    ("train.py", include_str!("../../../templates/python/train.py.hbs")),
    ("materialize.py", include_str!("../../../templates/python/materialize.py.hbs")),
    ("serve.py", include_str!("../../../templates/python/serve.py.hbs")),
    ("batch.py", include_str!("../../../templates/python/batch.py.hbs")),
    ("monitor.py", include_str!("../../../templates/python/monitor.py.hbs")),
    ("Dockerfile", include_str!("../../../templates/python/Dockerfile.hbs")),
    (".dockerignore", include_str!("../../../templates/python/dockerignore.hbs")),
    ("k8s/deployment.yaml", include_str!("../../../templates/python/k8s/deployment.yaml.hbs")),
    ("k8s/service.yaml", include_str!("../../../templates/python/k8s/service.yaml.hbs")),
    ("k8s/hpa.yaml", include_str!("../../../templates/python/k8s/hpa.yaml.hbs")),
    ("k8s/cronjob-retrain.yaml", include_str!("../../../templates/python/k8s/cronjob-retrain.yaml.hbs")),
    ("k8s/cronjob-batch.yaml", include_str!("../../../templates/python/k8s/cronjob-batch.yaml.hbs")),
    ("tests/conftest.py", include_str!("../../../templates/python/tests/conftest.py.hbs")),
    ("tests/test_train.py", include_str!("../../../templates/python/tests/test_train.py.hbs")),
    ("tests/test_serve.py", include_str!("../../../templates/python/tests/test_serve.py.hbs")),
    ("tests/test_batch.py", include_str!("../../../templates/python/tests/test_batch.py.hbs")),
    ("tests/test_online_store.py", include_str!("../../../templates/python/tests/test_online_store.py.hbs")),
    ("tests/test_monitor.py", include_str!("../../../templates/python/tests/test_monitor.py.hbs")),
    ("tests/test_deploy.py", include_str!("../../../templates/python/tests/test_deploy.py.hbs")),
];

/// Files the user owns: written once, never overwritten.
const USER_FILES: &[&str] = &["hooks.py"];

/// Which files a serving mode gets.
fn wanted(path: &str, realtime: bool, retrain: bool) -> bool {
    match path {
        "serve.py"
        | "bodies.py"
        | "materialize.py"
        | "tests/test_serve.py"
        | "tests/test_online_store.py"
        | "k8s/deployment.yaml"
        | "k8s/service.yaml"
        | "k8s/hpa.yaml" => realtime,
        "batch.py" | "tests/test_batch.py" | "k8s/cronjob-batch.yaml" => !realtime,
        "k8s/cronjob-retrain.yaml" => retrain,
        _ => true,
    }
}

struct Joined<'a> {
    design: &'a Design,
    base: String,
    /// Sources whose columns are on every scored row, base first.
    sources: Vec<String>,
}

impl Columns for Joined<'_> {
    fn column(&self, source: &str, field: &str) -> Option<String> {
        self.sources.iter().any(|s| s == source).then(|| format!("{source}.{field}"))
    }
    fn window_key(&self, source: &str, by: &str) -> Option<String> {
        // The same field name on a scored row, or a field that references
        // (or is referenced by, or shares a reference with) the window's key.
        let target = self.design.source(source).and_then(|s| s.field(by));
        let wanted = target.and_then(|f| f.references.as_ref()).map(|r| (r.source.clone(), r.field.clone()));
        let by_name =
            self.sources.iter().find(|s| self.design.source(s).and_then(|src| src.field(by)).is_some()).map(|s| format!("{s}.{by}"));
        by_name.or_else(|| {
            self.sources.iter().find_map(|s| {
                let src = self.design.source(s)?;
                src.fields
                    .iter()
                    .find(|f| {
                        let r = f.references.as_ref().map(|r| (r.source.clone(), r.field.clone()));
                        (r.is_some() && r == wanted)
                            || r.as_ref().is_some_and(|(rs, rf)| rs == source && rf == by)
                            || wanted.as_ref().is_some_and(|(ws, wf)| ws == s && wf == &f.name)
                    })
                    .map(|f| format!("{s}.{}", f.name))
            })
        })
    }
    fn base(&self) -> &str {
        &self.base
    }
}

/// How the runtime's `ctx.finish` turns a feature into numbers: its type,
/// except that a field of embedding type read as it is becomes
/// `"embedding"` (a vector per row, where other vectors come from functions).
fn finish_kind(design: &Design, f: &mlspec_ir::Feature) -> &'static str {
    if let FeatureExpr::Field { source, field } = &f.expr {
        if design.source(source).and_then(|s| s.field(field)).is_some_and(|fd| matches!(fd.ty, FieldType::Embedding(_))) {
            return "embedding";
        }
    }
    f.ty.as_str()
}

/// The `left` columns of the joins that lead to a read column: a joined
/// source is needed when a read is its column or a needed join's key is.
fn join_keys_needed(join_list: &[Join], reads: &BTreeSet<String>) -> BTreeSet<String> {
    let mut needed: BTreeSet<String> = BTreeSet::new();
    for j in join_list.iter().rev() {
        let prefix = format!("{}.", j.source);
        if reads.iter().chain(needed.iter()).any(|c| c.starts_with(&prefix)) {
            needed.insert(j.left.clone());
        }
    }
    needed
}

/// The declared online store as serving uses it: Redis when the design
/// says `online redis`, else the in-process store (noted when another
/// engine is declared, which this target does not implement).
fn online_store(design: &Design, notes: &mut Vec<String>) -> OnlineStoreConfig {
    let declared = design.feature_store.as_ref().and_then(|fs| fs.online.as_ref());
    let engine = declared.map(|s| s.engine.clone());
    let kind = match engine.as_deref() {
        Some("redis") => "redis",
        Some(other) => {
            notes.push(format!(
                "online store `{other}`: the python target implements `redis`; this service keeps its online state in process"
            ));
            "memory"
        }
        None => "memory",
    };
    OnlineStoreConfig { kind, engine, ttl_s: declared.and_then(|s| s.ttl_s) }
}

/// The joins from the base source to the sources whose key it (or an already
/// joined source) references, by `references` or by a field of the key's name.
fn joins(design: &Design, base: &str) -> (Vec<String>, Vec<Join>) {
    let mut joined = vec![base.to_string()];
    let mut out = Vec::new();
    loop {
        let mut added = false;
        for s in &design.sources {
            if joined.contains(&s.name) {
                continue;
            }
            let table = matches!(s.kind, Some(mlspec_ir::SourceKind::Table) | None);
            let Some(key) = s.fields.iter().find(|f| f.key) else { continue };
            let mut found = None;
            for j in &joined {
                let Some(js) = design.source(j) else { continue };
                if let Some(f) = js.fields.iter().find(|f| f.references.as_ref().is_some_and(|r| r.source == s.name && r.field == key.name))
                {
                    found = Some(format!("{j}.{}", f.name));
                    break;
                }
                if let Some(f) = js.fields.iter().find(|f| table && f.name == key.name && !f.key) {
                    found = found.or(Some(format!("{j}.{}", f.name)));
                }
            }
            if let Some(left) = found {
                out.push(Join { source: s.name.clone(), left, right: key.name.clone() });
                joined.push(s.name.clone());
                added = true;
            }
        }
        if !added {
            return (joined, out);
        }
    }
}

fn field_type_name(t: &FieldType) -> String {
    t.name()
}

/// The pydantic annotation of a field type.
fn py_type(t: &FieldType, values: &[String]) -> String {
    match t {
        FieldType::Id | FieldType::String | FieldType::Text => "str".into(),
        FieldType::Category if !values.is_empty() => {
            format!("Literal[{}]", values.iter().map(|v| py_str(v)).collect::<Vec<_>>().join(", "))
        }
        FieldType::Category => "str".into(),
        FieldType::Int => "int".into(),
        FieldType::Float => "float".into(),
        FieldType::Bool => "bool".into(),
        FieldType::Timestamp => "datetime".into(),
        FieldType::Date => "date".into(),
        FieldType::Geo => "tuple[float, float]".into(),
        FieldType::Embedding(_) => "list[float]".into(),
        FieldType::List(inner) => format!("list[{}]", py_type(inner, &[])),
        FieldType::Unknown => "str".into(),
    }
}

const PY_RESERVED: &[&str] = &[
    "False",
    "None",
    "True",
    "and",
    "as",
    "assert",
    "async",
    "await",
    "break",
    "class",
    "continue",
    "def",
    "del",
    "elif",
    "else",
    "except",
    "finally",
    "for",
    "from",
    "global",
    "if",
    "import",
    "in",
    "is",
    "lambda",
    "nonlocal",
    "not",
    "or",
    "pass",
    "raise",
    "return",
    "try",
    "while",
    "with",
    "yield",
    "match",
    "case",
    "type",
    "copy",
    "dict",
    "json",
    "schema",
    "construct",
    "validate",
    "fields",
    "parse_obj",
    "parse_raw",
    "parse_file",
    "from_orm",
    "update_forward_refs",
    "schema_json",
    "Literal",
    "Field",
    "BaseModel",
    "ConfigDict",
    "datetime",
    "date",
    "float",
    "int",
    "str",
    "bool",
    "list",
    "tuple",
];

/// A Python attribute name for a checked identifier: reserved words and
/// pydantic's own names get a trailing `_` (the JSON name stays as declared).
fn py_attr(name: &str) -> String {
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with("model_")
        && !name.starts_with('_')
        && !PY_RESERVED.contains(&name);
    if ok {
        name.to_string()
    } else {
        let cleaned: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        format!("f_{cleaned}")
    }
}

fn camel(name: &str) -> String {
    name.split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<String>()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// One pydantic field: attribute, JSON name, annotation and `Field(..)` args.
/// The longest string (characters) a request may send for a field of this
/// type, and the most items for a list: the language declares no lengths,
/// so these are defaults sized for the type (the 64 KB body bound holds too).
/// The ranking request's own fields, beside the query's.
const RANKING_OPTIONS: [&str; 2] = ["candidates", "limit"];

fn request_limit(t: &FieldType) -> Option<u32> {
    match t {
        FieldType::Id | FieldType::Category | FieldType::Unknown => Some(256),
        FieldType::String => Some(4096),
        FieldType::Text => Some(16384),
        FieldType::List(_) => Some(1000),
        _ => None,
    }
}

/// A pydantic field; `request` adds the request's length limits (records
/// validate stored data, which may hold longer values).
fn model_field(attr_name: &str, json_name: &str, f: &mlspec_ir::Field, column: &str, request: bool) -> SchemaField {
    let mut ty = py_type(&f.ty, &f.values);
    let mut args: Vec<String> = Vec::new();
    let optional = f.nullable || f.missing.is_some_and(|m| m > 0.0);
    if optional {
        ty = format!("{ty} | None");
        args.push("default=None".into());
    }
    if let Some((lo, hi)) = f.range {
        if matches!(f.ty, FieldType::Int | FieldType::Float) {
            args.push(format!("ge={}", py_num(lo)));
            args.push(format!("le={}", py_num(hi)));
        }
    }
    if let FieldType::Embedding(n) = f.ty {
        args.push(format!("min_length={n}"));
        args.push(format!("max_length={n}"));
    }
    let closed_category = f.ty == FieldType::Category && !f.values.is_empty();
    if let Some(limit) = request_limit(&f.ty).filter(|_| request && !closed_category) {
        args.push(format!("max_length={limit}"));
    }
    let attr = py_attr(attr_name);
    if attr != json_name {
        args.push(format!("alias={}", py_str(json_name)));
    }
    SchemaField {
        attr,
        name: json_name.to_string(),
        name_lit: py_str(json_name),
        column_lit: py_str(column),
        annotation: ty,
        field_args: args.join(", "),
    }
}

fn topo_features(design: &Design) -> Vec<usize> {
    let mut order = Vec::new();
    let mut state = vec![0u8; design.features.len()];
    fn visit(i: usize, d: &Design, state: &mut [u8], order: &mut Vec<usize>) {
        if state.get(i).copied().unwrap_or(2) != 0 {
            return;
        }
        if let Some(s) = state.get_mut(i) {
            *s = 1;
        }
        if let Some(f) = d.features.get(i) {
            for u in &f.uses_features {
                if let Some(j) = d.features.iter().position(|g| &g.name == u) {
                    visit(j, d, state, order);
                }
            }
        }
        if let Some(s) = state.get_mut(i) {
            *s = 2;
        }
        order.push(i);
    }
    for i in 0..design.features.len() {
        visit(i, design, &mut state, &mut order);
    }
    order
}

/// The python estimator family for a model kind, and a note when it stands
/// in for a kind the python target does not implement.
fn model_impl(kind: ModelKind) -> (&'static str, Option<&'static str>) {
    match kind {
        ModelKind::Rules => ("rules", None),
        ModelKind::Heuristic => ("heuristic", None),
        ModelKind::LogisticRegression => ("logistic", None),
        ModelKind::LinearRegression => ("linear", None),
        ModelKind::DecisionTree => ("tree", None),
        ModelKind::RandomForest => ("forest", None),
        ModelKind::GradientBoosting => ("gbdt", None),
        ModelKind::NeuralNetwork => ("mlp", None),
        ModelKind::Knn => ("knn", None),
        ModelKind::Kmeans => ("kmeans", None),
        ModelKind::IsolationForest => ("iforest", None),
        ModelKind::Transformer => ("mlp", Some("a scikit-learn MLP over its features stands in for the transformer")),
        ModelKind::TwoTower => ("mlp", Some("a scikit-learn MLP over its features stands in for the two-tower network")),
        ModelKind::MatrixFactorization => {
            ("logistic", Some("a logistic (or linear) model over its embedding features stands in for matrix factorization"))
        }
        ModelKind::Arima => ("linear", Some("a linear model over its lag and calendar features stands in for ARIMA")),
    }
}

/// A cron schedule for a period: the nearest of minutes, hours, days, weeks.
fn cron(every_s: f64) -> String {
    let m = (every_s / 60.0).round().max(1.0) as u64;
    if m < 60 {
        return if 60 % m == 0 { format!("*/{m} * * * *") } else { "* * * * *".into() };
    }
    let h = (every_s / 3600.0).round().max(1.0) as u64;
    if h < 24 {
        return if h > 1 && 24 % h == 0 { format!("0 */{h} * * *") } else { "0 * * * *".into() };
    }
    let d = (every_s / 86400.0).round().max(1.0) as u64;
    match d {
        1 => "0 0 * * *".into(),
        7 => "0 0 * * 0".into(),
        d if d >= 28 => "0 0 1 * *".into(),
        d => format!("0 0 */{d} * *"),
    }
}

fn source_config(s: &Source) -> SourceConfig {
    let fields = s
        .fields
        .iter()
        .map(|f| {
            let config = FieldConfig {
                ty: field_type_name(&f.ty),
                key: f.key,
                label: f.label,
                range: f.range,
                values: f.values.clone(),
                missing: f.missing.unwrap_or(0.0),
                nullable: f.nullable,
                dist: f.dist.as_ref().map(|d| DistConfig { kind: d.kind.clone(), params: d.params.clone() }),
                references: f.references.as_ref().map(|r| r.to_string()),
                pii: f.pii,
            };
            (f.name.clone(), config)
        })
        .collect();
    SourceConfig {
        kind: s.kind.map(|k| format!("{k:?}").to_ascii_lowercase()),
        format: s.format.clone(),
        location: s.location.clone(),
        time: s.event_time().map(|f| f.name.clone()),
        key: s.fields.iter().find(|f| f.key).map(|f| f.name.clone()),
        fields,
    }
}

/// Builds the python project for a checked design (no errors), from the
/// spec text it came from (hashed into the model card).
pub fn build_python(design: &Design, spec_text: &str) -> Result<Project, Vec<String>> {
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    let task = design.task();
    let Some(target) = design.problem.target.clone() else {
        return Err(vec!["the python target trains supervised models: declare `problem { target SOURCE.FIELD }`".into()]);
    };
    if task == Task::Clustering {
        return Err(vec!["the python target does not generate clustering projects yet".into()]);
    }
    let Some(serving) = design.servings.iter().find(|s| matches!(s.mode, Some(ServingMode::Realtime) | Some(ServingMode::Batch))) else {
        let modes: Vec<String> = design
            .servings
            .iter()
            .map(|s| format!("`{}` is {}", s.name, s.mode.map_or("without a mode".into(), |m| format!("{m:?}").to_lowercase())))
            .collect();
        return Err(vec![format!(
            "the python target generates realtime or batch serving; {}",
            if modes.is_empty() { "this spec declares no serving".to_string() } else { modes.join(", ") }
        )]);
    };
    let realtime = serving.mode == Some(ServingMode::Realtime);
    let base = target.source.clone();
    let target_col = format!("{}.{}", target.source, target.field);
    let (joined_sources, join_list) = joins(design, &base);
    let cols = Joined { design, base: base.clone(), sources: joined_sources.clone() };
    let base_src = design.source(&base);
    let base_time = base_src.and_then(|s| s.event_time()).map(|f| format!("{base}.{}", f.name));

    // Features, in dependency order.
    let mut features = Vec::new();
    let mut reads: BTreeSet<String> = BTreeSet::new();
    let mut windows: Vec<WindowUse> = Vec::new();
    for i in topo_features(design) {
        let Some(f) = design.features.get(i) else { continue };
        let mut c = Compiler::new(&cols, &f.name);
        match c.compile(&f.expr) {
            Ok(code) => {
                reads.extend(c.reads.iter().cloned());
                for w in &c.windows {
                    if !windows.contains(w) {
                        windows.push(w.clone());
                    }
                }
                features.push(FeatureView { name_lit: py_str(&f.name), code, type_lit: py_str(finish_kind(design, f)) });
            }
            Err(e) => errors.push(e),
        }
    }

    // Models.
    let main_model = serving.stages.iter().rev().find_map(|s| s.model.clone()).or_else(|| design.models.last().map(|m| m.name.clone()));
    let Some(main_model) = main_model else {
        return Err(vec!["the python target needs a model to serve: add `stage NAME { model MODEL }` to the serving".into()]);
    };
    let fallback = serving.timeout.as_ref().map(|(_, m)| m.clone());
    let mut models = BTreeMap::new();
    let mut rules = Vec::new();
    for m in &design.models {
        let kind = m.kind;
        let (imp, note) = model_impl(kind);
        if let Some(n) = note {
            notes.push(format!("model `{}` ({}): {n}", m.name, kind.as_str()));
        }
        let mut rule_codes = Vec::new();
        for (ri, r) in m.rules.iter().enumerate() {
            let mut c = Compiler::new(&cols, &format!("{}#rule{}", m.name, ri + 1));
            match c.compile(r) {
                Ok(code) => {
                    reads.extend(c.reads.iter().cloned());
                    rule_codes.push(code);
                }
                Err(e) => errors.push(e),
            }
        }
        if !rule_codes.is_empty() {
            rules.push(RuleView { model_lit: py_str(&m.name), codes: rule_codes });
        }
        models.insert(
            m.name.clone(),
            ModelConfig {
                kind: kind.as_str(),
                imp,
                features: m.features.clone(),
                params: m.params.clone(),
                tuning: m.tuning.as_ref().map(|t| TuningConfig { search: t.search, trials: t.trials, cv: t.cv, metric: t.metric.clone() }),
                baseline: m.baseline.clone(),
                stage: m.stage,
            },
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if let Some(t) = &base_time {
        reads.insert(t.clone());
    }
    reads.remove(&target_col);

    // The request: every column of the scored event the features and rules
    // read; the joined tables' columns come from the online store.
    let base_prefix = format!("{}.", cols.base);
    let mut event_reads: BTreeSet<String> = reads.iter().filter(|c| c.starts_with(&base_prefix)).cloned().collect();
    event_reads.extend(join_keys_needed(&join_list, &reads).into_iter().filter(|c| c.starts_with(&base_prefix)));
    // A ranking request names its query; each candidate's id and attributes
    // come from retrieval and the catalogue.
    let ranking = if realtime { ranking::plan(design, &base, &main_model, &mut notes) } else { None };
    if let Some(r) = &ranking {
        event_reads.insert(r.query.clone());
        event_reads.remove(&r.item);
        for c in r.from_catalogue.keys() {
            event_reads.remove(c);
        }
    }
    let mut field_names: BTreeMap<String, usize> = BTreeMap::new();
    for c in &event_reads {
        if let Some((_, f)) = c.split_once('.') {
            *field_names.entry(f.to_string()).or_default() += 1;
        }
    }
    let mut request_fields = Vec::new();
    for c in &event_reads {
        let Some((s, f)) = c.split_once('.') else { continue };
        let Some(field) = design.source(s).and_then(|src| src.field(f)) else { continue };
        let json_name = if field_names.get(f).copied().unwrap_or(0) > 1 { format!("{s}_{f}") } else { f.to_string() };
        if ranking.is_some() && RANKING_OPTIONS.contains(&json_name.as_str()) {
            return Err(vec![format!("the ranking request's `{json_name}` is also the name of the field `{c}`: rename the field")]);
        }
        request_fields.push(model_field(&json_name, &json_name, field, c, true));
    }
    let ranking_request = ranking.as_ref().map(|r| RankingRequest {
        candidates: r.candidates,
        limit: r.limit,
        id_max_length: request_limit(&FieldType::Id).unwrap_or(256),
        query_md: md_code(&r.query),
        query_declared: ranking::query_column(design).is_some_and(|(_, declared)| declared),
        item_md: md_code(&r.item),
        attributes_md: (!r.from_catalogue.is_empty())
            .then(|| r.from_catalogue.iter().map(|(e, c)| format!("{} from {}", md_code(e), md_code(c))).collect::<Vec<_>>().join(", ")),
        retrieval_md: r.retrieval.as_ref().map(|m| md_code(&m.model)),
    });
    let records: Vec<Record> = design
        .sources
        .iter()
        .map(|s| Record {
            class: format!("{}Record", camel(&s.name)),
            source_lit: py_str(&s.name),
            fields: s.fields.iter().map(|f| model_field(&f.name, &f.name, f, &f.name, false)).collect(),
        })
        .collect();

    // Metrics the training computes on the test split.
    let metrics: Vec<MetricConfig> = design
        .metrics
        .iter()
        .filter(|m| m.scope == Scope::Offline && metric_family(&m.base, m.k.is_some()).is_some())
        .map(|m| MetricConfig {
            name: m.name.clone(),
            base: m.base.clone(),
            k: m.k,
            cmp: m.threshold.map(|(c, _)| c.as_str()),
            threshold: m.threshold.map(|(_, t)| t),
            primary: m.primary,
        })
        .collect();
    let target_field = design.field(&target);
    let classes: Vec<String> = match (task, target_field) {
        (Task::MulticlassClassification, Some(f)) => f.values.clone(),
        _ => Vec::new(),
    };
    if task == Task::MulticlassClassification && classes.len() < 2 {
        return Err(vec![format!("multiclass target `{target}` needs `values [..]` with its classes")]);
    }
    let split = design.dataset.as_ref().and_then(|d| d.split.as_ref()).map(|s| {
        let (strategy, field) = match &s.strategy {
            SplitStrategy::Random => ("random", None),
            SplitStrategy::Time(f) => ("time", Some(f.to_string())),
            SplitStrategy::Group(f) => ("group", Some(f.to_string())),
        };
        SplitConfig { strategy, field, train: s.train, validation: s.validation, test: s.test }
    });
    let dataset = design.dataset.clone().unwrap_or_default();
    let drift: Vec<DriftConfig> = design
        .monitors
        .iter()
        .filter_map(|m| match &m.kind {
            MonitorKind::Drift { feature, statistic, p_value, cmp, threshold, every_s } => Some(DriftConfig {
                feature: feature.clone(),
                statistic: *statistic,
                p_value: *p_value,
                cmp: cmp.as_str(),
                threshold: *threshold,
                every_s: *every_s,
                alert: m.alert.as_ref().map(|a| AlertConfig { channel: a.channel, target: a.target.clone() }),
            }),
            _ => None,
        })
        .collect();
    let drift_monitors = !drift.is_empty();
    let retrain_every = design.monitors.iter().find_map(|m| match m.kind {
        MonitorKind::Retrain { every_s } => Some(every_s),
        _ => None,
    });
    // The declared `group`, else the old guess (W0104 in the checker).
    let rank_group = ranking::query_column(design).map(|(column, _)| column);
    let online_store = online_store(design, &mut notes);
    let redis = online_store.kind == "redis";
    let sources: BTreeMap<String, SourceConfig> = design.sources.iter().map(|s| (s.name.clone(), source_config(s))).collect();
    let endpoint = serving.endpoint.clone().unwrap_or_else(|| "/predict".into());

    let config = Config {
        spec_name: design.name.clone(),
        spec_hash: spec_hash(spec_text),
        description: design.description.clone(),
        owner: design.owner.clone(),
        objective: design.problem.objective.clone(),
        task: task.as_str(),
        target: target_col,
        dedupe: dataset.dedupe.as_ref().map(|d| if d.contains('.') { d.clone() } else { format!("{base}.{d}") }),
        base_source: base,
        base_time,
        positive_rate: design.problem.positive_rate,
        classes,
        sources,
        joins: join_list,
        windows,
        online_store,
        features: design.features.iter().map(|f| f.name.clone()).collect(),
        models,
        main_model,
        fallback_model: fallback,
        metrics,
        cost_matrix: design.cost_matrix.as_ref().map(|c| CostMatrixConfig { tp: c.tp, fp: c.fp, fn_: c.fn_, tn: c.tn }),
        split,
        imbalance: dataset.imbalance,
        missing: dataset.missing,
        outliers: dataset.outliers,
        rank_group,
        ranking,
        serving: ServingConfig {
            name: serving.name.clone(),
            mode: if realtime { "realtime" } else { "batch" },
            endpoint: endpoint.clone(),
            timeout_s: serving.timeout.as_ref().map(|(t, _)| *t),
            cache_ttl_s: serving.cache.map(|(t, _)| t),
            concurrency: serving.concurrency,
            workers: mlspec_ir::facts::worker_processes(serving),
            queue: serving.queue,
            schedule_every_s: serving.schedule_every_s,
            stages: serving
                .stages
                .iter()
                .map(|st| StageConfig {
                    name: st.name.clone(),
                    model: st.model.clone(),
                    feature_store: st.feature_store_online,
                    batch: st.batch.map(|(n, _)| n),
                    wait_s: st.batch.map(|(_, w)| w),
                })
                .collect(),
        },
        drift,
    };
    let config = match serde_json::to_value(&config) {
        Ok(value) => py(&value),
        Err(e) => return Err(vec![format!("internal error building `spec_config.py`: {e}")]),
    };

    let name_dns = dns(&design.name);
    // Room for a `-retrain` suffix within DNS-1123's 63 characters.
    let short_dns = dns(&name_dns.chars().take(54).collect::<String>());
    let (min_r, max_r) = serving.replicas;
    let instance = serving.instance.as_ref();
    let cores = instance.and_then(|i| i.params.get("cores").copied()).unwrap_or(1.0);
    let workers = mlspec_ir::facts::worker_processes(serving);
    let memory_gb = instance.and_then(|i| i.params.get("memory").copied()).map(|m| if m > 1e6 { m / 1e9 } else { m }).unwrap_or(2.0);
    let gpus = instance.filter(|i| i.kind == "gpu").map(|i| i.params.get("count").copied().unwrap_or(1.0));
    let autoscale = serving.autoscale.as_ref().map(|a| Autoscale {
        cpu: a.on == AutoscaleSignal::Cpu,
        cpu_percent: (a.target * 100.0).round() as i64,
        rps: (a.target).round() as i64,
        warmup_s: a.warmup_s.map(|w| w.round() as i64),
    });
    let view = View {
        config,
        spec_name_lit: py_str(&design.name),
        title_md: md(&design.name),
        description_md: design.description.as_deref().map(md),
        objective_md: md(&design.problem.objective),
        owner_md: design.owner.as_deref().map(md),
        endpoint_md: md(&endpoint),
        runtime_version: super::runtime::version(),
        task: task.as_str(),
        realtime,
        workers,
        drift_monitors,
        answer_cache: serving.cache.is_some(),
        timeout_fallback: serving.timeout.is_some(),
        redis,
        features,
        rules,
        request_fields,
        ranking_request,
        rank_group_comment: ranking::rank_group_comment(design),
        records,
        k8s: K8s {
            name: yaml_str(&name_dns),
            label: yaml_str(&name_dns),
            retrain_name: yaml_str(&format!("{short_dns}-retrain")),
            batch_name: yaml_str(&format!("{short_dns}-batch")),
            api_key_secret: yaml_str(&format!("{short_dns}-api-key")),
            redis_secret: yaml_str(&format!("{short_dns}-redis")),
            secret_prefix: short_dns.clone(),
            owner: yaml_str(design.owner.as_deref().unwrap_or_default()),
            description: yaml_str(design.description.as_deref().unwrap_or_default()),
            min_replicas: min_r.max(1),
            max_replicas: max_r.max(min_r.max(1)),
            cpu: py_num(cores),
            memory: format!("{}Gi", memory_gb.ceil().max(1.0) as u64),
            gpus: gpus.map(|g| g.round().max(1.0) as u64),
            autoscale,
            retrain_cron: yaml_str(&cron(retrain_every.unwrap_or(7.0 * 86400.0))),
            batch_cron: yaml_str(&cron(serving.schedule_every_s.unwrap_or(86400.0))),
        },
    };

    let hb = renderer();
    let mut files = Vec::new();
    for (path, text) in TEMPLATES {
        if !wanted(path, realtime, retrain_every.is_some()) {
            continue;
        }
        match hb.render_template(text, &view) {
            Ok(contents) => {
                let owner = if USER_FILES.contains(path) { Owner::User } else { Owner::Generated };
                files.push(GeneratedFile { path: (*path).to_string(), contents, owner });
            }
            Err(e) => errors.push(format!("internal error rendering `{path}`: {e}")),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    files.extend(super::runtime::files());
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Project { files, notes })
}

/// The template renderer: no HTML escaping (the view holds literals), and
/// strict mode, so a key the view model lacks is an error, not empty text.
fn renderer() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.register_escape_fn(handlebars::no_escape);
    hb.set_strict_mode(true);
    hb
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cron_schedules() {
        assert_eq!(cron(3600.0), "0 * * * *");
        assert_eq!(cron(86400.0), "0 0 * * *");
        assert_eq!(cron(7.0 * 86400.0), "0 0 * * 0");
        assert_eq!(cron(15.0 * 60.0), "*/15 * * * *");
        assert_eq!(cron(6.0 * 3600.0), "0 */6 * * *");
        assert_eq!(cron(30.0 * 86400.0), "0 0 1 * *");
    }

    #[test]
    fn a_key_missing_from_the_view_is_an_error() {
        let view = RuleView { model_lit: py_str("m"), codes: vec!["x".into()] };
        let hb = renderer();
        assert!(hb.render_template("{{model_lit}}{{#each codes}}{{this}}{{/each}}", &view).is_ok());
        assert!(hb.render_template("{{model_lti}}", &view).is_err());
        assert!(hb.render_template("{{#if missing}}x{{/if}}", &view).is_ok());
    }

    #[test]
    fn a_chain_of_joins_needs_the_scored_events_key_to_its_first_table() {
        let join = |source: &str, left: &str| Join { source: source.into(), left: left.into(), right: "k".into() };
        let list = [join("payments", "reviews.txn_id"), join("accounts", "payments.card_id"), join("unused", "reviews.other")];
        let reads: BTreeSet<String> = ["accounts.opened_ts".to_string()].into();
        let needed = join_keys_needed(&list, &reads);
        assert_eq!(needed, ["payments.card_id".to_string(), "reviews.txn_id".to_string()].into());
        assert!(join_keys_needed(&list, &BTreeSet::from(["reviews.txn_ts".to_string()])).is_empty());
    }

    #[test]
    fn attributes_avoid_keywords_and_pydantic_names() {
        assert_eq!(py_attr("amount"), "amount");
        assert_eq!(py_attr("class"), "f_class");
        assert_eq!(py_attr("model_id"), "f_model_id");
        assert_eq!(py_attr("json"), "f_json");
    }
}
