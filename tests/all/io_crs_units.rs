//! Issue 12 item 1: every area is m², whatever the layer's linear unit; ESRI WKT without
//! AUTHORITY is reprojectable; an unreadable .prj is an error; Web Mercator areas are
//! refused unless asked for. Layers: tests/data/crs-units/ (hand-made, see SOURCE.md);
//! shapefiles are written here from those .prj files.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use geo::{Coord, LineString, MultiPolygon, Polygon};
use landpool::geom::validity::unsigned_area;
use landpool::io::crs::{Crs, prepare_for_areas, reproject_layer};
use landpool::io::{ReadOptions, read_layer};
use landpool::{Feature, Layer};
use proptest::prelude::*;
use serde_json::Value;

/// Metres per US survey foot.
const US_FOOT: f64 = 1200.0 / 3937.0;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/crs-units")
        .join(name)
}

fn prj(name: &str) -> String {
    std::fs::read_to_string(data(name)).unwrap()
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<(f64, f64)> {
    vec![(x0, y0), (x0, y1), (x1, y1), (x1, y0), (x0, y0)]
}

/// A minimal dBASE III table with one numeric field `ID` (1, 2, ...).
fn write_dbf(path: &Path, records: usize) {
    let mut b = vec![0x03, 126, 1, 1];
    b.extend((records as u32).to_le_bytes());
    b.extend((32u16 + 32 + 1).to_le_bytes());
    b.extend((1u16 + 6).to_le_bytes());
    b.resize(32, 0);
    let mut d = [0u8; 32];
    d[..2].copy_from_slice(b"ID");
    d[11] = b'N';
    d[16] = 6;
    b.extend(d);
    b.push(0x0D);
    for i in 0..records {
        b.push(b' ');
        b.extend(format!("{:>6}", i + 1).into_bytes());
    }
    b.push(0x1A);
    std::fs::write(path, b).unwrap();
}

/// `dir/stem.shp` (+ .shx, .dbf, and .prj when given): one polygon per ring (clockwise).
fn shapefile(dir: &Path, stem: &str, rings: &[Vec<(f64, f64)>], prj: Option<&str>) -> PathBuf {
    let shp = dir.join(format!("{stem}.shp"));
    let shapes: Vec<shapefile::Polygon> = rings
        .iter()
        .map(|r| {
            let points = r
                .iter()
                .map(|&(x, y)| shapefile::Point::new(x, y))
                .collect();
            shapefile::Polygon::new(shapefile::PolygonRing::Outer(points))
        })
        .collect();
    shapefile::ShapeWriter::from_path(&shp)
        .unwrap()
        .write_shapes(&shapes)
        .unwrap();
    write_dbf(&dir.join(format!("{stem}.dbf")), rings.len());
    if let Some(text) = prj {
        std::fs::write(dir.join(format!("{stem}.prj")), text).unwrap();
    }
    shp
}

fn landpool(args: &[&str]) -> Output {
    Command::cargo_bin("landpool")
        .unwrap()
        .args(args)
        .output()
        .unwrap()
}

fn inspect_json(layer: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["inspect", layer.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let out = landpool(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1.0)
}

/// The defect case: 5,030,440,454 ft² in an ESRI `Foot_US` .prj without EPSG code was shown
/// as "projected (metres)" and 5,030 km²; the true area is 467.345 km².
#[test]
fn foot_us_esri_prj_is_measured_in_square_metres_and_reprojectable() {
    let dir = tempfile::tempdir().unwrap();
    let rings = [
        rect(6_000_000.0, 2_000_000.0, 6_060_000.0, 2_080_000.0),
        rect(6_060_000.0, 2_000_000.0, 6_070_000.0, 2_023_044.045_4),
    ];
    let shp = shapefile(dir.path(), "ca", &rings, Some(&prj("foot_us_esri.prj")));
    let truth = 5_030_440_454.0 * US_FOOT * US_FOOT;
    let report = inspect_json(&shp, &[]);
    let area = report["total_area_m2"].as_f64().unwrap();
    assert!(close(area, truth, 1e-12), "{area} vs {truth}");
    assert_eq!(report["crs"]["unit"]["name"], "US survey foot");
    assert_eq!(report["crs"]["epsg"], Value::Null);
    // The bbox stays in the file's own unit.
    assert_eq!(report["bbox"][2], 6_070_000.0);

    let text = landpool(&["inspect", shp.to_str().unwrap()]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("projected (US survey foot, 0.3048006096012192 m)"),
        "{text}"
    );
    assert!(text.contains("(467.345080 km²)"), "{text}");

    // Reprojectable without AUTHORITY: the derived definition matches EPSG:2227 (same
    // zone in feet), so the area is the same to well under 1 ppm.
    let to_2227 = inspect_json(&shp, &["--to-crs", "EPSG:2227"]);
    let a = to_2227["total_area_m2"].as_f64().unwrap();
    assert!(close(a, truth, 1e-6), "{a} vs {truth}");
    assert!(
        (to_2227["bbox"][0].as_f64().unwrap() - 6_000_000.0).abs() < 0.01,
        "{to_2227}"
    );
}

#[test]
fn international_feet_esri_prj() {
    let dir = tempfile::tempdir().unwrap();
    let rings = [rect(700_000.0, 1_000_000.0, 701_000.0, 1_002_000.0)];
    let shp = shapefile(dir.path(), "az", &rings, Some(&prj("foot_intl_esri.prj")));
    let report = inspect_json(&shp, &[]);
    let area = report["total_area_m2"].as_f64().unwrap();
    assert!(close(area, 2_000_000.0 * 0.3048 * 0.3048, 1e-12), "{area}");
    assert_eq!(report["crs"]["unit"]["name"], "international foot");
    assert_eq!(report["crs"]["unit"]["metres"], 0.3048);
}

/// EPSG:2227 (`+units=us-ft`) in a GeoJSON `crs` member: inspect and overlay in m².
#[test]
fn epsg_2227_through_inspect_and_overlay() {
    let layer = data("epsg2227.geojson");
    let truth = 6_500_000.0 * US_FOOT * US_FOOT;
    let report = inspect_json(&layer, &[]);
    let area = report["total_area_m2"].as_f64().unwrap();
    assert!(close(area, truth, 1e-12), "{area} vs {truth}");

    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("overlay.csv");
    let l = layer.to_str().unwrap();
    let out = landpool(&[
        "overlay",
        "--source",
        l,
        "--target",
        l,
        "--extensive",
        "pop",
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    let areas: Vec<f64> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap().parse().unwrap())
        .collect();
    let want = [
        6_000_000.0 * US_FOOT * US_FOOT,
        500_000.0 * US_FOOT * US_FOOT,
    ];
    assert_eq!(areas.len(), 2, "{text}");
    for (a, w) in areas.iter().zip(want) {
        assert!(close(*a, w, 1e-9), "{a} vs {w}: {text}");
    }
}

#[test]
fn web_mercator_areas_are_refused_with_advice() {
    let layer = data("web_mercator.geojson");
    let refused = inspect_json(&layer, &[]);
    assert_eq!(refused["total_area_m2"], Value::Null);
    let why = refused["area_not_computed_because"].as_str().unwrap();
    for part in [
        "Web Mercator",
        "--to-crs EPSG:4547",
        "--allow-distorted-areas",
    ] {
        assert!(why.contains(part), "{why}");
    }
    // Asked for: the planar (distorted) figure, 325.19 m × 270.992 m.
    let allowed = inspect_json(&layer, &["--allow-distorted-areas"]);
    let planar = allowed["total_area_m2"].as_f64().unwrap();
    assert!(close(planar, 325.19 * 270.992, 1e-9), "{planar}");
    // Reprojected to EPSG:4547: the ground area, about 75,000 m² (SOURCE.md).
    let ground = inspect_json(&layer, &["--to-crs", "EPSG:4547"])["total_area_m2"]
        .as_f64()
        .unwrap();
    assert!((ground - 75_000.0).abs() < 0.01 * 75_000.0, "{ground}");

    // overlay refuses the same way, and an explicit target in Web Mercator too.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("o.csv");
    let l = layer.to_str().unwrap();
    let args = [
        "overlay",
        "--source",
        l,
        "--target",
        l,
        "--out",
        csv.to_str().unwrap(),
    ];
    let out = landpool(&args);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-distorted-areas"));
    let mut to_web = args.to_vec();
    to_web.extend(["--to-crs", "EPSG:3857"]);
    let out = landpool(&to_web);
    assert!(!out.status.success());
    let mut allowed = args.to_vec();
    allowed.push("--allow-distorted-areas");
    assert!(landpool(&allowed).status.success());
}

/// An ESRI Gauss-Krüger .prj without EPSG code, reprojected to EPSG:4547, lands where the
/// EPSG:4548-coded one does, to < 1 mm at every vertex.
#[test]
fn esri_gauss_kruger_prj_reprojects_like_its_epsg_code() {
    let dir = tempfile::tempdir().unwrap();
    let rings = [
        rect(196_000.0, 2_496_000.0, 196_400.0, 2_496_300.0),
        rect(196_400.0, 2_496_000.0, 196_900.0, 2_496_120.5),
    ];
    let esri = shapefile(dir.path(), "esri", &rings, Some(&prj("gk_cm117_esri.prj")));
    let epsg = shapefile(dir.path(), "epsg", &rings, Some(&prj("gk_cm117_epsg.prj")));
    let to = Crs::parse("EPSG:4547").unwrap();
    let mut layers = [&esri, &epsg].map(|p| read_layer(p, &ReadOptions::default()).unwrap());
    assert_eq!(layers[0].crs.as_ref().unwrap().epsg, None);
    assert_eq!(layers[1].crs.as_ref().unwrap().epsg, Some(4548));
    for l in &mut layers {
        reproject_layer(l, &to).unwrap();
    }
    let coords = |l: &Layer| -> Vec<Coord> {
        l.features
            .iter()
            .flat_map(|f| f.geometry.0.iter())
            .flat_map(|p| p.exterior().0.clone())
            .collect()
    };
    let (a, b) = (coords(&layers[0]), coords(&layers[1]));
    assert_eq!(a.len(), b.len());
    for (p, q) in a.iter().zip(&b) {
        assert!(
            (p.x - q.x).abs() < 1e-3 && (p.y - q.y).abs() < 1e-3,
            "{p:?} {q:?}"
        );
        // Really moved into CM 114E: near its central meridian (x ≈ 500 km).
        assert!((p.x - 500_000.0).abs() < 20_000.0, "{p:?}");
    }
    let [ja, jb] = [&esri, &epsg].map(|p| inspect_json(p, &["--to-crs", "EPSG:4547"]));
    for i in 0..4 {
        let (x, y) = (
            ja["bbox"][i].as_f64().unwrap(),
            jb["bbox"][i].as_f64().unwrap(),
        );
        assert!((x - y).abs() < 1e-3, "{x} {y}");
    }
    let (x, y) = (
        ja["total_area_m2"].as_f64().unwrap(),
        jb["total_area_m2"].as_f64().unwrap(),
    );
    assert!((x - y).abs() < 1e-3, "{x} {y}");
}

#[test]
fn garbage_prj_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let shp = shapefile(
        dir.path(),
        "bad",
        &[rect(0.0, 0.0, 10.0, 10.0)],
        Some(&prj("garbage.prj")),
    );
    let out = landpool(&["inspect", shp.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.prj") && err.contains("not a valid WKT"),
        "{err}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("metres"));
    // --crs overrides the .prj, as before.
    let ok = inspect_json(&shp, &["--crs", "EPSG:4547"]);
    assert_eq!(ok["total_area_m2"], 100.0);

    let project = example_a_copy(dir.path(), "garbage", |_| None);
    let parcels = shapefile(
        &project,
        "parcels",
        &[rect(490_000.0, 2_515_000.0, 490_080.0, 2_515_250.0)],
        Some(&prj("garbage.prj")),
    );
    let toml = project.join("project.toml");
    let text = std::fs::read_to_string(&toml)
        .unwrap()
        .replace("parcels = \"parcels.geojson\"", "parcels = \"parcels.shp\"");
    std::fs::write(&toml, text).unwrap();
    assert!(parcels.exists());
    let out = landpool(&[
        "assess",
        toml.to_str().unwrap(),
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("parcels.prj") && err.contains("not a valid WKT"),
        "{err}"
    );
}

/// tests/fixtures/example_a copied into `dir/name`, rule-set paths made absolute, each
/// GeoJSON passed through `rewrite` (unchanged when it gives `None`).
fn example_a_copy(dir: &Path, name: &str, rewrite: impl Fn(&Value) -> Option<Value>) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let from = root.join("tests/fixtures/example_a");
    let to = dir.join(name);
    std::fs::create_dir_all(&to).unwrap();
    for entry in std::fs::read_dir(&from).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let text = if path.extension().is_some_and(|e| e == "toml") {
            text.replace(
                "../../../data/rules/",
                &format!("{}/data/rules/", root.display()),
            )
        } else {
            let json: Value = serde_json::from_str(&text).unwrap();
            rewrite(&json).map_or(text, |j| serde_json::to_string(&j).unwrap())
        };
        std::fs::write(to.join(file), text).unwrap();
    }
    to
}

/// Multiplies every coordinate pair in a GeoJSON value by `f`.
fn scale_coordinates(v: &mut Value, f: f64) {
    match v {
        Value::Array(items) if items.len() == 2 && items.iter().all(Value::is_f64) => {
            for c in items {
                *c = Value::from(c.as_f64().unwrap() * f);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| scale_coordinates(i, f)),
        Value::Object(map) => map.values_mut().for_each(|i| scale_coordinates(i, f)),
        _ => {}
    }
}

/// Numbers equal to 1e-9 relative (1e-6 absolute), everything else equal.
fn assert_same(a: &Value, b: &Value, at: &str) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!(
                (x - y).abs() <= 1e-6 + 1e-9 * x.abs().max(y.abs()),
                "{at}: {x} vs {y}"
            );
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}");
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                assert_same(p, q, &format!("{at}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>(),
                "{at}"
            );
            for (k, p) in x {
                if k != "inputs" {
                    assert_same(p, &y[k], &format!("{at}.{k}"));
                }
            }
        }
        (Value::String(x), Value::String(y)) => {
            assert_eq!(x.replace("/m/ex/", "/f/ex/"), *y, "{at}")
        }
        _ => assert_eq!(a, b, "{at}"),
    }
}

/// The worked example A with every layer in US survey feet (a proj4 CRS with
/// `+units=us-ft`) gives the figures of the metre original.
#[test]
fn assess_in_us_feet_gives_the_metre_figures() {
    let dir = tempfile::tempdir().unwrap();
    // Same folder name in both, so that the paths in the reports are equal but for it.
    let metres = example_a_copy(&dir.path().join("m"), "ex", |_| None);
    let feet = example_a_copy(&dir.path().join("f"), "ex", |json| {
        let mut j = json.clone();
        scale_coordinates(&mut j, 1.0 / US_FOOT);
        j["crs"]["properties"]["name"] = Value::from(
            "+proj=tmerc +lat_0=0 +lon_0=114 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=us-ft +no_defs",
        );
        Some(j)
    });
    let run = |project: &Path| -> Value {
        let out_dir = project.join("out");
        let out = landpool(&[
            "assess",
            project.join("project.toml").to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
            "--quiet",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("report.json")).unwrap())
            .unwrap()
    };
    let (m, f) = (run(&metres), run(&feet));
    assert_same(&m, &f, "report");
    let conversions = f["inputs"].as_array().unwrap();
    assert!(
        conversions
            .iter()
            .all(|i| i["reprojected"]["to"]["unit"]["name"] == "metre")
    );
}

fn star_polygon(cx: f64, cy: f64, radii: &[f64]) -> Polygon<f64> {
    let n = radii.len() as f64;
    let mut ring: Vec<Coord> = radii
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let t = std::f64::consts::TAU * i as f64 / n;
            Coord {
                x: cx + r * t.cos(),
                y: cy + r * t.sin(),
            }
        })
        .collect();
    ring.push(ring[0]);
    Polygon::new(LineString(ring), vec![])
}

