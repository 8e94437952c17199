//! Rows drawn from a source's schema into a polars frame: `dist`, `range`,
//! `values`, `missing`, ids from shared pools, event times, `geo`, `text`
//! from a small fixed vocabulary, with the scenario's drift applied.
//!
//! **Invariant:** each field draws from its own random stream, named by
//! (seed, source, field, block), so a drift on one field never changes the
//! draws of another, and a redraw of the same block gives the same values.
//! **Invariant:** label fields are not drawn here; the ground truth sets them.

use super::drift::FieldDrift;
use super::table::Layout;
use super::world::World;
use crate::DriftError;
use mlspec_ir::{Field, FieldType, Source};
use mlspec_rng::rng;
use polars::prelude::*;
use rand::Rng;
use rand_distr::{Distribution, Poisson, StandardNormal, Zipf};
use rand_pcg::Pcg64;
use std::sync::Arc;

/// The vocabulary of synthetic text, most frequent first (words are drawn
/// with Zipf weights, so tf-idf and hashed text have something to find).
pub const WORDS: &[&str] = &[
    "the",
    "order",
    "free",
    "offer",
    "account",
    "payment",
    "great",
    "thanks",
    "price",
    "click",
    "today",
    "urgent",
    "meeting",
    "report",
    "delivery",
    "refund",
    "winner",
    "love",
    "bad",
    "video",
    "update",
    "new",
    "best",
    "help",
    "question",
    "review",
    "late",
    "cheap",
    "secure",
    "verify",
    "password",
    "prize",
    "music",
    "game",
    "news",
    "friend",
    "photo",
    "link",
    "deal",
    "money",
    "card",
    "bank",
    "hello",
    "sorry",
    "please",
    "quick",
    "easy",
    "happy",
    "angry",
    "spam",
    "hate",
    "nice",
    "fun",
    "boring",
    "idiot",
    "stupid",
    "win",
    "cash",
    "bonus",
    "limited",
    "exclusive",
    "code",
    "gift",
    "trial",
];

/// Levels of a category that declares no `values`: `FIELD_0`.. with
/// weights 1/(i+1), the same for every field of that name, so that
/// `a.country != b.country` compares like with like.
const DEFAULT_LEVELS: usize = 6;

pub fn word_ids(text: &str) -> Vec<u16> {
    text.split(' ').filter_map(|w| WORDS.iter().position(|x| *x == w).map(|i| i as u16)).collect()
}

/// A stable 64-bit FNV-1a hash of names, to name random streams.
pub fn stream_id(parts: &[&str], block: i64) -> u128 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    (u128::from(h) << 64) | u128::from(block as u64)
}

pub fn levels(f: &Field) -> Vec<String> {
    match (&f.ty, f.values.is_empty()) {
        (FieldType::Bool, _) => vec!["false".into(), "true".into()],
        (_, false) => f.values.clone(),
        _ => (0..DEFAULT_LEVELS).map(|i| format!("{}_{i}", f.name)).collect(),
    }
}

fn level_weights(f: &Field, levels: &[String], drift: &FieldDrift) -> Vec<f64> {
    if let Some(mix) = &drift.mix {
        return levels.iter().map(|l| mix.iter().find(|(n, _)| n == l).map_or(0.0, |(_, w)| *w)).collect();
    }
    if f.values.is_empty() {
        (0..levels.len()).map(|i| 1.0 / (i as f64 + 1.0)).collect()
    } else {
        vec![1.0; levels.len()]
    }
}

/// Embedding fields are drawn with at most this many dimensions.
pub const MAX_FIELD_DIMS: usize = 8;

pub fn layout(f: &Field) -> Option<Layout> {
    Some(match &f.ty {
        FieldType::Int | FieldType::Float | FieldType::Timestamp | FieldType::Date | FieldType::Bool | FieldType::List(_) => Layout::Num,
        FieldType::Category => Layout::Cat(Arc::new(levels(f))),
        FieldType::Id | FieldType::String => Layout::Id,
        FieldType::Text => Layout::Text,
        FieldType::Geo => Layout::Geo,
        FieldType::Embedding(n) => Layout::Vector((*n as usize).clamp(1, MAX_FIELD_DIMS)),
        FieldType::Unknown => return None,
    })
}

