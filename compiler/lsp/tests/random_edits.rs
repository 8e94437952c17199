//! Random edit sequences over the examples never take the server down:
//! after every edit it publishes diagnostics, and every request at a
//! random position is answered with a result or an ordinary error, never
//! an internal one (a handler that panicked).

mod common;

use common::*;
use lsp_server::ErrorCode;
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, FoldingRangeRequest, Formatting, GotoDefinition, HoverRequest, References,
    Rename, Request as _, SemanticTokensFullRequest, SignatureHelpRequest,
};
use lsp_types::{Position, Range};
use proptest::prelude::*;
use serde_json::json;

const EXAMPLES: &[&str] = &[
    include_str!("../../../specs/fraud_detection.mlspec"),
    include_str!("../../../specs/feed_ranking.mlspec"),
    include_str!("../../../specs/ride_pricing.mlspec"),
];

/// Positions past line ends and past the last line, on purpose.
fn position() -> impl Strategy<Value = Position> {
    (0u32..200, 0u32..90).prop_map(|(line, character)| Position::new(line, character))
}

/// What an edit inserts: pieces of the language, brackets, non-ASCII text.
fn insertion() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("{".to_string()),
            Just("}".to_string()),
            Just("\n".to_string()),
            Just("\"".to_string()),
            Just("(".to_string()),
            Just(".".to_string()),
            Just("é𝔸".to_string()),
            Just("// c\n".to_string()),
            Just("stage x { latency 1ms }".to_string()),
            Just("amount_log".to_string()),
            Just("transactions.".to_string()),
            "[a-z_]{1,8}",
        ],
        0..4,
    )
    .prop_map(|parts| parts.concat())
}

fn edit() -> impl Strategy<Value = (Position, Position, String)> {
    (position(), position(), insertion())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_edits_never_crash_the_server(example in 0..EXAMPLES.len(), edits in prop::collection::vec(edit(), 1..12), probe in position()) {
        let mut client = Client::start();
        let doc = uri("random.mlspec");
        client.open(&doc, EXAMPLES[example]);
        let text_document = json!({ "uri": doc.as_str() });
        for (version, (a, b, text)) in edits.into_iter().enumerate() {
            let (start, end) = if (a.line, a.character) <= (b.line, b.character) { (a, b) } else { (b, a) };
            let published = client.edit(&doc, version as i32 + 2, Range::new(start, end), &text);
            prop_assert_eq!(published.version, Some(version as i32 + 2));
            let pos = json!({ "line": probe.line, "character": probe.character });
            for (method, params) in [
                (HoverRequest::METHOD, json!({ "textDocument": text_document, "position": pos })),
                (Completion::METHOD, json!({ "textDocument": text_document, "position": pos })),
                (GotoDefinition::METHOD, json!({ "textDocument": text_document, "position": pos })),
                (References::METHOD, json!({ "textDocument": text_document, "position": pos, "context": { "includeDeclaration": true } })),
                (DocumentSymbolRequest::METHOD, json!({ "textDocument": text_document })),
                (Formatting::METHOD, json!({ "textDocument": text_document, "options": { "tabSize": 2, "insertSpaces": true } })),
                (SignatureHelpRequest::METHOD, json!({ "textDocument": text_document, "position": pos })),
                (FoldingRangeRequest::METHOD, json!({ "textDocument": text_document })),
                (SemanticTokensFullRequest::METHOD, json!({ "textDocument": text_document })),
                (Rename::METHOD, json!({ "textDocument": text_document, "position": pos, "newName": "renamed" })),
                (CodeActionRequest::METHOD, json!({ "textDocument": text_document, "range": { "start": pos, "end": pos }, "context": { "diagnostics": [] } })),
            ] {
                let response = client.raw_request(method, params);
                let internal = response.error.as_ref().filter(|e| e.code == ErrorCode::InternalError as i32);
                prop_assert!(internal.is_none(), "{} failed inside: {:?}", method, internal);
            }
        }
        client.shutdown();
    }
}
