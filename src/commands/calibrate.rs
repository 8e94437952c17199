//! `mlspec calibrate FILE --url URL --out CAL.json [--serving S] [--rate RPS] [--seconds S] [--warmup S] [--bodies F] [--processes N] [--header H] [--allow-remote]`
//!
//! Measures the generated server of a spec (`mlspec_calibrate::measure`:
//! three load phases between scrapes of its `/metrics`) and writes the
//! calibration file that `simulate` and `capacity` read with
//! `--calibration`.

use super::remote::{bodies, headers, target};
use crate::failure::{Failure, Outcome, Status};
use crate::io;
use crate::CalibrateArgs;
use mlspec_calibrate::measure::{calibrate, Serving, Settings};
use mlspec_check::simulation;

pub fn run(a: &CalibrateArgs) -> Outcome {
    let path = a.file.as_str();
    let (design, src) = super::load_design(path, "calibrate it")?;
    let read = super::latency_file_reader(path);
    let t = simulation::target(&design, a.serving.as_deref(), None, None, &read).map_err(|e| super::target_failure(path, &src, e))?;
    let s = t.serving(&design).ok_or_else(|| super::no_plan(path))?;
    if !(a.rate > 0.0 && a.rate <= 100_000.0) {
        return Err(Failure::Usage("--rate: give a rate above 0 and at most 100,000 requests per second".to_string()));
    }
    if !(a.seconds >= 2.0 && a.seconds <= 3600.0 && (0.0..=600.0).contains(&a.warmup)) {
        return Err(Failure::Usage("--seconds: give 2 to 3600 seconds per phase; --warmup: 0 to 600 seconds".to_string()));
    }
    if !(1..=1024).contains(&a.processes) {
        return Err(Failure::Usage("--processes: give the server's worker processes, 1 to 1024".to_string()));
    }
    let target = target(&a.url, a.allow_remote)?;
    // The server micro-batches its last batching model stage.
    let batch = s.stages.iter().rev().find(|st| st.model.is_some() && st.batch.is_some()).and_then(|st| st.batch);
    let serving = Serving {
        system: design.name.clone(),
        serving: s.name.clone(),
        stages: s.stages.iter().map(|st| (st.name.clone(), measures(st))).collect(),
        batch_size: batch.map_or(1, |b| b.0.clamp(1, 1 << 20) as u32),
        batch_wait_s: batch.map_or(0.0, |b| b.1.max(0.0)),
        timeout_s: s.timeout.as_ref().map(|t| t.0),
    };
    let settings = Settings {
        target,
        url: a.url.clone(),
        bodies: bodies(a.bodies.as_deref())?,
        headers: headers(&a.header)?,
        light_rps: a.rate,
        seconds: a.seconds,
        warmup_s: a.warmup,
        processes: a.processes,
        seed: a.seed,
    };
    let calibration =
        calibrate(&serving, &settings, &mut |what| eprintln!("calibrating: {what}")).map_err(|e| Failure::refused(e.to_string()))?;
    io::write_atomic(&a.out, &calibration.to_json()).map_err(Failure::Usage)?;
    let m = &calibration.model;
    eprintln!(
        "wrote {}: {:.3} ms of the interpreter per request, batches {:.3} ms + {:.3} ms per request + {:.3} ms to hand back, {} stage fit{}",
        a.out,
        m.request_ms,
        m.batch_ms,
        m.per_item_ms,
        m.handback_ms,
        calibration.stages.len(),
        if calibration.stages.len() == 1 { "" } else { "s" }
    );
    Ok(Status::Clean)
}

/// What the generated server times under a stage's name (its `_stage_names`).
fn measures(st: &mlspec_ir::Stage) -> &'static str {
    if st.feature_store_online {
        "lookup"
    } else if st.model.is_some() {
        "score"
    } else {
        "wait"
    }
}
