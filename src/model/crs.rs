//! The coordinate reference system of a layer, as data.
//!
//! Only the type and its format-free constructors and predicates live here. Identifying a
//! CRS from text (EPSG codes, proj4 strings, WKT), transforming coordinates and
//! reprojecting layers are I/O concerns: see `crate::io::crs`.
//!
//! # Units: every area is m²
//!
//! A projected CRS carries its linear unit ([`LinearUnit`]: a name and metres per unit), read
//! from the WKT `UNIT`/`LENGTHUNIT`, the GeoPackage definition or proj4 `+units=` /
//! `+to_meter=`. Readers keep the coordinates as the file has them (so `inspect` shows the
//! layer as it is). Areas are made m² in one place, `crate::io::crs::prepare_for_areas`,
//! which every area computation (inspect, overlay, assess, batch) already passes through:
//! a layer in feet (or any non-metre unit) has its coordinates multiplied by
//! [`LinearUnit::metres`] and its CRS replaced by the same CRS in metres
//! ([`Crs::in_metres`], proj4 `+units=m`). This was chosen over an area scale factor that
//! each area computation would apply: the geometry engine, the policy code and every
//! writer stay unit-free (all of them see metres), lengths and sliver thresholds (m, m²)
//! stay right too, and the CRS written with the results says what the coordinates are.

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

/// The linear unit of a projected CRS: its name and its length in metres.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearUnit {
    /// Human name, e.g. `metre`, `US survey foot`, `international foot`.
    pub name: String,
    /// Metres per unit (1 for metres, 1200/3937 for the US survey foot).
    pub metres: f64,
}

impl LinearUnit {
    /// The metre.
    pub fn metre() -> LinearUnit {
        LinearUnit {
            name: "metre".into(),
            metres: 1.0,
        }
    }

    /// The US survey foot (1200/3937 m, ESRI `Foot_US`, proj4 `us-ft`).
    pub fn us_survey_foot() -> LinearUnit {
        LinearUnit {
            name: "US survey foot".into(),
            metres: 1200.0 / 3937.0,
        }
    }

    /// The international foot (0.3048 m, ESRI `Foot`, proj4 `ft`).
    pub fn international_foot() -> LinearUnit {
        LinearUnit {
            name: "international foot".into(),
            metres: 0.3048,
        }
    }

    /// True for the metre (coordinates are metres as they are).
    pub fn is_metre(&self) -> bool {
        self.metres == 1.0
    }
}

impl fmt::Display for LinearUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_metre() {
            f.write_str("metres")
        } else {
            write!(f, "{}, {} m", self.name, self.metres)
        }
    }
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
    /// The linear unit of a projected CRS (`None` for geographic and unidentified ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<LinearUnit>,
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
            unit: None,
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
            unit: Some(LinearUnit::metre()),
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
            unit: None,
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

    /// True when coordinates are planar (metres, feet, ...): areas may be computed once the
    /// coordinates are in metres (see [`Crs::metres_per_unit`]).
    pub fn is_projected(&self) -> bool {
        self.kind == CrsKind::Projected
    }

    /// Metres per coordinate unit of a projected CRS (1 when its unit is not declared, as
    /// for CRSs made before units were read).
    pub fn metres_per_unit(&self) -> Option<f64> {
        self.is_projected()
            .then(|| self.unit.as_ref().map_or(1.0, |u| u.metres))
    }

    /// True for a projected CRS whose unit is not the metre (e.g. US survey feet).
    pub fn has_non_metre_unit(&self) -> bool {
        self.metres_per_unit().is_some_and(|m| m != 1.0)
    }

    /// The same CRS with metres as its unit: what a layer in this CRS is in once its
    /// coordinates are multiplied by [`Crs::metres_per_unit`]. Its proj4 definition says
    /// `+units=m` (proj4's false easting and northing are metres in any case); it has no
    /// EPSG code, since the code names the CRS in its own unit.
    pub fn in_metres(&self) -> Crs {
        if !self.has_non_metre_unit() {
            return self.clone();
        }
        let proj4 = self.proj4.as_deref().map(|def| {
            let mut parts: Vec<&str> = def
                .split_whitespace()
                .filter(|t| !t.starts_with("+units=") && !t.starts_with("+to_meter="))
                .collect();
            let at = parts
                .iter()
                .position(|t| *t == "+no_defs")
                .unwrap_or(parts.len());
            parts.insert(at, "+units=m");
            parts.join(" ")
        });
        Crs {
            name: format!("{} in metres", self.name),
            epsg: None,
            proj4,
            kind: CrsKind::Projected,
            unit: Some(LinearUnit::metre()),
        }
    }

    /// What the coordinates are, for people: `geographic (degrees)`, `projected (metres)`,
    /// `projected (US survey foot, 0.3048006096012192 m)` or `unidentified`.
    pub fn kind_description(&self) -> String {
        match self.kind {
            CrsKind::Geographic => "geographic (degrees)".into(),
            CrsKind::Projected => match &self.unit {
                Some(u) => format!("projected ({u})"),
                None => "projected (metres)".into(),
            },
            CrsKind::Unknown => "unidentified".into(),
        }
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

    #[test]
    fn a_feet_crs_has_a_metre_twin() {
        let feet = Crs {
            name: "EPSG:2227".into(),
            epsg: Some(2227),
            proj4: Some(
                "+proj=lcc +lat_1=38.43 +x_0=2000000.0001016 +datum=NAD83 +units=us-ft +no_defs"
                    .into(),
            ),
            kind: CrsKind::Projected,
            unit: Some(LinearUnit::us_survey_foot()),
        };
        assert!(feet.has_non_metre_unit());
        assert_eq!(
            feet.kind_description(),
            "projected (US survey foot, 0.3048006096012192 m)"
        );
        let m = feet.in_metres();
        assert_eq!(m.name, "EPSG:2227 in metres");
        assert_eq!(m.epsg, None);
        assert_eq!(
            m.proj4.as_deref(),
            Some("+proj=lcc +lat_1=38.43 +x_0=2000000.0001016 +datum=NAD83 +units=m +no_defs")
        );
        assert_eq!(m.metres_per_unit(), Some(1.0));
        assert_eq!(m.in_metres(), m);
        assert_eq!(Crs::local_planar().kind_description(), "projected (metres)");
        assert_eq!(Crs::wgs84().metres_per_unit(), None);
    }
}
