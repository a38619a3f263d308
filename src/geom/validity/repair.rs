//! Repair (geo's `MakeValid`, a constrained-triangulation repair with the odd-even fill
//! rule) and the canonical form that makes repair output byte-identical across runs.

use geo::orient::Direction;
use geo::{Area, Coord, LineString, MakeValid, MultiPolygon, Orient, Polygon, unary_union};
use rayon::prelude::*;

use std::collections::BTreeMap;

use super::{FeatureProblem, Repair, RepairReport, Unusable, validate_geometry};
use crate::model::layer::{FeatureRef, Layer};

/// Unsigned area of a multipolygon: Σ over polygons of |shell| − Σ|holes|, which is what an
/// analyst would call the area of a (possibly invalid) drawn shape.
pub fn unsigned_area(geometry: &MultiPolygon<f64>) -> f64 {
    geometry.iter().map(Polygon::unsigned_area).sum()
}

/// Rotates a closed ring to start at its lexicographically smallest vertex.
fn canonical_ring(ring: &LineString<f64>) -> LineString<f64> {
    let open = match ring.0.split_last() {
        Some((last, rest)) if rest.first() == Some(last) => rest,
        _ => &ring.0[..],
    };
    let start = open
        .iter()
        .enumerate()
        .min_by(|(_, a), (_, b)| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)))
        .map_or(0, |(i, _)| i);
    let mut coords: Vec<Coord<f64>> = open[start..]
        .iter()
        .chain(&open[..start])
        .copied()
        .collect();
    if let Some(first) = coords.first().copied() {
        coords.push(first);
    }
    LineString::new(coords)
}

fn first_xy(ring: &LineString<f64>) -> (f64, f64) {
    ring.0.first().map_or((f64::NAN, f64::NAN), |c| (c.x, c.y))
}

fn cmp_xy(a: (f64, f64), b: (f64, f64)) -> std::cmp::Ordering {
    a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1))
}

/// A canonical form of a valid multipolygon: shells counter-clockwise and holes clockwise,
/// every ring starting at its smallest vertex, holes and polygons sorted. geo's `MakeValid`
/// walks hash sets, so its raw output order varies from run to run; this makes repair
/// output byte-identical.
pub fn canonicalize(geometry: MultiPolygon<f64>) -> MultiPolygon<f64> {
    let mut polys: Vec<Polygon<f64>> = geometry
        .orient(Direction::Default)
        .into_iter()
        .map(|p| {
            let mut holes: Vec<LineString<f64>> =
                p.interiors().iter().map(canonical_ring).collect();
            holes.sort_by(|a, b| cmp_xy(first_xy(a), first_xy(b)));
            Polygon::new(canonical_ring(p.exterior()), holes)
        })
        .collect();
    polys.sort_by(|a, b| cmp_xy(first_xy(a.exterior()), first_xy(b.exterior())));
    MultiPolygon::new(polys)
}

