//! Constraint layers measured against the project: the boundary, each retained-land site
//! and each counted parcel, inside the layer (outside it for the 城镇开发边界).

use geo::{Area, MultiPolygon};
use serde::Serialize;

use super::{ConstraintRegion, PlanningInput};
use crate::geom::overlay::{OverlayOptions, overlay_areas};
use crate::policy::Finding;
use crate::policy::planning::{
    AREA_TOLERANCE_M2, ConstraintKind, SiteOverlap, project_conflict, share, site_conflict,
};
use crate::project::ParcelStatus;
use crate::{Error, Result};

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

/// Measures one constraint: the area of each operand in the layer's pieces, by the
/// overlay kernel (each pair cut to its common bounding box first, so that the result has
/// the precision of the small operands, not of the layer's extent).
pub(super) fn measure_constraint(
    input: &PlanningInput<'_>,
    c: &ConstraintRegion,
) -> Result<ConstraintOverlay> {
    let outside = c.kind.measures_outside();
    let pick = |total: f64, inside: f64| {
        if outside {
            (total - inside).max(0.0)
        } else {
            inside
        }
    };
    let boundary_area = input.boundary.unsigned_area();
    let boundary_in = areas_in(&[input.boundary], &c.polygons, "project boundary")?;
    let site_geoms: Vec<&MultiPolygon<f64>> = input.sites.iter().map(|s| s.geometry).collect();
    let site_in = areas_in(&site_geoms, &c.polygons, "retained-land site")?;
    let sites = input
        .sites
        .iter()
        .zip(&site_geoms)
        .zip(site_in)
        .map(|((s, g), a)| {
            let total = g.unsigned_area();
            item(s.site_id, total, pick(total, a))
        })
        .collect();
    let (parcels, counted_total, counted_part) = counted_parcels(input, c, &pick)?;
    Ok(ConstraintOverlay {
        name: c.name.clone(),
        kind: c.kind,
        measured: if outside { "outside" } else { "inside" },
        boundary: AreaShare::of(pick(boundary_area, boundary_in[0]), boundary_area),
        counted_land: AreaShare::of(counted_part, counted_total),
        sites,
        parcels,
    })
}

/// The counted parcels' parts in (or outside) the constraint, the counted area and its
/// part.
fn counted_parcels(
    input: &PlanningInput<'_>,
    c: &ConstraintRegion,
    pick: &dyn Fn(f64, f64) -> f64,
) -> Result<(Vec<ItemArea>, f64, f64)> {
    let counted: Vec<_> = input
        .parcels
        .iter()
        .filter(|p| p.status == ParcelStatus::Counted)
        .collect();
    let geoms: Vec<&MultiPolygon<f64>> = counted.iter().map(|p| p.geometry).collect();
    let inside = areas_in(&geoms, &c.polygons, "parcel")?;
    let (mut rows, mut total, mut part) = (Vec::new(), 0.0, 0.0);
    for ((p, g), a_in) in counted.iter().zip(&geoms).zip(inside) {
        let area = g.unsigned_area();
        let a = pick(area, a_in);
        total += area;
        part += a;
        if a > AREA_TOLERANCE_M2 {
            rows.push(item(p.parcel_id, area, a));
        }
    }
    Ok((rows, total, part))
}

/// The area of each source inside the (non-overlapping) pieces.
fn areas_in(
    sources: &[&MultiPolygon<f64>],
    pieces: &[MultiPolygon<f64>],
    what: &str,
) -> Result<Vec<f64>> {
    let mut areas = vec![0.0; sources.len()];
    if sources.is_empty() || pieces.is_empty() {
        return Ok(areas);
    }
    let opts = OverlayOptions {
        sliver_floor: 0.0,
        threads: None,
    };
    let t = overlay_areas(sources, pieces, &opts);
    if let Some(e) = t.errors.first() {
        return Err(Error::Geometry {
            feature: format!(
                "{what} #{} against constraint piece #{}",
                e.source, e.target
            ),
            message: e.message.clone(),
        });
    }
    for p in t.pieces.iter().chain(&t.slivers) {
        areas[p.source] += p.area;
    }
    Ok(areas)
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
