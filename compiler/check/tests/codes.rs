//! The code registry agrees with the checker and the docs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mlspec_check::check_source;
use mlspec_check::simulation;
use mlspec_diag::codes::{lookup, markdown_reference, CODES};
use std::collections::BTreeSet;
use std::path::Path;

fn source_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            source_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Codes written as string literals in the compiler's sources.
fn raised_codes() -> BTreeSet<String> {
    let mut files = Vec::new();
    // Every crate of the compiler can raise codes (the checker, and the
    // syntax crate for E000x): the `src/` folder of each.
    for krate in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("..")).unwrap() {
        source_files(&krate.unwrap().path().join("src"), &mut files);
    }
    // `mlspec data check` raises E06xx and W06xx.
    source_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../runtime/data/src"), &mut files);
    let mut codes = BTreeSet::new();
    for f in files {
        if f.ends_with("codes.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        let b = text.as_bytes();
        for i in 0..b.len().saturating_sub(6) {
            if b[i] == b'"' && (b[i + 1] == b'E' || b[i + 1] == b'W') && b[i + 2..i + 6].iter().all(u8::is_ascii_digit) && b[i + 6] == b'"'
            {
                codes.insert(text[i + 1..i + 6].to_string());
            }
        }
    }
    codes
}

#[test]
fn every_raised_code_is_registered_and_every_registered_code_is_raised() {
    let raised = raised_codes();
    let registered: BTreeSet<String> = CODES.iter().map(|c| c.code.to_string()).collect();
    let unregistered: Vec<_> = raised.difference(&registered).collect();
    assert!(unregistered.is_empty(), "codes raised but not in the registry: {unregistered:?}");
    let unused: Vec<_> = registered.difference(&raised).collect();
    assert!(unused.is_empty(), "codes in the registry that nothing raises: {unused:?}");
}

#[test]
fn codes_are_sorted_and_unique() {
    let codes: Vec<&str> = CODES.iter().map(|c| c.code).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(codes, sorted);
    assert!(lookup("e0102").is_some());
    assert!(lookup("E9999").is_none());
}

fn mlspec_blocks(md: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut cur: Option<String> = None;
    for line in md.lines() {
        match (&mut cur, line.trim_start()) {
            (None, l) if l.starts_with("```mlspec") => cur = Some(String::new()),
            (Some(_), l) if l.starts_with("```") => blocks.push(cur.take().unwrap()),
            (Some(b), _) => {
                b.push_str(line);
                b.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

/// Codes from preparing `src` for a simulation (no file can be read).
fn simulation_codes(src: &str) -> Vec<&'static str> {
    let design = match check_source(src).design() {
        Ok(d) => d,
        Err(diags) => return diags.iter().map(|d| d.code).collect(),
    };
    match simulation::target(&design, None, None, None, &|_| Err("cannot read it".to_string())) {
        Ok(_) => Vec::new(),
        Err(simulation::TargetError::Spec(d)) => d.iter().map(|d| d.code).collect(),
        Err(simulation::TargetError::Unknown(u)) => panic!("unknown {}", u.name),
    }
}

/// Each explanation's first example raises its code; its fix checks clean.
#[test]
fn explanations_hold_a_failing_example_and_a_fix() {
    let mut problems = Vec::new();
    for c in CODES {
        let body = c.explanation;
        if !body.contains("## Example") || !body.contains("## Fix") {
            problems.push(format!("{}: needs `## Example` and `## Fix` sections", c.code));
            continue;
        }
        let blocks = mlspec_blocks(body);
        // E0001 (binary input) and E0004 (nesting) cannot be shown as a spec.
        if matches!(c.code, "E0001" | "E0004") {
            continue;
        }
        let (Some(bad), Some(good)) = (blocks.first(), blocks.get(1)) else {
            problems.push(format!("{}: needs a failing ```mlspec example and a fixed one", c.code));
            continue;
        };
        // E06xx and W06xx are about data, not the spec: both examples are
        // valid specs (runtime/data/tests shows each code raised by data).
        if c.code[1..].starts_with("06") {
            for (which, spec) in [("example", bad), ("fix", good)] {
                let errors: Vec<&str> = check_source(spec).diagnostics.iter().filter(|d| d.is_error()).map(|d| d.code).collect();
                if !errors.is_empty() {
                    problems.push(format!("{}: the {which} spec has errors {errors:?}", c.code));
                }
            }
            continue;
        }
        let mut bad_codes: Vec<&str> = check_source(bad).diagnostics.iter().map(|d| d.code).collect();
        // E05xx are raised when a valid spec is prepared for simulation.
        if c.code.starts_with("E05") {
            bad_codes.extend(simulation_codes(bad));
        }
        if !bad_codes.contains(&c.code) {
            problems.push(format!("{}: the example reports {bad_codes:?}", c.code));
        }
        let good_diags = check_source(good).diagnostics;
        if c.code.starts_with("E05") && !simulation_codes(good).is_empty() {
            problems.push(format!("{}: the fix still fails to simulate: {:?}", c.code, simulation_codes(good)));
        }
        if good_diags.iter().any(|d| d.is_error() || d.code == c.code) {
            let codes: Vec<&str> = good_diags.iter().map(|d| d.code).collect();
            problems.push(format!("{}: the fix still reports {codes:?}", c.code));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn docs_diagnostics_md_is_generated_from_the_registry() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/diagnostics.md");
    let want = markdown_reference();
    if std::env::var_os("MLSPEC_BLESS").is_some() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(have == want, "docs/diagnostics.md is stale: run `MLSPEC_BLESS=1 cargo test -p mlspec-check --test codes`");
}

#[test]
fn the_language_reference_lists_every_code() {
    // docs/language.md's table of codes, one row each: `| CODE | what |`.
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/language.md")).unwrap();
    let listed: BTreeSet<&str> = text.lines().filter_map(|l| l.strip_prefix("| ")?.split(" |").next()).collect();
    let missing: Vec<&str> = CODES.iter().map(|c| c.code).filter(|c| !listed.contains(c)).collect();
    assert!(missing.is_empty(), "docs/language.md's table of codes lacks {missing:?}");
}
