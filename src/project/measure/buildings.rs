//! Existing buildings (现状建筑): floor area pro rata to the footprint on each inside part.

use std::collections::BTreeMap;

use geo::MultiPolygon;

use super::boundary::ProjectBoundary;
use super::{Notes, feature_error};
use crate::Result;
use crate::geom::overlay::{OverlayOptions, OverlayTable, overlay_areas};
use crate::model::{Layer, Value};
use crate::project::config::ProjectFile;

/// Existing floor area on the inside parts.
pub(super) struct BuildingFloor {
    /// Per inside part: floor area (m²) by building use.
    pub(super) by_part: Vec<BTreeMap<String, f64>>,
    /// Floor area inside the boundary but on no inside parcel, m².
    pub(super) off_parcels_m2: f64,
}

/// One building's attributes: existing floor area (m²) and use.
struct BuildingFacts {
    floor_area_m2: f64,
    building_use: String,
}

impl BuildingFloor {
    /// Reads every building's floor area and use (an error names the first bad one), then
    /// spreads each building's floor area over the inside parts by footprint share.
    pub(super) fn measure(
        config: &ProjectFile,
        buildings: Option<&Layer>,
        inside_geoms: &[MultiPolygon<f64>],
        boundary: &ProjectBoundary<'_>,
        opts: &OverlayOptions,
        notes: &mut Notes,
    ) -> Result<BuildingFloor> {
        let mut by_part: Vec<BTreeMap<String, f64>> = vec![BTreeMap::new(); inside_geoms.len()];
        let Some(b) = buildings else {
            return Ok(BuildingFloor {
                by_part,
                off_parcels_m2: 0.0,
            });
        };
        let facts = building_facts(config, b)?;
        let geoms: Vec<&MultiPolygon<f64>> = b.features.iter().map(|f| &f.geometry).collect();
        let on_parts = overlay_areas(&geoms, inside_geoms, opts);
        notes.pair_errors(&on_parts.errors, "building");
        let in_boundary = overlay_areas(
            &geoms,
            std::slice::from_ref(&boundary.feature.geometry),
            opts,
        );
        for p in &on_parts.pieces {
            let footprint = on_parts.source_areas[p.source];
            if footprint <= 0.0 {
                continue;
            }
            let f = &facts[p.source];
            *by_part[p.target]
                .entry(f.building_use.clone())
                .or_insert(0.0) += f.floor_area_m2 * p.area / footprint;
        }
        let assigned = floor_in_pieces(&on_parts, &facts);
        let inside_total = floor_in_pieces(&in_boundary, &facts);
        let off_parcels_m2 = (inside_total - assigned).max(0.0);
        if off_parcels_m2 > 1.0 {
            notes.warnings.push(format!(
                "{off_parcels_m2:.2} m² of existing floor area lies inside the boundary but on \
                 no parcel inside it; it is not counted"
            ));
        }
        Ok(BuildingFloor {
            by_part,
            off_parcels_m2,
        })
    }
}

/// Floor area falling in the pieces of an overlay of the buildings, pro rata to footprint.
fn floor_in_pieces(table: &OverlayTable, facts: &[BuildingFacts]) -> f64 {
    table
        .pieces
        .iter()
        .filter(|p| table.source_areas[p.source] > 0.0)
        .map(|p| facts[p.source].floor_area_m2 * p.area / table.source_areas[p.source])
        .sum()
}

/// Floor area and use of every building; a missing, non-numeric, negative or non-finite
/// floor area or a missing use is an error naming the building.
fn building_facts(config: &ProjectFile, b: &Layer) -> Result<Vec<BuildingFacts>> {
    let fields = &config.fields;
    // Resolved once: by-name lookups per building would scan the schema every time.
    let floor_column = b.column(&fields.building_floor_area);
    let use_column = b.column(&fields.building_use);
    let mut facts = Vec::with_capacity(b.features.len());
    for f in &b.features {
        let fa = floor_column
            .and_then(|c| f.get(c))
            .and_then(Value::as_f64)
            .ok_or_else(|| {
                feature_error(
                    b,
                    f,
                    format!(
                        "attribute `{}` (existing floor area, m²) is missing or not a number",
                        fields.building_floor_area
                    ),
                )
            })?;
        if !(fa.is_finite() && fa >= 0.0) {
            return Err(feature_error(
                b,
                f,
                format!("existing floor area {fa} m² is negative or not finite"),
            ));
        }
        let building_use = use_column
            .and_then(|c| f.get(c))
            .and_then(Value::as_text)
            .ok_or_else(|| {
                feature_error(
                    b,
                    f,
                    format!(
                        "attribute `{}` (building use) is missing",
                        fields.building_use
                    ),
                )
            })?;
        facts.push(BuildingFacts {
            floor_area_m2: fa,
            building_use,
        });
    }
    Ok(facts)
}
