//! The Prometheus text exposition format (version 0.0.4), as a server's
//! `/metrics` answers it (Python `prometheus_client`, multiprocess mode
//! included): histograms by family and labels, every other sample by name and
//! labels.
//!
//! The text comes from a network peer, so nothing here panics or grows
//! without bound: the text is refused above [`MAX_BYTES`], a line above
//! [`MAX_LINE`] and samples beyond [`MAX_SAMPLES`], and a malformed line is a [`ParseError`] naming its 1-based
//! line. `_created` samples (a series' creation time) are ignored.
//!
//! A family is a histogram when a `# TYPE` line says so, or, untyped, when
//! its `<family>_bucket` samples carry an `le` label; its `_bucket`, `_sum`
//! and `_count` samples make one [`BucketCounts`] per label set (without
//! `le`), in any order (multiprocess output writes `_sum` first).
//!
//! **Invariants** of a [`BucketCounts`] that [`parse`] or [`delta`] returns:
//! `upper` is finite and strictly ascending; `cumulative` has one more entry
//! (the `+Inf` bucket) and is finite, ≥ 0 and non-decreasing; `count` equals
//! its last entry. `sum` is as exposed, NaN when the series has no `_sum`.

mod line;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use line::{Line, Sample};

/// The longest metrics text parsed: 16 MiB.
pub const MAX_BYTES: usize = 16 << 20;
/// The longest line parsed: 64 KiB.
pub const MAX_LINE: usize = 64 << 10;
/// The most samples parsed (a server exposes thousands; this bounds the
/// memory a hostile text can take to tens of MiB).
pub const MAX_SAMPLES: usize = 200_000;

/// A metric name and its labels, sorted by label name (names are unique).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Series {
    pub name: String,
    pub labels: Vec<(String, String)>,
}

impl Series {
    /// The value of label `name`, if the series has it.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Whether the series carries every `(label, value)` of `filter`.
    fn has_all(&self, filter: &[(&str, &str)]) -> bool {
        filter.iter().all(|(n, v)| self.label(n) == Some(*v))
    }

    /// Whether its labels are exactly `filter`'s (in any order).
    fn has_exactly(&self, filter: &[(&str, &str)]) -> bool {
        self.labels.len() == filter.len() && self.has_all(filter)
    }
}

/// As written in the exposition: `name{a="x",b="y"}`, values escaped.
impl fmt::Display for Series {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        if self.labels.is_empty() {
            return Ok(());
        }
        write!(f, "{{")?;
        for (i, (name, value)) in self.labels.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            let value = value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
            write!(f, "{sep}{name}=\"{value}\"")?;
        }
        write!(f, "}}")
    }
}

/// One histogram series: cumulative counts at each bucket's upper bound
/// (see the module's invariants), with the sum and count of observations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BucketCounts {
    /// Finite upper bounds (`le`), strictly ascending.
    pub upper: Vec<f64>,
    /// Observations ≤ each bound; one more entry than `upper`, for `+Inf`.
    pub cumulative: Vec<f64>,
    /// Sum of the observed values; NaN when the series has no `_sum`.
    pub sum: f64,
    /// Number of observations: the `+Inf` bucket.
    pub count: f64,
}

impl BucketCounts {
    /// `(lo, hi, count)` of each bucket: observations in (lo, hi]. The first
    /// bucket's lo is 0 when its bound is positive (durations and sizes are
    /// never negative), else −∞; the last bucket's hi is +∞.
    pub fn per_bucket(&self) -> Vec<(f64, f64, f64)> {
        let mut out = Vec::with_capacity(self.cumulative.len());
        let mut lo = match self.upper.first() {
            Some(first) if *first <= 0.0 => f64::NEG_INFINITY,
            _ => 0.0,
        };
        let mut below = 0.0;
        for (i, cum) in self.cumulative.iter().enumerate() {
            let hi = self.upper.get(i).copied().unwrap_or(f64::INFINITY);
            out.push((lo, hi, cum - below));
            lo = hi;
            below = *cum;
        }
        out
    }

    /// The mean observation, `sum / count` (NaN when count is 0 or the sum
    /// is unknown).
    pub fn mean(&self) -> f64 {
        if self.count > 0.0 {
            self.sum / self.count
        } else {
            f64::NAN
        }
    }
}

/// One parsed scrape.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scrape {
    /// Histograms by family name (no `_bucket`/`_sum`/`_count`) and labels
    /// (no `le`).
    pub histograms: BTreeMap<Series, BucketCounts>,
    /// Every other sample by its full name (`_total` kept) and labels.
    pub values: BTreeMap<Series, f64>,
}

impl Scrape {
    /// The histogram of family `name` whose labels are exactly `filter`, or
    /// else the only one that has every label of `filter`; None when there
    /// is none, or several and none matches exactly (ambiguous).
    pub fn histogram(&self, name: &str, filter: &[(&str, &str)]) -> Option<&BucketCounts> {
        find(&self.histograms, name, filter)
    }

