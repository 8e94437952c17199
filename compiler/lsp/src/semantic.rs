//! Semantic tokens: every declared name and every reference to one, typed
//! by what it names, so an editor colours a feature as a feature wherever
//! it is written (the TextMate grammar colours the rest).

use crate::analysis::Analyzed;
use crate::convert::LineMap;
use crate::index::Kind;
use lsp_types::{SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensLegend};
use mlspec_diag::Span;

/// The token types, in legend order; [`token_type`] indexes into it.
const TYPES: [SemanticTokenType; 8] = [
    SemanticTokenType::FUNCTION,    // feature
    SemanticTokenType::CLASS,       // model
    SemanticTokenType::STRUCT,      // source
    SemanticTokenType::NAMESPACE,   // serving, system
    SemanticTokenType::METHOD,      // stage
    SemanticTokenType::ENUM_MEMBER, // metric
    SemanticTokenType::EVENT,       // experiment, scenario
    SemanticTokenType::PROPERTY,    // field
];

fn token_type(kind: Kind) -> u32 {
    match kind {
        Kind::Feature => 0,
        Kind::Model => 1,
        Kind::Source => 2,
        Kind::Serving | Kind::System => 3,
        Kind::Stage => 4,
        Kind::Metric => 5,
        Kind::Experiment | Kind::Scenario => 6,
        Kind::Field => 7,
    }
}

/// Bit 0: the name's declaration.
const DECLARATION: u32 = 1;

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend { token_types: TYPES.to_vec(), token_modifiers: vec![SemanticTokenModifier::DECLARATION] }
}

/// Tokens in position order, each as the LSP encodes it: relative to the
/// one before, in UTF-16 units. A name never spans lines.
pub fn tokens(doc: &Analyzed) -> SemanticTokens {
    let index = &doc.index;
    let mut found: Vec<(Span, u32, u32)> = index.defs.iter().map(|d| (d.name_span, token_type(d.kind), DECLARATION)).collect();
    found.extend(index.refs.iter().filter_map(|r| Some((r.span, token_type(index.defs.get(r.target)?.kind), 0))));
    found.sort_by_key(|(span, _, _)| (span.start, span.end));
    found.dedup_by_key(|(span, _, _)| span.start);
    let map = LineMap::new(&doc.text);
    let (mut line, mut character) = (0, 0);
    let mut data = Vec::with_capacity(found.len());
    for (span, token_type, token_modifiers_bitset) in found {
        let (start, end) = (map.position(span.start), map.position(span.end));
        if end.line != start.line || end.character <= start.character {
            continue;
        }
        let delta_line = start.line - line;
        let delta_start = if delta_line == 0 { start.character - character } else { start.character };
        data.push(SemanticToken { delta_line, delta_start, length: end.character - start.character, token_type, token_modifiers_bitset });
        (line, character) = (start.line, start.character);
    }
    SemanticTokens { result_id: None, data }
}
