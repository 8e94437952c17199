//! A drift run that cannot run says why (a `DriftError`) instead of giving a
//! report computed on empty frames or columns of NaN.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mlspec_check::check_source;
use mlspec_drift::quality::{simulate, Options};
use mlspec_drift::DriftError;
use mlspec_ir::{Design, FeatureExpr, FeatureFunction, WindowFunction};

const SPEC: &str = r#"system errors_test {
  problem { objective "drift"; task binary_classification; target events.y; positive_rate 20% }
  metrics { auc_roc >= 0.7 offline primary }
  source events {
    kind stream
    volume 10k / day
    schema {
      id: id key
      ts: timestamp event_time
      x: float dist normal(mean: 100, sd: 10) missing 5%
      y: bool label delay 1h
    }
  }
  features {
    x_value = events.x
  }
  model clf {
    kind logistic_regression
    features [x_value]
  }
  scenario s {
    duration 2d
    drift events.x shift mean +20% from 1d
  }
}
"#;

fn design() -> Design {
    check_source(SPEC).design().unwrap_or_else(|diags| panic!("{diags:?}"))
}

fn run(d: &Design) -> Result<(), DriftError> {
    let o = Options { rows_per_day: 240, seed: 3, days: Some(2.0) };
    simulate(d, d.scenarios.first(), &o, &mut |_| {}).map(|_| ())
}

#[test]
fn declared_missing_values_still_run() {
    assert_eq!(run(&design()), Ok(()));
}

#[test]
fn nothing_to_simulate_is_told_apart() {
    let mut d = design();
    d.models.clear();
    let e = run(&d).unwrap_err();
    assert_eq!(e, DriftError::NoModel);
    assert!(e.nothing_to_simulate());
    let mut d = design();
    d.sources.clear();
    assert_eq!(run(&d), Err(DriftError::NoSourceWithSchema));
}

#[test]
fn a_field_that_was_not_drawn_is_an_error() {
    let mut d = design();
    d.features[0].expr = FeatureExpr::Field { source: "events".into(), field: "nope".into() };
    let e = run(&d).unwrap_err();
    assert_eq!(e, DriftError::Field { source: "events".into(), field: "nope".into() });
    assert!(!e.nothing_to_simulate());
    assert_eq!(e.to_string(), "a feature reads `events.nope`, which the simulation did not draw");
}

#[test]
fn a_malformed_window_or_an_unknown_feature_is_an_error() {
    let mut d = design();
    let name = d.features[0].name.clone();
    // A window without `by:` and `window:` cannot come out of the checker.
    d.features[0].expr = FeatureExpr::Call {
        func: FeatureFunction::Window(WindowFunction::Count),
        args: vec![FeatureExpr::Source { source: "events".into() }],
        named: Default::default(),
    };
    assert_eq!(run(&d), Err(DriftError::Expression { feature: name }));
    let mut d = design();
    d.features[0].expr = FeatureExpr::Feature { name: "ghost".into() };
    assert_eq!(run(&d), Err(DriftError::Feature { name: "ghost".into() }));
}
