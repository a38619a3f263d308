//! The district roll-up of the planning analyses (district.json): per constraint, how many
//! projects it touches and how much of their land; conflicts, enclaves (开天窗) and
//! fragmented projects (not 集中连片) over the district.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{ProjectOutcome, ProjectStatus};
use crate::policy::planning::{AREA_TOLERANCE_M2, ConstraintKind};

/// One constraint over the district.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConstraintRollup {
    /// The constraint's name.
    pub name: String,
    /// Its kind.
    pub kind: ConstraintKind,
    /// Projects whose boundary has a part in it (outside it, for the 城镇开发边界) above
    /// the area tolerance.
    pub projects_touching: usize,
    /// The sum of those parts, m² (project boundaries that overlap count twice).
    pub boundary_part_m2: f64,
}

/// district.json: the planning analyses of every assessed project, rolled up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DistrictRollup {
    /// The district's name.
    pub district: Option<String>,
    /// Projects in the boundary layer.
    pub projects: usize,
    /// Projects assessed (not failed).
    pub assessed: usize,
    /// Each constraint, in file order.
    pub constraints: Vec<ConstraintRollup>,
    /// Constraint conflicts that are violations, over all projects.
    pub conflict_violations: usize,
    /// Projects with at least one such violation.
    pub projects_with_conflict_violations: usize,
    /// Constraint conflicts that are warnings, over all projects.
    pub conflict_warnings: usize,
    /// Enclaves over all projects.
    pub enclaves: usize,
    /// Holes among them.
    pub enclave_holes: usize,
    /// Their total area, m².
    pub enclaves_m2: f64,
    /// Projects with at least one enclave hole.
    pub projects_with_holes: usize,
    /// Projects whose consolidated land is in more than one block.
    pub fragmented_projects: usize,
    /// Every finding code with its count over the district.
    pub findings_by_code: BTreeMap<String, usize>,
}

/// Rolls the projects up; `None` when the district has no constraints.
pub fn roll_up(
    district: Option<String>,
    constraints: &[(String, ConstraintKind)],
    projects: &[ProjectOutcome],
) -> Option<DistrictRollup> {
    if constraints.is_empty() {
        return None;
    }
    let summaries: Vec<_> = projects
        .iter()
        .filter_map(|p| p.planning.as_ref())
        .collect();
    let count = |f: &dyn Fn(&&crate::project::planning::PlanningSummary) -> bool| {
        summaries.iter().filter(|s| f(s)).count()
    };
    let sum = |f: &dyn Fn(&crate::project::planning::PlanningSummary) -> usize| {
        summaries.iter().map(|s| f(s)).sum::<usize>()
    };
    let mut findings_by_code: BTreeMap<String, usize> = BTreeMap::new();
    for f in projects.iter().flat_map(|p| &p.findings) {
        *findings_by_code.entry(f.code.to_string()).or_default() += 1;
    }
    Some(DistrictRollup {
        district,
        projects: projects.len(),
        assessed: projects
            .iter()
            .filter(|p| p.status != ProjectStatus::Failed)
            .count(),
        constraints: constraint_rollups(constraints, &summaries),
        conflict_violations: sum(&|s| s.conflict_violations),
        projects_with_conflict_violations: count(&|s| s.conflict_violations > 0),
        conflict_warnings: sum(&|s| s.conflict_warnings),
        enclaves: sum(&|s| s.enclaves),
        enclave_holes: sum(&|s| s.enclave_holes),
        enclaves_m2: summaries.iter().map(|s| s.enclaves_m2).sum(),
        projects_with_holes: count(&|s| s.enclave_holes > 0),
        fragmented_projects: count(&|s| s.consolidated_components > 1),
        findings_by_code,
    })
}

fn constraint_rollups(
    constraints: &[(String, ConstraintKind)],
    summaries: &[&crate::project::planning::PlanningSummary],
) -> Vec<ConstraintRollup> {
    constraints
        .iter()
        .enumerate()
        .map(|(i, (name, kind))| {
            let parts: Vec<f64> = summaries
                .iter()
                .filter_map(|s| s.constraints.get(i))
                .map(|c| c.boundary_part_m2)
                .filter(|a| *a > AREA_TOLERANCE_M2)
                .collect();
            ConstraintRollup {
                name: name.clone(),
                kind: *kind,
                projects_touching: parts.len(),
                boundary_part_m2: parts.iter().sum(),
            }
        })
        .collect()
}
