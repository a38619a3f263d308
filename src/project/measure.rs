//! Measuring a project: every area the policy engine needs, from the layers, with the
//! geometry engine. Also the per-parcel status table, so no parcel is dropped silently.

use std::collections::BTreeMap;

use geo::{Area, MultiPolygon};
use serde::Serialize;

use super::Computation;
use super::ProjectLayers;
use super::config::ProjectFile;
use crate::geom::boundary::{InsidePart, clip_to_boundary};
use crate::geom::contiguity::{ContiguityOptions, contiguous_components};
use crate::geom::overlay::{OverlayOptions, overlay_areas};
use crate::geom::topology::self_overlaps;
use crate::layer::{Feature, Layer, Value};
use crate::policy::capacity::{
    BuildingArea, FallbackZone, ParcelInput, ProjectInput, RetainedPlan, ZoneArea,
};
use crate::policy::rules2018::ProjectInput2018;
use crate::policy::tenure::{TenureClass, TenureRules};
use crate::policy::{Finding, FindingCode, Severity};
use crate::{Error, Result};

/// What happened to a parcel of the parcel layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParcelStatus {
    /// Inside the project and counted in the land area.
    Counted,
    /// Inside the project, not counted (state reserve, under 15 years, ...): see the reason.
    Excluded,
    /// Only a sliver (below the floor) lies inside the boundary: not counted.
    Sliver,
    /// Entirely outside the project boundary.
    Outside,
    /// The geometry is unusable (empty, non-finite) or its intersection failed.
    GeometryError,
}

/// One parcel of the input layer with its measured figures and status.
#[derive(Debug, Clone, Serialize)]
pub struct ParcelRow {
    /// The parcel id attribute, or `file#index` when there is none.
    pub parcel_id: String,
    /// Position of the feature in its file.
    pub feature_index: usize,
    pub status: ParcelStatus,
    pub reason: Option<String>,
    pub tenure: Option<TenureClass>,
    /// Planar area of the whole parcel, m².
    pub area_m2: f64,
    /// Area inside the project boundary, m².
    pub area_inside_m2: f64,
    /// Area counted in the land area (legal area override or inside area), m².
    pub counted_area_m2: Option<f64>,
    /// 土地权益修正系数 applied to the parcel.
    pub land_rights_coef: Option<f64>,
    /// Inside area per density zone.
    pub zones: Vec<ZoneArea>,
    /// Inside area no density zone covers, m².
    pub uncovered_m2: f64,
    /// Existing floor area on the inside part, m².
    pub floor_area_m2: f64,
}

/// One parcel inside the project, as measured.
#[derive(Debug, Clone, Serialize)]
pub struct InsideParcel {
    pub parcel_id: String,
    /// Position of the feature in the parcel layer.
    pub feature_index: usize,
    pub tenure: TenureClass,
    pub area_m2: f64,
    pub area_inside_m2: f64,
    /// Area inside the planned-construction-land layer (only for the classes it limits).
    pub area_in_planned_construction_m2: Option<f64>,
    pub legal_area_m2: Option<f64>,
    pub land_use: Option<String>,
    pub grant_date: Option<chrono::NaiveDate>,
    pub term_years: Option<f64>,
    pub in_major_project: bool,
    pub zones: Vec<ZoneArea>,
    pub uncovered_m2: f64,
    pub buildings: Vec<BuildingArea>,
    pub cut_by_boundary: bool,
}

/// Everything measured for a project.
#[derive(Debug, Clone, Serialize)]
pub struct Measurement {
    /// The boundary feature used.
    pub boundary_feature: String,
    pub boundary_area_m2: f64,
    #[serde(skip)]
    pub(crate) boundary_geometry: MultiPolygon<f64>,
    pub inside: Vec<InsideParcel>,
    /// Area inside the boundary covered by no parcel (roads, water, gaps), m².
    pub boundary_not_in_parcels_m2: f64,
    pub uncovered_fallback: Option<FallbackZone>,
    /// Floor area of buildings inside the boundary but on no parcel inside it, m².
    pub floor_area_off_parcels_m2: f64,
    /// Areas of the contiguous groups of unfinished-requisition land (2018 eligibility).
    pub contiguous_unfinished_areas_m2: Vec<f64>,
    /// The retained land's zone and metro flag, with how they were found.
    pub retained_zone: u8,
    pub retained_near_metro: bool,
    pub retained_zone_reason: String,
    /// Parcels with their status (all of the layer), before the policy's verdicts.
    /// Geometry of each inside part, aligned with `inside`.
    #[serde(skip)]
    pub(crate) inside_geoms: Vec<MultiPolygon<f64>>,
    #[serde(skip)]
    pub(crate) rows: Vec<ParcelRow>,
    #[serde(skip)]
    pub(crate) findings: Vec<Finding>,
    #[serde(skip)]
    pub(crate) warnings: Vec<String>,
}

