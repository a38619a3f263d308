//! Ring nesting (JTS `checkHolesInShell`, `checkHolesNotNested`, `checkShellsNotNested`)
//! and the angle predicates at a node they share with the intersection step (JTS
//! `PolygonNodeTopology`). Point location goes through the segment index; candidate ring
//! pairs through an R-tree of ring envelopes.

use geo::Coord;
use geo::kernels::Orientation;
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

use super::rings::{Prepared, at};
use super::{GeometryProblem, ProblemKind};
use crate::geom::segment_index::{Location, on_segment, orient, rect_aabb};

/// Quadrant of the vector (dx, dy): 0 NE, 1 NW, 2 SW, 3 SE (JTS `Quadrant`).
fn quadrant(dx: f64, dy: f64) -> u8 {
    match (dx >= 0.0, dy >= 0.0) {
        (true, true) => 0,
        (false, true) => 1,
        (false, false) => 2,
        (true, false) => 3,
    }
}

/// The angle of `p` around `origin` is greater than that of `q` (measured from +x, CCW).
fn is_angle_greater(origin: Coord<f64>, p: Coord<f64>, q: Coord<f64>) -> bool {
    let qp = quadrant(p.x - origin.x, p.y - origin.y);
    let qq = quadrant(q.x - origin.x, q.y - origin.y);
    if qp != qq {
        return qp > qq;
    }
    orient(origin, q, p) == Orientation::CounterClockwise
}

/// −1, 0, 1 as the angle of `p` is smaller than, equal to, greater than that of `q`.
fn compare_angle(origin: Coord<f64>, p: Coord<f64>, q: Coord<f64>) -> i8 {
    let qp = quadrant(p.x - origin.x, p.y - origin.y);
    let qq = quadrant(q.x - origin.x, q.y - origin.y);
    if qp != qq {
        return if qp > qq { 1 } else { -1 };
    }
    match orient(origin, q, p) {
        Orientation::CounterClockwise => 1,
        Orientation::Clockwise => -1,
        Orientation::Collinear => 0,
    }
}

/// 0 if `p` is collinear with an edge, 1 if strictly between `e0` and `e1`, −1 otherwise.
fn compare_between(origin: Coord<f64>, p: Coord<f64>, e0: Coord<f64>, e1: Coord<f64>) -> i8 {
    let c0 = compare_angle(origin, p, e0);
    if c0 == 0 {
        return 0;
    }
    let c1 = compare_angle(origin, p, e1);
    if c1 == 0 {
        return 0;
    }
    if c0 > 0 && c1 < 0 { 1 } else { -1 }
}

/// The edge pairs `node`–`a0`/`a1` and `node`–`b0`/`b1` cross at `node` (collinear edges
/// do not count as crossing).
pub(super) fn is_crossing(
    node: Coord<f64>,
    a0: Coord<f64>,
    a1: Coord<f64>,
    b0: Coord<f64>,
    b1: Coord<f64>,
) -> bool {
    let (lo, hi) = if is_angle_greater(node, a0, a1) {
        (a1, a0)
    } else {
        (a0, a1)
    };
    let c0 = compare_between(node, b0, lo, hi);
    if c0 == 0 {
        return false;
    }
    let c1 = compare_between(node, b1, lo, hi);
    c1 != 0 && c0 != c1
}

/// The segment `node`–`b` lies in the interior angle of the ring corner `a0`–`node`–`a1`
/// whose interior is on the right going `a0` → `node` → `a1`.
fn is_interior_segment(node: Coord<f64>, a0: Coord<f64>, a1: Coord<f64>, b: Coord<f64>) -> bool {
    let (lo, hi, interior_between) = if is_angle_greater(node, a0, a1) {
        (a1, a0, false)
    } else {
        (a0, a1, true)
    };
    let between = is_angle_greater(node, b, lo) && !is_angle_greater(node, b, hi);
    between == interior_between
}

/// Location of `p` relative to one ring.
fn locate_in_ring(prepared: &Prepared, p: Coord<f64>, ring: usize) -> Location {
    let max_x = prepared.rings.get(ring).map_or(p.x, |r| r.bbox.max().x);
    prepared.index.locate(p, max_x, |r| r == ring)
}

