//! The `mlspec` command line: argument parsing, file and console I/O, exit
//! codes. All language work is in `mlspec-compiler`.
//!
//! Exit codes: 0 success (warnings allowed), 1 the input has errors (or
//! would change, for `--check`), 2 usage or I/O error.

mod commands;
mod io;

use clap::{Parser, Subcommand, ValueEnum};
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
    /// Explain a diagnostic code, with a failing example and the fix
    Explain {
        /// A code such as E0102; `--list` lists them all
        code: Option<String>,
        #[arg(long)]
        list: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    Sarif,
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
    let code = match cli.command {
        Command::Check { files, format, deny_warnings } => commands::check::run(&files, format, deny_warnings),
        Command::Fmt { files, check } => commands::fmt::run(&files, check),
        Command::Graph { file, format } => commands::graph::run(&file, format),
        Command::Build { file, target, out, check, force } => commands::build::run(&file, target, &out, check, force),
        Command::Explain { code, list } => commands::explain::run(code.as_deref(), list),
    };
    ExitCode::from(code)
}
