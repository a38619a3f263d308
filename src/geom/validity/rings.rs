//! The per-ring steps of validation (coordinates, closure, size, zero area) and the
//! prepared form the topological steps share: rings without repeated points, their
//! envelopes and orientation, and the segment index over all of them.

use geo::{Area, Coord, LineString, MultiPolygon, Polygon, Rect};

use super::{GeometryProblem, ProblemKind};
use crate::geom::segment_index::{SegmentIndex, orient};

/// Coordinates beyond this magnitude make the products in areas and orientation tests
/// overflow f64 (their squares reach ~1e300).
const COORDINATE_LIMIT: f64 = 1e150;

/// A closed ring of one polygon, consecutive repeated points removed.
#[derive(Debug)]
pub(super) struct Ring {
    /// The polygon (position in the multipolygon).
    pub polygon: usize,
    /// `None` for the shell, `Some(k)` for interior ring `k` of the polygon.
    pub hole: Option<usize>,
    /// Closed; no two consecutive points equal.
    pub coords: Vec<Coord<f64>>,
    /// Envelope of the ring.
    pub bbox: Rect<f64>,
    /// Counter-clockwise (positive signed area).
    pub ccw: bool,
}

impl Ring {
    /// Number of segments.
    pub fn segment_count(&self) -> usize {
        self.coords.len().saturating_sub(1)
    }

    /// The vertex before vertex `k` (around the closed ring).
    pub fn prev_vertex(&self, k: usize) -> Coord<f64> {
        let n = self.segment_count();
        let i = if k == 0 { n.saturating_sub(1) } else { k - 1 };
        self.coords.get(i).copied().unwrap_or_default()
    }
}

/// The rings of one polygon: positions in [`Prepared::rings`].
#[derive(Debug, Default)]
pub(super) struct PolygonRings {
    /// The shell, unless it is empty.
    pub shell: Option<usize>,
    /// The non-empty holes.
    pub holes: Vec<usize>,
}

/// A geometry ready for the topological steps.
#[derive(Debug)]
pub(super) struct Prepared {
    /// More than one polygon: messages name the polygon.
    pub multi: bool,
    /// Every non-empty ring.
    pub rings: Vec<Ring>,
    /// Per polygon, its rings.
    pub polygons: Vec<PolygonRings>,
    /// All segments of all rings; a segment's `ring` is a position in `rings`.
    pub index: SegmentIndex,
}

impl Prepared {
    /// Prepares a geometry that passed [`structural_problems`].
    pub fn new(geometry: &MultiPolygon<f64>) -> Self {
        let mut rings = Vec::new();
        let mut polygons = Vec::new();
        for (pi, polygon) in geometry.iter().enumerate() {
            let mut entry = PolygonRings::default();
            let all = std::iter::once((None, polygon.exterior())).chain(
                polygon
                    .interiors()
                    .iter()
                    .enumerate()
                    .map(|(k, r)| (Some(k), r)),
            );
            for (hole, line) in all {
                let coords = without_repeats(line);
                let Some(bbox) = envelope(&coords) else {
                    continue;
                };
                match hole {
                    None => entry.shell = Some(rings.len()),
                    Some(_) => entry.holes.push(rings.len()),
                }
                let ccw = signed_area(&coords) > 0.0;
                rings.push(Ring {
                    polygon: pi,
                    hole,
                    coords,
                    bbox,
                    ccw,
                });
            }
            polygons.push(entry);
        }
        let index = SegmentIndex::from_rings(rings.iter().map(|r| r.coords.as_slice()));
        Prepared {
            multi: geometry.0.len() > 1,
            rings,
            polygons,
            index,
        }
    }

    /// "polygon 3: " in a multipolygon, nothing otherwise.
    pub fn prefix(&self, polygon: usize) -> String {
        if self.multi {
            format!("polygon {polygon}: ")
        } else {
            String::new()
        }
    }

    /// "exterior ring" or "interior ring at index k" (as geo names them).
    pub fn ring_name(&self, ring: usize) -> String {
        match self.rings.get(ring).and_then(|r| r.hole) {
            None => "exterior ring".into(),
            Some(k) => format!("interior ring at index {k}"),
        }
    }
}

/// `(x, y)` for messages.
pub(super) fn at(c: Coord<f64>) -> String {
    format!("({}, {})", c.x, c.y)
}

fn without_repeats(line: &LineString<f64>) -> Vec<Coord<f64>> {
    let mut out: Vec<Coord<f64>> = Vec::with_capacity(line.0.len());
    for &c in &line.0 {
        if out.last() != Some(&c) {
            out.push(c);
        }
    }
    out
}

