//! Coordinate reference systems: identification, units, transformation, and whether areas
//! may be computed.
//!
//! The [`Crs`] type itself is part of the model (`crate::model::crs`). Here:
//! * identify — a [`Crs`] from a user string ([`Crs::parse`]: `EPSG:4547`, a
//!   proj4 string, `local`, `gcj02`, ...), an EPSG code ([`Crs::from_epsg`]), or WKT such as
//!   a Shapefile `.prj` or a GeoPackage definition ([`Crs::from_wkt`]: WKT1, ESRI and WKT2,
//!   with the linear unit and, for ESRI WKT without AUTHORITY, a proj4 definition derived
//!   from the projection and its parameters);
//! * units — linear units by their WKT, ESRI and proj4 names;
//! * transform — a [`Transformer`] between two CRSs, computed by a [`Backend`]: the
//!   pure-Rust `proj4rs` by default, the PROJ C library with the `proj` cargo feature;
//! * reproject — [`reproject_layer`], and [`prepare_for_areas`], the one gate every area
//!   computation passes: it converts layers in feet (or any non-metre unit) to metres,
//!   refuses (with advice) layers whose coordinates are not planar, and refuses CRSs with
//!   large scale error ([`area_distortion`]) unless [`AreaOptions::allow_distorted`].

mod distortion;
mod identify;
mod reproject;
mod transform;
mod units;
mod wkt;
mod wkt_crs;

// TEMP re-export: integrator removes after merge
pub use crate::model::crs::{Crs, CrsKind, LinearUnit};

pub(crate) use identify::wkt_to_crs;

pub use distortion::area_distortion;
pub use reproject::{
    AreaOptions, Reprojected, prepare_for_areas, prepare_for_areas_with, reproject_layer,
};
pub use transform::{Backend, Transformer};