/// Repairs one geometry: each polygon with `MakeValid`; if the repaired parts still overlap
/// (or share edges) they are unioned, so that overlaps count once instead of cancelling under
/// the odd-even rule. The result is canonicalised
/// (see [`canonicalize`]).
pub fn make_valid_geometry(geometry: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>, String> {
    make_valid_raw(geometry).map(canonicalize)
}

fn make_valid_raw(geometry: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>, String> {
    let mut parts: Vec<Polygon<f64>> = Vec::new();
    for (i, p) in geometry.iter().enumerate() {
        let fixed = p
            .make_valid()
            .map_err(|e| format!("polygon {i}: repair failed: {e}"))?;
        parts.extend(fixed.0);
    }
    let assembled = MultiPolygon::new(parts);
    // Union only when the repaired parts still overlap or touch along lines: the union
    // snap-rounds coordinates (≈ 1e-9 × extent), which we avoid when it is not needed.
    if assembled.0.len() <= 1 || validate_geometry(&assembled).is_empty() {
        return Ok(assembled);
    }
    Ok(unary_union(assembled.0.iter()))
}

/// Repairs every invalid feature in place. Features that cannot be repaired are listed in
/// [`RepairReport::unusable`] with the reason and keep their geometry; none is removed.
/// The same as [`validate_layer`](super::validate_layer) followed by [`repair_validated`].
pub fn repair_layer(layer: &mut Layer) -> RepairReport {
    let problems = super::validate_layer(layer);
    repair_validated(layer, &problems)
}

/// Repairs the features named in `problems`, which [`validate_layer`](super::validate_layer)
/// found on this layer: the one repair path of every command. Valid features are not looked
/// at again, so a caller that has validated does not validate twice. Each repair is listed
/// with its problems and its unsigned area before and after.
pub fn repair_validated(layer: &mut Layer, problems: &[FeatureProblem]) -> RepairReport {
    let flagged = problems_by_feature(problems);
    if flagged.is_empty() {
        return RepairReport::default();
    }
    // Positions in layer order, so that the report lists features in feature order.
    let positions: Vec<(usize, &[&FeatureProblem])> = layer
        .features
        .iter()
        .enumerate()
        .filter_map(|(pos, f)| flagged.get(&f.index).map(|found| (pos, found.as_slice())))
        .collect();
    let outcomes: Vec<(usize, Outcome)> = positions
        .par_iter()
        .filter_map(|&(pos, found)| {
            let f = layer.features.get(pos)?;
            Some((
                pos,
                repair_feature(&f.geometry, layer.feature_ref(f), found),
            ))
        })
        .collect();
    let mut report = RepairReport::default();
    for (pos, outcome) in outcomes {
        match outcome {
            Outcome::Repaired(g, r) => {
                if let Some(f) = layer.features.get_mut(pos) {
                    f.geometry = g;
                }
                report.repaired.push(r);
            }
            Outcome::Unusable(u) => report.unusable.push(u),
        }
    }
    report
}

/// What repair did to one invalid feature.
enum Outcome {
    Repaired(MultiPolygon<f64>, Repair),
    Unusable(Unusable),
}

/// The problems of each feature, by feature index (ascending, as the report lists them).
fn problems_by_feature(problems: &[FeatureProblem]) -> BTreeMap<usize, Vec<&FeatureProblem>> {
    let mut by_feature: BTreeMap<usize, Vec<&FeatureProblem>> = BTreeMap::new();
    for p in problems {
        by_feature.entry(p.feature.index).or_default().push(p);
    }
    by_feature
}

/// Repairs one feature whose `problems` are known (never empty).
fn repair_feature(
    geometry: &MultiPolygon<f64>,
    feature: FeatureRef,
    problems: &[&FeatureProblem],
) -> Outcome {
    let problem = problems
        .iter()
        .map(|p| p.message.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let unusable = |reason: String| {
        Outcome::Unusable(Unusable {
            feature: feature.clone(),
            reason,
        })
    };
    if let Some(p) = problems.iter().find(|p| p.kind.is_unrepairable()) {
        return unusable(format!("cannot repair: {}", p.message));
    }
    let area_before = unsigned_area(geometry);
    let fixed = match make_valid_geometry(geometry) {
        Err(reason) => return unusable(reason),
        Ok(fixed) if fixed.0.is_empty() => {
            return unusable(format!(
                "repair left nothing (zero-area geometry; was: {problem})"
            ));
        }
        Ok(fixed) => fixed,
    };
    if let Some(p) = validate_geometry(&fixed).first() {
        return unusable(format!("still invalid after repair: {}", p.message));
    }
    let area_after = unsigned_area(&fixed);
    Outcome::Repaired(
        fixed,
        Repair {
            feature,
            problem,
            area_before,
            area_after,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::super::ProblemKind;
    use super::*;
    use geo::{polygon, wkt};

    #[test]
    fn bowtie_is_self_intersecting_and_repairs_to_two_triangles() {
        let bowtie: Polygon<f64> = wkt!(POLYGON((0. 0., 0. 10., 10. 0., 10. 10., 0. 0.)));
        let mp = MultiPolygon::new(vec![bowtie]);
        let problems = validate_geometry(&mp);
        assert_eq!(problems[0].kind, ProblemKind::SelfIntersection);
        let fixed = make_valid_geometry(&mp).unwrap();
        assert!(validate_geometry(&fixed).is_empty());
        assert!((unsigned_area(&fixed) - 50.0).abs() < 1e-9);
    }

    #[test]
    fn empty_and_non_finite() {
        assert_eq!(
            validate_geometry(&MultiPolygon::new(vec![]))[0].kind,
            ProblemKind::Empty
        );
        let p = polygon![(x: 0.0, y: 0.0), (x: f64::NAN, y: 1.0), (x: 1.0, y: 1.0)];
        assert_eq!(
            validate_geometry(&MultiPolygon::new(vec![p]))[0].kind,
            ProblemKind::NonFiniteCoordinate
        );
    }

    #[test]
    fn overlapping_parts_union_instead_of_cancelling() {
        let a: Polygon<f64> = wkt!(POLYGON((0. 0., 2. 0., 2. 2., 0. 2., 0. 0.)));
        let b: Polygon<f64> = wkt!(POLYGON((1. 0., 3. 0., 3. 2., 1. 2., 1. 0.)));
        let mp = MultiPolygon::new(vec![a, b]);
        assert!(
            validate_geometry(&mp)
                .iter()
                .any(|p| p.kind == ProblemKind::PartsOverlap)
        );
        let fixed = make_valid_geometry(&mp).unwrap();
        assert!((unsigned_area(&fixed) - 6.0).abs() < 1e-9);
    }
}
