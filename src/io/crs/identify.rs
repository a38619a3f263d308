//! Identifying a CRS from text: EPSG codes, proj4 strings, WKT (`.prj` files, GeoPackage
//! definitions) and the names landpool accepts on the command line (`local`, `gcj02`, ...).

use crate::error::{Error, Result};
use crate::model::crs::{Crs, CrsKind, LinearUnit};

use super::units::unit_of_proj4;
use super::wkt_crs::{self, WktCrs};

/// Codes of Web Mercator other than EPSG:3857 (the old Google code, ESRI's), read as 3857.
const WEB_MERCATOR_ALIASES: &[u32] = &[900913, 102100, 102113];

/// Keywords a WKT CRS given on the command line may start with.
const WKT_KEYWORDS: &[&str] = &[
    "projcs[",
    "geogcs[",
    "projcrs[",
    "geogcrs[",
    "geodcrs[",
    "projectedcrs[",
    "geographiccrs[",
    "compd_cs[",
    "compoundcrs[",
    "local_cs[",
    "engcrs[",
];

/// Well-known CRS names (normalised: lower case, alphanumerics only) found in `.prj` files
/// that carry no AUTHORITY code, mapped to their EPSG code. ESRI and OGC spellings.
const KNOWN_WKT_NAMES: &[(&str, u32)] = &[
    ("wgs84", 4326),
    ("gcswgs1984", 4326),
    ("wgs1984", 4326),
    ("cgcs2000", 4490),
    ("gcschinageodeticcoordinatesystem2000", 4490),
    ("chinageodeticcoordinatesystem2000", 4490),
    ("cgcs20003degreegkcm114e", 4547),
    ("cgcs20003degreegausskrugercm114e", 4547),
    ("cgcs20003degreegkzone38", 4526),
    ("belge1972belgianlambert72", 31370),
    ("belgianlambert72", 31370),
    ("amersfoortrdnew", 28992),
    ("rdnew", 28992),
    ("wgs84webmercatorauxiliarysphere", 3857),
    ("wgs84pseudomercator", 3857),
];

fn normalise_name(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .flat_map(|c| c.to_lowercase())
        .collect()
}

