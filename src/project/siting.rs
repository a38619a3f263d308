//! Retained-land siting (留用土地落地, policy.md §6): where each proposed site lies against
//! the project boundary, whether the inside sites hold the required area, and what the
//! rights placed off-site are worth by land-price ratio.
//!
//! This module measures (placement, overlaps, state-reserve land, prices); the allocation
//! itself (fit, straddling rule, shortfall placement, rights shares) is
//! [`crate::policy::siting::allocate`].

use std::collections::BTreeMap;

use geo::MultiPolygon;
use serde::Serialize;

use super::config::ProjectFile;
use super::measure::Measurement;
use super::{Computation, ProjectLayers};
use crate::geom::aggregate::area_weighted_mean;
use crate::geom::overlay::{OverlayOptions, overlay_areas};
use crate::geom::placement::{Placement, place_sites};
use crate::geom::topology::self_overlaps;
use crate::model::Layer;
use crate::model::Value;
use crate::policy::rules::RuleSet;
use crate::policy::siting::{
    AllocationInput, FloorArea2018Rule, OffsiteBase2018, OffsiteConversion, OffsiteRule,
    ProposedSite, SiteFit, SiteLocation, SitingRules, allocate,
};
use crate::policy::tenure::TenureClass;
use crate::policy::{Finding, FindingCode, Severity};
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
    /// The site id attribute, or `file#index`.
    pub site_id: String,
    /// Position of the feature in the sites layer.
    pub feature_index: usize,
    /// Planned use attribute of the site.
    pub use_: Option<String>,
    /// Planar area of the site, m².
    pub area_m2: f64,
    /// Area inside the project boundary, m² (0 for an outside site).
    pub inside_m2: f64,
    /// Area outside the project boundary, m² (0 for an inside site).
    pub outside_m2: f64,
    /// Inside, outside or straddling the boundary.
    pub placement: Placement,
    /// The digitising tolerance decided the placement.
    pub tolerance_used: bool,
    /// Land price of the site, yuan/m².
    pub price: Option<f64>,
    /// Where the price came from.
    pub price_source: PriceSource,
    /// Part of the shortfall this (outside) site takes, m² of retained land.
    pub shortfall_taken_m2: f64,
    /// Rights floor area that this site carries off-site, before conversion, m².
    pub onsite_rights_m2: f64,
    /// That share converted by the price ratio (min(on-site, on-site × ratio)), m².
    pub conversion: Option<OffsiteConversion>,
    /// The whole rights floor area converted at this site's price (policy.md §9 rows).
    pub full_rights_conversion: Option<OffsiteConversion>,
    /// Under the 2018 rules: the site's base floor area (S × plot FAR ⊕ FA × 1.5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_2018: Option<OffsiteBase2018>,
}

/// The siting section of a report.
#[derive(Debug, Clone, Serialize)]
pub struct SitingReport {
    /// Digitising tolerance used, m².
    pub tolerance_m2: f64,
    /// Area-weighted land price over the project's counted land, yuan/m².
    pub price_onsite: Option<f64>,
    /// The counted inside sites against the required area.
    pub fit: SiteFit,
    /// Rights floor area placed (2018: the base floor area), m².
    pub rights_floor_area_m2: f64,
    /// Every proposed site of the project, in layer order.
    pub sites: Vec<SiteRow>,
    /// Siting findings.
    pub findings: Vec<Finding>,
}

/// The proposed sites of this project: their feature indices in the sites layer and their
/// geometries, in layer order.
struct ProjectSites {
    indices: Vec<usize>,
    geoms: Vec<MultiPolygon<f64>>,
}

/// The benchmark land-price layer as geometries and prices (NaN where a feature has none).
struct PriceLayer {
    geoms: Vec<MultiPolygon<f64>>,
    values: Vec<f64>,
}

