//! `landpool assess`: one project from its project file to its figures.

use std::path::PathBuf;
use std::process::ExitCode;

use landpool::project::{assess_project_file, default_out_dir};
use landpool::report::assessment::{summary_table, write_outputs};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  landpool assess data/sample/project.toml
  landpool assess project.toml --out results/GM-001 --quiet

Writes report.json (every figure, intermediate and coefficient with its source and
status), parcels.csv and parcels.geojson (every parcel with its status) into --out, and
prints a summary that starts with the rule values that are not official.
Exit code: 0 ok, 1 bad input (data, project file or rule set), 2 usage.")]
pub struct Args {
    /// The project file (project.toml).
    pub project: PathBuf,
    /// Output folder (default: `out` beside the project file).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Do not print the summary table.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let run = assess_project_file(&args.project)?;
    let out = args.out.unwrap_or_else(|| default_out_dir(&args.project));
    write_outputs(&out, &run)?;
    if !args.quiet {
        print!("{}", summary_table(&run.report));
        let sites = if run.report.siting.is_some() {
            ", sites.geojson"
        } else {
            ""
        };
        println!(
            "\nWrote {}/report.json, parcels.csv, parcels.geojson{sites}",
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
