//! Time-ordered generation: hour by hour, the entity's rows with the rows
//! they join, window state fed by every aggregated stream, the features,
//! the models' input columns and the labels, appended to a [`Store`].
//!
//! **Invariant:** blocks are generated in time order and each is a pure
//! function of (seed, block, drift in force at the block's start); the
//! store's rows are sorted by event time.

use super::drift::{DriftPlan, FieldDrift};
use super::features::{window_spec, Evaluator, Rows, Val};
use super::synth::{self, Block};
use super::table::{self, Col, Table, MISSING};
use super::truth::{Shape, Truth};
use super::windows::{WindowSpec, Windows};
use super::world::{is_table, World};
use crate::DriftError;
use mlspec_ir::vocab::{ModelKind, Task};
use mlspec_ir::{Design, FeatureExpr, FieldType, MonitorKind};
use std::collections::{BTreeMap, BTreeSet};

/// Rows are generated an hour at a time; drift starts are resolved to the hour.
pub const BLOCK_S: f64 = 3600.0;

/// All generated rows, column-major.
#[derive(Clone, Debug, Default)]
pub struct Store {
    pub t: Vec<f64>,
    pub y: Vec<f64>,
    /// Input columns of every model, see [`Inputs`].
    pub x: Vec<Vec<f64>>,
    /// One 0/1 column per `rules` model.
    pub rules: Vec<Vec<f64>>,
    /// One column per drift monitor (number, or category code).
    pub monitored: Vec<Vec<f64>>,
    /// The ranking group of each row (a query or user id).
    pub group: Vec<u32>,
}

impl Store {
    pub fn len(&self) -> usize {
        self.t.len()
    }
    pub fn is_empty(&self) -> bool {
        self.t.is_empty()
    }
    /// The rows with event time in `[from, to)`.
    pub fn range(&self, from: f64, to: f64) -> std::ops::Range<usize> {
        self.t.partition_point(|t| *t < from)..self.t.partition_point(|t| *t < to)
    }
}

/// Where each model's input columns are in [`Store::x`].
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    /// Feature name -> its columns.
    pub features: BTreeMap<String, std::ops::Range<usize>>,
    /// Model name -> its columns, in its feature order.
    pub models: BTreeMap<String, Vec<usize>>,
    /// Rules model name -> index into [`Store::rules`].
    pub rules: BTreeMap<String, usize>,
    pub width: usize,
}

/// A drift monitor's feature, as generated: categories have `levels`.
#[derive(Clone, Debug)]
pub struct Monitored {
    pub feature: String,
    pub levels: Option<usize>,
}

pub struct Generator<'d> {
    d: &'d Design,
    pub world: World,
    pub drift: DriftPlan,
    seed: u64,
    tables: BTreeMap<usize, (usize, Table)>,
    windows: Windows,
    eval: Evaluator,
    pub truth: Option<Truth>,
    pub inputs: Inputs,
    pub monitored: Vec<Monitored>,
    next_row: BTreeMap<usize, u64>,
    read_sources: BTreeSet<String>,
    window_specs: Vec<WindowSpec>,
    label: Option<(String, String)>,
    task: Task,
    /// (block, start, rows in the store) of every block generated.
    blocks: Vec<(i64, f64, std::ops::Range<usize>)>,
}

/// The features any model reads, in order of first use; with no model, every feature.
fn model_features(d: &Design) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in d.models.iter().filter(|m| m.kind != ModelKind::Rules) {
        for f in &m.features {
            if !out.contains(f) && d.feature(f).is_some() {
                out.push(f.clone());
            }
        }
    }
    if out.is_empty() {
        out = d.features.iter().map(|f| f.name.clone()).collect();
    }
    out
}

