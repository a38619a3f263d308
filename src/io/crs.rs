//! Coordinate reference systems: identification, and whether areas may be computed.
//!
//! A [`Crs`] is identified from a user string ([`Crs::parse`]: `EPSG:4547`, a proj4 string,
//! `local`, `gcj02`, ...), a GeoJSON legacy `crs` member or a Shapefile `.prj` WKT
//! ([`Crs::from_wkt`]). Reprojection uses the pure-Rust `proj4rs` crate by default; with the
//! `proj` cargo feature the PROJ C library is used instead.

use std::fmt;

use geo::{Coord, MapCoordsInPlace};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::io::gcj02;
use crate::layer::Layer;

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

/// Name of the GCJ-02 pseudo-CRS (火星坐标, the Chinese obfuscated lon/lat datum).
pub const GCJ02_NAME: &str = "GCJ02";
/// Name of the local planar CRS (e.g. 深圳独立坐标系 data without a .prj).
pub const LOCAL_PLANAR_NAME: &str = "local planar (metres, no EPSG)";

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
    /// by [`gcj02::gcj02_to_wgs84`] before any reprojection.
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

    /// True when coordinates are planar metres (areas may be computed).
    pub fn is_projected(&self) -> bool {
        self.kind == CrsKind::Projected
    }

    /// True when coordinates are longitude/latitude degrees.
    pub fn is_geographic(&self) -> bool {
        self.kind == CrsKind::Geographic
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

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
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
                    // Keyword preceding this bracket.
                    let head = &wkt[..i];
                    let kw_start = head
                        .rfind(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                        .map_or(0, |p| p + 1);
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

/// The CRS change done by [`prepare_for_areas`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reprojected {
    pub from: Crs,
    pub to: Crs,
}

/// Reprojects every feature of `layer` to `to` and sets `layer.crs`.
///
/// GCJ-02 sources are first converted to WGS84 (iterative inversion); a GCJ-02 target is
/// reached through WGS84. A layer without a CRS, or a CRS without a proj4 definition (e.g.
/// the local planar system) cannot be reprojected. Coordinates are transformed by
/// [`Backend::default()`]: PROJ with the `proj` cargo feature, else `proj4rs`.
pub fn reproject_layer(layer: &mut Layer, to: &Crs) -> Result<()> {
    let path = layer.source.clone();
    let from = layer.crs.clone().ok_or_else(|| Error::Crs {
        path: path.clone(),
        message: "the layer has no CRS, so it cannot be reprojected; say which CRS its \
                  coordinates are in with --crs (e.g. --crs EPSG:4326)"
            .into(),
    })?;
    if &from == to {
        return Ok(());
    }
    let src_is_gcj = from.is_gcj02();
    let dst_is_gcj = to.is_gcj02();
    let src = if src_is_gcj {
        Crs::wgs84()
    } else {
        from.clone()
    };
    let dst = if dst_is_gcj { Crs::wgs84() } else { to.clone() };
    let backend = Backend::default();
    // Built here first for a clear error, and used for small layers.
    let first = if src == dst {
        None
    } else {
        Some(
            Transformer::build(&src, &dst, backend).map_err(|message| Error::Crs {
                path: path.clone(),
                message,
            })?,
        )
    };
    let transform_feature = |transformer: Option<&Transformer>,
                             f: &mut crate::layer::Feature|
     -> Option<(usize, String)> {
        f.geometry
            .try_map_coords_in_place(|c| -> std::result::Result<Coord, String> {
                let (mut x, mut y) = (c.x, c.y);
                if src_is_gcj {
                    (x, y) = gcj02::gcj02_to_wgs84(x, y);
                }
                if let Some(t) = transformer {
                    (x, y) = t.convert_or_message(x, y)?;
                }
                if dst_is_gcj {
                    (x, y) = gcj02::wgs84_to_gcj02(x, y);
                }
                Ok(Coord { x, y })
            })
            .err()
            .map(|e| (f.index, e))
    };
    // Making a PROJ transformer costs milliseconds (a database lookup) and it must stay on
    // its thread: one per rayon job of at least this many features, none extra for small
    // layers. Each coordinate is transformed alone, so the split does not change the output.
    const FEATURES_PER_TRANSFORMER: usize = 512;
    let needs_transform = first.is_some();
    let failures: Vec<(usize, String)> = if layer.features.len() <= FEATURES_PER_TRANSFORMER {
        layer
            .features
            .iter_mut()
            .filter_map(|f| transform_feature(first.as_ref(), f))
            .collect()
    } else {
        layer
            .features
            .par_iter_mut()
            .with_min_len(FEATURES_PER_TRANSFORMER)
            .map_init(
                || needs_transform.then(|| Transformer::build(&src, &dst, backend)),
                |transformer, f| match transformer {
                    Some(Ok(t)) => transform_feature(Some(t), f),
                    Some(Err(e)) => Some((f.index, e.clone())),
                    None => transform_feature(None, f),
                },
            )
            .flatten()
            .collect()
    };
    if let Some((index, message)) = failures.into_iter().min_by_key(|(i, _)| *i) {
        let feature = layer
            .features
            .iter()
            .find(|f| f.index == index)
            .map(|f| layer.feature_ref(f).to_string())
            .unwrap_or_else(|| index.to_string());
        return Err(Error::Crs {
            path,
            message: format!("reprojection {from} → {to} failed for feature {feature}: {message}"),
        });
    }
    layer.crs = Some(to.clone());
    Ok(())
}

/// Makes `layer` fit for area computation: projected layers are left alone; geographic ones
/// are reprojected to `target` (refused with advice when no target is given); a layer without
/// CRS (or with an unidentified one) is refused with advice to assume one with `--crs`.
pub fn prepare_for_areas(layer: &mut Layer, target: Option<&Crs>) -> Result<Option<Reprojected>> {
    let path = layer.source.clone();
    let from = match &layer.crs {
        None => {
            return Err(Error::Crs {
                path,
                message: "the layer declares no CRS, so areas cannot be computed; say which CRS \
                          its coordinates are in with --crs (e.g. --crs EPSG:4547, or --crs \
                          local for planar metres without EPSG such as the Shenzhen independent \
                          coordinate system)"
                    .into(),
            });
        }
        Some(c) => c.clone(),
    };
    match (from.kind, target) {
        (_, Some(to)) if !to.is_projected() => Err(Error::Usage(format!(
            "target CRS {to} is not projected (metres); areas need a projected CRS such as \
             EPSG:4547 (CGCS2000 / 3-degree GK CM 114E, Shenzhen)"
        ))),
        (_, Some(to)) if &from == to => Ok(None),
        (CrsKind::Projected, None) => Ok(None),
        (CrsKind::Unknown, None) => Err(Error::Crs {
            path,
            message: format!(
                "the layer's CRS `{from}` is not identified, so it is not known to be in metres; \
                 say which CRS it is with --crs (e.g. --crs EPSG:4547, or --crs local for \
                 planar metres)"
            ),
        }),
        (CrsKind::Geographic, None) => Err(Error::Crs {
            path,
            message: format!(
                "the layer is in geographic coordinates ({from}, degrees), so areas cannot be \
                 computed; reproject it to a projected CRS with --to-crs (e.g. --to-crs \
                 EPSG:4547 for Shenzhen, CGCS2000 / 3-degree GK CM 114E; EPSG:31370 for \
                 Flanders){}",
                if from.is_gcj02() {
                    ""
                } else {
                    "; if the coordinates come from AutoNavi/DataV/Tencent maps they are GCJ-02: \
                     add --crs gcj02"
                }
            ),
        }),
        (_, Some(to)) => {
            reproject_layer(layer, to)?;
            Ok(Some(Reprojected {
                from,
                to: to.clone(),
            }))
        }
    }
}

/// Which library computes coordinate transformations.
///
/// The pure-Rust `proj4rs` path is always built; PROJ (the C library, through the `proj`
/// crate) only with the `proj` cargo feature, which also makes it the [`Default`] used by
/// [`reproject_layer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `proj4rs`, from the CRSs' proj4 definitions.
    PureRust,
    /// PROJ, from `EPSG:n` where the CRS has a code, else from its proj4 definition
    /// (`proj` cargo feature).
    #[cfg(feature = "proj")]
    Proj,
}

