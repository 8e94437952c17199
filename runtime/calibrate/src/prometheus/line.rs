//! One line of the exposition: a blank, a comment (of which `# TYPE` is
//! kept), or a sample
//! `name{label="value",...} value [timestamp]`.
//!
//! **Invariant:** the cursor only stops on character boundaries and reads
//! through `str::get`, so no line, however malformed, makes it panic.

use super::ParseError;

/// What a line holds.
pub(super) enum Line {
    Blank,
    /// Any comment but `# TYPE` (`# HELP` included).
    Comment,
    /// `# TYPE name kind`, the kind lowercased.
    Type {
        name: String,
        kind: String,
    },
    Sample(Sample),
}

/// One sample, labels as written (names unique), timestamp dropped.
pub(super) struct Sample {
    pub line: usize,
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: f64,
}

/// Reads line number `line` (1-based), without its `\n`.
pub(super) fn parse(text: &str, line: usize) -> Result<Line, ParseError> {
    let text = text.strip_suffix('\r').unwrap_or(text).trim_matches([' ', '\t']);
    if text.is_empty() {
        return Ok(Line::Blank);
    }
    if let Some(comment) = text.strip_prefix('#') {
        let mut words = comment.split([' ', '\t']).filter(|w| !w.is_empty());
        if words.next() == Some("TYPE") {
            if let (Some(name), Some(kind)) = (words.next(), words.next()) {
                return Ok(Line::Type { name: name.to_string(), kind: kind.to_ascii_lowercase() });
            }
        }
        return Ok(Line::Comment);
    }
    Cursor { text, pos: 0, line }.sample().map(Line::Sample)
}

/// A sample value or bucket bound: a decimal float, `+Inf`, `-Inf` or
/// `NaN` (any case, as Go's and Python's parsers accept).
pub(super) fn number(text: &str) -> Option<f64> {
    let ok = !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if ok {
        text.parse().ok()
    } else {
        None
    }
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn blanks(&mut self) {
        while self.eat(' ') || self.eat('\t') {}
    }

    /// A metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`) or, without colons, a
    /// label name.
    fn name(&mut self, colons: bool) -> Option<&'a str> {
        let rest = self.rest();
        let ok = |i: usize, b: u8| b.is_ascii_alphabetic() || b == b'_' || (colons && b == b':') || (i > 0 && b.is_ascii_digit());
        let len = rest.bytes().enumerate().take_while(|&(i, b)| ok(i, b)).count();
        if len == 0 {
            return None;
        }
        self.pos += len;
        rest.get(..len)
    }

    /// Up to the next blank or the end.
    fn word(&mut self) -> &'a str {
        let rest = self.rest();
        let len = rest.find([' ', '\t']).unwrap_or(rest.len());
        self.pos += len;
        rest.get(..len).unwrap_or("")
    }

    /// A label value after its opening quote, through the closing one.
    fn quoted(&mut self, label: &str) -> Result<String, ParseError> {
        let mut out = String::new();
        let mut chars = self.rest().chars();
        while let Some(c) = chars.next() {
            self.pos += c.len_utf8();
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let escaped = chars.next();
                    self.pos += escaped.map_or(0, char::len_utf8);
                    match escaped {
                        Some('\\') => out.push('\\'),
                        Some('"') => out.push('"'),
                        Some('n') => out.push('\n'),
                        Some(other) => return Err(self.error(format!("unknown escape `\\{other}` in the value of label `{label}`"))),
                        None => break,
                    }
                }
                c => out.push(c),
            }
        }
        Err(self.error(format!("the value of label `{label}` has no closing `\"`")))
    }

    fn error(&self, message: String) -> ParseError {
        ParseError::Syntax { line: self.line, message }
    }

    /// What the cursor is at, for a message: the next few characters.
    fn found(&self) -> String {
        let rest = self.rest();
        if rest.is_empty() {
            return "the end of the line".to_string();
        }
        let shown: String = rest.chars().take(24).collect();
        let more = if shown.len() < rest.len() { "…" } else { "" };
        format!("`{shown}{more}`")
    }

    fn sample(mut self) -> Result<Sample, ParseError> {
        let Some(name) = self.name(true) else {
            return Err(self.error(format!("expected a metric name, found {}", self.found())));
        };
        let name = name.to_string();
        self.blanks();
        let labels = if self.eat('{') { self.labels()? } else { Vec::new() };
        self.blanks();
        let word = self.word();
        if word.is_empty() {
            return Err(self.error(format!("`{name}` has no value")));
        }
        let Some(value) = number(word) else {
            let shown: String = word.chars().take(24).collect();
            return Err(self.error(format!("the value of `{name}` is `{shown}`, not a number")));
        };
        self.blanks();
        let stamp = self.word();
        if !stamp.is_empty() && stamp.parse::<i64>().is_err() {
            let shown: String = stamp.chars().take(24).collect();
            return Err(self.error(format!("expected a timestamp (integer milliseconds) after the value of `{name}`, found `{shown}`")));
        }
        self.blanks();
        if !self.rest().is_empty() {
            return Err(self.error(format!("unexpected {} after the sample", self.found())));
        }
        Ok(Sample { line: self.line, name, labels, value })
    }

    /// Labels after `{`, through `}`; a trailing comma is allowed.
    fn labels(&mut self) -> Result<Vec<(String, String)>, ParseError> {
        let mut labels: Vec<(String, String)> = Vec::new();
        loop {
            self.blanks();
            if self.eat('}') {
                return Ok(labels);
            }
            let Some(label) = self.name(false) else {
                return Err(self.error(format!("expected a label name or `}}`, found {}", self.found())));
            };
            self.blanks();
            if !self.eat('=') {
                return Err(self.error(format!("expected `=` after label `{label}`, found {}", self.found())));
            }
            self.blanks();
            if !self.eat('"') {
                return Err(self.error(format!("expected `\"` to open the value of label `{label}`, found {}", self.found())));
            }
            let value = self.quoted(label)?;
            if labels.iter().any(|(n, _)| n == label) {
                return Err(self.error(format!("label `{label}` appears twice")));
            }
            labels.push((label.to_string(), value));
            self.blanks();
            if !self.eat(',') && self.peek() != Some('}') {
                return Err(self.error(format!("expected `,` or `}}` after the value of label `{label}`, found {}", self.found())));
            }
        }
    }
}
