//! Outputs of `landpool batch`: projects.csv (one row per project), a report.json per
//! project under `projects/<id>/`, the district-wide parcels.csv / parcels.geojson and
//! findings.csv, and with `[[constraints]]` the planning roll-up district.json. Every file
//! is written atomically; rows are in input order.

use std::path::Path;

use rayon::prelude::*;

use crate::batch::{BatchRun, ProjectStatus};
use crate::io::table::OutputTable;
use crate::io::write::{
    CoordFormat, GeoJsonFeatureWriter, TableFormat, csv_cell, geojson_crs_name, write_atomic,
    write_csv, write_json_pretty, write_table,
};
use crate::model::FieldKind;
use crate::model::Value;
use crate::project::ProjectReport;
use crate::report::assessment::write_report_json;
use crate::report::html::{INDEX_HTML, Lang, REPORT_HTML, write_index_html, write_report_html};
use crate::{Error, Result};

const HEADLINE_COLUMNS: &[&str] = &[
    "rules",
    "counted_land_area_m2",
    "land_rights_coef",
    "density_base_far",
    "building_rights_coef",
    "function_coef",
    "rights_floor_area_m2",
    "planned_floor_area_m2",
    "retained_land_area_m2",
];

fn status_str(s: ProjectStatus) -> &'static str {
    match s {
        ProjectStatus::Ok => "ok",
        ProjectStatus::Findings => "findings",
        ProjectStatus::Failed => "failed",
    }
}

