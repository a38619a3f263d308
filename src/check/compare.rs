//! Running a case and comparing its report with what the case expects: figure by figure
//! (named by an alias or a report.json path), and the whole report against a golden.

use serde_json::Value;

use super::case::Case;
use crate::report::diff::{ChangeKind, DiffOptions, diff_json};

/// Short names of the headline figures, each with the report.json paths it may be at
/// (the 2022 path first, then the 2018 one).
pub const ALIASES: &[(&str, &[&str])] = &[
    ("rights_floor_area", &["computation.rights_floor_area_m2"]),
    ("planned_floor_area", &["computation.planned_floor_area_m2"]),
    (
        "retained_land_area",
        &[
            "computation.retained.retained_land_area_m2",
            "computation.retained_land_area_m2",
        ],
    ),
    ("counted_land_area", &["computation.counted_land_area_m2"]),
    ("land_rights_coef", &["computation.land_rights_coef"]),
    ("density_base_far", &["computation.density.base_far"]),
    (
        "building_rights_coef",
        &["computation.buildings.building_rights_coef"],
    ),
    ("function_coef", &["computation.function.function_coef"]),
    (
        "facility_floor_area",
        &["computation.facility_floor_area_m2"],
    ),
    (
        "shared_floor_area",
        &[
            "computation.shared.floor_area_m2",
            "computation.shared_floor_area_m2",
        ],
    ),
    ("base_floor_area", &["computation.base_floor_area_m2"]),
    ("boundary_area", &["measurement.boundary_area_m2"]),
];

/// Parts of a report that depend on where and with which version the check runs, not on
/// the figures: never compared with a golden. `boundary_feature` names the boundary file as
/// the project path was given (relative to the working folder or absolute), so it differs
/// with the folder `landpool check` runs in; the project id is compared in `/project/id`.
fn ignored(path: &str) -> bool {
    path == "/tool"
        || path.starts_with("/tool/")
        || path.ends_with("/rule_set_path")
        || path.ends_with("/boundary_feature")
}

/// The result of one figure (or one other value of a golden report).
#[derive(Debug, Clone, PartialEq)]
pub struct FigureCheck {
    /// The figure's name as the case gives it, or its report.json path.
    pub name: String,
    /// Expected value (none when the golden has no such value).
    pub expected: Option<f64>,
    /// Actual value (none when the report has no such value).
    pub actual: Option<f64>,
    /// `|actual − expected| / max(|actual|, |expected|)`, 0 when both are 0.
    pub rel_diff: Option<f64>,
    /// Whether the figure is within its tolerance.
    pub pass: bool,
    /// Why it failed, for values that are not numbers or are missing.
    pub note: Option<String>,
}

impl FigureCheck {
    /// Compares two numbers with tolerances.
    pub fn numbers(name: &str, expected: f64, actual: f64, rel_tol: f64, abs_tol: f64) -> Self {
        let diff = (actual - expected).abs();
        let scale = actual.abs().max(expected.abs());
        let rel = if scale == 0.0 { 0.0 } else { diff / scale };
        FigureCheck {
            name: name.to_string(),
            expected: Some(expected),
            actual: Some(actual),
            rel_diff: Some(rel),
            pass: diff <= abs_tol || rel <= rel_tol,
            note: None,
        }
    }

    /// A failed check with a note (missing value, changed text).
    pub fn failed(name: &str, expected: Option<f64>, note: String) -> Self {
        FigureCheck {
            name: name.to_string(),
            expected,
            actual: None,
            rel_diff: None,
            pass: false,
            note: Some(note),
        }
    }
}

/// A value of a report by dotted path (`computation.function.uses[0].share`).
pub fn lookup<'v>(report: &'v Value, path: &str) -> Option<&'v Value> {
    let mut v = report;
    for part in path.split('.') {
        let (key, indices) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            v = v.get(key)?;
        }
        for idx in indices.split('[').filter(|s| !s.is_empty()) {
            let n: usize = idx.strip_suffix(']')?.parse().ok()?;
            v = v.get(n)?;
        }
    }
    Some(v)
}

/// A figure by alias or path; `None` when the report does not have it as a number.
pub fn figure(report: &Value, name: &str) -> Option<f64> {
    let paths: Vec<&str> = ALIASES
        .iter()
        .find(|(a, _)| *a == name)
        .map_or_else(|| vec![name], |(_, p)| p.to_vec());
    paths
        .into_iter()
        .find_map(|p| lookup(report, p).and_then(Value::as_f64))
}

/// Every expected figure of the case against the report.
pub fn check_figures(case: &Case, report: &Value) -> Vec<FigureCheck> {
    case.file
        .figures
        .iter()
        .map(|(name, exp)| {
            let (rel, abs) = case.tolerances(exp);
            match figure(report, name) {
                Some(actual) => FigureCheck::numbers(name, exp.value, actual, rel, abs),
                None => FigureCheck::failed(
                    name,
                    Some(exp.value),
                    "the report has no such figure (an alias or a report.json path)".into(),
                ),
            }
        })
        .collect()
}

/// The report against a golden one: the headline figures one by one, then every other
/// value that changed beyond the tolerance (or one passing line when none did).
pub fn check_golden(case: &Case, golden: &Value, report: &Value) -> Vec<FigureCheck> {
    let mut checks: Vec<FigureCheck> = ALIASES
        .iter()
        .filter_map(|(name, _)| {
            let expected = figure(golden, name)?;
            Some(match figure(report, name) {
                Some(a) => FigureCheck::numbers(name, expected, a, case.rel_tol, case.abs_tol),
                None => FigureCheck::failed(name, Some(expected), "missing from the report".into()),
            })
        })
        .collect();
    let opts = DiffOptions {
        rel_tol: case.rel_tol,
        abs_tol: case.abs_tol,
    };
    let headline: Vec<String> = ALIASES
        .iter()
        .flat_map(|(_, paths)| paths.iter().map(|p| format!("/{}", p.replace('.', "/"))))
        .collect();
    let mut others = 0usize;
    for c in diff_json(golden, report, &opts) {
        if ignored(&c.path) || headline.contains(&c.path) {
            continue;
        }
        others += 1;
        checks.push(match c.kind {
            ChangeKind::Number { old, new, .. } => {
                FigureCheck::numbers(&c.path, old, new, case.rel_tol, case.abs_tol)
            }
            ChangeKind::Removed { old } => {
                FigureCheck::failed(&c.path, old.as_f64(), format!("missing (golden: {old})"))
            }
            ChangeKind::Added { new } => {
                FigureCheck::failed(&c.path, None, format!("not in the golden (now: {new})"))
            }
            ChangeKind::Value { old, new } => {
                FigureCheck::failed(&c.path, old.as_f64(), format!("{old} -> {new}"))
            }
        });
    }
    if others == 0 {
        checks.push(FigureCheck {
            name: "report.json (every other value)".into(),
            expected: None,
            actual: None,
            rel_diff: None,
            pass: true,
            note: None,
        });
    }
    checks
}
