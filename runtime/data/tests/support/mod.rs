//! Clean data for any checked design: every source's declarations honoured,
//! deterministically from a seed, as polars frames that a test may edit
//! before writing them as parquet (or CSV) where `mlspec_data::check`
//! looks for them.
//!
//! What "clean" means here, rule by rule:
//! - `key` values are unique (`"{source}-{i}"` for ids and strings, `i`
//!   (shifted into `range`) for ints);
//! - `references S.F` values are drawn from S's generated F (referenced
//!   sources are generated first);
//! - numbers are sampled from `dist` and clamped into `range`; without a
//!   dist, uniform in `range` (or a default range);
//! - `values [...]` are drawn uniformly;
//! - `missing p` gives exactly floor(p/2 · n) nulls; no other field has any;
//! - the problem's target, when a `bool`, has exactly round(p · n) positives
//!   for `positive_rate p` (30 % otherwise), at shuffled rows;
//! - event times cover a span that gives the declared `volume X / day`
//!   (n / X days, at most 30), the newest half a `freshness` before as-of
//!   (one minute for `realtime`); ascending for streams and logs, shuffled
//!   for every other kind;
//! - a total `volume N` caps the rows at N.

#![allow(dead_code)]

use mlspec_ir::{Design, Dist, Field, FieldType, Freshness, Source, SourceKind};
use polars::prelude::*;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_distr::{Distribution, LogNormal, Normal, Poisson, Zipf};
use std::collections::BTreeMap;
use std::path::Path;

pub const DAY_MS: i64 = 86_400_000;
pub const HOUR_MS: i64 = 3_600_000;
/// 2026-12-05T00:00:00Z, the time every test checks its data as of.
pub const AS_OF_MS: i64 = 1_796_428_800_000;
pub const AS_OF_LABEL: &str = "2026-12-05T00:00:00Z";

/// The label rate of a bool target when the problem declares none.
const DEFAULT_POSITIVE_RATE: f64 = 0.3;
/// Event times span at most this long.
const MAX_SPAN_MS: i64 = 30 * DAY_MS;
/// The span of a source without a per-day volume.
const DEFAULT_SPAN_MS: i64 = 7 * DAY_MS;

pub fn options() -> mlspec_data::Options {
    mlspec_data::Options { as_of_ms: AS_OF_MS, as_of_label: AS_OF_LABEL.to_string() }
}

/// The checked design of `src`; panics with the diagnostics when it has errors.
pub fn design(src: &str) -> Design {
    match mlspec_check::check_source(src).design() {
        Ok(d) => d,
        Err(diags) => panic!("the spec does not check: {:?}", diags.iter().map(|d| (d.code, &d.message)).collect::<Vec<_>>()),
    }
}

/// The generated frames, by source name.
pub struct Generated {
    pub frames: BTreeMap<String, DataFrame>,
}

impl Generated {
    pub fn frame(&self, source: &str) -> &DataFrame {
        self.frames.get(source).unwrap_or_else(|| panic!("no frame for `{source}`"))
    }

    pub fn frame_mut(&mut self, source: &str) -> &mut DataFrame {
        self.frames.get_mut(source).unwrap_or_else(|| panic!("no frame for `{source}`"))
    }

    /// Every frame as `dir/<source>.parquet`.
    pub fn write_parquet(&self, dir: &Path) {
        for (name, frame) in &self.frames {
            write_parquet(&dir.join(format!("{name}.parquet")), frame);
        }
    }
}