    /// The sample `name` (e.g. `mlspec_requests_total`) chosen by labels as
    /// [`Scrape::histogram`] chooses.
    pub fn value(&self, name: &str, filter: &[(&str, &str)]) -> Option<f64> {
        find(&self.values, name, filter).copied()
    }
}

fn find<'a, T>(map: &'a BTreeMap<Series, T>, name: &str, filter: &[(&str, &str)]) -> Option<&'a T> {
    let mut matching = map.iter().filter(|(s, _)| s.name == name && s.has_all(filter));
    let first = matching.next()?;
    let rest: Vec<_> = matching.collect();
    if rest.is_empty() {
        return Some(first.1);
    }
    std::iter::once(first).chain(rest).find(|(s, _)| s.has_exactly(filter)).map(|(_, v)| v)
}

/// Why a metrics text, or the difference of two scrapes, gives no histograms.
#[derive(Clone, Debug, PartialEq)]
pub enum ParseError {
    /// The text is longer than [`MAX_BYTES`].
    TooLarge { bytes: usize },
    /// A line is longer than [`MAX_LINE`].
    LineTooLong { line: usize },
    /// The sample on this line is one more than [`MAX_SAMPLES`].
    TooManySamples { line: usize },
    /// A line is neither blank, a comment nor a sample.
    Syntax { line: usize, message: String },
    /// A histogram's samples do not make a histogram.
    Histogram { line: usize, series: String, message: String },
    /// [`delta`]: the two scrapes' bucket bounds differ.
    BoundsChanged,
    /// [`delta`]: a bucket holds fewer observations after than before.
    Reset { bucket: String, before: f64, after: f64 },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::TooLarge { bytes } => write!(f, "the metrics text is {bytes} bytes, over the limit of {MAX_BYTES}"),
            ParseError::LineTooLong { line } => write!(f, "line {line}: longer than {MAX_LINE} bytes"),
            ParseError::TooManySamples { line } => write!(f, "line {line}: more than {MAX_SAMPLES} samples in the metrics text"),
            ParseError::Syntax { line, message } => write!(f, "line {line}: {message}"),
            ParseError::Histogram { line, series, message } => write!(f, "line {line}: histogram `{series}`: {message}"),
            ParseError::BoundsChanged => write!(f, "the histogram's bucket bounds changed between the two scrapes"),
            ParseError::Reset { bucket, before, after } => write!(
                f,
                "bucket le=\"{bucket}\" went down from {before} to {after} observations between the two scrapes: \
                 the server restarted between them; scrape again"
            ),
        }
    }
}

impl std::error::Error for ParseError {}

/// Parses a metrics text (format 0.0.4). Errors name the first bad line.
pub fn parse(text: &str) -> Result<Scrape, ParseError> {
    if text.len() > MAX_BYTES {
        return Err(ParseError::TooLarge { bytes: text.len() });
    }
    let mut kinds: BTreeMap<String, String> = BTreeMap::new();
    let mut samples = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let line = i + 1;
        if raw.len() > MAX_LINE {
            return Err(ParseError::LineTooLong { line });
        }
        match line::parse(raw, line)? {
            Line::Type { name, kind } => {
                kinds.entry(name).or_insert(kind);
            }
            Line::Sample(_) if samples.len() == MAX_SAMPLES => return Err(ParseError::TooManySamples { line }),
            Line::Sample(sample) => samples.push(sample),
            Line::Blank | Line::Comment => {}
        }
    }
    assemble(&kinds, samples)
}

/// Which part of a histogram a sample is.
enum Part {
    Bucket,
    Sum,
    Count,
}

/// The samples of one histogram series, before they are checked.
struct Partial {
    first_line: usize,
    /// (le, cumulative, line)
    buckets: Vec<(f64, f64, usize)>,
    sum: Option<f64>,
    count: Option<(f64, usize)>,
}

fn assemble(kinds: &BTreeMap<String, String>, samples: Vec<Sample>) -> Result<Scrape, ParseError> {
    let families = histogram_families(kinds, &samples);
    let mut partials: BTreeMap<Series, Partial> = BTreeMap::new();
    let mut values = BTreeMap::new();
    for Sample { line, name, mut labels, value } in samples {
        if name.ends_with("_created") {
            continue;
        }
        let Some((family, part)) = histogram_part(&name, &families) else {
            labels.sort();
            let series = Series { name, labels };
            if values.contains_key(&series) {
                return Err(ParseError::Syntax { line, message: format!("`{series}` appears twice") });
            }
            values.insert(series, value);
            continue;
        };
        let le = labels.iter().position(|(n, _)| n == "le").map(|i| labels.remove(i).1);
        labels.sort();
        let series = Series { name: family.to_string(), labels };
        let hist_err = |message: String| ParseError::Histogram { line, series: series.to_string(), message };
        let partial = partials.entry(series.clone()).or_insert(Partial { first_line: line, buckets: Vec::new(), sum: None, count: None });
        match part {
            Part::Bucket => {
                let le = le.ok_or_else(|| hist_err(format!("`{name}` has no `le` label")))?;
                let bound =
                    line::number(&le).filter(|b| !b.is_nan()).ok_or_else(|| hist_err(format!("le=\"{le}\" is not a bucket bound")))?;
                partial.buckets.push((bound, value, line));
            }
            Part::Sum if partial.sum.is_none() => partial.sum = Some(value),
            Part::Count if partial.count.is_none() => partial.count = Some((value, line)),
            Part::Sum | Part::Count => return Err(hist_err(format!("`{name}` appears twice"))),
        }
    }
    let mut histograms = BTreeMap::new();
    for (series, partial) in partials {
        let counts = finish(&series, partial)?;
        histograms.insert(series, counts);
    }
    Ok(Scrape { histograms, values })
}

