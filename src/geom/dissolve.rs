//! Dissolve (union), difference and the connected parts of a dissolved region.
//!
//! Every boolean operation goes through `geo`'s `BooleanOps` (i_overlay) with the rings
//! oriented first (exteriors counter-clockwise), so that input digitised either way gives
//! the same region; a panic inside the kernel becomes an [`Error::Geometry`]. No policy:
//! callers decide what the regions mean.

use std::panic::{AssertUnwindSafe, catch_unwind};

use geo::orient::{Direction, Orient};
use geo::{Area, BooleanOps, BoundingRect, MultiPolygon};

use super::clip::rect_intersection;
use super::contiguity::{ContiguityOptions, contiguous_components, shared_boundary_length};
use super::index::all_finite;
use crate::{Error, Result};

/// Runs a boolean operation, turning a kernel panic into a geometry error naming `what`.
fn guarded<T>(what: &str, op: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(op)).map_err(|p| Error::Geometry {
        feature: what.to_string(),
        message: super::overlay::panic_message(p.as_ref()),
    })
}

/// The union of `polygons` (finite ones only; others are skipped), as one region.
pub fn dissolve<G: std::borrow::Borrow<MultiPolygon<f64>>>(
    polygons: &[G],
) -> Result<MultiPolygon<f64>> {
    let oriented: Vec<MultiPolygon<f64>> = polygons
        .iter()
        .map(|p| p.borrow())
        .filter(|p| all_finite(p) && !p.0.is_empty())
        .map(|p| p.orient(Direction::Default))
        .collect();
    if oriented.is_empty() {
        return Ok(MultiPolygon::new(Vec::new()));
    }
    guarded("dissolve", || geo::unary_union(oriented.iter()))
}

/// `a` minus `b`.
pub fn difference(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>> {
    if b.0.is_empty() || disjoint_boxes(a, b) {
        return Ok(a.clone());
    }
    guarded("difference", || {
        a.orient(Direction::Default)
            .difference(&b.orient(Direction::Default))
    })
}

/// `a` ∩ `b`.
pub fn intersection(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>> {
    if a.0.is_empty() || b.0.is_empty() || disjoint_boxes(a, b) {
        return Ok(MultiPolygon::new(Vec::new()));
    }
    guarded("intersection", || {
        a.orient(Direction::Default)
            .intersection(&b.orient(Direction::Default))
    })
}

/// Area of `a` ∩ `b` (0 when the envelopes do not meet).
pub fn intersection_area(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> Result<f64> {
    intersection(a, b).map(|g| g.unsigned_area())
}

fn disjoint_boxes(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> bool {
    match (a.bounding_rect(), b.bounding_rect()) {
        (Some(ra), Some(rb)) => rect_intersection(&ra, &rb).is_none(),
        _ => true,
    }
}

/// One connected part of a region: polygons joined along shared edges (a corner-only
/// contact does not join them, as in [`contiguous_components`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RegionPart {
    /// The part's geometry.
    pub geometry: MultiPolygon<f64>,
    /// Its area.
    pub area: f64,
}

/// The connected parts of a region, largest first (ties by position), dropping parts
/// whose area is at most `floor`.
pub fn region_parts(region: &MultiPolygon<f64>, floor: f64) -> Vec<RegionPart> {
    let polys: Vec<MultiPolygon<f64>> = region
        .0
        .iter()
        .map(|p| MultiPolygon::new(vec![p.clone()]))
        .collect();
    let mut parts: Vec<RegionPart> = contiguous_components(&polys, &ContiguityOptions::default())
        .into_iter()
        .map(|c| {
            let geometry = MultiPolygon::new(
                c.members
                    .iter()
                    .filter_map(|&m| region.0.get(m).cloned())
                    .collect(),
            );
            RegionPart {
                area: geometry.unsigned_area(),
                geometry,
            }
        })
        .filter(|p| p.area > floor)
        .collect();
    // Stable sort: equal areas keep the order of their first polygon.
    parts.sort_by(|a, b| b.area.total_cmp(&a.area));
    parts
}

/// Whether `part` shares a stretch of boundary longer than `min_length` with `region`'s
/// boundary (edges coincident within the contiguity snap tolerance).
pub fn shares_boundary(
    part: &MultiPolygon<f64>,
    region: &MultiPolygon<f64>,
    min_length: f64,
) -> bool {
    let tol = ContiguityOptions::default().snap_tolerance;
    shared_boundary_length(part, region, tol) > min_length
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::wkt;

    #[test]
    fn dissolve_difference_and_parts() {
        // Two unit squares sharing an edge, one digitised clockwise, plus a square apart.
        let polys = vec![
            wkt!(MULTIPOLYGON(((0. 0.,1. 0.,1. 1.,0. 1.,0. 0.)))),
            wkt!(MULTIPOLYGON(((1. 0.,1. 1.,2. 1.,2. 0.,1. 0.)))),
            wkt!(MULTIPOLYGON(((5. 0.,6. 0.,6. 1.,5. 1.,5. 0.)))),
        ];
        let u = dissolve(&polys).unwrap();
        assert!((u.unsigned_area() - 3.0).abs() < 1e-9);
        let parts = region_parts(&u, 1e-9);
        assert_eq!(parts.len(), 2);
        assert!((parts[0].area - 2.0).abs() < 1e-9);
        let frame = wkt!(MULTIPOLYGON(((0. 0.,6. 0.,6. 1.,0. 1.,0. 0.))));
        let rest = difference(&frame, &u).unwrap();
        assert!((rest.unsigned_area() - 3.0).abs() < 1e-9);
        let rest_parts = region_parts(&rest, 1e-9);
        assert_eq!(rest_parts.len(), 1);
        // The leftover 2..5 strip touches the frame along y = 0 and y = 1.
        assert!(shares_boundary(&rest_parts[0].geometry, &frame, 1e-6));
        assert!((intersection_area(&frame, &u).unwrap() - 3.0).abs() < 1e-9);
        let empty: Vec<MultiPolygon<f64>> = Vec::new();
        assert!(dissolve(&empty).unwrap().0.is_empty());
    }

    #[test]
    fn corner_contact_makes_two_parts() {
        let region = wkt!(MULTIPOLYGON(
            ((0. 0.,1. 0.,1. 1.,0. 1.,0. 0.)),
            ((1. 1.,2. 1.,2. 2.,1. 2.,1. 1.))
        ));
        assert_eq!(region_parts(&region, 0.0).len(), 2);
    }
}
