//! `gpkg_spatial_ref_sys`: the CRS of a srs_id when reading, and the rows written for the
//! CRSs of the output tables.

use std::path::Path;

use rusqlite::{Connection, params};

use crate::error::{Error, Result};
use crate::io::crs::wkt_to_crs;
use crate::model::crs::{Crs, CrsKind, GCJ02_NAME, LOCAL_PLANAR_NAME};

use super::sqlite_error;

/// First srs_id given to CRSs without an EPSG code (local planar, GCJ-02, proj4 strings).
const FIRST_CUSTOM_SRS_ID: i64 = 100_000;

/// The CRS of a srs_id of `gpkg_spatial_ref_sys`.
pub(super) fn crs_of_srs_id(
    conn: &Connection,
    label: &Path,
    srs_id: Option<i64>,
) -> Result<Option<Crs>> {
    let Some(srs_id) = srs_id else {
        return Ok(None);
    };
    // 0 and -1 are the undefined geographic and Cartesian systems every GeoPackage has.
    if srs_id == 0 || srs_id == -1 {
        return Ok(None);
    }
    let row = conn.query_row(
        "SELECT srs_name, organization, organization_coordsys_id, definition, description \
         FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
        [srs_id],
        |r| {
            Ok((
                r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                r.get::<_, Option<String>>(4)?,
            ))
        },
    );
    let (srs_name, organization, coordsys_id, definition, description) = match row {
        Ok(r) => r,
        Err(rusqlite::Error::QueryReturnedNoRows) => {
            return Err(Error::Crs {
                path: label.to_path_buf(),
                message: format!(
                    "srs_id {srs_id} of the geometry column is not in gpkg_spatial_ref_sys; \
                     give the CRS with --crs"
                ),
            });
        }
        Err(e) => {
            return Err(sqlite_error(
                label,
                &format!("reading gpkg_spatial_ref_sys: {e}"),
                &e,
            ));
        }
    };
    if organization.eq_ignore_ascii_case("EPSG")
        && let Some(crs) = coordsys_id
            .and_then(|c| u32::try_from(c).ok())
            .and_then(|c| Crs::from_epsg(c).ok())
    {
        return Ok(Some(crs));
    }
    // The pseudo-CRSs that write_gpkg stores without an EPSG code.
    if srs_name == LOCAL_PLANAR_NAME {
        return Ok(Some(Crs::local_planar()));
    }
    if srs_name == GCJ02_NAME {
        return Ok(Some(Crs::gcj02()));
    }
    let definition = definition.trim();
    if definition.is_empty() || definition.eq_ignore_ascii_case("undefined") {
        // write_gpkg keeps a proj4 definition (which has no WKT here) in the description.
        if let Some(crs) = description
            .as_deref()
            .map(str::trim)
            .filter(|d| d.starts_with("+proj="))
            .and_then(|d| Crs::from_proj4(d).ok())
        {
            return Ok(Some(crs));
        }
        return Ok(Some(Crs {
            name: if srs_name.is_empty() {
                format!("srs_id {srs_id}")
            } else {
                srs_name
            },
            epsg: None,
            proj4: None,
            kind: CrsKind::Unknown,
            unit: None,
        }));
    }
    // A definition that is not a WKT CRS landpool can read is an error, never a guess.
    wkt_to_crs(definition)
        .map(Some)
        .map_err(|message| Error::Crs {
            path: label.to_path_buf(),
            message: format!("srs_id {srs_id} (`{srs_name}`) of gpkg_spatial_ref_sys: {message}"),
        })
}

/// WKT 1 definitions (as GDAL 3.6 writes them) of the EPSG codes landpool commonly uses;
/// other EPSG codes are written with the definition `undefined`, which GDAL and QGIS
/// resolve from the organisation and code.
const EPSG_WKT: &[(u32, &str)] = &[
    (
        4326,
        r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#,
    ),
    (
        4490,
        r#"GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4490"]]"#,
    ),
    (
        4547,
        r#"PROJCS["CGCS2000 / 3-degree Gauss-Kruger CM 114E",GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4490"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",114],PARAMETER["scale_factor",1],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Northing",NORTH],AXIS["Easting",EAST],AUTHORITY["EPSG","4547"]]"#,
    ),
    (
        4526,
        r#"PROJCS["CGCS2000 / 3-degree Gauss-Kruger zone 38",GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4490"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",114],PARAMETER["scale_factor",1],PARAMETER["false_easting",38500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Northing",NORTH],AXIS["Easting",EAST],AUTHORITY["EPSG","4526"]]"#,
    ),
    (
        28992,
        r#"PROJCS["Amersfoort / RD New",GEOGCS["Amersfoort",DATUM["Amersfoort",SPHEROID["Bessel 1841",6377397.155,299.1528128,AUTHORITY["EPSG","7004"]],AUTHORITY["EPSG","6289"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4289"]],PROJECTION["Oblique_Stereographic"],PARAMETER["latitude_of_origin",52.1561605555556],PARAMETER["central_meridian",5.38763888888889],PARAMETER["scale_factor",0.9999079],PARAMETER["false_easting",155000],PARAMETER["false_northing",463000],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","28992"]]"#,
    ),
    (
        31370,
        r#"PROJCS["BD72 / Belgian Lambert 72",GEOGCS["BD72",DATUM["Reseau_National_Belge_1972",SPHEROID["International 1924",6378388,297,AUTHORITY["EPSG","7022"]],AUTHORITY["EPSG","6313"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4313"]],PROJECTION["Lambert_Conformal_Conic_2SP"],PARAMETER["latitude_of_origin",90],PARAMETER["central_meridian",4.36748666666667],PARAMETER["standard_parallel_1",51.1666672333333],PARAMETER["standard_parallel_2",49.8333339],PARAMETER["false_easting",150000.013],PARAMETER["false_northing",5400088.438],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","31370"]]"#,
    ),
    (
        3857,
        r#"PROJCS["WGS 84 / Pseudo-Mercator",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]],PROJECTION["Mercator_1SP"],PARAMETER["central_meridian",0],PARAMETER["scale_factor",1],PARAMETER["false_easting",0],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],EXTENSION["PROJ4","+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs"],AUTHORITY["EPSG","3857"]]"#,
    ),
];

