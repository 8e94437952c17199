//! The declared features computed on generated rows, with the language
//! reference's meaning: arithmetic, comparisons and logic, transforms,
//! `onehot`, `hash`, `tfidf`, `embedding`, `fill`, time and distance
//! functions, `cross`, and window aggregations (computed by
//! [`super::windows`] and looked up here).
//!
//! **Invariant:** statistics a feature learns (`fill` medians, `standardize`
//! and `minmax` moments, tf-idf document frequencies) are fitted on the
//! first rows the evaluator sees (the oldest training history) and then
//! frozen, as a deployed pipeline would be.
//! **Invariant:** vectors are folded to at most [`MAX_DIMS`] columns (hash
//! buckets modulo the fold, the most frequent tf-idf terms), so memory stays
//! linear in rows; reports say so.

use super::synth::WORDS;
use super::table::{Col, Table, MISSING};
use super::windows::WindowSpec;
use crate::DriftError;
use mlspec_ir::vocab::{BinaryOp, UnaryOp};
use mlspec_ir::{Design, FeatureExpr, FeatureFunction, WindowFunction};
use std::collections::BTreeMap;
use std::sync::Arc;

pub const MAX_DIMS: usize = 16;
/// Features defined through more features than this are refused.
const MAX_DEPTH: usize = 256;

#[derive(Clone, Debug)]
pub enum Val {
    Num(Vec<f64>),
    /// Categories; `onehot` ones become one column per level in a model.
    Cat {
        codes: Vec<u32>,
        levels: Arc<Vec<String>>,
        onehot: bool,
    },
    Id(Vec<u32>),
    Text(Vec<Vec<u16>>),
    Geo(Vec<[f64; 2]>),
    /// Column-major numbers.
    Mat(Vec<Vec<f64>>),
}

impl Val {
    fn from_col(c: &Col) -> Val {
        match c {
            Col::Num(v) => Val::Num(v.clone()),
            Col::Cat { codes, levels } => Val::Cat { codes: codes.clone(), levels: levels.clone(), onehot: false },
            Col::Id(v) => Val::Id(v.clone()),
            Col::Text(v) => Val::Text(v.clone()),
            Col::Geo(v) => Val::Geo(v.clone()),
            Col::Vector(v) => Val::Mat(v.clone()),
        }
    }

    /// Numbers, for arithmetic: category and id codes as numbers, missing as NaN.
    pub fn numbers(&self, n: usize) -> Vec<f64> {
        let code = |c: u32| if c == MISSING { f64::NAN } else { f64::from(c) };
        match self {
            Val::Num(v) => v.clone(),
            Val::Cat { codes, .. } => codes.iter().map(|c| code(*c)).collect(),
            Val::Id(v) => v.iter().map(|c| code(*c)).collect(),
            Val::Text(v) => v.iter().map(|w| w.len() as f64).collect(),
            Val::Geo(_) => vec![f64::NAN; n],
            Val::Mat(cols) => (0..n).map(|i| cols.iter().map(|c| c.get(i).copied().unwrap_or(0.0).powi(2)).sum::<f64>().sqrt()).collect(),
        }
    }

    /// The model's input columns for this value.
    pub fn columns(&self, n: usize) -> Vec<Vec<f64>> {
        match self {
            Val::Cat { codes, levels, onehot: true } => {
                let k = levels.len().clamp(1, MAX_DIMS);
                (0..k).map(|j| codes.iter().map(|c| if *c != MISSING && (*c as usize) % k == j { 1.0 } else { 0.0 }).collect()).collect()
            }
            Val::Mat(cols) => cols.clone(),
            other => vec![other.numbers(n)],
        }
    }

    /// What a drift monitor compares: a category code (`Some(levels)`) or a number.
    pub fn monitored(&self, n: usize) -> (Vec<f64>, Option<usize>) {
        match self {
            Val::Cat { codes, levels, .. } => {
                let k = levels.len().clamp(1, MAX_DIMS * 8);
                (codes.iter().map(|c| if *c == MISSING { f64::NAN } else { f64::from(*c % k as u32) }).collect(), Some(k))
            }
            other => (other.numbers(n), None),
        }
    }

    fn bools(&self, n: usize) -> Vec<bool> {
        self.numbers(n).into_iter().map(|x| x != 0.0 && !x.is_nan()).collect()
    }
}

