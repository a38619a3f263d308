//! The parcels inside the project, each with every figure the policy engine needs.

use std::collections::BTreeMap;

use geo::{Area, BooleanOps, BoundingRect, MultiPolygon};
use serde::Serialize;

use super::boundary::{ClippedParcels, InsideCut};
use super::{Notes, feature_error, parcel_label, truthy};
use crate::Result;
use crate::geom::clip::rect_intersection;
use crate::geom::contiguity::{ContiguityOptions, contiguous_components};
use crate::geom::overlay::{OverlayOptions, overlay_areas};
use crate::geom::topology::self_overlaps;
use crate::model::{ColumnIndex, Feature, Layer, Value};
use crate::policy::capacity::{BuildingArea, ZoneArea, counts_planned_construction_only};
use crate::policy::tenure::TenureClass;
use crate::policy::{Finding, FindingCode, Severity};
use crate::project::config::ProjectFile;

/// One parcel inside the project, as measured.
#[derive(Debug, Clone, Serialize)]
pub struct InsideParcel {
    /// The parcel id attribute, or `file#index` when there is none.
    pub parcel_id: String,
    /// Position of the feature in the parcel layer.
    pub feature_index: usize,
    /// Tenure class (权属类型).
    pub tenure: TenureClass,
    /// Planar area of the whole parcel, m².
    pub area_m2: f64,
    /// Area inside the project boundary, m².
    pub area_inside_m2: f64,
    /// Area inside the planned-construction-land layer (only for the classes it limits).
    pub area_in_planned_construction_m2: Option<f64>,
    /// Legal (registered) area from the parcel attributes, m², when given.
    pub legal_area_m2: Option<f64>,
    /// Land use attribute.
    pub land_use: Option<String>,
    /// Grant date (出让日期) attribute.
    pub grant_date: Option<chrono::NaiveDate>,
    /// Grant term (出让年限) attribute, years.
    pub term_years: Option<f64>,
    /// The parcel (or the whole project) is a major project (重大项目).
    pub in_major_project: bool,
    /// Inside area per density zone.
    pub zones: Vec<ZoneArea>,
    /// Inside area no density zone covers, m².
    pub uncovered_m2: f64,
    /// The zones the uncovered land takes (深标 4.1.3), by area; filled by the fallback step.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub uncovered_zones: Vec<ZoneArea>,
    /// Existing floor area on the inside part, by building use.
    pub buildings: Vec<BuildingArea>,
    /// The boundary cuts the parcel (only part of it is inside).
    pub cut_by_boundary: bool,
}

/// Area of each inside part within the planned construction land, when that layer is
/// given.
pub(super) fn planned_construction_areas(
    planned: Option<&Layer>,
    inside_geoms: &[MultiPolygon<f64>],
    opts: &OverlayOptions,
) -> Option<Vec<f64>> {
    let pcl = planned?;
    let g: Vec<&MultiPolygon<f64>> = pcl.features.iter().map(|f| &f.geometry).collect();
    let t = overlay_areas(inside_geoms, &g, opts);
    let mut a = vec![0.0; inside_geoms.len()];
    for p in &t.pieces {
        a[p.source] += p.area;
    }
    Some(a)
}

/// What the earlier steps measured per inside part (every slice aligned with the cuts).
pub(super) struct PartFigures<'a> {
    /// Tenure class.
    pub(super) tenure: &'a [TenureClass],
    /// Area by density zone number, m².
    pub(super) zone_areas: &'a [BTreeMap<u8, f64>],
    /// Existing floor area by building use, m².
    pub(super) floor: &'a [BTreeMap<String, f64>],
    /// Area within the planned construction land, m², when that layer is given.
    pub(super) planned_construction: Option<&'a [f64]>,
}

/// The inside parcels.
pub(super) struct InsideParcels {
    /// Aligned with the cuts.
    pub(super) parcels: Vec<InsideParcel>,
}

