//! What `load` and `calibrate` share: the server's URL, the request bodies
//! and extra headers, read and checked before anything is sent.

use crate::failure::Failure;
use crate::io;
use mlspec_load::Target;

/// The most request bodies read from a file, and the largest file.
pub const MAX_BODIES: usize = 10_000_000;
pub const MAX_BODIES_BYTES: usize = 1 << 30;

pub fn target(url: &str, allow_remote: bool) -> Result<Target, Failure> {
    Target::parse(url, allow_remote).map_err(|e| Failure::Usage(format!("--url: {e}")))
}

/// The bodies of `--bodies FILE`: one JSON object per line (blank lines
/// skipped), sent in turn.
pub fn bodies(path: Option<&str>) -> Result<Vec<Vec<u8>>, Failure> {
    let Some(path) = path else {
        return Err(Failure::Usage(
            "--bodies: give a file of request bodies, one JSON object per line (a generated project writes them: `python bodies.py --out bodies.jsonl --count 20000`)"
                .to_string(),
        ));
    };
    let bytes = io::read_input(path).map_err(Failure::Usage)?;
    if bytes.len() > MAX_BODIES_BYTES {
        return Err(Failure::Usage(format!("--bodies: `{path}` is over {} MiB", MAX_BODIES_BYTES >> 20)));
    }
    let mut out = Vec::new();
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<serde_json::Value>(line) {
            Ok(serde_json::Value::Object(_)) => {}
            _ => return Err(Failure::Usage(format!("--bodies: line {} of `{path}` is not a JSON object", i + 1))),
        }
        if line.len() > mlspec_load::MAX_BODY_BYTES || out.len() >= MAX_BODIES {
            return Err(Failure::Usage(format!("--bodies: `{path}` has a body over 1 MiB or more than {MAX_BODIES} bodies")));
        }
        out.push(line.to_vec());
    }
    if out.is_empty() {
        return Err(Failure::Usage(format!("--bodies: `{path}` has no request body")));
    }
    Ok(out)
}

/// `--header "name: value"`, each checked by the load generator before a request is sent.
pub fn headers(given: &[String]) -> Result<Vec<(String, String)>, Failure> {
    given
        .iter()
        .map(|h| match h.split_once(':') {
            Some((name, value)) if !name.trim().is_empty() => Ok((name.trim().to_string(), value.trim().to_string())),
            _ => Err(Failure::Usage(format!("--header: `{h}` is not `name: value`"))),
        })
        .collect()
}
