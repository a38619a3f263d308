//! 开天窗 and 集中连片: the land inside the boundary that is not consolidated, as connected
//! enclaves (a notch touches the boundary, a hole does not), and the connected components
//! of the consolidated land with the compactness of the boundary and of that land.

use geo::{Area, MultiPolygon};
use serde::Serialize;

use super::PlanningInput;
use crate::Result;
use crate::geom::compactness::polsby_popper;
use crate::geom::dissolve::{RegionPart, difference, dissolve, intersection_area, region_parts};
use crate::policy::Finding;
use crate::policy::planning::{AREA_TOLERANCE_M2, contiguity_finding, enclave_finding, share};
use crate::project::ParcelStatus;

/// An enclave sharing more than this length (m) of the boundary's outline is a notch.
pub const NOTCH_MIN_EDGE_M: f64 = 0.01;

/// A parcel (part) lying in an enclave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnclaveParcel {
    /// Parcel id.
    pub parcel_id: String,
    /// Why it is not consolidated (its status).
    pub status: ParcelStatus,
    /// The reason given for its status.
    pub reason: Option<String>,
    /// Its area in the enclave, m².
    pub area_m2: f64,
}

/// One enclave (开天窗): a connected piece of the land inside the boundary that is not
/// consolidated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Enclave {
    /// `notch` (touches the boundary's outline) or `hole` (surrounded by project land).
    pub kind: &'static str,
    /// Area, m².
    pub area_m2: f64,
    /// The unconsolidated parcels in it, with their reasons, in layer order.
    pub parcels: Vec<EnclaveParcel>,
    /// The part of it no parcel covers (roads, water, gaps), m².
    pub not_in_parcels_m2: f64,
}

/// Every enclave of the project, largest first, with totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnclaveSummary {
    /// Number of enclaves.
    pub count: usize,
    /// Number of holes.
    pub holes: usize,
    /// Number of notches.
    pub notches: usize,
    /// Total area, m².
    pub area_m2: f64,
    /// Total area of the holes, m².
    pub holes_area_m2: f64,
    /// The enclaves.
    pub enclaves: Vec<Enclave>,
}

impl EnclaveSummary {
    /// The policy's findings: one for the holes, one for the notches.
    pub fn findings(&self) -> Vec<Finding> {
        let notch_area = self.area_m2 - self.holes_area_m2;
        enclave_finding(true, self.holes, self.holes_area_m2)
            .into_iter()
            .chain(enclave_finding(false, self.notches, notch_area))
            .collect()
    }
}

/// 集中连片: the consolidated land's connected components (shared edges join).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contiguity {
    /// Area of the consolidated (counted) land, m².
    pub consolidated_area_m2: f64,
    /// Number of components.
    pub components: usize,
    /// Their areas, largest first, m².
    pub component_areas_m2: Vec<f64>,
    /// The largest component's share of the consolidated land (0 when there is none).
    pub largest_share: f64,
    /// Polsby–Popper compactness of the project boundary.
    pub boundary_polsby_popper: Option<f64>,
    /// Polsby–Popper compactness of the consolidated land.
    pub consolidated_polsby_popper: Option<f64>,
}

impl Contiguity {
    /// The policy's finding when the land is in several blocks.
    pub fn finding(&self) -> Option<Finding> {
        contiguity_finding(self.components, self.largest_share)
    }
}

/// The consolidated land: the counted parcels' inside parts, dissolved.
pub(super) fn consolidated_land(input: &PlanningInput<'_>) -> Result<MultiPolygon<f64>> {
    let counted: Vec<&MultiPolygon<f64>> = input
        .parcels
        .iter()
        .filter(|p| p.status == ParcelStatus::Counted)
        .map(|p| p.geometry)
        .collect();
    dissolve(&counted)
}

/// The boundary minus the consolidated land, in connected enclaves.
pub(super) fn enclaves(
    input: &PlanningInput<'_>,
    consolidated: &MultiPolygon<f64>,
) -> Result<EnclaveSummary> {
    let rest = difference(input.boundary, consolidated)?;
    let floor = input.floor_m2.max(AREA_TOLERANCE_M2);
    let mut list = Vec::new();
    for part in region_parts(&rest, floor) {
        list.push(enclave(input, &part)?);
    }
    let holes: Vec<&Enclave> = list.iter().filter(|e| e.kind == "hole").collect();
    Ok(EnclaveSummary {
        count: list.len(),
        holes: holes.len(),
        notches: list.len() - holes.len(),
        area_m2: list.iter().map(|e| e.area_m2).sum(),
        holes_area_m2: holes.iter().map(|e| e.area_m2).sum(),
        enclaves: list,
    })
}

fn enclave(input: &PlanningInput<'_>, part: &RegionPart) -> Result<Enclave> {
    let notch =
        crate::geom::dissolve::shares_boundary(&part.geometry, input.boundary, NOTCH_MIN_EDGE_M);
    let mut parcels = Vec::new();
    for p in input
        .parcels
        .iter()
        .filter(|p| p.status != ParcelStatus::Counted)
    {
        let area = intersection_area(&part.geometry, p.geometry)?;
        if area > AREA_TOLERANCE_M2 {
            parcels.push(EnclaveParcel {
                parcel_id: p.parcel_id.to_string(),
                status: p.status,
                reason: p.reason.map(str::to_string),
                area_m2: area,
            });
        }
    }
    let in_parcels: f64 = parcels.iter().map(|p| p.area_m2).sum();
    Ok(Enclave {
        kind: if notch { "notch" } else { "hole" },
        area_m2: part.area,
        parcels,
        not_in_parcels_m2: (part.area - in_parcels).max(0.0),
    })
}

/// The components of the consolidated land and the compactness figures.
pub(super) fn contiguity(
    input: &PlanningInput<'_>,
    consolidated: &MultiPolygon<f64>,
) -> Contiguity {
    let floor = input.floor_m2.max(AREA_TOLERANCE_M2);
    let areas: Vec<f64> = region_parts(consolidated, floor)
        .into_iter()
        .map(|p| p.area)
        .collect();
    let total = consolidated.unsigned_area();
    Contiguity {
        consolidated_area_m2: total,
        components: areas.len(),
        largest_share: share(areas.first().copied().unwrap_or(0.0), total),
        component_areas_m2: areas,
        boundary_polsby_popper: polsby_popper(input.boundary),
        consolidated_polsby_popper: polsby_popper(consolidated),
    }
}
