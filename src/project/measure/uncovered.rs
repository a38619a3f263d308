//! Land no density zone covers [S 4.1.3]: it takes the zone of the adjoining area. Each
//! connected uncovered part takes the zone sharing the longest boundary with it; a part no
//! zone touches takes the nearest zone, reported as such. Next to an ecologically sensitive
//! area (a project option until constraint layers exist) it takes one zone lower.

use std::collections::BTreeMap;

use geo::{Area, BooleanOps, BoundingRect, Distance, Euclidean, MultiPolygon};
use serde::Serialize;

use super::Notes;
use super::inside::InsideParcel;
use super::zones::ZoneWeighting;
use crate::geom::clip::rect_intersection;
use crate::geom::contiguity::{ContiguityOptions, contiguous_components, shared_boundary_length};
use crate::policy::capacity::ZoneArea;
use crate::policy::rules::Shenbiao;
use crate::policy::{Finding, FindingCode, Severity};

/// How an uncovered part found its zone.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "by")]
pub enum FallbackBasis {
    /// The zone sharing the longest boundary with the part (the adjoining area).
    Adjoining {
        /// Length of the shared boundary, m.
        shared_boundary_m: f64,
    },
    /// No zone touches the part: the nearest zone.
    Nearest {
        /// Distance from the part to that zone, m.
        distance_m: f64,
    },
}

/// One connected part of the uncovered land and the zone it takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FallbackPart {
    /// Area of the part, m².
    pub area_m2: f64,
    /// The parcels (ids) the part lies on.
    pub parcel_ids: Vec<String>,
    /// The zone of the adjoining (or nearest) area.
    pub adjoining_zone: u8,
    /// The zone the part takes: the adjoining zone, one lower next to an ecologically
    /// sensitive area.
    pub zone: u8,
    /// How the adjoining zone was found.
    pub basis: FallbackBasis,
    /// The ecologically-sensitive adjustment (one zone lower) was applied.
    pub ecologically_sensitive: bool,
}

/// The zones of the uncovered land: the parts, and per inside parcel its uncovered area by
/// zone (aligned with the inside parcels; empty for parcels without uncovered land).
pub(super) struct UncoveredZones {
    pub(super) parts: Vec<FallbackPart>,
    pub(super) by_parcel: Vec<Vec<ZoneArea>>,
}

/// One polygon of uncovered land and the inside parcel it lies on.
struct Piece {
    parcel: usize,
    geometry: MultiPolygon<f64>,
    area: f64,
}

/// Finds the zone of every connected part of the uncovered land (see the module doc).
pub(super) fn uncovered_zones(
    inside: &[InsideParcel],
    inside_geoms: &[MultiPolygon<f64>],
    zones: &ZoneWeighting<'_>,
    shenbiao: &Shenbiao,
    ecologically_sensitive: bool,
    sliver_floor: f64,
    notes: &mut Notes,
) -> UncoveredZones {
    let mut by_parcel = vec![Vec::new(); inside.len()];
    let pieces = uncovered_pieces(inside, inside_geoms, zones, sliver_floor);
    let members: Vec<&MultiPolygon<f64>> = pieces.iter().map(|p| &p.geometry).collect();
    let mut parts = Vec::new();
    let mut area_by_parcel: Vec<BTreeMap<u8, f64>> = vec![BTreeMap::new(); inside.len()];
    for component in contiguous_components(&members, &ContiguityOptions::default()) {
        let group: Vec<&Piece> = component.members.iter().map(|&i| &pieces[i]).collect();
        let Some((j, basis)) = adjoining_zone(&group, zones) else {
            continue;
        };
        let adjoining = zones.numbers[j];
        let zone = if ecologically_sensitive {
            adjoining
                .saturating_add(1)
                .min(*shenbiao.zone_range().end())
        } else {
            adjoining
        };
        for p in &group {
            *area_by_parcel[p.parcel].entry(zone).or_insert(0.0) += p.area;
        }
        let mut parcel_ids: Vec<String> = group
            .iter()
            .map(|p| inside[p.parcel].parcel_id.clone())
            .collect();
        parcel_ids.dedup();
        let part = FallbackPart {
            area_m2: group.iter().map(|p| p.area).sum(),
            parcel_ids,
            adjoining_zone: adjoining,
            zone,
            basis,
            ecologically_sensitive,
        };
        notes.findings.push(part_finding(&part));
        parts.push(part);
    }
    // Each parcel's measured uncovered area is split in proportion to its pieces' areas, so
    // the zone areas sum to the figure the parcel row reports.
    for (k, areas) in area_by_parcel.into_iter().enumerate() {
        let total: f64 = areas.values().sum();
        if total > 0.0 {
            by_parcel[k] = areas
                .into_iter()
                .map(|(zone, a)| ZoneArea {
                    zone,
                    area_m2: inside[k].uncovered_m2 * a / total,
                })
                .collect();
        }
    }
    UncoveredZones { parts, by_parcel }
}

