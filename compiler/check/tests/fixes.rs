//! Every fix mends its diagnostic: applied alone and checked again, the
//! diagnostic is gone (no diagnostic of its code where it was) and no syntax
//! error appears that was not there. Over the failing corpus
//! (`tests/specs/err`) and over one-letter typos of every name the examples
//! use, the typos being where did-you-mean fixes matter most.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mlspec_check::check_source;
use mlspec_diag::{apply_fixes, Diagnostic};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn specs(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "mlspec"))
        .collect();
    v.sort();
    v
}

const SYNTAX: [&str; 4] = ["E0001", "E0002", "E0003", "E0004"];

/// Applies `d`'s fix to `text` (whose diagnostics are `before`) alone; an
/// error message when it does not mend `d`.
fn mends(text: &str, before: &[Diagnostic], d: &Diagnostic) -> Result<(), String> {
    let fix = d.fix.as_ref().unwrap();
    let (fixed, applied) = apply_fixes(text, std::slice::from_ref(d));
    if applied != 1 {
        return Err(format!("{} `{}`: the fix does not apply", d.code, d.message));
    }
    // Where the diagnostic started, in the fixed text.
    let shift: isize =
        fix.edits.iter().filter(|e| e.span.end <= d.span.start).map(|e| e.replacement.len() as isize - e.span.len() as isize).sum();
    let at = (d.span.start as isize + shift) as usize;
    let after = check_source(&fixed).diagnostics;
    if let Some(again) = after.iter().find(|a| a.code == d.code && a.span.start == at) {
        return Err(format!("{} `{}`: fix `{}` leaves `{}`", d.code, d.message, fix.message, again.message));
    }
    let had_syntax = before.iter().any(|b| SYNTAX.contains(&b.code));
    if let Some(new) = after.iter().find(|a| SYNTAX.contains(&a.code) && !had_syntax) {
        return Err(format!("{} `{}`: fix `{}` makes a syntax error `{}`", d.code, d.message, fix.message, new.message));
    }
    Ok(())
}

#[test]
fn every_fix_in_the_failing_corpus_mends_its_diagnostic() {
    let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
    let mut messages = Vec::new();
    let mut failures = Vec::new();
    for path in specs("../../tests/specs/err") {
        let Ok(text) = std::fs::read_to_string(&path) else { continue }; // E0001 files are not text
        let before = check_source(&text).diagnostics;
        for d in before.iter().filter(|d| d.fix.is_some()) {
            *by_code.entry(d.code).or_default() += 1;
            messages.extend(d.fix.as_ref().map(|f| f.message.clone()));
            if let Err(e) = mends(&text, &before, d) {
                failures.push(format!("{}: {e}", path.file_name().unwrap().to_string_lossy()));
            }
        }
    }
    assert_eq!(failures, Vec::<String>::new());
    // The corpus has examples of every kind of fix, so none goes untested.
    for code in ["E0002", "E0003", "E0101", "E0102", "E0103", "E0106", "E0203", "E0204", "E0205", "E0206", "E0301", "E0304", "E0314"] {
        assert!(by_code.contains_key(code), "no fix for {code} in the corpus: {by_code:?}");
    }
    for kind in ["replace with `", "write `>=`", "write `30d`", "%`", "add `}`", "add `)`", "as `event_time`"] {
        assert!(messages.iter().any(|m| m.contains(kind)), "no fix `{kind}` in the corpus: {messages:?}");
    }
}

/// The byte ranges of the words in `text` outside comments and strings.
fn words(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (line_start, line) in text.split_inclusive('\n').scan(0, |at, l| {
        let s = *at;
        *at += l.len();
        Some((s, l))
    }) {
        let code = line.split("//").next().unwrap_or_default();
        let code = code.split('"').next().unwrap_or_default();
        let mut start = None;
        for (i, c) in code.char_indices().chain([(code.len(), ' ')]) {
            match (start, c.is_ascii_alphanumeric() || c == '_') {
                (None, true) => start = Some(i),
                (Some(s), false) => {
                    if code[s..i].len() >= 5 && code[s..i].starts_with(|c: char| c.is_ascii_alphabetic()) {
                        out.push((line_start + s, line_start + i));
                    }
                    start = None;
                }
                _ => {}
            }
        }
    }
    out
}

#[test]
fn a_typo_in_any_name_of_the_examples_gets_a_fix_that_mends_it() {
    let mut fixed = 0;
    let mut failures = Vec::new();
    for path in specs("../../specs") {
        let text = std::fs::read_to_string(&path).unwrap();
        // Every 11th word, its second letter dropped: names, statement words, vocabulary.
        for (start, end) in words(&text).into_iter().step_by(11) {
            let typo = format!("{}{}{}", &text[..start + 1], &text[start + 2..end], &text[end..]);
            let before = check_source(&typo).diagnostics;
            for d in before.iter().filter(|d| d.fix.is_some()) {
                fixed += 1;
                if let Err(e) = mends(&typo, &before, d) {
                    failures.push(format!("{} `{}`: {e}", path.file_name().unwrap().to_string_lossy(), &text[start..end]));
                }
            }
        }
    }
    assert_eq!(failures, Vec::<String>::new());
    assert!(fixed > 200, "only {fixed} typos got a fix");
}