/// The rows features are computed on: the entity's rows and, aligned with
/// them, the rows of every other source a feature reads.
pub struct Rows<'a> {
    pub n: usize,
    pub t: &'a [f64],
    pub tables: BTreeMap<String, &'a Table>,
    pub windows: &'a BTreeMap<WindowSpec, Vec<f64>>,
}

/// Learned statistics, by node: (feature or rule, position in the expression).
#[derive(Default, Clone)]
pub struct Evaluator {
    fitted: BTreeMap<String, Vec<f64>>,
}

impl Evaluator {
    /// Every feature of the design on `rows`, by name.
    pub fn features(&mut self, d: &Design, rows: &Rows) -> Result<BTreeMap<String, Val>, DriftError> {
        let mut memo = BTreeMap::new();
        for f in &d.features {
            self.feature(d, &f.name, rows, &mut memo, 0)?;
        }
        Ok(memo)
    }

    fn feature(&mut self, d: &Design, name: &str, rows: &Rows, memo: &mut BTreeMap<String, Val>, depth: usize) -> Result<Val, DriftError> {
        if let Some(v) = memo.get(name) {
            return Ok(v.clone());
        }
        let f = d.feature(name).ok_or_else(|| DriftError::Feature { name: name.to_string() })?;
        // The feature graph is acyclic in a checked design; the depth bound
        // keeps an unchecked one from recursing without end.
        if depth >= MAX_DEPTH {
            return Err(DriftError::TooDeep { feature: name.to_string() });
        }
        let v = self.expr(d, &f.expr, rows, memo, name, &mut 0, depth + 1)?;
        memo.insert(name.to_string(), v.clone());
        Ok(v)
    }

    /// A rule of a `rules` model, as 0/1 per row.
    pub fn rule(
        &mut self,
        d: &Design,
        key: &str,
        e: &FeatureExpr,
        rows: &Rows,
        memo: &mut BTreeMap<String, Val>,
    ) -> Result<Vec<f64>, DriftError> {
        let v = self.expr(d, e, rows, memo, key, &mut 0, 0)?;
        Ok(v.bools(rows.n).into_iter().map(|b| if b { 1.0 } else { 0.0 }).collect())
    }

    #[allow(clippy::too_many_arguments)]
    fn expr(
        &mut self,
        d: &Design,
        e: &FeatureExpr,
        rows: &Rows,
        memo: &mut BTreeMap<String, Val>,
        owner: &str,
        node: &mut usize,
        depth: usize,
    ) -> Result<Val, DriftError> {
        *node += 1;
        let here = format!("{owner}#{node}");
        let n = rows.n;
        Ok(match e {
            FeatureExpr::Field { source, field } => match rows.tables.get(source.as_str()).and_then(|t| t.col(field)) {
                Some(c) => Val::from_col(c),
                None => return Err(DriftError::Field { source: source.clone(), field: field.clone() }),
            },
            FeatureExpr::Feature { name } => self.feature(d, name, rows, memo, depth)?,
            FeatureExpr::Number { value } => Val::Num(vec![*value; n]),
            FeatureExpr::Bool { value } => Val::Num(vec![if *value { 1.0 } else { 0.0 }; n]),
            FeatureExpr::Str { value } => Val::Cat { codes: vec![0; n], levels: Arc::new(vec![value.clone()]), onehot: false },
            // Arguments a function reads from its syntax (`fill(x, median)`,
            // `bucketize(x, [..])`, a window's source), never a value.
            FeatureExpr::Source { .. } | FeatureExpr::Word { .. } | FeatureExpr::List { .. } => Val::Num(vec![f64::NAN; n]),
            FeatureExpr::Invalid => return Err(DriftError::Expression { feature: owner.to_string() }),
            FeatureExpr::Unary { op, arg } => {
                let a = self.expr(d, arg, rows, memo, owner, node, depth + 1)?;
                match op {
                    UnaryOp::Not => Val::Num(a.bools(n).into_iter().map(|b| if b { 0.0 } else { 1.0 }).collect()),
                    UnaryOp::Neg => Val::Num(a.numbers(n).into_iter().map(|x| -x).collect()),
                }
            }
            FeatureExpr::Binary { op, left, right } => {
                let l = self.expr(d, left, rows, memo, owner, node, depth + 1)?;
                let r = self.expr(d, right, rows, memo, owner, node, depth + 1)?;
                binary(*op, &l, &r, n)
            }
            FeatureExpr::Call { func, args, named } => {
                // A window's argument names what it aggregates; it is not evaluated.
                let vals: Vec<Val> = if matches!(func, FeatureFunction::Window(_)) {
                    Vec::new()
                } else {
                    args.iter().map(|a| self.expr(d, a, rows, memo, owner, node, depth + 1)).collect::<Result<_, _>>()?
                };
                self.call(d, *func, &vals, args, named, rows, owner, &here)?
            }
        })
    }