fn feature_error(layer: &Layer, f: &Feature, message: String) -> Error {
    Error::Feature {
        path: layer.source.clone(),
        feature: layer.feature_ref(f).to_string(),
        message,
    }
}

fn parcel_label(layer: &Layer, f: &Feature) -> String {
    f.key
        .clone()
        .unwrap_or_else(|| layer.feature_ref(f).to_string())
}

/// `[input] repair = false`: invalid geometry is not measured as it is, because its area and
/// its cut by the boundary would be wrong without a word. An invalid parcel that may lie in
/// the project (its extent meets the boundary's) is an error naming it; one wholly away
/// from the project is listed with status `geometry_error`. Invalid features of the other
/// layers are warnings.
fn not_repaired(
    config: &ProjectFile,
    layers: &ProjectLayers,
    boundary: &MultiPolygon<f64>,
    unusable: &mut BTreeMap<usize, String>,
    warnings: &mut Vec<String>,
) -> Result<()> {
    use geo::{BoundingRect, Intersects};
    let parcels = &layers.parcels;
    let boundary_box = boundary.bounding_rect();
    let mut in_project = Vec::new();
    for s in &layers.summaries {
        if s.problems.is_empty() {
            continue;
        }
        if s.role != super::LayerRole::Parcels {
            warnings.push(format!(
                "{} feature problem(s) in {} were not repaired ([input] repair = false), \
                 first: {}: {}; areas involving them may be wrong",
                s.problems.len(),
                s.path,
                s.problems[0].feature,
                s.problems[0].message
            ));
            continue;
        }
        let mut by_feature: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
        for p in &s.problems {
            by_feature
                .entry(p.feature.index)
                .or_default()
                .push(p.message.as_str());
        }
        for (index, messages) in by_feature {
            let Some(f) = parcels.features.iter().find(|f| f.index == index) else {
                continue;
            };
            let near = match (f.geometry.bounding_rect(), boundary_box) {
                (Some(a), Some(b)) => a.intersects(&b),
                _ => true,
            };
            let what = messages.join("; ");
            if near {
                in_project.push(format!("{}: {what}", parcels.feature_ref(f)));
            } else {
                unusable.insert(
                    index,
                    format!("invalid geometry not repaired ([input] repair = false): {what}"),
                );
            }
        }
    }
    if in_project.is_empty() {
        return Ok(());
    }
    Err(Error::Feature {
        path: parcels.source.clone(),
        feature: format!("{} parcel(s)", in_project.len()),
        message: format!(
            "invalid geometry in the project and [input] repair = false in {}, so the \
             parcel cannot be measured; fix it or set repair = true (every repair is \
             reported):\n  {}",
            config.path.display(),
            in_project.join("\n  ")
        ),
    })
}

/// Why a parcel matched no tenure rule, in the analyst's words: the value each rule looked
/// at, or that the attribute is missing.
fn tenure_failure(values: &[(String, Option<Value>)]) -> String {
    if values.is_empty() {
        return "no tenure rule is configured and there is no default class".into();
    }
    let parts: Vec<String> = values
        .iter()
        .map(|(field, v)| match v {
            None | Some(Value::Null) => format!("attribute `{field}` is missing"),
            Some(v) => format!("`{field}` = {:?} matches no rule", v.to_string()),
        })
        .collect();
    format!("{} (and no default class)", parts.join(", "))
}

