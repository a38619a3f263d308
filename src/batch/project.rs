//! One project of the batch: its slice of the district through exactly the pipeline of
//! `landpool assess`, ending as an outcome row (a failure is a row, not an error).

use geo::BoundingRect;
use serde::Serialize;

use super::overrides::{Overrides, apply_overrides};
use super::slice::SliceSource;
use super::{DistrictFile, ReportSink};
use crate::model::{Feature, Value};
use crate::policy::{Finding, Severity};
use crate::project::planning::PlanningSummary;
use crate::project::{Computation, ProjectReport, RuleSets, assess_loaded};

/// How a project ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    /// Assessed, no violation.
    Ok,
    /// Assessed, with at least one violated constraint.
    Findings,
    /// Not assessed: see the error.
    Failed,
}

/// One project of the batch.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectOutcome {
    /// The boundary feature's id attribute, or `#index`.
    pub project_id: String,
    /// The boundary feature's `name` attribute.
    pub name: Option<String>,
    /// Position of the boundary feature in its file.
    pub feature_index: usize,
    /// How the project ended.
    pub status: ProjectStatus,
    /// Why the project failed.
    pub error: Option<String>,
    /// Headline figures (name, value) for projects.csv; empty when the project failed.
    pub headline: Vec<(&'static str, Value)>,
    /// The project's findings.
    pub findings: Vec<Finding>,
    /// The planning figures in brief, when the district has `[[constraints]]`.
    pub planning: Option<PlanningSummary>,
    /// The full report, unless it went to the [`super::BatchOptions::report_sink`].
    #[serde(skip)]
    pub report: Option<Box<ProjectReport>>,
    /// Feature indices of the parcels counted or excluded inside the project.
    #[serde(skip)]
    pub inside_parcels: Vec<usize>,
}

/// What every project of the batch shares: the district, its rule sets and overrides, the
/// source of the slices and where reports go.
pub(super) struct SharedInputs<'a> {
    pub(super) district: &'a DistrictFile,
    pub(super) rules: &'a RuleSets,
    pub(super) overrides: &'a Overrides,
    pub(super) slices: SliceSource<'a>,
    pub(super) sink: Option<&'a ReportSink>,
}

/// Assesses the project of one boundary feature.
pub(super) fn assess_one(shared: &SharedInputs<'_>, boundary: &Feature) -> ProjectOutcome {
    let bl = &shared.slices.layers.boundary;
    let id = boundary
        .key
        .clone()
        .unwrap_or_else(|| format!("#{}", boundary.index));
    let name = bl.attr(boundary, "name").and_then(Value::as_text);
    let failed = |error: String| ProjectOutcome {
        project_id: id.clone(),
        name: name.clone(),
        feature_index: boundary.index,
        status: ProjectStatus::Failed,
        error: Some(error),
        headline: Vec::new(),
        findings: Vec::new(),
        planning: None,
        report: None,
        inside_parcels: Vec::new(),
    };
    let Some(bbox) = boundary.geometry.bounding_rect() else {
        return failed(format!(
            "{}: the project boundary is empty",
            bl.feature_ref(boundary)
        ));
    };
    let mut pf = shared.district.project_file(&id, name.clone());
    if let Some(row) = shared.overrides.get(&id)
        && let Err(e) = apply_overrides(&mut pf, row)
    {
        return failed(e.to_string());
    }
    let project_layers = shared.slices.project_layers(&id, boundary, bbox);
    let run = match assess_loaded(pf, project_layers, shared.rules) {
        Ok(run) => run,
        Err(e) => return failed(e.to_string()),
    };
    if let Some(sink) = shared.sink
        && let Err(e) = sink(&id, &run.report)
    {
        return failed(format!("writing the report failed: {e}"));
    }
    let mut outcome = assessed(id, name, boundary.index, &run.report);
    if shared.sink.is_none() {
        // Without a sink the outcome keeps the report (moved, not copied).
        outcome.report = Some(Box::new(run.report));
    }
    outcome
}

/// The outcome of an assessed project, without its report.
fn assessed(
    project_id: String,
    name: Option<String>,
    feature_index: usize,
    report: &ProjectReport,
) -> ProjectOutcome {
    let violated = report
        .findings
        .iter()
        .any(|f| f.severity == Severity::Violation);
    let inside_parcels = report
        .measurement
        .inside
        .iter()
        .map(|p| p.feature_index)
        .collect();
    ProjectOutcome {
        project_id,
        name,
        feature_index,
        status: if violated {
            ProjectStatus::Findings
        } else {
            ProjectStatus::Ok
        },
        error: None,
        headline: headline(report),
        findings: report.findings.clone(),
        planning: report.planning.as_ref().map(PlanningSummary::of),
        report: None,
        inside_parcels,
    }
}

/// The headline figures of a project, for projects.csv and the results' project_summary
/// table: the rule set's name, then numbers (`Null` where the 2018 rules have no such figure).
pub fn headline(report: &ProjectReport) -> Vec<(&'static str, Value)> {
    let f = Value::Float;
    match &report.computation {
        Computation::New(a) => vec![
            ("rules", Value::Str("2022_draft".into())),
            ("counted_land_area_m2", f(a.counted_land_area_m2)),
            ("land_rights_coef", f(a.land_rights_coef)),
            ("density_base_far", f(a.density.base_far)),
            ("building_rights_coef", f(a.buildings.building_rights_coef)),
            ("function_coef", f(a.function.function_coef)),
            ("rights_floor_area_m2", f(a.rights_floor_area_m2)),
            ("planned_floor_area_m2", f(a.planned_floor_area_m2)),
            ("retained_land_area_m2", f(a.retained.retained_land_area_m2)),
        ],
        Computation::Rules2018(a) => vec![
            ("rules", Value::Str("2018".into())),
            ("counted_land_area_m2", Value::Null),
            ("land_rights_coef", Value::Null),
            ("density_base_far", Value::Null),
            ("building_rights_coef", Value::Null),
            ("function_coef", Value::Null),
            ("rights_floor_area_m2", f(a.base_floor_area_m2)),
            ("planned_floor_area_m2", f(a.planned_floor_area_m2)),
            ("retained_land_area_m2", f(a.retained_land_area_m2)),
        ],
    }
}