impl Default for Backend {
    /// PROJ when built with the `proj` feature, else pure Rust.
    fn default() -> Self {
        #[cfg(feature = "proj")]
        return Backend::Proj;
        #[cfg(not(feature = "proj"))]
        return Backend::PureRust;
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::PureRust => "proj4rs",
            #[cfg(feature = "proj")]
            Backend::Proj => "PROJ",
        })
    }
}

/// A coordinate transformation from one CRS to another, in (x, y) order: longitude/latitude
/// in degrees for geographic CRSs, easting/northing for projected ones, whatever the
/// authority's axis order.
///
/// Neither `Send` nor `Sync` in any build: a PROJ object belongs to the thread that made it,
/// and keeping the pure-Rust build the same means enabling the `proj` feature breaks no
/// caller. Construction is cheap; make one per thread (as [`reproject_layer`] does).
pub struct Transformer {
    engine: Engine,
    /// Opts out of `Send`/`Sync` (see above).
    _single_thread: std::marker::PhantomData<*const ()>,
}

enum Engine {
    /// proj4rs works in radians for geographic systems: converted at both ends. Boxed: a
    /// `proj4rs::Proj` is large.
    PureRust {
        src: Box<proj4rs::Proj>,
        dst: Box<proj4rs::Proj>,
        src_geographic: bool,
        dst_geographic: bool,
    },
    /// Made by `Proj::new_known_crs`, whose axis order is normalised to (lon, lat) /
    /// (easting, northing).
    #[cfg(feature = "proj")]
    Proj(proj::Proj),
}

