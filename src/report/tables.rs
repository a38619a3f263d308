//! The results of one project as format-neutral tables ([`OutputTable`]): the parcels with
//! their status and figures, the retained-land sites with their placement, the project
//! summary, and the rule values that are not official. The GeoJSON, GeoPackage and PostGIS
//! writers all take these, so every format carries the same columns.

use crate::batch::headline;
use crate::geom::placement::Placement;
use crate::io::table::OutputTable;
use crate::model::{FieldKind, Layer, Value};
use crate::policy::Severity;
use crate::project::{ParcelRow, ProjectRun, SitingReport};

/// Name of the parcels table, as written to GeoPackage layers and database tables.
pub const PARCELS_TABLE: &str = "parcels";
/// Name of the retained-land sites table.
pub const SITES_TABLE: &str = "sites";
/// Name of the one-row project summary table.
pub const SUMMARY_TABLE: &str = "project_summary";
/// Name of the table of rule values that are not official.
pub const NOT_OFFICIAL_TABLE: &str = "not_official_values";

fn text(s: impl Into<String>) -> Value {
    Value::Str(s.into())
}

fn opt_text(s: Option<String>) -> Value {
    s.map_or(Value::Null, Value::Str)
}

fn opt_num(x: Option<f64>) -> Value {
    x.map_or(Value::Null, Value::Float)
}

/// A serde enum's name (`counted`, `inside`, ...).
fn enum_name<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub(crate) fn placement_name(p: Placement) -> String {
    enum_name(p)
}

pub(crate) fn parcel_status_name(r: &ParcelRow) -> String {
    enum_name(r.status)
}

/// `zone:area;zone:area`, the density-zone split of a parcel.
pub(crate) fn zone_cell(r: &ParcelRow) -> String {
    r.zones
        .iter()
        .map(|z| format!("{}:{}", z.zone, z.area_m2))
        .collect::<Vec<_>>()
        .join(";")
}

/// Every parcel of the layer (`layer.features` and `rows` in the same order) with its status.
pub fn parcels_table<'g>(layer: &'g Layer, rows: &[ParcelRow]) -> OutputTable<'g> {
    use FieldKind::*;
    let mut t = OutputTable::new(
        PARCELS_TABLE,
        "every parcel with its status, tenure and counted area (landpool assess)",
        layer.crs.clone(),
        true,
        &[
            ("parcel_id", String),
            ("feature_index", Int),
            ("status", String),
            ("reason", String),
            ("tenure", String),
            ("area_m2", Float),
            ("area_inside_m2", Float),
            ("counted_area_m2", Float),
            ("land_rights_coef", Float),
            ("zone_areas", String),
            ("uncovered_m2", Float),
            ("floor_area_m2", Float),
        ],
    );
    for (f, r) in layer.features.iter().zip(rows) {
        t.push(
            Some(&f.geometry),
            vec![
                text(r.parcel_id.clone()),
                Value::Int(r.feature_index as i64),
                text(parcel_status_name(r)),
                opt_text(r.reason.clone()),
                opt_text(r.tenure.map(|c| c.to_string())),
                Value::Float(r.area_m2),
                Value::Float(r.area_inside_m2),
                opt_num(r.counted_area_m2),
                opt_num(r.land_rights_coef),
                text(zone_cell(r)),
                Value::Float(r.uncovered_m2),
                Value::Float(r.floor_area_m2),
            ],
        );
    }
    t
}

