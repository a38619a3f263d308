//! Reading GeoParquet files as area layers.

use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Schema};
use geo::MultiPolygon;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value as Json;

use super::crs::{LANDPOOL_CRS_KEY, crs_of_column};
use super::{BATCH_ROWS, parse_error};
use crate::error::{Error, Result};
use crate::io::ReadOptions;
use crate::io::wkb::decode_wkb;
use crate::model::crs::Crs;
use crate::model::layer::{Feature, Field, FieldKind, Layer, Value};
use crate::model::source_label::SourceLabel;

/// Reads a GeoParquet file (WKB geometry column, `geo` metadata) as an area layer: the
/// primary geometry column gives the geometries, the other scalar columns the attributes
/// (integers → `Int`, floats and decimals → `Float`, booleans, text and dictionary-encoded
/// text → `String`, dates → `Date`, timestamps → `String` in ISO form); list, struct and
/// binary columns and pandas' `__index_level_N__` are not read.
pub fn read_parquet(path: &Path, opts: &ReadOptions) -> Result<Layer> {
    // arrow-rs errors on malformed files, but a panic on any input would be a bug here.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_checked(path, opts)))
        .unwrap_or_else(|_| Err(parse_error(path, "malformed Parquet file".into())))
}

/// The columns to read and how.
struct ReadPlan {
    geometry_column: usize,
    crs: Option<Crs>,
    /// (column index in the file, its kind); in file order.
    attributes: Vec<(usize, FieldKind)>,
    fields: Vec<Field>,
}

fn read_checked(path: &Path, opts: &ReadOptions) -> Result<Layer> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let not_parquet = |e: parquet::errors::ParquetError| {
        parse_error(path, format!("not a readable Parquet file: {e}"))
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(not_parquet)?;
    let key_value = |key: &str| -> Option<String> {
        builder
            .metadata()
            .file_metadata()
            .key_value_metadata()?
            .iter()
            .find(|kv| kv.key == key)?
            .value
            .clone()
    };
    let geo = key_value("geo").ok_or_else(|| {
        parse_error(
            path,
            "a Parquet file without `geo` metadata is not GeoParquet (no geometry column \
             is declared)"
                .into(),
        )
    })?;
    let mut plan = read_plan(path, builder.schema(), &geo, key_value(LANDPOOL_CRS_KEY))?;
    if let Some(c) = &opts.assume_crs {
        plan.crs = Some(c.clone());
    }
    let mut roots: Vec<usize> = plan.attributes.iter().map(|(i, _)| *i).collect();
    roots.push(plan.geometry_column);
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let expected = usize::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(not_parquet)?;
    let mut features = Vec::with_capacity(expected.min(1 << 24));
    for batch in reader {
        let batch = batch.map_err(|e| {
            parse_error(path, format!("reading rows from #{}: {e}", features.len()))
        })?;
        read_batch(path, &batch, &plan, &mut features)?;
    }
    Ok(Layer {
        source: SourceLabel::file(path, None),
        name: crate::io::layer_name(path),
        crs: plan.crs,
        schema: plan.fields,
        features,
    })
}

/// The plan from the Arrow schema and the `geo` metadata.
fn read_plan(
    path: &Path,
    schema: &Schema,
    geo: &str,
    landpool_crs: Option<String>,
) -> Result<ReadPlan> {
    let meta: Json = serde_json::from_str(geo)
        .map_err(|e| parse_error(path, format!("`geo` metadata is not JSON: {e}")))?;
    let primary = meta
        .get("primary_column")
        .and_then(Json::as_str)
        .ok_or_else(|| parse_error(path, "`geo` metadata names no primary_column".into()))?;
    let column = meta
        .get("columns")
        .and_then(|c| c.get(primary))
        .ok_or_else(|| {
            parse_error(
                path,
                format!("`geo` metadata does not describe the primary column `{primary}`"),
            )
        })?;
    let encoding = column.get("encoding").and_then(Json::as_str).unwrap_or("");
    if !encoding.eq_ignore_ascii_case("WKB") {
        return Err(parse_error(
            path,
            format!(
                "geometry column `{primary}` has the encoding `{encoding}`; landpool reads \
                 WKB-encoded GeoParquet (e.g. GeoPandas `to_parquet(geometry_encoding=\"WKB\")`, \
                 the default)"
            ),
        ));
    }
    let crs = crs_of_column(path, column, landpool_crs.as_deref())?;
    let (geometry_column, _) = schema.column_with_name(primary).ok_or_else(|| {
        parse_error(
            path,
            format!("the primary geometry column `{primary}` is missing"),
        )
    })?;
    let mut plan = ReadPlan {
        geometry_column,
        crs,
        attributes: Vec::new(),
        fields: Vec::new(),
    };
    for (i, field) in schema.fields().iter().enumerate() {
        let name = field.name();
        let geometry = meta.get("columns").and_then(|c| c.get(name)).is_some();
        if i == geometry_column || geometry || name.starts_with("__index_level_") {
            continue;
        }
        if let Some(kind) = field_kind(field.data_type()) {
            plan.attributes.push((i, kind));
            plan.fields.push(Field {
                name: name.clone(),
                kind,
            });
        }
    }
    Ok(plan)
}