/// Picks the project's boundary feature: the only one, or the one whose id attribute is the
/// project id.
pub(crate) fn project_boundary<'a>(config: &ProjectFile, layer: &'a Layer) -> Result<&'a Feature> {
    match layer.features.as_slice() {
        [] => Err(Error::Feature {
            path: layer.source.clone(),
            feature: "(layer)".into(),
            message: "the boundary layer has no features".into(),
        }),
        [only] => Ok(only),
        many => {
            let id = &config.project.id;
            let hits: Vec<&Feature> = many
                .iter()
                .filter(|f| f.key.as_deref() == Some(id.as_str()))
                .collect();
            match hits.as_slice() {
                [one] => Ok(one),
                [] => {
                    let found: Vec<String> = many
                        .iter()
                        .take(10)
                        .map(|f| f.key.clone().unwrap_or_else(|| "(none)".into()))
                        .collect();
                    Err(Error::Feature {
                        path: layer.source.clone(),
                        feature: "(layer)".into(),
                        message: format!(
                            "{} boundary features and none has {} = {id:?} (found: {}{}); \
                             check [project] id, or set [fields] boundary_id to the attribute \
                             holding the project id",
                            many.len(),
                            config.fields.boundary_id,
                            found.join(", "),
                            if many.len() > found.len() {
                                ", …"
                            } else {
                                ""
                            }
                        ),
                    })
                }
                _ => Err(Error::Feature {
                    path: layer.source.clone(),
                    feature: "(layer)".into(),
                    message: format!(
                        "{} boundary features have {} = {id:?}",
                        hits.len(),
                        config.fields.boundary_id
                    ),
                }),
            }
        }
    }
}

/// A density-zone number 1–5 from an attribute value ("3", 3, 3.0).
fn zone_number(v: Option<&Value>) -> Option<u8> {
    let x = v?.as_f64()?;
    (x.fract() == 0.0 && (1.0..=5.0).contains(&x)).then_some(x as u8)
}

pub(crate) fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::Int(i)) => *i != 0,
        Some(Value::Float(f)) => *f != 0.0,
        Some(Value::Str(s)) => matches!(
            s.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "y" | "是"
        ),
        _ => false,
    }
}