    fn fit(&mut self, key: &str, compute: impl FnOnce() -> Vec<f64>) -> Vec<f64> {
        self.fitted.entry(key.to_string()).or_insert_with(compute).clone()
    }

    #[allow(clippy::too_many_arguments)]
    fn call(
        &mut self,
        d: &Design,
        func: FeatureFunction,
        vals: &[Val],
        args: &[FeatureExpr],
        named: &BTreeMap<String, FeatureExpr>,
        rows: &Rows,
        owner: &str,
        here: &str,
    ) -> Result<Val, DriftError> {
        use FeatureFunction as F;
        let n = rows.n;
        let num = |k: &str| match named.get(k) {
            Some(FeatureExpr::Number { value }) => Some(*value),
            _ => None,
        };
        let first = vals.first().cloned().unwrap_or(Val::Num(vec![f64::NAN; n]));
        let x = || first.numbers(n);
        let literal = |i: usize| match args.get(i) {
            Some(FeatureExpr::Number { value }) => Some(*value),
            Some(FeatureExpr::Unary { op: UnaryOp::Neg, arg }) => match arg.as_ref() {
                FeatureExpr::Number { value } => Some(-value),
                _ => None,
            },
            _ => None,
        };
        Ok(match func {
            F::Log1p => Val::Num(x().into_iter().map(f64::ln_1p).collect()),
            F::Standardize => {
                let xs = x();
                let s = self.fit(here, || {
                    let (m, sd) = mean_sd(&xs);
                    vec![m, sd]
                });
                let (m, sd) = (s.first().copied().unwrap_or(0.0), s.get(1).copied().unwrap_or(1.0));
                Val::Num(xs.iter().map(|v| (v - m) / if sd > 0.0 { sd } else { 1.0 }).collect())
            }
            F::Minmax => {
                let xs = x();
                let s = self.fit(here, || {
                    let finite = xs.iter().copied().filter(|v| v.is_finite());
                    vec![finite.clone().fold(f64::INFINITY, f64::min), finite.fold(f64::NEG_INFINITY, f64::max)]
                });
                let (lo, hi) = (s.first().copied().unwrap_or(0.0), s.get(1).copied().unwrap_or(1.0));
                let span = if hi > lo { hi - lo } else { 1.0 };
                Val::Num(xs.iter().map(|v| (v - lo) / span).collect())
            }
            F::Clip => {
                let lo = num("min").or_else(|| literal(1)).unwrap_or(f64::NEG_INFINITY);
                let hi = num("max").or_else(|| literal(2)).unwrap_or(f64::INFINITY);
                Val::Num(x().into_iter().map(|v| if v.is_nan() { v } else { v.max(lo).min(hi) }).collect())
            }
            F::Bucketize => {
                let edges: Vec<f64> = match args.get(1) {
                    Some(FeatureExpr::List { items }) => {
                        items.iter().filter_map(|i| if let FeatureExpr::Number { value } = i { Some(*value) } else { None }).collect()
                    }
                    _ => Vec::new(),
                };
                let levels = Arc::new((0..=edges.len()).map(|i| format!("bucket_{i}")).collect());
                let codes = x().into_iter().map(|v| if v.is_nan() { MISSING } else { edges.partition_point(|e| *e <= v) as u32 }).collect();
                Val::Cat { codes, levels, onehot: false }
            }
            F::Onehot => match first {
                Val::Cat { codes, levels, .. } => Val::Cat { codes, levels, onehot: true },
                other => {
                    let codes = other.numbers(n).into_iter().map(|v| if v.is_nan() { MISSING } else { u32::from(v != 0.0) }).collect();
                    Val::Cat { codes, levels: Arc::new(vec!["false".into(), "true".into()]), onehot: true }
                }
            },
            F::Hash => {
                let buckets = num("buckets").unwrap_or(MAX_DIMS as f64).max(1.0) as usize;
                let k = buckets.min(MAX_DIMS);
                let levels = Arc::new((0..k).map(|i| format!("bucket_{i}")).collect());
                let codes = hashed(&first, n).into_iter().map(|h| h.map_or(MISSING, |h| (h % k as u64) as u32)).collect();
                Val::Cat { codes, levels, onehot: true }
            }
            F::Embedding => {
                let dim = num("dim").unwrap_or(8.0).max(1.0) as usize;
                let k = dim.min(MAX_DIMS);
                let h = hashed(&first, n);
                Val::Mat((0..k).map(|j| h.iter().map(|h| h.map_or(0.0, |h| pseudo_normal(h, j as u64))).collect()).collect())
            }
            F::Tfidf => {
                let k = (num("max_features").unwrap_or(MAX_DIMS as f64).max(1.0) as usize).min(MAX_DIMS).min(WORDS.len());
                let docs: Vec<Vec<u16>> = match first {
                    Val::Text(t) => t,
                    _ => vec![Vec::new(); n],
                };
                let idf = self.fit(here, || {
                    (0..k)
                        .map(|w| {
                            let df = docs.iter().filter(|d| d.contains(&(w as u16))).count() as f64;
                            ((1.0 + docs.len() as f64) / (1.0 + df)).ln() + 1.0
                        })
                        .collect()
                });
                let mut cols = vec![vec![0.0; n]; k];
                for (i, doc) in docs.iter().enumerate() {
                    let mut row = vec![0.0; k];
                    for w in doc {
                        if let Some(c) = row.get_mut(*w as usize) {
                            *c += 1.0;
                        }
                    }
                    let norm = row.iter().zip(&idf).map(|(c, f)| (c * f).powi(2)).sum::<f64>().sqrt();
                    for (j, (c, f)) in row.iter().zip(&idf).enumerate() {
                        if let Some(col) = cols.get_mut(j).and_then(|c| c.get_mut(i)) {
                            *col = if norm > 0.0 { c * f / norm } else { 0.0 };
                        }
                    }
                }
                Val::Mat(cols)
            }
            F::Fill => self.fill(first, args.get(1), vals.get(1), n, here),
            F::HourOfDay => Val::Num(x().into_iter().map(|t| (t.rem_euclid(86_400.0) / 3600.0).floor()).collect()),
            F::DayOfWeek => Val::Num(x().into_iter().map(|t| (t / 86_400.0).floor().rem_euclid(7.0)).collect()),
            F::DaysSince => Val::Num(x().iter().zip(rows.t).map(|(ts, now)| (now - ts) / 86_400.0).collect()),
            F::Distance => match (vals.first(), vals.get(1)) {
                (Some(Val::Geo(a)), Some(Val::Geo(b))) => Val::Num(a.iter().zip(b).map(|(p, q)| haversine_km(*p, *q)).collect()),
                _ => Val::Num(vec![f64::NAN; n]),
            },
            F::Cross => {
                let (a, la) = as_cat(&first, n);
                let (b, lb) = as_cat(vals.get(1).unwrap_or(&first), n);
                let levels: Vec<String> = la.iter().flat_map(|x| lb.iter().map(move |y| format!("{x}|{y}"))).collect();
                let width = lb.len().max(1) as u32;
                let codes = a.iter().zip(&b).map(|(x, y)| if *x == MISSING || *y == MISSING { MISSING } else { x * width + y }).collect();
                Val::Cat { codes, levels: Arc::new(levels), onehot: false }
            }
            F::Window(w) => window_value(d, w, args, named, rows, owner)?,
        })
    }

