//! The overlay's covered / disjoint short cut: decides a (source, target) pair without the
//! exact kernel when the boundaries do not cross. Every test is an indexed segment query
//! (the target's edge R-tree, built once per target, queried by each source segment's
//! envelope; the source's own segment index for the reverse direction), never all edges
//! against all edges.

use geo::{Area, Coord, MultiPolygon, Rect};

use super::clip::AreaOperand;
use super::index::PreparedTarget;
use super::segment_index::{Location, Segment, SegmentIndex, SegmentIntersection, intersect};

/// Per source: its segments (indexed, ring → part), one vertex and the area of each part.
pub(crate) struct SourceParts {
    index: SegmentIndex,
    /// Polygon part of each ring of `index`.
    ring_part: Vec<usize>,
    /// Per polygon part: a vertex and its area.
    parts: Vec<(Coord<f64>, f64)>,
    area: f64,
    max_x: f64,
}

impl SourceParts {
    /// Prepares a source with finite coordinates.
    pub(crate) fn new(mp: &MultiPolygon<f64>) -> Self {
        let mut rings = Vec::new();
        let mut ring_part = Vec::new();
        let mut parts = Vec::new();
        for p in &mp.0 {
            if let Some(c) = p.exterior().0.first() {
                for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                    rings.push(ring.0.as_slice());
                    ring_part.push(parts.len());
                }
                parts.push((*c, p.unsigned_area()));
            }
        }
        let max_x = rings
            .iter()
            .flat_map(|r| r.iter())
            .map(|c| c.x)
            .fold(f64::NEG_INFINITY, f64::max);
        SourceParts {
            index: SegmentIndex::from_rings(rings),
            ring_part,
            parts,
            area: mp.unsigned_area(),
            max_x,
        }
    }
}

/// What the short cut decided.
pub(crate) enum Decision {
    /// The kernel is needed.
    Kernel,
    /// The source does not meet the target's interior.
    Disjoint,
    /// Part of the source (whole parts) is inside: `covered` when all of it is.
    Inside { area: f64, covered: bool },
}

fn segment_rect(a: Coord<f64>, b: Coord<f64>) -> Rect<f64> {
    Rect::new(a, b)
}

/// Decides a pair. Boundaries that do not meet: each source part is wholly inside or
/// outside the target (one vertex per part decides) unless a target ring lies inside the
/// source. Boundaries that touch or share edges without crossing: the source is covered
/// when no stretch of its boundary lies outside the target and no stretch of the target's
/// boundary lies inside it.
pub(crate) fn decide(
    src: &AreaOperand<'_>,
    parts: &SourceParts,
    prep: &PreparedTarget<'_>,
    tgt: &AreaOperand<'_>,
) -> Decision {
    let max_x = tgt.bbox.max().x;
    if boundaries_meet(parts, prep) {
        return if covered_with_contact(src, parts, prep, max_x) {
            Decision::Inside {
                area: parts.area,
                covered: true,
            }
        } else {
            Decision::Kernel
        };
    }
    // A target vertex strictly inside the source: a target ring (or hole) lies inside it.
    let mut target_inside_source = false;
    prep.edges.visit_in(&src.bbox, |e| {
        target_inside_source =
            parts.index.locate(e.start, parts.max_x, |_| true) != Location::Exterior;
        !target_inside_source
    });
    if target_inside_source {
        return Decision::Kernel;
    }
    let mut inside_area = 0.0;
    let mut all_inside = true;
    for &(vertex, area) in &parts.parts {
        if prep.edges.contains_point_off_boundary(vertex, max_x) {
            inside_area += area;
        } else {
            all_inside = false;
        }
    }
    if all_inside {
        Decision::Inside {
            area: parts.area,
            covered: true,
        }
    } else if inside_area > 0.0 {
        Decision::Inside {
            area: inside_area,
            covered: false,
        }
    } else {
        Decision::Disjoint
    }
}

/// Some target edge meets some source segment (queried by each source segment's envelope).
fn boundaries_meet(parts: &SourceParts, prep: &PreparedTarget<'_>) -> bool {
    parts.index.segments().iter().any(|s| {
        !prep.edges.visit_in(&segment_rect(s.start, s.end), |e| {
            intersect(s.start, s.end, e.start, e.end) == SegmentIntersection::None
        })
    })
}

/// The pieces of segment `a`–`b` between the points where `others` meet it: for each piece
/// its midpoint, or `None` for a piece along one of `others` (shared boundary). `Err` when
/// some other segment properly crosses it.
fn pieces(
    a: Coord<f64>,
    b: Coord<f64>,
    others: impl Iterator<Item = (Coord<f64>, Coord<f64>)>,
) -> Result<Vec<Option<Coord<f64>>>, ()> {
    let d = b - a;
    let along = |p: Coord<f64>| {
        if d.x.abs() >= d.y.abs() {
            (p.x - a.x) / d.x
        } else {
            (p.y - a.y) / d.y
        }
    };
    let mut cuts = vec![0.0, 1.0];
    let mut shared: Vec<(f64, f64)> = Vec::new();
    for (c0, c1) in others {
        match intersect(a, b, c0, c1) {
            SegmentIntersection::None => {}
            SegmentIntersection::Proper(_) => return Err(()),
            SegmentIntersection::Touch(p) => cuts.push(along(p)),
            SegmentIntersection::Overlap(p, q) => {
                let (tp, tq) = (along(p), along(q));
                cuts.extend([tp, tq]);
                shared.push((tp.min(tq), tp.max(tq)));
            }
        }
    }
    cuts.sort_by(f64::total_cmp);
    cuts.dedup();
    Ok(cuts
        .windows(2)
        .filter(|w| w[1] > w[0])
        .map(|w| {
            let mid = (w[0] + w[1]) / 2.0;
            let on_other = shared.iter().any(|&(lo, hi)| lo <= mid && mid <= hi);
            (!on_other).then_some(Coord {
                x: a.x + mid * d.x,
                y: a.y + mid * d.y,
            })
        })
        .collect())
}