/// The numeric distribution of a field and its mean, before drift.
#[derive(Clone, Copy, Debug)]
enum NumDist {
    Normal { mean: f64, sd: f64 },
    Lognormal { mu: f64, sigma: f64 },
    Uniform { lo: f64, hi: f64 },
    Poisson { lambda: f64 },
    Zipf { s: f64, n: f64 },
}

fn num_dist(f: &Field) -> NumDist {
    let p = |k: &str, d: f64| f.dist.as_ref().and_then(|x| x.params.get(k).copied()).unwrap_or(d);
    match f.dist.as_ref().map(|d| d.kind.as_str()) {
        Some("normal") => NumDist::Normal { mean: p("mean", 0.0), sd: p("sd", 1.0).abs() },
        Some("lognormal") => NumDist::Lognormal { mu: p("mean", 0.0), sigma: p("sd", 1.0).abs() },
        Some("uniform") => NumDist::Uniform { lo: p("min", 0.0), hi: p("max", 1.0) },
        Some("poisson") => NumDist::Poisson { lambda: p("lambda", 3.0).max(1e-9) },
        Some("zipf") => NumDist::Zipf { s: p("s", 1.5).max(1e-3), n: p("n", 100.0).max(1.0) },
        _ => match (f.range, &f.ty) {
            (Some((lo, hi)), _) => NumDist::Uniform { lo, hi },
            (None, FieldType::Int) => NumDist::Poisson { lambda: 5.0 },
            _ => NumDist::Normal { mean: 0.0, sd: 1.0 },
        },
    }
}

impl NumDist {
    fn mean(self) -> f64 {
        match self {
            NumDist::Normal { mean, .. } => mean,
            NumDist::Lognormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            NumDist::Uniform { lo, hi } => (lo + hi) / 2.0,
            NumDist::Poisson { lambda } => lambda,
            NumDist::Zipf { s, n } => {
                let n = n.min(1e5) as u64;
                let (num, den) = (1..=n).fold((0.0, 0.0), |(a, b), k| {
                    let w = (k as f64).powf(-s);
                    (a + k as f64 * w, b + w)
                });
                num / den
            }
        }
    }
    fn sd(self) -> f64 {
        match self {
            NumDist::Normal { sd, .. } => sd,
            NumDist::Lognormal { mu, sigma } => ((sigma * sigma).exp_m1() * (2.0 * mu + sigma * sigma).exp()).sqrt(),
            NumDist::Uniform { lo, hi } => (hi - lo).abs() / 12f64.sqrt(),
            NumDist::Poisson { lambda } => lambda.sqrt(),
            NumDist::Zipf { .. } => self.mean(),
        }
    }
    fn multiplicative(self) -> bool {
        matches!(self, NumDist::Lognormal { .. } | NumDist::Poisson { .. } | NumDist::Zipf { .. })
    }
    fn sample(self, r: &mut Pcg64) -> f64 {
        match self {
            NumDist::Normal { mean, sd } => mean + sd * r.sample::<f64, _>(StandardNormal),
            NumDist::Lognormal { mu, sigma } => (mu + sigma * r.sample::<f64, _>(StandardNormal)).exp(),
            NumDist::Uniform { lo, hi } => lo + (hi - lo) * r.gen::<f64>(),
            NumDist::Poisson { lambda } => Poisson::new(lambda).map_or(lambda, |p| p.sample(r)),
            NumDist::Zipf { s, n } => Zipf::new(n as u64, s).map_or(1.0, |z| z.sample(r)),
        }
    }
}

/// What a block of rows needs: its event times and, for a table, nothing
/// else (keys are the row numbers).
pub struct Block<'a> {
    pub seed: u64,
    pub source_index: usize,
    pub source: &'a Source,
    /// Identifies the block in the random streams (the day, or -1 for tables).
    pub block: i64,
    /// Event times of the rows, sorted; for tables, zeros.
    pub times: &'a [f64],
    /// Sequence number of the first row, for stream keys.
    pub first_row: u64,
    pub drift: &'a dyn Fn(&str) -> FieldDrift,
}