fn envelope(coords: &[Coord<f64>]) -> Option<Rect<f64>> {
    let first = *coords.first()?;
    let (mut lo, mut hi) = (first, first);
    for c in coords {
        lo.x = lo.x.min(c.x);
        lo.y = lo.y.min(c.y);
        hi.x = hi.x.max(c.x);
        hi.y = hi.y.max(c.y);
    }
    Some(Rect::new(lo, hi))
}

/// Shoelace area relative to the first vertex (keeps the products small).
fn signed_area(coords: &[Coord<f64>]) -> f64 {
    let Some(&o) = coords.first() else {
        return 0.0;
    };
    let twice: f64 = coords
        .windows(2)
        .map(|w| (w[0].x - o.x) * (w[1].y - o.y) - (w[1].x - o.x) * (w[0].y - o.y))
        .sum();
    twice / 2.0
}

fn rings_of(p: &Polygon<f64>) -> impl Iterator<Item = (Option<usize>, &LineString<f64>)> {
    std::iter::once((None, p.exterior()))
        .chain(p.interiors().iter().enumerate().map(|(k, r)| (Some(k), r)))
}

fn ring_label(hole: Option<usize>) -> String {
    match hole {
        None => "exterior ring".into(),
        Some(k) => format!("interior ring at index {k}"),
    }
}

/// One per-ring test: what is wrong with the ring, if anything.
type RingTest = fn(&LineString<f64>) -> Option<String>;

/// The first per-ring step that finds problems, with all it finds: non-finite
/// coordinates, overflowing coordinates, unclosed rings, rings with too few points, then
/// zero-area (collinear) rings. Empty when every ring passes.
pub(super) fn structural_problems(geometry: &MultiPolygon<f64>) -> Vec<GeometryProblem> {
    let coords = || {
        geometry
            .iter()
            .flat_map(|p| rings_of(p).flat_map(|(_, r)| r.0.iter()))
    };
    let non_finite = coords()
        .filter(|c| !c.x.is_finite() || !c.y.is_finite())
        .count();
    if non_finite > 0 {
        return vec![GeometryProblem {
            kind: ProblemKind::NonFiniteCoordinate,
            message: format!("{non_finite} non-finite (NaN or infinite) coordinate(s)"),
        }];
    }
    let huge = coords()
        .filter(|c| c.x.abs() > COORDINATE_LIMIT || c.y.abs() > COORDINATE_LIMIT)
        .count();
    let area = geometry.unsigned_area();
    if huge > 0 || !area.is_finite() {
        return vec![GeometryProblem {
            kind: ProblemKind::AreaOverflow,
            message: format!(
                "{huge} coordinate(s) beyond ±{COORDINATE_LIMIT:e}: the area ({area}) and \
                 intersection arithmetic overflow"
            ),
        }];
    }
    let multi = geometry.0.len() > 1;
    let per_ring: [(ProblemKind, RingTest); 3] = [
        (ProblemKind::UnclosedRing, unclosed),
        (ProblemKind::TooFewPoints, too_few_points),
        (ProblemKind::ZeroAreaRing, zero_area),
    ];
    for (kind, test) in per_ring {
        let mut problems = Vec::new();
        for (pi, polygon) in geometry.iter().enumerate() {
            for (hole, ring) in rings_of(polygon) {
                if let Some(what) = test(ring) {
                    let prefix = if multi {
                        format!("polygon {pi}: ")
                    } else {
                        String::new()
                    };
                    problems.push(GeometryProblem {
                        kind,
                        message: format!("{prefix}{} {what}", ring_label(hole)),
                    });
                }
            }
        }
        if !problems.is_empty() {
            return problems;
        }
    }
    Vec::new()
}

fn unclosed(ring: &LineString<f64>) -> Option<String> {
    (ring.0.first() != ring.0.last()).then(|| "is not closed".into())
}

/// JTS: a non-empty ring needs at least 4 points once consecutive repeats are removed.
fn too_few_points(ring: &LineString<f64>) -> Option<String> {
    if ring.0.is_empty() {
        return None;
    }
    let n = without_repeats(ring).len();
    (n < 4).then(|| {
        format!(
            "must have at least 3 distinct points (has {})",
            n.saturating_sub(1).max(1)
        )
    })
}

fn zero_area(ring: &LineString<f64>) -> Option<String> {
    let coords = without_repeats(ring);
    let a = *coords.first()?;
    let b = *coords.iter().find(|&&c| c != a)?;
    let collinear = coords
        .iter()
        .all(|&c| orient(a, b, c) == geo::kernels::Orientation::Collinear);
    collinear.then(|| {
        format!(
            "is collinear (zero area, a self-intersection: it runs back over itself from {})",
            at(a)
        )
    })
}
