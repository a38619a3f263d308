//! GeoParquet (`.parquet`) in and out, on arrow-rs' `parquet` crate (`parquet` cargo
//! feature, on by default).
//!
//! Geometries are WKB in the primary geometry column, described by the `geo` file metadata
//! (GeoParquet 1.1): the encoding every peer writes by default (GeoPandas, DuckDB spatial,
//! SedonaDB, GDAL). Files with a native GeoArrow encoding (`polygon`, `multipolygon`) are
//! refused with a message saying how to write WKB. The `geoparquet`/`geoarrow` crates are not
//! used: they need Rust 1.95 (landpool's MSRV is 1.88) and panic on some native-encoded
//! files. The CRS mapping is in [`crs`](self) (module `crs`).
//!
//! Every read goes through `catch_unwind`, so that a malformed file is an error naming it
//! even where the decoder would panic.

mod crs;
mod read;
mod write;

use std::path::Path;

use crate::error::Error;

pub use read::read_parquet;
pub use write::{GEOMETRY_COLUMN, GeoParquetWriter, write_table_parquet};

/// Rows per record batch when reading, and per row group when writing.
const BATCH_ROWS: usize = 65_536;

fn parse_error(path: &Path, message: String) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        line: None,
        column: None,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::ReadOptions;
    use crate::io::table::OutputTable;
    use crate::model::crs::Crs;
    use crate::model::layer::{FieldKind, Value};
    use geo::{Area, MultiPolygon, polygon};

    #[test]
    fn table_round_trips_byte_identically_with_crs_and_types() {
        let mp = MultiPolygon(vec![
            polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 5.0), (x: 0.0, y: 5.0)],
        ]);
        let mut table = OutputTable::new(
            "t",
            "",
            Crs::from_epsg(4547).ok(),
            true,
            &[
                ("id", FieldKind::String),
                ("n", FieldKind::Int),
                ("x", FieldKind::Float),
                ("ok", FieldKind::Bool),
                ("d", FieldKind::Date),
            ],
        );
        let date = chrono::NaiveDate::from_ymd_opt(1969, 3, 1).map_or(Value::Null, Value::Date);
        let values = vec![
            Value::Str("甲-1".into()),
            Value::Int(-7),
            Value::Float(0.25),
            Value::Bool(true),
            date.clone(),
        ];
        table.push(Some(&mp), values.clone());
        table.push(None, vec![Value::Null; 5]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        write_table_parquet(&path, &table).unwrap();
        let first = std::fs::read(&path).unwrap();
        write_table_parquet(&path, &table).unwrap();
        assert_eq!(first, std::fs::read(&path).unwrap());
        let layer = read_parquet(&path, &ReadOptions::default()).unwrap();
        assert_eq!(layer.crs.as_ref().and_then(|c| c.epsg), Some(4547));
        assert_eq!(layer.schema, table.fields);
        assert_eq!(layer.features.len(), 2);
        assert_eq!(layer.features[0].geometry.unsigned_area(), 50.0);
        assert_eq!(layer.features[0].attributes, values);
        assert!(layer.features[1].geometry.0.is_empty());
        assert!(layer.features[1].attributes.iter().all(Value::is_null));
        for len in [0, 4, first.len() / 2, first.len() - 1] {
            std::fs::write(&path, &first[..len]).unwrap();
            let err = read_parquet(&path, &ReadOptions::default()).unwrap_err();
            assert!(err.to_string().contains("t.parquet"), "{len}: {err}");
        }
    }
}
