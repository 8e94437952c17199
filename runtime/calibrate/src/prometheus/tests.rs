use super::*;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

const BRIEF: &str = r#"# HELP mlspec_stage_seconds Time per declared serving stage
# TYPE mlspec_stage_seconds histogram
mlspec_stage_seconds_bucket{le="0.0005",stage="lookup"} 3.0
mlspec_stage_seconds_bucket{le="+Inf",stage="lookup"} 120.0
mlspec_stage_seconds_count{stage="lookup"} 120.0
mlspec_stage_seconds_sum{stage="lookup"} 0.1234
mlspec_requests_total{model="gbdt",outcome="ok"} 100.0
mlspec_batch_size_bucket{le="1.0"} 4.0
"#;

/// `generate_latest` of prometheus_client 0.2x, one process: `_created`
/// gauges and an escaped label value.
const SINGLE: &str = r#"# HELP mlspec_requests_total Requests scored, by model and outcome
# TYPE mlspec_requests_total counter
mlspec_requests_total{model="gbdt",outcome="o\"k\\\n"} 3.0
# HELP mlspec_requests_created Requests scored, by model and outcome
# TYPE mlspec_requests_created gauge
mlspec_requests_created{model="gbdt",outcome="o\"k\\\n"} 1.7963896111371698e+09
# HELP mlspec_stage_seconds Time per declared serving stage
# TYPE mlspec_stage_seconds histogram
mlspec_stage_seconds_bucket{le="0.0005",stage="lookup"} 0.0
mlspec_stage_seconds_bucket{le="0.002",stage="lookup"} 0.0
mlspec_stage_seconds_bucket{le="0.005",stage="lookup"} 1.0
mlspec_stage_seconds_bucket{le="+Inf",stage="lookup"} 1.0
mlspec_stage_seconds_count{stage="lookup"} 1.0
mlspec_stage_seconds_sum{stage="lookup"} 0.003
mlspec_stage_seconds_bucket{le="0.0005",stage="score"} 1.0
mlspec_stage_seconds_bucket{le="0.002",stage="score"} 1.0
mlspec_stage_seconds_bucket{le="0.005",stage="score"} 1.0
mlspec_stage_seconds_bucket{le="+Inf",stage="score"} 1.0
mlspec_stage_seconds_count{stage="score"} 1.0
mlspec_stage_seconds_sum{stage="score"} 0.0004
# HELP mlspec_stage_seconds_created Time per declared serving stage
# TYPE mlspec_stage_seconds_created gauge
mlspec_stage_seconds_created{stage="lookup"} 1.7963896111371872e+09
mlspec_stage_seconds_created{stage="score"} 1.7963896111372867e+09
"#;

/// The same registry through `MultiProcessCollector`: `_sum` first, no
/// `_created`.
const MULTIPROCESS: &str = r#"# HELP mlspec_requests_total Requests scored, by model and outcome
# TYPE mlspec_requests_total counter
mlspec_requests_total{model="gbdt",outcome="o\"k\\\n"} 3.0
# HELP mlspec_stage_seconds Time per declared serving stage
# TYPE mlspec_stage_seconds histogram
mlspec_stage_seconds_sum{stage="lookup"} 0.003
mlspec_stage_seconds_sum{stage="score"} 0.0004
mlspec_stage_seconds_bucket{le="0.0005",stage="lookup"} 0.0
mlspec_stage_seconds_bucket{le="0.002",stage="lookup"} 0.0
mlspec_stage_seconds_bucket{le="0.005",stage="lookup"} 1.0
mlspec_stage_seconds_bucket{le="+Inf",stage="lookup"} 1.0
mlspec_stage_seconds_count{stage="lookup"} 1.0
mlspec_stage_seconds_bucket{le="0.0005",stage="score"} 1.0
mlspec_stage_seconds_bucket{le="0.002",stage="score"} 1.0
mlspec_stage_seconds_bucket{le="0.005",stage="score"} 1.0
mlspec_stage_seconds_bucket{le="+Inf",stage="score"} 1.0
mlspec_stage_seconds_count{stage="score"} 1.0
"#;

fn counts(upper: &[f64], cumulative: &[f64], sum: f64) -> BucketCounts {
    BucketCounts { upper: upper.to_vec(), cumulative: cumulative.to_vec(), sum, count: cumulative.last().copied().unwrap_or(0.0) }
}

fn line_of(err: ParseError) -> usize {
    match err {
        ParseError::Syntax { line, .. } | ParseError::Histogram { line, .. } | ParseError::LineTooLong { line } => line,
        other => panic!("no line in {other:?}"),
    }
}

