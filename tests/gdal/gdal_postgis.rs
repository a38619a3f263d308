//! PostgreSQL/PostGIS through the `gdal` feature, against a real server: reading layers and
//! SQL results, PostGIS itself as a peer oracle for the parcel × density-zone areas, `assess`
//! with parcels from the database and results written to it in one transaction, and the
//! failure cases (unreachable server, wrong table, table without geometry).
//!
//! The server comes from `scripts/postgis-test-server.sh start`, which prints the
//! `LANDPOOL_TEST_PG` connection string (`.ci/run` does this). Without it these tests fail,
//! saying so; `LANDPOOL_TEST_PG=skip` skips them deliberately. Each test uses its own tables.
#![cfg(feature = "gdal")]

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin;
use common::{assert_same_layer, close, read};
use landpool::geom::overlay::{OverlayOptions, overlay_areas};
use landpool::io::gpkg::write_gpkg;
use landpool::io::table::OutputTable;
use landpool::io::{LayerSource, ReadOptions, read_source};

/// The test database, or `None` when the user chose to skip.
fn database() -> Option<String> {
    match std::env::var("LANDPOOL_TEST_PG") {
        Ok(s) if s == "skip" => {
            eprintln!("LANDPOOL_TEST_PG=skip: PostGIS tests skipped");
            None
        }
        Ok(s) => Some(s),
        Err(_) => panic!(
            "LANDPOOL_TEST_PG is not set. Start a server with \
             `eval \"$(scripts/postgis-test-server.sh start)\"`, or set LANDPOOL_TEST_PG=skip"
        ),
    }
}

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/sample")
        .join(name)
}

