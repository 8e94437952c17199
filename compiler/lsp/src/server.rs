//! The main loop: initialize, then requests and notifications until
//! shutdown and exit.
//!
//! **Invariant:** a request always gets one response, and a failure inside
//! a handler (a bad parameter, a refused edit, even a panic) becomes an
//! error response or is dropped for a notification: the server goes on.
//! **Invariant:** documents are analysed when the client has nothing more
//! queued, and always before a request is answered, so a burst of changes
//! costs one analysis and no answer reads a stale one.

use crate::analysis::Analyzed;
use crate::convert::LineMap;
use crate::documents::Documents;
use crate::{code_action, completion, diagnostics, folding, formatting, hover, navigation, outline, rename, semantic, signature};
use lsp_server::{Connection, ErrorCode, Message, Notification, ProtocolError, Request, RequestId, Response};
use lsp_types::notification::{DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _, PublishDiagnostics};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, FoldingRangeRequest, Formatting, GotoDefinition, HoverRequest, References,
    Rename, Request as _, SemanticTokensFullRequest, SignatureHelpRequest, WorkspaceSymbolRequest,
};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, FoldingRangeProviderCapability, HoverProviderCapability, OneOf,
    PublishDiagnosticsParams, SemanticTokensFullOptions, SemanticTokensOptions, SemanticTokensServerCapabilities, ServerCapabilities,
    SignatureHelpOptions, TextDocumentPositionParams, TextDocumentSyncCapability, TextDocumentSyncKind, Uri,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The explanations' page when the client names none
/// (`initializationOptions.diagnosticsUrl`): mlspec's generated reference,
/// relative to a checkout of mlspec.
pub const DEFAULT_DIAGNOSTICS_URL: &str = "docs/diagnostics.md";

pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::INCREMENTAL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions { trigger_characters: Some(vec![".".to_string()]), ..CompletionOptions::default() }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        rename_provider: Some(OneOf::Left(true)),
        signature_help_provider: Some(SignatureHelpOptions {
            trigger_characters: Some(vec!["(".to_string(), ",".to_string()]),
            ..SignatureHelpOptions::default()
        }),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(SemanticTokensOptions {
            legend: semantic::legend(),
            full: Some(SemanticTokensFullOptions::Bool(true)),
            range: None,
            ..SemanticTokensOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

/// How a session ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// `shutdown`, then `exit`; or the client closed the connection.
    Shutdown,
    /// `exit` without `shutdown` first: the process should exit with 1.
    ExitWithoutShutdown,
}

/// Runs a whole session on `connection`: the handshake, then messages until
/// `shutdown` and `exit` (or until the client goes away).
pub fn run(connection: &Connection) -> Result<Ended, ProtocolError> {
    let (id, params) = connection.initialize_start()?;
    // Read the one option by hand: a client's other parameters never stop the session.
    let diagnostics_url = params
        .get("initializationOptions")
        .and_then(|o| o.get("diagnosticsUrl"))
        .and_then(Value::as_str)
        .map_or_else(|| DEFAULT_DIAGNOSTICS_URL.to_string(), str::to_string);
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": { "name": "mlspec", "version": env!("CARGO_PKG_VERSION") },
    });
    connection.initialize_finish(id, result)?;
    let mut server = Server { documents: Documents::default(), diagnostics_url };
    for message in &connection.receiver {
        let mut replies = match message {
            Message::Request(req) => {
                if connection.handle_shutdown(&req)? {
                    return Ok(Ended::Shutdown);
                }
                // The request reads the current text's analysis.
                let mut replies = server.analyse_pending();
                replies.push(Message::Response(server.request(req)));
                replies
            }
            Message::Notification(note) => {
                if note.method == lsp_types::notification::Exit::METHOD {
                    return Ok(Ended::ExitWithoutShutdown);
                }
                server.notification(note)
            }
            Message::Response(_) => Vec::new(),
        };
        // Analyse once the client has sent everything it had: a burst of
        // changes is analysed once, after its last one.
        if connection.receiver.is_empty() {
            replies.extend(server.analyse_pending());
        }
        for reply in replies {
            if connection.sender.send(reply).is_err() {
                return Ok(Ended::Shutdown); // The client is gone.
            }
        }
    }
    Ok(Ended::Shutdown)
}

struct Server {
    documents: Documents,
    diagnostics_url: String,
}

/// Why a request got no result.
struct Failure {
    code: ErrorCode,
    message: String,
}

impl Failure {
    fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Failure { code, message: message.into() }
    }
}

fn params<P: DeserializeOwned>(value: Value) -> Result<P, Failure> {
    serde_json::from_value(value).map_err(|e| Failure::new(ErrorCode::InvalidParams, format!("invalid parameters: {e}")))
}

fn result<R: serde::Serialize>(value: R) -> Result<Value, Failure> {
    serde_json::to_value(value).map_err(|e| Failure::new(ErrorCode::InternalError, e.to_string()))
}

impl Server {
    fn request(&mut self, req: Request) -> Response {
        let id: RequestId = req.id.clone();
        let outcome = catch_unwind(AssertUnwindSafe(|| self.dispatch(req)));
        match outcome {
            Ok(Ok(value)) => Response { id, result: Some(value), error: None },
            Ok(Err(failure)) => Response::new_err(id, failure.code as i32, failure.message),
            Err(_) => Response::new_err(id, ErrorCode::InternalError as i32, "internal error in the mlspec language server".to_string()),
        }
    }

