//! The `mlspec` command line: argument parsing, file and console I/O, exit
//! codes. The language is in the `compiler/` crates, simulation in the
//! `runtime/` crates; a command reads its input, calls them and prints.
//!
//! Exit codes: 0 success (warnings allowed), 1 the input has errors or
//! findings (or would change, for `--check`), 2 usage or I/O error (see
//! [`failure`]).

mod commands;
mod failure;
mod io;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "mlspec", version, about = "A compiler and simulator for ML system designs", propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and validate specs; report every problem with a code, a span and help
    Check {
        /// Spec files to check
        #[arg(required = true)]
        files: Vec<String>,
        /// Output format
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
        /// Exit 1 on warnings too
        #[arg(long)]
        deny_warnings: bool,
        /// Apply every machine-applicable fix in place (`-`: the fixed text to stdout), then report what is left
        #[arg(long)]
        fix: bool,
    },
    /// Rewrite specs in the canonical style, keeping comments (`-` reads stdin, writes stdout)
    Fmt {
        #[arg(required = true)]
        files: Vec<String>,
        /// Change nothing; exit 1 if any file would change
        #[arg(long)]
        check: bool,
    },
    /// Print the sources -> features -> models -> serving -> monitors graph
    Graph {
        file: String,
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
    },
    /// Simulate load and latency through the serving, and drift and model quality over time, with a report
    Simulate {
        #[command(flatten)]
        sim: SimArgs,
        #[command(flatten)]
        drift: DriftArgs,
        /// A fixed fleet of this many replicas, without autoscaling
        #[arg(long)]
        replicas: Option<u32>,
        /// Independent replications (1 to 1,000) on every core; above 1, each figure is their mean with a 95% interval
        #[arg(long, default_value_t = 1)]
        replications: u32,
        #[arg(long, value_enum, default_value_t = SimFormat::Human)]
        format: SimFormat,
        /// Write the report to this file instead of standard output
        #[arg(long)]
        out: Option<String>,
    },
    /// The fewest replicas (and their cost) that meet every latency constraint at the scenario's peak
    Capacity {
        #[command(flatten)]
        sim: SimArgs,
        #[arg(long, value_enum, default_value_t = CapacityFormat::Human)]
        format: CapacityFormat,
    },
    /// Load a running server of the spec open-loop (scenario traffic or a constant rate) and report what it measured, in `simulate`'s formats
    Load(LoadArgs),
    /// Measure the generated server of a spec (load phases, its /metrics) and write a calibration file for `simulate` and `capacity`
    Calibrate(CalibrateArgs),
    /// Generate a runnable project (training, serving, monitoring, tests, deployment) from a spec
    Build {
        file: String,
        #[arg(long, value_enum, default_value_t = BuildTarget::Python)]
        target: BuildTarget,
        /// Folder to write the project to
        #[arg(long)]
        out: String,
        /// Write nothing; print a diff and exit 1 if any generated file would change
        #[arg(long)]
        check: bool,
        /// Overwrite files that do not carry the generated-file header
        #[arg(long)]
        force: bool,
    },
    /// Real data against the spec: check each source's data, or draft `source` blocks from data files
    Data {
        #[command(subcommand)]
        command: DataCommand,
    },
    /// Explain a diagnostic code, with a failing example and the fix
    Explain {
        /// A code such as E0102; `--list` lists them all
        code: Option<String>,
        #[arg(long)]
        list: bool,
    },
    /// Review the design step by step through the ML system-design framework: coverage, findings, a score
    Review {
        file: String,
        #[arg(long, value_enum, default_value_t = ReviewFormat::Human)]
        format: ReviewFormat,
        /// Add the follow-up questions an interviewer would ask about this design
        #[arg(long)]
        interview: bool,
    },
    /// Write a design document (Markdown, with a Mermaid architecture diagram)
    Doc {
        file: String,
        /// Write to this file instead of standard output
        #[arg(long)]
        out: Option<String>,
        /// Run `capacity` on the first realtime serving and include its verdict
        #[arg(long)]
        with_simulation: bool,
    },
    /// Start a new spec from an example system or a commented skeleton
    New {
        /// Name of the system; writes NAME.mlspec
        name: Option<String>,
        /// An example system (see --list), or `skeleton` (the default)
        #[arg(long, default_value = "skeleton")]
        template: String,
        /// List the templates
        #[arg(long)]
        list: bool,
    },
    /// Run the language server (diagnostics, completion, hover, go to definition, formatting) over stdin/stdout for editors
    Lsp {
        /// Talk over stdin/stdout (the only transport; accepted because editor clients pass it)
        #[arg(long)]
        stdio: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    Sarif,
}

