//! Constraint layers measured against the project: the boundary, each retained-land site
//! and each counted parcel, inside the layer (outside it for the 城镇开发边界).

use geo::{Area, MultiPolygon};
use serde::Serialize;

use super::{ConstraintRegion, PlanningInput};
use crate::Result;
use crate::geom::dissolve::{intersection, intersection_area};
use crate::policy::Finding;
use crate::policy::planning::{
    AREA_TOLERANCE_M2, ConstraintKind, SiteOverlap, project_conflict, share, site_conflict,
};
use crate::project::ParcelStatus;

/// An area and its share of a whole.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AreaShare {
    /// The area, m².
    pub area_m2: f64,
    /// Its share of the whole (0 for an empty whole).
    pub share: f64,
}

impl AreaShare {
    fn of(part: f64, whole: f64) -> AreaShare {
        AreaShare {
            area_m2: part,
            share: share(part, whole),
        }
    }
}

/// One site's or parcel's area in (or outside) a constraint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemArea {
    /// Site or parcel id.
    pub id: String,
    /// Its own area, m² (the inside part for a parcel).
    pub total_m2: f64,
    /// The part in (or outside) the constraint, with its share of `total_m2`.
    #[serde(flatten)]
    pub part: AreaShare,
}

/// One constraint layer against the project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConstraintOverlay {
    /// The constraint's name.
    pub name: String,
    /// Its kind.
    pub kind: ConstraintKind,
    /// `inside` (the part in the layer is measured) or `outside` (城镇开发边界: the part
    /// outside it).
    pub measured: &'static str,
    /// The part of the project boundary, with its share of the boundary.
    pub boundary: AreaShare,
    /// The part of the counted land, with its share of the counted land.
    pub counted_land: AreaShare,
    /// Every retained-land site of the project.
    pub sites: Vec<ItemArea>,
    /// The counted parcels with a part above the tolerance
    /// ([`AREA_TOLERANCE_M2`]), in layer order.
    pub parcels: Vec<ItemArea>,
}

/// Measures one constraint. The layer is first cut by the boundary, so that each parcel is
/// intersected with the (small) part of the layer inside the project.
pub(super) fn measure_constraint(
    input: &PlanningInput<'_>,
    c: &ConstraintRegion,
) -> Result<ConstraintOverlay> {
    let region = c.region();
    let outside = c.kind.measures_outside();
    let pick = |total: f64, inside: f64| {
        if outside {
            (total - inside).max(0.0)
        } else {
            inside
        }
    };
    let boundary_area = input.boundary.unsigned_area();
    let local = intersection(input.boundary, &region)?;
    let boundary_part = pick(boundary_area, local.unsigned_area());
    let mut sites = Vec::with_capacity(input.sites.len());
    for s in input.sites {
        let total = s.geometry.unsigned_area();
        let part = pick(total, intersection_area(s.geometry, &region)?);
        sites.push(item(s.site_id, total, part));
    }
    let (parcels, counted_total, counted_part) = counted_parcels(input, &local, &pick)?;
    Ok(ConstraintOverlay {
        name: c.name.clone(),
        kind: c.kind,
        measured: if outside { "outside" } else { "inside" },
        boundary: AreaShare::of(boundary_part, boundary_area),
        counted_land: AreaShare::of(counted_part, counted_total),
        sites,
        parcels,
    })
}

/// The counted parcels' parts in `local` (the layer inside the boundary), the counted
/// area and its part.
fn counted_parcels(
    input: &PlanningInput<'_>,
    local: &MultiPolygon<f64>,
    pick: &dyn Fn(f64, f64) -> f64,
) -> Result<(Vec<ItemArea>, f64, f64)> {
    let (mut rows, mut total, mut part) = (Vec::new(), 0.0, 0.0);
    for p in input
        .parcels
        .iter()
        .filter(|p| p.status == ParcelStatus::Counted)
    {
        let area = p.geometry.unsigned_area();
        let inside = intersection_area(p.geometry, local)?;
        let a = pick(area, inside);
        total += area;
        part += a;
        if a > AREA_TOLERANCE_M2 {
            rows.push(item(p.parcel_id, area, a));
        }
    }
    Ok((rows, total, part))
}

fn item(id: &str, total: f64, part: f64) -> ItemArea {
    ItemArea {
        id: id.to_string(),
        total_m2: total,
        part: AreaShare::of(part, total),
    }
}

/// The policy's findings for one measured constraint: the project's, then each site's.
pub(super) fn findings(o: &ConstraintOverlay, boundary_area_m2: f64) -> Vec<Finding> {
    let mut out: Vec<Finding> =
        project_conflict(&o.name, o.kind, boundary_area_m2, o.boundary.area_m2)
            .into_iter()
            .collect();
    out.extend(o.sites.iter().filter_map(|s| {
        site_conflict(&SiteOverlap {
            constraint: &o.name,
            kind: o.kind,
            site_id: &s.id,
            site_area_m2: s.total_m2,
            area_m2: s.part.area_m2,
        })
    }));
    out
}
