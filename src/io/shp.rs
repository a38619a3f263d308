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
//!   [`Error::Encoding`] naming the file, record and field (and suggesting `--encoding gbk`).
//!   dBase dates become [`Value::Date`]; numeric fields without decimals become `Int`.
//! * CRS: the `.prj` WKT ([`Crs::from_wkt`]); no `.prj` gives no CRS.
//!   [`ReadOptions::assume_crs`] overrides both.

use std::fs;
use std::path::Path;

use chrono::NaiveDate;
use encoding_rs::Encoding;
use geo::{Contains, Coord, LineString, MultiPolygon, Point, Polygon};

use crate::error::{Error, Result};
use crate::io::crs::Crs;
use crate::io::{ReadOptions, layer_name};
use crate::layer::{Feature, Field, FieldKind, Layer, Value};

/// Reads a polygon Shapefile with its .dbf, .cpg and .prj side-car files.
pub fn read_shapefile(path: &Path, opts: &ReadOptions) -> Result<Layer> {
    let geometries = read_geometries(path)?;
    let dbf_path = sibling(path, "dbf");
    let encoding = choose_encoding(path, opts)?;
    let table = read_dbf(&dbf_path, encoding)?;
    if table.records.len() != geometries.len() {
        return Err(Error::Parse {
            path: dbf_path,
            line: None,
            column: None,
            message: format!(
                "the .dbf has {} records but the .shp has {} shapes",
                table.records.len(),
                geometries.len()
            ),
        });
    }
    let crs = match &opts.assume_crs {
        Some(c) => Some(c.clone()),
        None => {
            let prj = sibling(path, "prj");
            match fs::read(&prj) {
                Ok(bytes) => Some(Crs::from_wkt(&String::from_utf8_lossy(&bytes))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(Error::io(prj, e)),
            }
        }
    };
    let features = geometries
        .into_iter()
        .zip(table.records)
        .enumerate()
        .map(|(index, (geometry, attributes))| Feature {
            index,
            key: None,
            geometry,
            attributes,
        })
        .collect();
    Ok(Layer {
        source: crate::model::SourceLabel::File(path.to_path_buf()),
        name: layer_name(path),
        crs,
        schema: table.schema,
        features,
    })
}

/// `path` with another extension, matching the case of the `.shp` extension when a file
/// with that case exists (`QU.SHP` → `QU.DBF`).
fn sibling(path: &Path, ext: &str) -> std::path::PathBuf {
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

fn read_geometries(path: &Path) -> Result<Vec<MultiPolygon<f64>>> {
    let shp_err = |message: String| Error::Parse {
        path: path.to_path_buf(),
        line: None,
        column: None,
        message,
    };
    if !path.exists() {
        return Err(Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "file not found"),
        ));
    }
    let mut reader = shapefile::ShapeReader::from_path(path)
        .map_err(|e| shp_err(format!("cannot read shapefile: {e}")))?;
    let mut out = Vec::new();
    for (index, shape) in reader.iter_shapes().enumerate() {
        let shape = shape.map_err(|e| shp_err(format!("shape #{index}: {e}")))?;
        let rings: Vec<Vec<Coord>> = match shape {
            shapefile::Shape::NullShape => Vec::new(),
            shapefile::Shape::Polygon(p) => rings_xy(p.rings()),
            shapefile::Shape::PolygonM(p) => rings_xy(p.rings()),
            shapefile::Shape::PolygonZ(p) => rings_xy(p.rings()),
            other => {
                return Err(Error::Feature {
                    path: path.to_path_buf(),
                    feature: format!("#{index}"),
                    message: format!(
                        "shape type {} is not an area; only Polygon shapefiles can be read",
                        other.shapetype()
                    ),
                });
            }
        };
        out.push(assemble_rings(rings));
    }
    Ok(out)
}

/// Twice the signed area of a ring (positive = counter-clockwise).
fn signed_area2(ring: &[Coord]) -> f64 {
    ring.windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum()
}

/// Groups ESRI rings into polygons: clockwise rings are shells, counter-clockwise rings holes
/// of the smallest shell containing them.
pub(crate) fn assemble_rings(rings: Vec<Vec<Coord>>) -> MultiPolygon<f64> {
    let mut shells: Vec<(Polygon<f64>, f64, Vec<LineString<f64>>)> = Vec::new();
    let mut holes: Vec<LineString<f64>> = Vec::new();
    for ring in rings {
        let a = signed_area2(&ring);
        let ls = LineString::new(ring);
        if a <= 0.0 {
            shells.push((Polygon::new(ls, vec![]), -a, Vec::new()));
        } else {
            holes.push(ls);
        }
    }
    let mut orphans = Vec::new();
    for hole in holes {
        // A vertex of the hole strictly inside the shell decides (holes may touch shells).
        let owner = shells
            .iter()
            .enumerate()
            .filter(|(_, (shell, _, _))| hole.0.iter().any(|c| shell.contains(&Point::from(*c))))
            .min_by(|a, b| a.1.1.total_cmp(&b.1.1))
            .map(|(i, _)| i);
        match owner.and_then(|i| shells.get_mut(i)) {
            Some((_, _, hs)) => hs.push(hole),
            None => orphans.push(Polygon::new(hole, vec![])),
        }
    }
    let mut polys: Vec<Polygon<f64>> = shells
        .into_iter()
        .map(|(shell, _, hs)| {
            let (ext, _) = shell.into_inner();
            Polygon::new(ext, hs)
        })
        .collect();
    polys.extend(orphans);
    MultiPolygon::new(polys)
}