/// Engineering (local) CRS definition written for [`Crs::local_planar`].
const LOCAL_PLANAR_WKT: &str = r#"LOCAL_CS["local planar (metres, no EPSG)",LOCAL_DATUM["unknown",32767],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH]]"#;

/// A row of `gpkg_spatial_ref_sys`.
struct SrsRow {
    srs_id: i64,
    name: String,
    organization: &'static str,
    coordsys_id: i64,
    definition: String,
    description: Option<String>,
}

/// The srs_ids of the CRSs of the tables: EPSG codes where known, custom ids from
/// [`FIRST_CUSTOM_SRS_ID`] on in order of first use otherwise.
#[derive(Default)]
pub(super) struct SrsRegistry {
    rows: Vec<SrsRow>,
    custom: Vec<(Crs, i64)>,
}

impl SrsRegistry {
    pub(super) fn srs_id(&mut self, crs: Option<&Crs>) -> i64 {
        let Some(crs) = crs else {
            // "Undefined Cartesian SRS".
            return -1;
        };
        if let Some(code) = crs.epsg {
            let id = i64::from(code);
            if id != 4326 && !self.rows.iter().any(|r| r.srs_id == id) {
                let wkt = EPSG_WKT.iter().find(|(c, _)| *c == code).map(|(_, w)| *w);
                let name = wkt
                    .and_then(|w| w.split('"').nth(1))
                    .map_or_else(|| format!("EPSG:{code}"), str::to_string);
                self.rows.push(SrsRow {
                    srs_id: id,
                    name,
                    organization: "EPSG",
                    coordsys_id: id,
                    definition: wkt.unwrap_or("undefined").to_string(),
                    description: None,
                });
            }
            return id;
        }
        if let Some((_, id)) = self.custom.iter().find(|(c, _)| c == crs) {
            return *id;
        }
        let id = FIRST_CUSTOM_SRS_ID + self.custom.len() as i64;
        let (definition, description) = if crs.name == LOCAL_PLANAR_NAME {
            (
                LOCAL_PLANAR_WKT.to_string(),
                Some("planar metres without an EPSG code".to_string()),
            )
        } else if crs.is_gcj02() {
            (
                "undefined".to_string(),
                Some("GCJ-02 longitude/latitude (WGS 84 with the Chinese offset)".to_string()),
            )
        } else {
            // Without a WKT to write, a proj4 definition is kept in the description.
            ("undefined".to_string(), crs.proj4.clone())
        };
        self.rows.push(SrsRow {
            srs_id: id,
            name: crs.name.clone(),
            organization: "NONE",
            coordsys_id: id,
            definition,
            description,
        });
        self.custom.push((crs.clone(), id));
        id
    }
}

impl SrsRegistry {
    /// Inserts the rows every GeoPackage must have (the undefined Cartesian and geographic
    /// systems, WGS 84), then the registered ones, in order of registration.
    pub(super) fn insert_rows(&self, conn: &Connection) -> rusqlite::Result<()> {
        let mut insert_srs = conn.prepare(
            "INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, \
             organization_coordsys_id, definition, description) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        let wgs84 = EPSG_WKT[0].1;
        let required = [
            (
                "Undefined Cartesian SRS",
                -1,
                "NONE",
                -1,
                "undefined",
                "undefined Cartesian coordinate reference system",
            ),
            (
                "Undefined geographic SRS",
                0,
                "NONE",
                0,
                "undefined",
                "undefined geographic coordinate reference system",
            ),
            (
                "WGS 84 geodetic",
                4326,
                "EPSG",
                4326,
                wgs84,
                "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid",
            ),
        ];
        for (name, id, org, code, def, desc) in required {
            insert_srs.execute(params![name, id, org, code, def, desc])?;
        }
        for r in &self.rows {
            insert_srs.execute(params![
                r.name,
                r.srs_id,
                r.organization,
                r.coordsys_id,
                r.definition,
                r.description
            ])?;
        }
        Ok(())
    }
}
