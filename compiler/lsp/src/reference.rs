//! The language reference's entry for a statement, for hover: the
//! statement tables of docs/language.md section 4 ("Blocks"), compiled in.
//!
//! A table belongs to the block of the section heading above it
//! (``### 4.9 `model` ``), or of the line above it that shows a block's form
//! (`` `stage NAME { ... }` ``). A test checks that every statement of every
//! block's table in the checker has an entry.

const LANGUAGE: &str = include_str!("../../../docs/language.md");

/// A statement's row: its form and what it means, as the reference writes them.
#[derive(Debug, PartialEq, Eq)]
pub struct Entry {
    pub form: String,
    pub meaning: String,
}

/// The entry of statement `head` in block `block`.
pub fn entry(block: &str, head: &str) -> Option<Entry> {
    // The cost matrix's cells are documented in its own row of `metrics`.
    if block == "cost_matrix" {
        return entry("metrics", "cost_matrix");
    }
    let mut current = "";
    let mut in_blocks = false;
    for line in LANGUAGE.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            in_blocks = heading.starts_with("4.");
            continue;
        }
        if !in_blocks {
            continue;
        }
        if let Some(heading) = line.strip_prefix("### ") {
            current = first_code(heading).unwrap_or("");
        } else if line.starts_with('`') && line.contains('{') {
            current = first_code(line).and_then(|c| c.split_whitespace().next()).unwrap_or(current);
        } else if current == block {
            if let Some(found) = row(line, head) {
                return Some(found);
            }
        }
    }
    None
}

/// The text of the first `code` span of `line`.
fn first_code(line: &str) -> Option<&str> {
    let rest = line.split_once('`')?.1;
    Some(rest.split_once('`')?.0)
}

/// `| `head` | form | ... | meaning |`: the row of `head`, if this is it.
fn row(line: &str, head: &str) -> Option<Entry> {
    // `\|` inside a cell is a literal bar.
    let cells: Vec<String> = line.replace("\\|", "\u{0}").split('|').map(|c| c.trim().replace('\u{0}', "|")).collect();
    let [_, name, form, .., meaning, _] = cells.as_slice() else { return None };
    (name.trim_matches('`') == head && name.starts_with('`')).then(|| Entry { form: form.clone(), meaning: meaning.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_row_of_the_block_it_is_under() {
        let timeout = entry("serving", "timeout").unwrap();
        assert_eq!(timeout.form, "`timeout D fallback MODEL`");
        let stage_model = entry("stage", "model").unwrap();
        assert!(stage_model.meaning.contains("the stage runs this model"), "{stage_model:?}");
        assert!(entry("serving", "no_such_statement").is_none());
    }

    #[test]
    fn every_statement_of_every_block_has_an_entry() {
        let mut blocks = vec!["system"];
        let mut seen = std::collections::BTreeSet::new();
        let mut missing = Vec::new();
        while let Some(block) = blocks.pop() {
            if !seen.insert(block) {
                continue;
            }
            for name in mlspec_check::block_statement_names(block).unwrap_or_default() {
                if entry(block, name).is_none() {
                    missing.push(format!("{block}.{name}"));
                }
                if mlspec_check::block_statement_names(name).is_some() {
                    blocks.push(name);
                }
            }
        }
        assert_eq!(missing, Vec::<String>::new());
    }
}