/// Measures the project: boundary, inside parts, zones, buildings, contiguity.
pub fn measure(config: &ProjectFile, layers: &ProjectLayers) -> Result<Measurement> {
    let opts = OverlayOptions {
        sliver_floor: config.input.sliver_floor_m2,
        threads: None,
    };
    let fields = &config.fields;
    let mut findings = Vec::new();
    let mut warnings = Vec::new();

    let boundary = project_boundary(config, &layers.boundary)?;
    let boundary_area = boundary.geometry.unsigned_area();
    if boundary_area <= 0.0 {
        return Err(feature_error(
            &layers.boundary,
            boundary,
            "the project boundary has no area".into(),
        ));
    }

    // Parcels whose geometry could not be repaired take no part in the geometry.
    let parcels = &layers.parcels;
    let mut unusable: BTreeMap<usize, String> = layers
        .summaries
        .iter()
        .filter(|s| s.role == super::LayerRole::Parcels)
        .flat_map(|s| s.repairs.unusable.iter())
        .map(|u| (u.feature.index, u.reason.clone()))
        .collect();
    if !config.input.repair {
        not_repaired(
            config,
            layers,
            &boundary.geometry,
            &mut unusable,
            &mut warnings,
        )?;
    }
    let geoms: Vec<MultiPolygon<f64>> = parcels
        .features
        .iter()
        .map(|f| {
            if unusable.contains_key(&f.index) {
                MultiPolygon::new(vec![])
            } else {
                f.geometry.clone()
            }
        })
        .collect();
    let clipped = clip_to_boundary(&geoms, &boundary.geometry, &opts);

    let mut rows: Vec<ParcelRow> = parcels
        .features
        .iter()
        .enumerate()
        .map(|(i, f)| ParcelRow {
            parcel_id: parcel_label(parcels, f),
            feature_index: f.index,
            status: ParcelStatus::Outside,
            reason: None,
            tenure: None,
            area_m2: clipped.source_areas.get(i).copied().unwrap_or(0.0),
            area_inside_m2: 0.0,
            counted_area_m2: None,
            land_rights_coef: None,
            zones: Vec::new(),
            uncovered_m2: 0.0,
            floor_area_m2: 0.0,
        })
        .collect();
    let mut no_area = Vec::new();
    for (i, f) in parcels.features.iter().enumerate() {
        if let Some(reason) = unusable.get(&f.index) {
            rows[i].status = ParcelStatus::GeometryError;
            rows[i].reason = Some(format!("unusable geometry: {reason}"));
        } else if !(rows[i].area_m2 > 0.0 && rows[i].area_m2.is_finite()) {
            // An empty or degenerate (e.g. collinear) ring is valid to the checks but has
            // no area: without this it would pass for a parcel outside the project.
            rows[i].status = ParcelStatus::GeometryError;
            rows[i].reason = Some("the geometry is empty or has no area".into());
            no_area.push(parcels.feature_ref(f).to_string());
        }
    }
    if !no_area.is_empty() {
        warnings.push(format!(
            "{} parcel(s) have no area (empty or degenerate geometry), listed with status \
             geometry_error and not counted: {}",
            no_area.len(),
            no_area.join(", ")
        ));
    }
    for (i, area) in &clipped.slivers {
        rows[*i].status = ParcelStatus::Sliver;
        rows[*i].area_inside_m2 = *area;
        rows[*i].reason = Some(format!(
            "only {area:.6} m² inside the boundary, below the sliver floor {} m²",
            opts.sliver_floor
        ));
    }
    if !clipped.errors.is_empty() {
        for (i, msg) in &clipped.errors {
            rows[*i].status = ParcelStatus::GeometryError;
            rows[*i].reason = Some(msg.clone());
        }
        let (i, msg) = &clipped.errors[0];
        return Err(feature_error(
            parcels,
            &parcels.features[*i],
            format!(
                "{msg} ({} parcel(s) failed; the inside area cannot be measured)",
                clipped.errors.len()
            ),
        ));
    }

    // Tenure classification of the inside parcels: every failure listed at once.
    let tenure_rules = TenureRules::new(config.tenure.clone()).map_err(|m| Error::Config {
        path: config.path.clone(),
        line: None,
        column: None,
        key: "tenure".into(),
        message: m,
    })?;
    let mut classes = Vec::with_capacity(clipped.inside.len());
    let mut failures = Vec::new();
    for part in &clipped.inside {
        let f = &parcels.features[part.source];
        match tenure_rules.classify(&|name: &str| parcels.attr(f, name)) {
            Ok(c) => classes.push(c),
            Err(e) => failures.push(format!(
                "{}: {}",
                parcels.feature_ref(f),
                tenure_failure(&e.values)
            )),
        }
    }
    if !failures.is_empty() {
        let shown = failures.iter().take(20).cloned().collect::<Vec<_>>();
        return Err(Error::Feature {
            path: parcels.source.clone(),
            feature: format!("{} parcel(s)", failures.len()),
            message: format!(
                "tenure cannot be classified; add a rule or a default class in [tenure] of {}:\n  {}{}",
                config.path.display(),
                shown.join("\n  "),
                if failures.len() > shown.len() {
                    format!("\n  … and {} more", failures.len() - shown.len())
                } else {
                    String::new()
                }
            ),
        });
    }

    // Density zones over the inside parts.
    let zones = &layers.density_zones;
    let mut zone_numbers = Vec::with_capacity(zones.features.len());
    for f in &zones.features {
        let v = zones.attr(f, &fields.density_zone);
        zone_numbers.push(zone_number(v).ok_or_else(|| {
            feature_error(
                zones,
                f,
                format!(
                    "attribute `{}` must be a density zone 1–5, found {}",
                    fields.density_zone,
                    v.map_or("nothing".to_string(), |v| format!("{v:?}"))
                ),
            )
        })?);
    }
    let zone_geoms: Vec<MultiPolygon<f64>> =
        zones.features.iter().map(|f| f.geometry.clone()).collect();
    let inside_geoms: Vec<MultiPolygon<f64>> =
        clipped.inside.iter().map(|p| p.geometry.clone()).collect();
    let zone_table = overlay_areas(&inside_geoms, &zone_geoms, &opts);
    report_pair_errors(&zone_table.errors, "density zone", &mut warnings);
    let mut zone_areas: Vec<BTreeMap<u8, f64>> = vec![BTreeMap::new(); inside_geoms.len()];
    for p in &zone_table.pieces {
        *zone_areas[p.source]
            .entry(zone_numbers[p.target])
            .or_insert(0.0) += p.area;
    }

    // Buildings: floor area pro rata to the footprint on each inside part.
    let mut floor_by_part: Vec<BTreeMap<String, f64>> = vec![BTreeMap::new(); inside_geoms.len()];
    let mut floor_off_parcels = 0.0;
    if let Some(b) = &layers.buildings {
        let mut floor = Vec::with_capacity(b.features.len());
        for f in &b.features {
            let fa = b
                .attr(f, &fields.building_floor_area)
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
            let use_ = b
                .attr(f, &fields.building_use)
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
            floor.push((fa, use_));
        }
        let b_geoms: Vec<MultiPolygon<f64>> =
            b.features.iter().map(|f| f.geometry.clone()).collect();
        let on_parts = overlay_areas(&b_geoms, &inside_geoms, &opts);
        report_pair_errors(&on_parts.errors, "building", &mut warnings);
        let in_boundary = overlay_areas(&b_geoms, std::slice::from_ref(&boundary.geometry), &opts);
        for p in &on_parts.pieces {
            let footprint = on_parts.source_areas[p.source];
            if footprint <= 0.0 {
                continue;
            }
            let (fa, use_) = &floor[p.source];
            *floor_by_part[p.target].entry(use_.clone()).or_insert(0.0) += fa * p.area / footprint;
        }
        let assigned: f64 = on_parts
            .pieces
            .iter()
            .filter(|p| on_parts.source_areas[p.source] > 0.0)
            .map(|p| floor[p.source].0 * p.area / on_parts.source_areas[p.source])
            .sum();
        let inside_total: f64 = in_boundary
            .pieces
            .iter()
            .filter(|p| in_boundary.source_areas[p.source] > 0.0)
            .map(|p| floor[p.source].0 * p.area / in_boundary.source_areas[p.source])
            .sum();
        floor_off_parcels = (inside_total - assigned).max(0.0);
        if floor_off_parcels > 1.0 {
            warnings.push(format!(
                "{floor_off_parcels:.2} m² of existing floor area lies inside the boundary but on \
                 no parcel inside it; it is not counted"
            ));
        }
    }

    // Planned construction land limits two classes (policy.md §2).
    let limited = |c: TenureClass| {
        matches!(
            c,
            TenureClass::UnfinishedRequisition | TenureClass::RequisitionedUngranted
        )
    };
    let pcl_area: Option<Vec<f64>> = layers.planned_construction_land.as_ref().map(|pcl| {
        let g: Vec<MultiPolygon<f64>> = pcl.features.iter().map(|f| f.geometry.clone()).collect();
        let t = overlay_areas(&inside_geoms, &g, &opts);
        let mut a = vec![0.0; inside_geoms.len()];
        for p in &t.pieces {
            a[p.source] += p.area;
        }
        a
    });

    // Assemble the inside parcels.
    let mut inside = Vec::with_capacity(clipped.inside.len());
    let mut uncovered_parts = Vec::new();
    for (k, part) in clipped.inside.iter().enumerate() {
        let f = &parcels.features[part.source];
        let tenure = classes[k];
        let zones_k: Vec<ZoneArea> = zone_areas[k]
            .iter()
            .map(|(z, a)| ZoneArea {
                zone: *z,
                area_m2: *a,
            })
            .collect();
        let covered: f64 = zones_k.iter().map(|z| z.area_m2).sum();
        // The inside part was cut with snap-rounding BooleanOps; its zone pieces may sum
        // to its area plus a rounding residue, which is not an overlap.
        let uncovered = if covered > part.area * (1.0 + 1e-6) + opts.sliver_floor {
            findings.push(Finding {
                code: FindingCode::DensityZonesOverlap,
                severity: Severity::Warning,
                message: format!(
                    "parcel {}: density zones overlap on it ({covered:.3} m² of zones on \
                     {:.3} m²); the base FAR weights each zone by its own area",
                    parcel_label(parcels, f),
                    part.area
                ),
                values: BTreeMap::from([
                    ("zone_area_m2".to_string(), covered),
                    ("area_inside_m2".to_string(), part.area),
                ]),
            });
            0.0
        } else {
            let u = part.area - covered;
            if u > opts.sliver_floor { u } else { 0.0 }
        };
        if uncovered > 0.0 {
            uncovered_parts.push(k);
        }
        let pcl = pcl_area.as_ref().filter(|_| limited(tenure)).map(|a| a[k]);
        let buildings: Vec<BuildingArea> = floor_by_part[k]
            .iter()
            .map(|(u, a)| BuildingArea {
                building_use: u.clone(),
                floor_area_m2: *a,
            })
            .collect();
        let legal = parcels
            .attr(f, &fields.legal_area)
            .filter(|v| !v.is_null())
            .map(|v| {
                v.as_f64().ok_or_else(|| {
                    feature_error(
                        parcels,
                        f,
                        format!("attribute `{}` is not a number: {v:?}", fields.legal_area),
                    )
                })
            })
            .transpose()?;
        inside.push(InsideParcel {
            parcel_id: parcel_label(parcels, f),
            feature_index: f.index,
            tenure,
            area_m2: clipped.source_areas[part.source],
            area_inside_m2: part.area,
            area_in_planned_construction_m2: pcl,
            legal_area_m2: legal,
            land_use: parcels.attr(f, &fields.land_use).and_then(Value::as_text),
            grant_date: parcels.attr(f, &fields.grant_date).and_then(Value::as_date),
            term_years: parcels.attr(f, &fields.term_years).and_then(Value::as_f64),
            in_major_project: config.project.major_project.unwrap_or(false)
                || truthy(parcels.attr(f, &fields.major_project)),
            zones: zones_k,
            uncovered_m2: uncovered,
            buildings,
            cut_by_boundary: !part.covered,
        });
        let row = &mut rows[part.source];
        row.area_inside_m2 = part.area;
        row.tenure = Some(tenure);
        row.zones = inside[k].zones.clone();
        row.uncovered_m2 = uncovered;
        // fold from +0.0: `sum()` of no values is -0.0, which reports would print as "-0".
        row.floor_area_m2 = floor_by_part[k].values().fold(0.0, |a, b| a + b);
    }

    // Overlapping parcels would count the same land twice: each overlap is a finding.
    for o in &self_overlaps(&inside_geoms, &opts).overlaps {
        let (a, b) = (&inside[o.a].parcel_id, &inside[o.b].parcel_id);
        findings.push(Finding {
            code: FindingCode::ParcelsOverlap,
            severity: Severity::Violation,
            message: format!(
                "parcels {a} and {b} overlap by {:.3} m² inside the project: that land is \
                 counted twice until the ownership conflict is resolved",
                o.area
            ),
            values: BTreeMap::from([("overlap_m2".to_string(), o.area)]),
        });
    }

    let uncovered_fallback = fallback_zone(
        &uncovered_parts,
        &inside,
        &clipped.inside,
        &zone_geoms,
        &zone_numbers,
    );

    let parcels_inside: f64 = inside.iter().map(|p| p.area_inside_m2).sum();
    let boundary_not_in_parcels = (boundary_area - parcels_inside).max(0.0);

    // 2018 eligibility: contiguous groups of unfinished-requisition land inside.
    let unfinished: Vec<MultiPolygon<f64>> = clipped
        .inside
        .iter()
        .zip(&inside)
        .filter(|(_, p)| p.tenure == TenureClass::UnfinishedRequisition)
        .map(|(part, _)| part.geometry.clone())
        .collect();
    let contiguous_unfinished_areas_m2 =
        contiguous_components(&unfinished, &ContiguityOptions::default())
            .into_iter()
            .map(|c| c.area)
            .collect();

    let (retained_zone, retained_near_metro, retained_zone_reason) =
        retained_zone(config, layers, &inside, &zone_geoms, &zone_numbers, &opts)?;

    Ok(Measurement {
        boundary_feature: layers.boundary.feature_ref(boundary).to_string(),
        boundary_area_m2: boundary_area,
        boundary_geometry: boundary.geometry.clone(),
        inside,
        boundary_not_in_parcels_m2: boundary_not_in_parcels,
        uncovered_fallback,
        floor_area_off_parcels_m2: floor_off_parcels,
        contiguous_unfinished_areas_m2,
        retained_zone,
        retained_near_metro,
        retained_zone_reason,
        inside_geoms,
        rows,
        findings,
        warnings,
    })
}

