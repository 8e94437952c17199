//! Inputs for benchmarks and tests, generated deterministically.

use std::fmt::Write;

/// A valid spec of about `lines` lines: sources with schemas, features of
/// every shape (transforms, windows, arithmetic over other features), models,
/// a serving block and monitors.
pub fn generated_spec(lines: usize) -> String {
    let groups = lines / 34 + 1;
    let (mut sources, mut features, mut models, mut monitors) = (String::new(), String::new(), String::new(), String::new());
    for g in 0..groups {
        let _ = write!(
            sources,
            "  source src{g} {{\n    kind stream\n    freshness realtime\n    schema {{\n      id{g}: id key\n      user_id: id\n      ts: timestamp event_time\n      amount: float range 0..1000 dist lognormal(mean: 3, sd: 1)\n      kind: category values [\"a\", \"b\", \"c\"]\n      body: text\n      label: bool label delay 1d\n    }}\n  }}\n"
        );
        let _ = write!(
            features,
            "    f{g}_log = log1p(src{g}.amount)\n    f{g}_cnt = count(src{g}, by: user_id, window: 1h)\n    f{g}_avg = mean(src{g}.amount, by: user_id, window: 7d)\n    f{g}_kind = onehot(src{g}.kind)\n    f{g}_txt = tfidf(src{g}.body, max_features: 100)\n    f{g}_hour = hour_of_day(src{g}.ts)\n    f{g}_mix = (f{g}_log * 2 + f{g}_avg / (f{g}_cnt + 1)) > 3 and not (src{g}.kind == \"a\")\n"
        );
        let _ = write!(
            models,
            "  model m{g} {{\n    kind gradient_boosting\n    features [f{g}_log, f{g}_cnt, f{g}_avg, f{g}_kind, f{g}_txt, f{g}_hour, f{g}_mix]\n    params {{ trees 100; depth 6 }}\n    latency 2ms\n  }}\n  serving s{g} {{\n    mode realtime\n    stage lookup {{ feature_store online; latency 1ms }}\n    stage score {{ model m{g} }}\n    replicas 2..4\n    concurrency 4\n  }}\n"
        );
        let _ = writeln!(monitors, "    drift f{g}_log using psi > 0.2 every 1h");
    }
    format!(
        "/// Generated for benchmarks.\nsystem bench {{\n  problem {{\n    objective \"bench\"\n    task binary_classification\n    target src0.label\n  }}\n  metrics {{\n    auc_roc >= 0.8 offline primary\n  }}\n  feature_store {{\n    online redis ttl 1d\n  }}\n{sources}  features {{\n{features}  }}\n{models}  monitors {{\n{monitors}  }}\n}}\n"
    )
}
