//! Retained-land siting (留用土地落地, policy.md §6): where each proposed site lies against
//! the project boundary, whether the inside sites hold the required area, and what the
//! rights placed off-site are worth by land-price ratio.

use std::collections::BTreeMap;

use geo::MultiPolygon;
use serde::Serialize;

use super::ProjectLayers;
use super::config::ProjectFile;
use super::measure::Measurement;
use crate::geom::aggregate::area_weighted_mean;
use crate::geom::overlay::{OverlayOptions, overlay_areas};
use crate::geom::placement::{Placement, place_sites};
use crate::geom::topology::self_overlaps;
use crate::layer::Value;
use crate::policy::siting::{OffsiteConversion, SiteFit, offsite_rights, site_fit};
use crate::policy::tenure::TenureClass;
use crate::policy::{Finding, Severity};
use crate::{Error, Result};

/// Where a site's land price came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceSource {
    /// The site's own price attribute.
    Attribute,
    /// Area-weighted over the benchmark land-price layer.
    PriceLayer,
    /// No price known.
    None,
}

/// One proposed retained-land site.
#[derive(Debug, Clone, Serialize)]
pub struct SiteRow {
    pub site_id: String,
    pub feature_index: usize,
    pub use_: Option<String>,
    pub area_m2: f64,
    pub inside_m2: f64,
    pub outside_m2: f64,
    pub placement: Placement,
    pub tolerance_used: bool,
    /// Land price of the site, yuan/m².
    pub price: Option<f64>,
    pub price_source: PriceSource,
    /// Part of the shortfall this (outside) site takes, m² of retained land.
    pub shortfall_taken_m2: f64,
    /// Rights floor area that this site carries off-site, before conversion, m².
    pub onsite_rights_m2: f64,
    /// That share converted by the price ratio (min(on-site, on-site × ratio)), m².
    pub conversion: Option<OffsiteConversion>,
    /// The whole rights floor area converted at this site's price (policy.md §9 rows).
    pub full_rights_conversion: Option<OffsiteConversion>,
}

/// The siting section of a report.
#[derive(Debug, Clone, Serialize)]
pub struct SitingReport {
    pub tolerance_m2: f64,
    /// Area-weighted land price over the project's counted land, yuan/m².
    pub price_onsite: Option<f64>,
    pub fit: SiteFit,
    pub rights_floor_area_m2: f64,
    pub sites: Vec<SiteRow>,
    pub findings: Vec<Finding>,
}

fn finding(code: &str, severity: Severity, message: String, values: &[(&str, f64)]) -> Finding {
    Finding {
        code: code.into(),
        severity,
        message,
        values: values.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
    }
}

