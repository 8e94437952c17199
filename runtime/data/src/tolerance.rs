//! Every threshold `data check` and `data infer` judge by, in one place:
//! docs/data.md quotes each one, and a test holds the two together.

/// A declared missing rate p is exceeded above p + max(this, ...) ...
pub const MISSING_MIN_POINTS: f64 = 0.005;
/// ... and above p + this many standard errors √(p(1−p)/n).
pub const MISSING_SIGMAS: f64 = 3.0;
/// |z| of the two-sided binomial test of the label rate at 0.1 %.
pub const RATE_Z: f64 = 3.29;
/// ... and the rates must differ by more than this share of the declared one.
pub const RATE_RELATIVE: f64 = 0.1;
/// Labels may arrive after their `delay` for at most this share of them.
pub const LATE_SHARE: f64 = 0.01;
/// One column alone ranking the label with an AUC this far from 1/2 leaks it.
pub const LEAK_AUC: f64 = 0.99;
/// Labelled rows of each class a leak needs: with fewer, one extreme value
/// on the one positive row looks like perfect separation by chance.
pub const LEAK_MIN_CLASS: f64 = 30.0;
/// A category whose values average fewer rows than this is an identifier
/// in disguise (each value's own label ranks it perfectly): not judged.
pub const LEAK_MIN_ROWS_PER_CATEGORY: f64 = 5.0;
/// Rows per day are far from `volume N / day` below N / this or above N × this.
pub const VOLUME_FACTOR: f64 = 2.0;
/// How far a `freshness realtime` source may lag, in seconds.
pub const REALTIME_LAG_S: f64 = 300.0;
/// Example rows a finding shows.
pub const EXAMPLES: u32 = 3;
/// CSV rows read to decide each column's type.
pub const CSV_SCHEMA_ROWS: usize = 10_000;
/// `infer`: a text column with at most this many distinct values may be a category ...
pub const INFER_MAX_CATEGORIES: u64 = 50;
/// ... when each value repeats at least this often on average.
pub const INFER_MIN_REPEATS: u64 = 5;
/// `infer`: values a distribution is fitted on, spread evenly through the file.
pub const INFER_FIT_SAMPLE: u64 = 100_000;
