//! Topology QA of a parcel layer: overlaps between parcels (self-overlay) and gaps inside
//! a boundary (area of the boundary not covered by any parcel).

use std::borrow::Borrow;

use geo::{Area, BooleanOps, BoundingRect, MultiPolygon, Polygon};

use super::clip::{DefaultKernel, IntersectionAreaKernel};
use super::index::{TargetIndex, all_finite};
use super::overlay::{OverlayOptions, PairError};

/// Two parcels that overlap by more than the sliver floor (`a < b`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overlap {
    /// The first parcel (position in the layer).
    pub a: usize,
    /// The second parcel (position in the layer, `a < b`).
    pub b: usize,
    /// Area of the overlap.
    pub area: f64,
}

/// The result of [`self_overlaps`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OverlapReport {
    /// Overlapping pairs at or above the floor, sorted by (a, b).
    pub overlaps: Vec<Overlap>,
    /// Pairs that overlap by less than the floor (digitising noise), sorted by (a, b).
    pub slivers: Vec<Overlap>,
    /// Pairs whose overlap could not be computed.
    pub errors: Vec<PairError>,
}

/// Self-overlay of a layer: every pair i < j whose interiors overlap, with the overlap area.
/// Parcels that only share edges or corners have zero overlap and are not reported.
/// `parcels` may be owned geometries or references (`&[&MultiPolygon]`).
pub fn self_overlaps<G: Borrow<MultiPolygon<f64>> + Sync>(
    parcels: &[G],
    opts: &OverlayOptions,
) -> OverlapReport {
    self_overlaps_with_kernel(parcels, opts, &DefaultKernel)
}

/// [`self_overlaps`] with a caller-chosen exact kernel.
pub fn self_overlaps_with_kernel<G: Borrow<MultiPolygon<f64>> + Sync>(
    parcels: &[G],
    opts: &OverlayOptions,
    kernel: &dyn IntersectionAreaKernel,
) -> OverlapReport {
    let index = TargetIndex::new(parcels);
    // Only the upper triangle: each pair once, never a parcel with itself.
    let table = index.overlay_filtered(parcels, opts, kernel, &|s, t| s < t);
    let conv = |p: &super::overlay::Piece| Overlap {
        a: p.source,
        b: p.target,
        area: p.area,
    };
    OverlapReport {
        overlaps: table.pieces.iter().map(conv).collect(),
        slivers: table.slivers.iter().map(conv).collect(),
        errors: table.errors,
    }
}

/// Gaps inside a boundary polygon.
#[derive(Debug, Clone, PartialEq)]
pub struct GapReport {
    /// Area of the boundary polygon.
    pub boundary_area: f64,
    /// Area of (union of parcels) ∩ boundary.
    pub covered_area: f64,
    /// boundary_area − covered_area.
    pub gap_area: f64,
    /// The gap parts whose area is at least the floor, largest first.
    pub gaps: Vec<Polygon<f64>>,
    /// Parcels with non-finite coordinates, left out of the union.
    pub non_finite_parcels: Vec<usize>,
}

/// Uncovered area inside `boundary`: boundary − union(parcels meeting it). Parts smaller
/// than `floor` are dropped from [`GapReport::gaps`] but still counted in `gap_area`.
///
/// Uses geo `BooleanOps` (i_overlay, snap-rounded: areas agree with an exact kernel to about
/// 1e-8 relative). Errors when the boundary has non-finite coordinates or the union fails.
pub fn gaps(
    boundary: &MultiPolygon<f64>,
    parcels: &[MultiPolygon<f64>],
    floor: f64,
) -> crate::Result<GapReport> {
    let geometry_error = |message: String| crate::Error::Geometry {
        feature: "gap boundary".into(),
        message,
    };
    if !all_finite(boundary) {
        return Err(geometry_error("non-finite coordinates".into()));
    }
    let boundary_area = boundary.unsigned_area();
    let non_finite_parcels: Vec<usize> = (0..parcels.len())
        .filter(|&i| parcels.get(i).is_some_and(|p| !all_finite(p)))
        .collect();
    let inside: Vec<&MultiPolygon<f64>> = match boundary.bounding_rect() {
        Some(b) => parcels
            .iter()
            .filter(|p| all_finite(p))
            .filter(|p| {
                p.bounding_rect()
                    .is_some_and(|r| super::clip::rect_intersection(&r, &b).is_some())
            })
            .collect(),
        None => Vec::new(),
    };
    let (union, covered_area, difference) = std::panic::catch_unwind(|| {
        let union = geo::unary_union(inside);
        let covered = union.intersection(boundary).unsigned_area();
        let difference = boundary.difference(&union);
        (union, covered, difference)
    })
    .map_err(|p| geometry_error(super::overlay::panic_message(p.as_ref())))?;
    drop(union);
    let mut gap_parts: Vec<(f64, Polygon<f64>)> = difference
        .0
        .into_iter()
        .map(|p| (p.unsigned_area(), p))
        .filter(|(a, _)| *a >= floor && *a > 0.0)
        .collect();
    gap_parts.sort_by(|x, y| y.0.total_cmp(&x.0));
    Ok(GapReport {
        boundary_area,
        covered_area,
        gap_area: (boundary_area - covered_area).max(0.0),
        gaps: gap_parts.into_iter().map(|(_, p)| p).collect(),
        non_finite_parcels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::wkt;

    #[test]
    fn overlaps_and_gaps() {
        let parcels = vec![
            wkt!(MULTIPOLYGON(((0. 0.,5. 0.,5. 10.,0. 10.,0. 0.)))),
            // overlaps parcel 0 by 1 x 10
            wkt!(MULTIPOLYGON(((4. 0.,8. 0.,8. 10.,4. 10.,4. 0.)))),
            // shares an edge with parcel 1 only
            wkt!(MULTIPOLYGON(((8. 0.,9. 0.,9. 10.,8. 10.,8. 0.)))),
        ];
        let r = self_overlaps(&parcels, &OverlayOptions::default());
        assert_eq!(r.overlaps.len(), 1);
        assert_eq!((r.overlaps[0].a, r.overlaps[0].b), (0, 1));
        assert!((r.overlaps[0].area - 10.0).abs() < 1e-9);
        let boundary = wkt!(MULTIPOLYGON(((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.))));
        let g = gaps(&boundary, &parcels, 1e-3).expect("gaps");
        assert!((g.gap_area - 10.0).abs() < 1e-6, "{}", g.gap_area);
        assert_eq!(g.gaps.len(), 1);
    }
}
