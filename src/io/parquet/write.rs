//! Writing output tables as GeoParquet 1.1: a WKB `geometry` column (MultiPolygons), the
//! attribute columns typed from the table's fields, `geo` metadata with the CRS and bbox.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch,
    StringArray,
};
use arrow_schema::{DataType, Field as ArrowField, Schema, SchemaRef};
use geo::{BoundingRect, Rect, coord};
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
use crate::model::crs::Crs;
use crate::model::layer::{Field, FieldKind, Value};

/// Name of the geometry column written.
pub const GEOMETRY_COLUMN: &str = "geometry";

/// Writes an [`OutputTable`] as GeoParquet, atomically and streaming (one row group per
/// 65,536 rows, Snappy). A spatial table gets a WKB `geometry` column (a row without a
/// geometry has a null one) and `geo` metadata; an attribute table is plain Parquet. The
/// file holds nothing time-dependent: the same table gives byte-identical files.
pub fn write_table_parquet(path: &Path, table: &OutputTable<'_>) -> Result<()> {
    write_atomic(path, |w| {
        let mut writer =
            GeoParquetWriter::begin(w, path, table.crs.as_ref(), &table.fields, table.spatial)?;
        for rows in table.rows.chunks(BATCH_ROWS) {
            writer.write_rows(rows)?;
        }
        writer.finish()?;
        Ok(())
    })
}

/// A streaming GeoParquet writer: [`begin`](Self::begin), any number of
/// [`write_rows`](Self::write_rows) (each call is one record batch; row groups hold 65,536
/// rows), then [`finish`](Self::finish), which adds the `geo` metadata (with the bbox of
/// every geometry written) to the footer.
pub struct GeoParquetWriter<W: Write + Send> {
    writer: ArrowWriter<W>,
    schema: SchemaRef,
    fields: Vec<Field>,
    spatial: bool,
    crs: Option<Crs>,
    bbox: Option<Rect<f64>>,
    rows: usize,
    /// Only used to name the file in errors.
    path: PathBuf,
}

impl<W: Write + Send> GeoParquetWriter<W> {
    /// Starts a file with the given attribute columns, plus a WKB `geometry` column when
    /// `spatial`.
    pub fn begin(
        out: W,
        path: &Path,
        crs: Option<&Crs>,
        fields: &[Field],
        spatial: bool,
    ) -> Result<Self> {
        let schema = arrow_schema(fields, spatial);
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(BATCH_ROWS))
            .build();
        let writer = ArrowWriter::try_new(out, schema.clone(), Some(properties))
            .map_err(|e| parquet_error(path, e))?;
        Ok(GeoParquetWriter {
            writer,
            schema,
            fields: fields.to_vec(),
            spatial,
            crs: crs.cloned(),
            bbox: None,
            rows: 0,
            path: path.to_path_buf(),
        })
    }

    /// Writes rows (values in the order of the fields given to [`begin`](Self::begin)).
    pub fn write_rows(&mut self, rows: &[OutputRow<'_>]) -> Result<()> {
        let batch = record_batch(
            &self.path,
            &self.fields,
            self.spatial,
            &self.schema,
            rows,
            self.rows,
        )?;
        for g in rows.iter().filter_map(|r| r.geometry) {
            if let Some(r) = g.bounding_rect() {
                self.bbox = Some(match self.bbox {
                    None => r,
                    Some(b) => Rect::new(
                        coord! { x: b.min().x.min(r.min().x), y: b.min().y.min(r.min().y) },
                        coord! { x: b.max().x.max(r.max().x), y: b.max().y.max(r.max().y) },
                    ),
                });
            }
        }
        self.rows += rows.len();
        self.writer
            .write(&batch)
            .map_err(|e| parquet_error(&self.path, e))
    }

    /// Adds the `geo` (and `landpool:crs`) metadata, writes the footer and returns the
    /// underlying writer.
    pub fn finish(mut self) -> Result<W> {
        if self.spatial {
            let geo = geo_metadata(self.crs.as_ref(), self.bbox);
            self.writer
                .append_key_value_metadata(KeyValue::new("geo".into(), geo));
            if let Some(text) = self.crs.as_ref().and_then(landpool_crs_text) {
                self.writer
                    .append_key_value_metadata(KeyValue::new(LANDPOOL_CRS_KEY.into(), text));
            }
        }
        // into_inner flushes the last row group and writes the footer.
        self.writer
            .into_inner()
            .map_err(|e| parquet_error(&self.path, e))
    }
}

fn parquet_error(path: &Path, e: parquet::errors::ParquetError) -> Error {
    Error::io(path, std::io::Error::other(e.to_string()))
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

fn arrow_schema(fields: &[Field], spatial: bool) -> SchemaRef {
    let mut arrow_fields: Vec<ArrowField> = fields
        .iter()
        .map(|f| ArrowField::new(&f.name, data_type(f.kind), true))
        .collect();
    if spatial {
        arrow_fields.push(ArrowField::new(GEOMETRY_COLUMN, DataType::Binary, true));
    }
    Arc::new(Schema::new(arrow_fields))
}

/// The `geo` file metadata: version, primary column, WKB encoding, CRS and bbox.
fn geo_metadata(crs: Option<&Crs>, bbox: Option<Rect<f64>>) -> String {
    let mut column = serde_json::json!({
        "encoding": "WKB",
        "geometry_types": ["MultiPolygon"],
        "crs": crs_member(crs),
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
    fields: &[Field],
    spatial: bool,
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
    for (k, field) in fields.iter().enumerate() {
        let values = rows.iter().map(|r| r.values.get(k).unwrap_or(&Value::Null));
        let array = column_array(field.kind, values)
            .map_err(|(row, m)| row_error(row, format!("column `{}`: {m}", field.name)))?;
        columns.push(array);
    }
    if spatial {
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