    fn dispatch(&mut self, req: Request) -> Result<Value, Failure> {
        match req.method.as_str() {
            HoverRequest::METHOD => {
                let p: lsp_types::HoverParams = params(req.params)?;
                let (doc, offset) = self.at(&p.text_document_position_params)?;
                result(hover::hover(doc, offset))
            }
            GotoDefinition::METHOD => {
                let p: lsp_types::GotoDefinitionParams = params(req.params)?;
                let uri = p.text_document_position_params.text_document.uri.clone();
                let (doc, offset) = self.at(&p.text_document_position_params)?;
                result(navigation::definition(doc, &uri, offset))
            }
            References::METHOD => {
                let p: lsp_types::ReferenceParams = params(req.params)?;
                let uri = p.text_document_position.text_document.uri.clone();
                let (doc, offset) = self.at(&p.text_document_position)?;
                result(navigation::references(doc, &uri, offset, p.context.include_declaration))
            }
            Completion::METHOD => {
                let p: lsp_types::CompletionParams = params(req.params)?;
                let (doc, offset) = self.at(&p.text_document_position)?;
                result(completion::complete(doc, offset))
            }
            DocumentSymbolRequest::METHOD => {
                let p: lsp_types::DocumentSymbolParams = params(req.params)?;
                result(outline::document_symbols(self.document(&p.text_document.uri)?))
            }
            Formatting::METHOD => {
                let p: lsp_types::DocumentFormattingParams = params(req.params)?;
                let edits =
                    formatting::format(self.document(&p.text_document.uri)?).map_err(|m| Failure::new(ErrorCode::RequestFailed, m))?;
                result(edits)
            }
            CodeActionRequest::METHOD => {
                let p: lsp_types::CodeActionParams = params(req.params)?;
                let doc = self.document(&p.text_document.uri)?;
                result(code_action::code_actions(doc, &p.text_document.uri, p.range))
            }
            Rename::METHOD => {
                let p: lsp_types::RenameParams = params(req.params)?;
                let uri = p.text_document_position.text_document.uri.clone();
                let (doc, offset) = self.at(&p.text_document_position)?;
                let edit = rename::rename(doc, &uri, offset, &p.new_name).map_err(|m| Failure::new(ErrorCode::InvalidParams, m))?;
                result(edit)
            }
            SignatureHelpRequest::METHOD => {
                let p: lsp_types::SignatureHelpParams = params(req.params)?;
                let (doc, offset) = self.at(&p.text_document_position_params)?;
                result(signature::signature_help(&doc.text, offset))
            }
            FoldingRangeRequest::METHOD => {
                let p: lsp_types::FoldingRangeParams = params(req.params)?;
                result(folding::folding_ranges(self.document(&p.text_document.uri)?))
            }
            WorkspaceSymbolRequest::METHOD => {
                let p: lsp_types::WorkspaceSymbolParams = params(req.params)?;
                let documents = self.documents.all().map(|(uri, d)| (uri, &d.analyzed));
                result(navigation::workspace_symbols(documents, &p.query))
            }
            SemanticTokensFullRequest::METHOD => {
                let p: lsp_types::SemanticTokensParams = params(req.params)?;
                result(semantic::tokens(self.document(&p.text_document.uri)?))
            }
            other => Err(Failure::new(ErrorCode::MethodNotFound, format!("unsupported request `{other}`"))),
        }
    }

    fn document(&self, uri: &Uri) -> Result<&Analyzed, Failure> {
        self.documents
            .get(uri)
            .map(|d| &d.analyzed)
            .ok_or_else(|| Failure::new(ErrorCode::InvalidParams, format!("`{}` is not open", uri.as_str())))
    }

    fn at(&self, p: &TextDocumentPositionParams) -> Result<(&Analyzed, usize), Failure> {
        let doc = self.document(&p.text_document.uri)?;
        Ok((doc, LineMap::new(&doc.text).offset(p.position)))
    }

    /// Analyses the documents changed since their last analysis; their
    /// diagnostics to publish. A failure inside publishes nothing for them.
    fn analyse_pending(&mut self) -> Vec<Message> {
        catch_unwind(AssertUnwindSafe(|| {
            let analysed = self.documents.analyse_pending();
            analysed
                .into_iter()
                .filter_map(|uri| {
                    let doc = self.documents.get(&uri)?;
                    let diagnostics = diagnostics::to_lsp(&doc.analyzed, &uri, &self.diagnostics_url);
                    Some(publish(uri, Some(doc.version), diagnostics))
                })
                .collect()
        }))
        .unwrap_or_default()
    }

    /// Handles a notification; what to send back at once (the cleared
    /// diagnostics of a closed document).
    fn notification(&mut self, note: Notification) -> Vec<Message> {
        catch_unwind(AssertUnwindSafe(|| self.notify(note))).unwrap_or_default()
    }

    fn notify(&mut self, note: Notification) -> Vec<Message> {
        match note.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(note.params) {
                    self.documents.open(&p.text_document.uri, p.text_document.version, p.text_document.text);
                }
                Vec::new()
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(note.params) {
                    self.documents.change(&p.text_document.uri, p.text_document.version, p.content_changes);
                }
                Vec::new()
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(note.params) else { return Vec::new() };
                self.documents.close(&p.text_document.uri);
                vec![publish(p.text_document.uri, None, Vec::new())]
            }
            _ => Vec::new(),
        }
    }
}

fn publish(uri: Uri, version: Option<i32>, diagnostics: Vec<lsp_types::Diagnostic>) -> Message {
    let params = PublishDiagnosticsParams { uri, diagnostics, version };
    Message::Notification(Notification::new(PublishDiagnostics::METHOD.to_string(), params))
}