fn report_pair_errors(
    errors: &[crate::geom::overlay::PairError],
    what: &str,
    warnings: &mut Vec<String>,
) {
    for e in errors {
        warnings.push(format!(
            "overlay of source #{} with {what} #{} failed: {}; that piece is not counted",
            e.source, e.target, e.message
        ));
    }
}

/// The zone given to land no density zone covers [S 4.1.3]: the adjacent zone, i.e. the
/// zone covering most of the partly covered parcels that hold uncovered land, else the
/// zone nearest to the uncovered parcels.
fn fallback_zone(
    uncovered_parts: &[usize],
    inside: &[InsideParcel],
    parts: &[InsidePart],
    zone_geoms: &[MultiPolygon<f64>],
    zone_numbers: &[u8],
) -> Option<FallbackZone> {
    if uncovered_parts.is_empty() {
        return None;
    }
    let mut by_zone: BTreeMap<u8, f64> = BTreeMap::new();
    for &k in uncovered_parts {
        for z in &inside[k].zones {
            *by_zone.entry(z.zone).or_insert(0.0) += z.area_m2;
        }
    }
    if let Some((zone, _)) = by_zone
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
    {
        return Some(FallbackZone {
            zone: *zone,
            reason: format!(
                "adjacent zone {zone}: the zone covering most of the partly covered parcels \
                 (no ecologically-sensitive adjustment applied)"
            ),
        });
    }
    // Wholly uncovered: the nearest zone to the uncovered parts.
    use geo::{Distance, Euclidean};
    let mut best: Option<(f64, usize)> = None;
    for &k in uncovered_parts {
        for (j, z) in zone_geoms.iter().enumerate() {
            let d = Euclidean.distance(&parts[k].geometry, z);
            if best.is_none_or(|(bd, bj)| d < bd || (d == bd && j < bj)) {
                best = Some((d, j));
            }
        }
    }
    best.map(|(d, j)| FallbackZone {
        zone: zone_numbers[j],
        reason: format!(
            "adjacent zone {}: the nearest zone ({d:.1} m away) to the uncovered land",
            zone_numbers[j]
        ),
    })
}

