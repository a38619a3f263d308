//! Coordinate reference systems: identification, and whether areas may be computed.

use serde::{Deserialize, Serialize};

/// Whether a CRS has angular or linear units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CrsKind {
    /// Longitude/latitude in degrees: areas must not be computed directly.
    Geographic,
    /// Projected, linear units in metres.
    Projected,
    /// Declared but not identified (e.g. an unknown WKT); treated as planar metres only if
    /// the user says so.
    Unknown,
}

/// A coordinate reference system as declared by a file or assumed by the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Crs {
    /// Human label, e.g. `EPSG:4547` or the WKT's name.
    pub name: String,
    pub epsg: Option<u32>,
    /// proj4 definition used for reprojection, when known.
    pub proj4: Option<String>,
    pub kind: CrsKind,
}
