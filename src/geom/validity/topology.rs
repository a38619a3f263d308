//! Segment intersections of all rings (JTS `PolygonIntersectionAnalyzer`), found through
//! the segment index, and the connected-interior test on the rings' touch graph.

use std::collections::BTreeMap;

use geo::Coord;

use super::nesting::is_crossing;
use super::rings::{Prepared, at};
use super::{GeometryProblem, ProblemKind};
use crate::geom::segment_index::{Segment, SegmentIntersection, intersect};

/// What the intersection step found.
pub(super) struct Analysis {
    /// Crossings, overlaps and self-touches, one per (kind, ring pair).
    pub problems: Vec<GeometryProblem>,
    /// (ring, point) where two different rings of one polygon touch without crossing.
    pub touches: Vec<(usize, Coord<f64>)>,
}

/// One problem at a ring pair: the first point found and how many were found.
struct Finding {
    at: Coord<f64>,
    count: usize,
}

/// Intersects every pair of segments whose envelopes overlap (R-tree queries: O(n log n)
/// for rings that do not pile up on themselves).
pub(super) fn analyse(prepared: &Prepared) -> Analysis {
    let segments = prepared.index.segments();
    let mut findings: BTreeMap<(ProblemKind, usize, usize), Finding> = BTreeMap::new();
    let mut touches = Vec::new();
    for (i, j) in prepared.index.candidate_pairs() {
        let (Some(s0), Some(s1)) = (segments.get(i), segments.get(j)) else {
            continue;
        };
        match classify(prepared, s0, s1) {
            Pair::Valid => {}
            Pair::Touch(at) => {
                touches.push((s0.ring, at));
                touches.push((s1.ring, at));
            }
            Pair::Invalid(kind, at) => {
                let key = (kind, s0.ring.min(s1.ring), s0.ring.max(s1.ring));
                findings
                    .entry(key)
                    .and_modify(|f| f.count += 1)
                    .or_insert(Finding { at, count: 1 });
            }
        }
    }
    Analysis {
        problems: describe(prepared, findings),
        touches,
    }
}

enum Pair {
    Valid,
    /// Two rings of one polygon touch here.
    Touch(Coord<f64>),
    Invalid(ProblemKind, Coord<f64>),
}

/// The kind of a crossing or overlap between the rings of `s0` and `s1`.
fn crossing_kind(prepared: &Prepared, s0: &Segment, s1: &Segment, overlap: bool) -> ProblemKind {
    let polygon = |s: &Segment| prepared.rings.get(s.ring).map(|r| r.polygon);
    if s0.ring == s1.ring {
        ProblemKind::SelfIntersection
    } else if polygon(s0) == polygon(s1) {
        ProblemKind::RingsIntersect
    } else if overlap && interiors_on_opposite_sides(prepared, s0, s1) {
        ProblemKind::PartsTouchOnLine
    } else {
        ProblemKind::PartsOverlap
    }
}

/// For collinear segments of two polygons: their interiors lie on opposite sides of the
/// shared stretch (the polygons are adjacent), not on the same side (they overlap).
fn interiors_on_opposite_sides(prepared: &Prepared, s0: &Segment, s1: &Segment) -> bool {
    // A polygon's interior is left of a segment of a counter-clockwise shell or of a
    // clockwise hole.
    let interior_left = |s: &Segment| {
        prepared
            .rings
            .get(s.ring)
            .is_some_and(|r| r.ccw == r.hole.is_none())
    };
    let d0 = s0.end - s0.start;
    let d1 = s1.end - s1.start;
    let same_direction = d0.x * d1.x + d0.y * d1.y > 0.0;
    (interior_left(s0) == interior_left(s1)) != same_direction
}

