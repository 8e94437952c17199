//! Simulator speed. Aims (docs/performance.md): at least 5 million requests
//! per second through a single-stage M/M/c on one core, and one million
//! requests through the fraud example's three stages in under a second.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mlspec_check::check_source;
use mlspec_check::simulation::target;
use mlspec_sim::{simulate, Overrides, Plan};

/// The M/M/c of the SimPy comparison (benches/simpy/mmc.py): 8 workers
/// behind one queue, mean service 10 ms, 640 arrivals per second (ρ = 0.8).
pub const MMC_SPEC: &str = r#"system mmc {
  problem { objective "M/M/c"; task regression }
  serving api {
    mode realtime
    stage work { latency exponential(mean: 10ms) }
    replicas 8
    concurrency 1
    balancer shared_queue
  }
  scenario load {
    traffic poisson 640 rps
    requests 1M
    seed 1
  }
}
"#;

fn plan(src: &str, requests: u64) -> Plan {
    let design = check_source(src).design().expect("the bench spec checks clean");
    let Ok(t) = target(&design, None, None, Some(requests), &|_| Err(String::new())) else { panic!("not simulable") };
    Plan::new(&design, &t, &Overrides { seed: Some(1), requests: Some(requests), ..Default::default() }).unwrap()
}

fn bench(c: &mut Criterion) {
    let n = 1_000_000;
    let fraud = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../specs/fraud_detection.mlspec")).unwrap();
    let mut g = c.benchmark_group("simulate");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n));
    for (name, src) in [("mmc_1M_requests", MMC_SPEC), ("fraud_detection_1M_requests", fraud.as_str())] {
        let p = plan(src, n);
        g.bench_function(name, |b| b.iter(|| simulate(std::hint::black_box(&p), &mut |_| {})));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
