//! Window aggregations (`count`, `sum`, `mean`, `min`, `max`,
//! `distinct_count`, `last` with `by:` and `window:`) over event time, kept
//! as streaming state across the simulated days.
//!
//! **Invariant:** the value for a row at time `t` aggregates exactly the
//! events of the window's source with the same key and event time in
//! `(t - window, t]`, the row's own event included when the window is over
//! its own source (the generated Python's meaning). Events are fed in time
//! order; a key's state holds only events still inside its window.

use mlspec_ir::WindowFunction;
use std::collections::{BTreeMap, HashMap, VecDeque};

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct WindowSpec {
    pub func: WindowFunction,
    pub source: String,
    /// The aggregated field; `None` for `count(SOURCE, ..)`.
    pub field: Option<String>,
    pub by: String,
    /// Seconds, as bits so the spec can be a map key.
    pub window_bits: u64,
}

impl WindowSpec {
    pub fn window_s(&self) -> f64 {
        f64::from_bits(self.window_bits)
    }
}

#[derive(Default)]
struct KeyState {
    events: VecDeque<(f64, f64)>,
    sum: f64,
    numbers: u64,
    /// For `distinct_count`: value bits -> events in the window with it.
    distinct: HashMap<u64, u32>,
    /// For `min` / `max`: a monotonic deque (values that can still be the extreme).
    extreme: VecDeque<(f64, f64)>,
}

/// What a window keeps per key beyond its events, by function.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Track {
    Plain,
    Distinct,
    Min,
    Max,
}

impl KeyState {
    fn push(&mut self, track: Track, t: f64, v: f64) {
        self.events.push_back((t, v));
        if v.is_nan() {
            return;
        }
        self.sum += v;
        self.numbers += 1;
        match track {
            Track::Distinct => *self.distinct.entry(v.to_bits()).or_default() += 1,
            Track::Min | Track::Max => {
                let dominated = |old: f64| if track == Track::Min { old >= v } else { old <= v };
                while self.extreme.back().is_some_and(|e| dominated(e.1)) {
                    self.extreme.pop_back();
                }
                self.extreme.push_back((t, v));
            }
            Track::Plain => {}
        }
    }

    fn evict(&mut self, before_or_at: f64) {
        while let Some(&(t, v)) = self.events.front() {
            if t > before_or_at {
                break;
            }
            self.events.pop_front();
            if !v.is_nan() {
                self.sum -= v;
                self.numbers -= 1;
                if let Some(c) = self.distinct.get_mut(&v.to_bits()) {
                    *c -= 1;
                    if *c == 0 {
                        self.distinct.remove(&v.to_bits());
                    }
                }
            }
        }
        while self.extreme.front().is_some_and(|e| e.0 <= before_or_at) {
            self.extreme.pop_front();
        }
        if self.numbers == 0 {
            // Resets rounding error whenever the window empties.
            self.sum = 0.0;
        }
    }
}

/// The streaming state of one window aggregation.
#[derive(Default)]
pub struct Window {
    keys: HashMap<u32, KeyState>,
    /// Events fed but not yet reached by a query: (time, key, value).
    pending: VecDeque<(f64, u32, f64)>,
}

impl Window {
    /// Adds events of the window's source, sorted by time and later than
    /// every event fed before.
    pub fn feed(&mut self, times: &[f64], keys: &[u32], values: Option<&[f64]>) {
        for (i, (&t, &k)) in times.iter().zip(keys).enumerate() {
            let v = values.and_then(|v| v.get(i).copied()).unwrap_or(1.0);
            self.pending.push_back((t, k, v));
        }
    }

    /// The aggregate for each query row (times sorted), with the key of that
    /// row (`u32::MAX` = no key: the value of an empty window).
    pub fn query(&mut self, spec: &WindowSpec, times: &[f64], keys: &[u32]) -> Vec<f64> {
        let w = spec.window_s();
        let track = match spec.func {
            WindowFunction::DistinctCount => Track::Distinct,
            WindowFunction::Min => Track::Min,
            WindowFunction::Max => Track::Max,
            WindowFunction::Count | WindowFunction::Sum | WindowFunction::Mean | WindowFunction::Last => Track::Plain,
        };
        let mut out = Vec::with_capacity(times.len());
        for (&t, &k) in times.iter().zip(keys) {
            while let Some(&(et, ek, ev)) = self.pending.front() {
                if et > t {
                    break;
                }
                self.pending.pop_front();
                let st = self.keys.entry(ek).or_default();
                st.evict(et - w);
                st.push(track, et, ev);
            }
            let value = match self.keys.get_mut(&k) {
                Some(st) => {
                    st.evict(t - w);
                    aggregate(spec.func, st)
                }
                None => aggregate(spec.func, &KeyState::default()),
            };
            out.push(value);
        }
        out
    }
}

fn aggregate(func: WindowFunction, st: &KeyState) -> f64 {
    match func {
        WindowFunction::Count => st.events.len() as f64,
        WindowFunction::Sum => st.sum,
        WindowFunction::Mean if st.numbers > 0 => st.sum / st.numbers as f64,
        WindowFunction::Mean => f64::NAN,
        WindowFunction::Min | WindowFunction::Max => st.extreme.front().map_or(f64::NAN, |e| e.1),
        WindowFunction::DistinctCount => st.distinct.len() as f64,
        WindowFunction::Last => st.events.back().map_or(f64::NAN, |e| e.1),
    }
}

/// Every window aggregation of a design, by spec.
#[derive(Default)]
pub struct Windows {
    pub states: BTreeMap<WindowSpec, Window>,
}
