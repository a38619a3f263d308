//! Geometry validity (the OGC simple-features rules as JTS's `IsValidOp` applies them) and
//! repair (geo's `MakeValid`, a constrained-triangulation repair with the odd-even fill rule).
//!
//! Validation runs in O(n log n): the rings' segments go into an R-tree
//! ([`crate::geom::segment_index`]) and only segments with overlapping envelopes are
//! intersected. The steps follow JTS: coordinates, ring closure and size, zero-area rings,
//! then segment intersections (crossings, overlaps, self-touches, ring touches), holes
//! inside their shell, holes not nested, shells not nested, and a connected interior (the
//! graph of rings and their touch points has no cycle).
//!
//! Every problem names its feature; repair never drops a feature: geometries that cannot be
//! repaired (empty, non-finite or overflowing coordinates, repair yields nothing) are listed
//! as unusable with the reason, and their geometry is left as it was.

mod nesting;
mod repair;
mod rings;
mod topology;

use geo::MultiPolygon;
use rayon::prelude::*;
use serde::Serialize;

use crate::model::{FeatureRef, Layer};

pub use repair::{
    canonicalize, make_valid_geometry, repair_layer, repair_validated, unsigned_area,
};

/// The kind of a geometry problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// No polygon, or only polygons without rings (e.g. a `null` GeoJSON geometry).
    Empty,
    /// A NaN or infinite coordinate.
    NonFiniteCoordinate,
    /// Coordinates so large (beyond ±1e150) that area and intersection arithmetic overflow
    /// f64 (areas come out infinite or meaningless).
    AreaOverflow,
    /// A ring whose first and last points differ.
    UnclosedRing,
    /// A ring with fewer than 3 distinct points.
    TooFewPoints,
    /// A ring whose points are all collinear: it encloses no area (JTS reports it as a
    /// self-intersection).
    ZeroAreaRing,
    /// A ring crosses itself, or runs back over itself.
    SelfIntersection,
    /// A ring touches itself at a point without crossing (JTS "ring self-intersection": an
    /// inverted or exverted ring).
    RingSelfIntersection,
    /// Two rings of a polygon cross or share a stretch of boundary.
    RingsIntersect,
    /// Two rings are the same ring (same vertices, in either direction).
    DuplicateRings,
    /// A hole is not inside its polygon's shell.
    HoleOutsideShell,
    /// A hole lies inside another hole of the same polygon.
    NestedHoles,
    /// A polygon of a multipolygon lies inside another one (not in one of its holes).
    NestedShells,
    /// Rings of a polygon touch so that its interior falls apart (a hole touching the shell
    /// twice, a chain of holes across the polygon, …).
    DisconnectedInterior,
    /// Two polygons of a multipolygon overlap.
    PartsOverlap,
    /// Two polygons of a multipolygon share a boundary segment.
    PartsTouchOnLine,
}

impl ProblemKind {
    /// Problems that make a geometry unusable by repair.
    pub fn is_unrepairable(self) -> bool {
        matches!(
            self,
            ProblemKind::Empty | ProblemKind::NonFiniteCoordinate | ProblemKind::AreaOverflow
        )
    }

    /// The JTS `TopologyValidationError` message for this kind (JTS reports duplicate
    /// rings, zero-area rings, ring overlaps and part overlaps all as a self-intersection).
    pub fn jts_error(self) -> &'static str {
        match self {
            ProblemKind::Empty => "Empty geometry",
            ProblemKind::NonFiniteCoordinate | ProblemKind::AreaOverflow => "Invalid Coordinate",
            ProblemKind::UnclosedRing => "Ring is not closed",
            ProblemKind::TooFewPoints => "Too few distinct points in geometry component",
            ProblemKind::ZeroAreaRing
            | ProblemKind::SelfIntersection
            | ProblemKind::RingsIntersect
            | ProblemKind::DuplicateRings
            | ProblemKind::PartsOverlap
            | ProblemKind::PartsTouchOnLine => "Self-intersection",
            ProblemKind::RingSelfIntersection => "Ring Self-intersection",
            ProblemKind::HoleOutsideShell => "Hole lies outside shell",
            ProblemKind::NestedHoles => "Nested holes",
            ProblemKind::NestedShells => "Nested shells",
            ProblemKind::DisconnectedInterior => "Interior is disconnected",
        }
    }
}

/// One problem of one geometry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GeometryProblem {
    /// What is wrong.
    pub kind: ProblemKind,
    /// Where and how, for people (names the polygon, ring and a coordinate).
    pub message: String,
}

/// One problem of one feature of a layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureProblem {
    /// The feature.
    pub feature: FeatureRef,
    /// What is wrong.
    pub kind: ProblemKind,
    /// Where and how, for people.
    pub message: String,
}

