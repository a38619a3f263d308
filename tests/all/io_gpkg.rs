//! GeoPackage reader and writer: round trips of the sample data, a file written by GDAL,
//! CRS rows, quoting, and broken files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use geo::{Area, MultiPolygon};
use landpool::io::crs::Crs;
use landpool::io::gpkg::{APPLICATION_ID, USER_VERSION, list_layers, read_gpkg, write_gpkg};
use landpool::io::table::OutputTable;
use landpool::io::{ReadOptions, read_layer};
use landpool::{Error, FieldKind, Layer, Value};
use rusqlite::Connection;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample");
const GDAL_FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/io/gdal_layers.gpkg"
);

fn sample(name: &str) -> Layer {
    read_layer(&Path::new(SAMPLE).join(name), &ReadOptions::default()).unwrap()
}

fn opts() -> ReadOptions {
    ReadOptions::default()
}

fn assert_same_area(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>, what: &str) {
    let (x, y) = (a.unsigned_area(), b.unsigned_area());
    assert!(x > 0.0, "{what}: zero area");
    assert!(((x - y) / x).abs() <= 1e-9, "{what}: area {x} vs {y}");
}

/// An output table with every field of a layer; `dates` names string fields written as
/// DATE columns (their ISO strings parsed).
fn output_table<'a>(name: &str, layer: &'a Layer, dates: &[&str]) -> OutputTable<'a> {
    let fields: Vec<(&str, FieldKind)> = layer
        .schema
        .iter()
        .map(|f| {
            let kind = if dates.contains(&f.name.as_str()) {
                FieldKind::Date
            } else {
                f.kind
            };
            (f.name.as_str(), kind)
        })
        .collect();
    let mut table = OutputTable::new(
        name,
        format!("{} from the sample", layer.name),
        layer.crs.clone(),
        true,
        &fields,
    );
    for feature in &layer.features {
        let values = layer
            .schema
            .iter()
            .zip(&feature.attributes)
            .map(|(f, v)| {
                if dates.contains(&f.name.as_str()) && !v.is_null() {
                    Value::Date(v.as_date().expect("ISO date"))
                } else {
                    v.clone()
                }
            })
            .collect();
        table.push(Some(&feature.geometry), values);
    }
    table
}

fn summary_table<'a>() -> OutputTable<'a> {
    let mut t = OutputTable::new(
        "project_summary",
        "one row per project",
        None,
        false,
        &[
            ("project", FieldKind::String),
            ("parcels", FieldKind::Int),
            ("area_m2", FieldKind::Float),
            ("approved", FieldKind::Bool),
            ("decided", FieldKind::Date),
        ],
    );
    t.push(
        None,
        vec![
            Value::Str("光明凤凰城整备项目".into()),
            Value::Int(42),
            Value::Float(123_456.789),
            Value::Bool(true),
            Value::Date(NaiveDate::from_ymd_opt(2024, 5, 17).unwrap()),
        ],
    );
    t.push(
        None,
        vec![
            Value::Str("P-2".into()),
            Value::Null,
            Value::Float(-0.5),
            Value::Bool(false),
            Value::Null,
        ],
    );
    t
}

