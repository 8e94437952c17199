//! `mlspec simulate FILE [--scenario S] [--serving S] [--seed N] [--requests N] [--format F] [--out FILE]`

use crate::io;
use crate::SimFormat;
use mlspec_runtime::load::{simulate, Overrides};
use mlspec_runtime::report;

pub struct Options<'a> {
    pub file: &'a str,
    pub scenario: Option<&'a str>,
    pub serving: Option<&'a str>,
    pub seed: Option<u64>,
    pub requests: Option<&'a str>,
    pub format: SimFormat,
    pub out: Option<&'a str>,
}

pub fn run(o: &Options<'_>) -> u8 {
    let requests = match o.requests.map(mlspec_compiler::syntax::parse_count).transpose() {
        Ok(n) => n,
        Err(e) => {
            io::error(&format!("--requests: {e}"));
            return 2;
        }
    };
    let prepared = match super::prepare(o.file, o.serving, o.scenario, &Overrides { seed: o.seed, requests }) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut bar = io::Progress::new(&format!("simulating {}", prepared.plan.scenario));
    let result = simulate(&prepared.plan, &mut |share| bar.set(share));
    bar.finish();
    let text = match o.format {
        SimFormat::Human => report::human(&result),
        SimFormat::Json => report::json(&result),
        SimFormat::Markdown => report::markdown(&result),
        SimFormat::Html => report::html(&result),
    };
    match o.out {
        Some(path) => match io::write_atomic(path, &text) {
            Ok(()) => {
                eprintln!("{}\nwrote {path}", report::verdict(&result));
                0
            }
            Err(e) => {
                io::error(&e);
                2
            }
        },
        None => {
            io::print(&text);
            0
        }
    }
}
