//! Property tests of the overlay engine: area conservation over tilings, covered ⇒
//! covers/intersects, thread-count independence, and the two exact kernels agreeing.

use geo::{Area, Covers, Intersects, LineString, MultiPolygon, Polygon};
use landpool::geom::clip::{
    AreaOperand, BooleanOpsKernel, ConvexClipKernel, DefaultKernel, TriangulatedClipKernel,
};
use landpool::geom::{IntersectionAreaKernel, OverlayOptions, TargetIndex, overlay_areas};
use proptest::prelude::*;

fn poly(coords: Vec<(f64, f64)>) -> MultiPolygon<f64> {
    let mut c = coords;
    if let Some(first) = c.first().copied() {
        c.push(first);
    }
    MultiPolygon::new(vec![Polygon::new(LineString::from(c), vec![])])
}

/// A star-shaped (generally concave) simple polygon around (cx, cy).
fn star(cx: f64, cy: f64, radii: &[f64], jitter: &[f64]) -> MultiPolygon<f64> {
    let n = radii.len();
    let step = std::f64::consts::TAU / n as f64;
    poly(
        radii
            .iter()
            .zip(jitter)
            .enumerate()
            .map(|(i, (r, j))| {
                let a = (i as f64 + 0.8 * j) * step;
                (cx + r * a.cos(), cy + r * a.sin())
            })
            .collect(),
    )
}

fn star_strategy() -> impl Strategy<Value = MultiPolygon<f64>> {
    (3usize..14).prop_flat_map(|n| {
        (
            -50.0..50.0f64,
            -50.0..50.0f64,
            prop::collection::vec(5.0..40.0f64, n),
            prop::collection::vec(0.0..1.0f64, n),
        )
            .prop_map(|(cx, cy, r, j)| star(cx, cy, &r, &j))
    })
}

/// A star with a 2 × 2 square hole at its centre (n ≥ 5 and r ≥ 5 keep the hole inside).
fn holed_star_strategy() -> impl Strategy<Value = MultiPolygon<f64>> {
    (5usize..12).prop_flat_map(|n| {
        (
            -50.0..50.0f64,
            -50.0..50.0f64,
            prop::collection::vec(5.0..40.0f64, n),
            prop::collection::vec(0.0..1.0f64, n),
        )
            .prop_map(|(cx, cy, r, j)| {
                let mut mp = star(cx, cy, &r, &j);
                let hole = LineString::from(vec![
                    (cx - 1.0, cy - 1.0),
                    (cx - 1.0, cy + 1.0),
                    (cx + 1.0, cy + 1.0),
                    (cx + 1.0, cy - 1.0),
                    (cx - 1.0, cy - 1.0),
                ]);
                mp.0[0].interiors_push(hole);
                mp
            })
    })
}

/// A convex polygon: points on an ellipse at sorted random angles.
fn convex_strategy() -> impl Strategy<Value = MultiPolygon<f64>> {
    (
        -50.0..50.0f64,
        -50.0..50.0f64,
        5.0..40.0f64,
        5.0..40.0f64,
        prop::collection::vec(0.0..std::f64::consts::TAU, 3..12),
    )
        .prop_map(|(cx, cy, rx, ry, mut angles)| {
            angles.sort_by(f64::total_cmp);
            angles.dedup_by(|a, b| (*a - *b).abs() < 1e-3);
            poly(
                angles
                    .iter()
                    .map(|a| (cx + rx * a.cos(), cy + ry * a.sin()))
                    .collect(),
            )
        })
        .prop_filter("at least a triangle", |p| p.unsigned_area() > 1.0)
}

/// Sorted interior cut positions in (lo, hi).
fn cuts(lo: f64, hi: f64, fractions: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = fractions.iter().map(|f| lo + f * (hi - lo)).collect();
    v.sort_by(f64::total_cmp);
    v.dedup();
    let mut out = vec![lo - 1.0];
    out.extend(v);
    out.push(hi + 1.0);
    out
}

/// A rectangular grid covering [-100, 100]².
fn grid_tiling(xf: &[f64], yf: &[f64]) -> Vec<MultiPolygon<f64>> {
    let xs = cuts(-100.0, 100.0, xf);
    let ys = cuts(-100.0, 100.0, yf);
    let mut out = Vec::new();
    for w in xs.windows(2) {
        for h in ys.windows(2) {
            out.push(poly(vec![
                (w[0], h[0]),
                (w[1], h[0]),
                (w[1], h[1]),
                (w[0], h[1]),
            ]));
        }
    }
    out
}

