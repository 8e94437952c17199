//! The feature functions of the language as one closed enum, each with the
//! signature the checker types its calls against.
//!
//! To add a feature function: one line in the `functions!` list below
//! (a transform in `FeatureFunction`, a window aggregation in
//! `WindowFunction`) and its row in `signature`; then `cargo check
//! --workspace` points at every evaluator that must handle it (the drift
//! simulation's evaluator and window aggregation, the Python expression
//! emitter). The generated project's `features.py` needs the Python
//! function of that name.
//!
//! **Invariant:** evaluators match [`FeatureFunction`] and
//! [`WindowFunction`] exhaustively, so a function the checker accepts has
//! a meaning in every backend.
//! **Invariant:** a function serialises as its name, the text it had
//! when calls carried strings.

use crate::ValueType;
use serde::{Serialize, Serializer};

/// Declares both enums from one list: each variant with its name, so the
/// name, `ALL` and the variant cannot disagree.
macro_rules! functions {
    (
        $(#[$fm:meta])* enum FeatureFunction { $($(#[$vm:meta])* $variant:ident = $text:literal,)+ }
        $(#[$wm:meta])* enum WindowFunction { $($(#[$wvm:meta])* $wvariant:ident = $wtext:literal,)+ }
    ) => {
        $(#[$fm])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum FeatureFunction {
            $($(#[$vm])* $variant,)+
            /// An aggregation over a time window per key: `count(events, by: user_id, window: 1h)`.
            Window(WindowFunction),
        }

        $(#[$wm])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum WindowFunction {
            $($(#[$wvm])* $wvariant,)+
        }

        impl FeatureFunction {
            /// Every function, in the order help texts list them: transforms, then windows.
            pub const ALL: &'static [FeatureFunction] =
                &[$(FeatureFunction::$variant,)+ $(FeatureFunction::Window(WindowFunction::$wvariant),)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(FeatureFunction::$variant => $text,)+
                    FeatureFunction::Window(w) => w.as_str(),
                }
            }
        }

        impl WindowFunction {
            pub const ALL: &'static [WindowFunction] = &[$(WindowFunction::$wvariant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(WindowFunction::$wvariant => $wtext,)+
                }
            }
        }
    };
}

functions! {
    /// A feature function, as a call `NAME(args, named: ...)` in `features`.
    ///
    /// To add one: a line here (a window aggregation goes in
    /// [`WindowFunction`]) and its row in `signature`; then `cargo check
    /// --workspace` lists every evaluator that must handle it.
    enum FeatureFunction {
        Log1p = "log1p",
        Standardize = "standardize",
        Minmax = "minmax",
        Clip = "clip",
        Bucketize = "bucketize",
        Onehot = "onehot",
        Hash = "hash",
        Embedding = "embedding",
        Tfidf = "tfidf",
        Fill = "fill",
        HourOfDay = "hour_of_day",
        DayOfWeek = "day_of_week",
        DaysSince = "days_since",
        Distance = "distance",
        Cross = "cross",
    }

    /// A window aggregation: every one takes what it aggregates, `by:` (the
    /// key) and `window:` (how far back), and is computed from an event
    /// stream. A variant of its own (`FeatureFunction::Window`) because every
    /// evaluator computes all of them the same way, as a windowed lookup
    /// naming the aggregation; only the aggregation itself (in the drift
    /// simulation's `windows` and the generated `ctx.window`) differs.
    enum WindowFunction {
        Count = "count",
        Sum = "sum",
        Mean = "mean",
        Min = "min",
        Max = "max",
        DistinctCount = "distinct_count",
        Last = "last",
    }
}

/// What a function's call is checked against.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Signature {
    /// The positional parameters; the first `required` must be given.
    pub params: &'static [Param],
    pub required: usize,
    pub named: &'static [NamedParam],
    pub result: Output,
    /// A correct call, for help texts.
    pub example: &'static str,
}

/// A positional parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Param {
    /// A value of one of these types.
    Of(&'static [ValueType]),
    /// A value of any type.
    Any,
    /// A fill strategy word ([`FILL_STRATEGIES`]) or a value of the first
    /// argument's type.
    FillValue,
    /// What a window aggregates.
    Aggregated(Aggregated),
}

/// What a window aggregation accepts as its one positional argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Aggregated {
    /// A whole source (counting its rows) as well as `SOURCE.FIELD`.
    pub whole_source: bool,
    /// Only numeric fields.
    pub numbers_only: bool,
}

/// A named parameter, `name: value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NamedParam {
    pub name: &'static str,
    pub kind: NamedKind,
    pub required: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NamedKind {
    Number,
    /// A field of the aggregated source (`by:`).
    Key,
    /// A positive duration (`window:`).
    Duration,
}

/// The type of a call's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    Is(ValueType),
    /// The type of the first argument (`fill`, `last`).
    FirstArg,
}