fn rule_reads(e: &FeatureExpr, out: &mut BTreeSet<String>) {
    match e {
        FeatureExpr::Field { source, .. } | FeatureExpr::Source { source } => {
            out.insert(source.clone());
        }
        FeatureExpr::Call { args, named, .. } => {
            args.iter().for_each(|a| rule_reads(a, out));
            named.values().for_each(|a| rule_reads(a, out));
        }
        FeatureExpr::Unary { arg, .. } => rule_reads(arg, out),
        FeatureExpr::Binary { left, right, .. } => {
            rule_reads(left, out);
            rule_reads(right, out);
        }
        FeatureExpr::List { items } => items.iter().for_each(|a| rule_reads(a, out)),
        _ => {}
    }
}

fn window_specs_in(e: &FeatureExpr, out: &mut Vec<WindowSpec>) {
    if let FeatureExpr::Call { func, args, named } = e {
        if let Some(s) = func.window().and_then(|w| window_spec(w, args, named)) {
            if !out.contains(&s) {
                out.push(s);
            }
        }
        args.iter().for_each(|a| window_specs_in(a, out));
    }
    match e {
        FeatureExpr::Unary { arg, .. } => window_specs_in(arg, out),
        FeatureExpr::Binary { left, right, .. } => {
            window_specs_in(left, out);
            window_specs_in(right, out);
        }
        _ => {}
    }
}

