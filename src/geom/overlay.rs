//! The area-weighted overlay engine: for every (source, target) pair whose interiors meet,
//! the area of their intersection.
//!
//! Pipeline per source: candidate targets from the envelope R-tree → the short cut
//! (`super::shortcut`: indexed segment queries against the target's edges; boundaries
//! that do not meet ⇒ each source part is wholly inside or outside, the piece is the sum of
//! the inside parts with no clipping; boundaries that touch or share edges without
//! crossing, with the source inside ⇒ `covered`) → otherwise the exact
//! [`IntersectionAreaKernel`]. Sources are processed in parallel chunks
//! whose rows are concatenated in chunk order, so the table is identical for any number of
//! threads. A panic inside a kernel for one pair becomes a [`PairError`].

use std::borrow::Borrow;
use std::panic::{AssertUnwindSafe, catch_unwind};

use geo::{Area, MultiPolygon};
use rayon::prelude::*;

use super::clip::{AreaOperand, DefaultKernel, IntersectionAreaKernel};
use super::index::{PreparedTarget, TargetIndex};
use super::shortcut::{Decision, SourceParts, decide};

/// Options of the overlay engine.
#[derive(Debug, Clone, PartialEq)]
pub struct OverlayOptions {
    /// Pieces with `0 < area < sliver_floor` (CRS units², m² in a projected CRS) are
    /// reported in [`OverlayTable::slivers`] and not counted. Default 1e-3 m².
    pub sliver_floor: f64,
    /// Number of worker threads; `None` uses the current rayon pool. The result does not
    /// depend on it.
    pub threads: Option<usize>,
}

impl Default for OverlayOptions {
    fn default() -> Self {
        OverlayOptions {
            sliver_floor: 1e-3,
            threads: None,
        }
    }
}

/// One (source, target) intersection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    /// Position of the source feature in the source slice.
    pub source: usize,
    /// Position of the target feature in the target slice.
    pub target: usize,
    /// Area of source ∩ target in CRS units².
    pub area: f64,
    /// The source lies wholly inside the target (found by the covered short cut); `area` is
    /// then exactly the source's area.
    pub covered: bool,
}

/// A pair whose area could not be computed (kernel error or panic); it is not in `pieces`.
#[derive(Debug, Clone, PartialEq)]
pub struct PairError {
    /// Position of the source feature in the source slice.
    pub source: usize,
    /// Position of the target feature in the target slice.
    pub target: usize,
    /// Why the area could not be computed.
    pub message: String,
}

/// The result of an overlay.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OverlayTable {
    /// Pieces at or above the sliver floor, sorted by (source, target).
    pub pieces: Vec<Piece>,
    /// Pieces below the floor (reported, not counted), sorted by (source, target).
    pub slivers: Vec<Piece>,
    /// Pairs whose area could not be computed (not in `pieces`), sorted by (source, target).
    pub errors: Vec<PairError>,
    /// Planar area of each source.
    pub source_areas: Vec<f64>,
    /// Planar area of each target.
    pub target_areas: Vec<f64>,
    /// Sources with non-finite (NaN/infinite) coordinates: never matched, listed so that
    /// nothing is dropped silently.
    pub non_finite_sources: Vec<usize>,
    /// Targets with non-finite coordinates: never matched.
    pub non_finite_targets: Vec<usize>,
}

/// Overlays `sources` with `targets` using the default kernel (builds a one-off index).
/// Both take owned geometries or references (`&[&MultiPolygon]`), so that a caller never
/// has to copy a layer's geometry to overlay it.
pub fn overlay_areas<S, T>(sources: &[S], targets: &[T], opts: &OverlayOptions) -> OverlayTable
where
    S: Borrow<MultiPolygon<f64>> + Sync,
    T: Borrow<MultiPolygon<f64>> + Sync,
{
    TargetIndex::new(targets).overlay(sources, opts)
}

/// Sources per parallel work unit: large enough to amortise scheduling, small enough to
/// balance two to a few dozen threads.
const CHUNK: usize = 64;

enum Outcome {
    None,
    Piece { area: f64, covered: bool },
    Error(String),
}

#[derive(Default)]
struct ChunkRows {
    pieces: Vec<Piece>,
    slivers: Vec<Piece>,
    errors: Vec<PairError>,
    non_finite: Vec<usize>,
}

impl<'a> TargetIndex<'a> {
    /// Overlays `sources` against the indexed targets with the default kernel.
    pub fn overlay<S: Borrow<MultiPolygon<f64>> + Sync>(
        &self,
        sources: &[S],
        opts: &OverlayOptions,
    ) -> OverlayTable {
        self.overlay_with_kernel(sources, opts, &DefaultKernel)
    }

    /// Overlays with a caller-chosen exact kernel (e.g. a GEOS cross-check).
    pub fn overlay_with_kernel<S: Borrow<MultiPolygon<f64>> + Sync>(
        &self,
        sources: &[S],
        opts: &OverlayOptions,
        kernel: &dyn IntersectionAreaKernel,
    ) -> OverlayTable {
        self.overlay_filtered(sources, opts, kernel, &|_, _| true)
    }

