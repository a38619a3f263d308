//! GCJ-02 forward/inverse accuracy.

use landpool::io::gcj02::{gcj02_to_wgs84, wgs84_to_gcj02};
use proptest::prelude::*;

/// Round trip WGS84 → GCJ-02 → WGS84 over a 0.01° grid covering Shenzhen.
/// Measured max error: see the eprintln (≈ 1e-10 deg).
#[test]
fn round_trip_over_shenzhen_grid() {
    let mut max_err: f64 = 0.0;
    let mut max_offset: f64 = 0.0;
    for i in 0..=110 {
        for j in 0..=60 {
            let lon = 113.7 + f64::from(i) * 0.01;
            let lat = 22.4 + f64::from(j) * 0.01;
            let (glon, glat) = wgs84_to_gcj02(lon, lat);
            max_offset = max_offset.max((glon - lon).abs().max((glat - lat).abs()));
            let (wlon, wlat) = gcj02_to_wgs84(glon, glat);
            max_err = max_err.max((wlon - lon).abs().max((wlat - lat).abs()));
        }
    }
    eprintln!("GCJ-02 round trip max error {max_err:e} deg; max offset {max_offset} deg");
    assert!(max_err < 1e-7, "{max_err}");
    // The offset is real (hundreds of metres), so the test cannot pass with an identity.
    assert!(max_offset > 0.002, "{max_offset}");
}

#[test]
fn inverse_of_published_reference_pair() {
    // wandergis/coordtransform (a = 6378245): wgs84togcj02(116.404, 39.915) =
    // [116.41024449916938, 39.91640428150164]; the exact inverse must give the input back.
    let (lon, lat) = gcj02_to_wgs84(116.410_244_499_169_38, 39.916_404_281_501_64);
    assert!(
        (lon - 116.404).abs() < 1e-9 && (lat - 39.915).abs() < 1e-9,
        "{lon} {lat}"
    );
}

proptest! {
    #[test]
    fn round_trip_anywhere_in_china(lon in 75.0f64..135.0, lat in 18.0f64..53.0) {
        let (glon, glat) = wgs84_to_gcj02(lon, lat);
        let (wlon, wlat) = gcj02_to_wgs84(glon, glat);
        prop_assert!((wlon - lon).abs() < 1e-7 && (wlat - lat).abs() < 1e-7);
    }
}

#[test]
fn datav_layer_converted_to_wgs84() {
    use landpool::io::crs::Crs;
    use landpool::io::gcj02::gcj02_layer_to_wgs84;
    use landpool::io::{ReadOptions, read_layer};
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/shenzhen-districts/datav_gcj02/440300_full.json"
    );
    let opts = ReadOptions {
        assume_crs: Some(Crs::gcj02()),
        ..Default::default()
    };
    let original = read_layer(std::path::Path::new(path), &opts).unwrap();
    let mut layer = original.clone();
    gcj02_layer_to_wgs84(&mut layer);
    assert_eq!(layer.crs.as_ref().and_then(|c| c.epsg), Some(4326));
    for (a, b) in original.features.iter().zip(&layer.features) {
        let ca = a.geometry.0[0].exterior().0[0];
        let cb = b.geometry.0[0].exterior().0[0];
        // Around Shenzhen GCJ-02 is ≈ +0.005° lon, −0.003° lat from WGS84.
        let (dlon, dlat) = (ca.x - cb.x, ca.y - cb.y);
        assert!((0.003..0.007).contains(&dlon), "{dlon}");
        assert!((-0.005..-0.001).contains(&dlat), "{dlat}");
        // And back: forward conversion reproduces the GCJ-02 input.
        let (gx, gy) = wgs84_to_gcj02(cb.x, cb.y);
        assert!((gx - ca.x).abs() < 1e-9 && (gy - ca.y).abs() < 1e-9);
    }
}