/// Families typed `histogram`, and untyped ones with `le`-labelled buckets.
fn histogram_families(kinds: &BTreeMap<String, String>, samples: &[Sample]) -> BTreeSet<String> {
    let untyped = |name: &str| kinds.get(name).is_none_or(|k| k == "untyped");
    let mut out: BTreeSet<String> = kinds.iter().filter(|(_, k)| k.as_str() == "histogram").map(|(n, _)| n.clone()).collect();
    for s in samples {
        if let Some(family) = s.name.strip_suffix("_bucket") {
            if s.labels.iter().any(|(n, _)| n == "le") && untyped(family) && untyped(&s.name) {
                out.insert(family.to_string());
            }
        }
    }
    out
}

fn histogram_part<'a>(name: &'a str, families: &BTreeSet<String>) -> Option<(&'a str, Part)> {
    [("_bucket", Part::Bucket), ("_sum", Part::Sum), ("_count", Part::Count)]
        .into_iter()
        .find_map(|(suffix, part)| name.strip_suffix(suffix).filter(|f| families.contains(*f)).map(|f| (f, part)))
}

/// Checks one histogram series and makes its [`BucketCounts`]. With no
/// `+Inf` bucket, the count is `_count`, else the highest bucket.
fn finish(series: &Series, partial: Partial) -> Result<BucketCounts, ParseError> {
    let err = |line: usize, message: String| ParseError::Histogram { line, series: series.to_string(), message };
    let mut buckets = partial.buckets;
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    for pair in buckets.windows(2) {
        if let [a, b] = pair {
            if a.0 == b.0 {
                return Err(err(a.2.max(b.2), format!("two buckets have le=\"{}\"", bound(a.0))));
            }
        }
    }
    let inf = match buckets.last() {
        Some(&(le, value, line)) if le == f64::INFINITY => {
            buckets.pop();
            Some((value, line))
        }
        _ => None,
    };
    let mut upper = Vec::with_capacity(buckets.len());
    let mut cumulative = Vec::with_capacity(buckets.len() + 1);
    let mut below = 0.0;
    let mut check = |value: f64, le: f64, line: usize| -> Result<(), ParseError> {
        if !(value.is_finite() && value >= below) {
            let why = if value.is_finite() && value >= 0.0 { " (fewer than a lower bucket)" } else { "" };
            return Err(err(line, format!("bucket le=\"{}\" holds {value} observations{why}", bound(le))));
        }
        below = value;
        Ok(())
    };
    for &(le, value, line) in &buckets {
        if !le.is_finite() {
            return Err(err(line, format!("le=\"{}\" is not a bucket bound", bound(le))));
        }
        check(value, le, line)?;
        upper.push(le);
        cumulative.push(value);
    }
    let highest = cumulative.last().copied().unwrap_or(0.0);
    let (total, line) = match (inf, partial.count) {
        (Some((v, _)), Some((c, line))) if v != c => {
            return Err(err(line, format!("`_count` is {c} but the +Inf bucket holds {v}")));
        }
        (Some((v, line)), _) | (None, Some((v, line))) => (v, line),
        (None, None) => (highest, partial.first_line),
    };
    check(total, f64::INFINITY, line)?;
    cumulative.push(total);
    Ok(BucketCounts { upper, cumulative, sum: partial.sum.unwrap_or(f64::NAN), count: total })
}

/// A bucket bound as the exposition writes it.
fn bound(le: f64) -> String {
    if le == f64::INFINITY {
        "+Inf".to_string()
    } else {
        le.to_string()
    }
}

/// The observations between two scrapes of one histogram: `after − before`
/// per bucket, in sum and in count. Both must have the same bounds; a bucket
/// that went down means the server restarted (its counters began again), and
/// is an error. (A restart followed by more traffic than before is not seen.)
pub fn delta(before: &BucketCounts, after: &BucketCounts) -> Result<BucketCounts, ParseError> {
    if before.upper != after.upper || before.cumulative.len() != after.cumulative.len() {
        return Err(ParseError::BoundsChanged);
    }
    let mut cumulative = Vec::with_capacity(after.cumulative.len());
    let mut total = 0.0;
    for ((_, hi, was), (_, _, now)) in before.per_bucket().into_iter().zip(after.per_bucket()) {
        if now < was || now.is_nan() || was.is_nan() {
            return Err(ParseError::Reset { bucket: bound(hi), before: was, after: now });
        }
        total += now - was;
        cumulative.push(total);
    }
    Ok(BucketCounts { upper: after.upper.clone(), cumulative, sum: after.sum - before.sum, count: total })
}
