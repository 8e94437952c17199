//! Feature and rule expressions as Python (pandas) expressions over the
//! generated `features.py` vocabulary: `base` (the joined rows, columns named
//! `source.field`), `feat` (features computed so far), `ctx` (fitted state and
//! window aggregations) and the module's pure functions.
//!
//! **Invariant:** every string in the output is a [`py_str`] literal and every
//! number a [`py_num`] literal; function names are those of
//! [`FeatureFunction`], matched exhaustively.

use super::literal::{py_num, py_str};
use mlspec_ir::vocab::{BinaryOp, UnaryOp};
use mlspec_ir::{FeatureExpr, FeatureFunction, WindowFunction};
use std::collections::{BTreeMap, BTreeSet};

/// Resolves where a field of the design lives in the joined rows.
pub trait Columns {
    /// The column (`source.field`) for a field read directly, if the source is
    /// the base source or joined to it.
    fn column(&self, source: &str, field: &str) -> Option<String>;
    /// The base-side column holding the window key `by`, if any.
    fn window_key(&self, source: &str, by: &str) -> Option<String>;
    /// The base source (whose rows are scored).
    fn base(&self) -> &str;
}

pub struct Compiler<'a, C: Columns> {
    pub cols: &'a C,
    /// Prefix for keys of fitted state (the feature or rule name).
    pub key: String,
    counter: usize,
    /// Columns of the joined rows this expression reads.
    pub reads: BTreeSet<String>,
    /// Window aggregations used, as the runtime keeps their state.
    pub windows: Vec<WindowUse>,
}

/// One window aggregation of a feature: `CONFIG["windows"]` lists them so
/// the service can read every window of a request in one store round trip.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct WindowUse {
    pub func: &'static str,
    pub source: String,
    pub field: Option<String>,
    pub by: String,
    /// The scored rows' column holding the key (`source.field`).
    pub key: String,
    pub window_s: f64,
}

impl<'a, C: Columns> Compiler<'a, C> {
    pub fn new(cols: &'a C, key: &str) -> Self {
        Compiler { cols, key: key.to_string(), counter: 0, reads: BTreeSet::new(), windows: Vec::new() }
    }

    fn state_key(&mut self) -> String {
        self.counter += 1;
        py_str(&format!("{}#{}", self.key, self.counter))
    }

    pub fn compile(&mut self, e: &FeatureExpr) -> Result<String, String> {
        Ok(match e {
            FeatureExpr::Field { source, field } => {
                let col = self.cols.column(source, field).ok_or_else(|| {
                    format!("`{}` reads `{source}.{field}`, but `{source}` cannot be joined to the rows being scored (no field references its key)", self.key)
                })?;
                self.reads.insert(col.clone());
                format!("base[{}]", py_str(&col))
            }
            FeatureExpr::Source { source } => {
                return Err(format!("`{}` uses the source `{source}` outside a window aggregation", self.key))
            }
            FeatureExpr::Feature { name } => format!("feat[{}]", py_str(name)),
            FeatureExpr::Number { value } => py_num(*value),
            FeatureExpr::Str { value } => py_str(value),
            FeatureExpr::Bool { value } => if *value { "True" } else { "False" }.to_string(),
            FeatureExpr::Word { word } => py_str(word),
            FeatureExpr::List { items } => {
                let parts: Result<Vec<String>, String> = items.iter().map(|i| self.compile(i)).collect();
                format!("[{}]", parts?.join(", "))
            }
            FeatureExpr::Unary { op, arg } => {
                let a = self.compile(arg)?;
                match op {
                    UnaryOp::Not => format!("~f.as_bool({a})"),
                    UnaryOp::Neg => format!("(-{a})"),
                }
            }
            FeatureExpr::Binary { op, left, right } => {
                let l = self.compile(left)?;
                let r = self.compile(right)?;
                match op {
                    BinaryOp::And => format!("(f.as_bool({l}) & f.as_bool({r}))"),
                    BinaryOp::Or => format!("(f.as_bool({l}) | f.as_bool({r}))"),
                    BinaryOp::Div => format!("f.div({l}, {r})"),
                    // Python spells these as the language does.
                    BinaryOp::Add
                    | BinaryOp::Sub
                    | BinaryOp::Mul
                    | BinaryOp::Lt
                    | BinaryOp::Le
                    | BinaryOp::Gt
                    | BinaryOp::Ge
                    | BinaryOp::Eq
                    | BinaryOp::Ne => format!("({l} {op} {r})"),
                }
            }
            FeatureExpr::Call { func, args, named } => self.call(*func, args, named)?,
            FeatureExpr::Invalid => return Err(format!("`{}` did not check", self.key)),
        })
    }

