//! Spatial regression tests of the synthetic district generator.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use chrono::NaiveDate;
use geo::{
    Area, BooleanOps, BoundingRect, Centroid, Contains, Intersects, MultiPolygon, Validation,
};
use landpool::Layer;
use landpool::synth::{
    District, LAYER_FILES, MANIFEST_FILE, SynthOptions, TENURE_CLASSES, generate, layer_area,
    write_district, write_synthetic_district,
};
use proptest::prelude::*;
use rstar::{AABB, RTree, RTreeObject};

fn opts(parcels: usize, projects: usize, seed: u64) -> SynthOptions {
    SynthOptions {
        parcels,
        projects,
        seed,
        ..SynthOptions::default()
    }
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    LAYER_FILES
        .iter()
        .chain(std::iter::once(&MANIFEST_FILE))
        .map(|f| (f.to_string(), std::fs::read(dir.join(f)).unwrap()))
        .collect()
}

fn text(layer: &Layer, f: &landpool::Feature, name: &str) -> Option<String> {
    layer.attr(f, name).and_then(|v| v.as_text())
}

fn district_area(d: &District) -> f64 {
    let [x0, y0, x1, y1] = d.manifest.district_bounds;
    (x1 - x0) * (y1 - y0)
}

struct Env {
    index: usize,
    env: AABB<[f64; 2]>,
}

impl RTreeObject for Env {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.env
    }
}

fn envelope(g: &MultiPolygon<f64>) -> AABB<[f64; 2]> {
    let r = g.bounding_rect().unwrap();
    AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y])
}

/// Largest intersection area over all pairs of features with touching envelopes.
fn max_pairwise_overlap(layer: &Layer) -> f64 {
    let tree = RTree::bulk_load(
        layer
            .features
            .iter()
            .enumerate()
            .map(|(index, f)| Env {
                index,
                env: envelope(&f.geometry),
            })
            .collect(),
    );
    let mut worst: f64 = 0.0;
    for (a, fa) in layer.features.iter().enumerate() {
        for e in tree.locate_in_envelope_intersecting(envelope(&fa.geometry)) {
            if e.index > a {
                let fb = &layer.features[e.index];
                worst = worst.max(fa.geometry.intersection(&fb.geometry).unsigned_area());
            }
        }
    }
    worst
}

/// Parcels tile the district: all valid, inside the rectangle, areas sum to the
/// rectangle's area and no two overlap.
fn assert_exact_tiling(layer: &Layer, d: &District) {
    let [x0, y0, x1, y1] = d.manifest.district_bounds;
    let mut sum = 0.0;
    for f in &layer.features {
        assert!(
            f.geometry.is_valid(),
            "{} {:?} invalid: {:?}",
            layer.name,
            f.key,
            f.geometry.validation_errors()
        );
        let r = f.geometry.bounding_rect().unwrap();
        assert!(r.min().x >= x0 && r.min().y >= y0 && r.max().x <= x1 && r.max().y <= y1);
        sum += f.geometry.unsigned_area();
    }
    let area = (x1 - x0) * (y1 - y0);
    assert!(
        ((sum - area) / area).abs() < 1e-6,
        "{}: sum of areas {sum} vs district {area}",
        layer.name
    );
    let overlap = max_pairwise_overlap(layer);
    assert!(overlap < 1e-3, "{}: overlap of {overlap} m²", layer.name);
}

#[test]
fn same_seed_gives_byte_identical_files_and_streaming_equals_in_memory() {
    let o = opts(1500, 2, 42);
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    write_synthetic_district(a.path(), &o).unwrap();
    write_synthetic_district(b.path(), &o).unwrap();
    write_district(c.path(), &generate(&o).unwrap()).unwrap();
    let (fa, fb, fc) = (files(a.path()), files(b.path()), files(c.path()));
    for ((name, x), ((_, y), (_, z))) in fa.iter().zip(fb.iter().zip(&fc)) {
        assert!(x.len() > 100, "{name} is nearly empty");
        assert!(x == y, "{name} differs between two runs");
        assert!(
            x == z,
            "{name} differs between streaming and in-memory writing"
        );
    }
}

