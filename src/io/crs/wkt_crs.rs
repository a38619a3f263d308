//! What a WKT CRS says: kind, name, EPSG code, linear unit, and a proj4 definition derived
//! from its PROJECTION/CONVERSION and PARAMETERs (WKT1 as OGC, GDAL and ESRI write it, and
//! WKT2).
//!
//! No maintained crate does this for ESRI WKT (`proj4wkt` 0.1 is a single unstable
//! release), so the projections analysts meet are translated here: Transverse Mercator /
//! Gauss-Krüger (UTM included), Lambert Conformal Conic (1SP, 2SP), Albers, Mercator (1SP,
//! 2SP, Web Mercator), Oblique (double) Stereographic and Equidistant Cylindrical. proj4's
//! `+x_0`/`+y_0` are metres, so false eastings given in feet are converted; the CRS's unit
//! becomes `+units=m` or `+to_meter=`.

use std::f64::consts::PI;

use crate::model::crs::{CrsKind, LinearUnit};

use super::units::unit_of_wkt;
use super::wkt::WktNode;

/// The CRS a WKT text describes.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct WktCrs {
    /// The name of the (horizontal) CRS node.
    pub name: String,
    /// Its own AUTHORITY/ID EPSG code.
    pub epsg: Option<u32>,
    /// Projected (also local/engineering) or geographic.
    pub kind: CrsKind,
    /// The linear unit (projected CRSs).
    pub unit: Option<LinearUnit>,
    /// The proj4 definition, or why none could be derived.
    pub proj4: Result<String, String>,
}

const PROJECTED: &[&str] = &["PROJCS", "PROJCRS", "PROJECTEDCRS"];
const GEOGRAPHIC: &[&str] = &[
    "GEOGCS",
    "GEOGCRS",
    "GEOGRAPHICCRS",
    "GEODCRS",
    "GEODETICCRS",
    "BASEGEOGCRS",
    "BASEGEODCRS",
];
const LOCAL: &[&str] = &["LOCAL_CS", "ENGCRS", "ENGINEERINGCRS"];
const COMPOUND: &[&str] = &["COMPD_CS", "COMPOUNDCRS"];
const LINEAR_UNIT: &[&str] = &["UNIT", "LENGTHUNIT"];

/// Interprets a WKT CRS text. Not well-formed WKT, a node that is no horizontal CRS, and a
/// projected CRS without a usable linear unit are errors (the message says which).
pub(super) fn interpret(text: &str) -> Result<WktCrs, String> {
    let root = WktNode::parse(text.trim().trim_start_matches('\u{feff}'))
        .map_err(|e| format!("not a valid WKT CRS: {e}"))?;
    let node = if COMPOUND.contains(&root.keyword.as_str()) {
        root.children()
            .find(|c| is_horizontal(&c.keyword))
            .ok_or("the compound CRS has no horizontal (projected or geographic) part")?
    } else {
        &root
    };
    let keyword = node.keyword.as_str();
    let name = node.name().unwrap_or("unnamed WKT CRS").to_string();
    // A compound CRS's own code names the compound, not its horizontal part.
    let epsg = node.epsg();
    if GEOGRAPHIC.contains(&keyword) {
        return Ok(WktCrs {
            proj4: geographic_proj4(node),
            name,
            epsg,
            kind: CrsKind::Geographic,
            unit: None,
        });
    }
    if !PROJECTED.contains(&keyword) && !LOCAL.contains(&keyword) {
        return Err(format!(
            "`{keyword}[...]` is not a horizontal CRS (expected PROJCS, GEOGCS, PROJCRS, \
             GEOGCRS, LOCAL_CS or a compound CRS)"
        ));
    }
    let unit = linear_unit(node).ok_or_else(|| {
        format!("the projected CRS `{name}` declares no usable linear unit (UNIT[\"…\", metres])")
    })?;
    let proj4 = if LOCAL.contains(&keyword) {
        Err("a local (engineering) CRS cannot be related to other CRSs".to_string())
    } else {
        projected_proj4(node, &unit)
    };
    Ok(WktCrs {
        name,
        epsg,
        kind: CrsKind::Projected,
        unit: Some(unit),
        proj4,
    })
}

