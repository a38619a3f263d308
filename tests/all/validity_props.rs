//! Property tests of validation and repair on random (often self-intersecting) rings.

use geo::{Coord, LineString, MultiPolygon, Polygon};
use landpool::geom::validity::{
    canonicalize, make_valid_geometry, unsigned_area, validate_geometry,
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