#[test]
fn streaming_equals_in_memory_with_defects_and_options() {
    let o = SynthOptions {
        parcels: 1200,
        projects: 3,
        seed: 5,
        defects: 9,
        uncovered_zone_fraction: 0.05,
        overlapping_projects: true,
    };
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let manifest = write_synthetic_district(a.path(), &o).unwrap();
    let d = generate(&o).unwrap();
    assert_eq!(manifest, d.manifest);
    assert_eq!(manifest.defects.len(), 9);
    write_district(b.path(), &d).unwrap();
    for ((name, x), (_, y)) in files(a.path()).iter().zip(&files(b.path())) {
        assert!(
            x == y,
            "{name} differs between streaming and in-memory writing"
        );
    }
}

#[test]
fn different_seed_gives_different_files() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write_synthetic_district(a.path(), &opts(800, 1, 1)).unwrap();
    write_synthetic_district(b.path(), &opts(800, 1, 2)).unwrap();
    for ((name, x), (_, y)) in files(a.path()).iter().zip(&files(b.path())) {
        assert!(x != y, "{name} is the same for seeds 1 and 2");
    }
}

#[test]
fn parcels_zones_and_prices_tile_the_district() {
    let d = generate(&opts(2000, 2, 7)).unwrap();
    let n = d.parcels.features.len();
    assert!((1800..=2200).contains(&n), "{n} parcels for ~2000");
    assert_exact_tiling(&d.parcels, &d);
    assert_exact_tiling(&d.density_zones, &d);
    assert_exact_tiling(&d.land_prices, &d);
    for f in &d.land_prices.features {
        let price = d.land_prices.attr(f, "price").unwrap().as_f64().unwrap();
        assert!((6000.0..=20000.0).contains(&price), "{price}");
    }
    assert!(
        ((layer_area(&d.parcels) - district_area(&d)) / district_area(&d)).abs() < 1e-9,
        "shoelace helper disagrees"
    );
    // Irregular shapes: triangles-ish halves, merged pairs and extra edge vertices occur.
    let sizes: BTreeSet<usize> = d
        .parcels
        .features
        .iter()
        .map(|f| f.geometry.0[0].exterior().0.len())
        .collect();
    assert!(
        sizes.contains(&5) && sizes.iter().any(|&s| s >= 7),
        "{sizes:?}"
    );
    let areas: Vec<f64> = d
        .parcels
        .features
        .iter()
        .map(|f| f.geometry.unsigned_area())
        .collect();
    let min = areas.iter().cloned().fold(f64::MAX, f64::min);
    let max = areas.iter().cloned().fold(0.0, f64::max);
    assert!(min > 500.0 && max < 8000.0, "parcel areas {min}..{max}");
    // Zones are about 50 parcels each and do not follow parcel edges.
    let zones = d.density_zones.features.len();
    assert!((25..=60).contains(&zones), "{zones} zones");
}

#[test]
fn every_parcel_has_a_consistent_schema() {
    let d = generate(&opts(2000, 2, 11)).unwrap();
    let p = &d.parcels;
    let codes: HashMap<&str, &str> = TENURE_CLASSES.iter().map(|t| (t.code, t.name)).collect();
    let mut per_code: HashMap<String, usize> = HashMap::new();
    let mut ids = BTreeSet::new();
    for f in &p.features {
        let id = text(p, f, "parcel_id").unwrap();
        assert!(id.starts_with('P') && id.len() == 8, "{id}");
        assert!(ids.insert(id.clone()), "duplicate id {id}");
        let code = text(p, f, "tenure_code").unwrap();
        assert_eq!(codes[code.as_str()], text(p, f, "tenure_name").unwrap());
        let land_use = text(p, f, "land_use").unwrap();
        assert!(["residential", "industrial", "commercial"].contains(&land_use.as_str()));
        let grant = p.attr(f, "grant_date").unwrap().as_date();
        let term = p.attr(f, "term_years").unwrap().as_f64();
        if code == "GYCR" {
            assert!(grant.is_some(), "{id} GYCR without grant date");
            let expected = match land_use.as_str() {
                "residential" => 70.0,
                "industrial" => 50.0,
                _ => 40.0,
            };
            assert_eq!(term, Some(expected), "{id}");
        } else {
            assert!(
                grant.is_none() && term.is_none(),
                "{id} {code} has grant terms"
            );
        }
        if let Some(legal) = p.attr(f, "legal_area").unwrap().as_f64() {
            let geometric = f.geometry.unsigned_area();
            assert!(
                (legal / geometric - 1.0).abs() < 0.021,
                "{id}: {legal} vs {geometric}"
            );
        }
        *per_code.entry(code).or_default() += 1;
    }
    assert_eq!(per_code.len(), 8, "{per_code:?}");
    // Realistic frequencies: no class dominates and none is vanishingly rare.
    for (code, n) in &per_code {
        let share = *n as f64 / p.features.len() as f64;
        assert!((0.01..0.45).contains(&share), "{code}: {share}");
    }
}

