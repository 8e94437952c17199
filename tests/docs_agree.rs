//! Figures quoted in the docs and in scripts' own headers, held to the code
//! that produces them: a constant changed without its documentation (or the
//! other way round) fails here.

use mlspec_ir::numbers::{count, dur, pct};
use mlspec_sim::plan::{AUTOSCALE_PERIOD_S, AUTOSCALE_TOLERANCE, SCALE_DOWN_WINDOW_S};

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The default of `${NAME:-DEFAULT}` in a shell script.
fn shell_default(script: &str, name: &str) -> String {
    let key = format!("${{{name}:-");
    let at = script.find(&key).unwrap_or_else(|| panic!("no {key} in the script")) + key.len();
    script[at..].split('}').next().unwrap_or_default().to_string()
}

/// The load stage's header states the defaults the stage runs with.
#[test]
fn the_load_stage_header_states_its_defaults() {
    let script = read("scripts/test_generated_python.sh");
    let header: String = script.lines().take_while(|l| l.starts_with('#')).collect::<Vec<_>>().join(" ");
    let header = header.split_whitespace().filter(|w| *w != "#").collect::<Vec<_>>().join(" ");
    for (name, unit) in [("MLSPEC_LOAD_SECONDS", ""), ("MLSPEC_LOAD_WARMUP", ""), ("MLSPEC_LOAD_BODIES", "count")] {
        let value = shell_default(&script, name);
        let shown = if unit == "count" { count(value.parse::<f64>().unwrap()) } else { value.clone() };
        assert!(header.contains(&format!("{name} (default {shown})")), "the header should say `{name} (default {shown})`: {header}");
    }
    // The performance notes describe the bodies the stage draws.
    let bodies = count(shell_default(&script, "MLSPEC_LOAD_BODIES").parse::<f64>().unwrap());
    assert!(
        read("docs/performance.md").contains(&format!("{bodies} distinct")),
        "docs/performance.md should quote {bodies} distinct bodies"
    );
}

/// The autoscaler's timings in docs/simulation.md are the simulator's.
#[test]
fn the_autoscaler_timings_in_the_docs_are_the_simulators() {
    let doc = read("docs/simulation.md");
    let row = doc.lines().find(|l| l.starts_with("| `autoscale cpu P`")).expect("the autoscale row of the serving table");
    assert!(row.contains(&format!("every {} s", AUTOSCALE_PERIOD_S)), "{row}");
    assert!(row.contains(&format!("within {} of 1", pct(AUTOSCALE_TOLERANCE))), "{row}");
    assert!(row.contains(&format!("the last {} minutes", SCALE_DOWN_WINDOW_S / 60.0)), "{row}");
    assert_eq!(dur(SCALE_DOWN_WINDOW_S), "5m", "the capacity section says 5-minute");
    assert!(doc.contains(&format!("({} s period,", AUTOSCALE_PERIOD_S)), "the capacity section's period");
}
