//! The word at or before a cursor, read from the text (it works on text
//! the parser could not make sense of, as while typing).

use mlspec_diag::Span;

pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The word containing `offset`, or ending right at it.
pub fn word_at(text: &str, offset: usize) -> Option<Span> {
    let offset = offset.min(text.len());
    let before = text.get(..offset)?;
    let after = text.get(offset..)?;
    let start = before.char_indices().rev().take_while(|&(_, c)| is_word_char(c)).last().map_or(offset, |(i, _)| i);
    let end = offset + after.char_indices().find(|&(_, c)| !is_word_char(c)).map_or(after.len(), |(i, _)| i);
    (start < end).then_some(Span::new(start, end))
}
