//! Area geometries through geozero: a borrowed MultiPolygon as a geozero source (for the
//! FlatGeobuf writer and WKB encoding), plain WKB encoding and decoding (GeoParquet's
//! geometry column).

use geo::MultiPolygon;
use geozero::error::Result as GeozeroResult;
use geozero::wkb::{WkbDialect, WkbWriter};
use geozero::{GeomProcessor, GeozeroGeometry};

/// A borrowed MultiPolygon that geozero processors can consume, without the copy that
/// wrapping it in a `geo::Geometry` would cost.
pub(crate) struct AreaGeometry<'g>(pub(crate) &'g MultiPolygon<f64>);

impl GeozeroGeometry for AreaGeometry<'_> {
    fn process_geom<P: GeomProcessor>(&self, processor: &mut P) -> GeozeroResult<()> {
        let geometry = self.0;
        processor.multipolygon_begin(geometry.0.len(), 0)?;
        for (i, polygon) in geometry.iter().enumerate() {
            processor.polygon_begin(false, 1 + polygon.interiors().len(), i)?;
            let rings = std::iter::once(polygon.exterior()).chain(polygon.interiors());
            for (j, ring) in rings.enumerate() {
                processor.linestring_begin(false, ring.0.len(), j)?;
                for (k, c) in ring.0.iter().enumerate() {
                    processor.xy(c.x, c.y, k)?;
                }
                processor.linestring_end(false, j)?;
            }
            processor.polygon_end(false, i)?;
        }
        processor.multipolygon_end(0)
    }
}

/// The first non-finite coordinate of a geometry (no format here can hold one).
pub(crate) fn first_non_finite(geometry: &MultiPolygon<f64>) -> Option<(f64, f64)> {
    geometry
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|r| r.0.iter())
        .find(|c| !(c.x.is_finite() && c.y.is_finite()))
        .map(|c| (c.x, c.y))
}

/// Appends the little-endian ISO WKB of a MultiPolygon to `buf` (always a MultiPolygon,
/// also for one part; an empty one is `MULTIPOLYGON EMPTY`). Errors on a non-finite
/// coordinate.
pub(crate) fn encode_wkb(
    buf: &mut Vec<u8>,
    geometry: &MultiPolygon<f64>,
) -> std::result::Result<(), String> {
    if let Some((x, y)) = first_non_finite(geometry) {
        return Err(format!(
            "non-finite coordinate ({x}, {y}) cannot be written"
        ));
    }
    let mut writer = WkbWriter::new(&mut *buf, WkbDialect::Wkb);
    AreaGeometry(geometry)
        .process_geom(&mut writer)
        .map_err(|e| format!("encoding WKB: {e}"))?;
    Ok(())
}

/// Decodes WKB holding a Polygon or MultiPolygon (Z and M are dropped); an error message
/// naming the geometry type otherwise, or what is malformed.
pub(crate) fn decode_wkb(bytes: &[u8]) -> std::result::Result<MultiPolygon<f64>, String> {
    crate::io::gpkg::blob::decode_area_wkb(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, polygon};

    #[test]
    fn wkb_round_trips_polygons_with_holes() {
        let p = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 9.0, y: 0.0), (x: 9.0, y: 9.0), (x: 0.0, y: 9.0)],
            interiors: [[(x: 3.0, y: 3.0), (x: 3.0, y: 6.0), (x: 6.0, y: 6.0), (x: 6.0, y: 3.0)]],
        );
        let mp = MultiPolygon(vec![p]);
        let mut buf = Vec::new();
        encode_wkb(&mut buf, &mp).unwrap();
        let back = decode_wkb(&buf).unwrap();
        assert_eq!(back, mp);
        assert_eq!(back.unsigned_area(), 72.0);
        buf.clear();
        encode_wkb(&mut buf, &MultiPolygon(vec![])).unwrap();
        assert!(decode_wkb(&buf).unwrap().0.is_empty());
    }

    #[test]
    fn points_and_garbage_are_errors() {
        // POINT(1 2), little endian.
        let mut point = vec![1u8, 1, 0, 0, 0];
        point.extend_from_slice(&1f64.to_le_bytes());
        point.extend_from_slice(&2f64.to_le_bytes());
        let err = decode_wkb(&point).unwrap_err();
        assert!(err.contains("Point"), "{err}");
        assert!(decode_wkb(&[1, 6, 0, 0, 0, 255, 255, 255, 255]).is_err());
        assert!(decode_wkb(b"xx").is_err());
    }
}
