//! Large inputs are parsed on two threads; the result must be exactly what
//! one thread gives: the same tree with the same spans, the same diagnostics.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mlspec_syntax::testing::generated_spec;
use mlspec_syntax::{parse, parse_sequential, parses_in_parallel};

fn assert_same(src: &str) {
    let (mut a, mut b) = (parse(src), parse_sequential(src));
    assert_eq!(a.file, b.file);
    mlspec_diag::sort(&mut a.diagnostics);
    mlspec_diag::sort(&mut b.diagnostics);
    assert_eq!(a.diagnostics, b.diagnostics);
}

#[test]
fn a_large_clean_spec() {
    let src = generated_spec(10_000);
    assert!(parses_in_parallel(&src));
    assert_same(&src);
}

#[test]
fn a_large_spec_with_broken_lines_in_both_halves() {
    let src = generated_spec(10_000);
    let mut lines: Vec<String> = src.lines().map(str::to_string).collect();
    let n = lines.len();
    for at in [n / 10, n / 2 - 1, n / 2, n / 2 + 1, 9 * n / 10] {
        lines[at] = format!("{} @@ \"unterminated", lines[at]);
    }
    let broken = lines.join("\n");
    assert!(parses_in_parallel(&broken));
    assert_same(&broken);
    assert!(!parse(&broken).diagnostics.is_empty());
}

#[test]
fn trailing_statements_after_the_system_fall_back_to_one_thread() {
    let src = format!("{}\nextra stuff {{ x 1 }}\n", generated_spec(10_000));
    assert!(!parses_in_parallel(&src));
    assert_same(&src);
}

#[test]
fn comments_and_docs_around_the_split_and_after_the_block() {
    let src = generated_spec(10_000);
    let mut lines: Vec<String> = src.lines().map(str::to_string).collect();
    let n = lines.len();
    for at in (n / 2 - 40..n / 2 + 40).step_by(9) {
        lines.insert(at, "  /// a doc comment near the middle".to_string());
        lines.insert(at, "  // a comment near the middle { ( [".to_string());
    }
    let text = format!("{}\n// a comment after the system\n", lines.join("\n"));
    assert!(parses_in_parallel(&text));
    assert_same(&text);
}
