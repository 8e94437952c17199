//! `mlspec explain CODE` and `mlspec explain --list`

use crate::io;
use mlspec_diag::codes::{lookup, CODES};

pub fn run(code: Option<&str>, list: bool) -> u8 {
    if list || code.is_none() {
        let mut s = String::new();
        for c in CODES {
            s.push_str(&format!("{}  {}\n", c.code, c.title));
        }
        io::print(&s);
        return if list { 0 } else { 2 };
    }
    let code = code.unwrap_or_default();
    match lookup(code) {
        Some(c) => {
            io::print(c.explanation);
            0
        }
        None => {
            io::error(&format!("no diagnostic code `{code}`; `mlspec explain --list` lists them"));
            2
        }
    }
}