fn is_horizontal(keyword: &str) -> bool {
    PROJECTED.contains(&keyword) || GEOGRAPHIC.contains(&keyword) || LOCAL.contains(&keyword)
}

/// The CRS's own linear unit: a direct `UNIT`/`LENGTHUNIT` child (WKT1, and WKT2 with one
/// unit for all axes), else the first axis's (WKT2).
fn linear_unit(node: &WktNode) -> Option<LinearUnit> {
    let of = |u: &WktNode| unit_of_wkt(u.name(), u.number(0));
    node.child(LINEAR_UNIT).and_then(of).or_else(|| {
        node.children_named(&["AXIS"])
            .find_map(|a| a.child(LINEAR_UNIT))
            .and_then(of)
    })
}

/// Degrees per angular unit of a geographic CRS node (1 unless it says otherwise).
fn degrees_per_unit(geog: &WktNode) -> f64 {
    geog.child(&["UNIT", "ANGLEUNIT"])
        .and_then(|u| u.number(0))
        .filter(|r| r.is_finite() && *r > 0.0)
        .map_or(1.0, degrees_of)
}

/// Degrees in an angular unit of `radians`; exactly 1 for the degree as WKT spells it
/// (`0.0174532925199433`, 15 digits), so that parameters stay as written.
fn degrees_of(radians: f64) -> f64 {
    let degrees = radians * 180.0 / PI;
    if (degrees - 1.0).abs() < 1e-12 {
        1.0
    } else {
        degrees
    }
}

/// `+datum=…` or `+a= +rf=` (`+towgs84=` where given) and `+pm=` of a geographic CRS node.
fn datum_terms(geog: &WktNode) -> Result<String, String> {
    let datum = geog.find(&["DATUM", "GEODETICDATUM", "TRF", "ENSEMBLE"]);
    let datum_name: String = datum
        .and_then(WktNode::name)
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .flat_map(|c| c.to_lowercase())
        .collect();
    let mut terms = if datum_name.contains("wgs1984")
        || datum_name.contains("wgs84")
        || datum_name.contains("worldgeodeticsystem1984")
    {
        "+datum=WGS84".to_string()
    } else if datum_name.contains("northamerican1983") {
        "+datum=NAD83".to_string()
    } else {
        let ellipsoid = geog
            .find(&["SPHEROID", "ELLIPSOID"])
            .ok_or("the datum has no SPHEROID/ELLIPSOID")?;
        let metres = ellipsoid
            .child(LINEAR_UNIT)
            .and_then(|u| u.number(0))
            .unwrap_or(1.0);
        let (a, rf) = match (ellipsoid.number(0), ellipsoid.number(1)) {
            (Some(a), Some(rf)) if a > 0.0 && rf >= 0.0 => (a * metres, rf),
            _ => return Err("the ellipsoid has no semi-major axis and inverse flattening".into()),
        };
        let mut t = if rf == 0.0 {
            format!("+a={a} +b={a}")
        } else {
            format!("+a={a} +rf={rf}")
        };
        if let Some(towgs84) = geog.find(&["TOWGS84"]) {
            let v: Vec<String> = (0..7)
                .map_while(|i| towgs84.number(i))
                .map(|x| x.to_string())
                .collect();
            t.push_str(&format!(" +towgs84={}", v.join(",")));
        }
        t
    };
    let pm = geog
        .child(&["PRIMEM", "PRIMEMERIDIAN"])
        .and_then(|p| p.number(0))
        .unwrap_or(0.0);
    if pm != 0.0 {
        terms.push_str(&format!(" +pm={}", pm * degrees_per_unit(geog)));
    }
    Ok(terms)
}

