//! Property tests of the formatter: the output parses to the same tree
//! (ignoring spans and layout), and formatting is idempotent.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mlspec_syntax::fmt::{format, normalized};
use mlspec_syntax::parse;
use proptest::prelude::*;

fn check_roundtrip(src: &str) -> Result<(), TestCaseError> {
    let p1 = parse(src);
    prop_assume!(p1.diagnostics.is_empty());
    let f1 = format(&p1.file, src);
    let p2 = parse(&f1);
    prop_assert!(p2.diagnostics.is_empty(), "formatted text does not parse: {:?}\n{f1}", p2.diagnostics);
    prop_assert_eq!(normalized(&p1.file), normalized(&p2.file), "tree changed:\n{}\n---\n{}", src, f1);
    let f2 = format(&p2.file, &f1);
    prop_assert_eq!(&f1, &f2, "not idempotent");
    Ok(())
}

fn ident() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", "b1", "user_id", "latency", "x_y", "p99", "fn"]).prop_map(str::to_string)
}

fn literal() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["42", "0.5", "-3", "+30%", "86M", "5ms", "1e-3", "$25k", "$0.20", "8GB", "3x", "1_000", "true", "2y"])
            .prop_map(str::to_string),
        "[a-z \\\\\"{}$`/]{0,8}".prop_map(|s| serde_json::to_string(&s).unwrap()),
    ]
}

fn term() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        literal(),
        ident(),
        (ident(), ident()).prop_map(|(a, b)| format!("{a}.{b}")),
        Just("ndcg@10".to_string()),
        prop::sample::select(vec!["<", "<=", ">", ">=", "==", "!=", "/"]).prop_map(str::to_string),
        Just("1..20".to_string()),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            (ident(), prop::collection::vec((prop::option::of(ident()), inner.clone()), 0..3)).prop_map(|(f, args)| {
                let a: Vec<String> = args
                    .into_iter()
                    .filter(|(_, v)| !v.starts_with(['<', '>', '=', '!', '/']))
                    .map(|(n, v)| n.map_or(v.clone(), |n| format!("{n}: {v}")))
                    .collect();
                format!("{f}({})", a.join(", "))
            }),
            prop::collection::vec(literal(), 0..4).prop_map(|v| format!("[{}]", v.join(",\n "))),
        ]
    })
}

fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![literal(), ident(), (ident(), ident()).prop_map(|(a, b)| format!("{a}.{b}"))];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (inner.clone(), prop::sample::select(vec!["+", "-", "*", "/", "and", "or", "<", ">=", "==", "!="]), inner.clone())
                .prop_map(|(l, op, r)| format!("{l} {op} {r}")),
            inner.clone().prop_map(|x| format!("({x})")),
            inner.clone().prop_map(|x| format!("not {x}")),
            (ident(), prop::collection::vec(inner.clone(), 0..3), prop::option::of(inner)).prop_map(|(f, a, n)| format!(
                "{f}({}{})",
                a.join(", "),
                n.map_or(String::new(), |n| format!("{}by: {n}", if a.is_empty() { "" } else { ", " }))
            )),
        ]
    })
}

/// A block body: statements with comments, blank lines and nested blocks.
fn body(depth: u32) -> BoxedStrategy<String> {
    let comment = prop::option::of(prop::sample::select(vec!["// note", "/// doc", "//", "// a { b"]));
    let simple = prop_oneof![
        4 => (ident(), any::<bool>(), prop::collection::vec(term(), 0..4)).prop_map(|(h, colon, a)| {
            if a.is_empty() { h } else { format!("{h}{} {}", if colon { ":" } else { "" }, a.join(" ")) }
        }),
        1 => (ident(), expr()).prop_map(|(h, e)| format!("{h} = {e}")),
        1 => expr().prop_map(|e| format!("rule {e}")),
    ];
    let stmt: BoxedStrategy<String> = if depth == 0 {
        simple.boxed()
    } else {
        prop_oneof![
            3 => simple,
            1 => (ident(), body(depth - 1), any::<bool>()).prop_map(|(h, b, multi)| {
                if multi || b.contains("//") { format!("{h} {{\n{b}\n}}") } else { format!("{h} {{ {} }}", b.replace('\n', "; ")) }
            }),
        ]
        .boxed()
    };
    prop::collection::vec((stmt, comment.clone(), comment, any::<bool>()), 0..5)
        .prop_map(|items| {
            let mut out = Vec::new();
            for (s, trailing, own, blank) in items {
                if blank {
                    out.push(String::new());
                }
                if let Some(c) = own {
                    out.push(c.to_string());
                }
                match trailing {
                    Some(c) if !s.contains('{') => out.push(format!("{s}   {c}")),
                    _ => out.push(s),
                }
            }
            out.join("\n")
        })
        .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn fmt_preserves_the_tree_and_is_idempotent(src in body(3)) {
        check_roundtrip(&src)?;
    }
}

#[test]
fn regressions_found_by_fuzzing() {
    // A lone carriage return ends a comment, as it ends a statement.
    check_roundtrip("/// doc\ra b c").unwrap();
    check_roundtrip("// x\r\ny = 1\r\n").unwrap();
    // A comment after the second of two statements on a line is not the first's.
    check_roundtrip("a b, c d/// doc").unwrap();
    check_roundtrip("a b; c d // note\ne f").unwrap();
    // A separator that starts the next line does not part a doc comment
    // from its statement (`fmt` drops the separator).
    check_roundtrip("/// doc\n,boosting\nfsed back by a").unwrap();
    check_roundtrip("x 1\n/// doc\n; y 2").unwrap();
}

#[test]
fn example_specs_round_trip() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs");
    let mut n = 0;
    // Errors say which path and why: this test once failed to list the folder
    // during a full workspace run, and the cause was not recorded.
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e:?}", dir.display()));
    for e in entries {
        let p = e.unwrap_or_else(|e| panic!("cannot list {}: {e:?}", dir.display())).path();
        let src = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e:?}", p.display()));
        check_roundtrip(&src).unwrap();
        // Wider indentation, runs of blanks and trailing blanks come back canonical.
        let messy: String = src
            .lines()
            .map(|l| {
                let body = l.trim_start();
                format!("{}{body} \t\n", "\t".repeat(l.len() - body.len()))
            })
            .collect();
        let canon = format(&parse(&messy).file, &messy);
        assert_eq!(canon, format(&parse(&src).file, &src), "{}", p.display());
        n += 1;
    }
    assert!(n >= 15);
}
