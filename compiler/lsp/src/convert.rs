//! Byte offsets (what spans hold) to LSP positions and back.
//!
//! LSP counts a position's `character` in UTF-16 code units by default,
//! while spans are byte offsets and `mlspec_diag::span::LineIndex` counts
//! characters; this module is the one place that converts.
//!
//! **Invariant:** every conversion clamps: an offset past the end or inside
//! a character, or a position past a line's end or past the last line,
//! maps to the nearest valid place and never panics.

use lsp_types::{Position, Range};
use mlspec_diag::Span;

/// Start offsets of the lines of one text.
pub struct LineMap<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineMap<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineMap { text, starts }
    }

    /// The byte offset of `offset` clamped to the text and to a char boundary.
    fn clamp(&self, offset: usize) -> usize {
        let mut o = offset.min(self.text.len());
        while o > 0 && !self.text.is_char_boundary(o) {
            o -= 1;
        }
        o
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = self.clamp(offset);
        let line = self.starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let units: usize = self.text.get(start..offset).map_or(0, |s| s.chars().map(char::len_utf16).sum());
        Position::new(to_u32(line), to_u32(units))
    }

    pub fn range(&self, span: Span) -> Range {
        Range::new(self.position(span.start), self.position(span.end))
    }

    /// The byte offset of `pos`; a character past the line's end is the end
    /// of the line (before its line break), a line past the last is the end
    /// of the text, and a position inside a surrogate pair is the start of
    /// its character.
    pub fn offset(&self, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return self.text.len();
        };
        let end = self.starts.get(pos.line as usize + 1).map_or(self.text.len(), |&next| next - 1);
        let line = self.text.get(start..end).unwrap_or("");
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut units = 0usize;
        for (i, c) in line.char_indices() {
            units += c.len_utf16();
            if units > pos.character as usize {
                return start + i;
            }
        }
        start + line.len()
    }

    pub fn span(&self, range: Range) -> Span {
        Span::new(self.offset(range.start), self.offset(range.end))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_round_trips() {
        let map = LineMap::new("ab\ncd\n");
        assert_eq!(map.position(4), Position::new(1, 1));
        assert_eq!(map.offset(Position::new(1, 1)), 4);
        assert_eq!(map.offset(Position::new(1, 99)), 5);
        assert_eq!(map.offset(Position::new(7, 0)), 6);
        assert_eq!(map.position(999), Position::new(2, 0));
    }

    #[test]
    fn counts_utf16_units_not_bytes_or_chars() {
        // `é` is 2 bytes and 1 unit; `𝔸` is 4 bytes and 2 units (a surrogate pair).
        let text = "é𝔸x\nz";
        let map = LineMap::new(text);
        let x = text.find('x').unwrap_or(0);
        assert_eq!(map.position(x), Position::new(0, 3));
        assert_eq!(map.offset(Position::new(0, 3)), x);
        assert_eq!(map.offset(Position::new(0, 1)), 2);
        // Inside the surrogate pair: the start of `𝔸`.
        assert_eq!(map.offset(Position::new(0, 2)), 2);
        // Inside a multi-byte character: the start of it.
        assert_eq!(map.position(1), Position::new(0, 0));
    }

    #[test]
    fn crlf_line_ends_are_not_columns() {
        let map = LineMap::new("ab\r\ncd");
        assert_eq!(map.offset(Position::new(0, 9)), 2);
        assert_eq!(map.offset(Position::new(1, 0)), 4);
    }
}