fn geographic_proj4(geog: &WktNode) -> Result<String, String> {
    Ok(format!("+proj=longlat {} +no_defs", datum_terms(geog)?))
}

/// The projection methods translated, by their proj4 name.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Method {
    Tmerc,
    Lcc,
    Aea,
    Merc,
    WebMerc,
    Sterea,
    Eqc,
}

fn method_named(normalised: &str) -> Option<Method> {
    Some(match normalised {
        "transversemercator" | "gausskruger" | "gausskrueger" | "transversemercatorcomplex" => {
            Method::Tmerc
        }
        n if (n.starts_with("lambertconformalconic") || n.starts_with("lambertconicconformal"))
            && !n.contains("belgium")
            && !n.contains("michigan") =>
        {
            Method::Lcc
        }
        "albers" | "albersconicequalarea" | "albersequalarea" | "albersequalareaconic" => {
            Method::Aea
        }
        "mercator" | "mercator1sp" | "mercator2sp" | "mercatorvarianta" | "mercatorvariantb" => {
            Method::Merc
        }
        "mercatorauxiliarysphere" | "popularvisualisationpseudomercator" | "pseudomercator" => {
            Method::WebMerc
        }
        "obliquestereographic" | "doublestereographic" => Method::Sterea,
        "equirectangular"
        | "equidistantcylindrical"
        | "platecarree"
        | "equidistantcylindricalspherical" => Method::Eqc,
        _ => return None,
    })
}

/// The proj4 parameter a WKT parameter sets, and what it measures.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Param {
    Lat0,
    Lon0,
    K0,
    X0,
    Y0,
    Lat1,
    Lat2,
    Ignored,
}

fn param_named(normalised: &str) -> Option<Param> {
    Some(match normalised {
        "latitudeoforigin"
        | "latitudeofnaturalorigin"
        | "latitudeoffalseorigin"
        | "latitudeofcenter"
        | "latitudeofcentre"
        | "latitudeofprojectioncentre" => Param::Lat0,
        "centralmeridian"
        | "longitudeofnaturalorigin"
        | "longitudeoffalseorigin"
        | "longitudeofcenter"
        | "longitudeofcentre"
        | "longitudeoforigin" => Param::Lon0,
        "scalefactor" | "scalefactoratnaturalorigin" => Param::K0,
        "falseeasting" | "eastingatfalseorigin" => Param::X0,
        "falsenorthing" | "northingatfalseorigin" => Param::Y0,
        "standardparallel1"
        | "latitudeof1ststandardparallel"
        | "latitudeoffirststandardparallel" => Param::Lat1,
        "standardparallel2"
        | "latitudeof2ndstandardparallel"
        | "latitudeofsecondstandardparallel" => Param::Lat2,
        "auxiliaryspheretype" => Param::Ignored,
        _ => return None,
    })
}

fn normalise(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .flat_map(|c| c.to_lowercase())
        .collect()
}

/// The parameter values in proj4 terms: angles in degrees, lengths in metres.
#[derive(Debug, Default)]
struct Params {
    lat_0: Option<f64>,
    lon_0: Option<f64>,
    k_0: Option<f64>,
    x_0: Option<f64>,
    y_0: Option<f64>,
    lat_1: Option<f64>,
    lat_2: Option<f64>,
}

