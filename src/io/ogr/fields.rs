//! OGR attribute fields: what landpool keeps of each type when reading, and the columns it
//! creates when writing.

use super::*;

/// What landpool keeps of an OGR field.
#[derive(Debug, Clone, Copy)]
pub(super) enum FieldMapping {
    Bool,
    Int,
    Float,
    Date,
    DateTime,
    Text,
    Skip,
}

pub(super) fn field_mappings<L: LayerAccess>(layer: &L) -> Vec<(String, FieldMapping)> {
    let defn_handle = unsafe { gdal_sys::OGR_L_GetLayerDefn(layer.c_layer()) };
    layer
        .defn()
        .fields()
        .enumerate()
        .map(|(i, f)| {
            let subtype = i32::try_from(i)
                .ok()
                .map(|i| unsafe {
                    let fd = gdal_sys::OGR_FD_GetFieldDefn(defn_handle, i);
                    if fd.is_null() {
                        gdal_sys::OGRFieldSubType::OFSTNone
                    } else {
                        gdal_sys::OGR_Fld_GetSubType(fd)
                    }
                })
                .unwrap_or(gdal_sys::OGRFieldSubType::OFSTNone);
            let mapping = match f.field_type() {
                OGRFieldType::OFTInteger if subtype == gdal_sys::OGRFieldSubType::OFSTBoolean => {
                    FieldMapping::Bool
                }
                OGRFieldType::OFTInteger | OGRFieldType::OFTInteger64 => FieldMapping::Int,
                OGRFieldType::OFTReal => FieldMapping::Float,
                OGRFieldType::OFTDate => FieldMapping::Date,
                OGRFieldType::OFTDateTime => FieldMapping::DateTime,
                OGRFieldType::OFTBinary => FieldMapping::Skip,
                _ => FieldMapping::Text,
            };
            (f.name(), mapping)
        })
        .collect()
}

pub(super) fn read_value(
    feature: &gdal::vector::Feature,
    i: usize,
    mapping: FieldMapping,
) -> std::result::Result<Value, String> {
    let err = |e: gdal::errors::GdalError| gdal_message(&e);
    // OGR tells "unset" (FlatGeobuf, GeoJSON: the property is absent) apart from NULL; the
    // safe API tests only NULL and reads an unset integer as 0. Both are no value here.
    let idx = i32::try_from(i).map_err(|_| format!("field index {i} out of range"))?;
    // SAFETY: the handle belongs to `feature`, alive for this call; `idx` is a field of it.
    if unsafe { gdal_sys::OGR_F_IsFieldSetAndNotNull(feature.c_feature(), idx) } == 0 {
        return Ok(Value::Null);
    }
    Ok(match mapping {
        FieldMapping::Skip => Value::Null,
        FieldMapping::Bool => match feature.field(i).map_err(err)? {
            None => Value::Null,
            Some(v) => Value::Bool(v.into_int64().unwrap_or(0) != 0),
        },
        FieldMapping::Int => match feature.field(i).map_err(err)? {
            None => Value::Null,
            Some(v) => v.into_int64().map_or(Value::Null, Value::Int),
        },
        FieldMapping::Float => match feature.field(i).map_err(err)? {
            None => Value::Null,
            Some(FieldValue::RealValue(x)) => Value::Float(x),
            Some(other) => other.into_real().map_or(Value::Null, Value::Float),
        },
        FieldMapping::Date => match feature.field(i).map_err(err)? {
            None => Value::Null,
            Some(v) => v.into_date().map_or(Value::Null, Value::Date),
        },
        // Some drivers (FlatGeobuf) hold text GDAL cannot split into a date and time: then
        // the text itself (empty text: no value).
        FieldMapping::DateTime => match feature.field(i) {
            Ok(None) => Value::Null,
            Ok(Some(v)) => v
                .into_datetime()
                .map_or(Value::Null, |t| Value::Str(t.to_rfc3339())),
            Err(_) => match feature.field_as_string(i).map_err(err)? {
                Some(text) if !text.trim().is_empty() => Value::Str(text),
                _ => Value::Null,
            },
        },
        FieldMapping::Text => match feature.field_as_string(i).map_err(err)? {
            None => Value::Null,
            Some(s) => Value::Str(s),
        },
    })
}

/// Adds a column; booleans get OGR's Boolean subtype (PostgreSQL `boolean`), which the
/// safe API cannot set.
pub(super) fn add_field<L: LayerAccess>(
    layer: &L,
    field: &Field,
) -> std::result::Result<(), String> {
    let name = std::ffi::CString::new(field.name.as_str())
        .map_err(|_| "the name holds a NUL character".to_string())?;
    // SAFETY: the field definition is created, used and destroyed here; OGR_L_CreateField
    // copies it.
    unsafe {
        let defn = gdal_sys::OGR_Fld_Create(name.as_ptr(), ogr_field_type(field.kind));
        if defn.is_null() {
            return Err("GDAL could not make the field definition".into());
        }
        if field.kind == FieldKind::Bool {
            gdal_sys::OGR_Fld_SetSubType(defn, gdal_sys::OGRFieldSubType::OFSTBoolean);
        }
        let err = gdal_sys::OGR_L_CreateField(layer.c_layer(), defn, 1);
        gdal_sys::OGR_Fld_Destroy(defn);
        if err != gdal_sys::OGRErr::OGRERR_NONE {
            return Err(last_gdal_error());
        }
    }
    Ok(())
}

pub(super) fn ogr_field_type(kind: FieldKind) -> OGRFieldType::Type {
    match kind {
        FieldKind::Bool => OGRFieldType::OFTInteger,
        FieldKind::Int => OGRFieldType::OFTInteger64,
        FieldKind::Float => OGRFieldType::OFTReal,
        FieldKind::Date => OGRFieldType::OFTDate,
        FieldKind::String | FieldKind::Mixed => OGRFieldType::OFTString,
    }
}
