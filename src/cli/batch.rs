//! `landpool batch`: every project of a district in one run.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use landpool::batch::{BatchOptions, BatchRun, DistrictFile, ProjectStatus, run_batch};
use landpool::io::output_dir::StagedDir;
use landpool::report::batch::{write_batch_outputs, write_project_report};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  landpool batch data/sample/district.toml --out out/district
  landpool batch district.toml --out results --threads 2 --strict

Reads the district layers once, assesses every feature of the project-boundary layer
as `landpool assess` would, in parallel, and writes index.html (map and table of every
project), projects.csv, projects/<id>/report.json and report.html, parcels.csv,
parcels.geojson and findings.csv into --out. A broken project is a `failed` row and does not
stop the others. Invalid polygons are repaired with MakeValid and every repair is listed in
inputs.json (area before and after); --no-repair refuses them instead.
Exit code: 0 (also when projects failed, unless --strict), 1 bad district input (also an
invalid polygon with --no-repair) or --strict with failed projects, 2 usage.")]
pub struct Args {
    /// The district file (district.toml).
    pub district: PathBuf,
    /// Output folder.
    #[arg(long)]
    pub out: PathBuf,
    /// Worker threads (default: all cores). The outputs do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Exit with code 1 when any project failed.
    #[arg(long)]
    pub strict: bool,
    /// No progress bar, no summary line.
    #[arg(long, short)]
    pub quiet: bool,
    /// Do not repair invalid polygons: any invalid feature of a district layer is an error
    /// naming the file and the feature (exit 1).
    #[arg(long = "no-repair")]
    pub no_repair: bool,
    /// Measure areas even in a CRS that distorts them (Web Mercator, Mercator, plate
    /// carrée); the same as `[input] allow_distorted_areas = true`.
    #[arg(long = "allow-distorted-areas")]
    pub allow_distorted_areas: bool,
    /// Language of index.html and the projects' report.html: zh (Chinese, the default) or en.
    #[arg(long, default_value = "zh", value_name = "zh|en")]
    pub lang: landpool::report::html::Lang,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.threads == Some(0) {
        return Err(landpool::Error::Usage("--threads must be at least 1".into()).into());
    }
    let started = Instant::now();
    let mut district = DistrictFile::load(&args.district)?;
    district.input.no_repair = args.no_repair;
    district.input.allow_distorted_areas |= args.allow_distorted_areas;
    let (bar, progress) = progress_bar(args.quiet);
    // The folder is replaced as a whole at the end: a failed or killed run leaves the old one.
    let staged = StagedDir::begin(&args.out)?;
    let out = staged.path().to_path_buf();
    let lang = args.lang;
    let sink: landpool::batch::ReportSink =
        Arc::new(move |id, report| write_project_report(&out, id, report, lang));
    let run = run_batch(
        &district,
        &BatchOptions {
            threads: args.threads,
            progress,
            report_sink: Some(sink),
        },
    )?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let t = Instant::now();
    write_batch_outputs(staged.path(), &run, args.lang)?;
    staged.commit()?;
    let write_s = t.elapsed().as_secs_f64();
    let failed = count(&run, ProjectStatus::Failed);
    if !args.quiet {
        print_summary(&run, write_s, started.elapsed().as_secs_f64());
    }
    Ok(if args.strict && failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A progress bar on a terminal (none with --quiet or when stderr is not a terminal), and the
/// callback that moves it.
fn progress_bar(
    quiet: bool,
) -> (
    Option<indicatif::ProgressBar>,
    Option<landpool::batch::ProgressFn>,
) {
    let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} projects  {per_sec}  ETA {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let progress = bar.clone().map(|bar| {
        Arc::new(move |done: usize, total: usize| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }) as landpool::batch::ProgressFn
    });
    (bar, progress)
}

fn count(run: &BatchRun, status: ProjectStatus) -> usize {
    run.projects.iter().filter(|p| p.status == status).count()
}

/// The summary lines on stderr: project counts, phase times, failed projects.
fn print_summary(run: &BatchRun, write_s: f64, total_s: f64) {
    let tm = &run.times;
    eprintln!(
        "{} projects: {} ok, {} with findings, {} failed; {} parcels; {} overlapping project pair(s)",
        run.projects.len(),
        count(run, ProjectStatus::Ok),
        count(run, ProjectStatus::Findings),
        count(run, ProjectStatus::Failed),
        run.parcels.len(),
        run.overlaps.len()
    );
    eprintln!(
        "time: read {:.2} s, index {:.2} s, district overlay {:.2} s, assess {:.2} s, write {:.2} s, total {:.2} s",
        tm.read, tm.index, tm.district_overlay, tm.assess, write_s, total_s
    );
    for p in run
        .projects
        .iter()
        .filter(|p| p.status == ProjectStatus::Failed)
    {
        eprintln!(
            "failed: {}: {}",
            p.project_id,
            p.error.as_deref().unwrap_or("")
        );
    }
}