/// Runs SQL with psql (the `PG:` string minus its prefix is a libpq conninfo).
fn psql(dsn: &str, sql: &str) -> String {
    let conninfo = dsn.strip_prefix("PG:").unwrap_or(dsn);
    let out = Command::new("psql")
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-F", "|"])
        .args(["-d", conninfo, "-c", sql])
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "psql `{sql}` failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Loads a file into a table with ogr2ogr (the way analysts load data).
fn load(dsn: &str, file: &Path, table: &str) {
    let out = Command::new("ogr2ogr")
        .args(["-f", "PostgreSQL", dsn])
        .arg(file)
        .args(["-nln", table, "-overwrite", "-lco", "GEOMETRY_NAME=geom"])
        .output()
        .expect("ogr2ogr runs (apt-get install gdal-bin)");
    assert!(
        out.status.success(),
        "ogr2ogr into {table}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn table(dsn: &str, name: &str) -> LayerSource {
    LayerSource::Connection {
        dsn: dsn.to_string(),
        layer: Some(name.to_string()),
        sql: None,
    }
}

fn read_db(source: &LayerSource) -> landpool::Layer {
    read_source(source, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn sample_parcels_round_trip_through_postgis() {
    let Some(dsn) = database() else { return };
    let geojson = read(&sample("parcels.geojson"));

    // GeoJSON → PostGIS (ogr2ogr) → landpool.
    load(&dsn, &sample("parcels.geojson"), "rt_parcels");
    let from_db = read_db(&table(&dsn, "rt_parcels"));
    assert_same_layer(&geojson, &from_db, 1e-9);
    assert_eq!(from_db.crs.as_ref().and_then(|c| c.epsg), Some(4547));

    // landpool's pure-Rust GeoPackage → PostGIS (ogr2ogr) → landpool.
    let dir = tempfile::tempdir().unwrap();
    let gpkg = dir.path().join("sample.gpkg");
    write_gpkg(&gpkg, &[OutputTable::from_layer(&geojson)]).unwrap();
    load(&dsn, &gpkg, "rt_parcels_gpkg");
    let via_gpkg = read_db(&table(&dsn, "rt_parcels_gpkg"));
    assert_same_layer(&geojson, &via_gpkg, 1e-9);

    // A `tables=` connection string names the layer as GDAL users write it.
    let tables = read_db(&LayerSource::parse(&format!("{dsn} tables=rt_parcels")));
    assert_eq!(tables.features.len(), geojson.features.len());

    // An SQL statement as the layer.
    let sql = LayerSource::Connection {
        dsn: dsn.clone(),
        layer: None,
        sql: Some("SELECT * FROM rt_parcels WHERE tenure_code = 'GYCR'".into()),
    };
    let gycr = read_db(&sql);
    let expected: usize = psql(
        &dsn,
        "SELECT count(*) FROM rt_parcels WHERE tenure_code = 'GYCR'",
    )
    .parse()
    .unwrap();
    assert!(expected > 0);
    assert_eq!(gycr.features.len(), expected);
}

/// PostGIS as the oracle: per parcel × density zone, landpool's overlay areas equal
/// `ST_Area(ST_Intersection(p.geom, z.geom))` to 1e-6 relative for pieces above 1e-3 m².
#[test]
fn parcel_zone_areas_match_postgis_st_intersection() {
    let Some(dsn) = database() else { return };
    load(&dsn, &sample("parcels.geojson"), "or_parcels");
    load(&dsn, &sample("density_zones.geojson"), "or_zones");
    let rows = psql(
        &dsn,
        "SELECT p.parcel_id, z.zone_id, ST_Area(ST_Intersection(p.geom, z.geom)) \
         FROM or_parcels p JOIN or_zones z ON ST_Intersects(p.geom, z.geom)",
    );
    let mut postgis: BTreeMap<(String, String), f64> = BTreeMap::new();
    for line in rows.lines() {
        let mut cells = line.split('|');
        let (p, z, a) = (
            cells.next().unwrap(),
            cells.next().unwrap(),
            cells.next().unwrap().parse::<f64>().unwrap(),
        );
        if a > 1e-3 {
            postgis.insert((p.to_string(), z.to_string()), a);
        }
    }

    let parcels = read_db(&table(&dsn, "or_parcels"));
    let zones = read_db(&table(&dsn, "or_zones"));
    let pid = parcels.field_index("parcel_id").unwrap();
    let zid = zones.field_index("zone_id").unwrap();
    let geoms = |l: &landpool::Layer| {
        l.features
            .iter()
            .map(|f| f.geometry.clone())
            .collect::<Vec<_>>()
    };
    let table = overlay_areas(&geoms(&parcels), &geoms(&zones), &OverlayOptions::default());
    let mut ours: BTreeMap<(String, String), f64> = BTreeMap::new();
    for piece in table.pieces.iter().chain(&table.slivers) {
        if piece.area > 1e-3 {
            let p = parcels.features[piece.source].attributes[pid].to_string();
            let z = zones.features[piece.target].attributes[zid].to_string();
            ours.insert((p, z), piece.area);
        }
    }
    assert!(
        postgis.len() > 3000,
        "{} pieces from PostGIS",
        postgis.len()
    );
    let mut worst: f64 = 0.0;
    for (key, &a) in &postgis {
        let b = *ours
            .get(key)
            .unwrap_or_else(|| panic!("PostGIS piece {key:?} ({a} m²) missing in landpool"));
        worst = worst.max((a - b).abs() / a);
        assert!(
            close(a, b, 1e-6, 0.0),
            "{key:?}: PostGIS {a} vs landpool {b}"
        );
    }
    for (key, &b) in &ours {
        assert!(
            postgis.contains_key(key),
            "landpool piece {key:?} ({b} m²) missing in PostGIS"
        );
    }
    eprintln!(
        "{} pieces > 1e-3 m²; worst relative difference to PostGIS {worst:e}",
        postgis.len()
    );
}

/// The sample project.toml with absolute paths, and the parcels layer replaced.
fn project_with_parcels(dir: &Path, parcels_entry: &str) -> PathBuf {
    let text = std::fs::read_to_string(sample("project.toml")).unwrap();
    let base = sample("");
    let mut out = String::new();
    for line in text.lines() {
        let line = if line.starts_with("parcels = ") {
            format!("parcels = {parcels_entry}")
        } else if let Some((key, rest)) = line.split_once(" = \"")
            && (rest.ends_with(".geojson\"") || rest.ends_with(".toml\""))
        {
            format!("{key} = \"{}{}", base.display(), rest)
        } else {
            line.to_string()
        };
        out.push_str(&line);
        out.push('\n');
    }
    let path = dir.join("project.toml");
    std::fs::write(&path, out).unwrap();
    path
}

fn assess(args: &[&str]) -> std::process::Output {
    Command::new(cargo_bin("landpool"))
        .arg("assess")
        .args(args)
        .output()
        .expect("landpool runs")
}

/// Runs `landpool assess` and asserts it succeeded.
fn assess_ok(args: &[&str]) {
    let out = assess(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn computation(report: &Path) -> serde_json::Value {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    v["computation"].clone()
}

#[test]
fn assess_reads_parcels_from_postgis_and_writes_results_back() {
    let Some(dsn) = database() else { return };
    // Leftovers of an earlier run against the same server (the sabotage below).
    psql(
        &dsn,
        "DROP SEQUENCE IF EXISTS as_out_not_official_values; \
         DROP TABLE IF EXISTS as_out_parcels, as_out_sites, as_out_project_summary, \
         as_out_not_official_values",
    );
    load(&dsn, &sample("parcels.geojson"), "as_parcels");
    let dir = tempfile::tempdir().unwrap();
    let project = project_with_parcels(
        dir.path(),
        &format!("{{ source = \"{dsn}\", layer = \"as_parcels\" }}"),
    );
    let from_db = dir.path().join("from_db");
    assess_ok(&[
        project.to_str().unwrap(),
        "--out",
        from_db.to_str().unwrap(),
        "--quiet",
    ]);
    let from_files = dir.path().join("from_files");
    assess_ok(&[
        sample("project.toml").to_str().unwrap(),
        "--out",
        from_files.to_str().unwrap(),
        "--quiet",
    ]);
    // The same doubles reach the same computation.
    assert_eq!(
        computation(&from_db.join("report.json")),
        computation(&from_files.join("report.json"))
    );

    // Results into the database: four tables, created.
    assess_ok(&[
        sample("project.toml").to_str().unwrap(),
        "--out",
        &dsn,
        "--table-prefix",
        "as_out_",
        "--quiet",
    ]);
    assert_eq!(psql(&dsn, "SELECT count(*) FROM as_out_parcels"), "3024");
    assert_eq!(
        psql(&dsn, "SELECT Find_SRID('public', 'as_out_parcels', 'geom')"),
        "4547"
    );
    assert_eq!(
        psql(&dsn, "SELECT count(*) FROM as_out_project_summary"),
        "1"
    );
    let rights: f64 = psql(
        &dsn,
        "SELECT rights_floor_area_m2 FROM as_out_project_summary",
    )
    .parse()
    .unwrap();
    let expected = computation(&from_files.join("report.json"))["rights_floor_area_m2"]
        .as_f64()
        .unwrap();
    assert!(
        close(rights, expected, 1e-12, 0.0),
        "{rights} vs {expected}"
    );
    let unofficial: usize = psql(&dsn, "SELECT count(*) FROM as_out_not_official_values")
        .parse()
        .unwrap();
    assert!(unofficial > 0);
    let counted_db: f64 = psql(
        &dsn,
        "SELECT sum(ST_Area(geom)) FROM as_out_parcels WHERE status = 'counted'",
    )
    .parse()
    .unwrap();
    assert!(counted_db > 0.0);

    // Replaced on a second run, not appended to.
    assess_ok(&[
        sample("project.toml").to_str().unwrap(),
        "--out",
        &dsn,
        "--table-prefix",
        "as_out_",
        "--quiet",
    ]);
    assert_eq!(psql(&dsn, "SELECT count(*) FROM as_out_parcels"), "3024");

    // A failure part-way (the last table's name is taken by a sequence) rolls everything
    // back: the parcels table keeps its marked row, and the error names the table.
    psql(
        &dsn,
        "UPDATE as_out_parcels SET reason = 'MARKER' WHERE fid = 1; \
         DROP TABLE as_out_not_official_values; CREATE SEQUENCE as_out_not_official_values",
    );
    let out = assess(&[
        sample("project.toml").to_str().unwrap(),
        "--out",
        &dsn,
        "--table-prefix",
        "as_out_",
        "--quiet",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("as_out_not_official_values"), "{err}");
    assert_eq!(
        psql(&dsn, "SELECT reason FROM as_out_parcels WHERE fid = 1"),
        "MARKER"
    );
    assert_eq!(psql(&dsn, "SELECT count(*) FROM as_out_parcels"), "3024");
}

#[test]
fn wrong_table_and_table_without_geometry_are_named() {
    let Some(dsn) = database() else { return };
    load(&dsn, &sample("density_zones.geojson"), "wt_zones");
    psql(
        &dsn,
        "DROP TABLE IF EXISTS wt_attributes; CREATE TABLE wt_attributes (a integer); \
         INSERT INTO wt_attributes VALUES (1)",
    );
    let err = read_source(&table(&dsn, "wt_zone"), &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("no layer named `wt_zone`"), "{err}");
    assert!(err.contains("wt_zones"), "{err}");

    let err = read_source(&table(&dsn, "wt_attributes"), &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("no geometry column"), "{err}");
}

#[test]
fn unreachable_database_fails_fast_with_a_clear_error() {
    // Needs no server: nothing listens on port 1.
    let dsn = "PG:host=127.0.0.1 port=1 dbname=nothing user=nobody password=secret";
    let start = Instant::now();
    let out = Command::new(cargo_bin("landpool"))
        .args(["inspect", dsn])
        .output()
        .unwrap();
    assert!(start.elapsed() < Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("host=127.0.0.1 port=1"), "{err}");
    assert!(err.contains("could not open"), "{err}");
    assert!(!err.contains("secret"), "the password leaked: {err}");

    // A server that accepts the connection and never answers: the connect timeout that
    // landpool adds to a connection string without one ends the wait.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    for (dsn, limit) in [
        (
            format!("PG:host=127.0.0.1 port={port} dbname=x connect_timeout=2"),
            2,
        ),
        (
            format!("PG:host=127.0.0.1 port={port} dbname=x"),
            landpool::io::ogr::DEFAULT_CONNECT_TIMEOUT_S,
        ),
    ] {
        let start = Instant::now();
        let err = read_source(&LayerSource::parse(&dsn), &ReadOptions::default())
            .unwrap_err()
            .to_string();
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_secs(u64::from(limit) - 1)
                && waited < Duration::from_secs(u64::from(limit) + 10),
            "{dsn}: gave up after {waited:?}: {err}"
        );
        assert!(err.contains(&format!("port={port}")), "{err}");
    }
}
