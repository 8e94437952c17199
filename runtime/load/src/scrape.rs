//! One bounded GET of a text page on the target's host (a server's
//! `/metrics`), outside any load run: a plain blocking HTTP/1.1 exchange.
//!
//! **Invariant:** it reads at most [`MAX_PAGE_BYTES`] and gives up after its
//! timeout on any step; a status other than 200, a body that is not UTF-8 or
//! a chunked or truncated answer is an error, never a partial page.

use crate::target::Target;
use std::fmt;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// The largest page read (Prometheus text of a busy server is well below).
pub const MAX_PAGE_BYTES: usize = 16 << 20;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScrapeError {
    Connect { url: String, reason: String },
    Io { url: String, reason: String },
    Status { url: String, status: String },
    TooBig { url: String },
    Malformed { url: String, reason: &'static str },
}

impl fmt::Display for ScrapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScrapeError::Connect { url, reason } => write!(f, "could not connect to {url} ({reason}): is the server running?"),
            ScrapeError::Io { url, reason } => write!(f, "reading {url} failed ({reason})"),
            ScrapeError::Status { url, status } => write!(f, "{url} answered `{status}`, not 200 OK"),
            ScrapeError::TooBig { url } => write!(f, "{url} is over {} MiB: not a metrics page", MAX_PAGE_BYTES >> 20),
            ScrapeError::Malformed { url, reason } => write!(f, "{url} gave a malformed answer ({reason})"),
        }
    }
}

impl std::error::Error for ScrapeError {}

/// GETs `path` (starting with `/`) on the target's host and port.
pub fn get(target: &Target, path: &str, timeout: Duration) -> Result<String, ScrapeError> {
    let url = format!("http://{}{path}", target.authority);
    let io = |e: std::io::Error| ScrapeError::Io { url: url.clone(), reason: e.to_string() };
    let mut stream =
        TcpStream::connect_timeout(&target.addr, timeout).map_err(|e| ScrapeError::Connect { url: url.clone(), reason: e.to_string() })?;
    stream.set_read_timeout(Some(timeout)).map_err(io)?;
    stream.set_write_timeout(Some(timeout)).map_err(io)?;
    let request = format!("GET {path} HTTP/1.1\r\nhost: {}\r\naccept: text/plain\r\nconnection: close\r\n\r\n", target.authority);
    stream.write_all(request.as_bytes()).map_err(io)?;
    let mut raw = Vec::new();
    stream.take(MAX_PAGE_BYTES as u64 + 64 * 1024 + 1).read_to_end(&mut raw).map_err(io)?;
    if raw.len() > MAX_PAGE_BYTES + 64 * 1024 {
        return Err(ScrapeError::TooBig { url });
    }
    let malformed = |reason| ScrapeError::Malformed { url: url.clone(), reason };
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| malformed("no end of headers"))?;
    let head = std::str::from_utf8(&raw[..end]).map_err(|_| malformed("headers are not text"))?;
    let body = &raw[end + 4..];
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap_or_default();
    if status.split_whitespace().nth(1) != Some("200") {
        return Err(ScrapeError::Status { url, status: status.chars().take(100).collect() });
    }
    let mut length = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else { continue };
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
        if name == "transfer-encoding" && !value.eq_ignore_ascii_case("identity") {
            return Err(malformed("chunked answers are not read"));
        }
        if name == "content-length" {
            length = Some(value.parse::<usize>().map_err(|_| malformed("bad content-length"))?);
        }
    }
    if let Some(n) = length {
        if body.len() < n {
            return Err(malformed("the body is shorter than its content-length"));
        }
    }
    let body = &body[..length.unwrap_or(body.len()).min(body.len())];
    if body.len() > MAX_PAGE_BYTES {
        return Err(ScrapeError::TooBig { url });
    }
    String::from_utf8(body.to_vec()).map_err(|_| malformed("the body is not UTF-8"))
}
