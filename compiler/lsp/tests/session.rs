//! A whole editor session against the server, in process over an
//! in-memory connection: initialize, open an example spec, edit it into an
//! error and out of it, completion, hover, definition, references,
//! outline, formatting, quick fix, rename, a failing request, shutdown.

mod common;

use common::*;
use lsp_types::request::{
    CodeActionRequest, DocumentSymbolRequest, FoldingRangeRequest, Formatting, GotoDefinition, HoverRequest, References, Rename,
    Request as _, SemanticTokensFullRequest, SignatureHelpRequest, WorkspaceSymbolRequest,
};
use lsp_types::*;

const FRAUD: &str = include_str!("../../../specs/fraud_detection.mlspec");

#[test]
fn a_whole_session_on_the_fraud_example() {
    let mut client = Client::start();
    let doc = uri("fraud_detection.mlspec");
    let published = client.open(&doc, FRAUD);
    assert_eq!(published.diagnostics, Vec::new(), "the example checks clean");
    assert_eq!(published.version, Some(1));

    // Break a feature name where the model uses it, then fix it.
    let use_in_model = range_of(FRAUD, "amount_log", 1);
    let broken = client.edit(&doc, 2, use_in_model, "amount_lg");
    let [d] = broken.diagnostics.as_slice() else { panic!("one diagnostic: {:?}", broken.diagnostics) };
    assert_eq!(d.code, Some(NumberOrString::String("E0205".to_string())));
    let typo = Range::new(use_in_model.start, Position::new(use_in_model.start.line, use_in_model.start.character + 9));
    assert_eq!(d.range, typo);
    assert!(d.code_description.as_ref().is_some_and(|c| c.href.as_str().ends_with("diagnostics.md#e0205")));
    assert_eq!(broken.version, Some(2));

    // The quick fix puts the name back.
    let actions = client
        .request::<CodeActionRequest>(CodeActionParams {
            text_document: TextDocumentIdentifier::new(doc.clone()),
            range: typo,
            context: CodeActionContext { diagnostics: broken.diagnostics.clone(), only: None, trigger_kind: None },
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap()
        .unwrap_or_default();
    let Some(CodeActionOrCommand::CodeAction(fix)) = actions.first() else { panic!("a quick fix: {actions:?}") };
    let edits = fix.edit.as_ref().and_then(|e| e.changes.as_ref()).and_then(|c| c.get(&doc)).cloned().unwrap_or_default();
    assert_eq!(edits, vec![TextEdit { range: typo, new_text: "amount_log".to_string() }]);

    let fixed = client.edit(&doc, 3, typo, "amount_log");
    assert_eq!(fixed.diagnostics, Vec::new());

    // Go to definition and references of the feature, from the model.
    let in_model = use_in_model.start;
    let def = client
        .request::<GotoDefinition>(GotoDefinitionParams {
            text_document_position_params: at(&doc, in_model),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap();
    let declared = range_of(FRAUD, "amount_log", 0);
    assert_eq!(def, Some(GotoDefinitionResponse::Scalar(Location::new(doc.clone(), declared))));
    let refs = client
        .request::<References>(ReferenceParams {
            text_document_position: at(&doc, in_model),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
            context: ReferenceContext { include_declaration: true },
        })
        .unwrap()
        .unwrap_or_default();
    let expected: Vec<Range> = (0..FRAUD.matches("amount_log").count()).map(|n| range_of(FRAUD, "amount_log", n)).collect();
    assert_eq!(refs.iter().map(|l| l.range).collect::<Vec<_>>(), expected);

    // Hover: a feature's definition and type, a field's schema line, a model's kind.
    let feature = hover_text(&mut client, &doc, in_model);
    assert!(feature.contains("amount_log = log1p(transactions.amount)"), "{feature}");
    assert!(feature.contains("feature `amount_log` of type `number`"), "{feature}");
    let field = hover_text(&mut client, &doc, range_of(FRAUD, "transactions.amount", 0).end);
    assert!(field.contains("amount: float range 0..50000"), "{field}");
    assert!(field.contains("field `transactions.amount`"), "{field}");
    let model = hover_text(&mut client, &doc, range_of(FRAUD, "gbdt;", 0).start);
    assert!(model.contains("model `gbdt` of kind `gradient_boosting`"), "{model}");

    // Completion: statements of `monitors`, a task, a source's fields, functions and names in a feature.
    let monitors = range_of(FRAUD, "monitors {\n", 0).end;
    client.edit(&doc, 4, Range::new(monitors, monitors), "    \n");
    let in_monitors = complete(&mut client, &doc, Position::new(monitors.line, 4));
    for name in ["drift", "performance", "latency", "retrain"] {
        assert!(in_monitors.contains(&name.to_string()), "{name} in {in_monitors:?}");
    }
    assert!(!in_monitors.contains(&"replicas".to_string()));
    client.edit(&doc, 5, Range::new(monitors, Position::new(monitors.line + 1, 0)), "");
    let task = range_of(FRAUD, "binary_classification", 0).start;
    assert!(complete(&mut client, &doc, task).contains(&"multiclass_classification".to_string()));
    let features_open = range_of(FRAUD, "features {\n", 0).end;
    client.edit(&doc, 6, Range::new(features_open, features_open), "    x = transactions.\n");
    let fields = complete(&mut client, &doc, Position::new(features_open.line, 21));
    assert!(fields.contains(&"amount".to_string()) && fields.contains(&"is_fraud".to_string()), "{fields:?}");
    assert!(!fields.contains(&"user_id".to_string()) || fields.contains(&"txn_id".to_string()));
    let in_feature = complete(&mut client, &doc, Position::new(features_open.line, 8));
    for name in ["log1p", "count", "transactions.amount", "amount_log"] {
        assert!(in_feature.contains(&name.to_string()), "{name} in {in_feature:?}");
    }
    let back = client.edit(&doc, 7, Range::new(features_open, Position::new(features_open.line + 1, 0)), "");
    assert_eq!(back.diagnostics, Vec::new());

    // The outline: the system, its sources with fields, servings with stages.
    let symbols = client
        .request::<DocumentSymbolRequest>(DocumentSymbolParams {
            text_document: TextDocumentIdentifier::new(doc.clone()),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap();
    let Some(DocumentSymbolResponse::Nested(top)) = symbols else { panic!("nested symbols") };
    let [system] = top.as_slice() else { panic!("one system") };
    assert_eq!(system.name, "fraud_detection");
    let children = system.children.clone().unwrap_or_default();
    let child = |name: &str| children.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{name} in the outline"));
    let fields: Vec<String> = child("transactions").children.clone().unwrap_or_default().into_iter().map(|f| f.name).collect();
    assert_eq!(fields, ["txn_id", "user_id", "amount", "merchant_category", "country", "ts", "is_fraud"]);
    let stages: Vec<String> = child("online").children.clone().unwrap_or_default().into_iter().map(|f| f.name).collect();
    assert_eq!(stages, ["gateway", "lookup", "score"]);
    for name in ["features", "gbdt", "monitors", "peak_day"] {
        child(name);
    }

    // Rename the feature everywhere; a Python keyword is refused.
    let renamed = client
        .request::<Rename>(RenameParams {
            text_document_position: at(&doc, in_model),
            new_name: "log_amount".to_string(),
            work_done_progress_params: Default::default(),
        })
        .unwrap()
        .unwrap();
    let edits = renamed.changes.and_then(|c| c.get(&doc).cloned()).unwrap_or_default();
    assert_eq!(edits.iter().map(|e| e.range).collect::<Vec<_>>(), expected);
    let refused = client.request::<Rename>(RenameParams {
        text_document_position: at(&doc, in_model),
        new_name: "lambda".to_string(),
        work_done_progress_params: Default::default(),
    });
    assert!(refused.is_err());

    // The example is already canonical: formatting changes nothing.
    let unchanged = client.request::<Formatting>(formatting(&doc)).unwrap();
    assert_eq!(unchanged, Some(Vec::new()));

    client.shutdown();
}

#[test]
fn formatting_rewrites_a_messy_spec_and_refuses_one_that_does_not_parse() {
    let mut client = Client::start();
    let messy = "system s {\nproblem {\n      objective \"x\"\n  task regression\n }\n}\n";
    let doc = uri("messy.mlspec");
    client.open(&doc, messy);
    let edits = client.request::<Formatting>(formatting(&doc)).unwrap().unwrap_or_default();
    let [edit] = edits.as_slice() else { panic!("one edit: {edits:?}") };
    let parsed = mlspec_syntax::parse(messy);
    assert_eq!(edit.new_text, mlspec_syntax::fmt::format(&parsed.file, messy));
    assert_eq!(edit.range, Range::new(Position::new(0, 0), Position::new(6, 0)));

    let broken = uri("broken.mlspec");
    let published = client.open(&broken, "system s {\n  problem { objective \"x\" task ( }\n}\n");
    assert!(published.diagnostics.iter().any(|d| d.code == Some(NumberOrString::String("E0003".to_string()))));
    let refused = client.request::<Formatting>(formatting(&broken));
    assert!(refused.unwrap_err().message.contains("syntax error"));
    client.shutdown();
}

#[test]
fn edits_and_diagnostics_count_columns_in_utf16_units() {
    let mut client = Client::start();
    let text = "system s {\n  owner \"é𝔸\" bogus\n  problem { objective \"x\"; task regression }\n}\n";
    let doc = uri("utf16.mlspec");
    let published = client.open(&doc, text);
    let [d] = published.diagnostics.as_slice() else { panic!("one diagnostic: {:?}", published.diagnostics) };
    // `  owner "é𝔸" ` is 14 UTF-16 units (13 characters, 17 bytes).
    assert_eq!(d.range, Range::new(Position::new(1, 14), Position::new(1, 19)));
    assert_eq!(d.range, range_of(text, "bogus", 0));
    let cleared = client.edit(&doc, 2, Range::new(Position::new(1, 13), Position::new(1, 19)), "");
    assert_eq!(cleared.diagnostics, Vec::new());
    // The server's text is the edited one: typing after the non-ASCII string lands there.
    let again = client.edit(&doc, 3, Range::new(Position::new(1, 13), Position::new(1, 13)), " oops");
    assert_eq!(again.diagnostics.len(), 1);
    assert_eq!(again.diagnostics[0].range, Range::new(Position::new(1, 14), Position::new(1, 18)));
    client.shutdown();
}

#[test]
fn a_failing_request_is_answered_with_an_error_and_the_server_goes_on() {
    let mut client = Client::start();
    let unknown = client.raw_request("textDocument/inlayHint", serde_json::json!({ "textDocument": { "uri": "file:///x" } }));
    assert_eq!(unknown.error.map(|e| e.code), Some(lsp_server::ErrorCode::MethodNotFound as i32));
    let bad_params = client.raw_request(HoverRequest::METHOD, serde_json::json!({ "nonsense": true }));
    assert_eq!(bad_params.error.map(|e| e.code), Some(lsp_server::ErrorCode::InvalidParams as i32));
    let not_open = client.request::<HoverRequest>(HoverParams {
        text_document_position_params: at(&uri("never_opened.mlspec"), Position::new(0, 0)),
        work_done_progress_params: Default::default(),
    });
    assert!(not_open.is_err());
    // Positions past the end of the text are clamped, not a crash.
    let doc = uri("short.mlspec");
    client.open(&doc, "system s {}\n");
    let far = client.request::<HoverRequest>(HoverParams {
        text_document_position_params: at(&doc, Position::new(99, 99)),
        work_done_progress_params: Default::default(),
    });
    assert!(far.is_ok());
    client.shutdown();
}

#[test]
fn signature_help_folding_and_workspace_symbols() {
    let mut client = Client::start();
    let doc = uri("fraud_detection.mlspec");
    client.open(&doc, FRAUD);

    // In `count(transactions, by: user_id, window: 1h)`, on `window`.
    let window = range_of(FRAUD, "window: 1h", 0).start;
    let help = client
        .request::<SignatureHelpRequest>(SignatureHelpParams {
            context: None,
            text_document_position_params: at(&doc, window),
            work_done_progress_params: Default::default(),
        })
        .unwrap()
        .unwrap();
    assert_eq!(help.signatures[0].label, "count(source | source.field, by: field, window: duration) -> number");
    assert_eq!(help.active_parameter, Some(2));

    // Every multi-line block folds: the system, each source and its schema, ...
    let folds = client
        .request::<FoldingRangeRequest>(FoldingRangeParams {
            text_document: TextDocumentIdentifier::new(doc.clone()),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap()
        .unwrap_or_default();
    let system = range_of(FRAUD, "system fraud_detection {", 0).start.line;
    let last = FRAUD.trim_end().lines().count() as u32 - 1;
    assert!(folds.iter().any(|f| f.start_line == system && f.end_line == last - 1), "{folds:?}");
    let schema = range_of(FRAUD, "schema {", 0).start.line;
    assert!(folds.iter().any(|f| f.start_line == schema));

    // Workspace symbols over the open documents.
    let found = client
        .request::<WorkspaceSymbolRequest>(WorkspaceSymbolParams {
            query: "AMOUNT".to_string(),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap();
    let Some(WorkspaceSymbolResponse::Flat(found)) = found else { panic!("flat symbols") };
    let names: Vec<&str> = found.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["transactions.amount", "amount_log", "avg_amount_7d"]);
    client.shutdown();
}

#[test]
fn every_quick_fix_applied_gives_back_a_clean_spec() {
    let typos = [
        ("task binary_classification", "task binary_clasification"),
        ("target transactions.is_fraud", "target transactins.is_fraud"),
        ("    throughput 1000 rps", "    throughpt 1000 rps"),
        ("log1p(transactions.amount)", "log1p(transactions.amout)"),
        ("by: user_id, window: 7d", "by: usr_id, window: 7d"),
        ("features [amount_log,", "features [amount_lg,"),
        // Fixes other than did-you-mean: an operator, a unit, a modifier, a closing brace.
        ("auc_roc >= 0.95", "auc_roc => 0.95"),
        ("window 30d action", "window 30 days action"),
        ("ts: timestamp event_time", "ts: timestamp"),
        ("    geo_mismatch = transactions.country != users.country\n  }\n", "    geo_mismatch = transactions.country != users.country\n"),
    ];
    let mut text = FRAUD.to_string();
    for (right, wrong) in typos {
        assert!(text.contains(right), "{right}");
        text = text.replacen(right, wrong, 1);
    }
    let mut client = Client::start();
    let doc = uri("typos.mlspec");
    let published = client.open(&doc, &text);
    // Two more: the window features both need `event_time` (one fix), and
    // `auc_roc` is undeclared while its line does not parse.
    assert_eq!(published.diagnostics.len(), typos.len() + 2, "{:?}", published.diagnostics);
    let everything = Range::new(Position::new(0, 0), position(&text, text.len()));
    let actions = client
        .request::<CodeActionRequest>(CodeActionParams {
            text_document: TextDocumentIdentifier::new(doc.clone()),
            range: everything,
            context: CodeActionContext { diagnostics: published.diagnostics, only: None, trigger_kind: None },
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap()
        .unwrap_or_default();
    let mut edits: Vec<TextEdit> = actions
        .into_iter()
        .filter_map(|a| match a {
            CodeActionOrCommand::CodeAction(a) => a.edit?.changes?.remove(&doc),
            CodeActionOrCommand::Command(_) => None,
        })
        .flatten()
        .collect();
    assert_eq!(edits.len(), typos.len());
    // Apply from the end, so earlier positions stay valid (the text is ASCII).
    edits.sort_by_key(|e| std::cmp::Reverse((e.range.start.line, e.range.start.character)));
    let offset = |p: Position| text.lines().take(p.line as usize).map(|l| l.len() + 1).sum::<usize>() + p.character as usize;
    let mut fixed = text.clone();
    for e in edits {
        fixed.replace_range(offset(e.range.start)..offset(e.range.end), &e.new_text);
    }
    assert_eq!(fixed, FRAUD);
    client.shutdown();
}

#[test]
fn semantic_tokens_type_every_name_by_what_it_names() {
    let mut client = Client::start();
    let doc = uri("fraud_detection.mlspec");
    client.open(&doc, FRAUD);
    let tokens = client
        .request::<SemanticTokensFullRequest>(SemanticTokensParams {
            text_document: TextDocumentIdentifier::new(doc.clone()),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap();
    let Some(SemanticTokensResult::Tokens(tokens)) = tokens else { panic!("full tokens") };
    // Decode the relative encoding into (range, type, modifiers).
    let (mut line, mut character) = (0, 0);
    let decoded: Vec<(Range, u32, u32)> = tokens
        .data
        .iter()
        .map(|t| {
            character = if t.delta_line == 0 { character + t.delta_start } else { t.delta_start };
            line += t.delta_line;
            (Range::new(Position::new(line, character), Position::new(line, character + t.length)), t.token_type, t.token_modifiers_bitset)
        })
        .collect();
    let kind_at = |r: Range| decoded.iter().find(|(d, _, _)| *d == r).map(|&(_, t, m)| (t, m));
    // Legend: 0 feature, 1 model, 2 source, 7 field; modifier bit 0 is the declaration.
    assert_eq!(kind_at(range_of(FRAUD, "amount_log", 0)), Some((0, 1)));
    assert_eq!(kind_at(range_of(FRAUD, "amount_log", 1)), Some((0, 0)));
    assert_eq!(kind_at(range_of(FRAUD, "rules_baseline", 1)), Some((1, 0)));
    assert_eq!(kind_at(range_of(FRAUD, "transactions", 2)), Some((2, 0)));
    let amount = range_of(FRAUD, "transactions.amount", 0);
    let field = Range::new(Position::new(amount.end.line, amount.end.character - 6), amount.end);
    assert_eq!(kind_at(field), Some((7, 0)));
    client.shutdown();
}

#[test]
fn hover_on_a_statement_shows_its_reference_entry_and_on_an_error_its_explanation() {
    let mut client = Client::start();
    let doc = uri("fraud_detection.mlspec");
    client.open(&doc, FRAUD);
    let timeout = hover_text(&mut client, &doc, range_of(FRAUD, "timeout 80ms", 0).start);
    assert!(timeout.starts_with("statement of `serving`: `timeout D fallback MODEL`"), "{timeout}");
    let in_stage = hover_text(&mut client, &doc, range_of(FRAUD, "batch 16", 0).start);
    assert!(in_stage.starts_with("statement of `stage`: `batch N wait D`"), "{in_stage}");

    let broken = client.edit(&doc, 2, range_of(FRAUD, "timeout 80ms", 0), "timout 80ms");
    assert_eq!(broken.diagnostics.len(), 1);
    let explained = hover_text(&mut client, &doc, range_of(FRAUD, "timeout 80ms", 0).start);
    assert!(explained.starts_with("**E0102**: unknown statement in a block"), "{explained}");
    client.shutdown();
}

#[test]
fn a_burst_of_changes_is_answered_from_the_last_text() {
    let mut client = Client::start();
    let doc = uri("fraud_detection.mlspec");
    client.open(&doc, FRAUD);
    // Type `timout` over `timeout` one keystroke at a time without waiting, then ask at once.
    let word = range_of(FRAUD, "timeout 80ms", 0).start;
    let at_char = |n: u32| Position::new(word.line, word.character + n);
    let keystrokes =
        [(Range::new(at_char(3), at_char(4)), ""), (Range::new(at_char(0), at_char(0)), "x"), (Range::new(at_char(0), at_char(1)), "")];
    for (version, (range, text)) in keystrokes.iter().enumerate() {
        let change = TextDocumentContentChangeEvent { range: Some(*range), range_length: None, text: text.to_string() };
        client.notify::<lsp_types::notification::DidChangeTextDocument>(DidChangeTextDocumentParams {
            text_document: VersionedTextDocumentIdentifier::new(doc.clone(), version as i32 + 2),
            content_changes: vec![change],
        });
    }
    let explained = hover_text(&mut client, &doc, word);
    assert!(explained.starts_with("**E0102**"), "the hover reads the last text: {explained}");
    let last = keystrokes.len() as i32 + 1;
    let published = loop {
        let p = client.diagnostics();
        if p.version == Some(last) {
            break p;
        }
    };
    let [d] = published.diagnostics.as_slice() else { panic!("one diagnostic: {:?}", published.diagnostics) };
    assert_eq!(d.code, Some(NumberOrString::String("E0102".to_string())));
    assert_eq!(d.range, Range::new(word, at_char(6)));
    client.shutdown();
}
