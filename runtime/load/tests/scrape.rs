//! The metrics GET: a page, or an error that says why.

#![allow(clippy::unwrap_used)]

use mlspec_load::{get, ScrapeError, Target};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

/// Serves one connection with `answer` and returns its URL.
fn once(answer: &'static [u8]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 1024];
        let _ = s.read(&mut buf);
        let _ = s.write_all(answer);
    });
    format!("http://127.0.0.1:{port}/")
}

fn fetch(answer: &'static [u8]) -> Result<String, ScrapeError> {
    let target = Target::parse(&once(answer), false).unwrap();
    get(&target, "/metrics", Duration::from_secs(5))
}

#[test]
fn a_page_is_its_body() {
    let page = fetch(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 6\r\n\r\na 1.0\nextra").unwrap();
    assert_eq!(page, "a 1.0\n");
    let page = fetch(b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nb 2.0\n").unwrap();
    assert_eq!(page, "b 2.0\n");
}

#[test]
fn anything_else_is_an_error() {
    assert!(matches!(fetch(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"), Err(ScrapeError::Status { .. })));
    assert!(matches!(fetch(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort"), Err(ScrapeError::Malformed { .. })));
    assert!(matches!(
        fetch(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        Err(ScrapeError::Malformed { .. })
    ));
    assert!(matches!(fetch(b"HTTP/1.1 200 OK\r\n\r\n\xff\xfe"), Err(ScrapeError::Malformed { .. })));
    assert!(matches!(fetch(b"garbage"), Err(ScrapeError::Malformed { .. })));
    // Nothing listens on a port just freed.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let target = Target::parse(&format!("http://127.0.0.1:{port}/"), false).unwrap();
    let e = get(&target, "/metrics", Duration::from_secs(5)).unwrap_err();
    assert!(matches!(e, ScrapeError::Connect { .. }) && e.to_string().contains("is the server running"), "{e}");
}