/// The kind of an attribute column; `None` for columns that are not read.
fn field_kind(data_type: &DataType) -> Option<FieldKind> {
    Some(match data_type {
        DataType::Boolean => FieldKind::Bool,
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => FieldKind::Int,
        DataType::Float16
        | DataType::Float32
        | DataType::Float64
        | DataType::Decimal128(..)
        | DataType::Decimal256(..) => FieldKind::Float,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => FieldKind::String,
        DataType::Timestamp(..) => FieldKind::String,
        DataType::Date32 | DataType::Date64 => FieldKind::Date,
        DataType::Dictionary(_, values) if field_kind(values) == Some(FieldKind::String) => {
            FieldKind::String
        }
        _ => return None,
    })
}

/// Appends the rows of one batch (columns in plan order, the geometry last).
fn read_batch(
    path: &Path,
    batch: &RecordBatch,
    plan: &ReadPlan,
    features: &mut Vec<Feature>,
) -> Result<()> {
    let first = features.len();
    let n_attributes = plan.attributes.len();
    let geometries = geometry_values(path, batch.column(n_attributes).as_ref(), first)?;
    let mut columns = Vec::with_capacity(n_attributes);
    for (k, field) in plan.fields.iter().enumerate() {
        let values = column_values(batch.column(k).as_ref())
            .map_err(|message| parse_error(path, format!("column `{}`: {message}", field.name)))?;
        columns.push(values.into_iter());
    }
    for (offset, geometry) in geometries.into_iter().enumerate() {
        let attributes = columns
            .iter_mut()
            .map(|c| c.next().unwrap_or(Value::Null))
            .collect();
        features.push(Feature {
            index: first + offset,
            key: None,
            geometry,
            attributes,
        });
    }
    Ok(())
}

/// The geometries of a WKB column (`Binary`, `LargeBinary` or `BinaryView`); null is empty.
fn geometry_values(path: &Path, array: &dyn Array, first: usize) -> Result<Vec<MultiPolygon<f64>>> {
    let decode = |row: usize, bytes: Option<&[u8]>| match bytes {
        None => Ok(MultiPolygon::new(vec![])),
        Some(b) => decode_wkb(b).map_err(|message| Error::Feature {
            path: path.to_path_buf(),
            feature: format!("#{}", first + row),
            message: format!("geometry: {message}"),
        }),
    };
    let collect = |iter: &mut dyn Iterator<Item = Option<&[u8]>>| {
        iter.enumerate()
            .map(|(row, bytes)| decode(row, bytes))
            .collect::<Result<Vec<_>>>()
    };
    match array.data_type() {
        DataType::Binary => collect(&mut array.as_binary::<i32>().iter()),
        DataType::LargeBinary => collect(&mut array.as_binary::<i64>().iter()),
        DataType::BinaryView => collect(&mut array.as_binary_view().iter()),
        other => Err(parse_error(
            path,
            format!("the WKB geometry column is stored as {other}, not as binary"),
        )),
    }
}

