//! Contiguity (连片): connected components of a set of polygons.
//!
//! Two polygons are adjacent when they share a stretch of boundary of positive length
//! (coincident or overlapping edges, within a digitising tolerance) or when their interiors
//! overlap. Contact at a single point (corner to corner) is **not** adjacency: the 2018
//! interest-coordination rule speaks of contiguous (连片) land, and two plots meeting at a
//! corner offer no usable connection — no road or building can cross a point — so they must
//! not be pooled into one contiguous block.

use geo::{Area, BoundingRect, Coord, Line, MultiPolygon, Rect};

use super::clip::{AreaOperand, DefaultKernel, IntersectionAreaKernel};
use super::index::{EdgeSet, envelope_tree, rect_to_aabb};

/// Tolerances of the adjacency test (CRS units, metres in a projected CRS).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContiguityOptions {
    /// Shared boundary must be longer than this. Default 1e-6.
    pub min_shared_length: f64,
    /// Edges whose endpoints lie within this distance of each other's line count as
    /// coincident (digitising noise). Default 1e-6.
    pub snap_tolerance: f64,
    /// Interiors overlapping by more than this area also make two polygons adjacent.
    /// Default 1e-6.
    pub min_overlap_area: f64,
}

impl Default for ContiguityOptions {
    fn default() -> Self {
        ContiguityOptions {
            min_shared_length: 1e-6,
            snap_tolerance: 1e-6,
            min_overlap_area: 1e-6,
        }
    }
}

/// A connected component (连片地块组).
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    /// Member positions, ascending.
    pub members: Vec<usize>,
    /// Sum of the members' areas (equals the area of their union when they do not overlap).
    pub area: f64,
}

/// Connected components, ordered by their smallest member. Every input polygon belongs to
/// exactly one component (an empty geometry, or one with non-finite coordinates, forms a
/// component on its own).
pub fn contiguous_components<G: std::borrow::Borrow<MultiPolygon<f64>>>(
    polygons: &[G],
    opts: &ContiguityOptions,
) -> Vec<Component> {
    let polygons: Vec<&MultiPolygon<f64>> = polygons.iter().map(|p| p.borrow()).collect();
    let tree = envelope_tree(&polygons);
    let edges: Vec<EdgeSet> = polygons.iter().map(|p| EdgeSet::new(p)).collect();
    let mut parent: Vec<usize> = (0..polygons.len()).collect();
    for (i, poly) in polygons.iter().enumerate() {
        if !super::index::all_finite(poly) {
            continue;
        }
        let Some(r) = poly.bounding_rect() else {
            continue;
        };
        let grown = grow(&r, opts.snap_tolerance);
        let mut cands: Vec<usize> = tree
            .locate_in_envelope_intersecting(rect_to_aabb(&grown))
            .map(|e| e.data)
            .filter(|&j| j > i)
            .collect();
        cands.sort_unstable();
        for j in cands {
            if find(&mut parent, i) == find(&mut parent, j) {
                continue;
            }
            let (Some(ei), Some(ej), Some(pj)) = (edges.get(i), edges.get(j), polygons.get(j))
            else {
                continue;
            };
            if adjacent(poly, pj, ei, ej, opts) {
                union(&mut parent, i, j);
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for i in 0..polygons.len() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    let mut comps: Vec<Component> = groups
        .into_values()
        .map(|members| Component {
            area: members
                .iter()
                .filter_map(|&m| polygons.get(m))
                .map(|p| p.unsigned_area())
                .sum(),
            members,
        })
        .collect();
    comps.sort_by_key(|c| c.members.first().copied());
    comps
}

/// Total length of boundary that `a` and `b` share (edges coincident within `tolerance`).
pub fn shared_boundary_length(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>, tolerance: f64) -> f64 {
    shared_length(&EdgeSet::new(a), &EdgeSet::new(b), tolerance, f64::INFINITY)
}

fn adjacent(
    a: &MultiPolygon<f64>,
    b: &MultiPolygon<f64>,
    ea: &EdgeSet,
    eb: &EdgeSet,
    opts: &ContiguityOptions,
) -> bool {
    if shared_length(ea, eb, opts.snap_tolerance, opts.min_shared_length) > opts.min_shared_length {
        return true;
    }
    // Overlapping interiors (crossing edges) also connect the two.
    match (AreaOperand::new(a), AreaOperand::new(b)) {
        (Some(oa), Some(ob)) => {
            let area = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                DefaultKernel.intersection_area(&oa, &ob)
            }));
            matches!(area, Ok(Ok(x)) if x > opts.min_overlap_area)
        }
        _ => false,
    }
}

