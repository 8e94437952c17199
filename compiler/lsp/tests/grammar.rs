//! The VS Code grammar (`editors/vscode/syntaxes/mlspec.tmLanguage.json`)
//! colours every statement name, feature function and vocabulary word the
//! checker knows: a word added to the language fails here until the
//! grammar has it.

use mlspec_check::{block_statement_names, FIELD_MODIFIERS, SOURCE_KINDS};
use mlspec_ir::functions::FeatureFunction;
use mlspec_ir::vocab::{AlertChannel, AutoscaleSignal, DriftStat, Imbalance, MissingStrategy, ModelKind, ModelStage, Task, TuningSearch};
use mlspec_ir::FieldType;
use std::collections::BTreeSet;

const GRAMMAR: &str = include_str!("../../../editors/vscode/syntaxes/mlspec.tmLanguage.json");

/// The words of the `\\b(?:a|b|c)` alternation in repository entry `entry`.
#[allow(clippy::unwrap_used, clippy::panic)] // Test support: a grammar without the entry fails the test.
fn words(entry: &str) -> BTreeSet<String> {
    let grammar: serde_json::Value = serde_json::from_str(GRAMMAR).unwrap();
    let pattern = grammar["repository"][entry]["match"].as_str().unwrap_or_else(|| panic!("`{entry}` has a match"));
    let inner = pattern.split_once(r"\b(?:").unwrap().1.split_once(")").unwrap().0;
    inner.split('|').map(str::to_string).collect()
}

fn missing<'a>(have: &BTreeSet<String>, want: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    want.into_iter().filter(|w| !have.contains(*w)).collect()
}

/// Every block reachable from `system` by its statement names, and the
/// cost matrix (inside `metrics`), with its statement names.
fn blocks_and_statements() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut blocks = vec!["system", "cost_matrix"];
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    while let Some(block) = blocks.pop() {
        if !seen.insert(block) {
            continue;
        }
        let names = block_statement_names(block).unwrap_or_default();
        blocks.extend(names.iter().copied().filter(|n| block_statement_names(n).is_some()));
        out.push((block, names));
    }
    out
}

#[test]
fn every_statement_of_every_block_is_a_keyword() {
    let statements = words("statements");
    let blocks = blocks_and_statements();
    for (block, names) in &blocks {
        assert_eq!(missing(&statements, names.iter().copied()), Vec::<&str>::new(), "statements of `{block}`");
    }
    let seen: Vec<&str> = blocks.iter().map(|(b, _)| *b).collect();
    assert!(seen.contains(&"stage") && seen.contains(&"monitors"), "{seen:?}");
}

const HIGHLIGHTS: &str = include_str!("../../../editors/tree-sitter-mlspec/queries/highlights.scm");

/// The strings of the first `(#any-of? @CAPTURE ...)` in the Tree-sitter highlights.
#[allow(clippy::unwrap_used)] // Test support: a query without the list fails the test.
fn any_of(capture: &str) -> BTreeSet<String> {
    let list = HIGHLIGHTS.split_once(&format!("(#any-of? @{capture}")).unwrap().1.split_once(')').unwrap().0;
    list.split('"').skip(1).step_by(2).map(str::to_string).collect()
}

#[test]
fn every_statement_of_every_block_is_a_tree_sitter_keyword() {
    // The Helix and Zed copies are derived from this file (scripts/editors/tree_sitter.sh
    // checks them). `rule` is a token of its own in the grammar, coloured by its own pattern.
    let mut keywords = any_of("keyword");
    assert!(HIGHLIGHTS.contains("\n\"rule\" @keyword"), "`rule` is coloured");
    keywords.insert("rule".to_string());
    for (block, names) in blocks_and_statements() {
        assert_eq!(missing(&keywords, names.iter().copied()), Vec::<&str>::new(), "statements of `{block}`");
    }
}

#[test]
fn the_feature_functions_are_exactly_the_checkers() {
    let names: BTreeSet<String> = FeatureFunction::names().map(str::to_string).collect();
    assert_eq!(words("functions"), names);
}

#[test]
fn every_closed_vocabulary_word_is_a_constant() {
    let vocabulary = words("vocabulary");
    let lists: [&[&str]; 12] = [
        Task::NAMES,
        ModelKind::NAMES,
        ModelStage::NAMES,
        DriftStat::NAMES,
        AlertChannel::NAMES,
        Imbalance::NAMES,
        MissingStrategy::NAMES,
        TuningSearch::NAMES,
        AutoscaleSignal::NAMES,
        SOURCE_KINDS,
        FIELD_MODIFIERS,
        FieldType::SIMPLE,
    ];
    for list in lists {
        assert_eq!(missing(&vocabulary, list.iter().copied()), Vec::<&str>::new());
    }
}