pub fn write_parquet(path: &Path, frame: &DataFrame) {
    let mut frame = frame.clone();
    let file = std::fs::File::create(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ParquetWriter::new(file).finish(&mut frame).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

pub fn write_csv(path: &Path, frame: &DataFrame) {
    let mut frame = frame.clone();
    let mut file = std::fs::File::create(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    CsvWriter::new(&mut file).include_header(true).finish(&mut frame).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Clean data for every source of `design`: `rows(source)` rows each
/// (fewer when a total `volume` is smaller).
pub fn generate(design: &Design, rows: &dyn Fn(&Source) -> usize, seed: u64, as_of_ms: i64) -> Generated {
    let mut generated = Generated { frames: BTreeMap::new() };
    for (index, source) in order(design) {
        let n = match (source.volume_per_s, source.volume) {
            (None, Some(total)) => rows(source).min(total.floor().max(1.0) as usize),
            _ => rows(source),
        };
        let frame = Gen { design, source, index, n, seed, as_of_ms }.frame(&generated.frames);
        generated.frames.insert(source.name.clone(), frame);
    }
    generated
}

/// The sources with every referenced source before the sources that
/// reference it (declaration order otherwise), with their positions.
fn order(design: &Design) -> Vec<(usize, &Source)> {
    let mut done: Vec<(usize, &Source)> = Vec::new();
    while done.len() < design.sources.len() {
        let before = done.len();
        for (i, s) in design.sources.iter().enumerate() {
            if done.iter().any(|(j, _)| *j == i) {
                continue;
            }
            let ready = s
                .fields
                .iter()
                .filter_map(|f| f.references.as_ref())
                .all(|r| r.source == s.name || done.iter().any(|(_, d)| d.name == r.source));
            if ready {
                done.push((i, s));
            }
        }
        assert!(done.len() > before, "the references of {} form a cycle", design.name);
    }
    done
}

struct Gen<'a> {
    design: &'a Design,
    source: &'a Source,
    index: usize,
    n: usize,
    seed: u64,
    as_of_ms: i64,
}

impl Gen<'_> {
    fn rng(&self, field: usize, purpose: u128) -> mlspec_rng::Pcg64 {
        mlspec_rng::rng(self.seed, ((self.index as u128) << 64) | ((field as u128) << 8) | purpose)
    }

    fn frame(&self, parents: &BTreeMap<String, DataFrame>) -> DataFrame {
        let times = self.event_times();
        let mut columns = Vec::new();
        for (i, f) in self.source.fields.iter().enumerate() {
            let series = self.column(i, f, parents, &times);
            assert_eq!(series.len(), self.n, "{}.{}", self.source.name, f.name);
            columns.push(Column::from(series));
        }
        DataFrame::new(self.n, columns).unwrap_or_else(|e| panic!("{}: {e}", self.source.name))
    }

    /// The event times in row order: ascending for streams and logs,
    /// shuffled otherwise.
    fn event_times(&self) -> Vec<i64> {
        let n = self.n as i64;
        let lag_ms = match self.source.freshness {
            Some(Freshness::Realtime) => 60_000,
            Some(Freshness::Every(s)) => (s * 1000.0 / 2.0) as i64,
            None => HOUR_MS,
        };
        let newest = self.as_of_ms - lag_ms;
        let span_ms = match self.source.volume_per_s {
            Some(per_s) if per_s > 0.0 => ((n as f64 / per_s * 1000.0) as i64).clamp(1, MAX_SPAN_MS),
            _ => DEFAULT_SPAN_MS,
        };
        let mut rng = self.rng(usize::MAX >> 8, 1);
        let start = newest - span_ms;
        // One time in each of n equal slices of the span, so the rows per
        // day over the span are n / span.
        let mut times: Vec<i64> = (0..n).map(|i| start + ((i as f64 + rng.gen::<f64>()) / n as f64 * span_ms as f64) as i64).collect();
        if !matches!(self.source.kind, Some(SourceKind::Stream | SourceKind::Logs)) {
            times.shuffle(&mut rng);
        }
        times
    }

    fn is_target(&self, f: &Field) -> bool {
        self.design.problem.target.as_ref().is_some_and(|t| t.source == self.source.name && t.field == f.name)
    }

    fn column(&self, i: usize, f: &Field, parents: &BTreeMap<String, DataFrame>, times: &[i64]) -> Series {
        let name: PlSmallStr = f.name.as_str().into();
        let mut rng = self.rng(i, 0);
        let n = self.n;
        let series = if let Some(r) = &f.references {
            let parent = parents.get(&r.source).unwrap_or_else(|| panic!("`{}` is not generated before `{}`", r.source, self.source.name));
            let values = parent.column(&r.field).unwrap_or_else(|e| panic!("{e}")).as_materialized_series().drop_nulls();
            assert!(!values.is_empty(), "`{}.{}` has no values to reference", r.source, r.field);
            let picks: Vec<IdxSize> = if f.key {
                let mut all: Vec<IdxSize> = (0..values.len() as IdxSize).collect();
                all.shuffle(&mut rng);
                assert!(all.len() >= n, "a key referencing `{}.{}` needs as many rows there", r.source, r.field);
                all.truncate(n);
                all
            } else {
                (0..n).map(|_| rng.gen_range(0..values.len()) as IdxSize).collect()
            };
            let mut s = values.take_slice(&picks).unwrap_or_else(|e| panic!("{e}"));
            s.rename(name.clone());
            s
        } else if f.key {
            match f.ty {
                FieldType::Int => {
                    let lo = f.range.map_or(0, |(lo, _)| lo.ceil() as i64);
                    Series::new(name.clone(), (0..n as i64).map(|i| lo + i).collect::<Vec<i64>>())
                }
                _ => Series::new(name.clone(), (0..n).map(|i| format!("{}-{i}", self.source.name)).collect::<Vec<String>>()),
            }
        } else if f.event_time {
            timestamps(name.clone(), times.to_vec(), &f.ty)
        } else if self.is_target(f) && f.ty == FieldType::Bool {
            let p = self.design.problem.positive_rate.unwrap_or(DEFAULT_POSITIVE_RATE);
            let positives = ((p * n as f64).round() as usize).min(n);
            let mut labels: Vec<bool> = (0..n).map(|i| i < positives).collect();
            labels.shuffle(&mut rng);
            Series::new(name.clone(), labels)
        } else {
            self.values(name.clone(), f, &f.ty, &mut rng)
        };
        with_nulls(series, f.missing, &mut self.rng(i, 2))
    }

    /// Values of type `ty` for field `f` (its range, dist and values).
    fn values(&self, name: PlSmallStr, f: &Field, ty: &FieldType, rng: &mut mlspec_rng::Pcg64) -> Series {
        let n = self.n;
        let pick = |rng: &mut mlspec_rng::Pcg64, default: &dyn Fn(usize, &mut mlspec_rng::Pcg64) -> String| -> Vec<String> {
            (0..n)
                .map(|i| match f.values.choose(rng) {
                    Some(v) => v.clone(),
                    None => default(i, rng),
                })
                .collect()
        };
        match ty {
            FieldType::Int => {
                let (lo, hi) = f.range.unwrap_or((0.0, 1000.0));
                let (lo, hi) = (lo.ceil() as i64, hi.floor() as i64);
                let xs: Vec<i64> = (0..n)
                    .map(|_| match &f.dist {
                        Some(d) => (sample(d, rng).round() as i64).clamp(lo, hi),
                        None => rng.gen_range(lo..=hi),
                    })
                    .collect();
                Series::new(name, xs)
            }
            FieldType::Float => {
                let (lo, hi) = f.range.unwrap_or((0.0, 100.0));
                let xs: Vec<f64> = (0..n)
                    .map(|_| match &f.dist {
                        Some(d) => sample(d, rng).clamp(lo, hi),
                        None => rng.gen_range(lo..=hi),
                    })
                    .collect();
                Series::new(name, xs)
            }
            FieldType::Bool => {
                let p = if f.label { DEFAULT_POSITIVE_RATE } else { 0.5 };
                Series::new(name, (0..n).map(|_| rng.gen_bool(p)).collect::<Vec<bool>>())
            }
            FieldType::Id => {
                let pool = (n / 4).max(1);
                Series::new(name, pick(rng, &|_, rng| format!("{}-{}", f.name, rng.gen_range(0..pool))))
            }
            FieldType::Category => Series::new(name, pick(rng, &|_, rng| format!("{}-{}", f.name, rng.gen_range(0..4)))),
            FieldType::String | FieldType::Text | FieldType::Unknown => {
                Series::new(name, pick(rng, &|i, rng| format!("{} {i} says {}", f.name, rng.gen_range(0..1_000_000))))
            }
            FieldType::Timestamp => {
                let xs: Vec<i64> = (0..n).map(|_| self.as_of_ms - rng.gen_range(DAY_MS..365 * DAY_MS)).collect();
                timestamps(name, xs, ty)
            }
            FieldType::Date => {
                let today = (self.as_of_ms / DAY_MS) as i32;
                let xs: Vec<i32> = (0..n).map(|_| today - rng.gen_range(0..365)).collect();
                Series::new(name, xs).cast(&DataType::Date).unwrap_or_else(|e| panic!("{e}"))
            }
            FieldType::Geo => Series::new(
                name,
                (0..n).map(|_| format!("{:.5},{:.5}", rng.gen_range(-60.0..70.0), rng.gen_range(-180.0..180.0))).collect::<Vec<String>>(),
            ),
            FieldType::Embedding(dim) => {
                let rows: Vec<Series> =
                    (0..n).map(|_| Series::new("".into(), (0..*dim).map(|_| rng.gen_range(-1.0..1.0)).collect::<Vec<f64>>())).collect();
                Series::new(name, rows)
            }
            FieldType::List(inner) => {
                let plain = Field { range: None, values: Vec::new(), dist: None, ..f.clone() };
                let rows: Vec<Series> = (0..n)
                    .map(|_| {
                        let len = rng.gen_range(0..4);
                        let one = Gen { n: len, ..*self };
                        one.values("".into(), &plain, inner, rng)
                    })
                    .collect();
                Series::new(name, rows)
            }
        }
    }
}

/// Epoch milliseconds as a UTC datetime (or a date, for a `date` field).
pub fn timestamps(name: PlSmallStr, ms: Vec<i64>, ty: &FieldType) -> Series {
    let s = Series::new(name, ms).cast(&DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))).unwrap_or_else(|e| panic!("{e}"));
    if *ty == FieldType::Date {
        s.cast(&DataType::Date).unwrap_or_else(|e| panic!("{e}"))
    } else {
        s
    }
}

