//! Hostile inputs get diagnostics, never a crash or a stack overflow. These
//! run on test threads (2 MiB stacks in debug builds), the harshest setting.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mlspec_check::{check_bytes, check_source};

fn codes(src: &str) -> Vec<&'static str> {
    check_source(src).diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn empty_file_says_there_is_no_system() {
    assert_eq!(codes(""), vec!["E0104"]);
    assert_eq!(codes("// only a comment\n\n"), vec!["E0104"]);
}

#[test]
fn ten_thousand_nested_blocks() {
    let src = format!("system x {}{}", "{".repeat(10_000), "}".repeat(10_000));
    assert_eq!(codes(&src), vec!["E0004"]);
}

#[test]
fn ten_thousand_nested_parentheses() {
    let src = format!(
        "system x {{\n problem {{ objective \"o\"; task regression }}\n features {{\n f = {}1{}\n }}\n}}\n",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    assert_eq!(codes(&src), vec!["E0004"]);
}

#[test]
fn long_operator_chains_and_prefix_runs() {
    let chain = vec!["1"; 50_000].join(" + ");
    let src = format!("system x {{\n problem {{ objective \"o\"; task regression }}\n features {{\n f = {chain}\n }}\n}}\n");
    assert!(codes(&src).contains(&"E0004"));
    let nots = "not ".repeat(50_000);
    let src = format!("system x {{\n problem {{ objective \"o\"; task regression }}\n features {{\n f = {nots}true\n }}\n}}\n");
    assert!(codes(&src).contains(&"E0004"));
}

#[test]
fn a_two_megabyte_line() {
    let long = "a".repeat(2 << 20);
    let src = format!("system x {{\n description \"{long}\"\n problem {{ objective \"o\"; task regression }}\n}}\n");
    assert_eq!(codes(&src), Vec::<&str>::new());
    let junk = "@#".repeat(1 << 20);
    let c = codes(&format!("system x {{\n {junk}\n problem {{ objective \"o\"; task regression }}\n}}\n"));
    assert_eq!(c, vec!["E0002"]);
}

#[test]
fn binary_bytes() {
    let d = check_bytes(&[0x73, 0xff, 0xfe, 0x00, 0x01]).diagnostics;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, "E0001");
    assert_eq!(d[0].span.start, 1);
    // Valid UTF-8 full of control characters is a syntax error, not a crash.
    let c = codes("system x {\n \u{0}\u{1}\u{7f} \n problem { objective \"o\"; task regression }\n}\n");
    assert_eq!(c, vec!["E0002"]);
}

#[test]
fn unbalanced_brackets_are_repaired_and_the_rest_is_checked() {
    // The unclosed `{` of `problem` is reported, and the typo after it too.
    let c = codes("system x {\n problem { objective \"o\"; task regression\n latncy 1\n");
    assert!(c.contains(&"E0003"), "{c:?}");
    let c = codes("system x {\n problem { objective \"o\"; task regression }\n}\n}\n)\n");
    assert_eq!(c, vec!["E0003", "E0003"]);
}

#[test]
fn every_prefix_of_the_example_is_handled() {
    // Truncating the example anywhere gives diagnostics, never a panic.
    let src = include_str!("../../../specs/fraud_detection.mlspec");
    for end in (0..src.len()).step_by(7) {
        if src.is_char_boundary(end) {
            let _ = check_source(&src[..end]);
        }
    }
}

#[test]
fn thirty_thousand_chained_features() {
    let mut src = String::from("system x {\n problem { objective \"o\"; task regression }\n features {\n");
    for i in 0..30_000 {
        src.push_str(&format!("  f{i} = f{} + 1\n", i + 1));
    }
    src.push_str("  f30000 = 1\n }\n}\n");
    assert_eq!(codes(&src), Vec::<&str>::new());
    // The same chain closed into a cycle is one error.
    let cyclic = src.replace("  f30000 = 1\n", "  f30000 = f0\n");
    assert_eq!(codes(&cyclic), vec!["E0316"]);
}

#[test]
fn brackets_in_comments_and_strings_of_broken_lines() {
    // The grammar's recovery must skip comments and strings exactly as the
    // prescan does; a disagreement used to make recovery backtrack
    // exponentially over these unclosed brackets (found by fuzzing).
    let opens = "(".repeat(40);
    let in_comment = format!("system x {{\n  foo bar % // {opens}\n  problem {{ objective \"o\"; task regression }}\n}}\n");
    assert_eq!(codes(&in_comment), vec!["E0002"]);
    let after_escape = format!("system x {{\n  foo % \"abc\\\n {opens}\n  problem {{ objective \"o\"; task regression }}\n}}\n");
    assert!(codes(&after_escape).contains(&"E0002"));
}

/// The example with a doc comment above every statement of its system
/// block, as a documented spec has them.
fn documented_example() -> String {
    let src = include_str!("../../../specs/fraud_detection.mlspec");
    let mut out = String::new();
    for line in src.lines() {
        let indent = line.len() - line.trim_start().len();
        if indent == 2 && line.trim_end().ends_with('{') {
            out.push_str("  /// What this block is for.\n");
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[test]
fn a_missing_closing_brace_is_one_error_wherever_it_is() {
    // Found by a new user: a `}` missing before a `///` doc comment gave two
    // false errors (E0104 "no `system` block", E0002 at the end) besides E0003.
    let src = documented_example();
    assert_eq!(codes(&src), Vec::<&str>::new());
    let lines: Vec<&str> = src.lines().collect();
    let closers: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].trim() == "}").collect();
    assert!(closers.len() >= 10, "{closers:?}");
    for &skip in &closers {
        let broken: String = lines.iter().enumerate().filter(|&(i, _)| i != skip).map(|(_, l)| format!("{l}\n")).collect();
        assert_eq!(codes(&broken), vec!["E0003"], "without the `}}` of line {}", skip + 1);
    }
}