/// Reads the PARAMETERs: WKT1 ones are in the geographic CRS's angular unit and the
/// projected CRS's linear unit; a WKT2 one names its own unit.
fn read_params(
    holder: &WktNode,
    method: &str,
    degrees: f64,
    unit: &LinearUnit,
) -> Result<Params, String> {
    let mut p = Params::default();
    for node in holder.children_named(&["PARAMETER"]) {
        let pname = node.name().unwrap_or_default();
        let kind = param_named(&normalise(pname))
            .ok_or_else(|| format!("parameter `{pname}` of `{method}` is not understood"))?;
        let raw = node
            .number(0)
            .ok_or_else(|| format!("parameter `{pname}` has no value"))?;
        let own = node
            .child(&["ANGLEUNIT", "LENGTHUNIT", "SCALEUNIT", "UNIT"])
            .and_then(|u| u.number(0).map(|f| (u.keyword.as_str(), f)));
        let angle = |v: f64| match own {
            Some((_, radians)) => v * degrees_of(radians),
            None => v * degrees,
        };
        let length = |v: f64| match own {
            Some((_, metres)) => v * metres,
            None => v * unit.metres,
        };
        let slot = match kind {
            Param::Lat0 => (&mut p.lat_0, angle(raw)),
            Param::Lon0 => (&mut p.lon_0, angle(raw)),
            Param::Lat1 => (&mut p.lat_1, angle(raw)),
            Param::Lat2 => (&mut p.lat_2, angle(raw)),
            Param::X0 => (&mut p.x_0, length(raw)),
            Param::Y0 => (&mut p.y_0, length(raw)),
            Param::K0 => (&mut p.k_0, own.map_or(raw, |(_, f)| raw * f)),
            Param::Ignored => continue,
        };
        *slot.0 = Some(slot.1);
    }
    Ok(p)
}

