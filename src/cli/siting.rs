//! `landpool siting`: the retained-land siting section of a project on its own.

use std::path::PathBuf;
use std::process::ExitCode;

use landpool::project::assess_project_file;
use landpool::report::assessment::{siting_table, write_sites_geojson};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  landpool siting data/sample/project.toml
  landpool siting project.toml --json > siting.json
  landpool siting project.toml --out results/GM-001   # writes sites.geojson

Runs the same assessment as `landpool assess` (siting needs the required retained-land
area and the rights floor area) and reports each site: inside / outside / straddling
the project boundary, its land price, and the rights it carries off-site converted by
the land-price ratio. Exit code: 0 ok, 1 bad input, 2 usage.")]
pub struct Args {
    /// The project file (project.toml); it must name a retained_sites layer.
    pub project: PathBuf,
    /// Print the siting section as JSON (the same object as `siting` in report.json).
    #[arg(long)]
    pub json: bool,
    /// Also write sites.geojson (sites with a status attribute) into this folder.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let run = assess_project_file(&args.project)?;
    let (Some(siting), Some(layer)) = (&run.report.siting, &run.layers.retained_sites) else {
        return Err(landpool::Error::Config {
            path: args.project.clone(),
            line: None,
            column: None,
            key: "layers.retained_sites".into(),
            message: "the project file names no retained_sites layer".into(),
        }
        .into());
    };
    if let Some(out) = &args.out {
        std::fs::create_dir_all(out)?;
        write_sites_geojson(&out.join("sites.geojson"), layer, siting)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(siting)?);
    } else {
        print!("{}", siting_table(siting));
        for f in &siting.findings {
            println!("  [{:?}] {}: {}", f.severity, f.code, f.message);
        }
    }
    Ok(ExitCode::SUCCESS)
}
