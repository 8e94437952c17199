//! Calibration of the cost model's per-unit constants (`compiler/ir/src/cost.rs`,
//! explained in docs/cost-model.md) by timing linfa models on synthetic,
//! seeded rows: one prediction of one row, as a realtime serving stage makes.
//!
//! - linear and logistic regression at 4, 16, 64 and 256 features: time per
//!   call = overhead + k × features gives the per-weight constant
//!   (`LINEAR_WEIGHT_S`) and linfa's own per-call overhead;
//! - one decision tree at several depths: time per call = overhead + k ×
//!   nodes visited (measured by walking the fitted tree for the timed row)
//!   gives the per-node constant (`TREE_NODE_S`);
//! - an ensemble of many trees (a forest too big for the L1/L2 caches, as a
//!   500-tree gradient-boosting model is): the per-node time once the nodes
//!   are no longer all in cache.
//!
//! Besides criterion's own figures, the bench times each case itself (the
//! fastest of several repeats), fits the lines by least squares and prints the
//! derived constants to stderr beside the values in cost.rs. Under
//! `cargo test --all-targets` (no `--bench` argument) it runs a reduced set
//! of cases with few repetitions, so it takes about a second.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use linfa::prelude::*;
use linfa_linear::LinearRegression;
use linfa_logistic::LogisticRegression;
use linfa_trees::{DecisionTree, TreeNode};
use mlspec_ir::cost;
use ndarray::{Array1, Array2, ArrayView1};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

/// `cargo bench` passes `--bench`; `cargo test` runs the bench once without it.
fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// Settings of one run: the full calibration, or the quick test-mode one.
struct Setup {
    features: &'static [usize],
    depths: &'static [usize],
    forest_trees: usize,
    forest_depth: usize,
    /// Calls per timed repeat, and repeats (the fastest is kept).
    calls: u32,
    repeats: usize,
}

fn setup() -> Setup {
    if full_run() {
        Setup { features: &[4, 16, 64, 256], depths: &[2, 4, 6, 8, 10, 12], forest_trees: 500, forest_depth: 8, calls: 50_000, repeats: 15 }
    } else {
        Setup { features: &[4, 64], depths: &[2, 6], forest_trees: 8, forest_depth: 4, calls: 2_000, repeats: 3 }
    }
}

fn rng(stream: u64) -> Pcg64 {
    Pcg64::seed_from_u64(0x6d6c_7370_6563 ^ stream)
}

/// `rows` × `features` uniform in [-1, 1), and a linear signal with noise.
fn rows(rows: usize, features: usize, stream: u64) -> (Array2<f64>, Array1<f64>) {
    let mut r = rng(stream);
    let w: Vec<f64> = (0..features).map(|_| r.gen_range(-1.0..1.0)).collect();
    let x = Array2::from_shape_fn((rows, features), |_| r.gen_range(-1.0..1.0));
    let y = x.rows().into_iter().map(|row| row.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>() + r.gen_range(-0.1..0.1)).collect();
    (x, y)
}

/// One row to predict, shaped as a batch of one (what a serving call passes).
fn one_row(features: usize, stream: u64) -> Array2<f64> {
    rows(1, features, stream ^ 0xffff).0
}

/// Time of one call of `f`, in seconds: the fastest of the repeats, since on
/// a shared machine other work only ever adds time (wall clock).
fn time_call<R>(s: &Setup, mut f: impl FnMut() -> R) -> f64 {
    for _ in 0..s.calls / 10 {
        black_box(f());
    }
    let mut t: Vec<f64> = (0..s.repeats)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..s.calls {
                black_box(f());
            }
            start.elapsed().as_secs_f64() / f64::from(s.calls)
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[0]
}

/// Least-squares line through (x, y): (intercept, slope, r²).
fn fit_line(points: &[(f64, f64)]) -> (f64, f64, f64) {
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx = points.iter().map(|p| (p.0 - mx).powi(2)).sum::<f64>();
    let sxy = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>();
    let syy = points.iter().map(|p| (p.1 - my).powi(2)).sum::<f64>();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let r2 = if sxx > 0.0 && syy > 0.0 { sxy * sxy / (sxx * syy) } else { 1.0 };
    (my - slope * mx, slope, r2)
}

fn linear(features: usize) -> linfa_linear::FittedLinearRegression<f64> {
    let (x, y) = rows(2 * features + 64, features, features as u64);
    LinearRegression::new().fit(&Dataset::new(x, y)).unwrap()
}

fn logistic(features: usize) -> linfa_logistic::FittedLogisticRegression<f64, usize> {
    let (x, y) = rows(4 * features + 128, features, 1000 + features as u64);
    let labels = y.mapv(|v| usize::from(v > 0.0));
    LogisticRegression::default().max_iterations(50).fit(&Dataset::new(x, labels)).unwrap()
}

const TREE_FEATURES: usize = 8;