/// The source's boundary lies in the closed target with at least one stretch strictly
/// inside per part, and no stretch of the target's boundary lies inside the source; for
/// connected parts (valid polygons) that means the target covers the source.
fn covered_with_contact(
    src: &AreaOperand<'_>,
    parts: &SourceParts,
    prep: &PreparedTarget<'_>,
    max_x: f64,
) -> bool {
    let mut part_has_inside = vec![false; parts.parts.len()];
    for s in parts.index.segments() {
        let mut near = Vec::new();
        prep.edges.visit_in(&segment_rect(s.start, s.end), |e| {
            near.push((e.start, e.end));
            true
        });
        let Ok(mids) = pieces(s.start, s.end, near.into_iter()) else {
            return false;
        };
        for mid in mids.into_iter().flatten() {
            if !prep.edges.contains_point_off_boundary(mid, max_x) {
                return false;
            }
            if let Some(flag) = parts
                .ring_part
                .get(s.ring)
                .and_then(|&p| part_has_inside.get_mut(p))
            {
                *flag = true;
            }
        }
    }
    if !part_has_inside.iter().all(|&f| f) {
        return false;
    }
    let mut target_edge_inside = false;
    prep.edges.visit_in(&src.bbox, |e| {
        let near = parts
            .index
            .query(rstar::AABB::from_corners(
                [e.start.x, e.start.y],
                [e.end.x, e.end.y],
            ))
            .filter_map(|id| parts.index.segments().get(id))
            .map(|s: &Segment| (s.start, s.end));
        target_edge_inside = match pieces(e.start, e.end, near) {
            Err(()) => true,
            Ok(mids) => mids
                .into_iter()
                .flatten()
                .any(|m| parts.index.locate(m, parts.max_x, |_| true) != Location::Exterior),
        };
        !target_edge_inside
    });
    !target_edge_inside
}

#[cfg(test)]
mod tests {
    use crate::geom::{OverlayOptions, overlay_areas};
    use geo::{MultiPolygon, wkt};

    fn one(boundary: MultiPolygon<f64>, parcel: MultiPolygon<f64>) -> (f64, bool) {
        let t = overlay_areas(&[parcel], &[boundary], &OverlayOptions::default());
        assert_eq!(t.pieces.len(), 1, "{t:?}");
        (t.pieces[0].area, t.pieces[0].covered)
    }

    #[test]
    fn a_parcel_sharing_an_edge_with_the_boundary_is_covered() {
        let boundary = wkt!(MULTIPOLYGON(((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.))));
        // Shares part of the bottom edge, and a whole corner.
        let edge = wkt!(MULTIPOLYGON(((2. 0.,4. 0.,4. 3.,2. 3.,2. 0.))));
        let corner = wkt!(MULTIPOLYGON(((0. 0.,3. 0.,3. 3.,0. 3.,0. 0.))));
        // Touches the boundary at one vertex only.
        let vertex = wkt!(MULTIPOLYGON(((0. 5.,3. 4.,3. 6.,0. 5.))));
        assert_eq!(one(boundary.clone(), edge), (6.0, true));
        assert_eq!(one(boundary.clone(), corner), (9.0, true));
        assert_eq!(one(boundary, vertex), (3.0, true));
    }

    #[test]
    fn sharing_an_edge_from_outside_or_crossing_is_not_covered() {
        let boundary = wkt!(MULTIPOLYGON(((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.))));
        let outside = wkt!(MULTIPOLYGON(((2. 0.,4. 0.,4. -3.,2. -3.,2. 0.))));
        let t = overlay_areas(
            &[outside],
            std::slice::from_ref(&boundary),
            &OverlayOptions::default(),
        );
        assert!(t.pieces.is_empty(), "{t:?}");
        let crossing = wkt!(MULTIPOLYGON(((2. 0.,4. 0.,4. 12.,2. 12.,2. 0.))));
        let (area, covered) = one(boundary, crossing);
        assert!((area - 20.0).abs() < 1e-9 && !covered);
    }

    #[test]
    fn a_hole_edge_shared_from_inside_the_hole_is_not_covered() {
        // The parcel fills the boundary's hole exactly: it shares every edge, and is outside.
        let boundary = wkt!(MULTIPOLYGON(((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.),(3. 3.,3. 6.,6. 6.,6. 3.,3. 3.))));
        let in_hole = wkt!(MULTIPOLYGON(((3. 3.,6. 3.,6. 6.,3. 6.,3. 3.))));
        let t = overlay_areas(
            &[in_hole],
            std::slice::from_ref(&boundary),
            &OverlayOptions::default(),
        );
        assert!(t.pieces.is_empty(), "{t:?}");
        // Around the hole, touching it: the hole's edges lie inside the parcel.
        let around = wkt!(MULTIPOLYGON(((2. 2.,7. 2.,7. 7.,2. 7.,2. 2.))));
        let (area, covered) = one(boundary, around);
        assert!((area - 16.0).abs() < 1e-9 && !covered);
    }
}
