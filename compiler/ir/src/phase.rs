//! The two phases of a design: a [`Draft`] is what the checker could build
//! from any spec, broken or not; a [`Checked`] design is what backends take.
//!
//! A statement the language requires (the problem and its objective and
//! task, a model's kind) has the type `P::Required<T>`: `Option<T>` in a
//! draft, `T` once checked. So a backend cannot meet a missing one, and
//! code that runs on both phases (the checker's rules and the facts they
//! share with backends) asks [`Phase::known`].
//!
//! **Invariant:** `mlspec-check` is the one place that turns a draft into a
//! checked design (`lift`), and only when it reported no error.

use serde::Serialize;
use std::fmt::Debug;

pub trait Phase: Clone + Debug + 'static {
    /// A statement the language requires: absent while drafting, present
    /// once checked.
    type Required<T: Clone + Debug + Serialize>: Clone + Debug + Serialize;
    /// The value of a required statement, when it is there.
    fn known<T: Clone + Debug + Serialize>(r: &Self::Required<T>) -> Option<&T>;
}

/// A design as built from a spec that may have errors.
#[derive(Clone, Copy, Debug)]
pub enum Draft {}

/// A design that checked without errors.
#[derive(Clone, Copy, Debug)]
pub enum Checked {}

impl Phase for Draft {
    type Required<T: Clone + Debug + Serialize> = Option<T>;
    fn known<T: Clone + Debug + Serialize>(r: &Option<T>) -> Option<&T> {
        r.as_ref()
    }
}

impl Phase for Checked {
    type Required<T: Clone + Debug + Serialize> = T;
    fn known<T: Clone + Debug + Serialize>(r: &T) -> Option<&T> {
        Some(r)
    }
}