    fn fill(&mut self, first: Val, how: Option<&FeatureExpr>, value: Option<&Val>, n: usize, here: &str) -> Val {
        let word = match how {
            Some(FeatureExpr::Word { word }) => Some(word.as_str()),
            _ => None,
        };
        match first {
            Val::Cat { codes, levels, onehot } => {
                let fill_code = match (word, value) {
                    (Some(_), _) => self.fit(here, || vec![mode(&codes) as f64]).first().map_or(MISSING, |c| *c as u32),
                    (None, Some(Val::Cat { levels: l, codes: c, .. })) => {
                        let text = c.first().and_then(|c| l.get(*c as usize));
                        text.and_then(|t| levels.iter().position(|x| x == t)).map_or(MISSING, |p| p as u32)
                    }
                    _ => MISSING,
                };
                Val::Cat { codes: codes.into_iter().map(|c| if c == MISSING { fill_code } else { c }).collect(), levels, onehot }
            }
            other => {
                let xs = other.numbers(n);
                let fill = match (word, value) {
                    (Some("mean"), _) => self.fit(here, || vec![mean_sd(&xs).0]).first().copied().unwrap_or(0.0),
                    (Some(w), _) => {
                        let w = w.to_string();
                        self.fit(here, || {
                            let mut f: Vec<f64> = xs.iter().copied().filter(|v| !v.is_nan()).collect();
                            f.sort_by(f64::total_cmp);
                            if w == "mode" {
                                let codes: Vec<u32> = f.iter().map(|v| *v as u32).collect();
                                vec![mode(&codes) as f64]
                            } else {
                                vec![f.get(f.len() / 2).copied().unwrap_or(0.0)]
                            }
                        })
                        .first()
                        .copied()
                        .unwrap_or(0.0)
                    }
                    (None, Some(v)) => v.numbers(1).first().copied().unwrap_or(0.0),
                    (None, None) => 0.0,
                };
                Val::Num(xs.into_iter().map(|v| if v.is_nan() { fill } else { v }).collect())
            }
        }
    }
}

