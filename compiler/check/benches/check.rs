//! Parse + check speed: the largest example spec, and a generated spec of
//! 10,000 lines (aim: under 50 ms on the project's 2-core machine).
//! Figures are recorded in docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mlspec_check::check_source;

fn bench(c: &mut Criterion) {
    let largest = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../specs"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .max_by_key(String::len)
        .unwrap();
    let generated = mlspec_syntax::testing::generated_spec(10_000);
    assert!(generated.lines().count() >= 10_000);
    assert!(check_source(&generated).diagnostics.is_empty(), "the generated spec must check clean");
    let mut g = c.benchmark_group("check");
    for (name, src) in [("largest_example", &largest), ("generated_10k_lines", &generated)] {
        g.throughput(Throughput::Bytes(src.len() as u64));
        g.bench_function(name, |b| b.iter(|| check_source(std::hint::black_box(src))));
    }
    // The same work with the parse kept on one thread, for comparison.
    g.throughput(Throughput::Bytes(generated.len() as u64));
    g.bench_function("generated_10k_lines_one_thread", |b| {
        b.iter(|| {
            let parsed = mlspec_syntax::parse_sequential(std::hint::black_box(&generated));
            mlspec_check::analyze(&parsed.file)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
