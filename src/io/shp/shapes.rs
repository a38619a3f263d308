//! The `.shp`/`.shx` geometry, read with the `shapefile` crate after the counts in every
//! record header have been checked against the file size (so a damaged header is an error
//! before anything is allocated for it).

use std::fs;
use std::io::Cursor;
use std::path::Path;

use geo::{Coord, MultiPolygon};

use super::rings::assemble_rings;
use super::sibling;
use crate::error::{Error, Result};

/// Size of the main file header of `.shp` and `.shx`.
const HEADER_LEN: usize = 100;

/// The shapes of a polygon `.shp` as MultiPolygons (null shapes empty), in record order.
pub(super) fn read_geometries(path: &Path) -> Result<Vec<MultiPolygon<f64>>> {
    let shp_err = |message: String| Error::Parse {
        path: path.to_path_buf(),
        line: None,
        column: None,
        message,
    };
    let shp = fs::read(path).map_err(|e| Error::io(path, e))?;
    let shx_path = sibling(path, "shx");
    let shx = match fs::read(&shx_path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(shx_path, e)),
    };
    let starts = record_starts(&shp, shx.as_deref()).map_err(shp_err)?;
    for &start in &starts {
        check_record(&shp, start).map_err(&shp_err)?;
    }
    let cannot = |e: shapefile::Error| shp_err(format!("cannot read shapefile: {e}"));
    let mut reader = match shx {
        Some(index) => shapefile::ShapeReader::with_shx(Cursor::new(shp), Cursor::new(index))
            .map_err(cannot)?,
        None => shapefile::ShapeReader::new(Cursor::new(shp)).map_err(cannot)?,
    };
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

fn be_i32(b: &[u8], at: usize) -> Option<i64> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(i64::from(i32::from_be_bytes([s[0], s[1], s[2], s[3]])))
}

fn le_i32(b: &[u8], at: usize) -> Option<i64> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(i64::from(i32::from_le_bytes([s[0], s[1], s[2], s[3]])))
}

/// Byte offsets of the records the reader will visit: the `.shx` entries, or (without an
/// index) the sequential walk the `shapefile` crate does, up to the header's file length.
fn record_starts(shp: &[u8], shx: Option<&[u8]>) -> std::result::Result<Vec<usize>, String> {
    match shx {
        Some(index) => {
            let claimed = be_i32(index, 24).ok_or("the .shx header is truncated")? * 2;
            if claimed < HEADER_LEN as i64 || claimed > index.len() as i64 {
                return Err(format!(
                    "the .shx header gives a file length of {claimed} bytes, but the file has \
                     {} (damaged or truncated .shx)",
                    index.len()
                ));
            }
            let entries = (claimed as usize - HEADER_LEN) / 8;
            (0..entries)
                .map(|i| {
                    let words = be_i32(index, HEADER_LEN + 8 * i).unwrap_or(-1);
                    usize::try_from(words * 2)
                        .map_err(|_| format!(".shx entry #{i} has a negative offset"))
                })
                .collect()
        }
        None => {
            let claimed = be_i32(shp, 24).ok_or("the .shp header is truncated")? * 2;
            let end = usize::try_from(claimed).unwrap_or(0).min(shp.len());
            let mut starts = Vec::new();
            let mut at = HEADER_LEN;
            while at < end {
                starts.push(at);
                let words = be_i32(shp, at + 4).unwrap_or(0).max(0);
                at = at.saturating_add(8 + 2 * words as usize);
            }
            Ok(starts)
        }
    }
}

/// Checks one record: its content lies inside the file, and the part and point counts of a
/// multi-part shape fit in that content.
fn check_record(shp: &[u8], start: usize) -> std::result::Result<(), String> {
    let Some(words) = be_i32(shp, start + 4) else {
        return Err(format!(
            "the record at byte {start} is cut off (file ends early)"
        ));
    };
    let content = words * 2;
    let available = shp.len() as i64 - start as i64 - 8;
    if content < 4 || content > available {
        return Err(format!(
            "the record at byte {start} claims {content} bytes of content, but {} remain in \
             the file (damaged or truncated .shp)",
            available.max(0)
        ));
    }
    let body = start + 8;
    let shape_type = le_i32(shp, body).unwrap_or(0);
    // Bytes before the part list, and bytes per part, for the multi-part layouts.
    let (fixed, per_part) = match shape_type {
        3 | 5 | 13 | 15 | 23 | 25 => (44, 4),
        31 => (44, 8),
        8 | 18 | 28 => (40, 0),
        _ => return Ok(()),
    };
    let (parts, points) = if per_part == 0 {
        (0, le_i32(shp, body + 36).unwrap_or(-1))
    } else {
        (
            le_i32(shp, body + 36).unwrap_or(-1),
            le_i32(shp, body + 40).unwrap_or(-1),
        )
    };
    let needed = fixed + per_part * parts + 16 * points;
    if parts < 0 || points < 0 || needed > content {
        return Err(format!(
            "the record at byte {start} claims {parts} parts and {points} points, which do not \
             fit in its {content} bytes (damaged .shp)"
        ));
    }
    Ok(())
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