/// A window aggregation's values, computed beforehand by [`super::windows`].
/// A window aggregation's values, looked up in the windows the stream
/// computed; `feature` is the feature being evaluated, for errors.
fn window_value(
    d: &Design,
    func: WindowFunction,
    args: &[FeatureExpr],
    named: &BTreeMap<String, FeatureExpr>,
    rows: &Rows,
    feature: &str,
) -> Result<Val, DriftError> {
    let Some(spec) = window_spec(func, args, named) else {
        return Err(DriftError::Expression { feature: feature.to_string() });
    };
    let Some(values) = rows.windows.get(&spec).cloned() else {
        return Err(DriftError::Window { func: func.to_string(), source: spec.source });
    };
    // `last` of a category keeps its levels.
    if let (Some(FeatureExpr::Field { source, field }), WindowFunction::Last) = (args.first(), func) {
        let levels = d.source(source).and_then(|s| s.field(field)).and_then(super::synth::layout);
        if let Some(super::table::Layout::Cat(levels)) = levels {
            let codes = values.iter().map(|v| if v.is_nan() { MISSING } else { *v as u32 }).collect();
            return Ok(Val::Cat { codes, levels, onehot: false });
        }
    }
    Ok(Val::Num(values))
}

/// The window spec of a window-aggregation call.
pub fn window_spec(func: WindowFunction, args: &[FeatureExpr], named: &BTreeMap<String, FeatureExpr>) -> Option<WindowSpec> {
    let (source, field) = match args.first()? {
        FeatureExpr::Source { source } => (source.clone(), None),
        FeatureExpr::Field { source, field } => (source.clone(), Some(field.clone())),
        _ => return None,
    };
    let by = match named.get("by")? {
        FeatureExpr::Word { word } => word.clone(),
        _ => return None,
    };
    let window = match named.get("window")? {
        FeatureExpr::Number { value } => *value,
        _ => return None,
    };
    Some(WindowSpec { func, source, field, by, window_bits: window.to_bits() })
}

