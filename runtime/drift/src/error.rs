//! Why a drift simulation gives no report.
//!
//! **Invariant:** a broken invariant of the simulation (a frame that cannot
//! be built, a column, field, window or feature that is not there) is a
//! [`DriftError`], never a column of NaN or an empty frame; NaN stands only
//! for a value missing on purpose (a field's declared `missing` share, a
//! label not yet arrived, a division by zero, a window with no events).

use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum DriftError {
    /// No source declares a schema, so there are no rows to draw.
    NoSourceWithSchema,
    /// No model is declared, so there is nothing to train or follow.
    NoModel,
    /// The drawn columns of a source did not make one frame.
    Frame { source: String },
    /// A drawn column could not be read back from its frame.
    Column { source: String, field: String },
    /// A feature reads a field that was not drawn.
    Field { source: String, field: String },
    /// A feature reads a window aggregation that was not computed.
    Window { func: String, source: String },
    /// A feature, rule or monitor names a feature that is not declared.
    Feature { name: String },
    /// A feature's definition nests deeper than the simulation follows.
    TooDeep { feature: String },
    /// A feature's expression did not pass the checks.
    Expression { feature: String },
}

impl DriftError {
    /// The design has nothing for a drift simulation to run on: no source
    /// with a schema, or no model. Every other error is a fault of the
    /// simulation itself.
    pub fn nothing_to_simulate(&self) -> bool {
        matches!(self, DriftError::NoSourceWithSchema | DriftError::NoModel)
    }
}

impl fmt::Display for DriftError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DriftError::NoSourceWithSchema => write!(f, "no source declares a schema, so there are no rows to simulate"),
            DriftError::NoModel => write!(f, "no model is declared, so there is no model quality to simulate"),
            DriftError::Frame { source } => write!(f, "the synthetic rows of source `{source}` could not be assembled"),
            DriftError::Column { source, field } => write!(f, "the synthetic values of `{source}.{field}` could not be read back"),
            DriftError::Field { source, field } => write!(f, "a feature reads `{source}.{field}`, which the simulation did not draw"),
            DriftError::Window { func, source } => {
                write!(f, "a feature reads a `{func}` window over `{source}` that the simulation did not compute")
            }
            DriftError::Feature { name } => write!(f, "feature `{name}` is used but not declared"),
            DriftError::TooDeep { feature } => write!(f, "feature `{feature}` is defined through too many other features to simulate"),
            DriftError::Expression { feature } => write!(f, "feature `{feature}` has an expression that did not pass the checks"),
        }
    }
}

impl std::error::Error for DriftError {}
