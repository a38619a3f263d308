//! ESRI Shapefile reader (.shp/.shx geometry via the `shapefile` crate; .dbf, .cpg and .prj
//! read here).
//!
//! * Geometry: Polygon/PolygonM/PolygonZ records become MultiPolygons. Ring roles follow the
//!   ESRI rule (clockwise = shell, counter-clockwise = hole) and each hole is assigned to the
//!   smallest shell that contains it, whatever the ring order; a hole inside no shell is kept
//!   as a polygon of its own (so no area is lost; validation will see it). Null shapes become
//!   empty geometries (reported by validation); other shape types are an error.
//! * Attributes: the .dbf is read here, byte-exact, because Chinese shapefiles are usually
//!   GBK-encoded without a .cpg. The encoding is the `.cpg`'s if present, else
//!   [`ReadOptions::encoding`], else strict UTF-8; text that does not decode is an
//!   [`Error::Encoding`] naming the file, record and field (and suggesting `--encoding gbk`),
//!   except a character cut at the field width, which is kept as U+FFFD with a warning.
//!   dBase dates become [`crate::Value::Date`]; numeric fields without decimals become `Int`.
//!   Records flagged deleted (`*`) are skipped with their shapes, as GDAL does; feature
//!   indexes stay the record numbers.
//! * Damaged files: every count and length read from a header is checked against the file
//!   size before anything is allocated, so a damaged file is an error, never an abort.
//! * CRS: the `.prj` WKT ([`Crs::from_wkt`]: unit included); no `.prj` gives no CRS, an
//!   unreadable one is an error naming it.
//!   [`ReadOptions::assume_crs`] overrides both.

use std::fs;
use std::path::{Path, PathBuf};

use encoding_rs::Encoding;

use crate::error::{Error, Result};
use crate::io::crs::{Crs, wkt_to_crs};
use crate::io::{ReadOptions, layer_name};
use crate::model::{Feature, Layer};

mod dbf;
mod rings;
mod shapes;

use dbf::{DbfTable, TextEncoding};

/// A Shapefile as read, with what the reader had to tolerate to read it.
#[derive(Debug)]
pub struct ShapefileRead {
    /// The layer (live records only).
    pub layer: Layer,
    /// Records flagged deleted in the .dbf (`*`), skipped together with their shapes.
    pub deleted_records: usize,
    /// Text cells cut mid-character at the field width (`record #r, field F`), kept with
    /// the broken tail replaced by U+FFFD.
    pub repaired_text: Vec<String>,
}

impl ShapefileRead {
    /// One line per kind of thing tolerated, for the user; empty when the file was clean.
    pub fn warnings(&self) -> Vec<String> {
        let path = &self.layer.source;
        let mut out = Vec::new();
        if self.deleted_records > 0 {
            out.push(format!(
                "{path}: skipped {} record(s) flagged deleted in the .dbf, with their shapes",
                self.deleted_records
            ));
        }
        if let Some(first) = self.repaired_text.first() {
            out.push(format!(
                "{path}: {} text value(s) cut mid-character at the field width; the broken \
                 tail was replaced by U+FFFD (first: {first})",
                self.repaired_text.len()
            ));
        }
        out
    }
}

/// Reads a polygon Shapefile with its .dbf, .cpg and .prj side-car files. What had to be
/// tolerated (deleted records, cut text) is printed to stderr as warnings; use
/// [`read_shapefile_report`] to get it instead.
pub fn read_shapefile(path: &Path, opts: &ReadOptions) -> Result<Layer> {
    let read = read_shapefile_report(path, opts)?;
    for w in read.warnings() {
        eprintln!("warning: {w}");
    }
    Ok(read.layer)
}

/// Reads a polygon Shapefile, returning the layer and what had to be tolerated.
pub fn read_shapefile_report(path: &Path, opts: &ReadOptions) -> Result<ShapefileRead> {
    if !path.exists() {
        return Err(Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "file not found"),
        ));
    }
    let geometries = shapes::read_geometries(path)?;
    let dbf_path = sibling(path, "dbf");
    let encoding = choose_encoding(path, opts)?;
    let dbf_bytes = fs::read(&dbf_path).map_err(|e| Error::io(&dbf_path, e))?;
    let table = dbf::read_dbf(&dbf_path, &dbf_bytes, encoding)?;
    if table.total_records != geometries.len() {
        return Err(Error::Parse {
            path: dbf_path,
            line: None,
            column: None,
            message: format!(
                "the .dbf has {} records but the .shp has {} shapes",
                table.total_records,
                geometries.len()
            ),
        });
    }
    let crs = match &opts.assume_crs {
        Some(c) => Some(c.clone()),
        None => read_prj(path)?,
    };
    let deleted_records = table.total_records - table.records.len();
    let DbfTable {
        schema,
        records,
        repaired_text,
        ..
    } = table;
    let features = pair_records(geometries, records);
    Ok(ShapefileRead {
        layer: Layer {
            source: crate::model::SourceLabel::File(path.to_path_buf()),
            name: layer_name(path),
            crs,
            schema,
            features,
        },
        deleted_records,
        repaired_text,
    })
}

