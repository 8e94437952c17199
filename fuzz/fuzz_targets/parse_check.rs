//! Any bytes: parse and check must not panic; applying every fix (as
//! `check --fix` does) must not panic and gives text that checks; when the
//! text parses cleanly, formatting it must give text that parses to the same
//! tree and formats to itself; the graph, the review and the design
//! document of a clean design must build.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mlspec_check as analysis;
use mlspec_ir::graph;
use mlspec_review::{self as review, doc as docs};
use mlspec_syntax::{self as syntax, fmt};

fuzz_target!(|data: &[u8]| {
    let a = analysis::check_bytes(data);
    if let Ok(src) = std::str::from_utf8(data) {
        let (fixed, _) = mlspec_diag::apply_fixes(src, &a.diagnostics);
        let _ = analysis::check_source(&fixed);
    }
    if let Ok(design) = a.design() {
        let g = graph::build(&design);
        let _ = graph::to_dot(&design, &g);
        let text = String::from_utf8_lossy(data);
        let r = review::review(&design, &text);
        let _ = review::render::json(&r, true);
        let _ = docs::generate(&design, &text, &r);
    }
    let Ok(src) = std::str::from_utf8(data) else { return };
    let p1 = syntax::parse(src);
    if !p1.diagnostics.is_empty() {
        return;
    }
    let f1 = fmt::format(&p1.file, src);
    let p2 = syntax::parse(&f1);
    assert!(p2.diagnostics.is_empty(), "formatted text does not parse");
    assert_eq!(fmt::normalized(&p1.file), fmt::normalized(&p2.file), "fmt changed the tree");
    assert_eq!(fmt::format(&p2.file, &f1), f1, "fmt is not idempotent");
});
