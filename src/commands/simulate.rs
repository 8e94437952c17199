//! `mlspec simulate FILE [--scenario S] [--serving S] [--seed N] [--requests N] [--format F] [--out FILE]`

use crate::io;
use crate::{SimArgs, SimFormat};
use mlspec_runtime::load::simulate;
use mlspec_runtime::report;

pub fn run(sim: &SimArgs, format: SimFormat, out: Option<&str>) -> u8 {
    let requests = match super::requests(sim) {
        Ok(n) => n,
        Err(code) => return code,
    };
    let plan = match super::prepare(sim, requests) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut bar = io::Progress::new(&format!("simulating {}", plan.scenario));
    let result = simulate(&plan, &mut |share| bar.set(share));
    bar.finish();
    let text = match format {
        SimFormat::Human => report::human(&result),
        SimFormat::Json => report::json(&result),
        SimFormat::Markdown => report::markdown(&result),
        SimFormat::Html => report::html(&result),
    };
    match out {
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
