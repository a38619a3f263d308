//! GeoPackage geometry blobs: the input becomes the geometry of the one feature of a
//! GeoPackage written by landpool itself, which is then read back (blob decoding is not a
//! public entry point, the GeoPackage reader is).
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use landpool::io::ReadOptions;
use landpool::io::gpkg::{read_gpkg, write_gpkg};
use landpool::io::table::OutputTable;
use landpool::layer::FieldKind;
use libfuzzer_sys::fuzz_target;

/// A one-feature GeoPackage, written once per process.
fn template() -> Option<&'static (tempfile::TempDir, PathBuf)> {
    static TEMPLATE: OnceLock<Option<(tempfile::TempDir, PathBuf)>> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let dir = tempfile::tempdir().ok()?;
            let path = dir.path().join("template.gpkg");
            let square = geo::MultiPolygon::new(vec![geo::Polygon::new(
                geo::LineString::from(vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]),
                vec![],
            )]);
            let square: &'static geo::MultiPolygon<f64> = Box::leak(Box::new(square));
            let mut table = OutputTable::new("t", "fuzz", None, true, &[("id", FieldKind::Int)]);
            table.push(Some(square), vec![landpool::Value::Int(1)]);
            write_gpkg(&path, &[table]).ok()?;
            Some((dir, path))
        })
        .as_ref()
}

fuzz_target!(|data: &[u8]| {
    let Some((_, template)) = template() else {
        return;
    };
    let Ok(dir) = tempfile::tempdir() else { return };
    let path = dir.path().join("case.gpkg");
    if std::fs::copy(template, &path).is_err() {
        return;
    }
    let Ok(conn) = rusqlite::Connection::open(&path) else {
        return;
    };
    let column: Option<String> = conn
        .query_row(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = 't'",
            [],
            |r| r.get(0),
        )
        .ok();
    let Some(column) = column else { return };
    let sql = format!("UPDATE t SET \"{}\" = ?1", column.replace('"', "\"\""));
    if conn.execute(&sql, [data]).is_err() {
        return;
    }
    drop(conn);
    let _ = read_gpkg(&path, Some("t"), &ReadOptions::default());
});
