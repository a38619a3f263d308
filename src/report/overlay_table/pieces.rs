//! The pieces table: one row per (source, target or group) piece, as CSV or JSON.

use std::io::Write;
use std::path::Path;

use super::{TargetGroups, feature_id, share};
use crate::error::{Error, Result};
use crate::geom::validity::RepairReport;
use crate::geom::{OverlayTable, Piece};
use crate::io::write::write_atomic;
use crate::model::layer::Layer;

/// Header of the pieces table; the second column is `target` or the `--by` attribute.
pub fn pieces_header(groups: Option<&TargetGroups>) -> Vec<String> {
    let target_col = groups.map_or("target", |g| g.attribute.as_str());
    ["source", target_col, "area", "source_share", "covered"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Writes the pieces table as CSV: one row per piece of `table` (already grouped when
/// `--by` is used), columns [`pieces_header`].
pub fn write_pieces_csv(
    path: &Path,
    source: &Layer,
    target_labels: &[String],
    groups: Option<&TargetGroups>,
    table: &OverlayTable,
) -> Result<()> {
    let header = pieces_header(groups);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let rows = table
        .pieces
        .iter()
        .map(|p| piece_cells(source, target_labels, table, p));
    crate::io::write::write_csv(path, &header, rows)
}

fn piece_cells(
    source: &Layer,
    target_labels: &[String],
    table: &OverlayTable,
    p: &Piece,
) -> [String; 5] {
    let src = source
        .features
        .get(p.source)
        .map(feature_id)
        .unwrap_or_else(|| p.source.to_string());
    let tgt = target_labels
        .get(p.target)
        .cloned()
        .unwrap_or_else(|| p.target.to_string());
    let a_i = table.source_areas.get(p.source).copied().unwrap_or(0.0);
    [
        src,
        tgt,
        p.area.to_string(),
        share(p.area, a_i).to_string(),
        p.covered.to_string(),
    ]
}

/// What the JSON pieces file says about the run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PiecesMeta {
    /// The source layer as given.
    pub source: String,
    /// The target layer as given.
    pub target: String,
    /// The CRS the areas were measured in.
    pub crs: String,
    /// `m2`, or `crs_units2` in `--planar-degrees` mode.
    pub area_unit: String,
    /// Pieces below this area are not counted.
    pub sliver_floor: f64,
    /// The `--by` attribute, if any.
    pub by: Option<String>,
    /// Number of pieces below the sliver floor.
    pub slivers: usize,
    /// Every repair of an invalid input polygon (as `assess` lists them in report.json);
    /// left out when nothing was repaired, so that the file of a valid input is as before.
    #[serde(skip_serializing_if = "PiecesRepairs::is_empty")]
    pub repairs: PiecesRepairs,
}

/// The repairs of both input layers, for [`PiecesMeta`].
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct PiecesRepairs {
    /// Repairs of the source layer.
    pub source: RepairReport,
    /// Repairs of the target layer.
    pub target: RepairReport,
}

impl PiecesRepairs {
    /// True when neither layer had a repaired or unusable feature.
    pub fn is_empty(&self) -> bool {
        [&self.source, &self.target]
            .iter()
            .all(|r| r.repaired.is_empty() && r.unusable.is_empty())
    }
}

/// Writes the pieces table as JSON: `{"meta": {...}, "pieces": [{...}, ...]}` with one piece
/// object per line.
pub fn write_pieces_json(
    path: &Path,
    meta: &PiecesMeta,
    source: &Layer,
    target_labels: &[String],
    groups: Option<&TargetGroups>,
    table: &OverlayTable,
) -> Result<()> {
    let header = pieces_header(groups);
    let io = |e: std::io::Error| Error::io(path, e);
    let json = |e: serde_json::Error| Error::io(path, std::io::Error::other(e));
    write_atomic(path, |w| {
        w.write_all(b"{\"meta\":").map_err(io)?;
        serde_json::to_writer(&mut *w, meta).map_err(json)?;
        w.write_all(b",\"pieces\":[").map_err(io)?;
        for (n, p) in table.pieces.iter().enumerate() {
            let [s, t, area, sh, _] = piece_cells(source, target_labels, table, p);
            let a_i = table.source_areas.get(p.source).copied().unwrap_or(0.0);
            let mut row = serde_json::Map::new();
            row.insert(header[0].clone(), s.into());
            row.insert(header[1].clone(), t.into());
            row.insert(header[2].clone(), json_number(p.area, &area));
            row.insert(header[3].clone(), json_number(share(p.area, a_i), &sh));
            row.insert(header[4].clone(), p.covered.into());
            w.write_all(if n == 0 { b"\n" } else { b",\n" })
                .map_err(io)?;
            serde_json::to_writer(&mut *w, &row).map_err(json)?;
        }
        w.write_all(b"\n]}\n").map_err(io)
    })
}

fn json_number(v: f64, text: &str) -> serde_json::Value {
    serde_json::Number::from_f64(v)
        .map(serde_json::Value::Number)
        .unwrap_or_else(|| text.into())
}