/// The words `fill(x, WORD)` accepts as its strategy.
pub const FILL_STRATEGIES: &[&str] = &["median", "mean", "mode"];

const WINDOW_NAMED: &[NamedParam] = &[
    NamedParam { name: "by", kind: NamedKind::Key, required: true },
    NamedParam { name: "window", kind: NamedKind::Duration, required: true },
];

impl FeatureFunction {
    pub fn parse(name: &str) -> Option<FeatureFunction> {
        FeatureFunction::ALL.iter().copied().find(|f| f.as_str() == name)
    }

    /// The names of every function, in the order of `ALL`.
    pub fn names() -> impl Iterator<Item = &'static str> + Clone {
        FeatureFunction::ALL.iter().map(|f| f.as_str())
    }

    /// The window aggregation this function is, if it is one.
    pub fn window(self) -> Option<WindowFunction> {
        match self {
            FeatureFunction::Window(w) => Some(w),
            _ => None,
        }
    }

    pub fn signature(self) -> Signature {
        use FeatureFunction::*;
        use ValueType as T;
        let sig = |params: &'static [Param], required: usize, named: &'static [NamedParam], result: T, example: &'static str| Signature {
            params,
            required,
            named,
            result: Output::Is(result),
            example,
        };
        const NUMBER: &[Param] = &[Param::Of(&[T::Number])];
        const TIMESTAMP: &[Param] = &[Param::Of(&[T::Timestamp])];
        const CATEGORIES: Param = Param::Of(&[T::Category, T::Bool]);
        match self {
            Log1p | Standardize | Minmax => sig(NUMBER, 1, &[], T::Number, "log1p(events.amount)"),
            Clip => sig(
                &[Param::Of(&[T::Number]), Param::Of(&[T::Number]), Param::Of(&[T::Number])],
                1,
                &[
                    NamedParam { name: "min", kind: NamedKind::Number, required: false },
                    NamedParam { name: "max", kind: NamedKind::Number, required: false },
                ],
                T::Number,
                "clip(events.amount, 0, 1000)",
            ),
            Bucketize => sig(&[Param::Of(&[T::Number]), Param::Of(&[T::List])], 2, &[], T::Category, "bucketize(users.age, [18, 30, 50])"),
            Onehot => sig(&[CATEGORIES], 1, &[], T::Vector, "onehot(events.merchant_category)"),
            Hash => sig(
                &[Param::Of(&[T::Category, T::String, T::Id, T::Text])],
                1,
                &[NamedParam { name: "buckets", kind: NamedKind::Number, required: true }],
                T::Vector,
                "hash(events.device_id, buckets: 1000)",
            ),
            Embedding => sig(
                &[Param::Of(&[T::Category, T::Id, T::Text])],
                1,
                &[NamedParam { name: "dim", kind: NamedKind::Number, required: true }],
                T::Vector,
                "embedding(events.item_id, dim: 32)",
            ),
            Tfidf => sig(
                &[Param::Of(&[T::Text])],
                1,
                &[NamedParam { name: "max_features", kind: NamedKind::Number, required: false }],
                T::Vector,
                "tfidf(emails.body, max_features: 5000)",
            ),
            Fill => Signature {
                params: &[Param::Any, Param::FillValue],
                required: 2,
                named: &[],
                result: Output::FirstArg,
                example: "fill(users.age, median)",
            },
            HourOfDay | DayOfWeek | DaysSince => sig(TIMESTAMP, 1, &[], T::Number, "hour_of_day(events.ts)"),
            Distance => sig(&[Param::Of(&[T::Geo]), Param::Of(&[T::Geo])], 2, &[], T::Number, "distance(orders.pickup, orders.dropoff)"),
            Cross => sig(&[CATEGORIES, CATEGORIES], 2, &[], T::Category, "cross(users.country, events.device)"),
            Window(w) => w.signature(),
        }
    }
}

