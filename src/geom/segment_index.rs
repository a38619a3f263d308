//! An R-tree of ring segments, and the exact predicates that go with it: segment
//! intersection classification (as JTS's `RobustLineIntersector`) and point location by ray
//! crossing (as JTS's `RayCrossingCounter`). Validity and the overlay short cut query it
//! instead of testing every edge against every other edge.

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{Coord, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

/// One segment of a ring: `start` → `end`, the `ring` it belongs to (the caller's
/// numbering) and its position `index` in that ring.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// First vertex.
    pub start: Coord<f64>,
    /// Second vertex.
    pub end: Coord<f64>,
    /// The ring (caller's numbering).
    pub ring: usize,
    /// Position of the segment in its ring.
    pub index: usize,
}

impl Segment {
    fn aabb(&self) -> AABB<[f64; 2]> {
        AABB::from_corners([self.start.x, self.start.y], [self.end.x, self.end.y])
    }
}

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// Segments indexed by their envelopes.
#[derive(Debug)]
pub struct SegmentIndex {
    segments: Vec<Segment>,
    tree: RTree<Entry>,
}

/// Where a point lies relative to an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// Strictly inside.
    Interior,
    /// On an edge or vertex.
    Boundary,
    /// Strictly outside.
    Exterior,
}

/// How two segments meet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SegmentIntersection {
    /// They do not meet.
    None,
    /// They cross at one point interior to both.
    Proper(Coord<f64>),
    /// They meet at exactly one point, a vertex of at least one of them (exact coordinates).
    Touch(Coord<f64>),
    /// They are collinear and share a stretch (its two ends).
    Overlap(Coord<f64>, Coord<f64>),
}

/// Orientation of `r` relative to the directed line `p` → `q` (robust predicate).
pub fn orient(p: Coord<f64>, q: Coord<f64>, r: Coord<f64>) -> Orientation {
    RobustKernel::orient2d(p, q, r)
}

/// `p` lies within the (closed) envelope of `a`–`b`.
fn in_envelope(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> bool {
    p.x >= a.x.min(b.x) && p.x <= a.x.max(b.x) && p.y >= a.y.min(b.y) && p.y <= a.y.max(b.y)
}

/// `p` lies on the closed segment `a`–`b`.
pub fn on_segment(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> bool {
    in_envelope(p, a, b) && orient(a, b, p) == Orientation::Collinear
}

/// Classifies how segments `p0`–`p1` and `q0`–`q1` meet (both of non-zero length).
pub fn intersect(
    p0: Coord<f64>,
    p1: Coord<f64>,
    q0: Coord<f64>,
    q1: Coord<f64>,
) -> SegmentIntersection {
    use Orientation::{Clockwise as Cw, Collinear as Col, CounterClockwise as Ccw};
    let envelopes_meet = p0.x.min(p1.x) <= q0.x.max(q1.x)
        && q0.x.min(q1.x) <= p0.x.max(p1.x)
        && p0.y.min(p1.y) <= q0.y.max(q1.y)
        && q0.y.min(q1.y) <= p0.y.max(p1.y);
    if !envelopes_meet {
        return SegmentIntersection::None;
    }
    let (pq0, pq1) = (orient(p0, p1, q0), orient(p0, p1, q1));
    if matches!((pq0, pq1), (Cw, Cw) | (Ccw, Ccw)) {
        return SegmentIntersection::None;
    }
    let (qp0, qp1) = (orient(q0, q1, p0), orient(q0, q1, p1));
    if matches!((qp0, qp1), (Cw, Cw) | (Ccw, Ccw)) {
        return SegmentIntersection::None;
    }
    if pq0 == Col && pq1 == Col && qp0 == Col && qp1 == Col {
        return collinear(p0, p1, q0, q1);
    }
    if pq0 == Col || pq1 == Col || qp0 == Col || qp1 == Col {
        // An endpoint lies on the other segment: report it exactly (shared endpoints first).
        let at = if p0 == q0 || p0 == q1 {
            p0
        } else if p1 == q0 || p1 == q1 {
            p1
        } else if pq0 == Col {
            q0
        } else if pq1 == Col {
            q1
        } else if qp0 == Col {
            p0
        } else {
            p1
        };
        return SegmentIntersection::Touch(at);
    }
    SegmentIntersection::Proper(proper_point(p0, p1, q0, q1))
}

/// Collinear segments: the shared stretch, a single shared endpoint, or nothing.
fn collinear(
    p0: Coord<f64>,
    p1: Coord<f64>,
    q0: Coord<f64>,
    q1: Coord<f64>,
) -> SegmentIntersection {
    let mut ends: Vec<Coord<f64>> = Vec::with_capacity(4);
    for (c, a, b) in [(q0, p0, p1), (q1, p0, p1), (p0, q0, q1), (p1, q0, q1)] {
        if in_envelope(c, a, b) && !ends.contains(&c) {
            ends.push(c);
        }
    }
    match ends.as_slice() {
        [] => SegmentIntersection::None,
        [only] => SegmentIntersection::Touch(*only),
        [a, b, ..] => SegmentIntersection::Overlap(*a, *b),
    }
}

/// The crossing point of two properly crossing segments (only reported in messages).
fn proper_point(p0: Coord<f64>, p1: Coord<f64>, q0: Coord<f64>, q1: Coord<f64>) -> Coord<f64> {
    let (r, s) = (p1 - p0, q1 - q0);
    let denom = r.x * s.y - r.y * s.x;
    let t = ((q0.x - p0.x) * s.y - (q0.y - p0.y) * s.x) / denom;
    let c = Coord {
        x: p0.x + t * r.x,
        y: p0.y + t * r.y,
    };
    if c.x.is_finite() && c.y.is_finite() {
        c
    } else {
        p0
    }
}

/// The envelope of a geo rectangle as an R-tree box.
pub fn rect_aabb(r: &Rect<f64>) -> AABB<[f64; 2]> {
    AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y])
}

