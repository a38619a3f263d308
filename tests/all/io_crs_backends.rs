//! The coordinate-transformation backends (`landpool::io::crs::Backend`): the pure-Rust
//! proj4rs path in every build and, with `--features proj`, PROJ, which must agree with it to
//! 1 mm around Shenzhen (EPSG:4326 ↔ EPSG:4547) and hit the build-notes reference point.

use landpool::io::crs::{Backend, Crs, Transformer};

/// build-notes.md: (114.0579 E, 22.5431 N) → EPSG:4547 x = 505955.8462, y = 2493941.2457.
const REFERENCE_LONLAT: (f64, f64) = (114.0579, 22.5431);
const REFERENCE_XY: (f64, f64) = (505_955.846_2, 2_493_941.245_7);

fn epsg4547() -> Crs {
    Crs::parse("EPSG:4547").unwrap()
}

/// Every backend this build has.
fn backends() -> Vec<Backend> {
    vec![
        Backend::PureRust,
        #[cfg(feature = "proj")]
        Backend::Proj,
    ]
}

#[test]
fn default_backend_is_proj_exactly_when_the_feature_is_on() {
    #[cfg(feature = "proj")]
    assert_eq!(Backend::default(), Backend::Proj);
    #[cfg(not(feature = "proj"))]
    assert_eq!(Backend::default(), Backend::PureRust);
}

#[test]
fn reference_point_within_1mm_on_every_backend() {
    for backend in backends() {
        let t = Transformer::new(&Crs::wgs84(), &epsg4547(), backend).unwrap();
        assert_eq!(t.backend(), backend);
        let (x, y) = t.convert(REFERENCE_LONLAT.0, REFERENCE_LONLAT.1).unwrap();
        assert!(
            (x - REFERENCE_XY.0).abs() < 1e-3 && (y - REFERENCE_XY.1).abs() < 1e-3,
            "{backend}: ({x}, {y}) is not easting/northing ({}, {})",
            REFERENCE_XY.0,
            REFERENCE_XY.1
        );
        let back = Transformer::new(&epsg4547(), &Crs::wgs84(), backend).unwrap();
        let (lon, lat) = back.convert(x, y).unwrap();
        assert!(
            (lon - REFERENCE_LONLAT.0).abs() < 1e-9 && (lat - REFERENCE_LONLAT.1).abs() < 1e-9,
            "{backend}: inverse gave ({lon}, {lat})"
        );
    }
}

#[test]
fn crs_without_definition_is_refused_on_every_backend() {
    for backend in backends() {
        let err = Transformer::new(&Crs::local_planar(), &epsg4547(), backend).unwrap_err();
        assert!(err.to_string().contains("local planar"), "{backend}: {err}");
    }
}

#[test]
fn non_finite_coordinates_are_errors_naming_the_coordinate_on_every_backend() {
    for backend in backends() {
        let t = Transformer::new(&Crs::wgs84(), &epsg4547(), backend).unwrap();
        let err = t.convert(f64::NAN, 22.5).unwrap_err().to_string();
        assert!(err.contains("NaN"), "{backend}: {err}");
        assert!(t.convert(114.0, f64::INFINITY).is_err(), "{backend}");
    }
}

/// Longitude/latitude grid around Shenzhen: 113.7–114.6 E × 22.4–22.9 N, step 0.05°
/// (19 × 11 points), built from integers so that no step accumulates rounding.
#[cfg(feature = "proj")]
fn shenzhen_grid() -> Vec<(f64, f64)> {
    (0..=18)
        .flat_map(|i| {
            (0..=10).map(move |j| (113.7 + 0.05 * f64::from(i), 22.4 + 0.05 * f64::from(j)))
        })
        .collect()
}

/// Metres on the ground per degree of latitude, rounded down (110.57 km at the equator), so
/// that a tolerance of `1e-3 / M_PER_DEG_LOWER` degrees is at most 1 mm.
#[cfg(feature = "proj")]
const M_PER_DEG_LOWER: f64 = 110_000.0;

