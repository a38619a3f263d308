//! Validity and repair on 70 real self-intersecting Flemish building polygons.

use std::path::Path;

use landpool::Layer;
use landpool::geom::validity::{ProblemKind, repair_layer, unsigned_area, validate_layer};
use landpool::io::{ReadOptions, read_layer};

const INVALID: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/flanders-geofileops-parcels-zones/polygon-invalid_2100_gbg_filter_epsg31370.geojson"
);

fn load() -> Layer {
    let opts = ReadOptions {
        key_field: Some("OIDN".into()),
        ..Default::default()
    };
    read_layer(Path::new(INVALID), &opts).unwrap()
}

#[test]
fn all_70_invalid_polygons_are_detected() {
    let layer = load();
    assert_eq!(layer.features.len(), 70);
    let problems = validate_layer(&layer);
    let mut features: Vec<usize> = problems.iter().map(|p| p.feature.index).collect();
    assert!(
        features.windows(2).all(|w| w[0] <= w[1]),
        "not in feature order"
    );
    features.dedup();
    assert_eq!(features, (0..70).collect::<Vec<_>>());
    assert!(
        problems
            .iter()
            // A self-touch without crossing is JTS's ring self-intersection.
            .all(|p| matches!(
                p.kind,
                ProblemKind::SelfIntersection | ProblemKind::RingSelfIntersection
            )),
        "{:?}",
        problems
            .iter()
            .map(|p| p.kind)
            .collect::<std::collections::BTreeSet<_>>()
    );
    assert!(problems.iter().all(|p| p.feature.key.is_some()));
}

#[test]
fn every_invalid_polygon_is_repaired_with_area_reported_and_none_dropped() {
    let mut layer = load();
    let oppervl = layer.field_index("OPPERVL").unwrap();
    let expected: Vec<f64> = layer
        .features
        .iter()
        .map(|f| f.attributes[oppervl].as_f64().unwrap())
        .collect();
    let report = repair_layer(&mut layer);
    assert_eq!(layer.features.len(), 70, "a feature was dropped");
    assert!(report.unusable.is_empty(), "{:?}", report.unusable);
    assert_eq!(report.repaired.len(), 70);
    let mut max_change: f64 = 0.0;
    for (r, f) in report.repaired.iter().zip(&layer.features) {
        assert_eq!(r.feature.index, f.index);
        assert!(r.area_before > 0.0 && r.area_after > 0.0);
        assert!((r.area_after - unsigned_area(&f.geometry)).abs() < 1e-9);
        max_change = max_change.max((r.area_after - r.area_before).abs());
        // Repair keeps the building's recorded area (OPPERVL, 0.01 m² precision + GEOS 0.09).
        let want = expected[f.index];
        assert!(
            (r.area_after - want).abs() < 0.1,
            "{}: {} vs {want}",
            r.feature,
            r.area_after
        );
    }
    eprintln!("max |area_after - area_before| = {max_change} m²");
    assert!(validate_layer(&layer).is_empty());
}

#[test]
fn repair_is_identical_whatever_the_thread_count() {
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut layer = load();
            let report = repair_layer(&mut layer);
            let geoms: Vec<String> = layer
                .features
                .iter()
                .map(|f| format!("{:?}", f.geometry))
                .collect();
            (format!("{report:?}"), geoms)
        })
    };
    assert_eq!(run(1), run(3));
}