/// Vertical strips covering [-101, 101]² whose borders are zigzag polylines, so the strips
/// are concave and go through the general (BooleanOps) path.
fn zigzag_tiling(xf: &[f64], wiggle: &[f64]) -> Vec<MultiPolygon<f64>> {
    let knots: Vec<f64> = (0..=8).map(|k| -101.0 + 202.0 * k as f64 / 8.0).collect();
    // Inner borders at least 17 apart and 17 from the outer ones, so that wiggles of ±8
    // never make two borders cross.
    let mut xs = vec![-101.0];
    for x in cuts(-80.0, 80.0, xf) {
        if x > -81.0 && x < 81.0 && xs.last().is_some_and(|l| x - l >= 17.0) {
            xs.push(x);
        }
    }
    if xs.last().is_some_and(|l| 101.0 - l < 17.0) && xs.len() > 1 {
        xs.pop();
    }
    xs.push(101.0);
    // Border k: x = xs[k] + wiggle, fixed outer borders.
    let borders: Vec<Vec<(f64, f64)>> = xs
        .iter()
        .enumerate()
        .map(|(k, x)| {
            knots
                .iter()
                .enumerate()
                .map(|(i, y)| {
                    let inner = k > 0 && k + 1 < xs.len();
                    let w = if inner {
                        wiggle.get(i).copied().unwrap_or(0.0)
                    } else {
                        0.0
                    };
                    (x + w, *y)
                })
                .collect()
        })
        .collect();
    borders
        .windows(2)
        .map(|b| {
            let mut ring: Vec<(f64, f64)> = b[0].clone();
            ring.extend(b[1].iter().rev());
            ring.reverse();
            poly(ring)
        })
        .collect()
}

