//! `mlspec doc FILE [--out FILE]`

use crate::io;
use mlspec_compiler::{docs, review};

pub fn run(path: &str, out: Option<&str>) -> u8 {
    let (design, src) = match super::load_design(path, "document it") {
        Ok(x) => x,
        Err(code) => return code,
    };
    let r = review::review(&design, &src);
    let doc = docs::generate(&design, &src, &r);
    match out {
        None | Some("-") => {
            io::print(&doc);
            0
        }
        Some(file) => match io::write_atomic(file, &doc) {
            Ok(()) => {
                eprintln!("wrote {file}");
                0
            }
            Err(e) => {
                io::error(&e);
                2
            }
        },
    }
}
