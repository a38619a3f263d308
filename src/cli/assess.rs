//! `landpool assess`: one project from its project file to its figures.

use std::path::PathBuf;
use std::process::ExitCode;

use landpool::io::write::{TableFormat, parse_table_format, write_table};
use landpool::project::{ProjectFile, RuleSets, assess_loaded, default_out_dir, load_layers};
use landpool::report::assessment::{
    OutputTarget, RESULTS_GPKG, summary_table, write_outputs_with, write_run,
};
use landpool::report::tables::parcels_table;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  landpool assess data/sample/project.toml
  landpool assess project.toml --out results/GM-001 --quiet
  landpool assess project.toml --out GM-001.gpkg
  landpool assess project.toml --out 'PG:dbname=land host=127.0.0.1'   # gdal feature
  landpool assess project.toml --out GM-001-parcels.parquet     # the parcel table alone
  landpool assess project.toml --out results/GM-001 --format parquet

--out is a folder (report.json with every figure, intermediate and coefficient with its
source and status; report.html, the same for people, with a map, readable offline;
parcels.csv, parcels.geojson and sites.geojson with every parcel and site
and its status; results.gpkg with all of them and the project summary), a .gpkg file (the
GeoPackage alone: layers parcels, sites, project_summary, not_official_values), or a
database connection string (the same tables, named <prefix>parcels etc., created or replaced
in one transaction), or a .parquet (GeoParquet) or .fgb (FlatGeobuf) file: the parcel
table alone, with its CRS. --format parquet|fgb with a folder adds parcels.<ext> and
sites.<ext> to it. The summary printed starts with the rule values that are not official.
Invalid polygons are repaired with MakeValid and every repair is listed in report.json
(inputs[].repairs, area before and after); --no-repair refuses them instead (exit 1).
Exit code: 0 ok, 1 bad input (data, project file or rule set), 2 usage.")]
pub struct Args {
    /// The project file (project.toml).
    pub project: PathBuf,
    /// Output folder, GeoPackage (*.gpkg) or database (PG:…). Default: `out` beside the
    /// project file.
    #[arg(long)]
    pub out: Option<String>,
    /// Also write the spatial tables (parcels, sites) of a folder --out in this format:
    /// parquet (GeoParquet) or fgb (FlatGeobuf). A .parquet/.fgb --out needs no --format.
    #[arg(long, value_name = "parquet|fgb")]
    pub format: Option<String>,
    /// Prefix of database table names (default `landpool_<project id>_`).
    #[arg(long, value_name = "PREFIX")]
    pub table_prefix: Option<String>,
    /// Do not print the summary table.
    #[arg(long, short)]
    pub quiet: bool,
    /// Do not repair invalid polygons: any invalid feature of a layer is an error naming the
    /// file and the feature (exit 1).
    #[arg(long = "no-repair")]
    pub no_repair: bool,
    /// Measure areas even in a CRS that distorts them (Web Mercator, Mercator, plate
    /// carrée); the same as `[input] allow_distorted_areas = true`.
    #[arg(long = "allow-distorted-areas")]
    pub allow_distorted_areas: bool,
    /// Language of report.html: zh (Chinese, the default) or en.
    #[arg(long, default_value = "zh", value_name = "zh|en")]
    pub lang: landpool::report::html::Lang,
    /// Add the sensitivity to the illustrative values to report.html (tornado charts);
    /// `--sensitivity=0.2` for ±20 % (default ±10 %). Folder output only.
    #[arg(long, value_name = "RANGE", num_args = 0..=1, require_equals = true,
          default_missing_value = "0.1")]
    pub sensitivity: Option<f64>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut config = ProjectFile::load(&args.project)?;
    config.input.no_repair = args.no_repair;
    config.input.allow_distorted_areas |= args.allow_distorted_areas;
    let rules = RuleSets::load(&config)?;
    let layers = load_layers(&config)?;
    let mut run = assess_loaded(config, layers, &rules)?;
    let out = args
        .out
        .unwrap_or_else(|| default_out_dir(&args.project).display().to_string());
    let format = args.format.as_deref().map(parse_table_format).transpose()?;
    if let Some(file_format) = single_table_format(&out)? {
        let table = parcels_table(&run.layers.parcels, &run.report.parcels);
        write_table(std::path::Path::new(&out), &table, file_format)?;
        if !args.quiet {
            print!("{}", summary_table(&run.report));
            println!("\nWrote {out} (the parcel table, {file_format})");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let target = OutputTarget::parse(&out, args.table_prefix.as_deref(), &run.report.project.id);
    if let Some(range) = args.sensitivity {
        if !matches!(target, OutputTarget::Directory(_)) {
            return Err(landpool::Error::Usage(
                "--sensitivity adds a section to report.html, which only a folder --out has".into(),
            )
            .into());
        }
        run.sensitivity = Some(landpool::sensitivity::analyse(&run, &rules, range)?);
    }
    match (&target, format) {
        (OutputTarget::Directory(dir), Some(f)) => {
            write_outputs_with(dir, &run, args.lang, Some(f))?
        }
        (_, Some(_)) => {
            return Err(landpool::Error::Usage(
                "--format adds files to a folder --out; for one table write --out x.parquet \
                 or x.fgb"
                    .into(),
            )
            .into());
        }
        (_, None) => write_run(&target, &run, args.lang)?,
    }
    if !args.quiet {
        print!("{}", summary_table(&run.report));
        match &target {
            OutputTarget::Directory(dir) => {
                let sites = if run.report.siting.is_some() {
                    ", sites.geojson"
                } else {
                    ""
                };
                println!(
                    "\nWrote {}/report.json, report.html, parcels.csv, parcels.geojson{sites}, {RESULTS_GPKG}",
                    dir.display()
                );
            }
            other => println!("\nWrote {other}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The format of a `--out` that is a single table file (`.parquet`, `.fgb`), if it is one.
fn single_table_format(out: &str) -> anyhow::Result<Option<TableFormat>> {
    match TableFormat::from_extension(std::path::Path::new(out)) {
        Some(f @ (TableFormat::GeoParquet | TableFormat::FlatGeobuf)) => {
            Ok(Some(parse_table_format(f.extension())?))
        }
        _ => Ok(None),
    }
}