/// One draw of a `dist`.
fn sample(d: &Dist, rng: &mut mlspec_rng::Pcg64) -> f64 {
    let p = |k: &str| d.params.get(k).copied().unwrap_or_else(|| panic!("`{}` without `{k}`", d.kind));
    match d.kind.as_str() {
        "normal" => Normal::new(p("mean"), p("sd")).unwrap_or_else(|e| panic!("{e}")).sample(rng),
        "lognormal" => LogNormal::new(p("mean"), p("sd")).unwrap_or_else(|e| panic!("{e}")).sample(rng),
        "uniform" => rng.gen_range(p("min")..=p("max")),
        "poisson" => Poisson::new(p("lambda")).unwrap_or_else(|e| panic!("{e}")).sample(rng),
        "zipf" => Zipf::new(p("n") as u64, p("s")).unwrap_or_else(|e| panic!("{e}")).sample(rng),
        other => panic!("no sampler for `dist {other}`"),
    }
}

/// `series` with floor(p/2 · n) nulls at shuffled rows for `missing p`.
fn with_nulls(series: Series, missing: Option<f64>, rng: &mut mlspec_rng::Pcg64) -> Series {
    let Some(p) = missing else { return series };
    let n = series.len();
    let nulls = (p / 2.0 * n as f64).floor() as usize;
    let mut rows: Vec<usize> = (0..n).collect();
    rows.shuffle(rng);
    let mut keep = vec![true; n];
    for r in rows.into_iter().take(nulls) {
        keep[r] = false;
    }
    let mask = BooleanChunked::new("".into(), keep);
    let nulls = Series::full_null(series.name().clone(), n, series.dtype());
    series.zip_with(&mask, &nulls).unwrap_or_else(|e| panic!("{e}"))
}

