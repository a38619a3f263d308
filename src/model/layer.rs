//! The in-memory layer model shared by every part of landpool.
//!
//! A [`Layer`] is a CRS plus features; a [`Feature`] is a stable id (source file + index,
//! plus an optional user-chosen key attribute), a `geo` MultiPolygon and typed attributes
//! stored in the order of the layer's schema.

use std::fmt;

use chrono::NaiveDate;
use geo::MultiPolygon;
use serde::{Deserialize, Serialize};

use crate::model::crs::Crs;
use crate::model::source_label::SourceLabel;

/// A typed attribute value.
///
/// Serialised untagged (a date as its `YYYY-MM-DD` text, null as null). Deserialising
/// cannot tell a date from a text that looks like one, so it never guesses: JSON text is
/// always [`Value::Str`] (read it as a date with [`Value::as_date`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// No value (NULL, an absent GeoJSON property, an empty dBase field).
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A calendar date.
    Date(NaiveDate),
    /// Text.
    Str(String),
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

/// Reads null, booleans, numbers and text; text stays text (see [`Value`]).
struct ValueVisitor;

impl serde::de::Visitor<'_> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("null, a boolean, a number or a string")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Int(i))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        // Beyond i64, as the untagged derive did: the nearest float.
        Ok(i64::try_from(u).map_or(Value::Float(u as f64), Value::Int))
    }

    fn visit_f64<E>(self, x: f64) -> Result<Value, E> {
        Ok(Value::Float(x))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::Str(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::Str(s))
    }
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

    /// True for [`Value::Null`].
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
    /// Booleans.
    Bool,
    /// Integers.
    Int,
    /// Floating-point numbers.
    Float,
    /// Dates.
    Date,
    /// Text.
    String,
    /// Mixed or unknown (e.g. a GeoJSON property with values of several types).
    Mixed,
}

/// One attribute column of a layer's schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// Column name, as in the source.
    pub name: String,
    /// Column type.
    pub kind: FieldKind,
}

/// The position of an attribute column in a layer's schema, found once by
/// [`Layer::column`] and then used for every feature ([`Feature::get`]) instead of a search
/// by name per feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ColumnIndex(usize);

impl ColumnIndex {
    /// The 0-based position in [`Layer::schema`] and [`Feature::attributes`].
    pub fn get(self) -> usize {
        self.0
    }
}

/// A feature of an area layer.
#[derive(Debug, Clone)]
pub struct Feature {
    /// 0-based position of the feature in its source file (stable id part 1).
    pub index: usize,
    /// Value of the user-chosen id attribute, if one was named (stable id part 2).
    pub key: Option<String>,
    /// The area geometry (empty when the source has none for this feature).
    pub geometry: MultiPolygon<f64>,
    /// Attribute values in the order of [`Layer::schema`].
    pub attributes: Vec<Value>,
}

impl Feature {
    /// The value in a column of its layer (`None` when the feature has fewer attributes).
    pub fn get(&self, column: ColumnIndex) -> Option<&Value> {
        self.attributes.get(column.0)
    }
}

/// A printable, stable reference to a feature: `file#index` or `file#index(key)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FeatureRef {
    /// The layer's [`Layer::source`], as printed.
    pub source: String,
    /// [`Feature::index`].
    pub index: usize,
    /// [`Feature::key`].
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
    /// Where the layer came from: a file, a layer of a file, a database (without password)
    /// or an in-memory name.
    pub source: SourceLabel,
    /// Layer name (file stem, or the layer name inside a multi-layer source).
    pub name: String,
    /// `None` when the source declares no CRS and none was assumed.
    pub crs: Option<Crs>,
    /// The attribute columns, in the order of every feature's [`Feature::attributes`].
    pub schema: Vec<Field>,
    /// The features, in source order.
    pub features: Vec<Feature>,
}

impl Layer {
    /// Position of an attribute in the schema.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.schema.iter().position(|f| f.name == name)
    }

    /// The column of the attribute `name`, to read it from every feature with
    /// [`Feature::get`] (`None` if the layer has no such field).
    pub fn column(&self, name: &str) -> Option<ColumnIndex> {
        self.field_index(name).map(ColumnIndex)
    }

    /// An attribute of a feature by field name (`None` if the field does not exist).
    /// Searches the schema on every call: for a loop over features, resolve the column once
    /// with [`Layer::column`].
    pub fn attr<'a>(&self, feature: &'a Feature, name: &str) -> Option<&'a Value> {
        self.column(name).and_then(|c| feature.get(c))
    }

    /// The stable reference of a feature of this layer.
    pub fn feature_ref(&self, feature: &Feature) -> FeatureRef {
        FeatureRef {
            source: self.source.to_string(),
            index: feature.index,
            key: feature.key.clone(),
        }
    }

    /// Sets each feature's key from the named attribute; errors if the field is missing.
    pub fn set_key_field(&mut self, name: &str) -> crate::Result<()> {
        let column = self.column(name).ok_or_else(|| crate::Error::Feature {
            path: self.source.to_path_buf(),
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
            f.key = f.get(column).and_then(Value::as_text);
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

    #[test]
    fn date_like_strings_deserialize_as_strings() {
        let v: Value = serde_json::from_str(r#""2017-03-10""#).unwrap();
        assert_eq!(v, Value::Str("2017-03-10".into()));
        // Round trip of a date: the text comes back, and still reads as the date.
        let date = Value::Date(NaiveDate::from_ymd_opt(2017, 3, 10).unwrap());
        let back: Value = serde_json::from_str(&serde_json::to_string(&date).unwrap()).unwrap();
        assert_eq!(back, Value::Str("2017-03-10".into()));
        assert_eq!(back.as_date(), date.as_date());
        let all: Vec<Value> =
            serde_json::from_str(r#"[null, true, 3, -4, 2.5, 18446744073709551615, "x"]"#).unwrap();
        assert_eq!(
            all,
            vec![
                Value::Null,
                Value::Bool(true),
                Value::Int(3),
                Value::Int(-4),
                Value::Float(2.5),
                Value::Float(u64::MAX as f64),
                Value::Str("x".into()),
            ]
        );
        assert!(serde_json::from_str::<Value>("[1]").is_err());
    }

    #[test]
    fn columns_are_resolved_once_and_read_per_feature() {
        let layer = Layer {
            source: "mem".into(),
            name: "mem".into(),
            crs: None,
            schema: vec![
                Field {
                    name: "a".into(),
                    kind: FieldKind::Int,
                },
                Field {
                    name: "b".into(),
                    kind: FieldKind::String,
                },
            ],
            features: vec![Feature {
                index: 0,
                key: None,
                geometry: MultiPolygon::new(vec![]),
                attributes: vec![Value::Int(1), Value::Str("x".into())],
            }],
        };
        let b = layer.column("b").unwrap();
        assert_eq!(b.get(), 1);
        assert_eq!(layer.features[0].get(b), Some(&Value::Str("x".into())));
        assert_eq!(layer.column("c"), None);
        assert_eq!(layer.attr(&layer.features[0], "a"), Some(&Value::Int(1)));
    }
}
