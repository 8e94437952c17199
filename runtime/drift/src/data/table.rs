//! Columns as the feature evaluator reads them, converted from the polars
//! frames the generator draws.
//!
//! **Invariant:** every column of a [`Table`] has `len()` rows; missing
//! numbers are NaN, missing categories and ids are [`MISSING`].

use crate::DriftError;
use polars::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

pub const MISSING: u32 = u32::MAX;

#[derive(Clone, Debug)]
pub enum Col {
    Num(Vec<f64>),
    /// Category codes into `levels`.
    Cat {
        codes: Vec<u32>,
        levels: Arc<Vec<String>>,
    },
    /// Ids: pool index, or a row's own sequence number for stream keys.
    Id(Vec<u32>),
    /// Word indices into [`super::synth::WORDS`].
    Text(Vec<Vec<u16>>),
    /// (latitude, longitude) in degrees.
    Geo(Vec<[f64; 2]>),
    /// Column-major numbers (embedding fields).
    Vector(Vec<Vec<f64>>),
}

impl Col {
    pub fn len(&self) -> usize {
        match self {
            Col::Num(v) => v.len(),
            Col::Cat { codes, .. } => codes.len(),
            Col::Id(v) => v.len(),
            Col::Text(v) => v.len(),
            Col::Geo(v) => v.len(),
            Col::Vector(c) => c.first().map_or(0, Vec::len),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows `idx` of this column, in that order; `None` gives a missing value.
    pub fn gather(&self, idx: &[Option<usize>]) -> Col {
        fn pick<T: Clone>(v: &[T], idx: &[Option<usize>], missing: T) -> Vec<T> {
            idx.iter().map(|i| i.and_then(|i| v.get(i).cloned()).unwrap_or_else(|| missing.clone())).collect()
        }
        match self {
            Col::Num(v) => Col::Num(pick(v, idx, f64::NAN)),
            Col::Cat { codes, levels } => Col::Cat { codes: pick(codes, idx, MISSING), levels: levels.clone() },
            Col::Id(v) => Col::Id(pick(v, idx, MISSING)),
            Col::Text(v) => Col::Text(pick(v, idx, Vec::new())),
            Col::Geo(v) => Col::Geo(pick(v, idx, [f64::NAN, f64::NAN])),
            Col::Vector(c) => Col::Vector(c.iter().map(|v| pick(v, idx, f64::NAN)).collect()),
        }
    }
}

/// One source's rows: event times (seconds from the scenario's start; 0 for
/// tables) and a column per field.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub t: Vec<f64>,
    pub cols: BTreeMap<String, Col>,
}

impl Table {
    pub fn len(&self) -> usize {
        self.t.len()
    }
    pub fn is_empty(&self) -> bool {
        self.t.is_empty()
    }
    pub fn col(&self, field: &str) -> Option<&Col> {
        self.cols.get(field)
    }
}

/// How a field is laid out in the polars frame, to read it back.
#[derive(Clone, Debug)]
pub enum Layout {
    Num,
    Cat(Arc<Vec<String>>),
    Id,
    Text,
    Geo,
    Vector(usize),
}

/// Reads the frame the generator built for `source` back into columns.
/// Nulls are the declared missing values; a column that is absent or of
/// another type than its layout is an error.
pub fn from_frame(source: &str, df: &DataFrame, layouts: &[(String, Layout)], t: Vec<f64>) -> Result<Table, DriftError> {
    let unreadable = |field: &str| DriftError::Column { source: source.to_string(), field: field.to_string() };
    let num = |name: &str, field: &str| -> Result<Vec<f64>, DriftError> {
        let ca = df.column(name).and_then(|c| c.f64()).map_err(|_| unreadable(field))?;
        Ok(ca.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
    };
    let strings = |name: &str| df.column(name).and_then(|c| c.str()).map_err(|_| unreadable(name));
    let mut cols = BTreeMap::new();
    for (name, layout) in layouts {
        let col = match layout {
            Layout::Num => Col::Num(num(name, name)?),
            Layout::Id => {
                let ca = df.column(name).and_then(|c| c.i64()).map_err(|_| unreadable(name))?;
                Col::Id(ca.iter().map(|v| v.and_then(|v| u32::try_from(v).ok()).unwrap_or(MISSING)).collect())
            }
            Layout::Cat(levels) => {
                let index: BTreeMap<&str, u32> = levels.iter().enumerate().map(|(i, l)| (l.as_str(), i as u32)).collect();
                let codes = strings(name)?.iter().map(|v| v.and_then(|v| index.get(v).copied()).unwrap_or(MISSING)).collect();
                Col::Cat { codes, levels: levels.clone() }
            }
            Layout::Text => Col::Text(strings(name)?.iter().map(|v| v.map(super::synth::word_ids).unwrap_or_default()).collect()),
            Layout::Geo => {
                let lat = num(&format!("{name}.lat"), name)?;
                let lon = num(&format!("{name}.lon"), name)?;
                Col::Geo(lat.into_iter().zip(lon).map(|(a, b)| [a, b]).collect())
            }
            Layout::Vector(k) => Col::Vector((0..*k).map(|i| num(&format!("{name}.{i}"), name)).collect::<Result<_, _>>()?),
        };
        cols.insert(name.clone(), col);
    }
    Ok(Table { t, cols })
}