#[test]
fn buildings_lie_strictly_inside_their_parcels_with_plausible_far() {
    let d = generate(&opts(2000, 2, 3)).unwrap();
    let parcels: HashMap<String, &landpool::Feature> = d
        .parcels
        .features
        .iter()
        .map(|f| (text(&d.parcels, f, "parcel_id").unwrap(), f))
        .collect();
    let b = &d.buildings;
    let share = b.features.len() as f64 / d.parcels.features.len() as f64;
    assert!((0.6..0.8).contains(&share), "{share} of parcels built");
    let mut plausible = 0;
    for f in &b.features {
        let pid = text(b, f, "parcel_id").unwrap();
        let parcel = parcels[&pid];
        assert!(f.geometry.is_valid());
        assert!(
            parcel.geometry.contains(&f.geometry),
            "building {:?} not inside {pid}",
            f.key
        );
        let floors = b.attr(f, "floors").unwrap().as_f64().unwrap();
        let floor_area = b.attr(f, "floor_area").unwrap().as_f64().unwrap();
        assert!(floors >= 1.0);
        assert!((floor_area - f.geometry.unsigned_area() * floors).abs() < 0.01 * floors + 0.01);
        let far = floor_area / parcel.geometry.unsigned_area();
        if (0.3..=2.5).contains(&far) {
            plausible += 1;
        }
        let land_use = text(&d.parcels, parcel, "land_use").unwrap();
        let uses: &[&str] = match land_use.as_str() {
            "residential" => &["residential"],
            "industrial" => &["factory", "warehouse"],
            _ => &["commercial", "office"],
        };
        assert!(uses.contains(&text(b, f, "use").unwrap().as_str()));
    }
    assert!(
        plausible as f64 > 0.8 * b.features.len() as f64,
        "{plausible}"
    );
}

#[test]
fn uncovered_fraction_leaves_a_hole_next_to_the_first_project() {
    let mut o = opts(3000, 2, 5);
    o.uncovered_zone_fraction = 0.1;
    let d = generate(&o).unwrap();
    let covered = layer_area(&d.density_zones) / district_area(&d);
    assert!((0.85..=0.9).contains(&covered), "{covered} covered");
    assert!(max_pairwise_overlap(&d.density_zones) < 1e-3);
    // The hole reaches into project 1.
    let project = &d.projects.features[0].geometry;
    let in_zones: f64 = d
        .density_zones
        .features
        .iter()
        .map(|z| z.geometry.intersection(project).unsigned_area())
        .sum();
    let a = project.unsigned_area();
    assert!(in_zones < a * 0.999 && in_zones > 0.0, "{in_zones} of {a}");
}

