//! Identifying a CRS from text: EPSG codes, proj4 strings, WKT (`.prj` files, GeoPackage
//! definitions) and the names landpool accepts on the command line (`local`, `gcj02`, ...).

use crate::error::{Error, Result};
use crate::model::crs::{Crs, CrsKind};

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
        let def = u16::try_from(code)
            .ok()
            .and_then(crs_definitions::from_code)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "EPSG:{code} is not in the built-in CRS definitions; give a proj4 string \
                     instead (e.g. --crs '+proj=tmerc +lon_0=114 ...')"
                ))
            })?;
        let kind = kind_of_proj4(def.proj4);
        Ok(Crs {
            name: format!("EPSG:{code}"),
            epsg: Some(code),
            proj4: Some(def.proj4.to_string()),
            kind,
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
        if lower.starts_with("projcs[")
            || lower.starts_with("geogcs[")
            || lower.starts_with("projcrs[")
            || lower.starts_with("geogcrs[")
        {
            return Ok(Crs::from_wkt(t));
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
        Ok(Crs {
            name: def.to_string(),
            epsg: None,
            proj4: Some(def.to_string()),
            kind: kind_of_proj4(def),
        })
    }

    /// Identifies a CRS from WKT (a `.prj` file): the top-level `AUTHORITY["EPSG","n"]` or
    /// `ID["EPSG",n]` if present, else a known name (CGCS2000 3-degree GK CM 114E = 4547,
    /// WGS84 = 4326, Belgian Lambert 72 = 31370, Amersfoort / RD New = 28992), else a CRS
    /// named after the WKT with its kind taken from PROJCS vs GEOGCS and no proj4 definition.
    pub fn from_wkt(wkt: &str) -> Crs {
        let wkt = wkt.trim().trim_start_matches('\u{feff}');
        let name = wkt_name(wkt).unwrap_or_else(|| "unnamed WKT CRS".to_string());
        let upper = wkt.to_ascii_uppercase();
        let kind = if upper.starts_with("PROJCS") || upper.starts_with("PROJCRS") {
            CrsKind::Projected
        } else if upper.starts_with("GEOGCS") || upper.starts_with("GEOGCRS") {
            CrsKind::Geographic
        } else {
            CrsKind::Unknown
        };
        let code = top_level_authority(wkt).or_else(|| {
            let n = normalise_name(&name);
            KNOWN_WKT_NAMES
                .iter()
                .find(|(k, _)| *k == n)
                .map(|(_, code)| *code)
        });
        if let Some(mut crs) = code.and_then(|c| Crs::from_epsg(c).ok()) {
            crs.name = format!("{} ({name})", crs.name);
            return crs;
        }
        Crs {
            name,
            epsg: None,
            proj4: None,
            kind,
        }
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

/// The quoted name of the outermost WKT node.
fn wkt_name(wkt: &str) -> Option<String> {
    let start = wkt.find('"')? + 1;
    let len = wkt.get(start..)?.find('"')?;
    wkt.get(start..start + len).map(str::to_string)
}

/// The EPSG code of the outermost node: its AUTHORITY/ID is the last one at bracket depth 1.
fn top_level_authority(wkt: &str) -> Option<u32> {
    let bytes = wkt.as_bytes();
    let mut depth = 0usize;
    let mut in_quote = false;
    let mut found = None;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => in_quote = !in_quote,
            b'[' | b'(' if !in_quote => {
                if depth == 1 {
                    // Keyword preceding this bracket. It starts after the last character
                    // that cannot be part of it, which may be a multibyte one (`é`, or the
                    // U+FFFD that stands for an invalid byte of a .prj): step over it by
                    // its length, not by one byte.
                    let head = &wkt[..i];
                    let kw_start = head
                        .char_indices()
                        .rev()
                        .find(|&(_, c)| !c.is_ascii_alphanumeric() && c != '_')
                        .map_or(0, |(p, c)| p + c.len_utf8());
                    let kw = head[kw_start..].to_ascii_uppercase();
                    if kw == "AUTHORITY" || kw == "ID" {
                        let close = wkt[i..].find([']', ')']).map(|p| i + p)?;
                        let inner = &wkt[i + 1..close];
                        let mut parts = inner.split(',').map(|p| p.trim().trim_matches('"'));
                        if parts.next().is_some_and(|a| a.eq_ignore_ascii_case("EPSG")) {
                            found = parts.next().and_then(|c| c.parse().ok());
                        }
                    }
                }
                depth += 1;
            }
            b']' | b')' if !in_quote => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    found
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
        assert_eq!(Crs::from_wkt(wkt).epsg, Some(4547));
        let esri = r#"PROJCS["CGCS2000_3_Degree_GK_CM_114E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",114.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
        assert_eq!(Crs::from_wkt(esri).epsg, Some(4547));
        let wgs = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
        assert_eq!(Crs::from_wkt(wgs).epsg, Some(4326));
        let lambert = r#"PROJCS["Belge_1972_Belgian_Lambert_72",GEOGCS["GCS_Belge_1972",DATUM["D_Belge_1972",SPHEROID["International_1924",6378388.0,297.0]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],UNIT["Meter",1.0]]"#;
        assert_eq!(Crs::from_wkt(lambert).epsg, Some(31370));
        let rd = r#"PROJCS["Amersfoort / RD New",GEOGCS["Amersfoort",DATUM["Amersfoort",SPHEROID["Bessel 1841",6377397.155,299.1528128]]],UNIT["metre",1]]"#;
        assert_eq!(Crs::from_wkt(rd).epsg, Some(28992));
        let odd =
            r#"PROJCS["My_Local_Grid",GEOGCS["x",DATUM["y",SPHEROID["z",1,1]]],UNIT["Meter",1.0]]"#;
        let c = Crs::from_wkt(odd);
        assert_eq!(
            (c.epsg, c.kind, c.name.as_str()),
            (None, CrsKind::Projected, "My_Local_Grid")
        );
        // The GEOGCS authority inside a PROJCS must not be taken for the PROJCS's.
        let nested = r#"PROJCS["foo",GEOGCS["bar",AUTHORITY["EPSG","4490"]],UNIT["metre",1]]"#;
        assert_eq!(Crs::from_wkt(nested).epsg, None);
    }

    /// Issue 13: a non-ASCII character just before a depth-1 keyword made
    /// `top_level_authority` slice inside that character and panic.
    #[test]
    fn top_level_authority_panicked_on_a_multibyte_character_before_a_keyword() {
        let c = Crs::from_wkt(r#"PROJCS["x",éGEOGCS["y"]]"#);
        assert_eq!(
            (c.name.as_str(), c.epsg, c.kind),
            ("x", None, CrsKind::Projected)
        );
        // The authority after such a character is still found.
        let wkt = r#"PROJCS["x",GEOGCS["y"],中AUTHORITY["EPSG","4547"]]"#;
        assert_eq!(Crs::from_wkt(wkt).epsg, Some(4547));
        // The same text given to --crs.
        let parsed = Crs::parse(r#"PROJCS["x",éGEOGCS["y"]]"#).unwrap();
        assert_eq!((parsed.name.as_str(), parsed.epsg), ("x", None));
    }

    /// Issue 13: a raw 0xFF byte in a .prj (read lossily, as the Shapefile reader does,
    /// into the 3-byte U+FFFD) panicked the same way.
    #[test]
    fn top_level_authority_panicked_on_an_invalid_byte_in_a_prj() {
        let prj = b"PROJCS[\"x\",\xffGEOGCS[\"y\"],\xffAUTHORITY[\"EPSG\",\"4547\"]]";
        let wkt = String::from_utf8_lossy(prj);
        assert_eq!(Crs::from_wkt(&wkt).epsg, Some(4547));
        let junk = String::from_utf8_lossy(b"\xff[\xff(\xff\xff]\xff");
        assert_eq!(Crs::from_wkt(&junk).epsg, None);
    }
}
