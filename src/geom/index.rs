//! Spatial indexes: an R-tree of target envelopes ([`TargetIndex`], built once and reused
//! for many overlays, e.g. every project of a batch against the same zones) and, per target,
//! an index of its boundary edges for the covered / disjoint short cuts.

use std::borrow::Borrow;

use geo::{Area, BoundingRect, Coord, Line, MultiPolygon, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use super::clip::AreaOperand;

/// An R-tree entry: an envelope and the position of what it bounds.
pub(crate) type EnvelopeEntry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// Edge sets smaller than this are scanned linearly; an R-tree does not pay below it.
const EDGE_TREE_MIN: usize = 48;

/// True when every coordinate is finite (NaN/inf would poison the R-trees' ordering).
pub fn all_finite(mp: &MultiPolygon<f64>) -> bool {
    use geo::CoordsIter;
    mp.coords_iter().all(|c| c.x.is_finite() && c.y.is_finite())
}

pub(crate) fn rect_to_aabb(r: &Rect<f64>) -> AABB<[f64; 2]> {
    AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y])
}

fn envelope_entry(r: &Rect<f64>, data: usize) -> EnvelopeEntry {
    GeomWithData::new(
        Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
        data,
    )
}

/// Bulk-loaded R-tree over the envelopes of a slice of geometries (empty ones and ones with
/// non-finite coordinates are skipped).
pub(crate) fn envelope_tree<G: Borrow<MultiPolygon<f64>>>(geoms: &[G]) -> RTree<EnvelopeEntry> {
    let entries = geoms
        .iter()
        .map(Borrow::borrow)
        .enumerate()
        .filter(|(_, g)| all_finite(g))
        .filter_map(|(i, g)| g.bounding_rect().map(|r| envelope_entry(&r, i)))
        .collect();
    RTree::bulk_load(entries)
}

/// The boundary edges of a polygonal geometry, indexed when there are many.
#[derive(Debug)]
pub(crate) struct EdgeSet {
    pub(crate) edges: Vec<Line<f64>>,
    tree: Option<RTree<EnvelopeEntry>>,
}

impl EdgeSet {
    /// Empty for a geometry with non-finite coordinates.
    pub(crate) fn new(mp: &MultiPolygon<f64>) -> Self {
        let mut edges = Vec::new();
        let polys: &[geo::Polygon<f64>] = if all_finite(mp) { &mp.0 } else { &[] };
        for p in polys {
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                for l in ring.lines() {
                    if l.start != l.end {
                        edges.push(l);
                    }
                }
            }
        }
        let tree = (edges.len() >= EDGE_TREE_MIN).then(|| {
            RTree::bulk_load(
                edges
                    .iter()
                    .enumerate()
                    .map(|(i, l)| envelope_entry(&l.bounding_rect(), i))
                    .collect(),
            )
        });
        EdgeSet { edges, tree }
    }

    /// Calls `f` with every edge whose envelope meets `r` (closed test); stops when `f`
    /// returns `false`. Returns `false` if stopped.
    pub(crate) fn visit_in(&self, r: &Rect<f64>, mut f: impl FnMut(&Line<f64>) -> bool) -> bool {
        match &self.tree {
            Some(tree) => {
                for e in tree.locate_in_envelope_intersecting(rect_to_aabb(r)) {
                    if let Some(l) = self.edges.get(e.data)
                        && !f(l)
                    {
                        return false;
                    }
                }
                true
            }
            None => {
                for l in &self.edges {
                    if line_meets_rect(l, r) && !f(l) {
                        return false;
                    }
                }
                true
            }
        }
    }

    /// Even-odd point-in-polygon by ray casting towards +x; only valid for a point that is
    /// not on any edge (the callers guarantee it).
    pub(crate) fn contains_point_off_boundary(&self, p: Coord<f64>, max_x: f64) -> bool {
        let ray = Rect::new(
            p,
            Coord {
                x: max_x.max(p.x),
                y: p.y,
            },
        );
        let mut inside = false;
        self.visit_in(&ray, |l| {
            let (a, b) = (l.start, l.end);
            if (a.y > p.y) != (b.y > p.y) {
                let x = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
                if x > p.x {
                    inside = !inside;
                }
            }
            true
        });
        inside
    }
}

/// Envelope test of a segment against a closed rectangle.
fn line_meets_rect(l: &Line<f64>, r: &Rect<f64>) -> bool {
    let (lo, hi) = (r.min(), r.max());
    l.start.x.min(l.end.x) <= hi.x
        && l.start.x.max(l.end.x) >= lo.x
        && l.start.y.min(l.end.y) <= hi.y
        && l.start.y.max(l.end.y) >= lo.y
}

/// What the engine precomputes for each target.
#[derive(Debug)]
pub(crate) struct PreparedTarget<'a> {
    pub(crate) operand: Option<AreaOperand<'a>>,
    pub(crate) area: f64,
    pub(crate) edges: EdgeSet,
}

/// A reusable index over a target layer (zones, boundaries): envelope R-tree, areas,
/// convexity and boundary-edge indexes. Build once, overlay many source layers against it.
#[derive(Debug)]
pub struct TargetIndex<'a> {
    pub(crate) targets: Vec<&'a MultiPolygon<f64>>,
    pub(crate) tree: RTree<EnvelopeEntry>,
    pub(crate) prepared: Vec<PreparedTarget<'a>>,
}

impl<'a> TargetIndex<'a> {
    /// Bulk-loads the index. Empty target geometries are kept (so indices stay aligned) but
    /// never match. Takes owned geometries or references (`&[&MultiPolygon]`, e.g. borrowed
    /// from a layer's features without copying them).
    pub fn new<G: Borrow<MultiPolygon<f64>> + Sync>(targets: &'a [G]) -> Self {
        use rayon::prelude::*;
        let targets: Vec<&'a MultiPolygon<f64>> = targets.iter().map(Borrow::borrow).collect();
        let prepared: Vec<PreparedTarget<'a>> = targets
            .par_iter()
            .map(|&t| PreparedTarget {
                operand: AreaOperand::new(t),
                area: t.unsigned_area(),
                edges: EdgeSet::new(t),
            })
            .collect();
        TargetIndex {
            tree: envelope_tree(&targets),
            targets,
            prepared,
        }
    }

    /// Number of targets (including empty ones).
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// Whether no target is indexed.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// The indexed target geometries.
    pub fn targets(&self) -> &[&'a MultiPolygon<f64>] {
        &self.targets
    }

    /// Targets with non-finite coordinates: never matched.
    pub fn non_finite_targets(&self) -> Vec<usize> {
        self.targets
            .iter()
            .enumerate()
            .filter(|(_, t)| !all_finite(t))
            .map(|(i, _)| i)
            .collect()
    }

    /// Planar area of each target.
    pub fn target_areas(&self) -> Vec<f64> {
        self.prepared.iter().map(|p| p.area).collect()
    }

    /// Targets whose envelope meets `r` (closed test), in increasing index order.
    pub fn candidates(&self, r: &Rect<f64>) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(rect_to_aabb(r))
            .map(|e| e.data)
            .collect();
        out.sort_unstable();
        out
    }
}
