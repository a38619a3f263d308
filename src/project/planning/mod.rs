//! Planning analyses of a project (issue 15): its conflicts with the constraint layers
//! (三区三线, 基本生态控制线, ...), its enclaves (开天窗) and the contiguity of its
//! consolidated land (集中连片). This module measures with the geometry engine; what counts
//! as a conflict is decided by [`crate::policy::planning`].
//!
//! Each constraint layer is dissolved once ([`ConstraintRegion::dissolved`], tile by tile)
//! when it is loaded; a batch slices the dissolved pieces per project instead of
//! dissolving again.

mod conflicts;
mod enclaves;
mod region;
mod summary;

use geo::{Area, MultiPolygon};
use serde::{Deserialize, Serialize};

use super::config::LayerSpec;
use crate::Result;
use crate::policy::Finding;
use crate::policy::planning::ConstraintKind;
use crate::project::ParcelStatus;

pub use conflicts::{AreaShare, ConstraintOverlay, ItemArea};
pub use enclaves::{Contiguity, Enclave, EnclaveParcel, EnclaveSummary};
pub use region::{ConstraintRegion, TILE_M};
pub use summary::{ConstraintPart, PlanningSummary};

/// One `[[constraints]]` entry of a project or district file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConstraintSpec {
    /// The constraint's name for the reports (e.g. `生态保护红线`).
    pub name: String,
    /// Its kind, one of [`ConstraintKind::ALL`] (checked at load time, so that an unknown
    /// kind is an error naming `constraints[N].kind` and the allowed kinds).
    pub kind: String,
    /// The layer (any layer spec).
    pub layer: LayerSpec,
}

impl ConstraintSpec {
    /// The kind as parsed (the message lists the allowed kinds).
    pub fn parsed_kind(&self) -> std::result::Result<ConstraintKind, String> {
        self.kind.parse()
    }
}

/// One parcel's part inside the boundary, as the planning analyses see it.
#[derive(Debug, Clone, Copy)]
pub struct PlanningParcel<'a> {
    /// Parcel id.
    pub parcel_id: &'a str,
    /// Counted, excluded, ...
    pub status: ParcelStatus,
    /// Why it is not counted, when it is not.
    pub reason: Option<&'a str>,
    /// The part inside the boundary.
    pub geometry: &'a MultiPolygon<f64>,
}

/// A retained-land site, as the planning analyses see it.
#[derive(Debug, Clone, Copy)]
pub struct PlanningSite<'a> {
    /// Site id.
    pub site_id: &'a str,
    /// The whole site.
    pub geometry: &'a MultiPolygon<f64>,
}

/// Everything the planning analyses measure.
#[derive(Debug, Clone, Copy)]
pub struct PlanningInput<'a> {
    /// The project boundary.
    pub boundary: &'a MultiPolygon<f64>,
    /// The constraint layers, dissolved.
    pub constraints: &'a [ConstraintRegion],
    /// The retained-land sites of the project.
    pub sites: &'a [PlanningSite<'a>],
    /// The parcels' inside parts.
    pub parcels: &'a [PlanningParcel<'a>],
    /// Enclaves and components at most this large (m²) are dropped as slivers.
    pub floor_m2: f64,
}

/// report.json `planning`: conflicts, enclaves and contiguity of one project.
#[derive(Debug, Clone, Serialize)]
pub struct PlanningAnalysis {
    /// Each constraint layer measured against the boundary, the sites and the parcels.
    pub constraints: Vec<ConstraintOverlay>,
    /// 开天窗: the land inside the boundary that is not consolidated.
    pub enclaves: EnclaveSummary,
    /// 集中连片: the contiguity of the consolidated land.
    pub contiguity: Contiguity,
    /// The findings of the analyses (they also join the report's findings).
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

/// Runs the three analyses, each with its findings.
pub fn analyse(input: &PlanningInput<'_>) -> Result<PlanningAnalysis> {
    let mut findings = Vec::new();
    let boundary_area = input.boundary.unsigned_area();
    let mut constraints = Vec::with_capacity(input.constraints.len());
    for c in input.constraints {
        let overlay = conflicts::measure_constraint(input, c)?;
        findings.extend(conflicts::findings(&overlay, boundary_area));
        constraints.push(overlay);
    }
    let consolidated = enclaves::consolidated_land(input)?;
    let enclaves = enclaves::enclaves(input, &consolidated)?;
    findings.extend(enclaves.findings());
    let contiguity = enclaves::contiguity(input, &consolidated);
    findings.extend(contiguity.finding());
    Ok(PlanningAnalysis {
        constraints,
        enclaves,
        contiguity,
        findings,
    })
}

/// The planning section of a project's report: `None` when the project file has no
/// `[[constraints]]` (so that reports without constraints stay as they were).
pub fn analyse_project(
    config: &super::ProjectFile,
    layers: &super::ProjectLayers,
    m: &super::Measurement,
    rows: &[super::ParcelRow],
    siting: Option<&super::SitingReport>,
) -> Result<Option<PlanningAnalysis>> {
    if layers.constraints.is_empty() {
        return Ok(None);
    }
    let status: std::collections::BTreeMap<usize, &super::ParcelRow> =
        rows.iter().map(|r| (r.feature_index, r)).collect();
    let parcels: Vec<PlanningParcel<'_>> = m
        .inside
        .iter()
        .zip(&m.inside_geoms)
        .filter_map(|(p, g)| {
            let row = status.get(&p.feature_index)?;
            Some(PlanningParcel {
                parcel_id: &p.parcel_id,
                status: row.status,
                reason: row.reason.as_deref(),
                geometry: g,
            })
        })
        .collect();
    let sites = project_sites(layers, siting);
    analyse(&PlanningInput {
        boundary: &m.boundary_geometry,
        constraints: &layers.constraints,
        sites: &sites,
        parcels: &parcels,
        floor_m2: config.input.sliver_floor_m2,
    })
    .map(Some)
}

/// The project's retained-land sites (those its siting report lists), with their geometry.
fn project_sites<'a>(
    layers: &'a super::ProjectLayers,
    siting: Option<&'a super::SitingReport>,
) -> Vec<PlanningSite<'a>> {
    let (Some(layer), Some(report)) = (layers.retained_sites.as_ref(), siting) else {
        return Vec::new();
    };
    let by_index: std::collections::BTreeMap<usize, &MultiPolygon<f64>> = layer
        .features
        .iter()
        .map(|f| (f.index, &f.geometry))
        .collect();
    report
        .sites
        .iter()
        .filter_map(|s| {
            by_index.get(&s.feature_index).map(|g| PlanningSite {
                site_id: &s.site_id,
                geometry: g,
            })
        })
        .collect()
}