/// How .dbf text is decoded.
#[derive(Debug, Clone, Copy)]
enum TextEncoding {
    /// From a .cpg file or the user's option.
    Known(&'static Encoding, &'static str),
    /// Nothing said: strict UTF-8, with advice on failure.
    Utf8Unspecified,
}

fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
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

struct DbfTable {
    schema: Vec<Field>,
    records: Vec<Vec<Value>>,
}

struct DbfField {
    name: String,
    kind: u8,
    length: usize,
    decimals: u8,
}

fn read_u16(b: &[u8], at: usize) -> Option<usize> {
    b.get(at..at + 2)
        .map(|s| usize::from(u16::from_le_bytes([s[0], s[1]])))
}

fn read_u32(b: &[u8], at: usize) -> Option<usize> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
}

/// Reads a dBase III/IV table (the .dbf of a shapefile).
fn read_dbf(path: &Path, encoding: TextEncoding) -> Result<DbfTable> {
    let bytes = fs::read(path).map_err(|e| Error::io(path, e))?;
    let bad = |message: String| Error::Parse {
        path: path.to_path_buf(),
        line: None,
        column: None,
        message,
    };
    let n_records = read_u32(&bytes, 4).ok_or_else(|| bad("truncated .dbf header".into()))?;
    let header_len = read_u16(&bytes, 8).ok_or_else(|| bad("truncated .dbf header".into()))?;
    let record_len = read_u16(&bytes, 10).ok_or_else(|| bad("truncated .dbf header".into()))?;
    let language_driver = bytes.get(29).copied().unwrap_or(0);

    let decode = |raw: &[u8], what: &dyn Fn() -> String| -> Result<String> {
        match encoding {
            TextEncoding::Known(enc, from) => {
                let (text, had_errors) = enc.decode_without_bom_handling(raw);
                if had_errors {
                    return Err(Error::Encoding {
                        path: path.to_path_buf(),
                        message: format!(
                            "{}: text is not valid {} (encoding from {from}); try another \
                             --encoding (e.g. gbk, gb18030, utf-8, latin1)",
                            what(),
                            enc.name()
                        ),
                    });
                }
                Ok(text.into_owned())
            }
            TextEncoding::Utf8Unspecified => match std::str::from_utf8(raw) {
                Ok(s) => Ok(s.to_string()),
                Err(_) => Err(Error::Encoding {
                    path: path.to_path_buf(),
                    message: format!(
                        "{}: text is not valid UTF-8 and there is no .cpg file naming the \
                         encoding{}; Chinese shapefiles are usually GBK: rerun with \
                         `--encoding gbk` (or gb18030)",
                        what(),
                        if language_driver == 0x4D {
                            " (the .dbf language driver byte 0x4D says GBK/CP936)"
                        } else {
                            ""
                        }
                    ),
                }),
            },
        }
    };

    let mut fields = Vec::new();
    let mut at = 32;
    while bytes.get(at).is_some_and(|&b| b != 0x0D) && at + 32 <= header_len {
        let desc = bytes
            .get(at..at + 32)
            .ok_or_else(|| bad("truncated field descriptor".into()))?;
        let name_end = desc[..11].iter().position(|&b| b == 0).unwrap_or(11);
        let name = decode(&desc[..name_end], &|| {
            format!("field name #{}", fields.len())
        })?
        .trim()
        .to_string();
        fields.push(DbfField {
            name,
            kind: desc[11],
            length: usize::from(desc[16]),
            decimals: desc[17],
        });
        at += 32;
    }
    let expected_len: usize = 1 + fields.iter().map(|f| f.length).sum::<usize>();
    if expected_len != record_len {
        return Err(bad(format!(
            "record length {record_len} in the header does not match the fields ({expected_len})"
        )));
    }
    let schema: Vec<Field> = fields
        .iter()
        .map(|f| Field {
            name: f.name.clone(),
            kind: match f.kind {
                b'C' | b'M' => FieldKind::String,
                b'N' | b'F' if f.decimals == 0 && f.kind == b'N' && f.length < 19 => FieldKind::Int,
                b'N' | b'F' | b'O' | b'Y' => FieldKind::Float,
                b'I' | b'+' => FieldKind::Int,
                b'L' => FieldKind::Bool,
                b'D' => FieldKind::Date,
                _ => FieldKind::String,
            },
        })
        .collect();

    let mut records = Vec::with_capacity(n_records);
    for r in 0..n_records {
        let start = header_len + r * record_len;
        let rec = bytes.get(start..start + record_len).ok_or_else(|| {
            bad(format!(
                "truncated: record #{r} of {n_records} is missing (file ends early)"
            ))
        })?;
        let mut values = Vec::with_capacity(fields.len());
        let mut off = 1; // deletion flag
        for (field, sf) in fields.iter().zip(&schema) {
            let raw = &rec[off..off + field.length];
            off += field.length;
            let what = || format!("record #{r}, field {}", field.name);
            let value = match field.kind {
                b'I' if raw.len() == 4 => Value::Int(i64::from(i32::from_le_bytes([
                    raw[0], raw[1], raw[2], raw[3],
                ]))),
                b'O' if raw.len() == 8 => {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(raw);
                    Value::Float(f64::from_le_bytes(a))
                }
                b'L' => match raw.first().copied().unwrap_or(b'?') {
                    b'T' | b't' | b'Y' | b'y' => Value::Bool(true),
                    b'F' | b'f' | b'N' | b'n' => Value::Bool(false),
                    _ => Value::Null,
                },
                b'N' | b'F' => {
                    let text = decode(raw, &what)?;
                    let t = text.trim().trim_matches('\0');
                    if t.is_empty() || t.chars().all(|c| c == '*') {
                        Value::Null
                    } else if sf.kind == FieldKind::Int {
                        match t.parse::<i64>() {
                            Ok(i) => Value::Int(i),
                            Err(_) => parse_float(t)
                                .map(Value::Float)
                                .ok_or_else(|| bad(format!("{}: `{t}` is not a number", what())))?,
                        }
                    } else {
                        parse_float(t)
                            .map(Value::Float)
                            .ok_or_else(|| bad(format!("{}: `{t}` is not a number", what())))?
                    }
                }
                b'D' => {
                    let text = decode(raw, &what)?;
                    let t = text.trim().trim_matches('\0');
                    if t.is_empty() || t.chars().all(|c| c == '0') {
                        Value::Null
                    } else {
                        // A malformed date is kept as text rather than lost.
                        NaiveDate::parse_from_str(t, "%Y%m%d")
                            .map(Value::Date)
                            .unwrap_or_else(|_| Value::Str(t.to_string()))
                    }
                }
                _ => {
                    let text = decode(raw, &what)?;
                    let t = text.trim_end_matches([' ', '\0']);
                    if t.is_empty() {
                        Value::Null
                    } else {
                        Value::Str(t.to_string())
                    }
                }
            };
            values.push(value);
        }
        records.push(values);
    }
    Ok(DbfTable { schema, records })
}

