//! A constraint layer dissolved once, tile by tile.
//!
//! The boolean kernel (i_overlay) snaps coordinates to an integer grid scaled to the
//! extent of its operands: dissolving a 10 km layer in one operation moves its vertices
//! by ~5 µm, which is 10⁻⁵ of a 1 m² sliver of a parcel. Each feature is therefore cut
//! into square tiles of [`TILE_M`] on a fixed grid (Sutherland–Hodgman, in floating
//! point) and each tile dissolved on its own, so the error stays at ~10⁻⁷ m whatever the
//! layer's size. The tiles' pieces do not overlap; pieces of neighbouring tiles only share
//! the tile edges, which does not matter for areas. The grid is anchored at the origin, so
//! a batch and a lone assessment cut the same pieces.

use std::collections::BTreeMap;

use geo::{BoundingRect, Coord, LineString, MultiPolygon, Polygon};

use crate::geom::clip::{clip_by_convex, signed_area_open};
use crate::geom::dissolve::dissolve;
use crate::geom::index::all_finite;
use crate::model::Layer;
use crate::policy::planning::ConstraintKind;
use crate::{Error, Result};

/// Side of the dissolve tiles, m.
pub const TILE_M: f64 = 256.0;

/// A constraint layer dissolved into pieces that do not overlap (each a one-polygon
/// region), so that a batch can hand each project the pieces near it.
#[derive(Debug, Clone)]
pub struct ConstraintRegion {
    /// The constraint's name.
    pub name: String,
    /// Its kind.
    pub kind: ConstraintKind,
    /// The pieces of the dissolved layer, tile by tile.
    pub polygons: Vec<MultiPolygon<f64>>,
}

impl ConstraintRegion {
    /// Dissolves the features of `layer` (overlapping features count once), tile by tile.
    pub fn dissolved(name: &str, kind: ConstraintKind, layer: &Layer) -> Result<Self> {
        let mut tiles: BTreeMap<(i64, i64), Vec<MultiPolygon<f64>>> = BTreeMap::new();
        for f in &layer.features {
            if !all_finite(&f.geometry) {
                continue;
            }
            for poly in &f.geometry.0 {
                cut_into_tiles(poly, &mut tiles);
            }
        }
        let mut polygons = Vec::new();
        for pieces in tiles.values() {
            let union = dissolve(pieces).map_err(|e| match e {
                Error::Geometry { message, .. } => Error::Geometry {
                    feature: format!("constraint {name} ({})", layer.source),
                    message,
                },
                other => other,
            })?;
            polygons.extend(union.0.into_iter().map(|p| MultiPolygon::new(vec![p])));
        }
        Ok(ConstraintRegion {
            name: name.to_string(),
            kind,
            polygons,
        })
    }

    /// The same constraint restricted to the pieces at `indices`.
    pub fn subset(&self, indices: &[usize]) -> ConstraintRegion {
        ConstraintRegion {
            name: self.name.clone(),
            kind: self.kind,
            polygons: indices
                .iter()
                .filter_map(|&i| self.polygons.get(i).cloned())
                .collect(),
        }
    }
}

/// Adds the parts of `poly` in each tile its bounding box meets.
fn cut_into_tiles(poly: &Polygon<f64>, tiles: &mut BTreeMap<(i64, i64), Vec<MultiPolygon<f64>>>) {
    let Some(bb) = poly.bounding_rect() else {
        return;
    };
    let cell = |v: f64| (v / TILE_M).floor() as i64;
    for tx in cell(bb.min().x)..=cell(bb.max().x) {
        for ty in cell(bb.min().y)..=cell(bb.max().y) {
            if let Some(part) = clip_to_tile(poly, tx, ty) {
                tiles.entry((tx, ty)).or_default().push(part);
            }
        }
    }
}

/// `poly` cut by tile (tx, ty): each ring clipped by the tile's square. The clipped rings
/// keep the winding of the original, so the region they bound is the polygon's part in the
/// tile (degenerate edges along the tile's sides are resolved by the dissolve).
fn clip_to_tile(poly: &Polygon<f64>, tx: i64, ty: i64) -> Option<MultiPolygon<f64>> {
    let (x0, y0) = (tx as f64 * TILE_M, ty as f64 * TILE_M);
    let (x1, y1) = (x0 + TILE_M, y0 + TILE_M);
    let window = [
        Coord { x: x0, y: y0 },
        Coord { x: x1, y: y0 },
        Coord { x: x1, y: y1 },
        Coord { x: x0, y: y1 },
    ];
    let clip = |ring: &LineString<f64>| -> Option<LineString<f64>> {
        let mut open: Vec<Coord<f64>> = ring.0.clone();
        if open.len() > 1 && open.first() == open.last() {
            open.pop();
        }
        let mut out = Vec::new();
        clip_by_convex(&open, &window, &mut out);
        let mut out = without_spikes(&snapped(out, [x0, y0, x1, y1]));
        if out.len() < 3 || signed_area_open(&out) == 0.0 {
            return None;
        }
        out.push(out[0]);
        Some(LineString::new(out))
    };
    let exterior = clip(poly.exterior())?;
    let holes: Vec<LineString<f64>> = poly.interiors().iter().filter_map(clip).collect();
    Some(MultiPolygon::new(vec![Polygon::new(exterior, holes)]))
}