/// JTS `findInvalidIntersection`, with one refinement: a ring that passes through one of
/// its own vertices and crosses there is a self-intersection (JTS calls every vertex
/// self-touch a ring self-intersection).
fn classify(prepared: &Prepared, s0: &Segment, s1: &Segment) -> Pair {
    let pt = match intersect(s0.start, s0.end, s1.start, s1.end) {
        SegmentIntersection::None => return Pair::Valid,
        SegmentIntersection::Proper(at) => {
            return Pair::Invalid(crossing_kind(prepared, s0, s1, false), at);
        }
        SegmentIntersection::Overlap(at, _) => {
            return Pair::Invalid(crossing_kind(prepared, s0, s1, true), at);
        }
        SegmentIntersection::Touch(at) => at,
    };
    let same_ring = s0.ring == s1.ring;
    if same_ring && adjacent(prepared, s0, s1) {
        return Pair::Valid;
    }
    // A touch at a segment's end is handled with the segment that starts there.
    if pt == s0.end || pt == s1.end {
        return Pair::Valid;
    }
    let (e00, e01) = arms(prepared, s0, pt);
    let (e10, e11) = arms(prepared, s1, pt);
    if is_crossing(pt, e00, e01, e10, e11) {
        return Pair::Invalid(crossing_kind(prepared, s0, s1, false), pt);
    }
    if same_ring {
        return Pair::Invalid(ProblemKind::RingSelfIntersection, pt);
    }
    let polygon = |s: &Segment| prepared.rings.get(s.ring).map(|r| r.polygon);
    if polygon(s0) == polygon(s1) {
        Pair::Touch(pt)
    } else {
        Pair::Valid
    }
}

/// The two ring edges at `pt` along segment `s`: the previous and this segment when `pt`
/// is its start vertex, the segment's own ends when `pt` is interior to it.
fn arms(prepared: &Prepared, s: &Segment, pt: Coord<f64>) -> (Coord<f64>, Coord<f64>) {
    if pt == s.start {
        let prev = prepared
            .rings
            .get(s.ring)
            .map_or(s.start, |r| r.prev_vertex(s.index));
        (prev, s.end)
    } else {
        (s.start, s.end)
    }
}

fn adjacent(prepared: &Prepared, s0: &Segment, s1: &Segment) -> bool {
    let n = prepared.rings.get(s0.ring).map_or(0, |r| r.segment_count());
    let (lo, hi) = (s0.index.min(s1.index), s0.index.max(s1.index));
    hi - lo == 1 || (lo == 0 && hi + 1 == n)
}

/// Two rings are the same ring: the same cyclic vertex sequence, in either direction.
fn same_ring(prepared: &Prepared, a: usize, b: usize) -> bool {
    let (Some(ra), Some(rb)) = (prepared.rings.get(a), prepared.rings.get(b)) else {
        return false;
    };
    let (pa, pb) = (open(&ra.coords), open(&rb.coords));
    if pa.len() != pb.len() || pa.is_empty() {
        return false;
    }
    let Some(start) = pb.iter().position(|c| *c == pa[0]) else {
        return false;
    };
    let n = pa.len();
    let forward = (0..n).all(|k| pa[k] == pb[(start + k) % n]);
    forward || (0..n).all(|k| pa[k] == pb[(start + n - k) % n])
}

fn open(coords: &[Coord<f64>]) -> &[Coord<f64>] {
    coords.split_last().map_or(coords, |(_, rest)| rest)
}

