//! Validity benchmarks: `validate_geometry` of one valid ring (a noisy star around a circle)
//! at 20k, 50k and 200k vertices. The segment index makes it O(n log n); before, geo's
//! quadratic `validation_errors` took 12 s at 25k vertices.
//!
//! Run: `cargo bench --bench validity -- --sample-size 10 --warm-up-time 1 --measurement-time 3`

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use geo::{LineString, MultiPolygon, Polygon};
use landpool::geom::validity::validate_geometry;
use std::hint::black_box;

/// A noisy 24-pointed star of `n` vertices at EPSG:4547-like coordinates: radius 1 km ±
/// 30 %, each vertex jittered radially by up to a third of the vertex spacing (as a
/// digitised boundary is), so the ring stays valid.
fn noisy_star(n: usize) -> MultiPolygon<f64> {
    let (cx, cy) = (500_000.0, 2_500_000.0);
    let spacing = std::f64::consts::TAU * 1000.0 / n as f64;
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut noise = move || {
        // SplitMix64 → [-1, 1): deterministic across runs.
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    };
    let mut coords: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let t = std::f64::consts::TAU * i as f64 / n as f64;
            let r = 1000.0 * (1.0 + 0.3 * (24.0 * t).sin()) + spacing / 3.0 * noise();
            (cx + r * t.cos(), cy + r * t.sin())
        })
        .collect();
    coords.push(coords[0]);
    MultiPolygon::new(vec![Polygon::new(LineString::from(coords), vec![])])
}

fn bench_validity(c: &mut Criterion) {
    let mut group = c.benchmark_group("validity_one_ring");
    for n in [20_000usize, 50_000, 200_000] {
        let ring = noisy_star(n);
        assert!(
            validate_geometry(&ring).is_empty(),
            "the {n}-vertex star is valid"
        );
        group.bench_with_input(BenchmarkId::from_parameter(n), &ring, |b, g| {
            b.iter(|| validate_geometry(black_box(g)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_validity);
criterion_main!(benches);
