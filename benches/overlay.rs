//! Overlay benchmarks: per-kernel costs (covered short cut, Sutherland–Hodgman, BooleanOps)
//! and a whole overlay of a synthetic jittered-grid district (10,000 parcels × 100 zones).
//!
//! Whole synthetic districts from `landpool::synth` (10k and 100k parcels × density zones)
//! are in the `synth_district` group.
//!
//! Run: `cargo bench --bench overlay -- --quick` (one group: `-- --quick synth_district`)

use criterion::{Criterion, criterion_group, criterion_main};
use geo::{LineString, MultiPolygon, Polygon};
use landpool::geom::clip::{
    AreaOperand, BooleanOpsKernel, ConvexClipKernel, DefaultKernel, TriangulatedClipKernel,
};
use landpool::geom::{IntersectionAreaKernel, OverlayOptions, TargetIndex};
use std::hint::black_box;

/// SplitMix64: a tiny deterministic PRNG, so the district is the same on every run.
struct Rng(u64);

impl Rng {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn poly(c: Vec<(f64, f64)>) -> MultiPolygon<f64> {
    let mut c = c;
    c.push(c[0]);
    MultiPolygon::new(vec![Polygon::new(LineString::from(c), vec![])])
}

/// n × n cells of `size` metres at EPSG:4547-like coordinates; interior corners jittered by
/// up to ±`jitter`·size; every `concave_every`-th cell gets a notch (a concave hexagon).
fn jittered_grid(
    n: usize,
    size: f64,
    jitter: f64,
    concave_every: usize,
    seed: u64,
) -> Vec<MultiPolygon<f64>> {
    let (x0, y0) = (500_000.0, 2_490_000.0);
    let mut rng = Rng(seed);
    let mut corners = vec![(0.0, 0.0); (n + 1) * (n + 1)];
    for i in 0..=n {
        for k in 0..=n {
            let inner = i > 0 && i < n && k > 0 && k < n;
            let (dx, dy) = if inner {
                (
                    (rng.next_f64() * 2.0 - 1.0) * jitter * size,
                    (rng.next_f64() * 2.0 - 1.0) * jitter * size,
                )
            } else {
                (0.0, 0.0)
            };
            corners[i * (n + 1) + k] = (x0 + i as f64 * size + dx, y0 + k as f64 * size + dy);
        }
    }
    let c = |i: usize, k: usize| corners[i * (n + 1) + k];
    let mut out = Vec::with_capacity(n * n);
    for i in 0..n {
        for k in 0..n {
            let (a, b, cc, d) = (c(i, k), c(i + 1, k), c(i + 1, k + 1), c(i, k + 1));
            let cell = if concave_every > 0 && (i * n + k).is_multiple_of(concave_every) {
                // Notch in the middle of the top edge, pushed into the cell.
                let m1 = (0.6 * cc.0 + 0.4 * d.0, 0.6 * cc.1 + 0.4 * d.1);
                let m2 = (0.4 * cc.0 + 0.6 * d.0, 0.4 * cc.1 + 0.6 * d.1);
                let notch = ((m1.0 + m2.0) / 2.0, (m1.1 + m2.1) / 2.0 - 0.3 * size);
                poly(vec![a, b, cc, m1, notch, m2, d])
            } else {
                poly(vec![a, b, cc, d])
            };
            out.push(cell);
        }
    }
    out
}

fn kernels(c: &mut Criterion) {
    let big = jittered_grid(1, 400.0, 0.0, 0, 1).remove(0);
    let parcel = jittered_grid(1, 30.0, 0.0, 0, 1).remove(0);
    let notched = jittered_grid(1, 30.0, 0.0, 1, 1).remove(0);
    // A zone that crosses the parcel: shifted by half a parcel.
    let zone_cross = {
        let g = jittered_grid(1, 400.0, 0.0, 1, 1).remove(0);
        use geo::Translate;
        g.translate(-385.0, -385.0)
    };
    let (big_op, parcel_op) = (
        AreaOperand::new(&big).unwrap(),
        AreaOperand::new(&parcel).unwrap(),
    );
    let notched_op = AreaOperand::new(&notched).unwrap();
    let cross_op = AreaOperand::new(&zone_cross).unwrap();
    let one_zone = vec![big.clone()];
    let index = TargetIndex::new(&one_zone);
    let opts = OverlayOptions::default();
    let parcels = vec![parcel.clone()];
    c.bench_function("covered_shortcut_parcel_in_zone", |b| {
        b.iter(|| black_box(index.overlay(black_box(&parcels), &opts)))
    });
    c.bench_function("sutherland_hodgman_convex_parcel_x_concave_zone", |b| {
        b.iter(|| black_box(ConvexClipKernel.intersection_area(&parcel_op, &cross_op)))
    });
    c.bench_function("boolean_ops_concave_parcel_x_concave_zone", |b| {
        b.iter(|| black_box(BooleanOpsKernel::default().intersection_area(&notched_op, &cross_op)))
    });
    c.bench_function("boolean_ops_plain_concave_parcel_x_concave_zone", |b| {
        b.iter(|| {
            black_box(BooleanOpsKernel { preclip: false }.intersection_area(&notched_op, &cross_op))
        })
    });
    c.bench_function("triangulated_concave_parcel_x_concave_zone", |b| {
        b.iter(|| black_box(TriangulatedClipKernel.intersection_area(&notched_op, &cross_op)))
    });
    c.bench_function("default_kernel_concave_pair", |b| {
        b.iter(|| black_box(DefaultKernel.intersection_area(&notched_op, &cross_op)))
    });
    c.bench_function("default_kernel_convex_pair", |b| {
        b.iter(|| black_box(DefaultKernel.intersection_area(&parcel_op, &big_op)))
    });
}

fn district(c: &mut Criterion) {
    // 100 × 100 parcels of 20 m (every 7th concave) × 10 × 10 zones of 200 m, offset so
    // that zone edges cut through parcels.
    let parcels = jittered_grid(100, 20.0, 0.2, 7, 42);
    let zones: Vec<MultiPolygon<f64>> = {
        use geo::Translate;
        jittered_grid(10, 200.0, 0.15, 3, 7)
            .into_iter()
            .map(|z| z.translate(-7.0, -7.0))
            .collect()
    };
    let opts = OverlayOptions::default();
    let index = TargetIndex::new(&zones);
    let table = index.overlay(&parcels, &opts);
    let covered = table.pieces.iter().filter(|p| p.covered).count();
    eprintln!(
        "district: {} parcels × {} zones → {} pieces ({} covered short cuts), {} slivers, {} errors",
        parcels.len(),
        zones.len(),
        table.pieces.len(),
        covered,
        table.slivers.len(),
        table.errors.len()
    );
    let mut g = c.benchmark_group("district");
    g.sample_size(10);
    g.bench_function("index_build_100_zones", |b| {
        b.iter(|| black_box(TargetIndex::new(black_box(&zones))))
    });
    g.bench_function("overlay_10k_parcels_x_100_zones", |b| {
        b.iter(|| black_box(index.overlay(black_box(&parcels), &opts)))
    });
    let one = OverlayOptions {
        threads: Some(1),
        ..OverlayOptions::default()
    };
    g.bench_function("overlay_10k_parcels_x_100_zones_1_thread", |b| {
        b.iter(|| black_box(index.overlay(black_box(&parcels), &one)))
    });
    g.finish();
}

fn district_100k(c: &mut Criterion) {
    // The size of the peer figure in docs/performance.md (100,000 parcels × 2,000 zones;
    // GeoPandas overlay 2.48 s there, on different, Voronoi-like data).
    let parcels = jittered_grid(316, 20.0, 0.2, 7, 42);
    let zones: Vec<MultiPolygon<f64>> = {
        use geo::Translate;
        jittered_grid(45, 140.0, 0.15, 3, 7)
            .into_iter()
            .map(|z| z.translate(-7.0, -7.0))
            .collect()
    };
    let opts = OverlayOptions::default();
    let index = TargetIndex::new(&zones);
    let table = index.overlay(&parcels, &opts);
    eprintln!(
        "district_100k: {} parcels × {} zones → {} pieces ({} covered), {} errors",
        parcels.len(),
        zones.len(),
        table.pieces.len(),
        table.pieces.iter().filter(|p| p.covered).count(),
        table.errors.len()
    );
    let mut g = c.benchmark_group("district_100k");
    g.sample_size(10);
    g.bench_function("overlay_100k_parcels_x_2k_zones", |b| {
        b.iter(|| black_box(index.overlay(black_box(&parcels), &opts)))
    });
    g.finish();
}

/// Whole synthetic districts from `landpool::synth` (Voronoi-like parcels, merged and split
/// cells, shared vertices) × their density zones: the engine, and the engine plus the
/// pieces CSV that `landpool overlay` writes.
fn synth_districts(c: &mut Criterion) {
    use landpool::report::overlay_table::{target_labels, write_pieces_csv};
    use landpool::synth::{SynthOptions, generate};
    let mut g = c.benchmark_group("synth_district");
    g.sample_size(10);
    for n in [10_000usize, 100_000] {
        let district = generate(&SynthOptions {
            parcels: n,
            ..SynthOptions::default()
        })
        .expect("synthetic district");
        let parcels: Vec<MultiPolygon<f64>> = district
            .parcels
            .features
            .iter()
            .map(|f| f.geometry.clone())
            .collect();
        let zones: Vec<MultiPolygon<f64>> = district
            .density_zones
            .features
            .iter()
            .map(|f| f.geometry.clone())
            .collect();
        let opts = OverlayOptions::default();
        let table = TargetIndex::new(&zones).overlay(&parcels, &opts);
        eprintln!(
            "synth_district {n}: {} parcels × {} zones → {} pieces ({} covered), {} errors",
            parcels.len(),
            zones.len(),
            table.pieces.len(),
            table.pieces.iter().filter(|p| p.covered).count(),
            table.errors.len()
        );
        g.bench_function(format!("index_and_overlay_{n}_parcels"), |b| {
            b.iter(|| black_box(TargetIndex::new(&zones).overlay(black_box(&parcels), &opts)))
        });
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("pieces.csv");
        let labels = target_labels(&district.density_zones, None);
        g.bench_function(format!("overlay_and_pieces_csv_{n}_parcels"), |b| {
            b.iter(|| {
                let t = TargetIndex::new(&zones).overlay(black_box(&parcels), &opts);
                write_pieces_csv(&out, &district.parcels, &labels, None, &t).expect("write");
            })
        });
    }
    g.finish();
}

criterion_group!(benches, kernels, district, district_100k, synth_districts);
criterion_main!(benches);
