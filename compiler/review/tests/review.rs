//! Review rule cases: every `tests/review/*.mlspec` is one test. A file
//! states in comments which findings the review must make
//! (`// review-expect: ID`) and must not make (`// review-absent: ID`), and
//! text a finding's fix must hold (`// review-fix: ID TEXT`); it must check
//! without errors. Each rule has a `ID.trigger.mlspec` and a close
//! `ID.near.mlspec` that must not trigger it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use libtest_mimic::{Arguments, Failed, Trial};
use mlspec_check::check_source;
use mlspec_review::{self as review, rules};
use std::path::{Path, PathBuf};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "mlspec")).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn directives<'a>(text: &'a str, key: &str) -> Vec<&'a str> {
    text.lines().filter_map(|l| l.trim().strip_prefix(key).map(str::trim)).collect()
}

fn run(path: &Path) -> Result<(), Failed> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let design = check_source(&text).design().map_err(|diags| {
        let errors: Vec<String> = diags.iter().filter(|d| d.is_error()).map(|d| format!("{} {}", d.code, d.message)).collect();
        format!("{}: must check without errors, got {errors:?}", path.display())
    })?;
    let r = review::review(&design, &text);
    let got: Vec<&str> = r.findings.iter().map(|f| f.id).collect();
    let expect = directives(&text, "// review-expect:");
    let absent = directives(&text, "// review-absent:");
    if expect.is_empty() && absent.is_empty() {
        return Err(format!("{}: states no `// review-expect:` or `// review-absent:`", path.display()).into());
    }
    for id in &expect {
        let Some(f) = r.findings.iter().find(|f| f.id == *id) else {
            return Err(format!("{}: expected finding `{id}`, got {got:?}", path.display()).into());
        };
        if f.message.is_empty() || f.why.is_empty() || f.fix.is_empty() || f.line == 0 {
            return Err(format!("{}: finding `{id}` lacks a message, a reason, a fix or a line: {f:?}", path.display()).into());
        }
    }
    for wanted in directives(&text, "// review-fix:") {
        let (id, part) = wanted.split_once(' ').unwrap_or((wanted, ""));
        if !r.findings.iter().any(|f| f.id == id && f.fix.contains(part)) {
            return Err(format!("{}: no finding `{id}` whose fix holds `{part}`", path.display()).into());
        }
    }
    for id in &absent {
        if got.contains(id) {
            return Err(format!("{}: finding `{id}` must not be made, got {got:?}", path.display()).into());
        }
    }
    Ok(())
}

/// Every rule has a triggering case and a near miss, and every case names a rule.
fn every_rule_has_cases(dir: &Path) -> Result<(), Failed> {
    let names: Vec<String> = files(dir).iter().filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned())).collect();
    let ids = rules::ids();
    for id in &ids {
        for kind in ["trigger", "near"] {
            let want = format!("{id}.{kind}.mlspec");
            if !names.contains(&want) {
                return Err(format!("rule `{id}` has no tests/review/{want}").into());
            }
        }
    }
    for n in &names {
        let id = n.split('.').next().unwrap_or_default();
        if !ids.contains(id) {
            return Err(format!("tests/review/{n} names no rule").into());
        }
    }
    Ok(())
}

const TABLE_BEGIN: &str =
    "<!-- Generated from compiler/review/src/rules/*.rs by `MLSPEC_BLESS=1 cargo test -p mlspec-review --test review`; do not edit. -->\n";
const TABLE_END: &str = "<!-- End of the generated table. -->\n";

/// docs/review.md's table of findings is generated from the rules' metadata;
/// `MLSPEC_BLESS=1` rewrites it, the rest of the page is written by hand.
fn docs_review_md_is_generated_from_the_rules(root: &Path) -> Result<(), Failed> {
    let path = root.join("docs/review.md");
    let have = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let Some(begin) = have.find(TABLE_BEGIN).map(|b| b + TABLE_BEGIN.len()) else {
        return Err("docs/review.md: the generated table's opening marker is missing".into());
    };
    let Some(end) = have[begin..].find(TABLE_END).map(|e| begin + e) else {
        return Err("docs/review.md: the generated table's closing marker is missing".into());
    };
    let (head, tail) = (&have[..begin], &have[end..]);
    let want = format!("{head}\n{}\n{tail}", rules::markdown_table());
    if std::env::var_os("MLSPEC_BLESS").is_some() {
        return std::fs::write(&path, &want).map_err(|e| format!("{}: {e}", path.display()).into());
    }
    if have != want {
        return Err("docs/review.md's table of findings is stale: run `MLSPEC_BLESS=1 cargo test -p mlspec-review --test review`".into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = root.join("tests/review");
    let mut trials = Vec::new();
    for f in files(&dir) {
        let name = format!("review/{}", f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        trials.push(Trial::test(name, move || run(&f)));
    }
    trials.push(Trial::test("review/every_rule_has_a_trigger_and_a_near_miss", move || every_rule_has_cases(&dir)));
    trials
        .push(Trial::test("review/docs_review_md_is_generated_from_the_rules", move || docs_review_md_is_generated_from_the_rules(&root)));
    libtest_mimic::run(&args, trials).exit();
}