/// Assembles the inside parcels from the cut and the per-part figures.
pub(super) fn assemble(
    config: &ProjectFile,
    parcels: &Layer,
    clip: &ClippedParcels,
    figures: &PartFigures<'_>,
    opts: &OverlayOptions,
    notes: &mut Notes,
) -> Result<InsideParcels> {
    let assembly = Assembly {
        config,
        parcels,
        columns: ParcelColumns::resolve(parcels, config),
        clip,
        figures,
        opts,
    };
    let mut inside = Vec::with_capacity(clip.cuts.len());
    for k in 0..clip.cuts.len() {
        inside.push(assembly.inside_parcel(k, notes)?);
    }
    Ok(InsideParcels { parcels: inside })
}

/// The parcel attributes an inside parcel reads, resolved to columns once per layer
/// rather than by name for every parcel.
struct ParcelColumns {
    legal_area: Option<ColumnIndex>,
    land_use: Option<ColumnIndex>,
    grant_date: Option<ColumnIndex>,
    term_years: Option<ColumnIndex>,
    major_project: Option<ColumnIndex>,
}

impl ParcelColumns {
    fn resolve(parcels: &Layer, config: &ProjectFile) -> ParcelColumns {
        let fields = &config.fields;
        ParcelColumns {
            legal_area: parcels.column(&fields.legal_area),
            land_use: parcels.column(&fields.land_use),
            grant_date: parcels.column(&fields.grant_date),
            term_years: parcels.column(&fields.term_years),
            major_project: parcels.column(&fields.major_project),
        }
    }
}

/// The value of `column` in `f` (`None` when the layer has no such field).
fn value(f: &Feature, column: Option<ColumnIndex>) -> Option<&Value> {
    column.and_then(|c| f.get(c))
}

/// What assembling the inside parcels reads, shared by every parcel.
struct Assembly<'a> {
    config: &'a ProjectFile,
    parcels: &'a Layer,
    columns: ParcelColumns,
    clip: &'a ClippedParcels,
    figures: &'a PartFigures<'a>,
    opts: &'a OverlayOptions,
}

impl Assembly<'_> {
    /// The inside parcel of cut `k`, with its figures.
    fn inside_parcel(&self, k: usize, notes: &mut Notes) -> Result<InsideParcel> {
        let Assembly {
            config,
            parcels,
            columns,
            clip,
            figures,
            opts,
        } = self;
        let fields = &config.fields;
        let cut = &clip.cuts[k];
        let f = &parcels.features[cut.source];
        let tenure = figures.tenure[k];
        let zones: Vec<ZoneArea> = figures.zone_areas[k]
            .iter()
            .map(|(z, a)| ZoneArea {
                zone: *z,
                area_m2: *a,
            })
            .collect();
        let uncovered = uncovered_area(parcels, cut, &zones, opts.sliver_floor, notes);
        let planned = figures
            .planned_construction
            .filter(|_| counts_planned_construction_only(tenure))
            .map(|a| a[k]);
        let buildings: Vec<BuildingArea> = figures.floor[k]
            .iter()
            .map(|(u, a)| BuildingArea {
                building_use: u.clone(),
                floor_area_m2: *a,
            })
            .collect();
        let legal = value(f, columns.legal_area)
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
        Ok(InsideParcel {
            parcel_id: parcel_label(parcels, f),
            feature_index: f.index,
            tenure,
            area_m2: clip.source_areas[cut.source],
            area_inside_m2: cut.area_m2,
            area_in_planned_construction_m2: planned,
            legal_area_m2: legal,
            land_use: value(f, columns.land_use).and_then(Value::as_text),
            grant_date: value(f, columns.grant_date).and_then(Value::as_date),
            term_years: value(f, columns.term_years).and_then(Value::as_f64),
            in_major_project: config.project.major_project.unwrap_or(false)
                || truthy(value(f, columns.major_project)),
            zones,
            uncovered_m2: uncovered,
            uncovered_zones: Vec::new(),
            buildings,
            cut_by_boundary: !cut.covered,
        })
    }
}

