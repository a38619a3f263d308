//! Per-target aggregations of source attributes with PySAL tobler's `area_interpolate`
//! semantics (`<out stem>.targets.csv`).

use std::path::{Path, PathBuf};

use super::{TargetGroups, feature_id, field_index};
use crate::error::{Error, Result};
use crate::geom::{OverlayTable, aggregate};
use crate::model::layer::{Layer, Value};

/// Labels of the table's targets: target ids, or group labels with `--by`.
pub fn target_labels(target: &Layer, groups: Option<&TargetGroups>) -> Vec<String> {
    match groups {
        Some(g) => g.labels.clone(),
        None => target.features.iter().map(feature_id).collect(),
    }
}

/// Source attributes aggregated to targets (tobler `area_interpolate` semantics).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AggregateSpec {
    /// Extensive variables (counts): v_j = Σ_i v_i·a_ij/d_i.
    pub extensive: Vec<String>,
    /// Intensive variables (rates, densities): v_j = Σ_i v_i·a_ij/Σ_k a_kj.
    pub intensive: Vec<String>,
    /// Categorical variables: per category, the share of the target's area.
    pub categorical: Vec<String>,
    /// tobler's `allocate_total`: divide extensive values by the source's intersected area
    /// (true) rather than its full area (false).
    pub allocate_total: bool,
}

impl AggregateSpec {
    /// True when no attribute is to be aggregated (no targets table is written).
    pub fn is_empty(&self) -> bool {
        self.extensive.is_empty() && self.intensive.is_empty() && self.categorical.is_empty()
    }
}

/// A per-target table: a header and one row per target (or group), all cells as text.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetsTable {
    /// Column names.
    pub header: Vec<String>,
    /// One row per target (or group), in order.
    pub rows: Vec<Vec<String>>,
}

/// Numeric column of the source layer: nulls are NaN (counted as 0 by the aggregations, as
/// tobler does); a value that is not a number is an error naming the feature.
fn numeric_column(layer: &Layer, name: &str) -> Result<Vec<f64>> {
    let i = field_index(layer, name)?;
    layer
        .features
        .iter()
        .map(|f| match f.attributes.get(i) {
            None | Some(Value::Null) => Ok(f64::NAN),
            Some(v) => v.as_f64().ok_or_else(|| Error::Feature {
                path: layer.source.to_path_buf(),
                feature: layer.feature_ref(f).to_string(),
                message: format!("`{name}` = {v} is not a number"),
            }),
        })
        .collect()
}

/// Builds the per-target table: `target` (id, or the `--by` attribute), `target_area`,
/// `intersected_area` (Σ_i a_ij), then one column per extensive and intensive variable (its
/// name) and one per category of each categorical variable (`{variable}_{category}`, as
/// tobler names them, categories sorted). Every target (or group) has a row, in order.
pub fn aggregate_targets(
    source: &Layer,
    target_labels: &[String],
    groups: Option<&TargetGroups>,
    table: &OverlayTable,
    spec: &AggregateSpec,
) -> Result<TargetsTable> {
    let mut header = vec![
        groups
            .map_or("target", |g| g.attribute.as_str())
            .to_string(),
        "target_area".to_string(),
        "intersected_area".to_string(),
    ];
    let mut columns: Vec<Vec<f64>> = vec![
        table.target_areas.clone(),
        aggregate::target_intersected_areas(table),
    ];
    for name in &spec.extensive {
        let values = numeric_column(source, name)?;
        header.push(name.clone());
        columns.push(aggregate::extensive(table, &values, spec.allocate_total));
    }
    for name in &spec.intensive {
        let values = numeric_column(source, name)?;
        header.push(name.clone());
        columns.push(aggregate::intensive(table, &values));
    }
    for name in &spec.categorical {
        let i = field_index(source, name)?;
        let cats: Vec<Option<String>> = source
            .features
            .iter()
            .map(|f| f.attributes.get(i).and_then(Value::as_text))
            .collect();
        for (cat, col) in aggregate::categorical(table, &cats) {
            header.push(format!("{name}_{cat}"));
            columns.push(col);
        }
    }
    let rows = target_labels
        .iter()
        .enumerate()
        .map(|(j, label)| {
            std::iter::once(label.clone())
                .chain(
                    columns
                        .iter()
                        .map(|c| c.get(j).copied().unwrap_or(0.0).to_string()),
                )
                .collect()
        })
        .collect();
    Ok(TargetsTable { header, rows })
}

/// Writes a [`TargetsTable`] as CSV, atomically.
pub fn write_targets_csv(path: &Path, t: &TargetsTable) -> Result<()> {
    let header: Vec<&str> = t.header.iter().map(String::as_str).collect();
    crate::io::write::write_csv(path, &header, &t.rows)
}

/// `<dir>/<stem>.targets.csv` for an output path `<dir>/<stem>.<ext>`.
pub fn targets_path(out: &Path) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "overlay".into());
    out.with_file_name(format!("{stem}.targets.csv"))
}