#[test]
fn sample_parcels_and_zones_round_trip() {
    let parcels = sample("parcels.geojson");
    let zones = sample("density_zones.geojson");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("district.gpkg");
    let tables = [
        output_table("parcels", &parcels, &["grant_date"]),
        output_table("density_zones", &zones, &[]),
        summary_table(),
    ];
    write_gpkg(&path, &tables).unwrap();

    for (name, original, dates) in [
        ("parcels", &parcels, vec!["grant_date"]),
        ("density_zones", &zones, vec![]),
    ] {
        let back = read_gpkg(&path, Some(name), &opts()).unwrap();
        assert_eq!(back.name, name);
        assert_eq!(
            back.source.to_path_buf(),
            PathBuf::from(format!("{}:{name}", path.display()))
        );
        assert_eq!(back.crs.as_ref().and_then(|c| c.epsg), Some(4547));
        assert!(back.crs.as_ref().unwrap().is_projected());
        assert_eq!(back.features.len(), original.features.len());
        let kinds: Vec<(String, FieldKind)> = back
            .schema
            .iter()
            .map(|f| (f.name.clone(), f.kind))
            .collect();
        let expected: Vec<(String, FieldKind)> = original
            .schema
            .iter()
            .map(|f| {
                let kind = match f.kind {
                    _ if dates.contains(&f.name.as_str()) => FieldKind::Date,
                    FieldKind::Mixed => FieldKind::String,
                    k => k,
                };
                (f.name.clone(), kind)
            })
            .collect();
        assert_eq!(kinds, expected, "{name} schema");
        for (a, b) in original.features.iter().zip(&back.features) {
            assert_eq!(a.index, b.index);
            let what = format!("{name} #{}", a.index);
            assert_same_area(&a.geometry, &b.geometry, &what);
            assert_eq!(
                a.geometry, b.geometry,
                "{what}: coordinates are stored exactly"
            );
            for ((field, va), vb) in original.schema.iter().zip(&a.attributes).zip(&b.attributes) {
                let expected = if dates.contains(&field.name.as_str()) && !va.is_null() {
                    Value::Date(va.as_date().unwrap())
                } else {
                    va.clone()
                };
                assert_eq!(&expected, vb, "{what}: {}", field.name);
            }
        }
    }

    // Type-faithful spot checks: Chinese text, ints, dates, bools, nulls.
    let back = read_gpkg(&path, Some("parcels"), &opts()).unwrap();
    let first = &back.features[0];
    assert_eq!(
        back.attr(first, "tenure_name"),
        Some(&Value::Str("国有已出让用地".into()))
    );
    assert_eq!(back.attr(first, "term_years"), Some(&Value::Int(50)));
    assert_eq!(
        back.attr(first, "grant_date"),
        Some(&Value::Date(NaiveDate::from_ymd_opt(2017, 3, 10).unwrap()))
    );
    assert_eq!(back.attr(first, "major_project"), Some(&Value::Bool(false)));
    assert_eq!(back.attr(first, "legal_area"), Some(&Value::Null));
    let total: f64 = back
        .features
        .iter()
        .map(|f| f.geometry.unsigned_area())
        .sum();
    let original_total: f64 = parcels
        .features
        .iter()
        .map(|f| f.geometry.unsigned_area())
        .sum();
    assert!(((total - original_total) / original_total).abs() < 1e-12);

    // The attributes table is listed but is no area layer.
    let layers = list_layers(&path).unwrap();
    let summary = layers.iter().find(|l| l.name == "project_summary").unwrap();
    assert_eq!(summary.data_type, "attributes");
    assert_eq!(summary.geometry_column, None);
    assert_eq!(summary.feature_count, 2);
    let err = read_gpkg(&path, Some("project_summary"), &opts()).unwrap_err();
    assert!(err.to_string().contains("no geometry column"), "{err}");
}

/// table_name, data_type, min_x, max_y, srs_id, last_change of gpkg_contents.
type ContentsRow = (
    String,
    String,
    Option<f64>,
    Option<f64>,
    Option<i64>,
    String,
);

