//! Density-zone (密度分区) weighting: the area of each inside part in each zone.

use std::collections::BTreeMap;

use geo::MultiPolygon;

use super::{Notes, feature_error};
use crate::Result;
use crate::geom::overlay::{OverlayOptions, overlay_areas};
use crate::model::{Layer, Value};
use crate::policy::rules::Shenbiao;
use crate::project::config::ProjectFile;

/// The density zones of the project and the inside parts' areas in them.
pub(super) struct ZoneWeighting<'a> {
    /// The zone number of each zone feature (one the rule set's 深标 table declares).
    pub(super) numbers: Vec<u8>,
    /// Each zone feature's geometry, borrowed from the layer.
    pub(super) geometries: Vec<&'a MultiPolygon<f64>>,
    /// Per inside part: area (m²) by zone number.
    pub(super) by_part: Vec<BTreeMap<u8, f64>>,
}

impl<'a> ZoneWeighting<'a> {
    /// Reads the zone numbers (an error names the first bad one) and overlays the inside
    /// parts with the zones.
    pub(super) fn measure(
        config: &ProjectFile,
        zones: &'a Layer,
        shenbiao: &Shenbiao,
        inside_geoms: &[MultiPolygon<f64>],
        opts: &OverlayOptions,
        notes: &mut Notes,
    ) -> Result<ZoneWeighting<'a>> {
        let numbers = zone_numbers(config, zones, shenbiao)?;
        let geometries: Vec<&MultiPolygon<f64>> =
            zones.features.iter().map(|f| &f.geometry).collect();
        let table = overlay_areas(inside_geoms, &geometries, opts);
        notes.pair_errors(&table.errors, "density zone");
        let mut by_part: Vec<BTreeMap<u8, f64>> = vec![BTreeMap::new(); inside_geoms.len()];
        for p in &table.pieces {
            *by_part[p.source].entry(numbers[p.target]).or_insert(0.0) += p.area;
        }
        Ok(ZoneWeighting {
            numbers,
            geometries,
            by_part,
        })
    }
}

/// The zone number of every zone feature, from the `density_zone` attribute ("3", 3, 3.0):
/// a whole number within the zones of the rule set's 深标 table.
fn zone_numbers(config: &ProjectFile, zones: &Layer, shenbiao: &Shenbiao) -> Result<Vec<u8>> {
    let field = &config.fields.density_zone;
    let range = shenbiao.zone_range();
    let column = zones.column(field);
    zones
        .features
        .iter()
        .map(|f| {
            let v = column.and_then(|c| f.get(c));
            v.and_then(Value::as_f64)
                .and_then(|x| shenbiao.zone_of_value(x))
                .ok_or_else(|| {
                    feature_error(
                        zones,
                        f,
                        format!(
                            "attribute `{field}` must be a density zone {}–{}, found {}",
                            range.start(),
                            range.end(),
                            v.map_or("nothing".to_string(), |v| format!("{v:?}"))
                        ),
                    )
                })
        })
        .collect()
}