impl Crs {
    /// The CRS with the given EPSG code, with its proj4 definition from `crs-definitions`.
    /// Codes without a known definition are an error (we could not reproject them).
    pub fn from_epsg(code: u32) -> Result<Crs> {
        let lookup = if WEB_MERCATOR_ALIASES.contains(&code) {
            3857
        } else {
            code
        };
        let def = u16::try_from(lookup)
            .ok()
            .and_then(crs_definitions::from_code)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "EPSG:{code} is not in the built-in CRS definitions; give a proj4 string \
                     instead (e.g. --crs '+proj=tmerc +lon_0=114 ...')"
                ))
            })?;
        let kind = kind_of_proj4(def.proj4);
        let unit = unit_for(kind, def.proj4).map_err(Error::Usage)?;
        Ok(Crs {
            name: format!("EPSG:{code}"),
            epsg: Some(lookup),
            proj4: Some(def.proj4.to_string()),
            kind,
            unit,
        })
    }

    /// Parses a user-given CRS: `EPSG:4547` (also `epsg:4547`, `4547`,
    /// `urn:ogc:def:crs:EPSG::4547`, `urn:ogc:def:crs:OGC:1.3:CRS84`), a proj4 string
    /// (`+proj=...`), `local` (planar metres without EPSG), `gcj02`, `wgs84`, or WKT.
    pub fn parse(s: &str) -> Result<Crs> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        if lower.is_empty() {
            return Err(Error::Usage("empty CRS".into()));
        }
        match lower.as_str() {
            "local" | "local-planar" | "planar" => return Ok(Crs::local_planar()),
            "gcj02" | "gcj-02" | "gcj" => return Ok(Crs::gcj02()),
            "wgs84" | "wgs 84" | "crs84" => return Ok(Crs::wgs84()),
            _ => {}
        }
        if lower.contains("crs84") {
            return Ok(Crs::wgs84());
        }
        if t.starts_with('+') {
            return Crs::from_proj4(t);
        }
        let compact: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
        if WKT_KEYWORDS.iter().any(|k| compact.starts_with(k)) {
            return Crs::from_wkt(t);
        }
        if let Some(code) = epsg_code_in(&lower) {
            return Crs::from_epsg(code);
        }
        Err(Error::Usage(format!(
            "unrecognised CRS `{t}`; use EPSG:xxxx (e.g. EPSG:4547), a proj4 string \
             (+proj=...), `local` for planar metres without EPSG, or `gcj02`"
        )))
    }

    /// A CRS from a proj4 string; its EPSG code is unknown.
    pub fn from_proj4(def: &str) -> Result<Crs> {
        let def = def.trim();
        proj4rs::Proj::from_proj_string(def)
            .map_err(|e| Error::Usage(format!("invalid proj4 string `{def}`: {e}")))?;
        let kind = kind_of_proj4(def);
        Ok(Crs {
            name: def.to_string(),
            epsg: None,
            proj4: Some(def.to_string()),
            kind,
            unit: unit_for(kind, def).map_err(Error::Usage)?,
        })
    }

    /// Identifies a CRS from WKT (a `.prj` file, a GeoPackage definition; WKT1, ESRI or
    /// WKT2): the top-level `AUTHORITY["EPSG","n"]` / `ID["EPSG",n]` if present, else a known
    /// name (CGCS2000 3-degree GK CM 114E = 4547, WGS84 = 4326, Belgian Lambert 72 = 31370,
    /// Amersfoort / RD New = 28992, ...) when its unit agrees, else the CRS the WKT describes:
    /// its name, kind, linear unit (`UNIT["Foot_US",0.3048006096012192]`) and a proj4
    /// definition derived from its projection and parameters (none for projections landpool
    /// does not translate: such a CRS can be measured in, not reprojected).
    ///
    /// Text that is not a WKT CRS landpool can read (malformed, no horizontal CRS, a
    /// projected CRS without linear unit) is an error ([`Error::Usage`]); readers report it
    /// with the file's name.
    pub fn from_wkt(wkt: &str) -> Result<Crs> {
        wkt_to_crs(wkt).map_err(Error::Usage)
    }
}

/// [`Crs::from_wkt`] with the bare message as error (for readers that add the file name).
pub(crate) fn wkt_to_crs(wkt: &str) -> std::result::Result<Crs, String> {
    let w = wkt_crs::interpret(wkt)?;
    if let Some(code) = w.epsg
        && let Ok(mut crs) = Crs::from_epsg(code)
    {
        crs.name = format!("{} ({})", crs.name, w.name);
        return Ok(crs);
    }
    if w.epsg.is_none()
        && let Some(mut crs) = known_name(&w.name).and_then(|c| Crs::from_epsg(c).ok())
        && crs.kind == w.kind
        && crs.unit == w.unit
    {
        crs.name = format!("{} ({})", crs.name, w.name);
        return Ok(crs);
    }
    let WktCrs {
        name,
        epsg,
        kind,
        unit,
        proj4,
    } = w;
    Ok(Crs {
        name,
        epsg,
        proj4: proj4.ok(),
        kind,
        unit,
    })
}

/// The EPSG code of a well-known CRS name (ESRI and OGC spellings).
fn known_name(name: &str) -> Option<u32> {
    let n = normalise_name(name);
    KNOWN_WKT_NAMES
        .iter()
        .find(|(k, _)| *k == n)
        .map(|(_, code)| *code)
}

/// The linear unit of a proj4 definition of this kind (none for geographic ones).
fn unit_for(kind: CrsKind, def: &str) -> std::result::Result<Option<LinearUnit>, String> {
    match kind {
        CrsKind::Projected => unit_of_proj4(def).map(Some),
        CrsKind::Geographic | CrsKind::Unknown => Ok(None),
    }
}