/// A feature whose geometry was replaced by a valid one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Repair {
    /// The feature.
    pub feature: FeatureRef,
    /// The problems that were repaired, joined with "; ".
    pub problem: String,
    /// Unsigned area (sum over polygons of |shell| − Σ|holes|) of the invalid geometry.
    pub area_before: f64,
    /// Unsigned area of the repaired geometry.
    pub area_after: f64,
}

/// A feature that could not be repaired; its geometry is unchanged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unusable {
    /// The feature.
    pub feature: FeatureRef,
    /// Why it could not be repaired.
    pub reason: String,
}

/// What [`repair_layer`] did: repaired features and unusable ones, both in feature order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RepairReport {
    /// Features whose geometry was replaced.
    pub repaired: Vec<Repair>,
    /// Features left as they were.
    pub unusable: Vec<Unusable>,
}

/// All problems of a (multi)polygon geometry; empty when valid. O(n log n) in the number
/// of vertices. Checks run in JTS's order and stop at the first step that finds something,
/// as later steps assume the earlier ones passed (touch-only findings excepted: a
/// disconnected interior does not stop the nesting checks).
pub fn validate_geometry(geometry: &MultiPolygon<f64>) -> Vec<GeometryProblem> {
    if geometry.0.is_empty() || geometry.iter().all(|p| p.exterior().0.is_empty()) {
        return vec![GeometryProblem {
            kind: ProblemKind::Empty,
            message: "empty geometry (null or without rings)".into(),
        }];
    }
    let structural = rings::structural_problems(geometry);
    if !structural.is_empty() {
        return structural;
    }
    let prepared = rings::Prepared::new(geometry);
    let found = topology::analyse(&prepared);
    let mut problems = found.problems;
    if !problems.is_empty() {
        return problems;
    }
    let disconnected = topology::disconnected_interiors(&prepared, found.touches);
    for step in [
        nesting::holes_outside_shell,
        nesting::nested_holes,
        nesting::nested_shells,
    ] {
        problems = step(&prepared);
        if !problems.is_empty() {
            break;
        }
    }
    let mut all = disconnected;
    all.extend(problems);
    all
}

/// Problems of every feature, ordered by feature (then as found). Runs in parallel; the
/// output does not depend on the thread count.
pub fn validate_layer(layer: &Layer) -> Vec<FeatureProblem> {
    layer
        .features
        .par_iter()
        .map(|f| {
            validate_geometry(&f.geometry)
                .into_iter()
                .map(|p| FeatureProblem {
                    feature: layer.feature_ref(f),
                    kind: p.kind,
                    message: p.message,
                })
                .collect::<Vec<_>>()
        })
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Polygon, wkt};

    fn kinds(p: Polygon<f64>) -> Vec<ProblemKind> {
        validate_geometry(&MultiPolygon::new(vec![p]))
            .into_iter()
            .map(|p| p.kind)
            .collect()
    }

    #[test]
    fn collinear_ring_has_zero_area_and_repairs_to_nothing() {
        let p: Polygon<f64> = wkt!(POLYGON((0. 0.,10. 0.,20. 0.,0. 0.,0. 0.)));
        assert_eq!(kinds(p.clone()), vec![ProblemKind::ZeroAreaRing]);
        let fixed = make_valid_geometry(&MultiPolygon::new(vec![p])).unwrap();
        assert!(fixed.0.is_empty());
    }

    #[test]
    fn huge_coordinates_overflow() {
        let p: Polygon<f64> = wkt!(POLYGON((1e300 1e300,2e300 1e300,2e300 2e300,1e300 1e300)));
        assert_eq!(kinds(p), vec![ProblemKind::AreaOverflow]);
        assert!(ProblemKind::AreaOverflow.is_unrepairable());
    }

    #[test]
    fn hole_touching_the_shell_twice_disconnects_and_repairs() {
        // JTS TestValid #74: the hole spans the shell from side to side.
        let p: Polygon<f64> =
            wkt!(POLYGON((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.),(0. 5.,5. 8.,10. 5.,5. 2.,0. 5.)));
        assert_eq!(kinds(p.clone()), vec![ProblemKind::DisconnectedInterior]);
        let mp = MultiPolygon::new(vec![p]);
        let fixed = make_valid_geometry(&mp).unwrap();
        assert!(validate_geometry(&fixed).is_empty(), "{fixed:?}");
        assert!((unsigned_area(&fixed) - unsigned_area(&mp)).abs() < 1e-9);
        // Touching once is valid.
        let once: Polygon<f64> =
            wkt!(POLYGON((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.),(0. 5.,5. 8.,8. 5.,5. 2.,0. 5.)));
        assert!(kinds(once).is_empty());
    }
}