fn describe(
    prepared: &Prepared,
    findings: BTreeMap<(ProblemKind, usize, usize), Finding>,
) -> Vec<GeometryProblem> {
    let mut out = Vec::new();
    let mut duplicates = std::collections::BTreeSet::new();
    for ((kind, a, b), f) in findings {
        let polygon = |r: usize| prepared.rings.get(r).map_or(0, |r| r.polygon);
        let more = if f.count > 1 {
            format!(" ({} segment pairs)", f.count)
        } else {
            String::new()
        };
        let (kind, message) = if a != b && same_ring(prepared, a, b) {
            if !duplicates.insert((a, b)) {
                continue;
            }
            let what = if polygon(a) == polygon(b) {
                format!(
                    "{}{} and {}",
                    prepared.prefix(polygon(a)),
                    prepared.ring_name(a),
                    prepared.ring_name(b)
                )
            } else {
                format!("polygons {} and {}", polygon(a), polygon(b))
            };
            (
                ProblemKind::DuplicateRings,
                format!("{what} are the same ring (a self-intersection)"),
            )
        } else {
            let place = at(f.at);
            let message = match kind {
                ProblemKind::SelfIntersection => format!(
                    "{}{} has a self-intersection at {place}{more}",
                    prepared.prefix(polygon(a)),
                    prepared.ring_name(a)
                ),
                ProblemKind::RingSelfIntersection => format!(
                    "{}{} touches itself at {place} (ring self-intersection){more}",
                    prepared.prefix(polygon(a)),
                    prepared.ring_name(a)
                ),
                ProblemKind::RingsIntersect => format!(
                    "{}{} and {} cross or overlap at {place}{more}",
                    prepared.prefix(polygon(a)),
                    prepared.ring_name(a),
                    prepared.ring_name(b)
                ),
                ProblemKind::PartsTouchOnLine => format!(
                    "polygons {} and {} share a boundary segment at {place}{more}",
                    polygon(a),
                    polygon(b)
                ),
                _ => format!(
                    "polygons {} and {} overlap at {place}{more}",
                    polygon(a),
                    polygon(b)
                ),
            };
            (kind, message)
        };
        out.push(GeometryProblem { kind, message });
    }
    out
}

/// Union-find over rings and touch points.
struct Sets(Vec<usize>);

impl Sets {
    fn find(&mut self, mut x: usize) -> usize {
        while let Some(&p) = self.0.get(x) {
            if p == x {
                break;
            }
            let grand = self.0.get(p).copied().unwrap_or(p);
            if let Some(slot) = self.0.get_mut(x) {
                *slot = grand;
            }
            x = p;
        }
        x
    }
}

/// JTS's connected-interior test: the rings of a polygon and the points where they touch
/// form a graph; a cycle in it (a hole touching the shell twice, holes in a chain from
/// shell to shell, …) cuts the interior apart. Several rings meeting at one point form no
/// cycle (the point is one node).
pub(super) fn disconnected_interiors(
    prepared: &Prepared,
    mut touches: Vec<(usize, Coord<f64>)>,
) -> Vec<GeometryProblem> {
    let key = |c: &Coord<f64>| (c.x.to_bits(), c.y.to_bits());
    touches.sort_by(|a, b| a.0.cmp(&b.0).then(key(&a.1).cmp(&key(&b.1))));
    touches.dedup_by(|a, b| a.0 == b.0 && key(&a.1) == key(&b.1));
    let mut points: Vec<(u64, u64)> = touches.iter().map(|t| key(&t.1)).collect();
    points.sort_unstable();
    points.dedup();
    let rings = prepared.rings.len();
    let mut sets = Sets((0..rings + points.len()).collect());
    let mut broken: BTreeMap<usize, Coord<f64>> = BTreeMap::new();
    for (ring, pt) in &touches {
        let Ok(p) = points.binary_search(&key(pt)) else {
            continue;
        };
        let (a, b) = (sets.find(*ring), sets.find(rings + p));
        if a == b {
            let polygon = prepared.rings.get(*ring).map_or(0, |r| r.polygon);
            broken.entry(polygon).or_insert(*pt);
        } else if let Some(slot) = sets.0.get_mut(a) {
            *slot = b;
        }
    }
    broken
        .into_iter()
        .map(|(polygon, pt)| GeometryProblem {
            kind: ProblemKind::DisconnectedInterior,
            message: format!(
                "{}interior is disconnected: its rings touch in a cycle (at {})",
                prepared.prefix(polygon),
                at(pt)
            ),
        })
        .collect()
}
