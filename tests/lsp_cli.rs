//! `mlspec lsp` as an editor runs it: JSON-RPC over the real stdin and
//! stdout of the binary.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

fn frame(body: &serde_json::Value) -> Vec<u8> {
    let body = body.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// Reads one framed message (test support: a broken frame fails the test).
#[allow(clippy::unwrap_used)]
fn read_message(out: &mut impl BufRead) -> serde_json::Value {
    let mut length = 0;
    loop {
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    out.read_exact(&mut body).unwrap();
    serde_json::from_slice(&body).unwrap()
}

#[test]
fn lsp_answers_initialize_over_stdio_and_exits_on_exit() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mlspec"))
        .args(["lsp", "--stdio"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());

    stdin
        .write_all(&frame(&serde_json::json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "capabilities": {} } })))
        .unwrap();
    stdin.flush().unwrap();
    let init = read_message(&mut stdout);
    assert_eq!(init["id"], 1);
    assert_eq!(init["result"]["serverInfo"]["name"], "mlspec");
    assert_eq!(init["result"]["capabilities"]["textDocumentSync"], 2, "incremental sync");

    for message in [
        serde_json::json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }),
        serde_json::json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": {
            "uri": "file:///t.mlspec", "languageId": "mlspec", "version": 1, "text": "system s {\n  problm { }\n}\n" } } }),
    ] {
        stdin.write_all(&frame(&message)).unwrap();
    }
    stdin.flush().unwrap();
    let published = read_message(&mut stdout);
    assert_eq!(published["method"], "textDocument/publishDiagnostics");
    assert_eq!(published["params"]["diagnostics"][0]["code"], "E0101");

    stdin.write_all(&frame(&serde_json::json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown" }))).unwrap();
    stdin.flush().unwrap();
    let shutdown = read_message(&mut stdout);
    assert_eq!(shutdown["id"], 2);
    assert!(shutdown["result"].is_null());
    stdin.write_all(&frame(&serde_json::json!({ "jsonrpc": "2.0", "method": "exit" }))).unwrap();
    stdin.flush().unwrap();

    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(status.success(), "exit status {status}, stderr: {stderr}");
}
