//! The zone of the retained land (留用土地), which is not read off one parcel. (The zone of
//! land no density zone covers is [`super::uncovered`].)

use std::collections::BTreeMap;

use geo::MultiPolygon;

use super::inside::InsideParcel;
use super::truthy;
use super::zones::ZoneWeighting;
use crate::geom::overlay::{OverlayOptions, overlay_areas};
use crate::model::{Layer, Value};
use crate::project::ProjectLayers;
use crate::project::config::ProjectFile;
use crate::{Error, Result};

/// The retained land's density zone and metro flag, with how they were found.
pub(super) struct RetainedZone {
    pub(super) zone: u8,
    pub(super) near_metro: bool,
    pub(super) reason: String,
}

/// The retained land's zone: from the plan, else where most of the inside retained-land
/// sites lie, else where most of the counted land lies.
pub(super) fn retained_zone(
    config: &ProjectFile,
    layers: &ProjectLayers,
    inside: &[InsideParcel],
    zones: &ZoneWeighting<'_>,
    opts: &OverlayOptions,
) -> Result<RetainedZone> {
    let plan = &config.plan;
    if let Some(zone) = plan.retained_zone {
        return Ok(RetainedZone {
            zone,
            near_metro: plan.retained_near_metro.unwrap_or(false),
            reason: "given in [plan] retained_zone".into(),
        });
    }
    if let Some(sites) = &layers.retained_sites
        && let Some((zone, metro)) =
            zone_of_sites(config, sites, &layers.density_zones, zones, opts)
    {
        return Ok(RetainedZone {
            zone,
            near_metro: plan.retained_near_metro.unwrap_or(metro),
            reason: "zone holding most of the retained-land sites".into(),
        });
    }
    let mut by: BTreeMap<u8, f64> = BTreeMap::new();
    for p in inside {
        for z in &p.zones {
            *by.entry(z.zone).or_insert(0.0) += z.area_m2;
        }
    }
    let zone = by
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(z, _)| *z)
        .ok_or_else(|| Error::Policy {
            message: "no density zone covers the project; set [plan] retained_zone".into(),
        })?;
    Ok(RetainedZone {
        zone,
        near_metro: plan.retained_near_metro.unwrap_or(false),
        reason: "zone holding most of the project's land".into(),
    })
}

/// The zone holding most of this project's retained-land sites (sites naming no project
/// count too), and whether any of those zones is near a metro station.
fn zone_of_sites(
    config: &ProjectFile,
    sites: &Layer,
    zone_layer: &Layer,
    zones: &ZoneWeighting<'_>,
    opts: &OverlayOptions,
) -> Option<(u8, bool)> {
    let fields = &config.fields;
    let project_column = sites.column(&fields.site_project);
    let mine: Vec<&MultiPolygon<f64>> = sites
        .features
        .iter()
        .filter(|f| {
            project_column
                .and_then(|c| f.get(c))
                .and_then(Value::as_text)
                .is_none_or(|p| p == config.project.id)
        })
        .map(|f| &f.geometry)
        .collect();
    if mine.is_empty() {
        return None;
    }
    let metro_column = zone_layer.column(&fields.metro);
    let metro: Vec<bool> = zone_layer
        .features
        .iter()
        .map(|f| truthy(metro_column.and_then(|c| f.get(c))))
        .collect();
    let t = overlay_areas(&mine, &zones.geometries, opts);
    let mut by: BTreeMap<u8, (f64, bool)> = BTreeMap::new();
    for p in &t.pieces {
        let e = by.entry(zones.numbers[p.target]).or_insert((0.0, false));
        e.0 += p.area;
        e.1 |= metro[p.target];
    }
    by.iter()
        .max_by(|a, b| a.1.0.total_cmp(&b.1.0))
        .map(|(z, (_, m))| (*z, *m))
}