impl<'d> Generator<'d> {
    pub fn new(d: &'d Design, world: World, drift: DriftPlan, seed: u64) -> Generator<'d> {
        let mut read_sources = BTreeSet::new();
        let mut window_specs = Vec::new();
        for f in &d.features {
            read_sources.extend(f.reads.iter().map(|r| r.source.clone()));
            window_specs_in(&f.expr, &mut window_specs);
        }
        for m in &d.models {
            m.rules.iter().for_each(|r| rule_reads(r, &mut read_sources));
        }
        let label = d.problem.target.as_ref().map(|t| (t.source.clone(), t.field.clone()));
        let task = d.task();
        let monitored = d
            .monitors
            .iter()
            .filter_map(|m| match &m.kind {
                MonitorKind::Drift { feature, .. } => Some(Monitored { feature: feature.clone(), levels: None }),
                _ => None,
            })
            .collect();
        Generator {
            d,
            world,
            drift,
            seed,
            tables: BTreeMap::new(),
            windows: Windows::default(),
            eval: Evaluator::default(),
            truth: None,
            inputs: Inputs::default(),
            monitored,
            next_row: BTreeMap::new(),
            read_sources,
            window_specs,
            label,
            task,
            blocks: Vec::new(),
        }
    }

    /// Forgets the blocks generated so far (warm-up rows the caller threw
    /// away), so [`Generator::label`] labels only the kept store.
    pub fn forget_blocks(&mut self) {
        self.blocks.clear();
    }

    /// The longest window aggregation, in seconds (0 without windows).
    pub fn longest_window_s(&self) -> f64 {
        self.window_specs.iter().map(WindowSpec::window_s).fold(0.0, f64::max)
    }

    fn source_drift<'a>(&'a self, source: &'a str, t: f64) -> impl Fn(&str) -> FieldDrift + 'a {
        let plan = &self.drift;
        move |field: &str| plan.field(source, field, t)
    }

    /// A stream source's rows for `[start, end)`.
    fn stream_rows(&mut self, si: usize, block: i64, start: f64, end: f64, n: usize) -> Result<Table, DriftError> {
        let Some(s) = self.d.sources.get(si) else { return Ok(Table::default()) };
        let times = synth::event_times(self.seed, &s.name, block, start, end, n);
        let first_row = *self.next_row.get(&si).unwrap_or(&0);
        self.next_row.insert(si, first_row + n as u64);
        let drift = self.source_drift(&s.name, start);
        let b = Block { seed: self.seed, source_index: si, source: s, block, times: &times, first_row, drift: &drift };
        let (df, layouts) = synth::draw(&self.world, &b)?;
        table::from_frame(&s.name, &df, &layouts, times)
    }

    /// A table source as of `t`: redrawn (same streams, so the same rows
    /// where nothing drifted) only when a drift event has started since.
    fn table_rows(&mut self, si: usize, t: f64) -> Result<Option<&Table>, DriftError> {
        let epoch = self.drift.epoch(t);
        if self.tables.get(&si).is_none_or(|(e, _)| *e != epoch) {
            let Some(s) = self.d.sources.get(si) else { return Ok(None) };
            let n = self.world.rows.get(si).copied().unwrap_or(1) as usize;
            let times = vec![0.0; n];
            let table = {
                let drift = self.source_drift(&s.name, t);
                let b = Block { seed: self.seed, source_index: si, source: s, block: -1, times: &times, first_row: 0, drift: &drift };
                let (df, layouts) = synth::draw(&self.world, &b)?;
                table::from_frame(&s.name, &df, &layouts, times.clone())?
            };
            self.tables.insert(si, (epoch, table));
        }
        Ok(self.tables.get(&si).map(|(_, t)| t))
    }

    fn index_of(&self, source: &str) -> Option<usize> {
        self.d.sources.iter().position(|s| s.name == source)
    }

    /// The key column (pool indices) of `pool` among the aligned tables.
    fn key_column(&self, aligned: &BTreeMap<String, Table>, pool: usize, name: &str) -> Option<Vec<u32>> {
        let mut by_name = None;
        for (sname, t) in aligned {
            let si = self.index_of(sname)?;
            let s = self.d.sources.get(si)?;
            for (fi, f) in s.fields.iter().enumerate() {
                if let Some(Col::Id(v)) = t.col(&f.name) {
                    if self.world.pool(si, fi) == Some(pool) {
                        return Some(v.clone());
                    }
                    if f.name == name && by_name.is_none() {
                        by_name = Some(v.clone());
                    }
                }
            }
        }
        by_name
    }

    /// Generates the block `[start, end)` and appends it to `store`.
    pub fn block(&mut self, k: i64, start: f64, end: f64, n: usize, store: &mut Store) -> Result<(), DriftError> {
        let d = self.d;
        let entity = self.world.entity;
        let Some(entity_src) = d.sources.get(entity) else { return Ok(()) };
        let rows = self.stream_rows(entity, k, start, end, n)?;
        let mut aligned: BTreeMap<String, Table> = BTreeMap::new();
        let n = rows.len();
        let times = rows.t.clone();
        aligned.insert(entity_src.name.clone(), rows);
        // Join tables by key, following references outward from the entity.
        let mut pending: Vec<usize> = self
            .read_sources
            .iter()
            .filter_map(|s| self.index_of(s))
            .filter(|si| *si != entity)
            .chain(self.window_specs.iter().filter_map(|w| self.index_of(&w.source)).filter(|si| *si != entity))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut progress = true;
        while progress {
            progress = false;
            for si in pending.clone() {
                let Some(s) = d.sources.get(si) else { continue };
                if !is_table(s) {
                    continue;
                }
                let key = s.fields.iter().enumerate().find(|(_, f)| f.key).and_then(|(fi, _)| self.world.pool(si, fi));
                let Some(idx) = key.and_then(|p| self.key_column(&aligned, p, "")) else { continue };
                let idx: Vec<Option<usize>> = idx.iter().map(|k| (*k != MISSING).then_some(*k as usize)).collect();
                let Some(table) = self.table_rows(si, start)? else { continue };
                let cols = table.cols.iter().map(|(name, c)| (name.clone(), c.gather(&idx))).collect();
                aligned.insert(s.name.clone(), Table { t: times.clone(), cols });
                pending.retain(|x| *x != si);
                progress = true;
            }
        }
        // Sources with no join path: an independent draw per row.
        for si in pending {
            let Some(s) = d.sources.get(si) else { continue };
            if !self.read_sources.contains(&s.name) || aligned.contains_key(&s.name) {
                continue;
            }
            let drift = self.source_drift(&s.name, start);
            let b = Block {
                seed: self.seed,
                source_index: si,
                source: s,
                block: k * 1000 + si as i64,
                times: &times,
                first_row: 0,
                drift: &drift,
            };
            let (df, layouts) = synth::draw(&self.world, &b)?;
            aligned.insert(s.name.clone(), table::from_frame(&s.name, &df, &layouts, times.clone())?);
        }
        let windows = self.windows_for(k, start, end, &aligned, &times)?;
        let view = Rows { n, t: &times, tables: aligned.iter().map(|(k, v)| (k.clone(), v)).collect(), windows: &windows };
        let mut values = self.eval.features(d, &view)?;
        // Model inputs.
        if self.inputs.width == 0 && self.inputs.features.is_empty() {
            self.layout_inputs(&values, n);
        }
        let mut x: Vec<Vec<f64>> = Vec::with_capacity(self.inputs.width);
        for (name, range) in &self.inputs.features {
            let mut cols = values.get(name).ok_or_else(|| DriftError::Feature { name: name.clone() })?.columns(n).into_iter();
            x.extend((0..range.len()).map(|_| cols.next().unwrap_or_else(|| vec![0.0; n])));
        }
        let mut monitored = Vec::with_capacity(self.monitored.len());
        for m in &mut self.monitored {
            let (v, levels) = values.get(&m.feature).ok_or_else(|| DriftError::Feature { name: m.feature.clone() })?.monitored(n);
            m.levels = levels;
            monitored.push(v);
        }
        // Rules read the features computed above (`values` is their memo).
        let mut rules: Vec<Vec<f64>> = Vec::new();
        for m in d.models.iter().filter(|m| m.kind == ModelKind::Rules) {
            let mut any = vec![0.0; n];
            for (i, r) in m.rules.iter().enumerate() {
                let v = self.eval.rule(d, &format!("rule:{}:{i}", m.name), r, &view, &mut values)?;
                for (a, b) in any.iter_mut().zip(v) {
                    *a = f64::max(*a, b);
                }
            }
            rules.push(any);
        }
        let group = self.group(&aligned, entity_src, n);
        let from = store.len();
        // Labels come later, from a truth fitted on settled rows (see `label`).
        let unlabelled = vec![f64::NAN; n];
        append(store, times, unlabelled, x, rules, monitored, group);
        self.blocks.push((k, start, from..store.len()));
        Ok(())
    }

    fn layout_inputs(&mut self, values: &BTreeMap<String, Val>, n: usize) {
        let mut at = 0;
        for f in model_features(self.d) {
            let w = values.get(&f).map(|v| v.columns(n).len().max(1)).unwrap_or(1);
            self.inputs.features.insert(f, at..at + w);
            at += w;
        }
        self.inputs.width = at;
        let mut rules = 0;
        for m in &self.d.models {
            if m.kind == ModelKind::Rules {
                self.inputs.rules.insert(m.name.clone(), rules);
                rules += 1;
                continue;
            }
            let cols = m.features.iter().filter_map(|f| self.inputs.features.get(f)).flat_map(|r| r.clone()).collect();
            self.inputs.models.insert(m.name.clone(), cols);
        }
    }

    fn windows_for(
        &mut self,
        k: i64,
        start: f64,
        end: f64,
        aligned: &BTreeMap<String, Table>,
        times: &[f64],
    ) -> Result<BTreeMap<WindowSpec, Vec<f64>>, DriftError> {
        let entity = self.world.entity;
        let mut out = BTreeMap::new();
        let mut fed: BTreeMap<String, Table> = BTreeMap::new();
        for spec in self.window_specs.clone() {
            let Some(si) = self.index_of(&spec.source) else { continue };
            let Some(s) = self.d.sources.get(si) else { continue };
            let by_pool = s.fields.iter().position(|f| f.name == spec.by).and_then(|fi| self.world.pool(si, fi));
            // The events: the entity's own rows, or this block of the other stream.
            let events = if si == entity {
                aligned.get(&s.name).cloned().unwrap_or_default()
            } else {
                if !fed.contains_key(&s.name) {
                    let rows = self.world.rows.get(si).copied().unwrap_or(0);
                    let n = block_rows(rows, k);
                    let t = self.stream_rows(si, k, start, end, n)?;
                    fed.insert(s.name.clone(), t);
                }
                fed.get(&s.name).cloned().unwrap_or_default()
            };
            let event_keys = match events.col(&spec.by) {
                Some(Col::Id(v)) => v.clone(),
                Some(Col::Cat { codes, .. }) => codes.clone(),
                _ => vec![MISSING; events.len()],
            };
            // Labels are not drawn (the hidden truth sets them later): a
            // window over a label field sees its events but no values.
            let drawn = |f: &String| events.col(f).is_some() || s.field(f).is_some_and(|x| x.label);
            if let Some(f) = spec.field.as_ref().filter(|f| !drawn(f)) {
                return Err(DriftError::Field { source: s.name.clone(), field: f.clone() });
            }
            let values = spec.field.as_ref().and_then(|f| events.col(f)).map(|c| match c {
                Col::Num(v) => v.clone(),
                Col::Cat { codes, .. } | Col::Id(codes) => {
                    codes.iter().map(|c| if *c == MISSING { f64::NAN } else { f64::from(*c) }).collect()
                }
                other => vec![f64::NAN; other.len()],
            });
            let query_keys = if si == entity {
                event_keys.clone()
            } else {
                match by_pool {
                    Some(p) => self.key_column(aligned, p, &spec.by),
                    None => aligned.values().find_map(|t| match t.col(&spec.by) {
                        Some(Col::Id(v)) => Some(v.clone()),
                        Some(Col::Cat { codes, .. }) => Some(codes.clone()),
                        _ => None,
                    }),
                }
                .unwrap_or_else(|| vec![MISSING; times.len()])
            };
            let w = self.windows.states.entry(spec.clone()).or_default();
            w.feed(&events.t, &event_keys, values.as_deref());
            out.insert(spec.clone(), w.query(&spec, times, &query_keys));
        }
        Ok(out)
    }

    /// Labels every generated row. The hidden truth is fitted on the rows
    /// with event time in `reference` (settled history: windows warm), then
    /// each block is labelled under the concept and label rate in force at
    /// its start.
    pub fn label(&mut self, store: &mut Store, reference: std::ops::Range<f64>) {
        let Some(entity_src) = self.d.sources.get(self.world.entity) else { return };
        let label_field = self.label.as_ref().and_then(|(_, f)| entity_src.field(f));
        let shape = match self.task {
            Task::Regression | Task::Forecasting => {
                let range = label_field.and_then(|f| f.range);
                let dist = label_field.and_then(|f| f.dist.as_ref());
                let (center, spread) = match (dist.and_then(|d| d.params.get("mean")), dist.and_then(|d| d.params.get("sd")), range) {
                    (Some(m), Some(s), _) if dist.is_some_and(|d| d.kind == "normal") => (*m, *s),
                    (_, _, Some((lo, hi))) => ((lo + hi) / 2.0, (hi - lo).abs() / 8.0),
                    _ => (0.0, 1.0),
                };
                Shape::Regression { center, spread, range }
            }
            Task::MulticlassClassification => {
                let classes = self.d.problem.classes.len();
                let values = label_field.map_or(0, |f| f.values.len());
                Shape::Multiclass { classes: classes.max(values).max(3) }
            }
            _ => Shape::Binary { positive_rate: self.d.problem.positive_rate.unwrap_or_else(super::truth::default_positive_rate) },
        };
        let r = store.range(reference.start, reference.end);
        let columns: Vec<Vec<f64>> = store.x.iter().map(|c| c.get(r.clone()).unwrap_or(&[]).to_vec()).collect();
        let mut truth = Truth::new(shape, &columns, self.seed);
        for (k, start, rows) in &self.blocks {
            let concept = self.drift.concept(*start);
            let prior = self.label.as_ref().and_then(|(s, f)| self.drift.prior(s, f, *start));
            let columns: Vec<Vec<f64>> = store.x.iter().map(|c| c.get(rows.clone()).unwrap_or(&[]).to_vec()).collect();
            let y = truth.labels(&columns, concept, prior, *k);
            for (slot, v) in store.y.get_mut(rows.clone()).unwrap_or(&mut []).iter_mut().zip(y) {
                *slot = v;
            }
        }
        self.truth = Some(truth);
    }

    /// A ranking group per row: the declared `problem { group }` when it is a
    /// field of the entity (the checker holds it to the target's source, the
    /// entity); else, for a spec that declares none, a query-like id of the
    /// entity, else its first non-key id.
    fn group(&self, aligned: &BTreeMap<String, Table>, entity_src: &mlspec_ir::Source, n: usize) -> Vec<u32> {
        let declared = self.d.problem.group.as_ref().filter(|g| g.source == entity_src.name).map(|g| g.field.as_str());
        let ids: Vec<&str> = entity_src.fields.iter().filter(|f| f.ty == FieldType::Id && !f.key).map(|f| f.name.as_str()).collect();
        let guess = || {
            ids.iter().find(|f| ["search", "query", "session", "request"].iter().any(|w| f.contains(w))).or_else(|| ids.first()).copied()
        };
        let pick = declared.or_else(guess);
        match pick.and_then(|f| aligned.get(&entity_src.name).and_then(|t| t.col(f))) {
            Some(Col::Id(v)) => v.clone(),
            _ => vec![0; n],
        }
    }
}

/// Rows of block `k` for a source with `per_day` rows a day: the hours'
/// shares add up exactly to the day's rows.
pub fn block_rows(per_day: u64, k: i64) -> usize {
    let blocks = (86_400.0 / BLOCK_S) as i64;
    let at = |k: i64| ((k.rem_euclid(blocks)) as u64 * per_day) / blocks as u64;
    let next = if (k + 1).rem_euclid(blocks) == 0 { per_day } else { at(k + 1) };
    next.saturating_sub(at(k)) as usize
}

fn append(store: &mut Store, t: Vec<f64>, y: Vec<f64>, x: Vec<Vec<f64>>, rules: Vec<Vec<f64>>, monitored: Vec<Vec<f64>>, group: Vec<u32>) {
    fn extend(into: &mut Vec<Vec<f64>>, from: Vec<Vec<f64>>) {
        if into.len() < from.len() {
            into.resize(from.len(), Vec::new());
        }
        for (a, b) in into.iter_mut().zip(from) {
            a.extend(b);
        }
    }
    store.t.extend(t);
    store.y.extend(y);
    extend(&mut store.x, x);
    extend(&mut store.rules, rules);
    extend(&mut store.monitored, monitored);
    store.group.extend(group);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hours of a day add up to exactly its rows, spread as evenly as
    /// whole rows allow (any two hours differ by at most one row), on
    /// negative (history) days too.
    #[test]
    fn block_rows_split_each_day_exactly() {
        for per_day in [0u64, 1, 23, 24, 25, 240, 9_999, 10_000, 1_000_003] {
            for day in [-30i64, -1, 0, 7] {
                let hours: Vec<usize> = (day * 24..(day + 1) * 24).map(|k| block_rows(per_day, k)).collect();
                assert_eq!(hours.iter().sum::<usize>() as u64, per_day, "{per_day} rows a day, day {day}");
                let (lo, hi) = (hours.iter().min().copied().unwrap_or(0), hours.iter().max().copied().unwrap_or(0));
                assert!(hi - lo <= 1, "{per_day} rows a day: hours of {lo} to {hi}");
            }
        }
    }

    #[test]
    fn store_range_is_the_rows_in_a_half_open_interval() {
        let s = Store { t: vec![0.0, 1.0, 1.0, 2.0, 5.0], ..Store::default() };
        assert_eq!(s.range(1.0, 5.0), 1..4);
        assert_eq!(s.range(f64::NEG_INFINITY, 1.0), 0..1);
        assert_eq!(s.range(6.0, 9.0), 5..5);
    }
}