/// The 1-based line of the first occurrence of `needle` in `text` at or
/// after the first occurrence of `after` (`""` for the whole text).
pub fn line_of(text: &str, after: &str, needle: &str) -> usize {
    let from = text.find(after).unwrap_or_else(|| panic!("`{after}` is not in the spec"));
    let at = from + text[from..].find(needle).unwrap_or_else(|| panic!("`{needle}` is not in the spec after `{after}`"));
    text[..at].matches('\n').count() + 1
}

/// `(code, line)` of each diagnostic.
pub fn codes_and_lines(text: &str, diagnostics: &[mlspec_diag::Diagnostic]) -> Vec<(&'static str, usize)> {
    let index = mlspec_diag::span::LineIndex::new(text);
    let mut found: Vec<(&'static str, usize)> = diagnostics.iter().map(|d| (d.code, index.line_col(d.span.start).line)).collect();
    found.sort();
    found
}

/// The diagnostics as a reader sees them, for assertion messages.
pub fn shown(text: &str, diagnostics: &[mlspec_diag::Diagnostic]) -> String {
    let index = mlspec_diag::span::LineIndex::new(text);
    diagnostics.iter().map(|d| format!("{} line {}: {}\n", d.code, index.line_col(d.span.start).line, d.message)).collect()
}