    /// A call of a feature function: a pure function of the runtime's
    /// `features` module (`f`), or `ctx` for those with fitted state or history.
    fn call(&mut self, func: FeatureFunction, args: &[FeatureExpr], named: &BTreeMap<String, FeatureExpr>) -> Result<String, String> {
        use FeatureFunction as F;
        // A window's argument names what it aggregates; it is not a value.
        let a: Vec<String> =
            if matches!(func, F::Window(_)) { Vec::new() } else { args.iter().map(|x| self.compile(x)).collect::<Result<_, _>>()? };
        let arg = |i: usize| a.get(i).cloned().unwrap_or_else(|| "None".to_string());
        let num = |k: &str, default: f64| match named.get(k) {
            Some(FeatureExpr::Number { value }) => py_num(*value),
            _ => py_num(default),
        };
        Ok(match func {
            F::Log1p => format!("f.log1p({})", arg(0)),
            F::Standardize | F::Minmax => {
                let k = self.state_key();
                format!("ctx.{func}({k}, {})", arg(0))
            }
            F::Clip => format!("f.clip({}, lo={}, hi={})", arg(0), arg(1), arg(2)),
            F::Bucketize => format!("f.bucketize({}, edges={})", arg(0), arg(1)),
            F::Onehot => {
                let k = self.state_key();
                format!("ctx.onehot({k}, {})", arg(0))
            }
            F::Hash => format!("f.hash_bucket({}, buckets={})", arg(0), num("buckets", 1000.0)),
            F::Embedding => format!("f.embedding({}, dim={})", arg(0), num("dim", 8.0)),
            F::Tfidf => {
                let k = self.state_key();
                format!("ctx.tfidf({k}, {}, max_features={})", arg(0), num("max_features", 1000.0))
            }
            F::Fill => {
                let k = self.state_key();
                format!("ctx.fill({k}, {}, how={})", arg(0), arg(1))
            }
            F::HourOfDay | F::DayOfWeek => format!("f.{func}({})", arg(0)),
            F::DaysSince => format!("f.days_since({}, now)", arg(0)),
            F::Distance => format!("f.distance({}, {})", arg(0), arg(1)),
            F::Cross => format!("f.cross({}, {})", arg(0), arg(1)),
            F::Window(w) => return self.window(w, args, named),
        })
    }

    /// `ctx.window(..)`: a window aggregation looked up by the scored row's key.
    fn window(&mut self, func: WindowFunction, args: &[FeatureExpr], named: &BTreeMap<String, FeatureExpr>) -> Result<String, String> {
        let by = match named.get("by") {
            Some(FeatureExpr::Word { word }) => word.clone(),
            _ => return Err(format!("`{}`: `{func}` has no `by:` key", self.key)),
        };
        let window_s = match named.get("window") {
            Some(FeatureExpr::Number { value }) => *value,
            _ => return Err(format!("`{}`: `{func}` has no `window:`", self.key)),
        };
        let (source, field) = match args.first() {
            Some(FeatureExpr::Source { source }) => (source.clone(), None),
            Some(FeatureExpr::Field { source, field }) => (source.clone(), Some(field.clone())),
            _ => return Err(format!("`{}`: `{func}` aggregates neither a source nor a field", self.key)),
        };
        let key_col = self.cols.window_key(&source, &by).ok_or_else(|| {
            format!("`{}` aggregates `{source}` by `{by}`, but the rows being scored have no field `{by}` to look it up with", self.key)
        })?;
        self.reads.insert(key_col.clone());
        // A window over the scored rows' own source reads the new row too.
        if source == self.cols.base() {
            self.reads.insert(format!("{source}.{by}"));
            if let Some(f) = &field {
                self.reads.insert(format!("{source}.{f}"));
            }
        }
        self.windows.push(WindowUse {
            func: func.as_str(),
            source: source.clone(),
            field: field.clone(),
            by: by.clone(),
            key: key_col.clone(),
            window_s,
        });
        let field_lit = field.as_deref().map_or_else(|| "None".to_string(), py_str);
        Ok(format!(
            "ctx.window({}, source={}, field={}, by={}, key={}, window_s={})",
            py_str(func.as_str()),
            py_str(&source),
            field_lit,
            py_str(&by),
            py_str(&key_col),
            py_num(window_s)
        ))
    }
}
