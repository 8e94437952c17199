//! The test client: drives `mlspec_lsp::run` over an in-memory connection
//! as an editor would, and helpers to address a document's text.
#![allow(dead_code)] // Each test file uses its own part of it.
// Test support: a step that fails fails the test that called it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use lsp_server::{Connection, Message, Notification, ProtocolError, Request, RequestId, Response};
use lsp_types::notification::{DidChangeTextDocument, DidOpenTextDocument, Exit, Initialized, Notification as _, PublishDiagnostics};
use lsp_types::request::{Completion, HoverRequest, Initialize, Shutdown};
use lsp_types::*;
use serde_json::Value;
use std::collections::VecDeque;
use std::thread::JoinHandle;
use std::time::Duration;

pub struct Client {
    pub conn: Connection,
    server: Option<JoinHandle<Result<mlspec_lsp::Ended, ProtocolError>>>,
    next_id: i32,
    /// Notifications that arrived while waiting for a response.
    pending: VecDeque<Notification>,
}

impl Client {
    pub fn start() -> Client {
        let (server_end, client_end) = Connection::memory();
        let server = std::thread::spawn(move || mlspec_lsp::run(&server_end));
        let mut client = Client { conn: client_end, server: Some(server), next_id: 0, pending: VecDeque::new() };
        let init: InitializeResult = client.request::<Initialize>(InitializeParams::default()).unwrap();
        assert_eq!(init.server_info.map(|i| i.name).as_deref(), Some("mlspec"));
        client.notify::<Initialized>(InitializedParams {});
        client
    }

    pub fn raw_request(&mut self, method: &str, params: Value) -> Response {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.conn.sender.send(Message::Request(Request::new(id.clone(), method.to_string(), params))).unwrap();
        loop {
            match self.conn.receiver.recv_timeout(Duration::from_secs(10)).expect("the server answers") {
                Message::Response(r) if r.id == id => return r,
                Message::Notification(n) => self.pending.push_back(n),
                other => panic!("unexpected message {other:?}"),
            }
        }
    }

    pub fn request<R: lsp_types::request::Request>(&mut self, params: R::Params) -> Result<R::Result, lsp_server::ResponseError> {
        let r = self.raw_request(R::METHOD, serde_json::to_value(params).unwrap());
        match (r.result, r.error) {
            (_, Some(e)) => Err(e),
            (Some(v), None) => Ok(serde_json::from_value(v).unwrap()),
            (None, None) => Ok(serde_json::from_value(Value::Null).unwrap()),
        }
    }

    pub fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.conn.sender.send(Message::Notification(Notification::new(N::METHOD.to_string(), params))).unwrap();
    }

    /// The next diagnostics the server publishes.
    pub fn diagnostics(&mut self) -> PublishDiagnosticsParams {
        loop {
            let note = match self.pending.pop_front() {
                Some(n) => n,
                None => match self.conn.receiver.recv_timeout(Duration::from_secs(10)).expect("diagnostics are published") {
                    Message::Notification(n) => n,
                    other => panic!("unexpected message {other:?}"),
                },
            };
            if note.method == PublishDiagnostics::METHOD {
                return serde_json::from_value(note.params).unwrap();
            }
        }
    }

    pub fn open(&mut self, uri: &Uri, text: &str) -> PublishDiagnosticsParams {
        let item = TextDocumentItem::new(uri.clone(), "mlspec".to_string(), 1, text.to_string());
        self.notify::<DidOpenTextDocument>(DidOpenTextDocumentParams { text_document: item });
        self.diagnostics()
    }

    pub fn edit(&mut self, uri: &Uri, version: i32, range: Range, text: &str) -> PublishDiagnosticsParams {
        let change = TextDocumentContentChangeEvent { range: Some(range), range_length: None, text: text.to_string() };
        self.notify::<DidChangeTextDocument>(DidChangeTextDocumentParams {
            text_document: VersionedTextDocumentIdentifier::new(uri.clone(), version),
            content_changes: vec![change],
        });
        self.diagnostics()
    }

    pub fn shutdown(mut self) {
        self.request::<Shutdown>(()).unwrap();
        self.notify::<Exit>(());
        let server = self.server.take().unwrap();
        assert_eq!(server.join().unwrap().unwrap(), mlspec_lsp::Ended::Shutdown);
    }
}

pub fn uri(name: &str) -> Uri {
    format!("file:///work/{name}").parse().unwrap()
}

/// The LSP position (UTF-16 columns) of byte offset `at` of `text`.
pub fn position(text: &str, at: usize) -> Position {
    let before = &text[..at];
    let line = before.matches('\n').count() as u32;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    Position::new(line, text[start..at].encode_utf16().count() as u32)
}

/// The range of the `nth` (from 0) occurrence of `needle` in `text`.
pub fn range_of(text: &str, needle: &str, nth: usize) -> Range {
    let at = text.match_indices(needle).nth(nth).unwrap_or_else(|| panic!("`{needle}` #{nth} in the text")).0;
    Range::new(position(text, at), position(text, at + needle.len()))
}

pub fn at(uri: &Uri, pos: Position) -> TextDocumentPositionParams {
    TextDocumentPositionParams::new(TextDocumentIdentifier::new(uri.clone()), pos)
}

pub fn labels(items: Option<CompletionResponse>) -> Vec<String> {
    match items {
        Some(CompletionResponse::Array(items)) => items.into_iter().map(|i| i.label).collect(),
        Some(CompletionResponse::List(list)) => list.items.into_iter().map(|i| i.label).collect(),
        None => Vec::new(),
    }
}

pub fn complete(client: &mut Client, uri: &Uri, pos: Position) -> Vec<String> {
    labels(
        client
            .request::<Completion>(CompletionParams {
                text_document_position: at(uri, pos),
                work_done_progress_params: Default::default(),
                partial_result_params: Default::default(),
                context: None,
            })
            .unwrap(),
    )
}

pub fn hover_text(client: &mut Client, uri: &Uri, pos: Position) -> String {
    let hover = client.request::<HoverRequest>(HoverParams {
        text_document_position_params: at(uri, pos),
        work_done_progress_params: Default::default(),
    });
    match hover.unwrap().map(|h| h.contents) {
        Some(HoverContents::Markup(m)) => m.value,
        other => panic!("no markdown hover: {other:?}"),
    }
}

pub fn formatting(uri: &Uri) -> DocumentFormattingParams {
    DocumentFormattingParams {
        text_document: TextDocumentIdentifier::new(uri.clone()),
        options: FormattingOptions { tab_size: 2, insert_spaces: true, ..Default::default() },
        work_done_progress_params: Default::default(),
    }
}
