//! Writing output tables as GeoParquet 1.1: a WKB `geometry` column (MultiPolygons), the
//! attribute columns typed from the table's fields, `geo` metadata with the CRS and bbox.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch,
    StringArray,
};
use arrow_schema::{DataType, Field as ArrowField, Schema, SchemaRef};
use geo::BoundingRect;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

use super::BATCH_ROWS;
use super::crs::{LANDPOOL_CRS_KEY, crs_member, landpool_crs_text};
use crate::error::{Error, Result};
use crate::io::table::{OutputRow, OutputTable};
use crate::io::wkb::encode_wkb;
use crate::io::write::write_atomic;
use crate::model::layer::{FieldKind, Value};

/// Name of the geometry column written.
pub const GEOMETRY_COLUMN: &str = "geometry";

/// Writes an [`OutputTable`] as GeoParquet, atomically and streaming (one row group per
/// 65,536 rows, Snappy). A spatial table gets a WKB `geometry` column (a row without a
/// geometry has a null one) and `geo` metadata; an attribute table is plain Parquet. The
/// file holds nothing time-dependent: the same table gives byte-identical files.
pub fn write_table_parquet(path: &Path, table: &OutputTable<'_>) -> Result<()> {
    let schema = arrow_schema(table);
    let mut metadata = Vec::new();
    if table.spatial {
        metadata.push(KeyValue::new("geo".into(), geo_metadata(table)));
        if let Some(text) = table.crs.as_ref().and_then(landpool_crs_text) {
            metadata.push(KeyValue::new(LANDPOOL_CRS_KEY.into(), text));
        }
    }
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(BATCH_ROWS))
        .set_key_value_metadata(Some(metadata))
        .build();
    let parquet_error =
        |e: parquet::errors::ParquetError| Error::io(path, std::io::Error::other(e.to_string()));
    write_atomic(path, |w| {
        let mut writer =
            ArrowWriter::try_new(w, schema.clone(), Some(properties)).map_err(parquet_error)?;
        for (n, rows) in table.rows.chunks(BATCH_ROWS).enumerate() {
            let batch = record_batch(path, table, &schema, rows, n * BATCH_ROWS)?;
            writer.write(&batch).map_err(parquet_error)?;
        }
        writer.close().map_err(parquet_error)?;
        Ok(())
    })
}

fn data_type(kind: FieldKind) -> DataType {
    match kind {
        FieldKind::Bool => DataType::Boolean,
        FieldKind::Int => DataType::Int64,
        FieldKind::Float => DataType::Float64,
        FieldKind::Date => DataType::Date32,
        FieldKind::String | FieldKind::Mixed => DataType::Utf8,
    }
}

fn arrow_schema(table: &OutputTable<'_>) -> SchemaRef {
    let mut fields: Vec<ArrowField> = table
        .fields
        .iter()
        .map(|f| ArrowField::new(&f.name, data_type(f.kind), true))
        .collect();
    if table.spatial {
        fields.push(ArrowField::new(GEOMETRY_COLUMN, DataType::Binary, true));
    }
    Arc::new(Schema::new(fields))
}

/// The `geo` file metadata: version, primary column, WKB encoding, CRS and bbox.
fn geo_metadata(table: &OutputTable<'_>) -> String {
    let bbox = table
        .rows
        .iter()
        .filter_map(|r| r.geometry.and_then(BoundingRect::bounding_rect))
        .reduce(|a, b| {
            geo::Rect::new(
                geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
                geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
            )
        });
    let mut column = serde_json::json!({
        "encoding": "WKB",
        "geometry_types": ["MultiPolygon"],
        "crs": crs_member(table.crs.as_ref()),
    });
    if let Some(r) = bbox {
        column["bbox"] = serde_json::json!([r.min().x, r.min().y, r.max().x, r.max().y]);
    }
    serde_json::json!({
        "version": "1.1.0",
        "primary_column": GEOMETRY_COLUMN,
        "columns": { GEOMETRY_COLUMN: column },
    })
    .to_string()
}

/// One batch of rows as Arrow arrays; `first` is the 0-based number of the first row.
fn record_batch(
    path: &Path,
    table: &OutputTable<'_>,
    schema: &SchemaRef,
    rows: &[OutputRow<'_>],
    first: usize,
) -> Result<RecordBatch> {
    let row_error = |row: usize, message: String| Error::Feature {
        path: path.to_path_buf(),
        feature: format!("#{}", first + row),
        message,
    };
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
    for (k, field) in table.fields.iter().enumerate() {
        let values = rows.iter().map(|r| r.values.get(k).unwrap_or(&Value::Null));
        let array = column_array(field.kind, values)
            .map_err(|(row, m)| row_error(row, format!("column `{}`: {m}", field.name)))?;
        columns.push(array);
    }
    if table.spatial {
        let mut buf = Vec::new();
        let mut offsets = Vec::with_capacity(rows.len());
        for (row, r) in rows.iter().enumerate() {
            match r.geometry {
                Some(g) => {
                    let start = buf.len();
                    encode_wkb(&mut buf, g).map_err(|m| row_error(row, m))?;
                    offsets.push(Some((start, buf.len())));
                }
                None => offsets.push(None),
            }
        }
        let wkb: BinaryArray = offsets.iter().map(|o| o.map(|(a, b)| &buf[a..b])).collect();
        columns.push(Arc::new(wkb));
    }
    RecordBatch::try_new(schema.clone(), columns)
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))
}

/// The Arrow array of one column; `(row, message)` for a value the column cannot hold.
fn column_array<'v>(
    kind: FieldKind,
    values: impl Iterator<Item = &'v Value>,
) -> std::result::Result<ArrayRef, (usize, String)> {
    let mismatch = |row: usize, v: &Value| (row, format!("a {kind:?} column cannot hold {v}"));
    Ok(match kind {
        FieldKind::Bool => Arc::new(
            values
                .enumerate()
                .map(|(row, v)| match v {
                    Value::Null => Ok(None),
                    Value::Bool(b) => Ok(Some(*b)),
                    other => Err(mismatch(row, other)),
                })
                .collect::<std::result::Result<BooleanArray, _>>()?,
        ),
        FieldKind::Int => Arc::new(
            values
                .enumerate()
                .map(|(row, v)| match v {
                    Value::Null => Ok(None),
                    Value::Int(i) => Ok(Some(*i)),
                    other => Err(mismatch(row, other)),
                })
                .collect::<std::result::Result<Int64Array, _>>()?,
        ),
        FieldKind::Float => Arc::new(
            values
                .enumerate()
                .map(|(row, v)| match v {
                    Value::Null => Ok(None),
                    Value::Int(_) | Value::Float(_) => Ok(v.as_f64()),
                    other => Err(mismatch(row, other)),
                })
                .collect::<std::result::Result<Float64Array, _>>()?,
        ),
        FieldKind::Date => Arc::new(
            values
                .enumerate()
                .map(|(row, v)| match (v, v.as_date()) {
                    (Value::Null, _) => Ok(None),
                    (_, Some(d)) => Ok(Some(days_since_epoch(d))),
                    (other, None) => Err(mismatch(row, other)),
                })
                .collect::<std::result::Result<Date32Array, _>>()?,
        ),
        FieldKind::String | FieldKind::Mixed => {
            Arc::new(values.map(Value::as_text).collect::<StringArray>())
        }
    })
}

/// Days from 1970-01-01 (Arrow's Date32).
fn days_since_epoch(date: chrono::NaiveDate) -> i32 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    i32::try_from(date.signed_duration_since(epoch).num_days()).unwrap_or(i32::MAX)
}
