//! File and console helpers shared by the commands.

use std::io::{IsTerminal, Read, Write};

/// Reads a spec: a path, or `-` for standard input.
pub fn read_input(path: &str) -> Result<Vec<u8>, String> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(buf);
    }
    std::fs::read(path).map_err(|e| format!("cannot read `{path}`: {e}"))
}

/// Text for renderers: the bytes as UTF-8 (lossy only for files the
/// compiler already rejected as not UTF-8).
pub fn as_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Colour only on a terminal, never with NO_COLOR set.
pub fn use_color(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// Writes to stdout, ignoring a closed pipe (`mlspec check | head`).
pub fn print(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}

pub fn error(msg: &str) {
    let color = use_color(std::io::stderr().is_terminal());
    let head = if color { "\x1b[1;31merror\x1b[0m" } else { "error" };
    eprintln!("{head}: {msg}");
}

/// Writes a file through a temporary file and a rename.
pub fn write_atomic(path: &str, contents: &str) -> Result<(), String> {
    let p = std::path::Path::new(path);
    let dir = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.mlspec-tmp"));
    std::fs::write(&tmp, contents).map_err(|e| format!("cannot write `{}`: {e}", tmp.display()))?;
    std::fs::rename(&tmp, p).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot replace `{path}`: {e}")
    })
}

/// A progress bar on stderr for long runs, drawn only on a terminal.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    pub fn new(label: &str) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = indicatif::ProgressBar::with_draw_target(Some(1000), indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {percent:>3}% eta {eta}") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(label.to_string());
        Progress { bar: Some(bar) }
    }

    pub fn set(&mut self, share: f64) {
        if let Some(b) = &self.bar {
            b.set_position((share.clamp(0.0, 1.0) * 1000.0) as u64);
        }
    }

    pub fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}

/// Creates a new file; refuses (without touching it) when the path exists.
pub fn write_new(path: &str, contents: &str) -> Result<(), String> {
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!("`{path}` already exists; it was left unchanged (choose another name or remove it)")
        } else {
            format!("cannot create `{path}`: {e}")
        }
    })?;
    f.write_all(contents.as_bytes()).map_err(|e| format!("cannot write `{path}`: {e}"))
}