#[test]
fn projects_do_not_overlap_unless_asked_and_carry_attributes() {
    let d = generate(&opts(6000, 4, 9)).unwrap();
    assert_eq!(d.projects.features.len(), 4);
    assert!(max_pairwise_overlap(&d.projects) < 1e-6);
    for (k, f) in d.projects.features.iter().enumerate() {
        assert!(f.geometry.is_valid());
        assert_eq!(
            text(&d.projects, f, "project_id").unwrap(),
            format!("GM-{:03}", k + 1)
        );
        let name = text(&d.projects, f, "name").unwrap();
        assert!(
            name.starts_with("光明") && name.contains("土地整备利益统筹项目"),
            "{name}"
        );
        let date = d
            .projects
            .attr(f, "entered_plan_date")
            .unwrap()
            .as_date()
            .unwrap();
        assert!(date >= NaiveDate::from_ymd_opt(2019, 1, 1).unwrap());
        assert!(f.geometry.unsigned_area() > 100_000.0);
    }
    let mut o = opts(6000, 4, 9);
    o.overlapping_projects = true;
    let d = generate(&o).unwrap();
    let (a, b) = (
        &d.projects.features[0].geometry,
        &d.projects.features[1].geometry,
    );
    assert!(a.intersection(b).unsigned_area() > 1000.0);
}

#[test]
fn retained_sites_are_placed_as_labelled() {
    for (parcels, projects) in [(3000, 1), (3000, 2), (8000, 5)] {
        let d = generate(&opts(parcels, projects, 13)).unwrap();
        let s = &d.retained_sites;
        let mut seen = BTreeSet::new();
        for f in &s.features {
            let pid = text(s, f, "project_id").unwrap();
            let project = d
                .projects
                .features
                .iter()
                .find(|p| text(&d.projects, p, "project_id").as_deref() == Some(pid.as_str()))
                .unwrap();
            let inside = project.geometry.intersection(&f.geometry).unsigned_area();
            let area = f.geometry.unsigned_area();
            let placement = text(s, f, "placement").unwrap();
            match placement.as_str() {
                "inside" => assert!(project.geometry.contains(&f.geometry)),
                "outside" => assert!(inside < 1e-6, "{:?}", f.key),
                _ => assert!(inside > 0.05 * area && inside < 0.95 * area, "{:?}", f.key),
            }
            seen.insert(placement);
        }
        assert_eq!(seen.len(), 3, "{parcels}/{projects}: {seen:?}");
    }
}

/// The committed sample's promise: every project holds all tenure classes, GYCR parcels
/// on both sides of the 15-year rule (assessment 2026-06-30), parcels straddling its
/// boundary, and two density zones with different classes.
#[test]
fn sample_projects_exercise_every_policy_branch() {
    let d = generate(&opts(3000, 2, 20221)).unwrap();
    let cutoff = NaiveDate::from_ymd_opt(2011, 6, 30).unwrap();
    for project in &d.projects.features {
        let pg = &project.geometry;
        let mut codes = BTreeSet::new();
        let (mut old, mut young, mut straddling) = (0, 0, 0);
        for f in &d.parcels.features {
            if !f.geometry.intersects(pg) {
                continue;
            }
            let inside = f.geometry.intersection(pg).unsigned_area();
            if inside > 1.0 && !pg.contains(&f.geometry) {
                straddling += 1;
            }
            if pg.contains(&f.geometry.centroid().unwrap()) {
                codes.insert(text(&d.parcels, f, "tenure_code").unwrap());
                if let Some(g) = d.parcels.attr(f, "grant_date").unwrap().as_date() {
                    if g <= cutoff { old += 1 } else { young += 1 }
                }
            }
        }
        assert_eq!(codes.len(), 8, "{:?}: {codes:?}", project.key);
        assert!(
            old > 0 && young > 0,
            "{:?}: GYCR old {old} young {young}",
            project.key
        );
        assert!(straddling > 10, "{straddling}");
        let classes: BTreeSet<i64> = d
            .density_zones
            .features
            .iter()
            .filter(|z| z.geometry.intersection(pg).unsigned_area() > 1000.0)
            .map(|z| {
                d.density_zones
                    .attr(z, "density_zone")
                    .unwrap()
                    .as_f64()
                    .unwrap() as i64
            })
            .collect();
        assert!(classes.len() >= 2, "{classes:?}");
    }
}

