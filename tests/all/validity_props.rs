//! Property tests of validation and repair on random (often self-intersecting) rings.

use geo::{Coord, LineString, MultiPolygon, Polygon};
use landpool::geom::validity::{
    ProblemKind, canonicalize, make_valid_geometry, unsigned_area, validate_geometry,
};
use proptest::prelude::*;

fn ring_strategy() -> impl Strategy<Value = Vec<(i32, i32)>> {
    // Integer grid coordinates keep the triangulation well-conditioned.
    prop::collection::vec((0i32..50, 0i32..50), 4..9)
}

fn to_multipolygon(pts: &[(i32, i32)]) -> MultiPolygon<f64> {
    let coords: Vec<Coord> = pts
        .iter()
        .map(|&(x, y)| Coord {
            x: f64::from(x),
            y: f64::from(y),
        })
        .collect();
    MultiPolygon::new(vec![Polygon::new(LineString::new(coords), vec![])])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Whatever the ring, repair either fails cleanly or yields a valid geometry, and
    /// repairing that again changes nothing (idempotence, same area).
    #[test]
    fn repair_yields_valid_idempotent_geometry(pts in ring_strategy()) {
        let mp = to_multipolygon(&pts);
        if let Ok(fixed) = make_valid_geometry(&mp) {
            prop_assert!(validate_geometry(&fixed).is_empty() || fixed.0.is_empty(),
                "{:?} -> {:?}: {:?}", mp, fixed, validate_geometry(&fixed));
            if !fixed.0.is_empty() {
                let again = make_valid_geometry(&fixed).unwrap();
                prop_assert!((unsigned_area(&again) - unsigned_area(&fixed)).abs() < 1e-6);
            }
        }
    }

    /// Axis-aligned rectangles are valid and keep their exact area through repair.
    #[test]
    fn rectangles_are_valid(x in 0i32..100, y in 0i32..100, w in 1i32..50, h in 1i32..50) {
        let pts = [(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)];
        let mp = to_multipolygon(&pts);
        prop_assert!(validate_geometry(&mp).is_empty());
        let fixed = make_valid_geometry(&mp).unwrap();
        prop_assert!((unsigned_area(&fixed) - f64::from(w * h)).abs() < 1e-9);
        prop_assert_eq!(canonicalize(fixed.clone()), fixed);
    }
}

/// A star-shaped ring around (cx, cy): angles from positive gaps (each under half a
/// turn, so the ring is simple), radii from `radii`.
fn star_ring(cx: f64, cy: f64, gaps: &[f64], radii: &[f64]) -> LineString<f64> {
    let total: f64 = gaps.iter().sum();
    let mut angle: f64 = 0.0;
    let mut coords: Vec<Coord> = gaps
        .iter()
        .zip(radii)
        .map(|(g, r)| {
            let c = Coord {
                x: cx + r * angle.cos(),
                y: cy + r * angle.sin(),
            };
            angle += std::f64::consts::TAU * g / total;
            c
        })
        .collect();
    coords.push(coords[0]);
    LineString::new(coords)
}

fn star_strategy() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (3usize..60).prop_flat_map(|n| {
        (
            prop::collection::vec(1.0f64..1.9, n),
            prop::collection::vec(10.0f64..100.0, n),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Random star-shaped polygons (at projected-CRS coordinates), with a small hole at the
    /// centre or without, are valid.
    #[test]
    fn random_star_polygons_are_valid(
        (gaps, radii) in star_strategy(),
        with_hole in any::<bool>(),
        cx in 400_000.0f64..600_000.0,
        cy in 2_400_000.0f64..2_600_000.0,
    ) {
        let shell = star_ring(cx, cy, &gaps, &radii);
        // Under 0.07 of the smallest radius: inside the shell's innermost edge.
        let holes = if with_hole {
            vec![star_ring(cx, cy, &[1.0, 1.0, 1.0, 1.0], &[0.5; 4])]
        } else {
            vec![]
        };
        let mp = MultiPolygon::new(vec![Polygon::new(shell, holes)]);
        let problems = validate_geometry(&mp);
        prop_assert!(problems.is_empty(), "{:?}: {:?}", mp, problems);
    }

    /// Random bow-ties (a quadrilateral whose two opposite sides cross) are invalid
    /// self-intersections, and repair makes them valid.
    #[test]
    fn random_bow_ties_are_invalid(
        x0 in -1000.0f64..1000.0, y0 in -1000.0f64..1000.0,
        w in 1.0f64..500.0, h in 1.0f64..500.0,
        jx in -0.4f64..0.4, jy in -0.4f64..0.4,
    ) {
        let (x1, y1) = (x0 + w, y0 + h);
        let pts = vec![
            Coord { x: x0, y: y0 },
            Coord { x: x1 + jx * w, y: y1 },
            Coord { x: x1, y: y0 + jy * h },
            Coord { x: x0, y: y1 },
            Coord { x: x0, y: y0 },
        ];
        let mp = MultiPolygon::new(vec![Polygon::new(LineString::new(pts), vec![])]);
        let problems = validate_geometry(&mp);
        prop_assert!(
            problems.iter().any(|p| p.kind == ProblemKind::SelfIntersection),
            "{:?}: {:?}", mp, problems
        );
        let fixed = make_valid_geometry(&mp).unwrap();
        prop_assert!(validate_geometry(&fixed).is_empty());
    }
}