fn binary(op: BinaryOp, l: &Val, r: &Val, n: usize) -> Val {
    // Categories compare by their level text, so two fields with their own
    // level lists (or a string literal) compare as written.
    if matches!(op, BinaryOp::Eq | BinaryOp::Ne) {
        if let (Some(a), Some(c)) = (texts(l, n), texts(r, n)) {
            let eq = |i: usize| a(i).is_some() && a(i) == c(i);
            return Val::Num((0..n).map(|i| flag(if op == BinaryOp::Eq { eq(i) } else { !eq(i) })).collect());
        }
    }
    let f: fn(f64, f64) -> f64 = match op {
        BinaryOp::Add => |a, c| a + c,
        BinaryOp::Sub => |a, c| a - c,
        BinaryOp::Mul => |a, c| a * c,
        BinaryOp::Div => |a, c| if c == 0.0 { f64::NAN } else { a / c },
        BinaryOp::Lt => |a, c| flag(a < c),
        BinaryOp::Le => |a, c| flag(a <= c),
        BinaryOp::Gt => |a, c| flag(a > c),
        BinaryOp::Ge => |a, c| flag(a >= c),
        BinaryOp::Eq => |a, c| flag(a == c),
        BinaryOp::Ne => |a, c| flag(a != c),
        BinaryOp::And => |a, c| flag(a != 0.0 && c != 0.0 && !a.is_nan() && !c.is_nan()),
        BinaryOp::Or => |a, c| flag((a != 0.0 && !a.is_nan()) || (c != 0.0 && !c.is_nan())),
    };
    let (x, y) = (l.numbers(n), r.numbers(n));
    Val::Num(x.iter().zip(&y).map(|(&a, &c)| f(a, c)).collect())
}

fn flag(x: bool) -> f64 {
    if x {
        1.0
    } else {
        0.0
    }
}

type TextAt<'a> = Box<dyn Fn(usize) -> Option<&'a str> + 'a>;

fn texts(v: &Val, _n: usize) -> Option<TextAt<'_>> {
    match v {
        Val::Cat { codes, levels, .. } => {
            let single = codes.len() == 1 || levels.len() == 1 && codes.iter().all(|c| *c == 0);
            Some(Box::new(move |i| {
                let c = if single { codes.first() } else { codes.get(i) };
                c.and_then(|c| levels.get(*c as usize)).map(String::as_str)
            }))
        }
        _ => None,
    }
}

fn as_cat(v: &Val, n: usize) -> (Vec<u32>, Arc<Vec<String>>) {
    match v {
        Val::Cat { codes, levels, .. } => (codes.clone(), levels.clone()),
        other => {
            let codes = other.numbers(n).into_iter().map(|x| if x.is_nan() { MISSING } else { u32::from(x != 0.0) }).collect();
            (codes, Arc::new(vec!["false".into(), "true".into()]))
        }
    }
}

/// A 64-bit hash of each row's value (ids, categories by text, text by words).
fn hashed(v: &Val, n: usize) -> Vec<Option<u64>> {
    let mix = |x: u64| {
        let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    match v {
        Val::Cat { codes, levels, .. } => codes
            .iter()
            .map(|c| levels.get(*c as usize).map(|l| l.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| mix(h ^ u64::from(b)))))
            .collect(),
        Val::Id(v) => v.iter().map(|c| (*c != MISSING).then(|| mix(u64::from(*c)))).collect(),
        Val::Text(docs) => docs.iter().map(|d| d.first().map(|w| mix(u64::from(*w)))).collect(),
        other => other.numbers(n).into_iter().map(|x| (!x.is_nan()).then(|| mix(x.to_bits()))).collect(),
    }
}

/// A deterministic, roughly standard normal number for (value hash, dimension).
fn pseudo_normal(h: u64, j: u64) -> f64 {
    let mut z = h ^ j.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut sum = 0.0;
    for _ in 0..4 {
        z = z.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        sum += (z >> 11) as f64 / (1u64 << 53) as f64;
    }
    (sum - 2.0) * 3f64.sqrt()
}

fn haversine_km(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (la1, lo1, la2, lo2) = (a[0].to_radians(), a[1].to_radians(), b[0].to_radians(), b[1].to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2) + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().min(1.0).asin()
}

pub fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let f: Vec<f64> = xs.iter().copied().filter(|v| v.is_finite()).collect();
    if f.is_empty() {
        return (0.0, 1.0);
    }
    let m = f.iter().sum::<f64>() / f.len() as f64;
    let var = f.iter().map(|v| (v - m).powi(2)).sum::<f64>() / f.len() as f64;
    (m, var.sqrt())
}

fn mode(codes: &[u32]) -> u32 {
    let mut counts: BTreeMap<u32, u64> = BTreeMap::new();
    for c in codes.iter().filter(|c| **c != MISSING) {
        *counts.entry(*c).or_default() += 1;
    }
    counts.into_iter().max_by_key(|(c, k)| (*k, std::cmp::Reverse(*c))).map_or(MISSING, |(c, _)| c)
}
