//! The open documents: their text, version and analysis.
//!
//! **Invariant:** a request is answered from an analysis of the document's
//! current text: changes are applied as they arrive and analysed before the
//! next request ([`Documents::analyse_pending`]), so changes that arrive
//! together (fast typing in a large spec) are analysed once, not once each.

use crate::analysis::Analyzed;
use crate::convert::LineMap;
use lsp_types::{TextDocumentContentChangeEvent, Uri};
use std::collections::BTreeMap;

pub struct Document {
    pub version: i32,
    pub analyzed: Analyzed,
    /// The current text, when it is newer than `analyzed`'s.
    pending: Option<String>,
}

#[derive(Default)]
pub struct Documents {
    open: BTreeMap<String, Document>,
}

impl Documents {
    /// Opens (or reopens) a document; it is analysed with the next [`Documents::analyse_pending`].
    pub fn open(&mut self, uri: &Uri, version: i32, text: String) {
        let doc = Document { version, analyzed: Analyzed::new(String::new()), pending: Some(text) };
        self.open.insert(key(uri), doc);
    }

    /// Applies the changes in order (each range is in the text as changed by
    /// the ones before it); false for a document that is not open.
    pub fn change(&mut self, uri: &Uri, version: i32, changes: Vec<TextDocumentContentChangeEvent>) -> bool {
        let Some(doc) = self.open.get_mut(&key(uri)) else { return false };
        let mut text = doc.pending.take().unwrap_or_else(|| doc.analyzed.text.clone());
        for change in changes {
            apply_change(&mut text, change);
        }
        doc.version = version;
        doc.pending = Some(text);
        true
    }

    /// Analyses every document whose text changed since its last analysis;
    /// their addresses, to publish their diagnostics.
    pub fn analyse_pending(&mut self) -> Vec<Uri> {
        let mut analysed = Vec::new();
        for (key, doc) in &mut self.open {
            if let Some(text) = doc.pending.take() {
                doc.analyzed = Analyzed::new(text);
                analysed.extend(key.parse::<Uri>().ok());
            }
        }
        analysed
    }

    pub fn close(&mut self, uri: &Uri) {
        self.open.remove(&key(uri));
    }

    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.open.get(&key(uri))
    }

    /// Every open document with its address, in address order.
    pub fn all(&self) -> impl Iterator<Item = (Uri, &Document)> {
        self.open.iter().filter_map(|(k, d)| Some((k.parse().ok()?, d)))
    }
}

fn key(uri: &Uri) -> String {
    uri.as_str().to_string()
}

/// One change: a range replaced by text, or (no range) the whole text.
pub fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent) {
    match change.range {
        None => *text = change.text,
        Some(range) => {
            let span = LineMap::new(text).span(range);
            text.replace_range(span.start..span.end, &change.text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    fn edit(text: &str, (l0, c0): (u32, u32), (l1, c1): (u32, u32), new: &str) -> String {
        let mut t = text.to_string();
        let range = Range::new(Position::new(l0, c0), Position::new(l1, c1));
        apply_change(&mut t, TextDocumentContentChangeEvent { range: Some(range), range_length: None, text: new.to_string() });
        t
    }

    #[test]
    fn replaces_ranges_in_utf16_positions() {
        assert_eq!(edit("ab\ncd", (1, 0), (1, 1), "X"), "ab\nXd");
        // After `é𝔸` (3 units) on a non-ASCII line.
        assert_eq!(edit("é𝔸x\n", (0, 3), (0, 4), "y"), "é𝔸y\n");
        assert_eq!(edit("é𝔸x\n", (0, 1), (0, 3), ""), "éx\n");
        // Insertion across lines and at the very end.
        assert_eq!(edit("a\nb", (0, 1), (1, 0), " "), "a b");
        assert_eq!(edit("a", (5, 0), (5, 0), "!"), "a!");
    }

    #[test]
    fn a_change_without_range_replaces_everything() {
        let mut t = "old".to_string();
        apply_change(&mut t, TextDocumentContentChangeEvent { range: None, range_length: None, text: "new".into() });
        assert_eq!(t, "new");
    }
}
