//! The sensitivity files: JSON (everything), CSV (the ranked bars; the envelopes) and the
//! HTML page, written into a folder replaced as a whole.

use std::path::Path;

use super::Sensitivity;
use crate::Result;
use crate::io::output_dir::StagedDir;
use crate::io::write::{write_csv as write_csv_rows, write_json_pretty};
use crate::report::html::{Lang, write_sensitivity_html};

/// Everything, as JSON.
pub const SENSITIVITY_JSON: &str = "sensitivity.json";
/// The ranked one-at-a-time table.
pub const SENSITIVITY_CSV: &str = "sensitivity.csv";
/// The envelope of each figure.
pub const SENSITIVITY_ENVELOPE_CSV: &str = "sensitivity_envelope.csv";
/// The tornado charts.
pub const SENSITIVITY_HTML: &str = "sensitivity.html";

/// Writes the four files into `dir`, replaced as a whole ([`StagedDir`]).
pub fn write_outputs(dir: &Path, s: &Sensitivity, lang: Lang) -> Result<()> {
    let staged = StagedDir::begin(dir)?;
    let d = staged.path();
    write_json(&d.join(SENSITIVITY_JSON), s)?;
    write_csv(&d.join(SENSITIVITY_CSV), s)?;
    write_envelope_csv(&d.join(SENSITIVITY_ENVELOPE_CSV), s)?;
    write_sensitivity_html(&d.join(SENSITIVITY_HTML), s, lang)?;
    staged.commit()
}

/// sensitivity.json, atomically.
pub fn write_json(path: &Path, s: &Sensitivity) -> Result<()> {
    write_json_pretty(path, s)
}

/// sensitivity.csv, atomically: one row per figure and value, ranked by swing.
pub fn write_csv(path: &Path, s: &Sensitivity) -> Result<()> {
    let header = [
        "figure",
        "rank",
        "key",
        "status",
        "value",
        "low_value",
        "high_value",
        "figure_base",
        "figure_at_low",
        "figure_at_high",
        "swing",
        "swing_ratio",
        "source",
    ];
    let mut rows = Vec::new();
    for f in &s.figures {
        for b in &f.bars {
            let Some(v) = s.values.iter().find(|v| v.key == b.key) else {
                continue;
            };
            rows.push(vec![
                f.figure.key().to_string(),
                b.rank.to_string(),
                b.key.clone(),
                v.status.as_str().to_string(),
                v.value.to_string(),
                v.low_value.to_string(),
                v.high_value.to_string(),
                f.base.to_string(),
                b.at_low.to_string(),
                b.at_high.to_string(),
                b.swing.to_string(),
                b.swing_ratio.to_string(),
                v.source.clone(),
            ]);
        }
    }
    write_csv_rows(path, &header, rows)
}

/// sensitivity_envelope.csv, atomically: per figure its base, low and high envelope.
pub fn write_envelope_csv(path: &Path, s: &Sensitivity) -> Result<()> {
    let header = ["figure", "range", "base", "envelope_low", "envelope_high"];
    let rows = s.figures.iter().map(|f| {
        vec![
            f.figure.key().to_string(),
            s.range.to_string(),
            f.base.to_string(),
            f.envelope.low.to_string(),
            f.envelope.high.to_string(),
        ]
    });
    write_csv_rows(path, &header, rows)
}