fn projected_proj4(node: &WktNode, unit: &LinearUnit) -> Result<String, String> {
    let geog = node
        .child(GEOGRAPHIC)
        .ok_or("the projected CRS has no geographic base CRS (GEOGCS)")?;
    // WKT1: PROJECTION and PARAMETERs in the PROJCS; WKT2: METHOD and PARAMETERs in the
    // CONVERSION.
    let (method_node, holder) = match node.child(&["CONVERSION", "DERIVINGCONVERSION"]) {
        Some(conv) => (conv.child(&["METHOD", "PROJECTION"]), conv),
        None => (node.child(&["PROJECTION"]), node),
    };
    let method_name = method_node
        .and_then(WktNode::name)
        .ok_or("the projected CRS names no projection (PROJECTION/METHOD)")?;
    let method = method_named(&normalise(method_name)).ok_or_else(|| {
        format!(
            "the projection `{method_name}` is not one landpool translates to proj4 \
             (Transverse Mercator/Gauss-Krüger, Lambert Conformal Conic, Albers, Mercator, \
             Oblique Stereographic, Equidistant Cylindrical)"
        )
    })?;
    let p = read_params(holder, method_name, degrees_per_unit(geog), unit)?;
    let units = if unit.is_metre() {
        "+units=m".to_string()
    } else {
        format!("+to_meter={}", unit.metres)
    };
    let (x_0, y_0) = (p.x_0.unwrap_or(0.0), p.y_0.unwrap_or(0.0));
    let lon_0 = p.lon_0.unwrap_or(0.0);
    let head = match method {
        Method::WebMerc => {
            return Ok(format!(
                "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0={lon_0} +x_0={x_0} \
                 +y_0={y_0} +k=1 {units} +nadgrids=@null +wktext +no_defs"
            ));
        }
        Method::Tmerc | Method::Sterea => format!(
            "+proj={} +lat_0={} +lon_0={lon_0} +k={}",
            if method == Method::Tmerc {
                "tmerc"
            } else {
                "sterea"
            },
            p.lat_0.unwrap_or(0.0),
            p.k_0.unwrap_or(1.0)
        ),
        Method::Lcc => {
            let lat_1 = p
                .lat_1
                .or(p.lat_0)
                .ok_or("the conic projection has no latitudes")?;
            let lat_2 = p.lat_2.unwrap_or(lat_1);
            format!(
                "+proj=lcc +lat_1={lat_1} +lat_2={lat_2} +lat_0={} +lon_0={lon_0} +k_0={}",
                p.lat_0.unwrap_or(lat_1),
                p.k_0.unwrap_or(1.0)
            )
        }
        Method::Aea => {
            let (Some(lat_1), Some(lat_2)) = (p.lat_1, p.lat_2) else {
                return Err("the Albers projection needs both standard parallels".into());
            };
            format!(
                "+proj=aea +lat_1={lat_1} +lat_2={lat_2} +lat_0={} +lon_0={lon_0}",
                p.lat_0.unwrap_or(0.0)
            )
        }
        Method::Merc => match p.lat_1 {
            Some(lat_ts) => format!("+proj=merc +lat_ts={lat_ts} +lon_0={lon_0}"),
            None => format!("+proj=merc +lon_0={lon_0} +k={}", p.k_0.unwrap_or(1.0)),
        },
        Method::Eqc => format!(
            "+proj=eqc +lat_ts={} +lat_0={} +lon_0={lon_0}",
            p.lat_1.unwrap_or(0.0),
            p.lat_0.unwrap_or(0.0)
        ),
    };
    Ok(format!(
        "{head} +x_0={x_0} +y_0={y_0} {} {units} +no_defs",
        datum_terms(geog)?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FOOT_US: &str = r#"PROJCS["NAD_1983_StatePlane_California_III_FIPS_0403_Feet",GEOGCS["GCS_North_American_1983",DATUM["D_North_American_1983",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],PARAMETER["False_Easting",6561666.666666666],PARAMETER["False_Northing",1640416.666666667],PARAMETER["Central_Meridian",-120.5],PARAMETER["Standard_Parallel_1",37.06666666666667],PARAMETER["Standard_Parallel_2",38.43333333333333],PARAMETER["Latitude_Of_Origin",36.5],UNIT["Foot_US",0.3048006096012192]]"#;

    #[test]
    fn esri_foot_us_state_plane() {
        let c = interpret(FOOT_US).unwrap();
        assert_eq!(c.kind, CrsKind::Projected);
        assert_eq!(c.epsg, None);
        let unit = c.unit.unwrap();
        assert_eq!(
            (unit.name.as_str(), unit.metres),
            ("US survey foot", 0.3048006096012192)
        );
        let p = c.proj4.unwrap();
        assert!(p.starts_with("+proj=lcc +lat_1=37.06666666666667 +lat_2=38.43333333333333 +lat_0=36.5 +lon_0=-120.5"), "{p}");
        // 6561666.666666666 US survey feet are 2,000,000 m.
        assert!(
            p.contains("+x_0=1999999.99999999") && p.contains("+datum=NAD83"),
            "{p}"
        );
        assert!(p.ends_with("+to_meter=0.3048006096012192 +no_defs"), "{p}");
        proj4rs::Proj::from_proj_string(&p).unwrap();
    }

    #[test]
    fn wkt2_units_from_the_axes_and_parameters() {
        let wkt2 = r#"PROJCRS["NAD83 / California zone 3 (ftUS)",BASEGEOGCRS["NAD83",DATUM["North American Datum 1983",ELLIPSOID["GRS 1980",6378137,298.257222101,LENGTHUNIT["metre",1]]],PRIMEM["Greenwich",0,ANGLEUNIT["degree",0.0174532925199433]]],CONVERSION["SPCS83 California zone 3 (US Survey feet)",METHOD["Lambert Conic Conformal (2SP)",ID["EPSG",9802]],PARAMETER["Latitude of false origin",36.5,ANGLEUNIT["degree",0.0174532925199433]],PARAMETER["Longitude of false origin",-120.5,ANGLEUNIT["degree",0.0174532925199433]],PARAMETER["Latitude of 1st standard parallel",38.4333333333333,ANGLEUNIT["degree",0.0174532925199433]],PARAMETER["Latitude of 2nd standard parallel",37.0666666666667,ANGLEUNIT["degree",0.0174532925199433]],PARAMETER["Easting at false origin",6561666.667,LENGTHUNIT["US survey foot",0.304800609601219]],PARAMETER["Northing at false origin",1640416.667,LENGTHUNIT["US survey foot",0.304800609601219]]],CS[Cartesian,2],AXIS["easting (X)",east,ORDER[1],LENGTHUNIT["US survey foot",0.304800609601219]],AXIS["northing (Y)",north,ORDER[2],LENGTHUNIT["US survey foot",0.304800609601219]],ID["EPSG",2227]]"#;
        let c = interpret(wkt2).unwrap();
        assert_eq!(c.epsg, Some(2227));
        assert_eq!(c.unit.unwrap().name, "US survey foot");
        let p = c.proj4.unwrap();
        assert!(p.contains("+x_0=2000000.00010"), "{p}");
        proj4rs::Proj::from_proj_string(&p).unwrap();
    }

    #[test]
    fn every_translated_projection_is_accepted_by_proj4rs() {
        let geog = r#"GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
        for (projection, params) in [
            (
                "Gauss_Kruger",
                r#"PARAMETER["Central_Meridian",114.0],PARAMETER["Scale_Factor",1.0]"#,
            ),
            (
                "Transverse_Mercator",
                r#"PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",0.9996]"#,
            ),
            (
                "Lambert_Conformal_Conic",
                r#"PARAMETER["Central_Meridian",114.0],PARAMETER["Standard_Parallel_1",21.0],PARAMETER["Standard_Parallel_2",25.0],PARAMETER["Latitude_Of_Origin",20.0]"#,
            ),
            (
                "Albers",
                r#"PARAMETER["Central_Meridian",105.0],PARAMETER["Standard_Parallel_1",25.0],PARAMETER["Standard_Parallel_2",47.0]"#,
            ),
            (
                "Mercator",
                r#"PARAMETER["Central_Meridian",0.0],PARAMETER["Standard_Parallel_1",0.0]"#,
            ),
            (
                "Mercator_Auxiliary_Sphere",
                r#"PARAMETER["Central_Meridian",0.0],PARAMETER["Auxiliary_Sphere_Type",0.0]"#,
            ),
            (
                "Double_Stereographic",
                r#"PARAMETER["Central_Meridian",114.0],PARAMETER["Latitude_Of_Origin",22.5],PARAMETER["Scale_Factor",1.0]"#,
            ),
            ("Plate_Carree", r#"PARAMETER["Central_Meridian",0.0]"#),
        ] {
            let wkt = format!(
                r#"PROJCS["x",{geog},PROJECTION["{projection}"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],{params},UNIT["Meter",1.0]]"#
            );
            let p = interpret(&wkt).unwrap().proj4.unwrap();
            proj4rs::Proj::from_proj_string(&p)
                .unwrap_or_else(|e| panic!("{projection}: {p}: {e}"));
        }
    }

    #[test]
    fn what_cannot_be_read_says_why() {
        assert!(
            interpret("PROJCS[garbage[[[")
                .unwrap_err()
                .contains("not a valid WKT")
        );
        let no_unit = r#"PROJCS["x",GEOGCS["g",DATUM["d",SPHEROID["s",6378137,298.257]]]]"#;
        assert!(
            interpret(no_unit)
                .unwrap_err()
                .contains("no usable linear unit")
        );
        let vertical = r#"VERT_CS["h",VERT_DATUM["d",2005],UNIT["metre",1]]"#;
        assert!(
            interpret(vertical)
                .unwrap_err()
                .contains("not a horizontal CRS")
        );
        let krovak = r#"PROJCS["k",GEOGCS["g",DATUM["d",SPHEROID["s",6377397.155,299.15]]],PROJECTION["Krovak"],UNIT["metre",1]]"#;
        let c = interpret(krovak).unwrap();
        assert!(c.proj4.unwrap_err().contains("Krovak"));
        assert!(c.unit.unwrap().is_metre());
    }
}