/// Sites, fit and off-site conversion for a measured, assessed project.
///
/// `required_m2` is the retained-land area the rules require; `rights_m2` the rights floor
/// area (for the 2018 rules, the base floor area); `counted` the ids of the counted parcels.
pub fn site_project(
    config: &ProjectFile,
    layers: &ProjectLayers,
    m: &Measurement,
    required_m2: f64,
    rights_m2: f64,
    counted: &[String],
) -> Result<Option<SitingReport>> {
    let Some(sites) = &layers.retained_sites else {
        return Ok(None);
    };
    let fields = &config.fields;
    let tol = config.siting.tolerance_m2;
    let mut findings = Vec::new();
    let mine: Vec<usize> = (0..sites.features.len())
        .filter(|&i| {
            sites
                .attr(&sites.features[i], &fields.site_project)
                .and_then(Value::as_text)
                .is_none_or(|p| p == config.project.id)
        })
        .collect();
    let geoms: Vec<MultiPolygon<f64>> = mine
        .iter()
        .map(|&i| sites.features[i].geometry.clone())
        .collect();
    let boundary = m.boundary_geometry.clone();
    let placements = place_sites(&geoms, &boundary, tol);
    let mut rows = Vec::with_capacity(mine.len());
    for (k, &i) in mine.iter().enumerate() {
        let f = &sites.features[i];
        let p = placements[k].clone().map_err(|message| Error::Feature {
            path: sites.source.to_path_buf(),
            feature: sites.feature_ref(f).to_string(),
            message: format!("retained-land site: {message}"),
        })?;
        let site_id = f
            .key
            .clone()
            .unwrap_or_else(|| sites.feature_ref(f).to_string());
        if p.tolerance_used {
            findings.push(finding(
                "siting_tolerance_used",
                Severity::Info,
                format!(
                    "site {site_id}: {:.6} m² {} the boundary ignored (tolerance {tol} m²)",
                    p.inside_area.min(p.outside_area),
                    if p.placement == Placement::Inside {
                        "outside"
                    } else {
                        "inside"
                    }
                ),
                &[("ignored_m2", p.inside_area.min(p.outside_area))],
            ));
        }
        if p.placement == Placement::Straddling {
            findings.push(finding(
                "site_straddles_boundary",
                if config.siting.allow_straddling {
                    Severity::Warning
                } else {
                    Severity::Violation
                },
                format!(
                    "site {site_id} straddles the project boundary: {:.2} m² inside, {:.2} m² \
                     outside{}",
                    p.inside_area,
                    p.outside_area,
                    if config.siting.allow_straddling {
                        " (allowed by [siting] allow_straddling)"
                    } else {
                        "; straddling sites are not allowed unless [siting] allow_straddling, \
                         so it counts neither in the fit nor off-site"
                    }
                ),
                &[("inside_m2", p.inside_area), ("outside_m2", p.outside_area)],
            ));
        }
        rows.push(SiteRow {
            site_id,
            feature_index: f.index,
            use_: sites.attr(f, &fields.site_use).and_then(Value::as_text),
            area_m2: p.area,
            inside_m2: if p.placement == Placement::Outside {
                0.0
            } else {
                p.inside_area
            },
            outside_m2: if p.placement == Placement::Inside {
                0.0
            } else {
                p.outside_area
            },
            placement: p.placement,
            tolerance_used: p.tolerance_used,
            price: None,
            price_source: PriceSource::None,
            shortfall_taken_m2: 0.0,
            onsite_rights_m2: 0.0,
            conversion: None,
            full_rights_conversion: None,
        });
    }

    // The same land may not be offered twice.
    let opts = OverlayOptions {
        sliver_floor: tol.max(config.input.sliver_floor_m2),
        threads: None,
    };
    let overlaps = self_overlaps(&geoms, &opts).overlaps;
    if !overlaps.is_empty() {
        let pairs: Vec<String> = overlaps
            .iter()
            .map(|o| {
                format!(
                    "{} and {} by {:.3} m²",
                    rows[o.a].site_id, rows[o.b].site_id, o.area
                )
            })
            .collect();
        return Err(Error::Feature {
            path: sites.source.to_path_buf(),
            feature: format!("{} pair(s) of retained-land sites", overlaps.len()),
            message: format!(
                "sites overlap, so the same land would be counted twice: {}",
                pairs.join("; ")
            ),
        });
    }
    // Sites on state-reserve land inside the project.
    let reserve: Vec<usize> = (0..m.inside.len())
        .filter(|&k| m.inside[k].tenure == TenureClass::StateReserve)
        .collect();
    if !reserve.is_empty() {
        let g: Vec<MultiPolygon<f64>> =
            reserve.iter().map(|&k| m.inside_geoms[k].clone()).collect();
        let t = overlay_areas(&geoms, &g, &opts);
        let mut by_site: BTreeMap<usize, f64> = BTreeMap::new();
        for p in &t.pieces {
            *by_site.entry(p.source).or_insert(0.0) += p.area;
        }
        for (s, a) in by_site {
            findings.push(finding(
                "site_on_state_reserve_land",
                Severity::Warning,
                format!(
                    "site {} lies on {a:.2} m² of state-reserve land",
                    rows[s].site_id
                ),
                &[("area_m2", a)],
            ));
        }
    }

    // Prices: the site's attribute, else the land-price layer.
    let price_layer = layers.land_prices.as_ref().map(|lp| {
        let values: Vec<f64> = lp
            .features
            .iter()
            .map(|f| {
                lp.attr(f, &fields.price)
                    .and_then(Value::as_f64)
                    .unwrap_or(f64::NAN)
            })
            .collect();
        let g: Vec<MultiPolygon<f64>> = lp.features.iter().map(|f| f.geometry.clone()).collect();
        (g, values)
    });
    if let Some((pg, pv)) = &price_layer {
        let t = overlay_areas(&geoms, pg, &opts);
        let means = area_weighted_mean(&t, pv);
        for (k, row) in rows.iter_mut().enumerate() {
            let attr = sites
                .attr(&sites.features[mine[k]], &fields.price)
                .and_then(Value::as_f64)
                .filter(|p| p.is_finite() && *p > 0.0);
            if let Some(p) = attr {
                row.price = Some(p);
                row.price_source = PriceSource::Attribute;
            } else if let Some(mean) = means[k] {
                row.price = Some(mean.mean);
                row.price_source = PriceSource::PriceLayer;
                if mean.covered_area < row.area_m2 - tol {
                    findings.push(finding(
                        "site_partly_outside_price_layer",
                        Severity::Warning,
                        format!(
                            "site {}: only {:.2} of {:.2} m² lie in the land-price layer; its \
                             price is the mean over that part",
                            row.site_id, mean.covered_area, row.area_m2
                        ),
                        &[("covered_m2", mean.covered_area), ("area_m2", row.area_m2)],
                    ));
                }
            }
        }
    } else {
        for (k, row) in rows.iter_mut().enumerate() {
            if let Some(p) = sites
                .attr(&sites.features[mine[k]], &fields.price)
                .and_then(Value::as_f64)
            {
                row.price = Some(p);
                row.price_source = PriceSource::Attribute;
            }
        }
    }
    // On-site price: area-weighted over the counted land.
    let price_onsite = price_layer.as_ref().and_then(|(pg, pv)| {
        let counted_geoms: Vec<MultiPolygon<f64>> = m
            .inside
            .iter()
            .zip(&m.inside_geoms)
            .filter(|(p, _)| counted.contains(&p.parcel_id))
            .map(|(_, g)| g.clone())
            .collect();
        let t = overlay_areas(&counted_geoms, pg, &opts);
        let (mut num, mut den) = (0.0, 0.0);
        for p in &t.pieces {
            if pv[p.target].is_finite() {
                num += p.area * pv[p.target];
                den += p.area;
            }
        }
        (den > 0.0).then(|| num / den)
    });

    // Fit (policy.md §6: the area of the inside sites), then the shortfall placed on the
    // outside sites in their order. A straddling site counts (its inside part in the fit,
    // its outside part off-site) only when [siting] allow_straddling; otherwise it is a
    // violation and counts nowhere, rather than half-counting a site that must be redrawn.
    let allow_straddling = config.siting.allow_straddling;
    let counts = |r: &SiteRow| r.placement != Placement::Straddling || allow_straddling;
    let inside_areas: Vec<f64> = rows
        .iter()
        .filter(|r| counts(r))
        .map(|r| r.inside_m2)
        .collect();
    let fit = site_fit(required_m2, &inside_areas)?;
    if fit.shortfall_m2 > 0.0 {
        findings.push(finding(
            "retained_land_shortfall",
            Severity::Info,
            format!(
                "the inside sites hold {:.2} m² of the {:.2} m² required: {:.2} m² must be \
                 placed off-site",
                fit.inside_m2, fit.required_m2, fit.shortfall_m2
            ),
            &[("shortfall_m2", fit.shortfall_m2)],
        ));
    }
    let mut remaining = fit.shortfall_m2;
    for row in rows.iter_mut() {
        let offsite_area = row.outside_m2;
        if offsite_area <= 0.0 || !counts(row) {
            continue;
        }
        if let (Some(on), Some(off)) = (price_onsite, row.price) {
            row.full_rights_conversion = Some(offsite_rights(rights_m2, on, off)?);
        }
        let taken = offsite_area.min(remaining);
        remaining -= taken;
        row.shortfall_taken_m2 = taken;
        if required_m2 > 0.0 && taken > 0.0 {
            row.onsite_rights_m2 = rights_m2 * taken / required_m2;
            if let (Some(on), Some(off)) = (price_onsite, row.price) {
                row.conversion = Some(offsite_rights(row.onsite_rights_m2, on, off)?);
            }
        }
    }
    if remaining > tol {
        findings.push(finding(
            "retained_land_unplaced",
            Severity::Violation,
            format!("{remaining:.2} m² of the shortfall has no site, inside or outside"),
            &[("unplaced_m2", remaining)],
        ));
    }
    Ok(Some(SitingReport {
        tolerance_m2: tol,
        price_onsite,
        fit,
        rights_floor_area_m2: rights_m2,
        sites: rows,
        findings,
    }))
}