#[test]
fn parses_the_server_sample() {
    let scrape = parse(BRIEF).unwrap();
    let lookup = scrape.histogram("mlspec_stage_seconds", &[("stage", "lookup")]).unwrap();
    assert_eq!(lookup, &counts(&[0.0005], &[3.0, 120.0], 0.1234));
    assert_eq!(lookup.per_bucket(), vec![(0.0, 0.0005, 3.0), (0.0005, f64::INFINITY, 117.0)]);
    assert!((lookup.mean() - 0.1234 / 120.0).abs() < 1e-15);
    assert_eq!(scrape.value("mlspec_requests_total", &[("model", "gbdt")]), Some(100.0));
    // A bucket alone: no +Inf, _count or _sum. The count is the highest
    // bucket, the sum unknown.
    let batch = scrape.histogram("mlspec_batch_size", &[]).unwrap();
    assert_eq!((batch.upper.clone(), batch.cumulative.clone(), batch.count), (vec![1.0], vec![4.0, 4.0], 4.0));
    assert!(batch.sum.is_nan());
    assert_eq!(scrape.histograms.len(), 2);
    assert_eq!(scrape.values.len(), 1);
}

#[test]
fn prometheus_client_single_and_multiprocess_agree() {
    let single = parse(SINGLE).unwrap();
    let multi = parse(MULTIPROCESS).unwrap();
    assert_eq!(single, multi, "the `_created` series are ignored and the order does not matter");
    let requests = Series {
        name: "mlspec_requests_total".into(),
        labels: vec![("model".into(), "gbdt".into()), ("outcome".into(), "o\"k\\\n".into())],
    };
    assert_eq!(single.values.get(&requests), Some(&3.0));
    assert_eq!(requests.to_string(), r#"mlspec_requests_total{model="gbdt",outcome="o\"k\\\n"}"#);
    let score = single.histogram("mlspec_stage_seconds", &[("stage", "score")]).unwrap();
    assert_eq!(score, &counts(&[0.0005, 0.002, 0.005], &[1.0, 1.0, 1.0, 1.0], 0.0004));
    assert!(single.values.keys().all(|s| !s.name.ends_with("_created")));
}

#[test]
fn escapes_blanks_timestamps_and_special_values() {
    let text = "\n  # a comment\r\n# TYPE weird untyped\nweird { b = \"x\\\\y\" , a=\"q\\\"\\n\", } +Inf 1700000000000\r\n\
                nan_metric NaN\nneg -Inf -5\nexp 1.5E-3\nplain 7\tcolon:name 1\n";
    // `colon:name 1` follows a tab on the same line as `plain 7`: an error.
    assert_eq!(line_of(parse(text).unwrap_err()), 8);
    let scrape = parse(&text.replace("plain 7\tcolon:name 1", "colon:name 1")).unwrap();
    let v = |name: &str| scrape.value(name, &[]).unwrap();
    let weird = Series { name: "weird".into(), labels: vec![("a".into(), "q\"\n".into()), ("b".into(), "x\\y".into())] };
    assert_eq!(scrape.values.get(&weird), Some(&f64::INFINITY));
    assert!(v("nan_metric").is_nan());
    assert_eq!((v("neg"), v("exp"), v("colon:name")), (f64::NEG_INFINITY, 0.0015, 1.0));
}

#[test]
fn malformed_lines_name_their_line() {
    let cases = [
        ("ok 1\nbad{a=\"x} 1\n", 2, "closing"),
        ("ok 1\n\n# HELP x y\nbad{a=\"\\t\"} 1\n", 4, "unknown escape `\\t`"),
        ("bad{a=x} 1", 1, "expected `\"`"),
        ("ok 1\nbad{a=\"x\"} one\n", 2, "not a number"),
        ("bad 1 2 3", 1, "after the sample"),
        ("bad 1 12.5", 1, "timestamp"),
        ("bad{a=\"1\",a=\"2\"} 1", 1, "appears twice"),
        ("bad", 1, "has no value"),
        ("{a=\"1\"} 1", 1, "metric name"),
        ("dup 1\ndup 2", 2, "appears twice"),
        ("x_bucket{le=\"1\"} 5\nx_bucket{le=\"2\"} 4\nx_bucket{le=\"+Inf\"} 6", 2, "fewer than a lower bucket"),
        ("# TYPE x histogram\nx_bucket{le=\"1\"} 1\nx_bucket{le=\"+Inf\"} 2\nx_count 3", 4, "`_count` is 3"),
        ("# TYPE x histogram\nx_bucket 1", 2, "no `le` label"),
        ("x_bucket{le=\"1\"} 1\nx_bucket{le=\"1.0\"} 1", 2, "two buckets"),
        ("x_bucket{le=\"soon\"} 1", 1, "not a bucket bound"),
    ];
    for (text, line, message) in cases {
        let err = parse(text).unwrap_err();
        let shown = err.to_string();
        assert!(shown.starts_with(&format!("line {line}: ")), "{text:?}: {shown}");
        assert!(shown.contains(message), "{text:?}: {shown}");
        assert_eq!(shown, shown.trim_end_matches('.'), "no trailing period");
    }
}

#[test]
fn huge_input_and_long_lines_are_refused() {
    let huge = "x 1\n".repeat(MAX_BYTES / 4 + 1);
    assert_eq!(parse(&huge), Err(ParseError::TooLarge { bytes: huge.len() }));
    let long = format!("ok 1\nx{{a=\"{}\"}} 1\n", "y".repeat(MAX_LINE));
    assert_eq!(parse(&long), Err(ParseError::LineTooLong { line: 2 }));
    let many: String = (0..=MAX_SAMPLES).map(|i| format!("m{i} 1\n")).collect();
    assert_eq!(parse(&many), Err(ParseError::TooManySamples { line: MAX_SAMPLES + 1 }));
    // Just under the limit is fine.
    let fits = format!("x{{a=\"{}\"}} 1", "y".repeat(MAX_LINE - 12));
    assert!(parse(&fits).is_ok());
}

#[test]
fn delta_subtracts_and_refuses_a_reset() {
    let before = counts(&[0.001, 0.01], &[10.0, 15.0, 16.0], 0.05);
    let after = counts(&[0.001, 0.01], &[30.0, 45.0, 50.0], 0.25);
    let d = delta(&before, &after).unwrap();
    assert_eq!((d.cumulative.clone(), d.count), (vec![20.0, 30.0, 34.0], 34.0));
    assert!((d.sum - 0.2).abs() < 1e-12);
    // A restart: the counters began again.
    let restarted = counts(&[0.001, 0.01], &[3.0, 4.0, 4.0], 0.01);
    let err = delta(&before, &restarted).unwrap_err();
    assert!(err.to_string().contains("the server restarted between them"), "{err}");
    assert_eq!(err, ParseError::Reset { bucket: "0.001".into(), before: 10.0, after: 3.0 });
    // Cumulative counts grew, but one bucket lost observations.
    let moved = counts(&[0.001, 0.01], &[11.0, 15.0, 17.0], 0.06);
    assert!(matches!(delta(&before, &moved), Err(ParseError::Reset { .. })));
    let rebucketed = counts(&[0.001, 0.02], &[30.0, 45.0, 50.0], 0.25);
    assert_eq!(delta(&before, &rebucketed), Err(ParseError::BoundsChanged));
}

#[test]
fn histogram_lookup_by_labels() {
    let text = "h_bucket{le=\"+Inf\",stage=\"a\"} 1\nh_bucket{le=\"+Inf\",stage=\"b\"} 2\n\
                h_bucket{le=\"+Inf\",stage=\"b\",model=\"m\"} 3\n";
    let scrape = parse(text).unwrap();
    let count = |filter: &[(&str, &str)]| scrape.histogram("h", filter).map(|h| h.count);
    assert_eq!(count(&[("stage", "a")]), Some(1.0));
    assert_eq!(count(&[("stage", "b")]), Some(2.0), "the exact match wins");
    assert_eq!(count(&[("model", "m")]), Some(3.0), "the only one with the label");
    assert_eq!(count(&[]), None, "ambiguous");
    assert_eq!(count(&[("stage", "c")]), None);
    assert_eq!(scrape.histogram("g", &[("stage", "a")]), None);
}

#[test]
fn no_text_makes_the_parser_panic() {
    let mut rng = Pcg64::seed_from_u64(7);
    let base: Vec<char> = format!("{SINGLE}{BRIEF}").chars().collect();
    let alphabet: Vec<char> = "{}=\",\\ \t\n#+-.eEInfa_0123456789é".chars().collect();
    for _ in 0..3000 {
        let mut text = base.clone();
        for _ in 0..rng.gen_range(1..8) {
            let i = rng.gen_range(0..text.len());
            match rng.gen_range(0..3) {
                0 => {
                    text.remove(i);
                }
                1 => text.insert(i, alphabet[rng.gen_range(0..alphabet.len())]),
                _ => text[i] = alphabet[rng.gen_range(0..alphabet.len())],
            }
        }
        let text: String = text.into_iter().collect();
        if let Ok(scrape) = parse(&text) {
            for h in scrape.histograms.values() {
                assert_eq!(h.cumulative.len(), h.upper.len() + 1);
                assert!(h.upper.windows(2).all(|w| w[0] < w[1]) && h.upper.iter().all(|u| u.is_finite()));
                assert!(h.cumulative.windows(2).all(|w| w[0] <= w[1]) && h.cumulative.iter().all(|c| c.is_finite() && *c >= 0.0));
                assert_eq!(h.cumulative.last(), Some(&h.count));
            }
        }
    }
}
