//! What a keystroke costs: an edit of one character sent to the server
//! until its diagnostics come back (incremental change, re-parse, re-check,
//! re-index, diagnostics to JSON), on the largest example and on a
//! generated spec of 10,000 lines (aims: under 5 ms and under 50 ms).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, Criterion};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::json;
use std::time::Duration;

struct Session {
    client: Connection,
    server: Option<std::thread::JoinHandle<()>>,
    version: i32,
}

impl Session {
    fn open(text: &str) -> Session {
        let (server_end, client) = Connection::memory();
        let server = std::thread::spawn(move || {
            mlspec_lsp::run(&server_end).unwrap();
        });
        let init = Request::new(RequestId::from(1), "initialize".to_string(), json!({ "capabilities": {} }));
        client.sender.send(init.into()).unwrap();
        client.receiver.recv_timeout(Duration::from_secs(10)).unwrap();
        let session = Session { client, server: Some(server), version: 1 };
        session.notify("initialized", json!({}));
        session.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": "file:///bench.mlspec", "languageId": "mlspec", "version": 1, "text": text } }),
        );
        session.published();
        session
    }

    fn notify(&self, method: &str, params: serde_json::Value) {
        self.client.sender.send(Notification::new(method.to_string(), params).into()).unwrap();
    }

    fn published(&self) {
        match self.client.receiver.recv_timeout(Duration::from_secs(10)).unwrap() {
            Message::Notification(n) if n.method == "textDocument/publishDiagnostics" => {}
            other => panic!("unexpected {other:?}"),
        }
    }

    /// Types `x` at the start of line 1 or deletes it again, then waits for the diagnostics.
    fn keystroke(&mut self) {
        self.version += 1;
        let typed = self.version % 2 == 0;
        let end = if typed { 0 } else { 1 };
        let change = json!({ "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": end } },
                             "text": if typed { "x" } else { "" } });
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": "file:///bench.mlspec", "version": self.version }, "contentChanges": [change] }),
        );
        self.published();
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let shutdown = Request::new(RequestId::from(2), "shutdown".to_string(), json!(null));
        let _ = self.client.sender.send(shutdown.into());
        let _ = self.client.receiver.recv_timeout(Duration::from_secs(10));
        self.notify("exit", json!(null));
        if let Some(server) = self.server.take() {
            let _ = server.join();
        }
    }
}

fn bench(c: &mut Criterion) {
    let largest = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../specs"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .max_by_key(String::len)
        .unwrap();
    let generated = mlspec_syntax::testing::generated_spec(10_000);
    let mut g = c.benchmark_group("lsp_edit");
    for (name, text) in [("largest_example", &largest), ("generated_10k_lines", &generated)] {
        let mut session = Session::open(text);
        g.bench_function(name, |b| b.iter(|| session.keystroke()));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