#[test]
fn committed_sample_is_reproducible_from_its_readme_command() {
    let sample = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample"));
    let readme = std::fs::read_to_string(sample.join("README.md")).unwrap();
    assert!(readme.contains("synth --out data/sample --parcels 3000 --projects 2 --seed 20221"));
    let dir = tempfile::tempdir().unwrap();
    write_synthetic_district(dir.path(), &opts(3000, 2, 20221)).unwrap();
    for ((name, fresh), (_, committed)) in files(dir.path()).iter().zip(&files(sample)) {
        assert!(
            fresh == committed,
            "data/sample/{name} is not what the README command makes"
        );
    }
}

#[test]
fn geojson_files_parse_and_match_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = write_synthetic_district(dir.path(), &opts(600, 1, 99)).unwrap();
    for entry in &manifest.layers {
        let text = std::fs::read_to_string(dir.path().join(&entry.file)).unwrap();
        let fc = match text.parse::<geojson::GeoJson>().unwrap() {
            geojson::GeoJson::FeatureCollection(fc) => fc,
            other => panic!("{}: not a FeatureCollection: {other:?}", entry.file),
        };
        assert_eq!(fc.features.len(), entry.features, "{}", entry.file);
        assert!(text.contains(
            "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::4547\"}}"
        ));
        assert!(entry.features > 0);
    }
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join(MANIFEST_FILE)).unwrap()).unwrap();
    assert_eq!(m["synthetic"], true);
    assert_eq!(m["options"]["seed"], 99);
}

#[test]
fn defects_are_planted_and_listed() {
    let mut o = opts(1000, 2, 21);
    o.defects = 7;
    let d = generate(&o).unwrap();
    let kinds: BTreeSet<&str> = d.manifest.defects.iter().map(|x| x.kind.as_str()).collect();
    assert_eq!(kinds.len(), 7, "{kinds:?}");
    for defect in &d.manifest.defects {
        let layer = match defect.layer.as_str() {
            "parcels" => &d.parcels,
            "density_zones" => &d.density_zones,
            "projects" => &d.projects,
            other => panic!("defect on {other}"),
        };
        let f = &layer.features[defect.index];
        assert_eq!(f.key.as_deref(), Some(defect.id.as_str()));
        let attr = |n: &str| layer.attr(f, n).unwrap().clone();
        match defect.kind.as_str() {
            "self_intersecting_parcel" => assert!(!f.geometry.is_valid()),
            "duplicate_parcel" => {
                let twins = d
                    .parcels
                    .features
                    .iter()
                    .filter(|g| g.geometry == f.geometry)
                    .count();
                assert_eq!(twins, 2);
            }
            "unknown_tenure_code" => assert_eq!(attr("tenure_code").as_text().unwrap(), "XXQT"),
            "missing_tenure_code" => assert!(attr("tenure_code").is_null()),
            "invalid_grant_date" => assert!(attr("grant_date").as_date().is_none()),
            "density_zone_out_of_range" => assert_eq!(attr("density_zone").as_f64(), Some(7.0)),
            "invalid_project_date" => assert!(attr("entered_plan_date").as_date().is_none()),
            other => panic!("unknown defect kind {other}"),
        }
    }
    let clean = generate(&opts(1000, 2, 21)).unwrap();
    assert_eq!(d.parcels.features.len(), clean.parcels.features.len() + 1);
}

#[test]
fn invalid_options_are_usage_errors() {
    for o in [
        opts(2, 0, 1),
        opts(500, 10, 1),
        SynthOptions {
            uncovered_zone_fraction: 1.5,
            ..SynthOptions::default()
        },
    ] {
        assert!(
            matches!(generate(&o), Err(landpool::Error::Usage(_))),
            "{o:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]
    #[test]
    fn any_seed_tiles_exactly_with_buildings_inside(seed in any::<u64>(), n in 100usize..600) {
        let d = generate(&opts(n, 1, seed)).unwrap();
        assert_exact_tiling(&d.parcels, &d);
        assert_exact_tiling(&d.density_zones, &d);
        let parcels: HashMap<String, &landpool::Feature> = d.parcels.features.iter()
            .map(|f| (text(&d.parcels, f, "parcel_id").unwrap(), f)).collect();
        for b in &d.buildings.features {
            let p = parcels[&text(&d.buildings, b, "parcel_id").unwrap()];
            prop_assert!(p.geometry.contains(&b.geometry));
        }
    }
}