/// The project's retained-land sites with placement, price and converted rights.
pub fn sites_table<'g>(layer: &'g Layer, siting: &SitingReport) -> OutputTable<'g> {
    use FieldKind::*;
    let mut t = OutputTable::new(
        SITES_TABLE,
        "proposed retained-land sites with placement (inside/outside/straddling), price and \
         converted rights (landpool assess)",
        layer.crs.clone(),
        true,
        &[
            ("site_id", String),
            ("use", String),
            ("status", String),
            ("area_m2", Float),
            ("inside_m2", Float),
            ("outside_m2", Float),
            ("price", Float),
            ("shortfall_taken_m2", Float),
            ("onsite_rights_m2", Float),
            ("converted_rights_m2", Float),
            // 2018 rules, site outside the project: S拆除重建 × 地块容积率 ⊕ FA利益统筹 × 1.5.
            ("base_floor_area_2018_m2", Float),
        ],
    );
    for row in &siting.sites {
        // Sites rows come from this layer; a row without its feature cannot happen, and
        // would only lose a geometry, never a row.
        let geometry = layer
            .features
            .iter()
            .find(|f| f.index == row.feature_index)
            .map(|f| &f.geometry);
        t.push(
            geometry,
            vec![
                text(row.site_id.clone()),
                opt_text(row.use_.clone()),
                text(placement_name(row.placement)),
                Value::Float(row.area_m2),
                Value::Float(row.inside_m2),
                Value::Float(row.outside_m2),
                opt_num(row.price),
                Value::Float(row.shortfall_taken_m2),
                Value::Float(row.onsite_rights_m2),
                opt_num(row.conversion.as_ref().map(|c| c.offsite_rights_m2)),
                opt_num(row.base_2018.as_ref().map(|b| b.base_floor_area_m2)),
            ],
        );
    }
    t
}

/// One row: the project's headline figures (the columns of a batch's projects.csv).
pub fn summary_table(run: &ProjectRun) -> OutputTable<'static> {
    let report = &run.report;
    let headline = headline(report);
    let mut fields: Vec<(&str, FieldKind)> = vec![
        ("project_id", FieldKind::String),
        ("name", FieldKind::String),
        ("assessment_date", FieldKind::Date),
        ("findings", FieldKind::Int),
        ("violations", FieldKind::Int),
        ("not_official_values", FieldKind::Int),
    ];
    fields.extend(headline.iter().map(|(name, value)| {
        let kind = match value {
            Value::Str(_) => FieldKind::String,
            _ => FieldKind::Float,
        };
        (*name, kind)
    }));
    let mut t = OutputTable::new(
        SUMMARY_TABLE,
        "the project's headline figures; see not_official_values for the rule values that \
         are not official",
        None,
        false,
        &fields,
    );
    let violations = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Violation)
        .count();
    let mut values = vec![
        text(report.project.id.clone()),
        opt_text(report.project.name.clone()),
        Value::Date(report.project.assessment_date),
        Value::Int(report.findings.len() as i64),
        Value::Int(violations as i64),
        Value::Int(report.not_official_values.len() as i64),
    ];
    values.extend(headline.into_iter().map(|(_, v)| v));
    t.push(None, values);
    t
}

/// The rule values the figures depend on that are not official (illustrative), so that a
/// GeoPackage or database copy of the results says so as plainly as report.json.
pub fn not_official_table(run: &ProjectRun) -> OutputTable<'static> {
    let mut t = OutputTable::new(
        NOT_OFFICIAL_TABLE,
        "rule values used by the figures that are NOT official (illustrative): check them",
        None,
        false,
        &[
            ("project_id", FieldKind::String),
            ("key", FieldKind::String),
            ("value", FieldKind::String),
            ("status", FieldKind::String),
            ("source", FieldKind::String),
        ],
    );
    for v in &run.report.not_official_values {
        t.push(
            None,
            vec![
                text(run.report.project.id.clone()),
                text(v.key.clone()),
                text(v.value.clone()),
                text(enum_name(v.status)),
                text(v.source.clone()),
            ],
        );
    }
    t
}

/// All tables of a project run: parcels, sites (when the project has a sites layer), the
/// summary and the unofficial values.
pub fn project_tables(run: &ProjectRun) -> Vec<OutputTable<'_>> {
    let mut tables = vec![parcels_table(&run.layers.parcels, &run.report.parcels)];
    if let (Some(siting), Some(layer)) = (&run.report.siting, &run.layers.retained_sites) {
        tables.push(sites_table(layer, siting));
    }
    tables.push(summary_table(run));
    tables.push(not_official_table(run));
    tables
}