impl SegmentIndex {
    /// Indexes `segments` (bulk-loaded; O(n log n)).
    pub fn new(segments: Vec<Segment>) -> Self {
        let entries = segments
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let e = s.aabb();
                GeomWithData::new(Rectangle::from_corners(e.lower(), e.upper()), i)
            })
            .collect();
        SegmentIndex {
            segments,
            tree: RTree::bulk_load(entries),
        }
    }

    /// The segments of closed rings (`rings[r]` becomes ring `r`), skipping zero-length ones.
    pub fn from_rings<'a>(rings: impl IntoIterator<Item = &'a [Coord<f64>]>) -> Self {
        let mut segments = Vec::new();
        for (ring, coords) in rings.into_iter().enumerate() {
            for (index, w) in coords.windows(2).enumerate() {
                if w[0] != w[1] {
                    segments.push(Segment {
                        start: w[0],
                        end: w[1],
                        ring,
                        index,
                    });
                }
            }
        }
        SegmentIndex::new(segments)
    }

    /// All indexed segments, in insertion order (their ids are positions in this slice).
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Number of segments.
    pub fn len(&self) -> usize {
        self.segments.len()
    }

    /// No segment indexed.
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }

    /// Ids of the segments whose envelopes meet `envelope` (closed test), in tree order.
    pub fn query(&self, envelope: AABB<[f64; 2]>) -> impl Iterator<Item = usize> + '_ {
        self.tree
            .locate_in_envelope_intersecting(envelope)
            .map(|e| e.data)
    }

    /// Every pair `(i, j)`, `i < j`, of segments whose envelopes meet (a simultaneous
    /// traversal of the tree with itself: much faster than one query per segment).
    pub fn candidate_pairs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.tree
            .intersection_candidates_with_other_tree(&self.tree)
            .filter(|(a, b)| a.data < b.data)
            .map(|(a, b)| (a.data, b.data))
    }

    /// Ids of the segments whose envelopes meet segment `id`'s envelope, `id` excluded.
    pub fn neighbours(&self, id: usize) -> impl Iterator<Item = usize> + '_ {
        let envelope = self
            .segments
            .get(id)
            .map_or_else(|| AABB::from_point([f64::NAN, f64::NAN]), Segment::aabb);
        self.query(envelope).filter(move |&j| j != id)
    }

    /// Location of `p` relative to the even-odd area of the rings accepted by `ring_filter`
    /// (ray crossing towards +x; exact on the boundary). `max_x` bounds the ray (any value
    /// at or beyond the rings' largest x).
    pub fn locate(
        &self,
        p: Coord<f64>,
        max_x: f64,
        ring_filter: impl Fn(usize) -> bool,
    ) -> Location {
        let ray = AABB::from_corners([p.x, p.y], [max_x.max(p.x), p.y]);
        let mut crossings = 0usize;
        for id in self.query(ray) {
            let Some(s) = self.segments.get(id) else {
                continue;
            };
            if !ring_filter(s.ring) {
                continue;
            }
            match ray_crossing(p, s.start, s.end) {
                Crossing::OnSegment => return Location::Boundary,
                Crossing::Crosses => crossings += 1,
                Crossing::Misses => {}
            }
        }
        if crossings % 2 == 1 {
            Location::Interior
        } else {
            Location::Exterior
        }
    }
}

