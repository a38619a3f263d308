//! `<out stem>.repairs.csv`: every repaired (or unrepairable) input polygon of an overlay,
//! beside the pieces table, so that a CSV or GeoJSON user sees what was changed.

use std::path::{Path, PathBuf};

use super::PiecesRepairs;
use crate::error::Result;
use crate::geom::validity::RepairReport;

/// Columns of the repairs table.
pub const REPAIRS_HEADER: [&str; 6] = [
    "layer",
    "feature",
    "status",
    "problem",
    "area_before",
    "area_after",
];

/// `<dir>/<stem>.repairs.csv` for an output path `<dir>/<stem>.<ext>`.
pub fn repairs_path(out: &Path) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "overlay".into());
    out.with_file_name(format!("{stem}.repairs.csv"))
}

fn rows(layer: &str, report: &RepairReport) -> Vec<[String; 6]> {
    let repaired = report.repaired.iter().map(|r| {
        [
            layer.to_string(),
            r.feature.to_string(),
            "repaired".to_string(),
            r.problem.clone(),
            r.area_before.to_string(),
            r.area_after.to_string(),
        ]
    });
    let unusable = report.unusable.iter().map(|u| {
        [
            layer.to_string(),
            u.feature.to_string(),
            "unusable".to_string(),
            u.reason.clone(),
            String::new(),
            String::new(),
        ]
    });
    repaired.chain(unusable).collect()
}

/// Writes the repairs of both layers as CSV (`REPAIRS_HEADER`: `layer` is `source` or
/// `target`, `status` `repaired` or `unusable`; areas in the pieces' unit), atomically.
pub fn write_repairs_csv(path: &Path, repairs: &PiecesRepairs) -> Result<()> {
    let mut all = rows("source", &repairs.source);
    all.extend(rows("target", &repairs.target));
    crate::io::write::write_csv(path, &REPAIRS_HEADER, &all)
}
