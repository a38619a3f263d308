//! GCJ-02 (火星坐标, "Mars coordinates"): the obfuscated longitude/latitude datum mandated for
//! published maps in China (AutoNavi/高德, Tencent, Aliyun DataV). Points are offset from WGS84
//! by a smooth, non-linear function of position (about 300–600 m around Shenzhen).
//!
//! The forward function is the published (leaked) algorithm with the Krasovsky 1940 ellipsoid
//! (a = 6378245 m, e² = 0.00669342162296594323). The inverse has no closed form: it is found by
//! fixed-point iteration, converging to < 1e-9 degrees (≈ 0.1 mm). Points outside the
//! rectangle where the offset is applied are returned unchanged.

use geo::{Coord, MapCoordsInPlace};
use rayon::prelude::*;

use crate::io::crs::Crs;
use crate::model::Layer;

/// Semi-major axis of the Krasovsky 1940 ellipsoid used by GCJ-02 (metres).
const KRASOVSKY_A: f64 = 6_378_245.0;
/// First eccentricity squared of the Krasovsky 1940 ellipsoid, as published (the f64 is the
/// same when truncated; the literal is kept verbatim so it can be compared with other code).
#[allow(clippy::excessive_precision)]
const KRASOVSKY_EE: f64 = 0.006_693_421_622_965_943_23;
/// Convergence threshold of the inverse iteration, in degrees.
const INVERSE_TOLERANCE_DEG: f64 = 1e-9;
const INVERSE_MAX_ITERATIONS: usize = 50;

/// True outside the rough China rectangle where GCJ-02 applies no offset.
pub fn out_of_china(lon: f64, lat: f64) -> bool {
    !(72.004..=137.8347).contains(&lon) || !(0.8293..=55.8271).contains(&lat)
}

fn transform_lat(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn transform_lon(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// The GCJ-02 offset (Δlon, Δlat) in degrees at a WGS84 position.
fn offset(lon: f64, lat: f64) -> (f64, f64) {
    use std::f64::consts::PI;
    let dlat = transform_lat(lon - 105.0, lat - 35.0);
    let dlon = transform_lon(lon - 105.0, lat - 35.0);
    let rad_lat = lat / 180.0 * PI;
    let magic = 1.0 - KRASOVSKY_EE * rad_lat.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    let dlat = (dlat * 180.0) / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * PI);
    let dlon = (dlon * 180.0) / (KRASOVSKY_A / sqrt_magic * rad_lat.cos() * PI);
    (dlon, dlat)
}

/// WGS84 → GCJ-02 (degrees). Outside China the input is returned.
pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    if !lon.is_finite() || !lat.is_finite() || out_of_china(lon, lat) {
        return (lon, lat);
    }
    let (dlon, dlat) = offset(lon, lat);
    (lon + dlon, lat + dlat)
}

/// GCJ-02 → WGS84 (degrees) by fixed-point iteration on the forward function, to
/// < 1e-9 degrees. Outside China the input is returned.
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    if !lon.is_finite() || !lat.is_finite() || out_of_china(lon, lat) {
        return (lon, lat);
    }
    let (mut w_lon, mut w_lat) = (lon, lat);
    for _ in 0..INVERSE_MAX_ITERATIONS {
        let (g_lon, g_lat) = wgs84_to_gcj02(w_lon, w_lat);
        let (e_lon, e_lat) = (g_lon - lon, g_lat - lat);
        w_lon -= e_lon;
        w_lat -= e_lat;
        if e_lon.abs() < INVERSE_TOLERANCE_DEG && e_lat.abs() < INVERSE_TOLERANCE_DEG {
            break;
        }
    }
    (w_lon, w_lat)
}

/// Converts every coordinate of a GCJ-02 layer to WGS84 and sets its CRS to EPSG:4326.
pub fn gcj02_layer_to_wgs84(layer: &mut Layer) {
    layer.features.par_iter_mut().for_each(|f| {
        f.geometry.map_coords_in_place(|c| {
            let (x, y) = gcj02_to_wgs84(c.x, c.y);
            Coord { x, y }
        })
    });
    layer.crs = Some(Crs::wgs84());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_pair_coordtransform() {
        // wandergis/coordtransform test/app.js (a = 6378245, the Krasovsky constant used here):
        // wgs84togcj02(116.404, 39.915) = [116.41024449916938, 39.91640428150164].
        let (lon, lat) = wgs84_to_gcj02(116.404, 39.915);
        assert!((lon - 116.410_244_499_169_38).abs() < 1e-9, "{lon}");
        assert!((lat - 39.916_404_281_501_64).abs() < 1e-9, "{lat}");
    }

    #[test]
    fn reference_pair_eviltransform_shenzhen() {
        // googollee/eviltransform python tests, "shenzhen": WGS (22.543847, 113.912316) →
        // GCJ (22.540796131694766, 113.9171764808363). eviltransform uses a = 6378137 instead
        // of 6378245; the offset scales by 6378137/6378245, i.e. ≈ 1e-7 deg here.
        let (lon, lat) = wgs84_to_gcj02(113.912316, 22.543847);
        assert!((lon - 113.917_176_480_836_3).abs() < 2e-7, "{lon}");
        assert!((lat - 22.540_796_131_694_766).abs() < 2e-7, "{lat}");
    }

    #[test]
    fn outside_china_is_identity() {
        assert_eq!(wgs84_to_gcj02(4.35, 50.85), (4.35, 50.85));
        assert_eq!(gcj02_to_wgs84(4.35, 50.85), (4.35, 50.85));
    }
}