/// `+proj=longlat` / `latlong` definitions are geographic, everything else projected.
fn kind_of_proj4(def: &str) -> CrsKind {
    let geographic = def.split_whitespace().any(|t| {
        matches!(
            t,
            "+proj=longlat" | "+proj=latlong" | "+proj=lonlat" | "+proj=latlon"
        )
    });
    if geographic {
        CrsKind::Geographic
    } else if def.contains("+proj=") {
        CrsKind::Projected
    } else {
        CrsKind::Unknown
    }
}

/// EPSG code in `epsg:4547`, `4547`, `urn:ogc:def:crs:epsg::4547`, `epsg:4547` etc.
/// (lower-case input).
pub(crate) fn epsg_code_in(lower: &str) -> Option<u32> {
    if let Ok(n) = lower.parse::<u32>() {
        return Some(n);
    }
    let idx = lower.find("epsg")?;
    let rest = &lower[idx + 4..];
    let digits: String = rest
        .trim_start_matches(|c: char| c == ':' || c.is_ascii_punctuation() || c.is_whitespace())
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    // A version segment like `urn:ogc:def:crs:EPSG:6.6:4326` ends with the code.
    let last: String = lower
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    if lower.starts_with("urn:") && !last.is_empty() {
        return last.parse().ok();
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_spellings() {
        for s in [
            "EPSG:4547",
            "epsg:4547",
            "4547",
            "urn:ogc:def:crs:EPSG::4547",
        ] {
            let c = Crs::parse(s).unwrap();
            assert_eq!(c.epsg, Some(4547), "{s}");
            assert!(c.is_projected());
        }
        assert!(Crs::parse("EPSG:4326").unwrap().is_geographic());
        assert!(
            Crs::parse("urn:ogc:def:crs:OGC:1.3:CRS84")
                .unwrap()
                .is_geographic()
        );
        assert!(Crs::parse("gcj02").unwrap().is_gcj02());
        assert!(Crs::parse("local").unwrap().is_projected());
        assert!(Crs::parse("nonsense").is_err());
        let p = Crs::parse("+proj=tmerc +lat_0=0 +lon_0=114 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs").unwrap();
        assert!(p.is_projected());
        assert!(
            Crs::parse("+proj=longlat +datum=WGS84")
                .unwrap()
                .is_geographic()
        );
    }

    #[test]
    fn wkt_authority_and_names() {
        let wkt = crs_definitions::EPSG_4547.wkt;
        assert_eq!(Crs::from_wkt(wkt).unwrap().epsg, Some(4547));
        let esri = r#"PROJCS["CGCS2000_3_Degree_GK_CM_114E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",114.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
        assert_eq!(Crs::from_wkt(esri).unwrap().epsg, Some(4547));
        let wgs = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
        assert_eq!(Crs::from_wkt(wgs).unwrap().epsg, Some(4326));
        let lambert = r#"PROJCS["Belge_1972_Belgian_Lambert_72",GEOGCS["GCS_Belge_1972",DATUM["D_Belge_1972",SPHEROID["International_1924",6378388.0,297.0]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],UNIT["Meter",1.0]]"#;
        assert_eq!(Crs::from_wkt(lambert).unwrap().epsg, Some(31370));
        let rd = r#"PROJCS["Amersfoort / RD New",GEOGCS["Amersfoort",DATUM["Amersfoort",SPHEROID["Bessel 1841",6377397.155,299.1528128]]],UNIT["metre",1]]"#;
        assert_eq!(Crs::from_wkt(rd).unwrap().epsg, Some(28992));
        let odd =
            r#"PROJCS["My_Local_Grid",GEOGCS["x",DATUM["y",SPHEROID["z",1,1]]],UNIT["Meter",1.0]]"#;
        let c = Crs::from_wkt(odd).unwrap();
        assert_eq!(
            (c.epsg, c.kind, c.name.as_str()),
            (None, CrsKind::Projected, "My_Local_Grid")
        );
        // The GEOGCS authority inside a PROJCS must not be taken for the PROJCS's.
        let nested = r#"PROJCS["foo",GEOGCS["bar",AUTHORITY["EPSG","4490"]],UNIT["metre",1]]"#;
        assert_eq!(Crs::from_wkt(nested).unwrap().epsg, None);
    }

    /// Issue 13: a non-ASCII character just before a depth-1 keyword made the old
    /// authority scan slice inside that character and panic. Such text is not well-formed
    /// WKT: now an error, never a panic; inside a quoted name it is fine.
    #[test]
    fn top_level_authority_panicked_on_a_multibyte_character_before_a_keyword() {
        assert!(Crs::from_wkt(r#"PROJCS["x",éGEOGCS["y"]]"#).is_err());
        assert!(Crs::from_wkt(r#"PROJCS["x",GEOGCS["y"],中AUTHORITY["EPSG","4547"]]"#).is_err());
        assert!(Crs::parse(r#"PROJCS["x",éGEOGCS["y"]]"#).is_err());
        let named = r#"PROJCS["深圳é",GEOGCS["y"],UNIT["metre",1],AUTHORITY["EPSG","4547"]]"#;
        assert_eq!(Crs::from_wkt(named).unwrap().epsg, Some(4547));
    }

    /// Issue 13: a raw 0xFF byte in a .prj (read lossily, as the Shapefile reader does,
    /// into the 3-byte U+FFFD) panicked the same way; now an error outside quotes.
    #[test]
    fn top_level_authority_panicked_on_an_invalid_byte_in_a_prj() {
        let prj = b"PROJCS[\"x\",\xffGEOGCS[\"y\"],\xffAUTHORITY[\"EPSG\",\"4547\"]]";
        assert!(Crs::from_wkt(&String::from_utf8_lossy(prj)).is_err());
        let junk = String::from_utf8_lossy(b"\xff[\xff(\xff\xff]\xff");
        assert!(Crs::from_wkt(&junk).is_err());
        let in_name =
            b"PROJCS[\"x\xff\",GEOGCS[\"y\"],UNIT[\"metre\",1],AUTHORITY[\"EPSG\",\"4547\"]]";
        assert_eq!(
            Crs::from_wkt(&String::from_utf8_lossy(in_name))
                .unwrap()
                .epsg,
            Some(4547)
        );
    }

    #[test]
    fn units_of_epsg_proj4_and_wkt() {
        let ca = Crs::from_epsg(2227).unwrap();
        assert_eq!(ca.unit.as_ref().unwrap().name, "US survey foot");
        assert!(ca.has_non_metre_unit());
        assert!(Crs::from_epsg(4547).unwrap().unit.unwrap().is_metre());
        assert_eq!(Crs::from_epsg(4326).unwrap().unit, None);
        let p = Crs::parse("+proj=tmerc +lon_0=114 +ellps=GRS80 +to_meter=0.3048").unwrap();
        assert_eq!(p.metres_per_unit(), Some(0.3048));
        let web = Crs::parse("EPSG:900913").unwrap();
        assert_eq!((web.epsg, web.name.as_str()), (Some(3857), "EPSG:900913"));
        // A known name whose unit differs is not taken for the EPSG code of that name.
        let feet = r#"PROJCS["CGCS2000_3_Degree_GK_CM_114E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",1640416.6667],PARAMETER["Central_Meridian",114.0],UNIT["Foot",0.3048]]"#;
        let c = Crs::from_wkt(feet).unwrap();
        assert_eq!((c.epsg, c.metres_per_unit()), (None, Some(0.3048)));
        assert!(Crs::from_wkt("PROJCS[garbage[[[").is_err());
    }
}