/// JTS `isRingNested`: ring `test` (which does not cross `target`) lies inside `target`.
fn is_ring_nested(prepared: &Prepared, test: usize, target: usize) -> bool {
    let Some(t) = prepared.rings.get(test) else {
        return false;
    };
    let Some(&p0) = t.coords.first() else {
        return false;
    };
    match locate_in_ring(prepared, p0, target) {
        Location::Exterior => false,
        Location::Interior => true,
        Location::Boundary => {
            let p1 = t.coords.iter().copied().find(|&c| c != p0).unwrap_or(p0);
            is_incident_segment_in_ring(prepared, p0, p1, target)
        }
    }
}

/// `p0` is on ring `target`; is the segment `p0`–`p1` on the ring's inner side?
fn is_incident_segment_in_ring(
    prepared: &Prepared,
    p0: Coord<f64>,
    p1: Coord<f64>,
    target: usize,
) -> bool {
    let Some(ring) = prepared.rings.get(target) else {
        return false;
    };
    let n = ring.segment_count();
    let hit = prepared
        .index
        .query(rstar::AABB::from_point([p0.x, p0.y]))
        .filter_map(|id| prepared.index.segments().get(id))
        .filter(|s| s.ring == target && on_segment(p0, s.start, s.end))
        .map(|s| s.index)
        .min();
    let Some(k) = hit else {
        return false;
    };
    let coord = |i: usize| ring.coords.get(i % n.max(1)).copied().unwrap_or(p0);
    // The corner at p0: a vertex of the ring, or a point inside segment k.
    let (prev, next) = if coord(k) == p0 {
        (ring.prev_vertex(k), coord(k + 1))
    } else if coord(k + 1) == p0 {
        (coord(k), coord(k + 2))
    } else {
        (coord(k), coord(k + 1))
    };
    // Interior on the right of prev → p0 → next for a clockwise ring.
    let (a0, a1) = if ring.ccw { (next, prev) } else { (prev, next) };
    is_interior_segment(p0, a0, a1, p1)
}

/// Ring `outer`'s envelope covers ring `inner`'s.
fn envelope_covers(prepared: &Prepared, outer: usize, inner: usize) -> bool {
    let (Some(o), Some(i)) = (prepared.rings.get(outer), prepared.rings.get(inner)) else {
        return false;
    };
    let (olo, ohi, ilo, ihi) = (o.bbox.min(), o.bbox.max(), i.bbox.min(), i.bbox.max());
    olo.x <= ilo.x && olo.y <= ilo.y && ohi.x >= ihi.x && ohi.y >= ihi.y
}

type EnvelopeEntry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// Pairs (inner, outer) of the given rings where outer's envelope covers inner's, outer
/// ≠ inner, in order of inner then R-tree order.
fn covering_pairs(prepared: &Prepared, rings: &[usize]) -> Vec<(usize, usize)> {
    let entries: Vec<EnvelopeEntry> = rings
        .iter()
        .filter_map(|&r| prepared.rings.get(r).map(|ring| (r, ring.bbox)))
        .map(|(r, b)| {
            let e = rect_aabb(&b);
            GeomWithData::new(Rectangle::from_corners(e.lower(), e.upper()), r)
        })
        .collect();
    let tree = RTree::bulk_load(entries);
    let mut pairs = Vec::new();
    for &inner in rings {
        let Some(ib) = prepared.rings.get(inner).map(|r| r.bbox) else {
            continue;
        };
        for e in tree.locate_in_envelope_intersecting(rect_aabb(&ib)) {
            let outer = e.data;
            if outer != inner && envelope_covers(prepared, outer, inner) {
                pairs.push((inner, outer));
            }
        }
    }
    pairs
}

/// JTS `checkHolesInShell`: every hole lies inside its shell.
pub(super) fn holes_outside_shell(prepared: &Prepared) -> Vec<GeometryProblem> {
    let mut out = Vec::new();
    for (pi, poly) in prepared.polygons.iter().enumerate() {
        for &hole in &poly.holes {
            let inside = poly.shell.is_some_and(|shell| {
                envelope_covers(prepared, shell, hole) && is_ring_nested(prepared, hole, shell)
            });
            if !inside {
                out.push(problem(
                    prepared,
                    ProblemKind::HoleOutsideShell,
                    pi,
                    hole,
                    |p, name| format!("{p}{name} is not contained within the polygon's exterior"),
                ));
            }
        }
    }
    out
}

