//! The in-memory model shared by every part of landpool: plain data, no file formats.
//!
//! * [`layer`] — a [`Layer`] is a [`SourceLabel`], a name, an optional [`Crs`], a schema
//!   of typed [`Field`]s and its [`Feature`]s; a feature is a stable id (position in the
//!   source, plus an optional user-chosen key attribute), a `geo` MultiPolygon and its
//!   attribute [`Value`]s in schema order. Columns are resolved once by name
//!   ([`Layer::column`]) and read per feature by position ([`Feature::get`]).
//! * [`crs`] — the [`Crs`] data type and its format-free constructors (WGS84, the local
//!   planar system, GCJ-02) and predicates. Identification from EPSG codes, proj4 or WKT,
//!   and reprojection, are in `crate::io::crs`.
//! * [`source_label`] — where a layer came from, as printed in feature references and
//!   messages; a database label never holds a password.
//!
//! The model depends on nothing else in the crate: readers (`crate::io`) build it, the
//! geometry and policy engines read it.

pub mod crs;
pub mod layer;
pub mod source_label;

pub use crs::{Crs, CrsKind};
pub use layer::{ColumnIndex, Feature, FeatureRef, Field, FieldKind, Layer, Value};
pub use source_label::SourceLabel;