/// Joins live .dbf records with their shapes: record number *n* goes with shape *n*, and
/// the shapes of deleted records are dropped.
fn pair_records(
    geometries: Vec<geo::MultiPolygon<f64>>,
    records: Vec<dbf::DbfRecord>,
) -> Vec<Feature> {
    let mut geometries: Vec<Option<geo::MultiPolygon<f64>>> =
        geometries.into_iter().map(Some).collect();
    records
        .into_iter()
        .map(|r| Feature {
            index: r.number,
            key: None,
            // Record numbers are below the shape count (checked by the caller).
            geometry: geometries
                .get_mut(r.number)
                .and_then(Option::take)
                .unwrap_or_else(|| geo::MultiPolygon::new(vec![])),
            attributes: r.values,
        })
        .collect()
}

/// The CRS of the `.prj` WKT; none without a `.prj`.
fn read_prj(path: &Path) -> Result<Option<Crs>> {
    let prj = sibling(path, "prj");
    match fs::read(&prj) {
        // A .prj that is not a WKT CRS landpool can read is an error naming it, never a
        // default (such as metres).
        Ok(bytes) => wkt_to_crs(&String::from_utf8_lossy(&bytes))
            .map(Some)
            .map_err(|message| Error::Crs {
                path: prj.clone(),
                message: format!("{message}; give the CRS with --crs (e.g. --crs EPSG:4547)"),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(prj, e)),
    }
}

/// `path` with another extension, matching the case of the `.shp` extension when a file
/// with that case exists (`QU.SHP` → `QU.DBF`).
fn sibling(path: &Path, ext: &str) -> PathBuf {
    let upper = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.chars().all(|c| c.is_ascii_uppercase()));
    let candidate = path.with_extension(if upper {
        ext.to_ascii_uppercase()
    } else {
        ext.to_string()
    });
    if candidate.exists() {
        candidate
    } else {
        path.with_extension(ext)
    }
}

/// The encoding a `.cpg` code page or an `encoding` option names (Windows code pages, WHATWG
/// labels); `None` when it names none.
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    let l = label
        .trim()
        .trim_start_matches('\u{feff}')
        .to_ascii_lowercase();
    let by_codepage = match l.as_str() {
        "65001" => Some(encoding_rs::UTF_8),
        "936" | "cp936" | "ansi 936" => Some(encoding_rs::GBK),
        "54936" | "cp54936" => Some(encoding_rs::GB18030),
        "950" | "cp950" => Some(encoding_rs::BIG5),
        "932" | "cp932" => Some(encoding_rs::SHIFT_JIS),
        "949" | "cp949" => Some(encoding_rs::EUC_KR),
        "1252" | "cp1252" | "ansi 1252" | "latin1" | "latin-1" => Some(encoding_rs::WINDOWS_1252),
        "8859-1" | "88591" => Some(encoding_rs::WINDOWS_1252),
        _ => None,
    };
    by_codepage.or_else(|| Encoding::for_label(l.as_bytes()))
}

fn choose_encoding(shp: &Path, opts: &ReadOptions) -> Result<TextEncoding> {
    let cpg = sibling(shp, "cpg");
    match fs::read(&cpg) {
        Ok(bytes) => {
            let label = String::from_utf8_lossy(&bytes).trim().to_string();
            let enc = encoding_for_label(&label).ok_or_else(|| Error::Encoding {
                path: cpg.clone(),
                message: format!("unknown code page `{label}` in the .cpg file"),
            })?;
            return Ok(TextEncoding::Known(enc, "the .cpg file"));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(cpg, e)),
    }
    match &opts.encoding {
        Some(label) => {
            let enc = encoding_for_label(label).ok_or_else(|| {
                Error::Usage(format!(
                    "unknown encoding `{label}`; use e.g. gbk, gb18030, utf-8 or latin1"
                ))
            })?;
            Ok(TextEncoding::Known(enc, "--encoding"))
        }
        None => Ok(TextEncoding::Utf8Unspecified),
    }
}

#[cfg(test)]
mod tests {
    use super::dbf::parse_float;

    #[test]
    fn dbase_exponent_floats_parse() {
        assert_eq!(parse_float("1.69599206793e+008"), Some(169_599_206.793));
    }
}
