fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let bytes = std::fs::read(&path).unwrap_or_default();
    let t = std::time::Instant::now();
    let parsed = mlspec_compiler::syntax::parse_bytes(&bytes);
    eprintln!("parsed in {:?}", t.elapsed());
    if std::env::args().nth(2).is_some() {
        println!("{:#?}", parsed.file.stmts);
    }
    for d in &parsed.diagnostics {
        println!("{} {:?} {}: {:?}", d.code, d.span, d.message, d.help);
    }
}