#[test]
fn written_file_has_the_geopackage_tables_and_rows() {
    let zones = sample("density_zones.geojson");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("z.gpkg");
    write_gpkg(
        &path,
        &[output_table("zones", &zones, &[]), summary_table()],
    )
    .unwrap();
    let conn = Connection::open(&path).unwrap();
    let pragma = |p: &str| -> i64 {
        conn.query_row(&format!("PRAGMA {p}"), [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(pragma("application_id"), i64::from(APPLICATION_ID));
    assert_eq!(pragma("application_id"), 0x4750_4B47);
    assert_eq!(pragma("user_version"), i64::from(USER_VERSION));
    assert_eq!(pragma("user_version"), 10300);
    assert_eq!(
        conn.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
            .unwrap(),
        "ok"
    );
    let srs: Vec<(i64, String, i64)> = conn
        .prepare("SELECT srs_id, organization, organization_coordsys_id FROM gpkg_spatial_ref_sys ORDER BY srs_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        srs,
        vec![
            (-1, "NONE".into(), -1),
            (0, "NONE".into(), 0),
            (4326, "EPSG".into(), 4326),
            (4547, "EPSG".into(), 4547)
        ]
    );
    let contents: Vec<ContentsRow> = conn
        .prepare(
            "SELECT table_name, data_type, min_x, max_y, srs_id, last_change FROM gpkg_contents \
             ORDER BY table_name",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(contents[0].0, "project_summary");
    assert_eq!(contents[0].1, "attributes");
    assert_eq!((contents[0].2, contents[0].4), (None, None));
    assert_eq!(contents[1].0, "zones");
    assert_eq!(contents[1].1, "features");
    assert_eq!(contents[1].2, Some(490_000.0));
    assert_eq!(contents[1].3, Some(2_517_400.0));
    assert_eq!(contents[1].4, Some(4547));
    // GeoPackage timestamp format (the value is fixed, see io::gpkg).
    assert!(
        chrono::NaiveDateTime::parse_from_str(&contents[1].5, "%Y-%m-%dT%H:%M:%S%.3fZ").is_ok()
            && contents[1].5.len() == 24,
        "{}",
        contents[1].5
    );
    let geometry_columns: (String, String, String, i64) = conn
        .query_row(
            "SELECT table_name, column_name, geometry_type_name, srs_id FROM gpkg_geometry_columns",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        geometry_columns,
        ("zones".into(), "geom".into(), "MULTIPOLYGON".into(), 4547)
    );
    // Column types, and the R-tree with one entry per feature, matching the geometries.
    let types: Vec<(String, String)> = conn
        .prepare("SELECT name, type FROM pragma_table_info('project_summary')")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let types: Vec<(&str, &str)> = types
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    assert_eq!(
        types,
        [
            ("fid", "INTEGER"),
            ("project", "TEXT"),
            ("parcels", "INTEGER"),
            ("area_m2", "REAL"),
            ("approved", "BOOLEAN"),
            ("decided", "DATE")
        ]
    );
    let decided: String = conn
        .query_row(
            "SELECT decided FROM project_summary WHERE fid = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(decided, "2024-05-17");
    let n_index: i64 = conn
        .query_row("SELECT count(*) FROM rtree_zones_geom", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n_index as usize, zones.features.len());
    let (minx, maxx): (f64, f64) = conn
        .query_row(
            "SELECT minx, maxx FROM rtree_zones_geom WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    // The R-tree stores 32-bit floats rounded outwards.
    assert!(minx <= 490_000.0 && minx > 489_999.9, "{minx}");
    assert!((490_406.175..490_406.3).contains(&maxx), "{maxx}");
    let extension: String = conn
        .query_row(
            "SELECT extension_name FROM gpkg_extensions WHERE table_name = 'zones'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(extension, "gpkg_rtree_index");
    let triggers: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rtree_zones_geom_%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(triggers, 6);
}

#[test]
fn output_is_byte_identical_and_replaces_files_atomically() {
    let zones = sample("density_zones.geojson");
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.gpkg");
    let b = dir.path().join("b.gpkg");
    let tables = [output_table("zones", &zones, &[]), summary_table()];
    write_gpkg(&a, &tables).unwrap();
    write_gpkg(&b, &tables).unwrap();
    let bytes = std::fs::read(&a).unwrap();
    assert_eq!(bytes, std::fs::read(&b).unwrap());

    // A failing write (a non-finite coordinate in the last table) leaves the old file and
    // no temporary file.
    let mut broken = zones.clone();
    broken.features[5].geometry.0[0].exterior_mut(|r| r.0[1].x = f64::NAN);
    let tables = [
        output_table("zones", &zones, &[]),
        output_table("broken", &broken, &[]),
    ];
    let err = write_gpkg(&a, &tables).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("a.gpkg:broken") && msg.contains("row 5"),
        "{msg}"
    );
    assert!(msg.contains("non-finite"), "{msg}");
    assert_eq!(std::fs::read(&a).unwrap(), bytes);
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["a.gpkg", "b.gpkg"]);
}

#[test]
fn names_that_need_quoting_and_mismatched_values() {
    let zones = sample("density_zones.geojson");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.gpkg");
    let mut odd = OutputTable::new(
        "整备 \"单元\"; drop",
        "",
        zones.crs.clone(),
        true,
        &[("a \"b\"", FieldKind::Int), ("面积 m²", FieldKind::Float)],
    );
    for f in &zones.features[..3] {
        odd.push(
            Some(&f.geometry),
            vec![Value::Int(f.index as i64), Value::Int(7)],
        );
    }
    write_gpkg(&path, &[odd]).unwrap();
    let back = read_gpkg(&path, Some("整备 \"单元\"; drop"), &opts()).unwrap();
    assert_eq!(back.features.len(), 3);
    assert_eq!(back.schema[0].name, "a \"b\"");
    assert_eq!(
        back.attr(&back.features[2], "a \"b\""),
        Some(&Value::Int(2))
    );
    assert_eq!(
        back.attr(&back.features[2], "面积 m²"),
        Some(&Value::Float(7.0))
    );
    // Without a layer name, the only features table is read.
    assert_eq!(read_gpkg(&path, None, &opts()).unwrap().features.len(), 3);

    // A value that does not fit its column is an error naming table, row and column.
    let mut bad = OutputTable::new("t", "", None, false, &[("n", FieldKind::Int)]);
    bad.push(None, vec![Value::Int(1)]);
    bad.push(None, vec![Value::Str("many".into())]);
    let err = write_gpkg(&dir.path().join("bad.gpkg"), &[bad]).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("bad.gpkg:t") && msg.contains("row 1") && msg.contains("`n`"),
        "{msg}"
    );
    // Clashing names are refused before anything is written.
    let a = OutputTable::new("Parcels", "", None, false, &[]);
    let b = OutputTable::new("parcels", "", None, false, &[]);
    let err = write_gpkg(&dir.path().join("dup.gpkg"), &[a, b]).unwrap_err();
    assert!(matches!(err, Error::Usage(_)), "{err}");
    let c = OutputTable::new("t", "", None, true, &[("GEOM", FieldKind::Int)]);
    let err = write_gpkg(&dir.path().join("dup.gpkg"), &[c]).unwrap_err();
    assert!(err.to_string().contains("GEOM"), "{err}");
    assert!(!dir.path().join("dup.gpkg").exists());
}

#[test]
fn crs_rows_round_trip() {
    let zones = sample("density_zones.geojson");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crs.gpkg");
    let cases: Vec<(&str, Option<Crs>)> = vec![
        ("local", Some(Crs::local_planar())),
        ("gcj02", Some(Crs::gcj02())),
        (
            "proj4",
            Some(Crs::from_proj4("+proj=tmerc +lat_0=22.5 +lon_0=114 +k=1 +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs").unwrap()),
        ),
        ("epsg4549", Some(Crs::from_epsg(4549).unwrap())),
        ("epsg4326", Some(Crs::wgs84())),
        ("none", None),
    ];
    let tables: Vec<OutputTable> = cases
        .iter()
        .map(|(name, crs)| {
            let mut t = output_table(name, &zones, &[]);
            t.crs = crs.clone();
            t
        })
        .collect();
    write_gpkg(&path, &tables).unwrap();
    for (name, crs) in &cases {
        let back = read_gpkg(&path, Some(name), &opts()).unwrap();
        assert_eq!(&back.crs, crs, "{name}");
    }
    let conn = Connection::open(&path).unwrap();
    let srs_ids: Vec<i64> = conn
        .prepare("SELECT srs_id FROM gpkg_geometry_columns ORDER BY table_name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    // epsg4326, epsg4549, gcj02, local, none, proj4 (custom ids in order of first use).
    assert_eq!(srs_ids, [4326, 4549, 100_001, 100_000, -1, 100_002]);
    // An assumed CRS overrides the file's.
    let o = ReadOptions {
        assume_crs: Some(Crs::local_planar()),
        ..ReadOptions::default()
    };
    let back = read_gpkg(&path, Some("epsg4549"), &o).unwrap();
    assert_eq!(back.crs, Some(Crs::local_planar()));
}

// ---------------------------------------------------------------------------------------
// A GeoPackage written by GDAL (tests/fixtures/io/README.md says how)
// ---------------------------------------------------------------------------------------

fn by_key<'a>(layer: &'a Layer, key: &str) -> HashMap<String, &'a landpool::Feature> {
    layer
        .features
        .iter()
        .map(|f| (layer.attr(f, key).unwrap().as_text().unwrap(), f))
        .collect()
}

#[test]
fn gdal_fixture_layers_are_listed() {
    let layers = list_layers(Path::new(GDAL_FIXTURE)).unwrap();
    type Row<'a> = (&'a str, &'a str, Option<&'a str>, Option<i64>, u64);
    let summary: Vec<Row> = layers
        .iter()
        .map(|l| {
            (
                l.name.as_str(),
                l.data_type.as_str(),
                l.geometry_type.as_deref(),
                l.srs_id,
                l.feature_count,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("district_summary", "attributes", None, Some(0), 3),
            ("parcels", "features", Some("MULTIPOLYGON"), Some(4547), 40),
            ("zones_polygon", "features", Some("POLYGON"), Some(4547), 30),
            ("zones_z", "features", Some("MULTIPOLYGON"), Some(4547), 33),
        ]
    );
}

#[test]
fn gdal_fixture_parcels_match_the_geojson_source() {
    let layer = read_layer(
        Path::new(&format!("{GDAL_FIXTURE}:parcels")),
        &ReadOptions {
            key_field: Some("parcel_id".into()),
            ..ReadOptions::default()
        },
    )
    .unwrap();
    assert_eq!(layer.name, "parcels");
    assert_eq!(layer.crs.as_ref().and_then(|c| c.epsg), Some(4547));
    assert_eq!(layer.features.len(), 40);
    assert_eq!(layer.features[39].key.as_deref(), Some("P0000040"));
    let kinds: Vec<(&str, FieldKind)> = layer
        .schema
        .iter()
        .map(|f| (f.name.as_str(), f.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("parcel_id", FieldKind::String),
            ("tenure_code", FieldKind::String),
            ("tenure_name", FieldKind::String),
            ("land_use", FieldKind::String),
            ("grant_date", FieldKind::Date),
            ("term_years", FieldKind::Int),
            ("legal_area", FieldKind::Float),
            ("major_project", FieldKind::Bool),
        ]
    );
    let source = sample("parcels.geojson");
    let source = by_key(&source, "parcel_id");
    let geojson = sample("parcels.geojson");
    let mut dates = 0;
    for f in &layer.features {
        let id = layer.attr(f, "parcel_id").unwrap().as_text().unwrap();
        let g = source[&id];
        assert_same_area(&g.geometry, &f.geometry, &id);
        for name in [
            "tenure_code",
            "tenure_name",
            "land_use",
            "term_years",
            "major_project",
        ] {
            assert_eq!(layer.attr(f, name), geojson.attr(g, name), "{id} {name}");
        }
        match geojson.attr(g, "grant_date").unwrap() {
            Value::Null => assert_eq!(layer.attr(f, "grant_date"), Some(&Value::Null)),
            v => {
                dates += 1;
                assert_eq!(
                    layer.attr(f, "grant_date"),
                    Some(&Value::Date(v.as_date().unwrap()))
                )
            }
        }
    }
    assert!(dates > 10, "{dates} dates");
    assert!(
        layer
            .features
            .iter()
            .any(|f| layer.attr(f, "tenure_name") == Some(&Value::Str("国有已出让用地".into())))
    );
}

#[test]
fn gdal_fixture_polygon_and_z_layers_match_the_geojson_source() {
    let zones = sample("density_zones.geojson");
    let source = by_key(&zones, "zone_id");
    let mut seen = 0;
    for (name, count) in [("zones_polygon", 30), ("zones_z", 33)] {
        let layer = read_gpkg(Path::new(GDAL_FIXTURE), Some(name), &opts()).unwrap();
        assert_eq!(layer.features.len(), count);
        for f in &layer.features {
            let id = layer.attr(f, "zone_id").unwrap().as_text().unwrap();
            assert_same_area(&source[&id].geometry, &f.geometry, &id);
            assert_eq!(
                layer.attr(f, "density_zone"),
                zones.attr(source[&id], "density_zone")
            );
            seen += 1;
        }
    }
    assert_eq!(seen, zones.features.len());
}

#[test]
fn gdal_fixture_layer_choice_errors_list_the_layers() {
    let path = Path::new(GDAL_FIXTURE);
    let err = read_gpkg(path, Some("nope"), &opts()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::Usage(_)), "{msg}");
    assert!(
        msg.contains("gdal_layers.gpkg") && msg.contains("no layer `nope`"),
        "{msg}"
    );
    assert!(
        msg.contains("parcels (features, MULTIPOLYGON, 40 rows)"),
        "{msg}"
    );
    assert!(
        msg.contains("zones_polygon (features, POLYGON, 30 rows)"),
        "{msg}"
    );
    assert!(
        msg.contains("district_summary (attributes, 3 rows)"),
        "{msg}"
    );

    let err = read_gpkg(path, None, &opts()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("3 features tables") && msg.contains("gdal_layers.gpkg:LAYER"),
        "{msg}"
    );

    let err = read_layer(
        Path::new(&format!("{GDAL_FIXTURE}:district_summary")),
        &opts(),
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("district_summary") && msg.contains("no geometry column"),
        "{msg}"
    );

    // Table names are case-insensitive in SQLite.
    let layer = read_gpkg(path, Some("PARCELS"), &opts()).unwrap();
    assert_eq!(layer.name, "parcels");
}

// ---------------------------------------------------------------------------------------
// Broken and unusual files
// ---------------------------------------------------------------------------------------

/// A copy of the sample zones written by write_gpkg, to be damaged with SQL.
fn zones_copy(dir: &Path) -> PathBuf {
    let zones = sample("density_zones.geojson");
    let path = dir.join("zones.gpkg");
    write_gpkg(&path, &[output_table("zones", &zones, &[])]).unwrap();
    path
}

/// Runs SQL on a file written by write_gpkg, without its R-tree triggers (they call the
/// ST_* functions that GDAL and QGIS provide and plain SQLite lacks).
fn damage(path: &Path, sql: &str) {
    let conn = Connection::open(path).unwrap();
    for t in [
        "insert", "update1", "update2", "update3", "update4", "delete",
    ] {
        conn.execute_batch(&format!("DROP TRIGGER IF EXISTS rtree_zones_geom_{t}"))
            .unwrap();
    }
    conn.execute_batch(sql).unwrap();
}

fn set_geometry(path: &Path, fid: i64, blob: Option<&[u8]>) {
    damage(path, "");
    Connection::open(path)
        .unwrap()
        .execute(
            "UPDATE zones SET geom = ?1 WHERE fid = ?2",
            rusqlite::params![blob, fid],
        )
        .unwrap();
}

/// A GeoPackage geometry header without envelope (flags: little endian, plus `extra`).
fn header(extra_flags: u8) -> Vec<u8> {
    let mut b = b"GP\0".to_vec();
    b.push(0b0000_0001 | extra_flags);
    b.extend_from_slice(&0i32.to_le_bytes());
    b
}

#[test]
fn null_and_empty_geometries_are_kept_as_empty_features() {
    let dir = tempfile::tempdir().unwrap();
    let path = zones_copy(dir.path());
    // fid 2: NULL; fid 3: an empty MultiPolygon (empty flag, no envelope, 0 polygons).
    set_geometry(&path, 2, None);
    let mut empty = header(0b0001_0000);
    empty.extend_from_slice(&[1, 6, 0, 0, 0, 0, 0, 0, 0]);
    set_geometry(&path, 3, Some(&empty));
    let layer = read_gpkg(&path, None, &opts()).unwrap();
    assert_eq!(layer.features.len(), 63);
    assert!(layer.features[1].geometry.0.is_empty());
    assert!(layer.features[2].geometry.0.is_empty());
    assert!(!layer.features[3].geometry.0.is_empty());
    assert_eq!(
        layer.attr(&layer.features[2], "zone_id"),
        Some(&Value::Str("Z00003".into()))
    );
}

#[test]
fn empty_and_missing_geometries_are_written_and_read_back() {
    let zones = sample("density_zones.geojson");
    let empty = MultiPolygon::new(vec![]);
    let mut t = OutputTable::new("t", "", zones.crs.clone(), true, &[("n", FieldKind::Int)]);
    t.push(Some(&empty), vec![Value::Int(0)]);
    t.push(None, vec![Value::Int(1)]);
    t.push(Some(&zones.features[0].geometry), vec![Value::Int(2)]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.gpkg");
    write_gpkg(&path, &[t]).unwrap();
    let back = read_gpkg(&path, None, &opts()).unwrap();
    assert_eq!(back.features.len(), 3);
    assert!(back.features[0].geometry.0.is_empty());
    assert!(back.features[1].geometry.0.is_empty());
    assert_same_area(
        &zones.features[0].geometry,
        &back.features[2].geometry,
        "#2",
    );
    let conn = Connection::open(&path).unwrap();
    let (is_null, header, indexed): (bool, String, i64) = conn
        .query_row(
            "SELECT (SELECT geom IS NULL FROM t WHERE fid = 2), \
             (SELECT hex(substr(geom, 1, 8)) FROM t WHERE fid = 1), \
             (SELECT count(*) FROM rtree_t_geom)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert!(is_null);
    // `GP`, version 0, flags 0x11 (empty, little endian, no envelope), srs_id 4547.
    assert_eq!(header, "47500011C3110000");
    // Only the non-empty geometry is in the spatial index.
    assert_eq!(indexed, 1);
    let extent: (f64, f64) = conn
        .query_row("SELECT min_x, max_x FROM gpkg_contents", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(extent, (490_000.0, 490_406.175));
}

#[test]
fn bad_geometry_blob_names_the_feature() {
    let dir = tempfile::tempdir().unwrap();
    let path = zones_copy(dir.path());
    damage(
        &path,
        "UPDATE zones SET geom = X'0011223344556677' WHERE fid = 4;",
    );
    let err = read_gpkg(&path, None, &opts()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::Feature { .. }), "{msg}");
    assert!(
        msg.contains("zones.gpkg:zones: feature #3 (fid 4)"),
        "{msg}"
    );
    assert!(msg.contains("`GP` magic"), "{msg}");

    // A point (GP header + WKB Point) is not an area, as in the other readers.
    let mut point = header(0);
    point.extend_from_slice(&[1, 1, 0, 0, 0]);
    point.extend_from_slice(&[0; 16]);
    set_geometry(&path, 4, Some(&point));
    let msg = read_gpkg(&path, None, &opts()).unwrap_err().to_string();
    assert!(
        msg.contains("fid 4") && msg.contains("Point is not an area"),
        "{msg}"
    );

    // A blob whose WKB ends early.
    damage(
        &path,
        "UPDATE zones SET geom = (SELECT substr(geom, 1, 60) FROM zones WHERE fid = 5) WHERE fid = 4;",
    );
    let msg = read_gpkg(&path, None, &opts()).unwrap_err().to_string();
    assert!(
        msg.contains("fid 4") && msg.contains("malformed WKB"),
        "{msg}"
    );

    // Text where a blob belongs.
    damage(
        &path,
        "UPDATE zones SET geom = 'POLYGON((0 0,1 0,1 1,0 0))' WHERE fid = 4;",
    );
    let msg = read_gpkg(&path, None, &opts()).unwrap_err().to_string();
    assert!(msg.contains("fid 4") && msg.contains("holds text"), "{msg}");
}

#[test]
fn values_that_disagree_with_their_column_type() {
    let dir = tempfile::tempdir().unwrap();
    let path = zones_copy(dir.path());
    // SQLite keeps 'seven' as text in an INTEGER column; '7' becomes the integer 7.
    damage(&path, "UPDATE zones SET density_zone = '7' WHERE fid = 1;");
    let layer = read_gpkg(&path, None, &opts()).unwrap();
    assert_eq!(
        layer.attr(&layer.features[0], "density_zone"),
        Some(&Value::Int(7))
    );
    damage(
        &path,
        "UPDATE zones SET density_zone = 'seven' WHERE fid = 9;",
    );
    let err = read_gpkg(&path, None, &opts()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::Feature { .. }), "{msg}");
    assert!(
        msg.contains("#8 (fid 9)") && msg.contains("`density_zone`") && msg.contains("seven"),
        "{msg}"
    );
    damage(
        &path,
        "UPDATE zones SET density_zone = 4, metro_500m = 5 WHERE fid = 9;",
    );
    let msg = read_gpkg(&path, None, &opts()).unwrap_err().to_string();
    assert!(
        msg.contains("`metro_500m`") && msg.contains("boolean"),
        "{msg}"
    );
}

#[test]
fn blob_columns_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = zones_copy(dir.path());
    damage(
        &path,
        "ALTER TABLE zones ADD COLUMN photo BLOB; UPDATE zones SET photo = X'FFD8';",
    );
    let layer = read_gpkg(&path, None, &opts()).unwrap();
    assert!(layer.field_index("photo").is_none());
    assert_eq!(layer.schema.len(), 3);
}

#[test]
fn files_that_are_not_geopackages() {
    let dir = tempfile::tempdir().unwrap();

    let text = dir.path().join("text.gpkg");
    std::fs::write(
        &text,
        "not a database at all, just some text that is long enough",
    )
    .unwrap();
    let msg = read_gpkg(&text, None, &opts()).unwrap_err().to_string();
    assert!(
        msg.contains("text.gpkg") && msg.contains("not an SQLite database"),
        "{msg}"
    );

    let plain = dir.path().join("plain.gpkg");
    Connection::open(&plain)
        .unwrap()
        .execute_batch("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1);")
        .unwrap();
    let msg = read_gpkg(&plain, None, &opts()).unwrap_err().to_string();
    assert!(
        msg.contains("plain.gpkg") && msg.contains("not a GeoPackage"),
        "{msg}"
    );
    let msg = list_layers(&plain).unwrap_err().to_string();
    assert!(msg.contains("gpkg_contents"), "{msg}");

    let missing = dir.path().join("missing.gpkg");
    let err = read_gpkg(&missing, None, &opts()).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert!(!missing.exists(), "reading must not create the file");

    let empty = dir.path().join("empty.gpkg");
    std::fs::write(&empty, b"").unwrap();
    let msg = read_gpkg(&empty, None, &opts()).unwrap_err().to_string();
    assert!(
        msg.contains("empty.gpkg") && msg.contains("not a GeoPackage"),
        "{msg}"
    );
}

#[test]
fn truncated_files_give_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read(GDAL_FIXTURE).unwrap();
    for cut in [
        100,
        4096,
        20_000,
        60_000,
        100_000,
        150_000,
        full.len() - 4096,
    ] {
        let path = dir.path().join(format!("cut{cut}.gpkg"));
        std::fs::write(&path, &full[..cut]).unwrap();
        for layer in ["parcels", "zones_polygon", "zones_z"] {
            let err = read_gpkg(&path, Some(layer), &opts()).unwrap_err();
            let msg = err.to_string();
            assert!(matches!(err, Error::Parse { .. }), "{msg}");
            assert!(
                msg.contains(&format!("cut{cut}.gpkg")) && msg.contains("damaged or truncated"),
                "{msg}"
            );
        }
        assert!(list_layers(&path).is_err());
    }
}