/// Puts the points that Sutherland–Hodgman placed on a side of the tile exactly on it (the
/// interpolation may leave them an ulp away), so that [`without_spikes`] sees the runs
/// along the sides as collinear.
fn snapped(mut ring: Vec<Coord<f64>>, [x0, y0, x1, y1]: [f64; 4]) -> Vec<Coord<f64>> {
    let eps = TILE_M * 1e-12;
    let snap = |v: f64, a: f64, b: f64| {
        if (v - a).abs() <= eps {
            a
        } else if (v - b).abs() <= eps {
            b
        } else {
            v
        }
    };
    for c in &mut ring {
        c.x = snap(c.x, x0, x1);
        c.y = snap(c.y, y0, y1);
    }
    ring
}

/// The open ring without repeated points and without collinear points, in particular the
/// back-and-forth runs a clip leaves along the tile's sides where the polygon leaves and
/// re-enters the tile; the boolean kernel mis-reads such zero-width spikes.
fn without_spikes(ring: &[Coord<f64>]) -> Vec<Coord<f64>> {
    let collinear = |a: Coord<f64>, b: Coord<f64>, c: Coord<f64>| {
        let (u, v) = (b - a, c - b);
        u.x * v.y - u.y * v.x == 0.0
    };
    let mut out: Vec<Coord<f64>> = Vec::with_capacity(ring.len());
    for &p in ring {
        if out.last() == Some(&p) {
            continue;
        }
        while out.len() >= 2 && collinear(out[out.len() - 2], out[out.len() - 1], p) {
            out.pop();
        }
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    // The same at the seam, where the ring closes.
    loop {
        let n = out.len();
        if n < 3 {
            return out;
        }
        if out[0] == out[n - 1] || collinear(out[n - 2], out[n - 1], out[0]) {
            out.pop();
        } else if collinear(out[n - 1], out[0], out[1]) {
            out.remove(0);
        } else {
            return out;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, wkt};

    #[test]
    fn spikes_along_a_side_are_removed() {
        let c = |x: f64, y: f64| Coord { x, y };
        // A triangle with a zero-width run back along its base (what a clip leaves).
        let ring = [
            c(0., 0.),
            c(10., 0.),
            c(10., 1.),
            c(8., 0.),
            c(0., 0.),
            c(0., 0.),
        ];
        assert_eq!(without_spikes(&ring), [c(10., 0.), c(10., 1.), c(8., 0.)]);
    }

    #[test]
    fn tiles_keep_the_area_of_a_concave_polygon_with_a_hole() {
        // A U shape crossing several tiles, with a hole; overlapping a second square.
        let u = wkt!(MULTIPOLYGON(((-300. -300.,700. -300.,700. 500.,500. 500.,500. 0.,
            0. 0.,0. 500.,-300. 500.,-300. -300.),(600. -200.,650. -200.,650. 400.,
            600. 400.,600. -200.)),((-350. 400.,-250. 400.,-250. 450.,-350. 450.,
            -350. 400.))));
        let layer = Layer {
            source: "t.geojson".into(),
            name: "t".into(),
            crs: None,
            schema: Vec::new(),
            features: vec![crate::model::Feature {
                index: 0,
                key: None,
                geometry: u,
                attributes: vec![],
            }],
        };
        let r = ConstraintRegion::dissolved("t", ConstraintKind::Other, &layer).unwrap();
        let area: f64 = r.polygons.iter().map(|p| p.unsigned_area()).sum();
        // U: 1000 × 800 − 500 × 500 − hole 50 × 600, plus the square's part outside it
        // (x −350..−300: 50 × 50).
        let expected = 1000.0 * 800.0 - 500.0 * 500.0 - 50.0 * 600.0 + 50.0 * 50.0;
        assert!((area - expected).abs() < 1e-6, "{area} vs {expected}");
    }
}