/// Sum of the overlaps of collinear edge pairs; stops early once above `enough`.
fn shared_length(ea: &EdgeSet, eb: &EdgeSet, tol: f64, enough: f64) -> f64 {
    let mut total = 0.0;
    for a in &ea.edges {
        let r = grow(&a.bounding_rect(), tol);
        eb.visit_in(&r, |b| {
            total += collinear_overlap(a, b, tol);
            total <= enough
        });
        if total > enough {
            break;
        }
    }
    total
}

/// Length of the overlap of `b` projected on `a`, when both ends of `b`... or of `a`... lie
/// within `tol` of the other's line; 0 otherwise.
fn collinear_overlap(a: &Line<f64>, b: &Line<f64>, tol: f64) -> f64 {
    let d = a.end - a.start;
    let len = d.x.hypot(d.y);
    if len == 0.0 {
        return 0.0;
    }
    let u = Coord {
        x: d.x / len,
        y: d.y / len,
    };
    let off = |p: Coord<f64>| {
        let v = p - a.start;
        (v.x * u.y - v.y * u.x).abs()
    };
    if off(b.start) > tol || off(b.end) > tol {
        return 0.0;
    }
    let along = |p: Coord<f64>| {
        let v = p - a.start;
        v.x * u.x + v.y * u.y
    };
    let (t0, t1) = (along(b.start), along(b.end));
    let lo = t0.min(t1).max(0.0);
    let hi = t0.max(t1).min(len);
    (hi - lo).max(0.0)
}

fn grow(r: &Rect<f64>, d: f64) -> Rect<f64> {
    Rect::new(
        Coord {
            x: r.min().x - d,
            y: r.min().y - d,
        },
        Coord {
            x: r.max().x + d,
            y: r.max().y + d,
        },
    )
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Unites two sets; the smaller root becomes the parent (deterministic).
fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        parent[hi] = lo;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::wkt;

    #[test]
    fn shared_edge_joins_corner_does_not() {
        let polys = vec![
            wkt!(MULTIPOLYGON(((0. 0.,1. 0.,1. 1.,0. 1.,0. 0.)))),
            // shares part of the edge x = 1 with polygon 0 (split vertices)
            wkt!(MULTIPOLYGON(((1. 0.5,2. 0.5,2. 2.,1. 2.,1. 1.,1. 0.5)))),
            // touches polygon 0 only at the corner (0, 0)
            wkt!(MULTIPOLYGON(((-1. -1.,0. -1.,0. 0.,-1. 0.,-1. -1.)))),
            // overlaps polygon 2
            wkt!(MULTIPOLYGON(
                ((-1.5 - 1.5, -0.5 - 1.5, -0.5 - 0.5, -1.5 - 0.5, -1.5 - 1.5))
            )),
            // near-coincident edge (1e-9 off) with polygon 1 along y = 2
            wkt!(MULTIPOLYGON(((1. 2.000000001,2. 2.000000001,2. 3.,1. 3.,1. 2.000000001)))),
        ];
        let comps = contiguous_components(&polys, &ContiguityOptions::default());
        let members: Vec<Vec<usize>> = comps.iter().map(|c| c.members.clone()).collect();
        assert_eq!(members, vec![vec![0, 1, 4], vec![2, 3]]);
        assert!((comps[0].area - (1.0 + 1.5 + 1.0)).abs() < 1e-6);
        assert!((shared_boundary_length(&polys[0], &polys[1], 1e-6) - 0.5).abs() < 1e-12);
    }
}
