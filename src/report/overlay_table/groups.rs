//! Targets grouped by the value of one attribute (`--by`).

use std::collections::{BTreeMap, BTreeSet};

use super::field_index;
use crate::error::{Error, Result};
use crate::geom::{OverlayTable, Piece};
use crate::model::layer::{Layer, Value};

/// Targets grouped by the value of one attribute (`--by`): labels in sorted order.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetGroups {
    /// The attribute name.
    pub attribute: String,
    /// Distinct values as text, sorted.
    pub labels: Vec<String>,
    /// Group of each target (index into `labels`).
    pub of_target: Vec<usize>,
}

impl TargetGroups {
    /// Groups the targets of `layer` by `attribute`. A missing field or a null value is an
    /// error naming the file and feature.
    pub fn new(layer: &Layer, attribute: &str) -> Result<TargetGroups> {
        let field = field_index(layer, attribute)?;
        let mut texts = Vec::with_capacity(layer.features.len());
        for f in &layer.features {
            let text = f
                .attributes
                .get(field)
                .and_then(Value::as_text)
                .ok_or_else(|| Error::Feature {
                    path: layer.source.to_path_buf(),
                    feature: layer.feature_ref(f).to_string(),
                    message: format!("`{attribute}` is null; every target needs a --by value"),
                })?;
            texts.push(text);
        }
        let labels: Vec<String> = texts
            .iter()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let position: BTreeMap<&str, usize> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.as_str(), i))
            .collect();
        let of_target = texts
            .iter()
            .map(|t| position.get(t.as_str()).copied().unwrap_or(0))
            .collect();
        Ok(TargetGroups {
            attribute: attribute.to_string(),
            labels,
            of_target,
        })
    }

    /// The table with targets replaced by groups: pieces of one source in one group are
    /// merged (areas added; `covered` if any merged piece was), group areas are the sums of
    /// their targets' areas. The aggregations of [`crate::geom::aggregate`] applied to the
    /// grouped table treat each group as one target (the union of its targets, which do
    /// not overlap in a partition such as density zones).
    pub fn group_table(&self, table: &OverlayTable) -> OverlayTable {
        let mut target_areas = vec![0.0; self.labels.len()];
        for (t, a) in table.target_areas.iter().enumerate() {
            if let Some(g) = self.of_target.get(t).and_then(|g| target_areas.get_mut(*g)) {
                *g += a;
            }
        }
        let merge = |pieces: &[Piece]| -> Vec<Piece> {
            let mut merged: BTreeMap<(usize, usize), Piece> = BTreeMap::new();
            for p in pieces {
                let group = self.of_target.get(p.target).copied().unwrap_or(0);
                merged
                    .entry((p.source, group))
                    .and_modify(|m| {
                        m.area += p.area;
                        m.covered |= p.covered;
                    })
                    .or_insert(Piece {
                        target: group,
                        ..*p
                    });
            }
            merged.into_values().collect()
        };
        OverlayTable {
            pieces: merge(&table.pieces),
            slivers: merge(&table.slivers),
            errors: table.errors.clone(),
            source_areas: table.source_areas.clone(),
            target_areas,
            non_finite_sources: table.non_finite_sources.clone(),
            non_finite_targets: table.non_finite_targets.clone(),
        }
    }
}