/// What the assessment hands the siting: the figures of the rule set that applied.
#[derive(Debug, Clone)]
pub struct SitingBasis {
    /// Retained-land area the rules require, m².
    pub required_m2: f64,
    /// Rights floor area (for the 2018 rules, the base floor area), m².
    pub rights_m2: f64,
    /// Ids of the counted parcels (the on-site land price is taken over them).
    pub counted: Vec<String>,
    /// Under the 2018 rules, their off-site floor-area rule (no land-price conversion).
    pub offsite_2018: Option<FloorArea2018Rule>,
}

impl SitingBasis {
    /// The basis of the computation that ran: under the 2022 draft its retained-land area,
    /// rights floor area and counted parcels; under the 2018 rules the base floor area and
    /// their off-site rule with the existing floor area on the counted parcels (FA利益统筹).
    pub fn of(computation: &Computation, m: &Measurement, rules_2018: &RuleSet) -> Result<Self> {
        Ok(match computation {
            Computation::New(a) => SitingBasis {
                required_m2: a.retained.retained_land_area_m2,
                rights_m2: a.rights_floor_area_m2,
                counted: a.parcels.iter().map(|p| p.id.clone()).collect(),
                offsite_2018: None,
            },
            Computation::Rules2018(a) => {
                let rule = &rules_2018.rules_2018()?.offsite;
                let existing: f64 = m
                    .inside
                    .iter()
                    .filter(|p| a.counted_parcels.contains(&p.parcel_id))
                    .flat_map(|p| &p.buildings)
                    .map(|b| b.floor_area_m2)
                    .sum();
                SitingBasis {
                    required_m2: a.retained_land_area_m2,
                    rights_m2: a.base_floor_area_m2,
                    counted: a.counted_parcels.clone(),
                    offsite_2018: Some(FloorArea2018Rule {
                        plot_far: a.plot_far,
                        existing_floor_area_m2: existing,
                        multiplier: rule.existing_floor_area_multiplier.value,
                        operator: rule.operator.value,
                    }),
                }
            }
        })
    }
}

/// Sites, fit and off-site conversion for a measured, assessed project.
pub fn site_project(
    config: &ProjectFile,
    layers: &ProjectLayers,
    m: &Measurement,
    basis: &SitingBasis,
) -> Result<Option<SitingReport>> {
    let Some(sites) = &layers.retained_sites else {
        return Ok(None);
    };
    let rules = SitingRules {
        allow_straddling: config.siting.allow_straddling,
        tolerance_m2: config.siting.tolerance_m2,
    };
    let opts = OverlayOptions {
        sliver_floor: rules.tolerance_m2.max(config.input.sliver_floor_m2),
        threads: None,
    };
    let mine = project_sites(config, sites);
    let mut findings = Vec::new();
    let mut rows = place_rows(config, sites, &mine, m, &rules, &mut findings)?;
    check_no_overlaps(sites, &mine, &rows, &opts)?;
    findings.extend(state_reserve_findings(m, &mine, &rows, &opts));
    let price_layer = read_price_layer(config, layers);
    findings.extend(assign_prices(
        config,
        sites,
        &mine,
        price_layer.as_ref(),
        &opts,
        &mut rows,
    ));
    let price_onsite = price_layer
        .as_ref()
        .and_then(|pl| onsite_price(m, &basis.counted, pl, &opts));
    let offsite = match basis.offsite_2018 {
        Some(rule) => OffsiteRule::FloorArea2018(rule),
        None => OffsiteRule::LandPriceRatio { price_onsite },
    };
    let (fit, allocation_findings) = allocate_rows(&mut rows, basis, offsite, rules)?;
    findings.extend(allocation_findings);
    Ok(Some(SitingReport {
        tolerance_m2: rules.tolerance_m2,
        price_onsite,
        fit,
        rights_floor_area_m2: basis.rights_m2,
        sites: rows,
        findings,
    }))
}

/// The sites that belong to this project: no project attribute, or this project's id.
fn project_sites(config: &ProjectFile, sites: &Layer) -> ProjectSites {
    let indices: Vec<usize> = (0..sites.features.len())
        .filter(|&i| {
            sites
                .attr(&sites.features[i], &config.fields.site_project)
                .and_then(Value::as_text)
                .is_none_or(|p| p == config.project.id)
        })
        .collect();
    let geoms = indices
        .iter()
        .map(|&i| sites.features[i].geometry.clone())
        .collect();
    ProjectSites { indices, geoms }
}

