//! district.xlsx of `landpool batch`: the projects table with district totals as live SUM
//! formulas (cached values written too), and every finding of the district.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::sheet::{Formats, TableCell as T, XResult, column_range, write_formula, write_table};
use super::tables::{finding_row, severity_name};
use crate::batch::{BatchRun, ProjectOutcome, ProjectStatus};
use crate::model::Value;
use crate::policy::Severity;

/// Sheet names of district.xlsx, in order.
pub const DISTRICT_SHEETS: [&str; 2] = ["projects", "findings"];

/// Columns of the projects sheet before the headline figures.
const LEAD: [&str; 5] = ["project_id", "name", "status", "findings", "violations"];

/// Columns summed in the totals row: counts and areas (coefficients are not summed).
const SUMMED: [&str; 6] = [
    "findings",
    "violations",
    "counted_land_area_m2",
    "rights_floor_area_m2",
    "planned_floor_area_m2",
    "retained_land_area_m2",
];

/// The bytes of district.xlsx.
pub(super) fn district_xlsx_bytes(run: &BatchRun) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut wb = super::new_workbook()?;
    let fmt = Formats::new();
    let [projects, findings] = DISTRICT_SHEETS;
    write_projects(wb.add_worksheet().set_name(projects)?, &fmt, run)?;
    write_findings(wb.add_worksheet().set_name(findings)?, &fmt, run)?;
    wb.save_to_buffer()
}

/// The headline names, from the first project that has them.
fn headline_names(run: &BatchRun) -> Vec<&'static str> {
    run.projects
        .iter()
        .find(|p| !p.headline.is_empty())
        .map(|p| p.headline.iter().map(|(k, _)| *k).collect())
        .unwrap_or_default()
}

fn status_name(s: ProjectStatus) -> &'static str {
    match s {
        ProjectStatus::Ok => "ok",
        ProjectStatus::Findings => "findings",
        ProjectStatus::Failed => "failed",
    }
}

fn value_cell(v: &Value) -> T {
    match v {
        Value::Float(x) => T::Number(*x),
        Value::Int(i) => T::Number(*i as f64),
        Value::Null => T::Maybe(None),
        other => T::Text(other.as_text().unwrap_or_default()),
    }
}

/// One row of the projects table.
fn project_row(p: &ProjectOutcome, names: &[&'static str]) -> Vec<T> {
    let mut row = vec![
        T::Text(p.project_id.clone()),
        T::Text(p.name.clone().unwrap_or_default()),
        T::Text(status_name(p.status).into()),
    ];
    if p.status == ProjectStatus::Failed {
        row.extend(std::iter::repeat_with(|| T::Maybe(None)).take(2 + names.len()));
    } else {
        let violations = p
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Violation)
            .count();
        row.push(T::Number(p.findings.len() as f64));
        row.push(T::Number(violations as f64));
        for name in names {
            let v = p.headline.iter().find(|(k, _)| k == name).map(|(_, v)| v);
            row.push(v.map_or(T::Maybe(None), value_cell));
        }
    }
    row.push(T::Text(p.error.clone().unwrap_or_default()));
    row
}

/// The number a table cell holds, as Excel's SUM sees it (text and blanks are skipped).
fn cell_number(c: &T) -> Option<f64> {
    match c {
        T::Number(x) | T::Maybe(Some(x)) => Some(*x),
        _ => None,
    }
}

/// The projects table and its totals row.
fn write_projects(ws: &mut Worksheet, fmt: &Formats, run: &BatchRun) -> XResult<()> {
    let names = headline_names(run);
    let mut header: Vec<&str> = LEAD.to_vec();
    header.extend(&names);
    header.push("error");
    let rows: Vec<Vec<T>> = run
        .projects
        .iter()
        .map(|p| project_row(p, &names))
        .collect();
    let title = format!("District: {} project(s)", run.projects.len());
    let first = 3u32;
    let mut totals = vec![0.0; header.len()];
    for row in &rows {
        for (t, c) in totals.iter_mut().zip(row) {
            *t += cell_number(c).unwrap_or(0.0);
        }
    }
    let end = write_table(ws, fmt, &title, &header, rows)?;
    ws.write_string_with_format(end, 0, "district total", &fmt.header)?;
    if end == first {
        return Ok(());
    }
    for (c, (name, total)) in (0u16..).zip(header.iter().zip(&totals)) {
        if SUMMED.contains(name) {
            let f = format!("SUM({})", column_range(c, first, end - 1));
            write_formula(ws, end, c, &f, *total, &fmt.formula)?;
        }
    }
    Ok(())
}

/// Every finding of every project, failed projects and overlapping projects.
fn write_findings(ws: &mut Worksheet, fmt: &Formats, run: &BatchRun) -> XResult<()> {
    let mut rows = Vec::new();
    for p in &run.projects {
        for f in &p.findings {
            rows.push(finding_row(
                Some(&p.project_id),
                f.code.to_string(),
                severity_name(f),
                &f.message,
            ));
        }
        if let Some(e) = &p.error {
            rows.push(finding_row(
                Some(&p.project_id),
                "project_failed".into(),
                "error".into(),
                e,
            ));
        }
    }
    for o in &run.overlaps {
        let message = format!(
            "projects {} and {} overlap by {:.2} m²; {} parcel(s) lie in both: {}",
            o.project_a,
            o.project_b,
            o.overlap_m2,
            o.parcels_in_both.len(),
            o.parcels_in_both.join(" ")
        );
        rows.push(finding_row(
            Some(&format!("{};{}", o.project_a, o.project_b)),
            "projects_overlap".into(),
            "violation".into(),
            &message,
        ));
    }
    let title = format!("District findings ({})", rows.len());
    write_table(
        ws,
        fmt,
        &title,
        &["project_id", "code", "severity", "message"],
        rows,
    )?;
    Ok(())
}