/// What `simulate` and `capacity` run on.
#[derive(clap::Args)]
pub struct SimArgs {
    /// The spec file
    pub file: String,
    /// A scenario of the spec (default: the first; without any, Poisson at `constraints throughput` for 1M requests)
    #[arg(long)]
    pub scenario: Option<String>,
    /// A realtime serving of the spec (default: the first)
    #[arg(long)]
    pub serving: Option<String>,
    /// Random seed (default: the scenario's `seed`, else 1)
    #[arg(long)]
    pub seed: Option<u64>,
    /// Requests to simulate, replacing the scenario's end (for `capacity`: per trial, default 200k); takes `200k`, `1M`
    #[arg(long)]
    pub requests: Option<String>,
    /// Poisson arrivals at this many requests per second instead of the scenario's traffic
    #[arg(long)]
    pub rate: Option<f64>,
    /// A calibration file from `mlspec calibrate`: replicas as measured on the real server instead of declared or estimated stage times
    #[arg(long)]
    pub calibration: Option<String>,
    /// With --calibration: worker processes per replica (default: the spec's, one per declared core)
    #[arg(long, requires = "calibration")]
    pub processes: Option<u32>,
}

/// `mlspec load`.
#[derive(clap::Args)]
pub struct LoadArgs {
    /// The spec file of the server
    pub file: String,
    /// The server's scoring URL, e.g. http://127.0.0.1:8000/v1/score
    #[arg(long)]
    pub url: String,
    /// A realtime serving of the spec (default: the first)
    #[arg(long)]
    pub serving: Option<String>,
    /// The scenario whose traffic is replayed (default: the first)
    #[arg(long)]
    pub scenario: Option<String>,
    /// Poisson arrivals at this many requests per second instead of the scenario's traffic
    #[arg(long)]
    pub rate: Option<f64>,
    /// How the sends at `--rate` are spaced: Poisson, or evenly (as `oha -q` and `wrk2` send)
    #[arg(long, value_enum, default_value_t = Spacing::Poisson, requires = "rate")]
    pub spacing: Spacing,
    /// Seconds of measured load (nothing is sent after them)
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Replay the scenario's time this many times faster (its rates unchanged)
    #[arg(long, default_value_t = 1.0)]
    pub compress: f64,
    /// Connections open at once (requests beyond them wait, and the wait counts)
    #[arg(long, default_value_t = 100)]
    pub connections: usize,
    /// Request bodies, one JSON object per line, sent in turn
    #[arg(long)]
    pub bodies: Option<String>,
    /// Seconds of unmeasured load first (the schedule's first seconds)
    #[arg(long, default_value_t = 0.0)]
    pub warmup: f64,
    /// Seconds after its scheduled time a request counts as timed out (default: 20 × the spec's timeout, 2 to 60 s, else 10 s)
    #[arg(long)]
    pub timeout: Option<f64>,
    /// Seconds per step of the timeline (default: a tenth of the run, at least 1)
    #[arg(long)]
    pub step: Option<f64>,
    /// Random seed of the arrivals
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// An extra request header, `name: value` (repeatable), e.g. an API key
    #[arg(long)]
    pub header: Vec<String>,
    /// Allow a URL that is not this machine
    #[arg(long)]
    pub allow_remote: bool,
    #[arg(long, value_enum, default_value_t = SimFormat::Human)]
    pub format: SimFormat,
    /// Write the report to this file instead of standard output
    #[arg(long)]
    pub out: Option<String>,
}

