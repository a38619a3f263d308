//! `landpool check`: regression cases (project + golden report or expected figures).

use std::path::PathBuf;
use std::process::ExitCode;

use landpool::check::junit::{describe, write_junit};
use landpool::check::{Case, CaseOutcome, bless_case, run_case};

#[derive(Debug, clap::Args)]
#[command(after_help = "A case is a case.toml (or a folder holding one):
  project = \"../../data/sample/project.toml\"   # relative to the case file
  golden = \"report.json\"                       # optional: the whole report must match
  rel_tol = 1e-9                                # default tolerance (abs_tol too)
  [figures]                                     # optional: figures with their tolerance
  rights_floor_area = { value = 110036.36, abs_tol = 0.005 }
  \"computation.shared.floor_area_m2\" = { value = 16505.45, rel_tol = 1e-6 }

Figure names: rights_floor_area, planned_floor_area, retained_land_area,
counted_land_area, land_rights_coef, density_base_far, building_rights_coef,
function_coef, facility_floor_area, shared_floor_area, base_floor_area, boundary_area,
or any number's dotted path in report.json (uses[0].share for array elements).

Examples:
  landpool check data/cases/sample tests/cases/example_a
  landpool check tests/cases/*/case.toml --junit check.xml
  landpool check tests/cases/example_a --bless

Exit code: 0 when every figure passes, 1 when one fails or a case cannot run, 2 on
usage errors.")]
pub struct Args {
    /// Case files (case.toml) or folders holding one.
    #[arg(required = true)]
    pub cases: Vec<PathBuf>,
    /// Also write the results as JUnit XML to this file.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Rewrite each case's golden report.json and expected figures from a new run instead
    /// of checking (tolerances are kept; comments in case.toml are not).
    #[arg(long)]
    pub bless: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.bless {
        for arg in &args.cases {
            let case = Case::load(arg)?;
            let n = bless_case(&case)?;
            println!("blessed {} ({n} file(s) written)", case.path.display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let outcomes: Vec<CaseOutcome> = args
        .cases
        .iter()
        .map(|arg| outcome_of(arg.as_path()))
        .collect();
    for o in &outcomes {
        print_outcome(o);
    }
    if let Some(path) = &args.junit {
        write_junit(path, &outcomes)?;
    }
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    eprintln!(
        "{} case(s): {} passed, {failed} failed",
        outcomes.len(),
        outcomes.len() - failed
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Loads and runs one case; a case file that cannot be read is a failed case.
fn outcome_of(arg: &std::path::Path) -> CaseOutcome {
    match Case::load(arg) {
        Ok(case) => run_case(&case),
        Err(e) => CaseOutcome {
            name: arg.display().to_string(),
            path: arg.display().to_string(),
            checks: Vec::new(),
            error: Some(e.to_string()),
        },
    }
}

fn print_outcome(o: &CaseOutcome) {
    let verdict = if o.passed() { "PASS" } else { "FAIL" };
    println!("{verdict} {} ({})", o.name, o.path);
    if let Some(e) = &o.error {
        println!("  error: {e}");
    }
    for c in &o.checks {
        println!(
            "  {} {}: {}",
            if c.pass { "pass" } else { "FAIL" },
            c.name,
            describe(c)
        );
    }
}
