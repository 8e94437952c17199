//! Times parse and check of a spec file, and the one-thread parse:
//! `cargo run --release -p mlspec-check --example dump FILE`.
fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let src = std::fs::read_to_string(&path).unwrap_or_default();
    for _ in 0..5 {
        let t = std::time::Instant::now();
        let seq = mlspec_syntax::parse_sequential(&src);
        let t0 = t.elapsed();
        drop(seq);
        let t = std::time::Instant::now();
        let parsed = mlspec_syntax::parse(&src);
        let t1 = t.elapsed();
        let a = mlspec_check::analyze(&parsed.file);
        let t2 = t.elapsed();
        eprintln!(
            "parse (one thread) {t0:?}  parse {t1:?}  analyze {:?}  ({} diagnostics)",
            t2 - t1,
            a.diagnostics.len() + parsed.diagnostics.len()
        );
    }
}