fn jittered_grid(n: usize, size: f64, jitter: &[f64]) -> Vec<MultiPolygon<f64>> {
    let mut out = Vec::new();
    let j = |k: usize| jitter.get(k % jitter.len().max(1)).copied().unwrap_or(0.0) * size * 0.3;
    let pt = |i: usize, k: usize| -> (f64, f64) {
        let id = i * (n + 1) + k;
        (i as f64 * size + j(2 * id), k as f64 * size + j(2 * id + 1))
    };
    for i in 0..n {
        for k in 0..n {
            out.push(poly(vec![
                pt(i, k),
                pt(i + 1, k),
                pt(i + 1, k + 1),
                pt(i, k + 1),
            ]));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn grid_tiles_conserve_source_area(
        source in star_strategy(),
        xf in prop::collection::vec(0.0..1.0f64, 0..6),
        yf in prop::collection::vec(0.0..1.0f64, 0..6),
    ) {
        let targets = grid_tiling(&xf, &yf);
        let opts = OverlayOptions { sliver_floor: 0.0, threads: None };
        let t = overlay_areas(std::slice::from_ref(&source), &targets, &opts);
        prop_assert!(t.errors.is_empty());
        let sum: f64 = t.pieces.iter().map(|p| p.area).sum();
        let a = source.unsigned_area();
        prop_assert!((sum - a).abs() <= 1e-9 * a, "sum {} vs area {}", sum, a);
    }

    #[test]
    fn concave_tiles_conserve_source_area(
        source in star_strategy(),
        xf in prop::collection::vec(0.0..1.0f64, 1..5),
        wiggle in prop::collection::vec(-8.0..8.0f64, 9),
    ) {
        let targets = zigzag_tiling(&xf, &wiggle);
        let total: f64 = targets.iter().map(|t| t.unsigned_area()).sum();
        prop_assert!((total - 202.0 * 202.0).abs() < 1e-6, "tiling broken: {}", total);
        let opts = OverlayOptions { sliver_floor: 0.0, threads: None };
        let t = overlay_areas(std::slice::from_ref(&source), &targets, &opts);
        prop_assert!(t.errors.is_empty());
        let sum: f64 = t.pieces.iter().map(|p| p.area).sum();
        let a = source.unsigned_area();
        prop_assert!((sum - a).abs() <= 1e-9 * a, "sum {} vs area {}", sum, a);
    }

    #[test]
    fn covered_implies_covers_and_intersects(
        sources in prop::collection::vec(star_strategy(), 1..6),
        targets in prop::collection::vec(prop_oneof![star_strategy(), convex_strategy()], 1..6),
    ) {
        let t = overlay_areas(&sources, &targets, &OverlayOptions::default());
        for p in &t.pieces {
            let (s, g) = (&sources[p.source], &targets[p.target]);
            prop_assert!(s.intersects(g), "piece without intersection: {:?}", p);
            if p.covered {
                prop_assert!(g.covers(s), "covered short cut but geo says not covered: {:?}", p);
                prop_assert_eq!(p.area, t.source_areas[p.source]);
            }
        }
    }

    #[test]
    fn engine_matches_brute_force_boolean_ops(
        sources in prop::collection::vec(
            prop_oneof![star_strategy(), convex_strategy(), holed_star_strategy()], 1..6),
        targets in prop::collection::vec(
            prop_oneof![star_strategy(), convex_strategy(), holed_star_strategy()], 1..6),
    ) {
        let opts = OverlayOptions { sliver_floor: 0.0, threads: None };
        let t = overlay_areas(&sources, &targets, &opts);
        prop_assert!(t.errors.is_empty());
        for (i, s) in sources.iter().enumerate() {
            for (j, g) in targets.iter().enumerate() {
                let ours: f64 = t
                    .pieces
                    .iter()
                    .filter(|p| p.source == i && p.target == j)
                    .map(|p| p.area)
                    .sum();
                let (os, og) = (AreaOperand::new(s).expect("s"), AreaOperand::new(g).expect("g"));
                let bo = BooleanOpsKernel { preclip: false }
                    .intersection_area(&os, &og)
                    .expect("bo");
                let scale = s.unsigned_area() + g.unsigned_area();
                prop_assert!(
                    (ours - bo).abs() <= 1e-7 * scale,
                    "source {} target {}: engine {} vs BooleanOps {}", i, j, ours, bo
                );
            }
        }
    }

    #[test]
    fn one_and_four_threads_give_identical_tables(
        jitter in prop::collection::vec(-1.0..1.0f64, 16..64),
        zone_jitter in prop::collection::vec(-1.0..1.0f64, 8..16),
    ) {
        let parcels = jittered_grid(12, 10.0, &jitter);
        let zones = jittered_grid(3, 40.0, &zone_jitter);
        let index = TargetIndex::new(&zones);
        let opts = OverlayOptions::default();
        let pool = |n| rayon::ThreadPoolBuilder::new().num_threads(n).build().expect("pool");
        let one = pool(1).install(|| index.overlay(&parcels, &opts));
        let four = pool(4).install(|| index.overlay(&parcels, &opts));
        prop_assert!(one.errors.is_empty());
        prop_assert_eq!(one, four);
    }

    #[test]
    fn convex_clip_agrees_with_boolean_ops(
        convex in convex_strategy(),
        other in prop_oneof![star_strategy(), convex_strategy()],
    ) {
        let a = AreaOperand::new(&convex).expect("non-empty");
        let b = AreaOperand::new(&other).expect("non-empty");
        prop_assert!(a.convex_ring.is_some());
        let sh = ConvexClipKernel.intersection_area(&a, &b).expect("convex");
        let sh_rev = ConvexClipKernel.intersection_area(&b, &a).expect("convex");
        let bo = BooleanOpsKernel { preclip: false }.intersection_area(&a, &b).expect("bo");
        let bo_cut = BooleanOpsKernel::default().intersection_area(&a, &b).expect("bo");
        let def = DefaultKernel.intersection_area(&a, &b).expect("default");
        let scale = convex.unsigned_area() + other.unsigned_area();
        prop_assert!((sh - bo).abs() <= 1e-7 * scale, "SH {} vs BooleanOps {}", sh, bo);
        prop_assert!((sh - bo_cut).abs() <= 1e-7 * scale, "SH {} vs cut BooleanOps {}", sh, bo_cut);
        prop_assert!((sh - sh_rev).abs() <= 1e-12 * scale);
        prop_assert_eq!(sh, def);
    }

    #[test]
    fn triangulated_clip_agrees_with_boolean_ops(a in star_strategy(), b in star_strategy()) {
        let (oa, ob) = (AreaOperand::new(&a).expect("a"), AreaOperand::new(&b).expect("b"));
        let tri = TriangulatedClipKernel.intersection_area(&oa, &ob).expect("earcut");
        let tri_rev = TriangulatedClipKernel.intersection_area(&ob, &oa).expect("earcut");
        let bo = BooleanOpsKernel { preclip: false }.intersection_area(&oa, &ob).expect("bo");
        let scale = a.unsigned_area() + b.unsigned_area();
        prop_assert!((tri - bo).abs() <= 1e-7 * scale, "triangulated {} vs BooleanOps {}", tri, bo);
        prop_assert!((tri - tri_rev).abs() <= 1e-12 * scale);
    }
}

#[test]
fn pieces_are_sorted_and_source_areas_complete() {
    let parcels = jittered_grid(20, 5.0, &[0.3, -0.2, 0.5, -0.7, 0.1]);
    let zones = jittered_grid(4, 25.0, &[0.1, 0.4, -0.3]);
    let t = overlay_areas(&parcels, &zones, &OverlayOptions::default());
    assert_eq!(t.source_areas.len(), parcels.len());
    assert!(
        t.pieces
            .windows(2)
            .all(|w| (w[0].source, w[0].target) < (w[1].source, w[1].target))
    );
    // Zones (outer corners jittered by at most 7.5) tile every parcel at least 8.5 from the
    // layer's edge: their pieces must add up to the parcel's area.
    let d = landpool::geom::aggregate::area_conservation(&t);
    for i in 2..18 {
        for k in 2..18 {
            let p = i * 20 + k;
            assert!(d[p].abs() < 1e-9, "parcel {p}: discrepancy {}", d[p]);
        }
    }
}