/// dBase floats may be written like `1.69599206793e+008`.
fn parse_float(t: &str) -> Option<f64> {
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The rings of a Polygon, PolygonM or PolygonZ shape as plain x/y coordinates (M and Z
/// are dropped: areas are planar).
fn rings_xy<P: shapefile::record::traits::HasXY>(
    rings: &[shapefile::PolygonRing<P>],
) -> Vec<Vec<Coord>> {
    rings
        .iter()
        .map(|r| {
            r.points()
                .iter()
                .map(|q| Coord { x: q.x(), y: q.y() })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Area;

    fn square(x0: f64, y0: f64, s: f64, clockwise: bool) -> Vec<Coord> {
        let mut v = vec![
            Coord { x: x0, y: y0 },
            Coord { x: x0 + s, y: y0 },
            Coord {
                x: x0 + s,
                y: y0 + s,
            },
            Coord { x: x0, y: y0 + s },
            Coord { x: x0, y: y0 },
        ];
        if clockwise {
            v.reverse();
        }
        v
    }

    #[test]
    fn holes_go_to_the_shell_that_contains_them_whatever_the_order() {
        // shell A, shell B, then a hole of A: a "last shell" rule would give it to B.
        let rings = vec![
            square(0.0, 0.0, 10.0, true),
            square(100.0, 0.0, 10.0, true),
            square(2.0, 2.0, 2.0, false),
        ];
        let mp = assemble_rings(rings);
        assert_eq!(mp.0.len(), 2);
        assert_eq!(mp.0[0].interiors().len(), 1);
        assert_eq!(mp.0[1].interiors().len(), 0);
        assert!((mp.unsigned_area() - (100.0 - 4.0 + 100.0)).abs() < 1e-9);
    }

    #[test]
    fn orphan_hole_is_kept_as_a_polygon() {
        let mp = assemble_rings(vec![square(0.0, 0.0, 1.0, false)]);
        assert_eq!(mp.0.len(), 1);
        assert!((mp.unsigned_area() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn dbase_exponent_floats_parse() {
        assert_eq!(parse_float("1.69599206793e+008"), Some(169_599_206.793));
    }
}
