//! Density-zone (密度分区) weighting: the area of each inside part in each zone.

use std::collections::BTreeMap;

use geo::MultiPolygon;

use super::{Notes, feature_error};
use crate::Result;
use crate::geom::overlay::{OverlayOptions, overlay_areas};
use crate::layer::{Layer, Value};
use crate::project::config::ProjectFile;

/// The density zones of the project and the inside parts' areas in them.
pub(super) struct ZoneWeighting<'a> {
    /// The zone number (1–5) of each zone feature.
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
        inside_geoms: &[MultiPolygon<f64>],
        opts: &OverlayOptions,
        notes: &mut Notes,
    ) -> Result<ZoneWeighting<'a>> {
        let numbers = zone_numbers(config, zones)?;
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

/// The zone number of every zone feature, from the `density_zone` attribute.
fn zone_numbers(config: &ProjectFile, zones: &Layer) -> Result<Vec<u8>> {
    let field = &config.fields.density_zone;
    zones
        .features
        .iter()
        .map(|f| {
            let v = zones.attr(f, field);
            zone_number(v).ok_or_else(|| {
                feature_error(
                    zones,
                    f,
                    format!(
                        "attribute `{field}` must be a density zone 1–5, found {}",
                        v.map_or("nothing".to_string(), |v| format!("{v:?}"))
                    ),
                )
            })
        })
        .collect()
}

/// A density-zone number 1–5 from an attribute value ("3", 3, 3.0).
fn zone_number(v: Option<&Value>) -> Option<u8> {
    let x = v?.as_f64()?;
    (x.fract() == 0.0 && (1.0..=5.0).contains(&x)).then_some(x as u8)
}