/// Draws the block's rows into a polars frame and says how to read each
/// field back.
pub fn draw(world: &World, b: &Block) -> Result<(DataFrame, Vec<(String, Layout)>), DriftError> {
    let n = b.times.len();
    let mut columns: Vec<Column> = Vec::new();
    let mut layouts = Vec::new();
    for (fi, f) in b.source.fields.iter().enumerate() {
        if f.label {
            continue;
        }
        let Some(lay) = layout(f) else { continue };
        let mut r = rng(b.seed, stream_id(&[&b.source.name, &f.name], b.block));
        let drift = (b.drift)(&f.name);
        let missing = f.missing.unwrap_or(0.0);
        let name = f.name.as_str();
        match &lay {
            Layout::Num => {
                let values: Vec<Option<f64>> = match &f.ty {
                    FieldType::Bool => (0..n).map(|_| Some(if r.gen::<f64>() < 0.3 { 1.0 } else { 0.0 })).collect(),
                    FieldType::Timestamp | FieldType::Date if f.event_time => b.times.iter().map(|t| Some(*t)).collect(),
                    FieldType::Timestamp | FieldType::Date => {
                        b.times.iter().map(|t| Some(t - 180.0 * 86_400.0 * r.sample::<f64, _>(rand_distr::Exp1))).collect()
                    }
                    FieldType::List(_) => (0..n).map(|_| Some(Poisson::new(3.0).map_or(3.0, |p| p.sample(&mut r)))).collect(),
                    _ => numbers(f, &drift, n, &mut r),
                };
                let values = with_missing(values, missing, &mut r);
                columns.push(Column::new(name.into(), values));
            }
            Layout::Cat(levels) => {
                let cdf = cumulative(&level_weights(f, levels, &drift));
                let values: Vec<Option<&str>> =
                    (0..n).map(|_| pick(&cdf, r.gen::<f64>()).and_then(|i| levels.get(i)).map(String::as_str)).collect();
                let values = with_missing(values, missing, &mut r);
                columns.push(Column::new(name.into(), values));
            }
            Layout::Id => {
                let values: Vec<Option<i64>> = match world.pool(b.source_index, fi) {
                    _ if f.key => (0..n as u64).map(|i| Some((b.first_row + i) as i64)).collect(),
                    Some(p) => {
                        let size = world.pool_sizes.get(p).copied().unwrap_or(1);
                        let z = Zipf::new(size, 0.8).ok();
                        (0..n).map(|_| Some(z.as_ref().map_or(1.0, |z| z.sample(&mut r)) as i64 - 1)).collect()
                    }
                    None => (0..n).map(|_| Some(r.gen_range(0..1000))).collect(),
                };
                let values = with_missing(values, missing, &mut r);
                columns.push(Column::new(name.into(), values));
            }
            Layout::Text => {
                let cdf = cumulative(&(0..WORDS.len()).map(|i| 1.0 / (i as f64 + 1.0)).collect::<Vec<_>>());
                let values: Vec<Option<String>> = (0..n)
                    .map(|_| {
                        let words = r.gen_range(5..=20);
                        let text: Vec<&str> =
                            (0..words).filter_map(|_| pick(&cdf, r.gen::<f64>()).and_then(|i| WORDS.get(i)).copied()).collect();
                        Some(text.join(" "))
                    })
                    .collect();
                let values = with_missing(values, missing, &mut r);
                columns.push(Column::new(name.into(), values));
            }
            Layout::Geo => {
                let lat: Vec<f64> = (0..n).map(|_| 40.5 + 0.4 * r.gen::<f64>()).collect();
                let lon: Vec<f64> = (0..n).map(|_| -74.2 + 0.5 * r.gen::<f64>()).collect();
                columns.push(Column::new(format!("{name}.lat").into(), lat));
                columns.push(Column::new(format!("{name}.lon").into(), lon));
            }
            Layout::Vector(k) => {
                for i in 0..*k {
                    let v: Vec<f64> = (0..n).map(|_| r.sample::<f64, _>(StandardNormal)).collect();
                    columns.push(Column::new(format!("{name}.{i}").into(), v));
                }
            }
        }
        layouts.push((f.name.clone(), lay));
    }
    let df = DataFrame::new(n, columns).map_err(|_| DriftError::Frame { source: b.source.name.clone() })?;
    Ok((df, layouts))
}