/// The uncovered polygons of the parcels with uncovered land: each inside part minus the
/// zones over it, one polygon per piece (pieces below the sliver floor dropped).
fn uncovered_pieces(
    inside: &[InsideParcel],
    inside_geoms: &[MultiPolygon<f64>],
    zones: &ZoneWeighting<'_>,
    sliver_floor: f64,
) -> Vec<Piece> {
    let zone_boxes: Vec<_> = zones.geometries.iter().map(|g| g.bounding_rect()).collect();
    let mut pieces = Vec::new();
    for (k, p) in inside.iter().enumerate() {
        if p.uncovered_m2 <= 0.0 {
            continue;
        }
        let mut rest = inside_geoms[k].clone();
        let Some(bb) = rest.bounding_rect() else {
            continue;
        };
        for (z, zb) in zones.geometries.iter().zip(&zone_boxes) {
            if zb.is_some_and(|zb| rect_intersection(&bb, &zb).is_some()) {
                rest = rest.difference(*z);
            }
        }
        for poly in rest {
            let area = poly.unsigned_area();
            if area > sliver_floor {
                pieces.push(Piece {
                    parcel: k,
                    geometry: MultiPolygon::new(vec![poly]),
                    area,
                });
            }
        }
    }
    pieces
}

/// The zone feature sharing the longest boundary with the group (lowest index on ties);
/// when none touches it, the nearest.
fn adjoining_zone(group: &[&Piece], zones: &ZoneWeighting<'_>) -> Option<(usize, FallbackBasis)> {
    let tol = ContiguityOptions::default().snap_tolerance;
    let mut best: Option<(usize, f64)> = None;
    for (j, z) in zones.geometries.iter().enumerate() {
        let len: f64 = group
            .iter()
            .map(|p| shared_boundary_length(&p.geometry, z, tol))
            .sum();
        if len > tol && best.is_none_or(|(_, b)| len > b) {
            best = Some((j, len));
        }
    }
    if let Some((j, len)) = best {
        return Some((
            j,
            FallbackBasis::Adjoining {
                shared_boundary_m: len,
            },
        ));
    }
    let mut nearest: Option<(usize, f64)> = None;
    for (j, z) in zones.geometries.iter().enumerate() {
        for p in group {
            let d = Euclidean.distance(&p.geometry, *z);
            if nearest.is_none_or(|(_, b)| d < b) {
                nearest = Some((j, d));
            }
        }
    }
    nearest.map(|(j, d)| (j, FallbackBasis::Nearest { distance_m: d }))
}

/// The finding that reports a part's zone: info when it adjoins the zone, a warning when
/// no zone touches it and the nearest was taken.
fn part_finding(part: &FallbackPart) -> Finding {
    let lower = if part.ecologically_sensitive {
        format!(
            "; one zone lower than {} next to an ecologically sensitive area",
            part.adjoining_zone
        )
    } else {
        String::new()
    };
    let parcels = part.parcel_ids.join(", ");
    match part.basis {
        FallbackBasis::Adjoining { shared_boundary_m } => Finding::new(
            FindingCode::UncoveredLandZone,
            Severity::Info,
            format!(
                "{:.2} m² no density zone covers (parcels {parcels}) take zone {}: the zone \
                 of the adjoining area, sharing {shared_boundary_m:.2} m of boundary{lower}",
                part.area_m2, part.zone
            ),
            &[
                ("area_m2", part.area_m2),
                ("zone", f64::from(part.zone)),
                ("shared_boundary_m", shared_boundary_m),
            ],
        ),
        FallbackBasis::Nearest { distance_m } => Finding::new(
            FindingCode::UncoveredLandZone,
            Severity::Warning,
            format!(
                "{:.2} m² no density zone covers (parcels {parcels}) adjoin no zone: they take \
                 zone {}, the nearest ({distance_m:.2} m away){lower}",
                part.area_m2, part.zone
            ),
            &[
                ("area_m2", part.area_m2),
                ("zone", f64::from(part.zone)),
                ("distance_m", distance_m),
            ],
        ),
    }
}