/// The retained land's zone: from the plan, else where most of the inside retained-land
/// sites lie, else where most of the counted land lies.
fn retained_zone(
    config: &ProjectFile,
    layers: &ProjectLayers,
    inside: &[InsideParcel],
    zone_geoms: &[MultiPolygon<f64>],
    zone_numbers: &[u8],
    opts: &OverlayOptions,
) -> Result<(u8, bool, String)> {
    let fields = &config.fields;
    let zones = &layers.density_zones;
    let metro: Vec<bool> = zones
        .features
        .iter()
        .map(|f| truthy(zones.attr(f, &fields.metro)))
        .collect();
    if let Some(z) = config.plan.retained_zone {
        let near = config.plan.retained_near_metro.unwrap_or(false);
        return Ok((z, near, "given in [plan] retained_zone".into()));
    }
    if let Some(sites) = &layers.retained_sites {
        let mine: Vec<MultiPolygon<f64>> = sites
            .features
            .iter()
            .filter(|f| {
                sites
                    .attr(f, &fields.site_project)
                    .and_then(Value::as_text)
                    .is_none_or(|p| p == config.project.id)
            })
            .map(|f| f.geometry.clone())
            .collect();
        if !mine.is_empty() {
            let t = overlay_areas(&mine, zone_geoms, opts);
            let mut by: BTreeMap<u8, (f64, bool)> = BTreeMap::new();
            for p in &t.pieces {
                let e = by.entry(zone_numbers[p.target]).or_insert((0.0, false));
                e.0 += p.area;
                e.1 |= metro[p.target];
            }
            if let Some((z, (_, m))) = by.iter().max_by(|a, b| a.1.0.total_cmp(&b.1.0)) {
                let near = config.plan.retained_near_metro.unwrap_or(*m);
                return Ok((
                    *z,
                    near,
                    "zone holding most of the retained-land sites".into(),
                ));
            }
        }
    }
    let mut by: BTreeMap<u8, f64> = BTreeMap::new();
    for p in inside {
        for z in &p.zones {
            *by.entry(z.zone).or_insert(0.0) += z.area_m2;
        }
    }
    let z = by
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(z, _)| *z)
        .ok_or_else(|| Error::Policy {
            message: "no density zone covers the project; set [plan] retained_zone".into(),
        })?;
    Ok((
        z,
        config.plan.retained_near_metro.unwrap_or(false),
        "zone holding most of the project's land".into(),
    ))
}