/// Inside area no density zone covers (0 below the sliver floor). Zones covering more than
/// the part are an overlap of zones: a finding, and no uncovered area.
fn uncovered_area(
    parcels: &Layer,
    cut: &InsideCut,
    zones: &[ZoneArea],
    sliver_floor: f64,
    notes: &mut Notes,
) -> f64 {
    let covered: f64 = zones.iter().map(|z| z.area_m2).sum();
    // The inside part was cut with snap-rounding BooleanOps; its zone pieces may sum
    // to its area plus a rounding residue, which is not an overlap.
    if covered > cut.area_m2 * (1.0 + 1e-6) + sliver_floor {
        notes.findings.push(Finding {
            code: FindingCode::DensityZonesOverlap,
            severity: Severity::Warning,
            message: format!(
                "parcel {}: density zones overlap on it ({covered:.3} m² of zones on \
                 {:.3} m²); the base FAR weights each zone by its own area",
                parcel_label(parcels, &parcels.features[cut.source]),
                cut.area_m2
            ),
            values: BTreeMap::from([
                ("zone_area_m2".to_string(), covered),
                ("area_inside_m2".to_string(), cut.area_m2),
            ]),
        });
        return 0.0;
    }
    let u = cut.area_m2 - covered;
    if u > sliver_floor { u } else { 0.0 }
}

/// Overlapping parcels would count the same land twice: each overlap is a finding.
pub(super) fn overlap_findings(
    inside: &[InsideParcel],
    inside_geoms: &[MultiPolygon<f64>],
    opts: &OverlayOptions,
    notes: &mut Notes,
) {
    for o in &self_overlaps(inside_geoms, opts).overlaps {
        let (a, b) = (&inside[o.a].parcel_id, &inside[o.b].parcel_id);
        notes.findings.push(Finding {
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
}

/// Areas of the contiguous groups of unfinished-requisition land (未完善征（转）地), the 2018
/// eligibility test. Only its planned construction land (规划建设用地) counts (policy.md §8):
/// with that layer, each parcel is cut by it and every resulting polygon is a member of its
/// own (two strips of one parcel are not contiguous unless they touch along a segment);
/// without it, the whole inside parts are the members.
pub(super) fn contiguous_unfinished_areas(
    inside: &[InsideParcel],
    inside_geoms: &[MultiPolygon<f64>],
    planned: Option<&Layer>,
    opts: &OverlayOptions,
) -> Vec<f64> {
    let unfinished: Vec<&MultiPolygon<f64>> = inside_geoms
        .iter()
        .zip(inside)
        .filter(|(_, p)| p.tenure == TenureClass::UnfinishedRequisition)
        .map(|(g, _)| g)
        .collect();
    let components = match planned {
        None => contiguous_components(&unfinished, &ContiguityOptions::default()),
        Some(pcl) => {
            let pieces = planned_construction_pieces(&unfinished, pcl, opts.sliver_floor);
            contiguous_components(&pieces, &ContiguityOptions::default())
        }
    };
    components.into_iter().map(|c| c.area).collect()
}

/// The parts of `parts` inside the planned construction land, one polygon each (pieces
/// below the sliver floor dropped).
fn planned_construction_pieces(
    parts: &[&MultiPolygon<f64>],
    planned: &Layer,
    sliver_floor: f64,
) -> Vec<MultiPolygon<f64>> {
    let boxes: Vec<_> = planned
        .features
        .iter()
        .map(|f| f.geometry.bounding_rect())
        .collect();
    let mut pieces = Vec::new();
    for part in parts {
        let Some(pb) = part.bounding_rect() else {
            continue;
        };
        for (f, fb) in planned.features.iter().zip(&boxes) {
            let overlaps = fb.is_some_and(|fb| rect_intersection(&pb, &fb).is_some());
            if !overlaps {
                continue;
            }
            for poly in part.intersection(&f.geometry) {
                if poly.unsigned_area() >= sliver_floor.max(f64::MIN_POSITIVE) {
                    pieces.push(MultiPolygon::new(vec![poly]));
                }
            }
        }
    }
    pieces
}
