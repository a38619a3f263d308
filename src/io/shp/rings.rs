//! ESRI ring roles: clockwise rings are shells, counter-clockwise rings holes.

use geo::{Contains, Coord, LineString, MultiPolygon, Point, Polygon};

/// Twice the signed area of a ring (positive = counter-clockwise).
///
/// The shoelace sum is taken about the ring's first vertex: with raw projected coordinates
/// (x ≈ 6e6 m) each product is ~1e13 and its rounding error swamps the area of a small ring,
/// so a tiny counter-clockwise hole could come out clockwise and be taken for a shell.
pub(super) fn signed_area2(ring: &[Coord]) -> f64 {
    let Some(origin) = ring.first() else {
        return 0.0;
    };
    ring.windows(2)
        .map(|w| {
            let (a, b) = (w[0] - *origin, w[1] - *origin);
            a.x * b.y - b.x * a.y
        })
        .sum()
}

/// Groups ESRI rings into polygons: clockwise rings are shells, counter-clockwise rings holes
/// of the smallest shell containing them.
pub(crate) fn assemble_rings(rings: Vec<Vec<Coord>>) -> MultiPolygon<f64> {
    let mut shells: Vec<(Polygon<f64>, f64, Vec<LineString<f64>>)> = Vec::new();
    let mut holes: Vec<LineString<f64>> = Vec::new();
    for ring in rings {
        let a = signed_area2(&ring);
        let ls = LineString::new(ring);
        if a <= 0.0 {
            shells.push((Polygon::new(ls, vec![]), -a, Vec::new()));
        } else {
            holes.push(ls);
        }
    }
    let mut orphans = Vec::new();
    for hole in holes {
        // A vertex of the hole strictly inside the shell decides (holes may touch shells).
        let owner = shells
            .iter()
            .enumerate()
            .filter(|(_, (shell, _, _))| hole.0.iter().any(|c| shell.contains(&Point::from(*c))))
            .min_by(|a, b| a.1.1.total_cmp(&b.1.1))
            .map(|(i, _)| i);
        match owner.and_then(|i| shells.get_mut(i)) {
            Some((_, _, hs)) => hs.push(hole),
            None => orphans.push(Polygon::new(hole, vec![])),
        }
    }
    let mut polys: Vec<Polygon<f64>> = shells
        .into_iter()
        .map(|(shell, _, hs)| {
            let (ext, _) = shell.into_inner();
            Polygon::new(ext, hs)
        })
        .collect();
    polys.extend(orphans);
    MultiPolygon::new(polys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Area;

    fn square(x0: f64, y0: f64, s: f64, clockwise: bool) -> Vec<Coord> {
        let mut v = vec![
            Coord { x: x0, y: y0 },
            Coord { x: x0 + s, y: y0 },
            Coord {
                x: x0 + s,
                y: y0 + s,
            },
            Coord { x: x0, y: y0 + s },
            Coord { x: x0, y: y0 },
        ];
        if clockwise {
            v.reverse();
        }
        v
    }

    /// The shoelace sum about (0, 0), as the reader computed it before the fix.
    fn signed_area2_without_origin(ring: &[Coord]) -> f64 {
        ring.windows(2)
            .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
            .sum()
    }

    #[test]
    fn holes_go_to_the_shell_that_contains_them_whatever_the_order() {
        // shell A, shell B, then a hole of A: a "last shell" rule would give it to B.
        let rings = vec![
            square(0.0, 0.0, 10.0, true),
            square(100.0, 0.0, 10.0, true),
            square(2.0, 2.0, 2.0, false),
        ];
        let mp = assemble_rings(rings);
        assert_eq!(mp.0.len(), 2);
        assert_eq!(mp.0[0].interiors().len(), 1);
        assert_eq!(mp.0[1].interiors().len(), 0);
        assert!((mp.unsigned_area() - (100.0 - 4.0 + 100.0)).abs() < 1e-9);
    }

    #[test]
    fn orphan_hole_is_kept_as_a_polygon() {
        let mp = assemble_rings(vec![square(0.0, 0.0, 1.0, false)]);
        assert_eq!(mp.0.len(), 1);
        assert!((mp.unsigned_area() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn tiny_counter_clockwise_hole_far_from_the_origin_stays_a_hole() {
        let (x0, y0) = (6_170_000.25, 2_530_000.75);
        let hole = square(x0 + 3.0, y0 + 3.0, 1e-3, false);
        // The fault this guards against: about (0, 0) the sum has the wrong sign.
        assert!(signed_area2_without_origin(&hole) <= 0.0);
        assert!(signed_area2(&hole) > 0.0);
        let mp = assemble_rings(vec![square(x0, y0, 10.0, true), hole]);
        assert_eq!(mp.0.len(), 1, "the hole was taken for a shell");
        assert_eq!(mp.0[0].interiors().len(), 1);
    }

    #[test]
    fn signed_area_of_degenerate_rings_is_zero() {
        assert_eq!(signed_area2(&[]), 0.0);
        assert_eq!(signed_area2(&[Coord { x: 1.0, y: 2.0 }]), 0.0);
    }
}