fn numbers(f: &Field, drift: &FieldDrift, n: usize, r: &mut Pcg64) -> Vec<Option<f64>> {
    let dist = num_dist(f);
    let (mean, sd) = (dist.mean(), dist.sd());
    let is_int = matches!(f.ty, FieldType::Int) || matches!(dist, NumDist::Poisson { .. } | NumDist::Zipf { .. });
    (0..n)
        .map(|_| {
            let mut x = dist.sample(r);
            if drift.sd != 0.0 {
                x = mean + (x - mean) * (1.0 + drift.sd);
            }
            if drift.mean != 0.0 {
                x = if dist.multiplicative() {
                    x * (1.0 + drift.mean)
                } else if mean != 0.0 {
                    x + drift.mean * mean.abs()
                } else {
                    x + drift.mean * sd
                };
            }
            if let Some((lo, hi)) = f.range {
                x = x.clamp(lo.min(hi), hi.max(lo));
            }
            Some(if is_int { x.round() } else { x })
        })
        .collect()
}

fn with_missing<T>(mut values: Vec<Option<T>>, p: f64, r: &mut Pcg64) -> Vec<Option<T>> {
    if p > 0.0 {
        for v in &mut values {
            if r.gen::<f64>() < p {
                *v = None;
            }
        }
    }
    values
}

fn cumulative(weights: &[f64]) -> Vec<f64> {
    let total: f64 = weights.iter().filter(|w| w.is_finite() && **w > 0.0).sum();
    let mut acc = 0.0;
    weights
        .iter()
        .map(|w| {
            if w.is_finite() && *w > 0.0 && total > 0.0 {
                acc += w / total;
            }
            acc
        })
        .collect()
}

/// The index whose cumulative share first reaches `u`.
fn pick(cdf: &[f64], u: f64) -> Option<usize> {
    let i = cdf.partition_point(|c| *c <= u);
    if i < cdf.len() {
        Some(i)
    } else {
        // u at or past the total (rounding): the last level with weight,
        // the first whose cumulative share reaches the total.
        let top = cdf.last().copied().filter(|c| *c > 0.0)?;
        cdf.iter().position(|c| *c >= top)
    }
}

