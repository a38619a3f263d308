//! FlatGeobuf and GeoParquet (issue 17.3): worked example A assessed from `.fgb` and
//! `.parquet` copies of its layers gives the GeoJSON figures; the written tables read back
//! with the same areas and attributes; broken files are errors naming the file.

use std::path::Path;

use assert_cmd::cargo::cargo_bin;
use geo::Area;
use landpool::io::table::OutputTable;
use landpool::io::write::{TableFormat, write_table};
use landpool::io::{ReadOptions, read_layer};

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");
const LAYERS: [&str; 6] = [
    "parcels",
    "boundary",
    "density_zones",
    "buildings",
    "retained_sites",
    "land_prices",
];

/// Example A in `dir` with every layer converted to `ext`, the project file pointing at them.
fn example_a_as(dir: &Path, ext: &str, format: TableFormat) {
    let src = Path::new(MANIFEST).join("tests/fixtures/example_a");
    let mut text = std::fs::read_to_string(src.join("project.toml"))
        .unwrap()
        .replace(
            "\"../../../data/rules/",
            &format!("\"{MANIFEST}/data/rules/"),
        );
    for name in LAYERS {
        let layer = read_layer(
            &src.join(format!("{name}.geojson")),
            &ReadOptions::default(),
        )
        .unwrap();
        let out = dir.join(format!("{name}.{ext}"));
        write_table(&out, &OutputTable::from_layer(&layer), format).unwrap();
        text = text.replace(&format!("\"{name}.geojson\""), &format!("\"{name}.{ext}\""));
    }
    std::fs::write(dir.join("project.toml"), text).unwrap();
}

fn rights_floor_area(project: &Path, out: &Path) -> f64 {
    let o = std::process::Command::new(cargo_bin("landpool"))
        .args(["assess", "--quiet"])
        .arg(project)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    report["computation"]["rights_floor_area_m2"]
        .as_f64()
        .expect("rights floor area")
}

#[test]
fn example_a_from_flatgeobuf_and_geoparquet_gives_the_geojson_figures() {
    let dir = tempfile::tempdir().unwrap();
    let geojson = rights_floor_area(
        &Path::new(MANIFEST).join("tests/fixtures/example_a/project.toml"),
        &dir.path().join("out-geojson"),
    );
    assert!((geojson - 110_036.36).abs() < 0.005, "{geojson}");
    for (ext, format) in [
        ("fgb", TableFormat::FlatGeobuf),
        ("parquet", TableFormat::GeoParquet),
    ] {
        let d = dir.path().join(ext);
        std::fs::create_dir_all(&d).unwrap();
        example_a_as(&d, ext, format);
        let r = rights_floor_area(&d.join("project.toml"), &d.join("out"));
        assert!(
            (r - geojson).abs() <= 1e-9 * geojson,
            "{ext}: {r} vs {geojson}"
        );
    }
}

#[test]
fn tables_round_trip_with_areas_attributes_and_crs() {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(MANIFEST).join("tests/fixtures/example_a/parcels.geojson");
    let layer = read_layer(&src, &ReadOptions::default()).unwrap();
    for (ext, format) in [
        ("fgb", TableFormat::FlatGeobuf),
        ("parquet", TableFormat::GeoParquet),
    ] {
        let path = dir.path().join(format!("parcels.{ext}"));
        write_table(&path, &OutputTable::from_layer(&layer), format).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        write_table(&path, &OutputTable::from_layer(&layer), format).unwrap();
        assert_eq!(
            bytes,
            std::fs::read(&path).unwrap(),
            "{ext}: not deterministic"
        );
        let back = read_layer(&path, &ReadOptions::default()).unwrap();
        assert_eq!(back.features.len(), layer.features.len(), "{ext}");
        assert_eq!(
            back.crs.as_ref().map(|c| c.to_string()),
            layer.crs.as_ref().map(|c| c.to_string()),
            "{ext}: CRS"
        );
        for (a, b) in layer.features.iter().zip(&back.features) {
            let (x, y) = (a.geometry.unsigned_area(), b.geometry.unsigned_area());
            assert!((x - y).abs() <= 1e-9 * x.max(1.0), "{ext}: area {x} vs {y}");
            assert_eq!(
                layer.attr(a, "tenure_code"),
                back.attr(b, "tenure_code"),
                "{ext}: attribute"
            );
        }
    }
}

#[test]
fn truncated_files_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(MANIFEST).join("tests/fixtures/example_a/parcels.geojson");
    let layer = read_layer(&src, &ReadOptions::default()).unwrap();
    for (ext, format) in [
        ("fgb", TableFormat::FlatGeobuf),
        ("parquet", TableFormat::GeoParquet),
    ] {
        let path = dir.path().join(format!("cut.{ext}"));
        write_table(&path, &OutputTable::from_layer(&layer), format).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        for keep in [0, 8, bytes.len() / 2, bytes.len() - 1] {
            std::fs::write(&path, &bytes[..keep]).unwrap();
            let err = read_layer(&path, &ReadOptions::default())
                .expect_err("a truncated file must not read")
                .to_string();
            assert!(
                err.contains(&format!("cut.{ext}")),
                "{ext} at {keep}: {err}"
            );
        }
    }
}