/// Places each site against the boundary: one row per site, with the tolerance and
/// straddling findings in site order.
fn place_rows(
    config: &ProjectFile,
    sites: &Layer,
    mine: &ProjectSites,
    m: &Measurement,
    rules: &SitingRules,
    findings: &mut Vec<Finding>,
) -> Result<Vec<SiteRow>> {
    let tol = rules.tolerance_m2;
    let placements = place_sites(&mine.geoms, &m.boundary_geometry, tol);
    let mut rows = Vec::with_capacity(mine.indices.len());
    for (k, &i) in mine.indices.iter().enumerate() {
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
            let ignored = p.inside_area.min(p.outside_area);
            findings.push(Finding::new(
                FindingCode::SitingToleranceUsed,
                Severity::Info,
                format!(
                    "site {site_id}: {ignored:.6} m² {} the boundary ignored (tolerance {tol} m²)",
                    if p.placement == Placement::Inside {
                        "outside"
                    } else {
                        "inside"
                    }
                ),
                &[("ignored_m2", ignored)],
            ));
        }
        if p.placement == Placement::Straddling {
            findings.push(rules.straddling_finding(&site_id, p.inside_area, p.outside_area));
        }
        rows.push(SiteRow {
            site_id,
            feature_index: f.index,
            use_: sites
                .attr(f, &config.fields.site_use)
                .and_then(Value::as_text),
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
            base_2018: None,
        });
    }
    Ok(rows)
}

/// The same land may not be offered twice: overlapping sites are an error naming each pair.
fn check_no_overlaps(
    sites: &Layer,
    mine: &ProjectSites,
    rows: &[SiteRow],
    opts: &OverlayOptions,
) -> Result<()> {
    let overlaps = self_overlaps(&mine.geoms, opts).overlaps;
    if overlaps.is_empty() {
        return Ok(());
    }
    let pairs: Vec<String> = overlaps
        .iter()
        .map(|o| {
            format!(
                "{} and {} by {:.3} m²",
                rows[o.a].site_id, rows[o.b].site_id, o.area
            )
        })
        .collect();
    Err(Error::Feature {
        path: sites.source.to_path_buf(),
        feature: format!("{} pair(s) of retained-land sites", overlaps.len()),
        message: format!(
            "sites overlap, so the same land would be counted twice: {}",
            pairs.join("; ")
        ),
    })
}

/// Sites on state-reserve land inside the project: one warning per site.
fn state_reserve_findings(
    m: &Measurement,
    mine: &ProjectSites,
    rows: &[SiteRow],
    opts: &OverlayOptions,
) -> Vec<Finding> {
    let reserve: Vec<MultiPolygon<f64>> = m
        .inside
        .iter()
        .zip(&m.inside_geoms)
        .filter(|(p, _)| p.tenure == TenureClass::StateReserve)
        .map(|(_, g)| g.clone())
        .collect();
    if reserve.is_empty() {
        return Vec::new();
    }
    let t = overlay_areas(&mine.geoms, &reserve, opts);
    let mut by_site: BTreeMap<usize, f64> = BTreeMap::new();
    for p in &t.pieces {
        *by_site.entry(p.source).or_insert(0.0) += p.area;
    }
    by_site
        .into_iter()
        .map(|(s, a)| {
            Finding::new(
                FindingCode::SiteOnStateReserveLand,
                Severity::Warning,
                format!(
                    "site {} lies on {a:.2} m² of state-reserve land",
                    rows[s].site_id
                ),
                &[("area_m2", a)],
            )
        })
        .collect()
}

