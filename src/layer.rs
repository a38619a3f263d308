//! The in-memory layer model shared by every part of landpool.
//!
//! A [`Layer`] is a CRS plus features; a [`Feature`] is a stable id (source file + index,
//! plus an optional user-chosen key attribute), a `geo` MultiPolygon and typed attributes
//! stored in the order of the layer's schema.

use std::fmt;
use std::path::PathBuf;

use chrono::NaiveDate;
use geo::MultiPolygon;
use serde::{Deserialize, Serialize};

use crate::io::crs::Crs;

/// A typed attribute value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Date(NaiveDate),
    Str(String),
}

impl Value {
    /// Numeric view of the value (ints, floats, and strings that parse as numbers).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// Text view of the value; `None` for null.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Null => None,
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Date(d) => Some(d.to_string()),
            Value::Str(s) => Some(s.clone()),
        }
    }

    /// Date view: a date value, or a string in `YYYY-MM-DD` / `YYYYMMDD` / `YYYY/MM/DD` form,
    /// or such a date followed by a time (`2017-03-10T00:00:00Z`, `2017/03/10 00:00:00+00`:
    /// FileGDB and GeoPackage DATETIME columns), whose date part is taken.
    pub fn as_date(&self) -> Option<NaiveDate> {
        match self {
            Value::Date(d) => Some(*d),
            Value::Str(s) => {
                let s = s.trim();
                let date_part = match s.char_indices().nth(10) {
                    Some((i, 'T' | ' ')) => &s[..i],
                    _ => s,
                };
                ["%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"]
                    .iter()
                    .find_map(|f| NaiveDate::parse_from_str(date_part, f).ok())
            }
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_text() {
            Some(t) => f.write_str(&t),
            None => f.write_str("null"),
        }
    }
}

/// The type of an attribute column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    Bool,
    Int,
    Float,
    Date,
    String,
    /// Mixed or unknown (e.g. a GeoJSON property with values of several types).
    Mixed,
}

/// One attribute column of a layer's schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    pub kind: FieldKind,
}

/// A feature of an area layer.
#[derive(Debug, Clone)]
pub struct Feature {
    /// 0-based position of the feature in its source file (stable id part 1).
    pub index: usize,
    /// Value of the user-chosen id attribute, if one was named (stable id part 2).
    pub key: Option<String>,
    pub geometry: MultiPolygon<f64>,
    /// Attribute values in the order of [`Layer::schema`].
    pub attributes: Vec<Value>,
}

/// A printable, stable reference to a feature: `file#index` or `file#index(key)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FeatureRef {
    pub source: String,
    pub index: usize,
    pub key: Option<String>,
}

impl fmt::Display for FeatureRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(k) => write!(f, "{}#{} ({})", self.source, self.index, k),
            None => write!(f, "{}#{}", self.source, self.index),
        }
    }
}

/// A layer of area features in one CRS.
#[derive(Debug, Clone)]
pub struct Layer {
    /// Where the layer came from (file path, or a synthetic name).
    pub source: PathBuf,
    /// Layer name (file stem, or the layer name inside a multi-layer source).
    pub name: String,
    /// `None` when the source declares no CRS and none was assumed.
    pub crs: Option<Crs>,
    pub schema: Vec<Field>,
    pub features: Vec<Feature>,
}

impl Layer {
    /// Position of an attribute in the schema.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.schema.iter().position(|f| f.name == name)
    }

    /// An attribute of a feature by field name (`None` if the field does not exist).
    pub fn attr<'a>(&self, feature: &'a Feature, name: &str) -> Option<&'a Value> {
        self.field_index(name)
            .and_then(|i| feature.attributes.get(i))
    }

    /// The stable reference of a feature of this layer.
    pub fn feature_ref(&self, feature: &Feature) -> FeatureRef {
        FeatureRef {
            source: self.source.display().to_string(),
            index: feature.index,
            key: feature.key.clone(),
        }
    }

    /// Sets each feature's key from the named attribute; errors if the field is missing.
    pub fn set_key_field(&mut self, name: &str) -> crate::Result<()> {
        let i = self
            .field_index(name)
            .ok_or_else(|| crate::Error::Feature {
                path: self.source.clone(),
                feature: "(schema)".into(),
                message: format!(
                    "id attribute `{name}` not found; fields are: {}",
                    self.schema
                        .iter()
                        .map(|f| f.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })?;
        for f in &mut self.features {
            f.key = f.attributes.get(i).and_then(Value::as_text);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_with_a_time_part_read_as_their_date() {
        let d = NaiveDate::from_ymd_opt(2017, 3, 10);
        for s in [
            "2017-03-10",
            "20170310",
            "2017/03/10",
            "2017-03-10T00:00:00Z",
            "2017-03-10T08:30:00+08:00",
            "2017/03/10 00:00:00+00",
            " 2017-03-10 ",
        ] {
            assert_eq!(Value::Str(s.into()).as_date(), d, "{s}");
        }
        for s in ["2017-03-10X00", "10/03/2017", "", "2017-13-10"] {
            assert_eq!(Value::Str(s.into()).as_date(), None, "{s}");
        }
        assert_eq!(Value::Int(20170310).as_date(), None);
    }
}