/// A tree grown to `depth` on random labels (so that it is full down to
/// nearly its maximum depth), from `2^depth × 4` rows (capped).
fn tree(depth: usize, stream: u64) -> DecisionTree<f64, usize> {
    let n = (4usize << depth).min(8192);
    let (x, _) = rows(n, TREE_FEATURES, 2000 + stream);
    let mut r = rng(3000 + stream);
    let labels: Array1<usize> = (0..n).map(|_| r.gen_range(0..2)).collect();
    DecisionTree::params().max_depth(Some(depth)).fit(&Dataset::new(x, labels)).unwrap()
}

/// Internal nodes visited when `row` goes down `node` (the same comparisons
/// as linfa's own prediction).
fn nodes_visited(node: &TreeNode<f64, usize>, row: ArrayView1<f64>) -> usize {
    if node.is_leaf() {
        return 0;
    }
    let (feature, value, _) = node.split();
    let children = node.children();
    let next = if row[feature] < value { children[0] } else { children[1] };
    1 + next.as_ref().map_or(0, |c| nodes_visited(c, row))
}

/// Criterion's figures are for reading; the constants come from the bench's
/// own timing, so shorter criterion runs than its defaults do.
fn quick(g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    g.warm_up_time(std::time::Duration::from_secs(1)).measurement_time(std::time::Duration::from_secs(2));
}

fn report(what: &str, unit: &str, points: &[(f64, f64)], current_s: f64) -> (f64, f64) {
    let (a, b, r2) = fit_line(points);
    for (x, t) in points {
        eprintln!("calibration: {what}: {x:>6.0} {unit}: {:>9.1} ns per call", t * 1e9);
    }
    eprintln!(
        "calibration: {what}: overhead {:.0} ns per call, {:.3} ns per {unit} (r² {r2:.3}); cost.rs uses {:.3} ns",
        a * 1e9,
        b * 1e9,
        current_s * 1e9
    );
    (a, b)
}

fn bench(c: &mut Criterion) {
    let s = setup();
    let mode = if full_run() { "bench" } else { "test mode: reduced, not a measurement" };
    eprintln!("calibration: linfa single-row predictions ({mode})");

    // Linear and logistic regression: per feature weight.
    let mut g = c.benchmark_group("calibration_linear");
    quick(&mut g);
    let (mut lin_points, mut log_points) = (Vec::new(), Vec::new());
    for &f in s.features {
        let row = one_row(f, f as u64);
        let lin = linear(f);
        let log = logistic(f);
        g.bench_with_input(BenchmarkId::new("linear_regression", f), &row, |b, row| b.iter(|| lin.predict(black_box(row))));
        g.bench_with_input(BenchmarkId::new("logistic_regression", f), &row, |b, row| b.iter(|| log.predict(black_box(row))));
        lin_points.push((f as f64, time_call(&s, || lin.predict(black_box(&row)))));
        log_points.push((f as f64, time_call(&s, || log.predict(black_box(&row)))));
    }
    g.finish();
    report("linear_regression", "feature", &lin_points, cost::LINEAR_WEIGHT_S);
    report("logistic_regression", "feature", &log_points, cost::LINEAR_WEIGHT_S);

    // One decision tree: per node visited.
    let mut g = c.benchmark_group("calibration_tree");
    quick(&mut g);
    let mut tree_points = Vec::new();
    let row = one_row(TREE_FEATURES, 7);
    for &d in s.depths {
        let t = tree(d, d as u64);
        let visited = nodes_visited(t.root_node(), row.row(0));
        g.bench_with_input(BenchmarkId::new("decision_tree_depth", d), &row, |b, row| b.iter(|| t.predict(black_box(row))));
        tree_points.push((visited as f64, time_call(&s, || t.predict(black_box(&row)))));
    }
    g.finish();
    let (tree_call_s, tree_node_s) = report("decision_tree", "node", &tree_points, cost::TREE_NODE_S);

    // A forest: nodes spread over more memory than the caches hold.
    let forest: Vec<_> = (0..s.forest_trees).map(|i| tree(s.forest_depth, 10_000 + i as u64)).collect();
    let visited: usize = forest.iter().map(|t| nodes_visited(t.root_node(), row.row(0))).sum();
    let predict_all = |row: &Array2<f64>| forest.iter().map(|t| t.predict(row)[0]).sum::<usize>();
    let mut g = c.benchmark_group("calibration_forest");
    g.sample_size(10);
    let id = format!("{}_trees_depth_{}", s.forest_trees, s.forest_depth);
    g.bench_with_input(BenchmarkId::new("decision_forest", id), &row, |b, row| b.iter(|| predict_all(black_box(row))));
    g.finish();
    let forest_s = time_call(&Setup { calls: (s.calls / 1000).max(20), ..setup() }, || predict_all(black_box(&row)));
    // Take off linfa's per-tree call (measured on the single trees above).
    let per_node = (forest_s - s.forest_trees as f64 * tree_call_s) / visited.max(1) as f64;
    eprintln!(
        "calibration: forest: {} trees, {visited} nodes visited: {:.1} µs per row; {:.2} ns per node after {:.0} ns per tree call (hot single tree: {:.2} ns per node); cost.rs uses {:.3} ns",
        s.forest_trees,
        forest_s * 1e6,
        per_node * 1e9,
        tree_call_s * 1e9,
        tree_node_s * 1e9,
        cost::TREE_NODE_S * 1e9
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