/// The land-price layer, when the project has one.
fn read_price_layer(config: &ProjectFile, layers: &ProjectLayers) -> Option<PriceLayer> {
    layers.land_prices.as_ref().map(|lp| PriceLayer {
        values: lp
            .features
            .iter()
            .map(|f| {
                lp.attr(f, &config.fields.price)
                    .and_then(Value::as_f64)
                    .unwrap_or(f64::NAN)
            })
            .collect(),
        geoms: lp.features.iter().map(|f| f.geometry.clone()).collect(),
    })
}

/// Each site's price: its attribute, else the area-weighted mean of the price layer (with a
/// finding where the layer covers only part of the site).
fn assign_prices(
    config: &ProjectFile,
    sites: &Layer,
    mine: &ProjectSites,
    price_layer: Option<&PriceLayer>,
    opts: &OverlayOptions,
    rows: &mut [SiteRow],
) -> Vec<Finding> {
    let attr_price = |k: usize| {
        sites
            .attr(&sites.features[mine.indices[k]], &config.fields.price)
            .and_then(Value::as_f64)
    };
    let Some(pl) = price_layer else {
        for (k, row) in rows.iter_mut().enumerate() {
            if let Some(p) = attr_price(k) {
                row.price = Some(p);
                row.price_source = PriceSource::Attribute;
            }
        }
        return Vec::new();
    };
    let mut findings = Vec::new();
    let t = overlay_areas(&mine.geoms, &pl.geoms, opts);
    let means = area_weighted_mean(&t, &pl.values);
    for (k, row) in rows.iter_mut().enumerate() {
        if let Some(p) = attr_price(k).filter(|p| p.is_finite() && *p > 0.0) {
            row.price = Some(p);
            row.price_source = PriceSource::Attribute;
        } else if let Some(mean) = means[k] {
            row.price = Some(mean.mean);
            row.price_source = PriceSource::PriceLayer;
            if mean.covered_area < row.area_m2 - config.siting.tolerance_m2 {
                findings.push(Finding::new(
                    FindingCode::SitePartlyOutsidePriceLayer,
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
    findings
}

/// On-site price: area-weighted over the counted land.
fn onsite_price(
    m: &Measurement,
    counted: &[String],
    pl: &PriceLayer,
    opts: &OverlayOptions,
) -> Option<f64> {
    let counted_geoms: Vec<MultiPolygon<f64>> = m
        .inside
        .iter()
        .zip(&m.inside_geoms)
        .filter(|(p, _)| counted.contains(&p.parcel_id))
        .map(|(_, g)| g.clone())
        .collect();
    let t = overlay_areas(&counted_geoms, &pl.geoms, opts);
    let (mut num, mut den) = (0.0, 0.0);
    for p in &t.pieces {
        if pl.values[p.target].is_finite() {
            num += p.area * pl.values[p.target];
            den += p.area;
        }
    }
    (den > 0.0).then(|| num / den)
}

/// Hands the measured rows to the policy allocation and writes its result back into them.
fn allocate_rows(
    rows: &mut [SiteRow],
    basis: &SitingBasis,
    offsite: OffsiteRule,
    rules: SitingRules,
) -> Result<(SiteFit, Vec<Finding>)> {
    let proposed: Vec<ProposedSite> = rows
        .iter()
        .map(|r| ProposedSite {
            site_id: r.site_id.clone(),
            location: match r.placement {
                Placement::Inside => SiteLocation::Inside,
                Placement::Outside => SiteLocation::Outside,
                Placement::Straddling => SiteLocation::Straddling,
            },
            inside_m2: r.inside_m2,
            outside_m2: r.outside_m2,
            price: r.price,
        })
        .collect();
    let allocation = allocate(&AllocationInput {
        required_m2: basis.required_m2,
        rights_m2: basis.rights_m2,
        offsite,
        sites: &proposed,
        rules,
    })?;
    for (row, a) in rows.iter_mut().zip(allocation.sites) {
        row.shortfall_taken_m2 = a.shortfall_taken_m2;
        row.onsite_rights_m2 = a.onsite_rights_m2;
        row.conversion = a.conversion;
        row.full_rights_conversion = a.full_rights_conversion;
        row.base_2018 = a.base_2018;
    }
    Ok((allocation.fit, allocation.findings))
}
