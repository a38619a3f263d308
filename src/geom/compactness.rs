//! Shape measures of a region: perimeter and the Polsby–Popper compactness.

use geo::{Area, Euclidean, Length, MultiPolygon};

/// Total length of every ring (exterior and interior) of the region.
pub fn perimeter(region: &MultiPolygon<f64>) -> f64 {
    region
        .0
        .iter()
        .map(|p| {
            Euclidean.length(p.exterior())
                + p.interiors()
                    .iter()
                    .map(|r| Euclidean.length(r))
                    .sum::<f64>()
        })
        .sum()
}

/// Polsby–Popper compactness `4πA / P²` (A the area, P the perimeter including holes):
/// 1 for a disc, π/4 ≈ 0.785 for a square, towards 0 for ragged or elongated shapes.
/// `None` for a region without area or with a non-finite figure.
pub fn polsby_popper(region: &MultiPolygon<f64>) -> Option<f64> {
    let area = region.unsigned_area();
    let p = perimeter(region);
    let value = 4.0 * std::f64::consts::PI * area / (p * p);
    (area > 0.0 && p > 0.0 && value.is_finite()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::wkt;

    #[test]
    fn square_rectangle_and_hole() {
        let square = wkt!(MULTIPOLYGON(((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.))));
        assert!((perimeter(&square) - 40.0).abs() < 1e-12);
        let pp = polsby_popper(&square).unwrap();
        assert!((pp - std::f64::consts::FRAC_PI_4).abs() < 1e-12);
        // 40 × 10: A 400, P 100 → 4π·400/10000 = 0.16π.
        let strip = wkt!(MULTIPOLYGON(((0. 0.,40. 0.,40. 10.,0. 10.,0. 0.))));
        let pp = polsby_popper(&strip).unwrap();
        assert!((pp - 0.16 * std::f64::consts::PI).abs() < 1e-12);
        // A 10 × 10 square with a 2 × 2 hole: A 96, P 48.
        let holed = wkt!(MULTIPOLYGON(
            ((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.),(4. 4.,4. 6.,6. 6.,6. 4.,4. 4.))
        ));
        assert!((perimeter(&holed) - 48.0).abs() < 1e-12);
        let pp = polsby_popper(&holed).unwrap();
        assert!((pp - 4.0 * std::f64::consts::PI * 96.0 / 2304.0).abs() < 1e-12);
        assert_eq!(polsby_popper(&MultiPolygon::new(Vec::new())), None);
    }
}