    /// Overlay restricted to the pairs accepted by `keep(source, target)`.
    pub(crate) fn overlay_filtered<S: Borrow<MultiPolygon<f64>> + Sync>(
        &self,
        sources: &[S],
        opts: &OverlayOptions,
        kernel: &dyn IntersectionAreaKernel,
        keep: &(dyn Fn(usize, usize) -> bool + Sync),
    ) -> OverlayTable {
        let run = || {
            let chunks: Vec<(Vec<f64>, ChunkRows)> = sources
                .par_chunks(CHUNK)
                .enumerate()
                .map(|(ci, chunk)| self.overlay_chunk(ci * CHUNK, chunk, opts, kernel, keep))
                .collect();
            let mut table = OverlayTable {
                target_areas: self.target_areas(),
                non_finite_targets: self.non_finite_targets(),
                ..OverlayTable::default()
            };
            for (areas, rows) in chunks {
                table.source_areas.extend(areas);
                table.pieces.extend(rows.pieces);
                table.slivers.extend(rows.slivers);
                table.errors.extend(rows.errors);
                table.non_finite_sources.extend(rows.non_finite);
            }
            table
        };
        match opts.threads {
            Some(n) => match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
                Ok(pool) => pool.install(run),
                // The result does not depend on the pool; fall back to the current one.
                Err(_) => run(),
            },
            None => run(),
        }
    }

    fn overlay_chunk<S: Borrow<MultiPolygon<f64>>>(
        &self,
        first: usize,
        chunk: &[S],
        opts: &OverlayOptions,
        kernel: &dyn IntersectionAreaKernel,
        keep: &(dyn Fn(usize, usize) -> bool + Sync),
    ) -> (Vec<f64>, ChunkRows) {
        let mut rows = ChunkRows::default();
        let mut areas = Vec::with_capacity(chunk.len());
        for (k, geom) in chunk.iter().map(Borrow::borrow).enumerate() {
            let source = first + k;
            areas.push(geom.unsigned_area());
            if !super::index::all_finite(geom) {
                rows.non_finite.push(source);
                continue;
            }
            let Some(src) = AreaOperand::new(geom) else {
                continue;
            };
            let parts = SourceParts::new(geom);
            for target in self.candidates(&src.bbox) {
                if !keep(source, target) {
                    continue;
                }
                let Some(prep) = self.prepared.get(target) else {
                    continue;
                };
                match pair_outcome(&src, &parts, prep, kernel) {
                    Outcome::None => {}
                    Outcome::Piece { area, covered } => {
                        if area <= 0.0 {
                            continue;
                        }
                        let piece = Piece {
                            source,
                            target,
                            area,
                            covered,
                        };
                        if area < opts.sliver_floor {
                            rows.slivers.push(piece);
                        } else {
                            rows.pieces.push(piece);
                        }
                    }
                    Outcome::Error(message) => rows.errors.push(PairError {
                        source,
                        target,
                        message,
                    }),
                }
            }
        }
        (areas, rows)
    }
}

/// Decides one pair: short cut when the boundaries do not interact, kernel otherwise.
fn pair_outcome(
    src: &AreaOperand<'_>,
    parts: &SourceParts,
    prep: &PreparedTarget<'_>,
    kernel: &dyn IntersectionAreaKernel,
) -> Outcome {
    let Some(tgt) = &prep.operand else {
        return Outcome::None;
    };
    match decide(src, parts, prep, tgt) {
        Decision::Kernel => {}
        Decision::Disjoint => return Outcome::None,
        Decision::Inside { area, covered } => return Outcome::Piece { area, covered },
    }
    match catch_unwind(AssertUnwindSafe(|| kernel.intersection_area(src, tgt))) {
        Ok(Ok(area)) if area.is_finite() => Outcome::Piece {
            area,
            covered: false,
        },
        Ok(Ok(area)) => Outcome::Error(format!("{} kernel returned {area}", kernel.name())),
        Ok(Err(message)) => Outcome::Error(message),
        Err(payload) => Outcome::Error(format!(
            "{} kernel panicked: {}",
            kernel.name(),
            panic_message(payload.as_ref())
        )),
    }
}

pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::wkt;

    #[test]
    fn covered_crossing_and_disjoint() {
        let zones = vec![
            wkt!(MULTIPOLYGON(((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.)))),
            wkt!(MULTIPOLYGON(((10. 0.,20. 0.,20. 10.,10. 10.,10. 0.)))),
        ];
        let parcels = vec![
            wkt!(MULTIPOLYGON(((1. 1.,2. 1.,2. 2.,1. 2.,1. 1.)))),
            wkt!(MULTIPOLYGON(((9. 1.,11. 1.,11. 2.,9. 2.,9. 1.)))),
            wkt!(MULTIPOLYGON(((30. 1.,31. 1.,31. 2.,30. 2.,30. 1.)))),
        ];
        let t = overlay_areas(&parcels, &zones, &OverlayOptions::default());
        assert_eq!(
            t.pieces,
            vec![
                Piece {
                    source: 0,
                    target: 0,
                    area: 1.0,
                    covered: true
                },
                Piece {
                    source: 1,
                    target: 0,
                    area: 1.0,
                    covered: false
                },
                Piece {
                    source: 1,
                    target: 1,
                    area: 1.0,
                    covered: false
                },
            ]
        );
        assert!(t.slivers.is_empty() && t.errors.is_empty());
        assert_eq!(t.source_areas, vec![1.0, 2.0, 1.0]);
        assert_eq!(t.target_areas, vec![100.0, 100.0]);
    }

    #[test]
    fn concave_zone_with_parts_in_and_out() {
        // U-shaped zone; a two-part parcel with one part in an arm, one in the notch.
        let zones =
            vec![wkt!(MULTIPOLYGON(((0. 0.,9. 0.,9. 9.,6. 9.,6. 3.,3. 3.,3. 9.,0. 9.,0. 0.))))];
        let parcels = vec![wkt!(MULTIPOLYGON(
            ((1. 5.,2. 5.,2. 6.,1. 6.,1. 5.)),
            ((4. 5.,5. 5.,5. 7.,4. 7.,4. 5.))
        ))];
        let t = overlay_areas(&parcels, &zones, &OverlayOptions::default());
        assert_eq!(t.pieces.len(), 1);
        assert!((t.pieces[0].area - 1.0).abs() < 1e-12);
        assert!(!t.pieces[0].covered);
    }

    #[test]
    fn non_finite_coordinates_are_listed_not_matched() {
        let zones = vec![
            wkt!(MULTIPOLYGON(((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.)))),
            MultiPolygon::new(vec![geo::Polygon::new(
                geo::LineString::from(vec![(0., 0.), (f64::NAN, 0.), (1., 1.), (0., 0.)]),
                vec![],
            )]),
        ];
        let parcels = vec![
            MultiPolygon::new(vec![geo::Polygon::new(
                geo::LineString::from(vec![(1., 1.), (f64::INFINITY, 1.), (2., 2.), (1., 1.)]),
                vec![],
            )]),
            wkt!(MULTIPOLYGON(((1. 1.,2. 1.,2. 2.,1. 2.,1. 1.)))),
        ];
        let t = overlay_areas(&parcels, &zones, &OverlayOptions::default());
        assert_eq!(t.non_finite_sources, vec![0]);
        assert_eq!(t.non_finite_targets, vec![1]);
        assert_eq!(t.pieces.len(), 1);
        assert_eq!((t.pieces[0].source, t.pieces[0].target), (1, 0));
    }

    /// A kernel that panics, standing in for a geometry library bug on one pair.
    struct PanickingKernel;
    impl IntersectionAreaKernel for PanickingKernel {
        fn name(&self) -> &'static str {
            "panicking"
        }
        fn intersection_area(
            &self,
            a: &AreaOperand<'_>,
            _b: &AreaOperand<'_>,
        ) -> Result<f64, String> {
            if a.geometry.0.len() == 2 {
                panic!("simulated kernel bug");
            }
            Ok(1.0)
        }
    }

    #[test]
    fn a_panicking_pair_becomes_a_pair_error() {
        let zones = vec![wkt!(MULTIPOLYGON(((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.))))];
        let parcels = vec![
            wkt!(MULTIPOLYGON(((9. 1.,11. 1.,11. 2.,9. 2.,9. 1.)))),
            wkt!(MULTIPOLYGON(((9. 3.,11. 3.,11. 4.,9. 4.,9. 3.)),((9. 5.,11. 5.,11. 6.,9. 6.,9. 5.)))),
        ];
        let t = TargetIndex::new(&zones).overlay_with_kernel(
            &parcels,
            &OverlayOptions::default(),
            &PanickingKernel,
        );
        assert_eq!(t.pieces.len(), 1);
        assert_eq!(t.pieces[0].source, 0);
        assert_eq!(t.errors.len(), 1);
        assert_eq!((t.errors[0].source, t.errors[0].target), (1, 0));
        assert!(t.errors[0].message.contains("simulated kernel bug"));
    }

    #[test]
    fn sliver_floor_separates_tiny_pieces() {
        let zones = vec![wkt!(MULTIPOLYGON(((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.))))];
        let parcels = vec![wkt!(MULTIPOLYGON(((9.9999 0.,20. 0.,20. 1.,9.9999 1.,9.9999 0.))))];
        let t = overlay_areas(&parcels, &zones, &OverlayOptions::default());
        assert!(t.pieces.is_empty());
        assert_eq!(t.slivers.len(), 1);
        assert!((t.slivers[0].area - 1e-4).abs() < 1e-10);
    }
}