/// The 2022 policy input from the measurement and the plan.
pub fn policy_input_2022(config: &ProjectFile, m: &Measurement) -> Result<ProjectInput> {
    let parcels = m
        .inside
        .iter()
        .map(|p| ParcelInput {
            id: p.parcel_id.clone(),
            tenure: p.tenure,
            area_inside_m2: p.area_inside_m2,
            planned_construction_area_m2: p.area_in_planned_construction_m2,
            legal_area_m2: p.legal_area_m2,
            land_use: p.land_use.clone(),
            grant_date: p.grant_date,
            term_years: p.term_years,
            in_major_project: p.in_major_project,
            // The policy engine scales zone areas to the counted area (legal or
            // planned-construction-land area) in proportion.
            zone_areas: p.zones.clone(),
            uncovered_area_m2: p.uncovered_m2,
            buildings: p.buildings.clone(),
        })
        .collect();
    let plan = &config.plan;
    Ok(ProjectInput {
        project_id: config.project.id.clone(),
        assessment_date: config.project.assessment_date,
        parcels,
        project_buildings: Vec::new(),
        uncovered_fallback: m.uncovered_fallback.clone(),
        function_mix: plan.function_mix.clone(),
        facilities: plan.facilities.clone(),
        shared_ratio: plan.shared_ratio,
        shared_disposition: plan.shared_disposition.clone(),
        retained: RetainedPlan {
            planned_far: plan.planned_far,
            zone: m.retained_zone,
            use_key: plan.retained_use.clone(),
            near_metro: m.retained_near_metro,
        },
    })
}