/// `mlspec calibrate`.
#[derive(clap::Args)]
pub struct CalibrateArgs {
    /// The spec file the server was generated from
    pub file: String,
    /// The server's scoring URL, e.g. http://127.0.0.1:8000/v1/score (its /metrics is read on the same host)
    #[arg(long)]
    pub url: String,
    /// Write the calibration file here
    #[arg(long)]
    pub out: String,
    /// A realtime serving of the spec (default: the first)
    #[arg(long)]
    pub serving: Option<String>,
    /// Requests per second of the light phase
    #[arg(long, default_value_t = 50.0)]
    pub rate: f64,
    /// Seconds of each of the three phases
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Seconds of unmeasured load at the light rate first
    #[arg(long, default_value_t = 3.0)]
    pub warmup: f64,
    /// Request bodies, one JSON object per line, sent in turn
    #[arg(long)]
    pub bodies: Option<String>,
    /// Worker processes of the server (its WEB_CONCURRENCY)
    #[arg(long, default_value_t = 1)]
    pub processes: u32,
    /// An extra request header, `name: value` (repeatable), e.g. an API key
    #[arg(long)]
    pub header: Vec<String>,
    /// Random seed of the light phase's arrivals
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Allow a URL that is not this machine
    #[arg(long)]
    pub allow_remote: bool,
}

/// Options of the drift and model-quality part of `simulate`.
#[derive(Args)]
pub struct DriftArgs {
    /// Rows drawn per simulated day for the scored source (default 10k); takes `10k`, `100k`
    #[arg(long)]
    pub rows_per_day: Option<String>,
    /// Days the drift simulation runs (default: until 7 days after the last drift starts, at least the scenario's duration)
    #[arg(long)]
    pub days: Option<f64>,
    /// Simulate only load and latency, or only drift and model quality
    #[arg(long, value_enum)]
    pub only: Option<SimPart>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimPart {
    Load,
    Drift,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Spacing {
    Poisson,
    Even,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum SimFormat {
    Human,
    Json,
    Markdown,
    Html,
}

#[derive(Subcommand)]
enum DataCommand {
    /// Check each source's data (DIR/<source>.parquet or .csv, or its part files) against what the spec declares
    Check {
        /// The spec
        file: String,
        /// The folder holding each source's data
        #[arg(long)]
        data: String,
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
        /// The time the data is checked as of, UTC (`2026-12-05` or `2026-12-05T13:45:00Z`; default: now)
        #[arg(long)]
        as_of: Option<String>,
        /// Exit 1 on warnings too
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Draft `source` blocks (types, keys, event time, ranges, values, missing rates, fitted distributions) from parquet or CSV files
    Infer {
        /// Data files, one source each (named after the file)
        #[arg(required = true)]
        files: Vec<String>,
        /// The source's name (one file only; default: the file's stem)
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum CapacityFormat {
    Human,
    Json,
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ReviewFormat {
    Human,
    Markdown,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum BuildTarget {
    Python,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Check { files, format, deny_warnings, fix } => commands::check::run(&files, format, deny_warnings, fix),
        Command::Fmt { files, check } => commands::fmt::run(&files, check),
        Command::Graph { file, format } => commands::graph::run(&file, format),
        Command::Simulate { sim, drift, replicas, replications, format, out } => {
            commands::simulate::run(&sim, &drift, replicas, replications, format, out.as_deref())
        }
        Command::Calibrate(args) => commands::calibrate::run(&args),
        Command::Load(args) => commands::load::run_load(&args),
        Command::Capacity { sim, format } => commands::capacity::run(&sim, format),
        Command::Build { file, target, out, check, force } => commands::build::run(&file, target, &out, check, force),
        Command::Data { command: DataCommand::Check { file, data, format, as_of, deny_warnings } } => {
            commands::data::check(&file, &data, format, as_of.as_deref(), deny_warnings)
        }
        Command::Data { command: DataCommand::Infer { files, name } } => commands::data::infer(&files, name.as_deref()),
        Command::Explain { code, list } => commands::explain::run(code.as_deref(), list),
        Command::Review { file, format, interview } => commands::review::run(&file, format, interview),
        Command::Doc { file, out, with_simulation } => commands::doc::run(&file, out.as_deref(), with_simulation),
        Command::New { name, template, list } => commands::new::run(name.as_deref(), &template, list),
        Command::Lsp { stdio: _ } => commands::lsp::run(),
    };
    ExitCode::from(failure::exit_code(outcome))
}
