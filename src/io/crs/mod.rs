//! Coordinate reference systems: identification, transformation, and whether areas may be
//! computed.
//!
//! The [`Crs`] type itself is part of the model (`crate::model::crs`). Here:
//! * identify — a [`Crs`] from a user string ([`Crs::parse`]: `EPSG:4547`, a
//!   proj4 string, `local`, `gcj02`, ...), an EPSG code ([`Crs::from_epsg`]), or WKT such as
//!   a Shapefile `.prj` or a GeoPackage definition ([`Crs::from_wkt`]);
//! * transform — a [`Transformer`] between two CRSs, computed by a [`Backend`]: the
//!   pure-Rust `proj4rs` by default, the PROJ C library with the `proj` cargo feature;
//! * reproject — [`reproject_layer`], and [`prepare_for_areas`], which refuses (with
//!   advice) layers whose coordinates are not known to be planar metres.

mod identify;
mod reproject;
mod transform;

// TEMP re-export: integrator removes after merge
pub use crate::model::crs::{Crs, CrsKind};

pub use reproject::{Reprojected, prepare_for_areas, reproject_layer};
pub use transform::{Backend, Transformer};
