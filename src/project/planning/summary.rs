//! The planning analyses of one project in a few figures: the columns of a batch's
//! projects.csv and the inputs of the district roll-up (district.json).

use serde::Serialize;

use super::PlanningAnalysis;
use crate::policy::Severity;
use crate::policy::planning::ConstraintKind;

/// One constraint's part of a project boundary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConstraintPart {
    /// The constraint's name.
    pub name: String,
    /// Its kind.
    pub kind: ConstraintKind,
    /// The boundary's part in the layer (outside it for the 城镇开发边界), m².
    pub boundary_part_m2: f64,
    /// That part's share of the boundary.
    pub share: f64,
}

/// A project's planning figures in brief.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanningSummary {
    /// Each constraint's part of the boundary, in file order.
    pub constraints: Vec<ConstraintPart>,
    /// Constraint conflicts that are violations (sites on the red line, ...).
    pub conflict_violations: usize,
    /// Constraint conflicts that are warnings (land in the ecological control line).
    pub conflict_warnings: usize,
    /// Number of enclaves (开天窗).
    pub enclaves: usize,
    /// Number of those that are holes.
    pub enclave_holes: usize,
    /// Their total area, m².
    pub enclaves_m2: f64,
    /// Connected components of the consolidated land.
    pub consolidated_components: usize,
    /// The largest component's share of the consolidated land.
    pub largest_component_share: f64,
}

/// The finding codes of constraint conflicts (not enclaves or contiguity).
const CONFLICT_CODES: [&str; 4] = [
    "site_on_ecological_red_line",
    "site_on_permanent_basic_farmland",
    "site_outside_urban_development_boundary",
    "project_in_ecological_control_line",
];

impl PlanningSummary {
    /// The summary of one project's analyses.
    pub fn of(p: &PlanningAnalysis) -> PlanningSummary {
        let conflicts = |severity: Severity| {
            p.findings
                .iter()
                .filter(|f| f.severity == severity && CONFLICT_CODES.contains(&f.code.as_str()))
                .count()
        };
        PlanningSummary {
            constraints: p
                .constraints
                .iter()
                .map(|c| ConstraintPart {
                    name: c.name.clone(),
                    kind: c.kind,
                    boundary_part_m2: c.boundary.area_m2,
                    share: c.boundary.share,
                })
                .collect(),
            conflict_violations: conflicts(Severity::Violation),
            conflict_warnings: conflicts(Severity::Warning),
            enclaves: p.enclaves.count,
            enclave_holes: p.enclaves.holes,
            enclaves_m2: p.enclaves.area_m2,
            consolidated_components: p.contiguity.components,
            largest_component_share: p.contiguity.largest_share,
        }
    }
}
