//! Cutting features by a boundary polygon: the part of each feature inside it, as geometry
//! (the counted land of a project is then overlaid with zones, so areas alone do not do).

use std::borrow::Borrow;
use std::panic::{AssertUnwindSafe, catch_unwind};

use geo::{BooleanOps, MultiPolygon};

use super::overlay::{OverlayOptions, overlay_areas};

/// The part of one source feature inside the boundary.
#[derive(Debug, Clone)]
pub struct InsidePart {
    /// Position of the feature in the input slice.
    pub source: usize,
    /// The part of the feature inside the boundary.
    pub geometry: MultiPolygon<f64>,
    /// Area of `geometry`.
    pub area: f64,
    /// The whole feature lies inside (no clipping was needed).
    pub covered: bool,
}

/// Result of [`clip_to_boundary`].
#[derive(Debug, Clone, Default)]
pub struct Clipped {
    /// Parts at or above the sliver floor, by source position.
    pub inside: Vec<InsidePart>,
    /// Sources whose inside part is below the floor: (source, area). Reported, not counted.
    pub slivers: Vec<(usize, f64)>,
    /// Sources whose intersection failed: (source, message).
    pub errors: Vec<(usize, String)>,
    /// Planar area of every source.
    pub source_areas: Vec<f64>,
}

/// Cuts `sources` by `boundary`. Sources the boundary covers are kept whole; crossing ones
/// are intersected with geo's BooleanOps. A failing intersection becomes an error row.
/// `sources` may be owned geometries or references (`&[&MultiPolygon]`).
pub fn clip_to_boundary<G: Borrow<MultiPolygon<f64>> + Sync>(
    sources: &[G],
    boundary: &MultiPolygon<f64>,
    opts: &OverlayOptions,
) -> Clipped {
    let table = overlay_areas(sources, std::slice::from_ref(boundary), opts);
    let mut out = Clipped {
        slivers: table.slivers.iter().map(|p| (p.source, p.area)).collect(),
        errors: table
            .errors
            .iter()
            .map(|e| (e.source, e.message.clone()))
            .collect(),
        source_areas: table.source_areas.clone(),
        inside: Vec::with_capacity(table.pieces.len()),
    };
    for piece in &table.pieces {
        let source: &MultiPolygon<f64> = sources[piece.source].borrow();
        if piece.covered {
            out.inside.push(InsidePart {
                source: piece.source,
                geometry: source.clone(),
                area: piece.area,
                covered: true,
            });
            continue;
        }
        match catch_unwind(AssertUnwindSafe(|| source.intersection(boundary))) {
            Ok(geometry) => out.inside.push(InsidePart {
                source: piece.source,
                geometry,
                // The engine's exact area, not the snap-rounded polygon's, so that the
                // inside area agrees with the overlay to the last digit.
                area: piece.area,
                covered: false,
            }),
            Err(_) => out.errors.push((
                piece.source,
                "intersection with the boundary failed (geometry engine panic)".into(),
            )),
        }
    }
    out.errors.sort_by_key(|e| e.0);
    out
}