/// The 2018 policy input: contiguity from the measurement, the rest from `[plan_2018]`.
pub fn policy_input_2018(config: &ProjectFile, m: &Measurement) -> Result<ProjectInput2018> {
    let plan = config.plan_2018.as_ref().ok_or_else(|| Error::Config {
        path: config.path.clone(),
        line: None,
        column: None,
        key: "plan_2018".into(),
        message: "the 2018 rules apply to this project, and they need a [plan_2018] table \
                  (retained_land_area_m2, plot_far, shared_ratio): the retained-land sizing \
                  table of the 2018 rules is not public"
            .into(),
    })?;
    Ok(ProjectInput2018 {
        project_id: config.project.id.clone(),
        contiguous_unfinished_areas: m.contiguous_unfinished_areas_m2.clone(),
        retained_land_area_m2: plan.retained_land_area_m2,
        plot_far: plan.plot_far,
        shared_ratio: plan.shared_ratio,
        facilities: plan.facilities.clone(),
    })
}

/// Every parcel of the layer with its final status: the measurement's rows completed with
/// the policy's verdicts (counted with its coefficient, or excluded with the reason).
pub fn parcel_rows(m: &Measurement, computation: &Computation) -> Vec<ParcelRow> {
    let mut rows = m.rows.clone();
    let by_index: BTreeMap<usize, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.feature_index, i))
        .collect();
    let by_id: BTreeMap<&str, usize> = m
        .inside
        .iter()
        .filter_map(|p| {
            by_index
                .get(&p.feature_index)
                .map(|i| (p.parcel_id.as_str(), *i))
        })
        .collect();
    for p in &m.inside {
        if let Some(&i) = by_index.get(&p.feature_index) {
            rows[i].status = ParcelStatus::Counted;
        }
    }
    match computation {
        Computation::New(a) => {
            for c in &a.parcels {
                if let Some(&i) = by_id.get(c.id.as_str()) {
                    rows[i].counted_area_m2 = Some(c.counted_area_m2);
                    rows[i].land_rights_coef = Some(c.land_rights_coef);
                }
            }
            for e in &a.excluded {
                if let Some(&i) = by_id.get(e.id.as_str()) {
                    rows[i].status = ParcelStatus::Excluded;
                    rows[i].reason = Some(e.reason.clone());
                }
            }
        }
        Computation::Rules2018(_) => {
            // The 2018 rules count no per-parcel coefficient: the inside area is the figure.
            for p in &m.inside {
                if let Some(&i) = by_index.get(&p.feature_index) {
                    rows[i].counted_area_m2 = Some(p.area_inside_m2);
                }
            }
        }
    }
    rows
}
