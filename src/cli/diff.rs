//! `landpool diff`: figure-by-figure comparison of two reports.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use landpool::report::diff::{DiffOptions, diff_json};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  landpool diff before/report.json after/report.json
  landpool diff golden.json out/report.json --rel-tol 1e-6 --json

Exit code: 0 when nothing changed beyond the tolerance, 1 when something changed
(or a file could not be read), 2 on usage errors.")]
pub struct Args {
    /// The reference report (e.g. last release's report.json).
    pub old: PathBuf,
    /// The report to check against it.
    pub new: PathBuf,
    /// Relative tolerance for numbers: |a-b| / max(|a|,|b|).
    #[arg(long, default_value_t = 1e-9)]
    pub rel_tol: f64,
    /// Absolute tolerance for numbers near zero.
    #[arg(long, default_value_t = 1e-12)]
    pub abs_tol: f64,
    /// Print the changes as a JSON array instead of lines.
    #[arg(long)]
    pub json: bool,
}

fn load(path: &PathBuf) -> anyhow::Result<serde_json::Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{}: not valid JSON", path.display()))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !(args.rel_tol >= 0.0 && args.abs_tol >= 0.0) {
        return Err(landpool::Error::Usage("tolerances must be >= 0".into()).into());
    }
    let old = load(&args.old)?;
    let new = load(&args.new)?;
    let opts = DiffOptions {
        rel_tol: args.rel_tol,
        abs_tol: args.abs_tol,
    };
    let changes = diff_json(&old, &new, &opts);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&changes)?);
    } else {
        for c in &changes {
            println!("{c}");
        }
        if changes.is_empty() {
            eprintln!(
                "no changes (rel-tol {}, abs-tol {})",
                args.rel_tol, args.abs_tol
            );
        } else {
            eprintln!("{} change(s)", changes.len());
        }
    }
    Ok(if changes.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