fn layer_of(polygons: Vec<Polygon<f64>>, crs: Crs) -> Layer {
    Layer {
        source: "mem".into(),
        name: "props".into(),
        crs: Some(crs),
        schema: Vec::new(),
        features: polygons
            .into_iter()
            .enumerate()
            .map(|(index, p)| Feature {
                index,
                key: None,
                geometry: MultiPolygon::new(vec![p]),
                attributes: Vec::new(),
            })
            .collect(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Star-shaped (so simple, valid) polygons in metres, scaled to US survey feet and
    /// declared `Foot_US` (ESRI .prj without EPSG), measure the metre original's m².
    #[test]
    fn foot_us_layers_measure_the_metre_original(
        cx in 6.0e6..6.1e6f64,
        cy in 2.0e6..2.1e6f64,
        polys in prop::collection::vec(prop::collection::vec(1.0..5_000.0f64, 3..24), 1..6),
    ) {
        let metres: Vec<Polygon<f64>> = polys.iter().map(|r| star_polygon(cx, cy, r)).collect();
        let feet: Vec<Polygon<f64>> = metres
            .iter()
            .map(|p| {
                let mut q = p.clone();
                geo::MapCoordsInPlace::map_coords_in_place(&mut q, |c| Coord { x: c.x / US_FOOT, y: c.y / US_FOOT });
                q
            })
            .collect();
        let crs = Crs::from_wkt(&prj("foot_us_esri.prj")).unwrap();
        let mut layer = layer_of(feet, crs);
        prepare_for_areas(&mut layer, None).unwrap().unwrap();
        for (f, m) in layer.features.iter().zip(&metres) {
            let want = unsigned_area(&MultiPolygon::new(vec![m.clone()]));
            let got = unsigned_area(&f.geometry);
            prop_assert!((got - want).abs() <= 1e-9 * want, "{got} vs {want}");
        }
    }
}

/// `assess --allow-distorted-areas` is the command-line form of `[input]
/// allow_distorted_areas`: worked example A relabelled EPSG:3857 is refused without it, and
/// with it gives the planar figures of the original (the coordinates are unchanged).
#[test]
fn assess_takes_allow_distorted_areas_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let original = example_a_copy(&dir.path().join("m"), "ex", |_| None);
    let mercator = example_a_copy(&dir.path().join("w"), "ex", |json| {
        let mut j = json.clone();
        j["crs"]["properties"]["name"] = Value::from("EPSG:3857");
        Some(j)
    });
    let assess = |project: &Path, extra: &[&str]| -> Output {
        let out_dir = project.join("out");
        let mut args = vec![
            "assess".into(),
            project.join("project.toml").to_str().unwrap().to_owned(),
            "--out".into(),
            out_dir.to_str().unwrap().to_owned(),
            "--quiet".into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        landpool(&args)
    };
    let refused = assess(&mercator, &[]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--allow-distorted-areas"));
    let allowed = assess(&mercator, &["--allow-distorted-areas"]);
    assert!(
        allowed.status.success(),
        "{}",
        String::from_utf8_lossy(&allowed.stderr)
    );
    assert!(assess(&original, &[]).status.success());
    let report = |p: &Path| -> Value {
        serde_json::from_str(&std::fs::read_to_string(p.join("out/report.json")).unwrap()).unwrap()
    };
    let (a, b) = (report(&original), report(&mercator));
    for key in ["rights_floor_area_m2", "retained_land_area_m2"] {
        let x = find_number(&a, key).unwrap_or_else(|| panic!("{key} not in report.json"));
        let y = find_number(&b, key).unwrap_or_else(|| panic!("{key} not in report.json"));
        assert!(x > 0.0 && (x - y).abs() <= 1e-6 * x, "{key}: {x} vs {y}");
    }
}

/// The first number under `key` anywhere in a JSON value.
fn find_number(v: &Value, key: &str) -> Option<f64> {
    match v {
        Value::Object(map) => map
            .get(key)
            .and_then(Value::as_f64)
            .or_else(|| map.values().find_map(|x| find_number(x, key))),
        Value::Array(items) => items.iter().find_map(|x| find_number(x, key)),
        _ => None,
    }
}