enum Crossing {
    OnSegment,
    Crosses,
    Misses,
}

/// One segment's contribution to the +x ray from `p` (JTS `RayCrossingCounter`: a segment
/// counts when it straddles the ray's y with its upper end strictly above).
fn ray_crossing(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> Crossing {
    if a.x < p.x && b.x < p.x {
        return Crossing::Misses;
    }
    if p == a || p == b {
        return Crossing::OnSegment;
    }
    if a.y == p.y && b.y == p.y {
        return if p.x >= a.x.min(b.x) && p.x <= a.x.max(b.x) {
            Crossing::OnSegment
        } else {
            Crossing::Misses
        };
    }
    if (a.y > p.y && b.y <= p.y) || (b.y > p.y && a.y <= p.y) {
        let mut o = orient(a, b, p);
        if o == Orientation::Collinear {
            return Crossing::OnSegment;
        }
        if b.y < a.y {
            o = match o {
                Orientation::Clockwise => Orientation::CounterClockwise,
                _ => Orientation::Clockwise,
            };
        }
        if o == Orientation::CounterClockwise {
            return Crossing::Crosses;
        }
    }
    Crossing::Misses
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    #[test]
    fn intersection_kinds() {
        let o = c(0., 0.);
        assert_eq!(
            intersect(o, c(2., 2.), c(0., 2.), c(2., 0.)),
            SegmentIntersection::Proper(c(1., 1.))
        );
        assert_eq!(
            intersect(o, c(2., 0.), c(1., 0.), c(1., 5.)),
            SegmentIntersection::Touch(c(1., 0.))
        );
        assert_eq!(
            intersect(o, c(2., 0.), c(2., 0.), c(3., 0.)),
            SegmentIntersection::Touch(c(2., 0.))
        );
        assert_eq!(
            intersect(o, c(2., 0.), c(1., 0.), c(3., 0.)),
            SegmentIntersection::Overlap(c(1., 0.), c(2., 0.))
        );
        assert_eq!(
            intersect(o, c(1., 0.), c(2., 0.), c(3., 0.)),
            SegmentIntersection::None
        );
    }

    #[test]
    fn point_location_in_a_square_with_a_hole() {
        let shell = [c(0., 0.), c(4., 0.), c(4., 4.), c(0., 4.), c(0., 0.)];
        let hole = [c(1., 1.), c(1., 3.), c(3., 3.), c(3., 1.), c(1., 1.)];
        let idx = SegmentIndex::from_rings([&shell[..], &hole[..]]);
        let all = |_| true;
        assert_eq!(idx.locate(c(0.5, 2.), 4., all), Location::Interior);
        assert_eq!(idx.locate(c(2., 2.), 4., all), Location::Exterior);
        assert_eq!(idx.locate(c(1., 2.), 4., all), Location::Boundary);
        assert_eq!(idx.locate(c(4., 4.), 4., all), Location::Boundary);
        assert_eq!(idx.locate(c(5., 1.), 5., all), Location::Exterior);
        assert_eq!(idx.locate(c(2., 2.), 4., |r| r == 0), Location::Interior);
        // A ray through a vertex counts once.
        assert_eq!(idx.locate(c(-1., 0.), 4., all), Location::Exterior);
        assert_eq!(idx.locate(c(0.5, 1.), 4., all), Location::Interior);
    }
}