/// JTS `checkHolesNotNested`: no hole lies inside another hole of its polygon.
pub(super) fn nested_holes(prepared: &Prepared) -> Vec<GeometryProblem> {
    let mut out = Vec::new();
    for (pi, poly) in prepared.polygons.iter().enumerate() {
        if poly.holes.len() < 2 {
            continue;
        }
        for (inner, outer) in covering_pairs(prepared, &poly.holes) {
            if is_ring_nested(prepared, inner, outer) {
                let outer_name = prepared.ring_name(outer);
                out.push(problem(
                    prepared,
                    ProblemKind::NestedHoles,
                    pi,
                    inner,
                    |p, name| format!("{p}{name} lies inside {outer_name} (nested holes)"),
                ));
                break;
            }
        }
    }
    out
}

/// JTS `checkShellsNotNested`: no polygon's shell lies inside another polygon (unless
/// inside one of its holes).
pub(super) fn nested_shells(prepared: &Prepared) -> Vec<GeometryProblem> {
    let shells: Vec<usize> = prepared.polygons.iter().filter_map(|p| p.shell).collect();
    if shells.len() < 2 {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut reported = std::collections::BTreeSet::new();
    for (inner, outer) in covering_pairs(prepared, &shells) {
        let (Some(ri), Some(ro)) = (prepared.rings.get(inner), prepared.rings.get(outer)) else {
            continue;
        };
        if reported.contains(&ri.polygon) || !shell_nested_in(prepared, inner, ro.polygon) {
            continue;
        }
        reported.insert(ri.polygon);
        out.push(GeometryProblem {
            kind: ProblemKind::NestedShells,
            message: format!(
                "polygon {} lies inside polygon {} (nested shells, at {})",
                ri.polygon,
                ro.polygon,
                at(ri.coords.first().copied().unwrap_or_default())
            ),
        });
    }
    out
}

/// JTS `findNestedPoint`: shell `inner` lies in the interior of polygon `outer`.
fn shell_nested_in(prepared: &Prepared, inner: usize, outer: usize) -> bool {
    let Some(ring) = prepared.rings.get(inner) else {
        return false;
    };
    let Some(poly) = prepared.polygons.get(outer) else {
        return false;
    };
    for &p in ring.coords.iter().take(2) {
        match locate_in_polygon(prepared, p, outer) {
            Location::Exterior => return false,
            Location::Interior => return true,
            Location::Boundary => {}
        }
    }
    // Both points on the outer polygon's boundary: decide by the incident segment.
    let Some(shell) = poly.shell else {
        return false;
    };
    if !is_ring_nested(prepared, inner, shell) {
        return false;
    }
    !poly.holes.iter().any(|&hole| {
        envelope_covers(prepared, hole, inner) && is_ring_nested(prepared, inner, hole)
    })
}

/// Location of `p` in polygon `polygon` (its shell and holes, even-odd).
fn locate_in_polygon(prepared: &Prepared, p: Coord<f64>, polygon: usize) -> Location {
    let max_x = prepared
        .polygons
        .get(polygon)
        .and_then(|poly| poly.shell)
        .and_then(|s| prepared.rings.get(s))
        .map_or(p.x, |r| r.bbox.max().x);
    prepared.index.locate(p, max_x, |r| {
        prepared
            .rings
            .get(r)
            .is_some_and(|ring| ring.polygon == polygon)
    })
}

fn problem(
    prepared: &Prepared,
    kind: ProblemKind,
    polygon: usize,
    ring: usize,
    message: impl FnOnce(String, String) -> String,
) -> GeometryProblem {
    let first = prepared
        .rings
        .get(ring)
        .and_then(|r| r.coords.first().copied())
        .unwrap_or_default();
    GeometryProblem {
        kind,
        message: format!(
            "{} (at {})",
            message(prepared.prefix(polygon), prepared.ring_name(ring)),
            at(first)
        ),
    }
}