/// The values of an attribute column (of a kind [`field_kind`] accepts).
fn column_values(array: &dyn Array) -> std::result::Result<Vec<Value>, String> {
    macro_rules! ints {
        ($t:ty) => {
            array
                .as_primitive::<$t>()
                .iter()
                .map(|v| v.map_or(Value::Null, |v| Value::Int(v.into())))
                .collect()
        };
    }
    macro_rules! floats {
        ($t:ty) => {
            array
                .as_primitive::<$t>()
                .iter()
                .map(|v| v.map_or(Value::Null, |v| Value::Float(f64::from(v))))
                .collect()
        };
    }
    let texts = |iter: &mut dyn Iterator<Item = Option<&str>>| -> Vec<Value> {
        iter.map(|v| v.map_or(Value::Null, |s| Value::Str(s.to_string())))
            .collect()
    };
    Ok(match array.data_type() {
        DataType::Boolean => array
            .as_boolean()
            .iter()
            .map(|v| v.map_or(Value::Null, Value::Bool))
            .collect(),
        DataType::Int8 => ints!(Int8Type),
        DataType::Int16 => ints!(Int16Type),
        DataType::Int32 => ints!(Int32Type),
        DataType::Int64 => ints!(Int64Type),
        DataType::UInt8 => ints!(UInt8Type),
        DataType::UInt16 => ints!(UInt16Type),
        DataType::UInt32 => ints!(UInt32Type),
        DataType::UInt64 => array
            .as_primitive::<UInt64Type>()
            .iter()
            .map(|v| match v.map(i64::try_from) {
                None => Ok(Value::Null),
                Some(Ok(i)) => Ok(Value::Int(i)),
                Some(Err(_)) => Err("an unsigned value beyond the 64-bit integer range".into()),
            })
            .collect::<std::result::Result<_, String>>()?,
        DataType::Float16 => array
            .as_primitive::<Float16Type>()
            .iter()
            .map(|v| v.map_or(Value::Null, |v| Value::Float(v.to_f64())))
            .collect(),
        DataType::Float32 => floats!(Float32Type),
        DataType::Float64 => floats!(Float64Type),
        DataType::Utf8 => texts(&mut array.as_string::<i32>().iter()),
        DataType::LargeUtf8 => texts(&mut array.as_string::<i64>().iter()),
        DataType::Utf8View => texts(&mut array.as_string_view().iter()),
        DataType::Date32 => array
            .as_primitive::<Date32Type>()
            .iter()
            .map(|d| d.and_then(date_from_days).map_or(Value::Null, Value::Date))
            .collect(),
        DataType::Date64 => array
            .as_primitive::<Date64Type>()
            .iter()
            .map(|v| {
                v.and_then(chrono::DateTime::from_timestamp_millis)
                    .map_or(Value::Null, |t| Value::Date(t.date_naive()))
            })
            .collect(),
        DataType::Decimal128(..) | DataType::Decimal256(..) | DataType::Timestamp(..) => (0..array
            .len())
            .map(|row| display_value(array, row))
            .collect::<std::result::Result<_, String>>()?,
        DataType::Dictionary(..) => dictionary_values(array)?,
        other => return Err(format!("columns of type {other} are not read")),
    })
}

/// A Date32 value: days from 1970-01-01.
fn date_from_days(days: i32) -> Option<chrono::NaiveDate> {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
    epoch.checked_add_signed(chrono::TimeDelta::try_days(i64::from(days))?)
}

/// A decimal (as a float) or a timestamp (as ISO text) through Arrow's display formatter.
fn display_value(array: &dyn Array, row: usize) -> std::result::Result<Value, String> {
    if array.is_null(row) {
        return Ok(Value::Null);
    }
    let options = arrow_cast_free_format(array, row)?;
    Ok(match array.data_type() {
        DataType::Timestamp(..) => Value::Str(options),
        _ => options
            .parse::<f64>()
            .map(Value::Float)
            .map_err(|_| format!("decimal `{options}` is not a number"))?,
    })
}

/// Arrow's own text of one value (the crates here do not include arrow-cast's formatter:
/// decimals and timestamps are formatted from their parts).
fn arrow_cast_free_format(array: &dyn Array, row: usize) -> std::result::Result<String, String> {
    use arrow_array::types::{Decimal128Type, Decimal256Type};
    use arrow_schema::TimeUnit;
    match array.data_type() {
        DataType::Decimal128(_, scale) => {
            let v = array.as_primitive::<Decimal128Type>().value(row);
            Ok(format!("{v}e{}", -i16::from(*scale)))
        }
        DataType::Decimal256(_, scale) => {
            let v = array.as_primitive::<Decimal256Type>().value(row);
            Ok(format!("{v}e{}", -i16::from(*scale)))
        }
        DataType::Timestamp(unit, _) => {
            use arrow_array::types::{
                TimestampMicrosecondType as Us, TimestampMillisecondType as Ms,
                TimestampNanosecondType as Ns, TimestampSecondType as S,
            };
            let time = match unit {
                TimeUnit::Second => {
                    chrono::DateTime::from_timestamp(array.as_primitive::<S>().value(row), 0)
                }
                TimeUnit::Millisecond => {
                    chrono::DateTime::from_timestamp_millis(array.as_primitive::<Ms>().value(row))
                }
                TimeUnit::Microsecond => {
                    chrono::DateTime::from_timestamp_micros(array.as_primitive::<Us>().value(row))
                }
                TimeUnit::Nanosecond => Some(chrono::DateTime::from_timestamp_nanos(
                    array.as_primitive::<Ns>().value(row),
                )),
            };
            time.map(|t| t.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f").to_string())
                .ok_or_else(|| "timestamp out of range".to_string())
        }
        other => Err(format!("columns of type {other} are not read")),
    }
}

/// Dictionary-encoded text (pandas categoricals): each row's text.
fn dictionary_values(array: &dyn Array) -> std::result::Result<Vec<Value>, String> {
    let dictionary = array
        .as_any_dictionary_opt()
        .ok_or_else(|| "not a dictionary column".to_string())?;
    let values = column_values(dictionary.values().as_ref())?;
    let keys = dictionary.normalized_keys();
    Ok(keys
        .iter()
        .enumerate()
        .map(|(row, &key)| {
            if array.is_null(row) {
                Value::Null
            } else {
                values.get(key).cloned().unwrap_or(Value::Null)
            }
        })
        .collect())
}
