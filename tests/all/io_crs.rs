//! CRS parsing and reprojection (proj4rs) against the build-notes reference point.

use geo::{Coord, LineString, MultiPolygon, Polygon};
use landpool::io::crs::{Crs, CrsKind, prepare_for_areas, reproject_layer};
use landpool::{Feature, Layer};
use proptest::prelude::*;

fn one_point_layer(x: f64, y: f64, crs: Option<Crs>) -> Layer {
    // A degenerate "polygon" is enough to carry a coordinate through the transform.
    let ring = LineString::new(vec![Coord { x, y }, Coord { x, y }, Coord { x, y }]);
    Layer {
        source: "mem".into(),
        name: "mem".into(),
        crs,
        schema: vec![],
        features: vec![Feature {
            index: 0,
            key: None,
            geometry: MultiPolygon::new(vec![Polygon::new(ring, vec![])]),
            attributes: vec![],
        }],
    }
}

fn first_coord(layer: &Layer) -> Coord {
    layer.features[0].geometry.0[0].exterior().0[0]
}

#[test]
fn reference_point_wgs84_to_epsg4547_within_1mm() {
    // build-notes.md: (114.0579 E, 22.5431 N) → EPSG:4547 x = 505955.8462, y = 2493941.2457.
    let mut layer = one_point_layer(114.0579, 22.5431, Some(Crs::wgs84()));
    reproject_layer(&mut layer, &Crs::parse("EPSG:4547").unwrap()).unwrap();
    let c = first_coord(&layer);
    assert!((c.x - 505_955.846_2).abs() < 1e-3, "x = {}", c.x);
    assert!((c.y - 2_493_941.245_7).abs() < 1e-3, "y = {}", c.y);
    assert_eq!(layer.crs.unwrap().epsg, Some(4547));
}

#[test]
fn local_planar_cannot_be_reprojected_but_is_fit_for_areas() {
    let mut layer = one_point_layer(100_000.0, 20_000.0, Some(Crs::local_planar()));
    assert_eq!(prepare_for_areas(&mut layer, None).unwrap(), None);
    let err = reproject_layer(&mut layer, &Crs::parse("EPSG:4547").unwrap()).unwrap_err();
    assert!(err.to_string().contains("local"), "{err}");
}

#[test]
fn layer_without_crs_is_refused_with_crs_advice() {
    let mut layer = one_point_layer(1.0, 2.0, None);
    let msg = prepare_for_areas(&mut layer, None).unwrap_err().to_string();
    assert!(msg.contains("--crs") && msg.contains("local"), "{msg}");
}

#[test]
fn geographic_target_is_refused_for_areas() {
    let mut layer = one_point_layer(114.0, 22.5, Some(Crs::wgs84()));
    let err = prepare_for_areas(&mut layer, Some(&Crs::wgs84())).unwrap_err();
    assert!(err.to_string().contains("not projected"), "{err}");
}

#[test]
fn gcj02_to_projected_goes_through_wgs84() {
    // GCJ-02 of the reference point, then to EPSG:4547, must land on the reference x/y.
    let (glon, glat) = landpool::io::gcj02::wgs84_to_gcj02(114.0579, 22.5431);
    let mut layer = one_point_layer(glon, glat, Some(Crs::gcj02()));
    reproject_layer(&mut layer, &Crs::parse("EPSG:4547").unwrap()).unwrap();
    let c = first_coord(&layer);
    assert!((c.x - 505_955.846_2).abs() < 1e-3, "x = {}", c.x);
    assert!((c.y - 2_493_941.245_7).abs() < 1e-3, "y = {}", c.y);
}

#[test]
fn kinds_of_parsed_crs() {
    assert_eq!(Crs::parse("EPSG:31370").unwrap().kind, CrsKind::Projected);
    assert_eq!(Crs::parse("EPSG:4490").unwrap().kind, CrsKind::Geographic);
    assert_eq!(Crs::local_planar().epsg, None);
}

proptest! {
    #[test]
    fn wgs84_epsg4547_round_trip(lon in 113.7f64..114.7, lat in 22.4f64..22.9) {
        let mut layer = one_point_layer(lon, lat, Some(Crs::wgs84()));
        reproject_layer(&mut layer, &Crs::parse("EPSG:4547").unwrap()).unwrap();
        reproject_layer(&mut layer, &Crs::wgs84()).unwrap();
        let c = first_coord(&layer);
        prop_assert!((c.x - lon).abs() < 1e-9 && (c.y - lat).abs() < 1e-9, "{:?}", c);
    }
}