/// `n` event times spread uniformly over `[start, end)`, sorted.
pub fn event_times(seed: u64, source: &str, block: i64, start: f64, end: f64, n: usize) -> Vec<f64> {
    let mut r = rng(seed, stream_id(&[source, "#time"], block));
    let mut t: Vec<f64> = (0..n).map(|_| start + (end - start) * r.gen::<f64>()).collect();
    t.sort_by(f64::total_cmp);
    t
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::data::table::{self, Col, MISSING};

    const SCHEMA_ROWS: usize = 40_000;

    /// 40,000 rows of one stream source with one field per row of the
    /// schema table in docs/drift.md.
    fn schema_table(seed: u64) -> table::Table {
        let src = r#"system t {
  problem { objective "o"; task regression }
  source e {
    kind stream
    schema {
      id: id key
      ts: timestamp event_time
      nrm: float dist normal(mean: 5, sd: 2)
      lgn: float dist lognormal(mean: 1, sd: 0.5)
      unf: float dist uniform(min: 2, max: 6)
      poi: int dist poisson(lambda: 3)
      rng: float range 10..20
      int0: int
      flt0: float
      cut: float range 0..1 dist normal(mean: 0, sd: 1)
      vals: category values ["p", "q", "r", "s"]
      lvls: category
      gaps: float missing 20%
      flag: bool
    }
  }
}
"#;
        let d = mlspec_check::check_source(src).design().expect("a valid spec");
        let world = World::new(&d, SCHEMA_ROWS as u64).expect("a world");
        let times = vec![0.0; SCHEMA_ROWS];
        let none = |_: &str| FieldDrift::default();
        let b = Block { seed, source_index: 0, source: &d.sources[0], block: 0, times: &times, first_row: 0, drift: &none };
        let (df, layouts) = draw(&world, &b).unwrap();
        table::from_frame("e", &df, &layouts, times).unwrap()
    }

    fn nums(t: &table::Table, f: &str) -> Vec<f64> {
        match t.col(f) {
            Some(Col::Num(v)) => v.clone(),
            other => panic!("{f}: {other:?}"),
        }
    }

    fn mean_sd(v: &[f64]) -> (f64, f64) {
        let n = v.len() as f64;
        let m = v.iter().sum::<f64>() / n;
        (m, (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt())
    }

    /// |got − want| within 5 standard errors `se`.
    fn near(what: &str, got: f64, want: f64, se: f64) {
        assert!((got - want).abs() < 5.0 * se, "{what}: {got}, want {want} ± 5 × {se}");
    }

    /// Each row of docs/drift.md's schema table against its closed form, on
    /// 40,000 draws: a mean within 5 standard errors (σ/√n), a sd within 5
    /// of its standard errors (σ/√(2n) for the normal ones), a share p
    /// within 5·√(p(1−p)/n). Each such check fails falsely with probability
    /// 5.7e-7 (normal tail at 5); 28 checks: below 2e-5 for the test.
    /// Ranges, integers and levels are checked exactly. Slow mode
    /// (`MLSPEC_SLOW_SEEDS=N`): see `mlspec_rng::testing`.
    #[test]
    fn each_schema_row_draws_the_distribution_the_docs_state() {
        mlspec_rng::testing::over_seeds("each_schema_row_draws_the_distribution_the_docs_state", 1, schema_rows);
    }

    fn schema_rows(seed: u64) {
        let t = schema_table(seed);
        let n = SCHEMA_ROWS as f64;
        let rt = n.sqrt();
        let (m, s) = mean_sd(&nums(&t, "nrm"));
        near("normal(5, 2) mean", m, 5.0, 2.0 / rt);
        near("normal(5, 2) sd", s, 2.0, 2.0 / (2.0 * n).sqrt());
        // lognormal(mean, sd) are the log's: E = e^(μ+σ²/2), sd = √((e^σ² − 1)·e^(2μ+σ²)).
        let (mu, sg) = (1.0f64, 0.5f64);
        let (e, sd) = ((mu + sg * sg / 2.0).exp(), ((sg * sg).exp_m1() * (2.0 * mu + sg * sg).exp()).sqrt());
        let lgn = nums(&t, "lgn");
        near("lognormal mean", mean_sd(&lgn).0, e, sd / rt);
        let (lm, ls) = mean_sd(&lgn.iter().map(|x| x.ln()).collect::<Vec<_>>());
        near("lognormal: mean of the log", lm, mu, sg / rt);
        near("lognormal: sd of the log", ls, sg, sg / (2.0 * n).sqrt());
        let unf = nums(&t, "unf");
        assert!(unf.iter().all(|x| (2.0..6.0).contains(x)));
        let (m, s) = mean_sd(&unf);
        near("uniform(2, 6) mean", m, 4.0, (4.0 / 12f64.sqrt()) / rt);
        // The sd of a uniform's sample sd: √((μ4 − σ⁴)/(4σ²n)), μ4 = (b−a)⁴/80.
        let var: f64 = 16.0 / 12.0;
        near("uniform(2, 6) sd", s, var.sqrt(), ((256.0 / 80.0 - var * var) / (4.0 * var * n)).sqrt());
        for (f, lambda) in [("poi", 3.0), ("int0", 5.0)] {
            let v = nums(&t, f);
            assert!(v.iter().all(|x| x.fract() == 0.0 && *x >= 0.0), "{f}: whole numbers");
            let (m, s) = mean_sd(&v);
            near(&format!("{f}: Poisson({lambda}) mean"), m, lambda, (lambda / n).sqrt());
            // Var of the sample variance of a Poisson: (λ + 2λ²)/n (μ4 = λ + 3λ²).
            near(&format!("{f}: Poisson({lambda}) variance"), s * s, lambda, ((lambda + 2.0 * lambda * lambda) / n).sqrt());
        }
        let rng = nums(&t, "rng");
        assert!(rng.iter().all(|x| (10.0..=20.0).contains(x)));
        near("range 10..20 alone: uniform mean", mean_sd(&rng).0, 15.0, (10.0 / 12f64.sqrt()) / rt);
        let (m, s) = mean_sd(&nums(&t, "flt0"));
        near("float, no dist: normal(0, 1) mean", m, 0.0, 1.0 / rt);
        near("float, no dist: normal(0, 1) sd", s, 1.0, 1.0 / (2.0 * n).sqrt());
        // normal(0, 1) clipped to 0..1: P(x ≤ 0) = 1/2 all at 0, P(x ≥ 1) = 0.1587 all at 1.
        let cut = nums(&t, "cut");
        assert!(cut.iter().all(|x| (0.0..=1.0).contains(x)));
        let at = |v: f64| cut.iter().filter(|x| **x == v).count() as f64 / n;
        near("clipped at the range's low end", at(0.0), 0.5, (0.25 / n).sqrt());
        near("clipped at the range's high end", at(1.0), 0.158_655, (0.158_655 * 0.841_345 / n).sqrt());
        let shares = |f: &str, k: usize| match t.col(f) {
            Some(Col::Cat { codes, levels }) => {
                assert_eq!(levels.len(), k, "{f}: levels {levels:?}");
                (0..k).map(|i| codes.iter().filter(|c| **c == i as u32).count() as f64 / n).collect::<Vec<_>>()
            }
            other => panic!("{f}: {other:?}"),
        };
        for (i, p) in shares("vals", 4).into_iter().enumerate() {
            near(&format!("values: level {i}"), p, 0.25, (0.25 * 0.75 / n).sqrt());
        }
        if let Some(Col::Cat { levels, .. }) = t.col("lvls") {
            assert_eq!(levels.first().map(String::as_str), Some("lvls_0"));
            assert_eq!(levels.last().map(String::as_str), Some("lvls_5"));
        }
        let h6: f64 = (1..=6).map(|i| 1.0 / f64::from(i)).sum();
        for (i, p) in shares("lvls", 6).into_iter().enumerate() {
            let want = 1.0 / ((i as f64 + 1.0) * h6);
            near(&format!("default level {i}: 1/(i+1) weights"), p, want, (want * (1.0 - want) / n).sqrt());
        }
        let gaps = nums(&t, "gaps").iter().filter(|x| x.is_nan()).count() as f64 / n;
        near("missing 20%", gaps, 0.2, (0.2 * 0.8 / n).sqrt());
        let flag = nums(&t, "flag").iter().filter(|x| **x == 1.0).count() as f64 / n;
        near("bool: true 30% of the time", flag, 0.3, (0.3 * 0.7 / n).sqrt());
        assert!(!matches!(t.col("vals"), Some(Col::Cat { codes, .. }) if codes.contains(&MISSING)), "no missing without `missing`");
    }

    /// Streams are named by every part and the block: no two of these collide.
    #[test]
    fn stream_ids_differ_by_source_field_and_block() {
        let ids = [
            stream_id(&["e", "x"], 0),
            stream_id(&["e", "y"], 0),
            stream_id(&["f", "x"], 0),
            stream_id(&["e", "x"], 1),
            stream_id(&["e", "x"], -1),
            stream_id(&["ex"], 0),
            stream_id(&["e", "#time"], 0),
        ];
        for (i, a) in ids.iter().enumerate() {
            assert!(ids.iter().skip(i + 1).all(|b| a != b), "stream {i} collides");
        }
        assert_eq!(stream_id(&["e", "x"], 3), stream_id(&["e", "x"], 3));
    }

    /// A cumulative share vector picks index i for u in [cdf[i-1], cdf[i]);
    /// zero and non-finite weights are never picked.
    #[test]
    fn weights_pick_each_level_for_its_share_of_the_unit_interval() {
        let cdf = cumulative(&[2.0, 0.0, 1.0, f64::NAN, 1.0]);
        assert_eq!(cdf, vec![0.5, 0.5, 0.75, 0.75, 1.0]);
        let picks: Vec<Option<usize>> = [0.0, 0.49, 0.5, 0.74, 0.75, 0.999].iter().map(|u| pick(&cdf, *u)).collect();
        assert_eq!(picks, vec![Some(0), Some(0), Some(2), Some(2), Some(4), Some(4)]);
        // u = 1 (never drawn) or a rounding short of 1 falls on the last level with weight.
        assert_eq!(pick(&cumulative(&[1.0, 1.0, 0.0]), 1.0), Some(1));
        assert_eq!(pick(&cumulative(&[0.0, 0.0]), 0.5), None);
    }
}