impl WindowFunction {
    pub fn signature(self) -> Signature {
        use ValueType as T;
        use WindowFunction::*;
        const SOURCE_OR_FIELD: &[Param] = &[Param::Aggregated(Aggregated { whole_source: true, numbers_only: false })];
        const NUMERIC_FIELD: &[Param] = &[Param::Aggregated(Aggregated { whole_source: false, numbers_only: true })];
        const ANY_FIELD: &[Param] = &[Param::Aggregated(Aggregated { whole_source: false, numbers_only: false })];
        let (params, result, example) = match self {
            Count => (SOURCE_OR_FIELD, Output::Is(T::Number), "count(events, by: user_id, window: 1h)"),
            Sum => (NUMERIC_FIELD, Output::Is(T::Number), "sum(events.amount, by: user_id, window: 7d)"),
            Mean => (NUMERIC_FIELD, Output::Is(T::Number), "mean(events.amount, by: user_id, window: 7d)"),
            Min => (NUMERIC_FIELD, Output::Is(T::Number), "min(events.amount, by: user_id, window: 7d)"),
            Max => (NUMERIC_FIELD, Output::Is(T::Number), "max(events.amount, by: user_id, window: 7d)"),
            DistinctCount => (ANY_FIELD, Output::Is(T::Number), "distinct_count(events.amount, by: user_id, window: 7d)"),
            Last => (ANY_FIELD, Output::FirstArg, "last(events.amount, by: user_id, window: 7d)"),
        };
        Signature { params, required: 1, named: WINDOW_NAMED, result, example }
    }

    /// What the aggregation accepts as its positional argument (from its signature).
    pub fn aggregated(self) -> Aggregated {
        let first = self.signature().params.first().copied();
        match first {
            Some(Param::Aggregated(a)) => a,
            Some(Param::Of(_) | Param::Any | Param::FillValue) | None => Aggregated { whole_source: false, numbers_only: false },
        }
    }
}

/// Window specs are map keys in the drift simulation; they order by name,
/// as they did when the function was a string, so iteration order holds.
impl Ord for WindowFunction {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for WindowFunction {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for FeatureFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for WindowFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for FeatureFunction {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Serialize for WindowFunction {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for &f in FeatureFunction::ALL {
            assert_eq!(FeatureFunction::parse(f.as_str()), Some(f));
            assert!(seen.insert(f.as_str()), "{f} twice");
        }
        for &w in WindowFunction::ALL {
            assert!(FeatureFunction::ALL.contains(&FeatureFunction::Window(w)), "{w} missing from FeatureFunction::ALL");
        }
        assert_eq!(FeatureFunction::parse("nope"), None);
    }

    #[test]
    fn signatures_are_consistent() {
        for &f in FeatureFunction::ALL {
            let sig = f.signature();
            assert!(sig.required <= sig.params.len(), "{f}");
            // An example may show a sibling with the same parameters (`log1p` for `minmax`).
            let shown = sig.example.split('(').next().and_then(FeatureFunction::parse);
            assert_eq!(shown.map(|g| g.signature().params), Some(sig.params), "{f}: {}", sig.example);
            let windowed = sig.params.iter().any(|p| matches!(p, Param::Aggregated(_)));
            assert_eq!(windowed, matches!(f, FeatureFunction::Window(_)), "{f}");
        }
        assert_eq!(FeatureFunction::Window(WindowFunction::Last).signature().result, Output::FirstArg);
        assert!(WindowFunction::Count.aggregated().whole_source);
    }

    #[test]
    fn serialises_as_its_name() {
        let v = serde_json::to_string(&FeatureFunction::Window(WindowFunction::DistinctCount)).unwrap_or_default();
        assert_eq!(v, "\"distinct_count\"");
        assert_eq!(serde_json::to_string(&FeatureFunction::HourOfDay).unwrap_or_default(), "\"hour_of_day\"");
    }

    #[test]
    fn window_functions_order_by_name() {
        let mut all = WindowFunction::ALL.to_vec();
        all.sort();
        let names: Vec<&str> = all.iter().map(|w| w.as_str()).collect();
        assert_eq!(names, ["count", "distinct_count", "last", "max", "mean", "min", "sum"]);
    }
}