#[cfg(feature = "proj")]
#[test]
fn proj_and_proj4rs_agree_to_1mm_on_a_shenzhen_grid_both_ways() {
    let wgs84 = Crs::wgs84();
    let gk = epsg4547();
    let proj_fwd = Transformer::new(&wgs84, &gk, Backend::Proj).unwrap();
    let rust_fwd = Transformer::new(&wgs84, &gk, Backend::PureRust).unwrap();
    let proj_inv = Transformer::new(&gk, &wgs84, Backend::Proj).unwrap();
    let rust_inv = Transformer::new(&gk, &wgs84, Backend::PureRust).unwrap();
    let grid = shenzhen_grid();
    assert_eq!(grid.len(), 19 * 11);
    let deg_tol = 1e-3 / M_PER_DEG_LOWER;
    let (mut max_fwd, mut max_inv) = (0.0f64, 0.0f64);
    for &(lon, lat) in &grid {
        let (px, py) = proj_fwd.convert(lon, lat).unwrap();
        let (rx, ry) = rust_fwd.convert(lon, lat).unwrap();
        // Sanity of the axis order: EPSG:4547 eastings are near 500 km, northings near 2.5 Mm.
        assert!(
            (400_000.0..600_000.0).contains(&px),
            "PROJ easting {px} at ({lon}, {lat})"
        );
        assert!(
            (2_400_000.0..2_600_000.0).contains(&py),
            "PROJ northing {py}"
        );
        let d = (px - rx).abs().max((py - ry).abs());
        assert!(
            d < 1e-3,
            "forward ({lon}, {lat}): PROJ ({px}, {py}) vs proj4rs ({rx}, {ry})"
        );
        max_fwd = max_fwd.max(d);

        // Inverse of the same projected point on both backends, compared on the ground.
        let (plon, plat) = proj_inv.convert(px, py).unwrap();
        let (rlon, rlat) = rust_inv.convert(px, py).unwrap();
        let d = (plon - rlon).abs().max((plat - rlat).abs());
        assert!(
            d < deg_tol,
            "inverse ({px}, {py}): PROJ ({plon}, {plat}) vs proj4rs ({rlon}, {rlat})"
        );
        max_inv = max_inv.max(d);
        // And PROJ's round trip returns to the grid point.
        assert!(
            (plon - lon).abs() < deg_tol && (plat - lat).abs() < deg_tol,
            "PROJ round trip ({lon}, {lat}) → ({plon}, {plat})"
        );
    }
    eprintln!(
        "max |PROJ − proj4rs|: forward {max_fwd:.3e} m, inverse {:.3e} m",
        max_inv * M_PER_DEG_LOWER
    );
}

#[cfg(feature = "proj")]
#[test]
fn proj4_string_crs_goes_through_proj_like_its_epsg_code() {
    // The EPSG:4547 definition given as a bare proj4 string (no EPSG code): PROJ must read it
    // as a CRS and land on the reference point.
    let gk = Crs::parse(
        "+proj=tmerc +lat_0=0 +lon_0=114 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs",
    )
    .unwrap();
    assert_eq!(gk.epsg, None);
    let t = Transformer::new(&Crs::wgs84(), &gk, Backend::Proj).unwrap();
    let (x, y) = t.convert(REFERENCE_LONLAT.0, REFERENCE_LONLAT.1).unwrap();
    assert!(
        (x - REFERENCE_XY.0).abs() < 1e-3 && (y - REFERENCE_XY.1).abs() < 1e-3,
        "({x}, {y})"
    );
}

#[cfg(feature = "proj")]
#[test]
fn reproject_layer_uses_proj_and_stays_deterministic_across_threads() {
    use geo::{Coord, LineString, MultiPolygon, Polygon};
    use landpool::io::crs::reproject_layer;
    use landpool::{Feature, Layer};

    // Many features so that rayon splits the work and several PROJ objects are made.
    let features: Vec<Feature> = shenzhen_grid()
        .into_iter()
        .enumerate()
        .map(|(index, (lon, lat))| {
            let ring = LineString::new(vec![
                Coord { x: lon, y: lat },
                Coord {
                    x: lon + 0.01,
                    y: lat,
                },
                Coord {
                    x: lon,
                    y: lat + 0.01,
                },
                Coord { x: lon, y: lat },
            ]);
            Feature {
                index,
                key: None,
                geometry: MultiPolygon::new(vec![Polygon::new(ring, vec![])]),
                attributes: vec![],
            }
        })
        .collect();
    let layer = Layer {
        source: "mem".into(),
        name: "mem".into(),
        crs: Some(Crs::wgs84()),
        schema: vec![],
        features,
    };
    let run = |threads: usize| {
        let mut l = layer.clone();
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| reproject_layer(&mut l, &epsg4547()))
            .unwrap();
        l
    };
    let one = run(1);
    let four = run(4);
    let rust = Transformer::new(&Crs::wgs84(), &epsg4547(), Backend::PureRust).unwrap();
    for (a, b) in one.features.iter().zip(&four.features) {
        assert_eq!(a.geometry, b.geometry, "feature {}", a.index);
    }
    for (f, original) in one.features.iter().zip(&layer.features) {
        for (c, o) in f.geometry.0[0]
            .exterior()
            .0
            .iter()
            .zip(&original.geometry.0[0].exterior().0)
        {
            let (x, y) = rust.convert(o.x, o.y).unwrap();
            assert!(
                (c.x - x).abs() < 1e-3 && (c.y - y).abs() < 1e-3,
                "{c:?} vs ({x}, {y})"
            );
        }
    }
}
