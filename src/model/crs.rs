//! The coordinate reference system of a layer, as data.
//!
//! Only the type and its format-free constructors and predicates live here. Identifying a
//! CRS from text (EPSG codes, proj4 strings, WKT), transforming coordinates and
//! reprojecting layers are I/O concerns: see `crate::io::crs`.

use std::fmt;

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
    /// The EPSG code, when the CRS has one.
    pub epsg: Option<u32>,
    /// proj4 definition used for reprojection, when known.
    pub proj4: Option<String>,
    /// Angular, linear or unidentified units.
    pub kind: CrsKind,
}

/// Name of the GCJ-02 pseudo-CRS (火星坐标, the Chinese obfuscated lon/lat datum).
pub const GCJ02_NAME: &str = "GCJ02";
/// Name of the local planar CRS (e.g. 深圳独立坐标系 data without a .prj).
pub const LOCAL_PLANAR_NAME: &str = "local planar (metres, no EPSG)";

impl Crs {
    /// WGS84 longitude/latitude (EPSG:4326), the default of RFC 7946 GeoJSON.
    pub fn wgs84() -> Crs {
        Crs {
            name: "EPSG:4326".into(),
            epsg: Some(4326),
            proj4: Some("+proj=longlat +datum=WGS84 +no_defs".into()),
            kind: CrsKind::Geographic,
        }
    }

    /// Planar metres without an EPSG code, e.g. the Shenzhen independent coordinate system
    /// (深圳独立坐标系). Areas may be computed; reprojection is impossible.
    pub fn local_planar() -> Crs {
        Crs {
            name: LOCAL_PLANAR_NAME.into(),
            epsg: None,
            proj4: None,
            kind: CrsKind::Projected,
        }
    }

    /// GCJ-02 (火星坐标) longitude/latitude as used by AutoNavi/DataV; converted to WGS84
    /// (`crate::io::gcj02`) before any reprojection.
    pub fn gcj02() -> Crs {
        Crs {
            name: GCJ02_NAME.into(),
            epsg: None,
            proj4: None,
            kind: CrsKind::Geographic,
        }
    }

    /// True for the GCJ-02 pseudo-CRS.
    pub fn is_gcj02(&self) -> bool {
        self.name == GCJ02_NAME && self.epsg.is_none()
    }

    /// True for the local planar CRS (planar metres without an EPSG code).
    pub fn is_local_planar(&self) -> bool {
        self.name == LOCAL_PLANAR_NAME && self.epsg.is_none()
    }

    /// True when coordinates are planar metres (areas may be computed).
    pub fn is_projected(&self) -> bool {
        self.kind == CrsKind::Projected
    }

    /// True when coordinates are longitude/latitude degrees.
    pub fn is_geographic(&self) -> bool {
        self.kind == CrsKind::Geographic
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudo_crss_are_told_apart() {
        assert!(Crs::gcj02().is_gcj02() && Crs::gcj02().is_geographic());
        assert!(Crs::local_planar().is_local_planar() && Crs::local_planar().is_projected());
        assert!(!Crs::wgs84().is_gcj02() && !Crs::wgs84().is_local_planar());
        assert_eq!(Crs::wgs84().to_string(), "EPSG:4326");
    }
}
