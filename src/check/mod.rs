//! Regression checks for analysts (`landpool check`): a case is a project file and what
//! its report must say, a golden report.json or expected figures with a tolerance each
//! ([`case`]). [`run_case`] assesses the project and compares ([`compare`]); [`junit`]
//! writes the results for CI systems; [`bless_case`] rewrites what a case expects from a
//! new run.

pub mod case;
pub mod compare;
pub mod junit;

use std::path::Path;

use serde_json::Value;

pub use case::{Case, CaseFile, ExpectedFigure};
pub use compare::FigureCheck;

use crate::project::{ProjectReport, assess_project_file};
use crate::{Error, Result};

/// The outcome of one case.
#[derive(Debug, Clone)]
pub struct CaseOutcome {
    /// The case's name.
    pub name: String,
    /// The case file.
    pub path: String,
    /// Every figure checked, in the case's order.
    pub checks: Vec<FigureCheck>,
    /// Why the case could not run (project error, unreadable golden).
    pub error: Option<String>,
}

impl CaseOutcome {
    /// True when the case ran and every check passed.
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.checks.iter().all(|c| c.pass)
    }

    /// The number of checks that failed.
    pub fn failures(&self) -> usize {
        self.checks.iter().filter(|c| !c.pass).count()
    }
}

/// Assesses a case's project and returns its report as JSON.
pub fn case_report(case: &Case) -> Result<(ProjectReport, Value)> {
    let run = assess_project_file(&case.project)?;
    let json = serde_json::to_value(&run.report).map_err(|e| Error::Policy {
        message: format!("report of {}: {e}", case.project.display()),
    })?;
    Ok((run.report, json))
}

/// Runs a case: assesses its project and checks the figures and the golden.
pub fn run_case(case: &Case) -> CaseOutcome {
    let mut outcome = CaseOutcome {
        name: case.name.clone(),
        path: case.path.display().to_string(),
        checks: Vec::new(),
        error: None,
    };
    match case_report(case).and_then(|(_, report)| checks_of(case, &report)) {
        Ok(checks) => outcome.checks = checks,
        Err(e) => outcome.error = Some(e.to_string()),
    }
    outcome
}

/// The checks of a case against a report.
pub fn checks_of(case: &Case, report: &Value) -> Result<Vec<FigureCheck>> {
    let mut checks = compare::check_figures(case, report);
    if let Some(g) = &case.golden {
        let golden = read_json(g)?;
        checks.extend(compare::check_golden(case, &golden, report));
    }
    Ok(checks)
}

fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::Parse {
        path: path.to_path_buf(),
        line: Some(e.line()),
        column: Some(e.column()),
        message: e.to_string(),
    })
}

/// Rewrites what a case expects from a new run of its project: the golden report.json,
/// and the value of every expected figure (tolerances kept). The case file is written
/// anew (its leading comment block is kept, other comments are not). Returns the number of files written.
pub fn bless_case(case: &Case) -> Result<usize> {
    let (report, json) = case_report(case)?;
    let mut written = 0;
    if let Some(g) = &case.golden {
        crate::report::assessment::write_report_json(g, &report)?;
        written += 1;
    }
    if !case.file.figures.is_empty() {
        let mut file = case.file.clone();
        for (name, f) in &mut file.figures {
            f.value = compare::figure(&json, name).ok_or_else(|| Error::Config {
                path: case.path.clone(),
                line: None,
                column: None,
                key: format!("figures.{name}"),
                message: "the report has no such figure; cannot bless it".into(),
            })?;
        }
        let old = std::fs::read_to_string(&case.path).map_err(|e| Error::io(&case.path, e))?;
        let text = case::case_toml(&file, &case::leading_comments(&old));
        crate::io::write::write_atomic(&case.path, |w| {
            use std::io::Write as _;
            w.write_all(text.as_bytes())
                .map_err(|e| Error::io(&case.path, e))
        })?;
        written += 1;
    }
    Ok(written)
}