/// A file-system-safe folder name for a project id.
pub fn project_dir_name(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes one project's report.json and report.html (in `lang`, linking back to the
/// index) to `dir/projects/<id>/` (the batch's report sink).
pub fn write_project_report(
    dir: &Path,
    id: &str,
    report: &ProjectReport,
    lang: Lang,
) -> Result<()> {
    let pdir = dir.join("projects").join(project_dir_name(id));
    std::fs::create_dir_all(&pdir).map_err(|e| Error::io(&pdir, e))?;
    write_report_json(&pdir.join("report.json"), report)?;
    let back = format!("../../{INDEX_HTML}");
    write_report_html(&pdir.join(REPORT_HTML), report, lang, &back)
}

/// Writes the district-wide outputs into `dir`, index.html in `lang` (the per-project
/// reports are written by [`write_project_report`], as the batch goes, or here when the run
/// kept them).
pub fn write_batch_outputs(dir: &Path, run: &BatchRun, lang: Lang) -> Result<()> {
    std::fs::create_dir_all(dir.join("projects")).map_err(|e| Error::io(dir, e))?;
    // District-wide validation: every problem and repair, also of parcels in no project.
    write_json_pretty(&dir.join("inputs.json"), &run.layer_summaries)?;
    write_index_html(&dir.join(INDEX_HTML), run, lang)?;
    crate::report::xlsx::write_district_xlsx(&dir.join(crate::report::xlsx::DISTRICT_XLSX), run)?;
    run.projects.par_iter().try_for_each(|p| match &p.report {
        Some(report) => write_project_report(dir, &p.project_id, report, lang),
        None => Ok(()),
    })?;
    write_projects_csv(&dir.join("projects.csv"), run)?;
    write_findings_csv(&dir.join("findings.csv"), run)?;
    if let Some(rollup) = &run.rollup {
        write_json_pretty(&dir.join("district.json"), rollup)?;
    }
    write_district_parcels_csv(&dir.join("parcels.csv"), run)?;
    write_district_parcels_geojson(&dir.join("parcels.geojson"), run)?;
    write_district_parcels_table(&dir.join("parcels.parquet"), run, TableFormat::GeoParquet)
}

/// projects.csv: one row per project, its status, finding counts and headline figures;
/// with `[[constraints]]`, the planning columns after them ([`planning_columns`]).
fn write_projects_csv(path: &Path, run: &BatchRun) -> Result<()> {
    let planning_header = planning_columns(run);
    let mut header: Vec<&str> = vec!["project_id", "name", "status", "findings", "violations"];
    header.extend_from_slice(HEADLINE_COLUMNS);
    header.extend(planning_header.iter().map(String::as_str));
    header.push("error");
    write_csv(
        path,
        &header,
        run.projects.iter().map(|p| {
            let mut row = vec![
                p.project_id.clone(),
                p.name.clone().unwrap_or_default(),
                status_str(p.status).to_string(),
            ];
            if p.status == ProjectStatus::Failed {
                row.extend(std::iter::repeat_n(
                    String::new(),
                    2 + HEADLINE_COLUMNS.len() + planning_header.len(),
                ));
            } else {
                row.push(p.findings.len().to_string());
                row.push(
                    p.findings
                        .iter()
                        .filter(|f| f.severity == crate::policy::Severity::Violation)
                        .count()
                        .to_string(),
                );
                row.extend(p.headline.iter().map(|(_, v)| csv_cell(v)));
                row.extend(planning_cells(p, planning_header.len()));
            }
            row.push(p.error.clone().unwrap_or_default());
            row
        }),
    )
}

/// The planning columns of projects.csv: each constraint's part of the boundary
/// (`<name>_m2`, outside it for the 城镇开发边界), then conflicts, enclaves and contiguity.
/// None when the district has no constraints, so that its projects.csv is as before.
fn planning_columns(run: &BatchRun) -> Vec<String> {
    if run.constraints.is_empty() {
        return Vec::new();
    }
    let mut cols: Vec<String> = run
        .constraints
        .iter()
        .map(|(name, _)| format!("{name}_m2"))
        .collect();
    cols.extend(
        [
            "conflict_violations",
            "conflict_warnings",
            "enclaves",
            "enclave_holes",
            "enclaves_m2",
            "consolidated_components",
            "largest_component_share",
        ]
        .map(String::from),
    );
    cols
}

/// One project's planning cells (`n` of them, empty when it has no planning figures).
fn planning_cells(p: &crate::batch::ProjectOutcome, n: usize) -> Vec<String> {
    let Some(s) = &p.planning else {
        return vec![String::new(); n];
    };
    let mut cells: Vec<String> = s
        .constraints
        .iter()
        .map(|c| c.boundary_part_m2.to_string())
        .collect();
    cells.extend([
        s.conflict_violations.to_string(),
        s.conflict_warnings.to_string(),
        s.enclaves.to_string(),
        s.enclave_holes.to_string(),
        s.enclaves_m2.to_string(),
        s.consolidated_components.to_string(),
        s.largest_component_share.to_string(),
    ]);
    cells.resize(n, String::new());
    cells
}

/// findings.csv: every project's findings, failed projects, and overlapping project pairs.
fn write_findings_csv(path: &Path, run: &BatchRun) -> Result<()> {
    let mut findings: Vec<Vec<String>> = Vec::new();
    for p in &run.projects {
        for f in &p.findings {
            findings.push(vec![
                p.project_id.clone(),
                f.code.to_string(),
                serde_json::to_value(f.severity)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                f.message.clone(),
            ]);
        }
        if let Some(e) = &p.error {
            findings.push(vec![
                p.project_id.clone(),
                "project_failed".into(),
                "error".into(),
                e.clone(),
            ]);
        }
    }
    for o in &run.overlaps {
        findings.push(vec![
            format!("{};{}", o.project_a, o.project_b),
            "projects_overlap".into(),
            "violation".into(),
            format!(
                "projects {} and {} overlap by {:.2} m²; {} parcel(s) lie in both: {}",
                o.project_a,
                o.project_b,
                o.overlap_m2,
                o.parcels_in_both.len(),
                o.parcels_in_both.join(" ")
            ),
        ]);
    }
    write_csv(
        path,
        &["project_id", "code", "severity", "message"],
        findings,
    )
}

/// A district parcel's status (classified, in no / one / several projects) and its
/// project ids joined by `;`.
fn district_parcel_status(p: &crate::batch::DistrictParcel) -> (&'static str, String) {
    let status = if p.tenure.is_none() {
        "unclassified"
    } else {
        match p.project_ids.len() {
            0 => "outside_projects",
            1 => "in_project",
            _ => "in_several_projects",
        }
    };
    (status, p.project_ids.join(";"))
}

/// parcels.csv: every parcel of the district layer, in layer order.
fn write_district_parcels_csv(path: &Path, run: &BatchRun) -> Result<()> {
    write_csv(
        path,
        &[
            "parcel_id",
            "feature_index",
            "status",
            "tenure",
            "tenure_error",
            "area_m2",
            "density_base_far",
            "zone_covered_share",
            "project_ids",
        ],
        run.parcels.iter().map(|p| {
            let (status, ids) = district_parcel_status(p);
            vec![
                p.parcel_id.clone(),
                p.feature_index.to_string(),
                status.to_string(),
                p.tenure.map(|t| t.to_string()).unwrap_or_default(),
                p.tenure_error.clone().unwrap_or_default(),
                p.area_m2.to_string(),
                p.density_base_far
                    .map(|x| x.to_string())
                    .unwrap_or_default(),
                p.zone_covered_share.to_string(),
                ids,
            ]
        }),
    )
}

/// parcels.geojson: the district parcels' geometries with their status, streamed.
fn write_district_parcels_geojson(path: &Path, run: &BatchRun) -> Result<()> {
    let parcels_layer = &run.parcels_layer;
    let crs = parcels_layer.crs.as_ref().and_then(geojson_crs_name);
    write_atomic(path, |w| {
        let mut fw =
            GeoJsonFeatureWriter::begin(w, path, "parcels", crs.as_deref(), CoordFormat::Shortest)?;
        for (f, p) in parcels_layer.features.iter().zip(&run.parcels) {
            let (status, ids) = district_parcel_status(p);
            let props = [
                ("parcel_id", Value::Str(p.parcel_id.clone())),
                ("status", Value::Str(status.into())),
                (
                    "tenure",
                    p.tenure.map_or(Value::Null, |t| Value::Str(t.to_string())),
                ),
                ("area_m2", Value::Float(p.area_m2)),
                (
                    "density_base_far",
                    p.density_base_far.map_or(Value::Null, Value::Float),
                ),
                ("project_ids", Value::Str(ids)),
            ];
            fw.write_feature(&f.geometry, props.iter().map(|(k, v)| (*k, v)))?;
        }
        fw.finish()?;
        Ok(())
    })
}

/// parcels.parquet (in builds with the `parquet` feature): the columns of parcels.geojson
/// plus feature_index, as GeoParquet with the layer's CRS.
fn write_district_parcels_table(path: &Path, run: &BatchRun, format: TableFormat) -> Result<()> {
    if !format.available() {
        return Ok(());
    }
    let layer = &run.parcels_layer;
    let columns = [
        ("parcel_id", FieldKind::String),
        ("feature_index", FieldKind::Int),
        ("status", FieldKind::String),
        ("tenure", FieldKind::String),
        ("area_m2", FieldKind::Float),
        ("density_base_far", FieldKind::Float),
        ("project_ids", FieldKind::String),
    ];
    let mut table = OutputTable::new("parcels", "", layer.crs.clone(), true, &columns);
    for (f, p) in layer.features.iter().zip(&run.parcels) {
        let (status, ids) = district_parcel_status(p);
        let index = i64::try_from(p.feature_index).map_or(Value::Null, Value::Int);
        let tenure = p.tenure.map_or(Value::Null, |t| Value::Str(t.to_string()));
        let far = p.density_base_far.map_or(Value::Null, Value::Float);
        let values = vec![
            Value::Str(p.parcel_id.clone()),
            index,
            Value::Str(status.into()),
            tenure,
            Value::Float(p.area_m2),
            far,
            Value::Str(ids),
        ];
        table.push(Some(&f.geometry), values);
    }
    write_table(path, &table, format)
}