impl Transformer {
    /// The transformation `from` → `to` computed by `backend`. Fails when a CRS has no
    /// definition (e.g. the local planar system or an unidentified WKT) or when the backend
    /// rejects it.
    pub fn new(from: &Crs, to: &Crs, backend: Backend) -> Result<Transformer> {
        Transformer::build(from, to, backend).map_err(Error::Usage)
    }

    /// Like [`Transformer::new`], with the bare message as error (for callers that add the
    /// file name).
    fn build(from: &Crs, to: &Crs, backend: Backend) -> std::result::Result<Self, String> {
        let engine = match backend {
            Backend::PureRust => {
                let make = |crs: &Crs| -> std::result::Result<Box<proj4rs::Proj>, String> {
                    let def = proj4_of(crs)?;
                    proj4rs::Proj::from_proj_string(def)
                        .map(Box::new)
                        .map_err(|e| format!("cannot use CRS `{crs}` ({def}): {e}"))
                };
                Engine::PureRust {
                    src: make(from)?,
                    dst: make(to)?,
                    src_geographic: from.is_geographic(),
                    dst_geographic: to.is_geographic(),
                }
            }
            #[cfg(feature = "proj")]
            Backend::Proj => {
                // PROJ knows EPSG codes itself; a bare proj4 string must be marked as a CRS,
                // otherwise PROJ reads it as a coordinate operation.
                let def = |crs: &Crs| -> std::result::Result<String, String> {
                    match crs.epsg {
                        Some(code) => Ok(format!("EPSG:{code}")),
                        None => {
                            let def = proj4_of(crs)?;
                            Ok(if def.contains("+type=crs") {
                                def.to_string()
                            } else {
                                format!("{def} +type=crs")
                            })
                        }
                    }
                };
                let proj = proj::Proj::new_known_crs(&def(from)?, &def(to)?, None)
                    .map_err(|e| format!("PROJ cannot relate {from} and {to}: {e}"))?;
                Engine::Proj(proj)
            }
        };
        Ok(Transformer {
            engine,
            _single_thread: std::marker::PhantomData,
        })
    }

    /// The library doing the work.
    pub fn backend(&self) -> Backend {
        match self.engine {
            Engine::PureRust { .. } => Backend::PureRust,
            #[cfg(feature = "proj")]
            Engine::Proj(_) => Backend::Proj,
        }
    }

    /// Transforms one (x, y) coordinate. Non-finite input or output is an error naming the
    /// coordinate.
    pub fn convert(&self, x: f64, y: f64) -> Result<(f64, f64)> {
        self.convert_or_message(x, y)
            .map_err(|message| Error::Geometry {
                feature: format!("coordinate ({x}, {y})"),
                message,
            })
    }

    fn convert_or_message(&self, x: f64, y: f64) -> std::result::Result<(f64, f64), String> {
        if !x.is_finite() || !y.is_finite() {
            return Err(format!("non-finite coordinate ({x}, {y})"));
        }
        let (ox, oy) = match &self.engine {
            Engine::PureRust {
                src,
                dst,
                src_geographic,
                dst_geographic,
            } => {
                let mut p = if *src_geographic {
                    (x.to_radians(), y.to_radians(), 0.0)
                } else {
                    (x, y, 0.0)
                };
                proj4rs::transform::transform(src, dst, &mut p)
                    .map_err(|e| format!("coordinate ({x}, {y}): {e}"))?;
                if *dst_geographic {
                    (p.0.to_degrees(), p.1.to_degrees())
                } else {
                    (p.0, p.1)
                }
            }
            #[cfg(feature = "proj")]
            Engine::Proj(proj) => proj
                .convert((x, y))
                .map_err(|e| format!("coordinate ({x}, {y}): {e}"))?,
        };
        if ox.is_finite() && oy.is_finite() {
            Ok((ox, oy))
        } else {
            Err(format!(
                "coordinate ({x}, {y}) has no finite image ({ox}, {oy}) in the target CRS"
            ))
        }
    }
}

impl fmt::Debug for Transformer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transformer")
            .field("backend", &self.backend())
            .finish_non_exhaustive()
    }
}

/// The proj4 definition of `crs`, or why it cannot be reprojected.
fn proj4_of(crs: &Crs) -> std::result::Result<&str, String> {
    crs.proj4.as_deref().ok_or_else(|| {
        format!(
            "CRS `{crs}` has no proj4 definition, so it cannot be reprojected \
             (a local planar system cannot be related to EPSG systems)"
        )
    })
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
}
