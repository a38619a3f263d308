//! Argument parsing and dispatch. Each subcommand lives in its own module and turns parsed
//! arguments into library calls; exit codes: 0 ok, 1 input problems, 2 usage.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod assess;
mod batch;
mod check;
mod diff;
mod inspect;
mod overlay;
mod sensitivity;
mod siting;
mod synth;

#[derive(Debug, Parser)]
#[command(
    name = "landpool",
    version,
    about = "Land-consolidation interest-coordination (土地整备利益统筹) analysis",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a layer's CRS, feature count, extent, schema and geometry problems.
    Inspect(inspect::Args),
    /// Generate a seeded synthetic district.
    Synth(synth::Args),
    /// Area-weighted overlay of a source layer with a target layer.
    Overlay(Box<overlay::Args>),
    /// Assess one land-consolidation project (project.toml).
    Assess(assess::Args),
    /// Every project of a district in one run (district.toml).
    Batch(batch::Args),
    /// Retained-land siting of one project: inside / outside / straddling, fit, off-site value.
    Siting(siting::Args),
    /// Compare two report.json files figure by figure.
    Diff(diff::Args),
    /// Sensitivity of the figures to the illustrative rule values (tornado, CSV, JSON).
    Sensitivity(sensitivity::Args),
    /// Regression cases: each project's report against its golden or expected figures.
    Check(check::Args),
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    #[cfg(feature = "gdal")]
    landpool::io::ogr::route_gdal_messages();
    let result = match cli.command {
        Command::Inspect(a) => inspect::run(a),
        Command::Synth(a) => synth::run(a),
        Command::Overlay(a) => overlay::run(*a),
        Command::Assess(a) => assess::run(a),
        Command::Batch(a) => batch::run(a),
        Command::Siting(a) => siting::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Sensitivity(a) => sensitivity::run(a),
        Command::Check(a) => check::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", error_chain(&e));
            exit_code_for(&e)
        }
    }
}

/// The error and its causes, each cause once: a library error's message often already
/// holds its source's (`path: No such file or directory`), which `{:#}` would repeat.
fn error_chain(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

/// 2 for usage errors, 1 for everything else (bad input data or configuration).
fn exit_code_for(e: &anyhow::Error) -> ExitCode {
    match e.downcast_ref::<landpool::Error>() {
        Some(le) if !le.is_input_problem() => ExitCode::from(2),
        _ => ExitCode::from(1),
    }
}
