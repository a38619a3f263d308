//! GeoPackageBinary geometry blobs: decoding (checked header, WKB body through geozero)
//! and encoding (header with srs_id and envelope, little-endian ISO WKB).

use geo::{BoundingRect, Coord, LineString, MultiPolygon, Polygon, Rect};
use geozero::error::Result as GeozeroResult;
use geozero::wkb::{Wkb, WkbDialect, WkbWriter};
use geozero::{CoordDimensions, GeomProcessor, GeozeroGeometry};

/// ISO WKB geometry type names by code (the code modulo 1000; +1000 Z, +2000 M, +3000 ZM).
fn wkb_type_name(base: u32) -> Option<&'static str> {
    Some(match base {
        0 => "Geometry",
        1 => "Point",
        2 => "LineString",
        3 => "Polygon",
        4 => "MultiPoint",
        5 => "MultiLineString",
        6 => "MultiPolygon",
        7 => "GeometryCollection",
        8 => "CircularString",
        9 => "CompoundCurve",
        10 => "CurvePolygon",
        11 => "MultiCurve",
        12 => "MultiSurface",
        13 => "Curve",
        14 => "Surface",
        15 => "PolyhedralSurface",
        16 => "TIN",
        17 => "Triangle",
        _ => return None,
    })
}

/// Decodes a GeoPackageBinary geometry blob into a MultiPolygon; an error message
/// otherwise. The header is checked here (geozero does not look at the empty and extended
/// flags, nor at the envelope indicator's range); the WKB body is decoded by geozero.
pub(crate) fn decode_geometry(blob: &[u8]) -> std::result::Result<MultiPolygon<f64>, String> {
    if blob.len() < 8 {
        return Err(format!(
            "a geometry blob of {} bytes is too short for a GeoPackage geometry header (8 bytes)",
            blob.len()
        ));
    }
    if &blob[0..2] != b"GP" {
        return Err(format!(
            "not a GeoPackage geometry blob: it starts with bytes {:02X} {:02X} instead of the \
             `GP` magic (a SpatiaLite or plain WKB geometry?)",
            blob[0], blob[1]
        ));
    }
    if blob[2] != 0 {
        return Err(format!(
            "unsupported GeoPackageBinary version {} (version 0 is GeoPackage 1.x)",
            blob[2]
        ));
    }
    let flags = blob[3];
    if flags & 0b0010_0000 != 0 {
        return Err(
            "the geometry uses the ExtendedGeoPackageBinary encoding (a user-defined \
                    geometry type), which cannot be read as an area"
                .into(),
        );
    }
    let empty = flags & 0b0001_0000 != 0;
    let envelope_values = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 4,
        2 | 3 => 6,
        4 => 8,
        n => {
            return Err(format!(
                "invalid envelope contents indicator {n} in the GeoPackage geometry header"
            ));
        }
    };
    let header_len = 8 + 8 * envelope_values;
    if blob.len() < header_len {
        return Err(format!(
            "truncated geometry blob: the header announces a {header_len}-byte header but \
             the blob has {} bytes",
            blob.len()
        ));
    }
    let body = &blob[header_len..];
    if body.is_empty() && empty {
        return Ok(MultiPolygon::new(vec![]));
    }
    if body.len() < 5 {
        return Err(format!(
            "truncated geometry blob: {} bytes of WKB after the header",
            body.len()
        ));
    }
    decode_area_wkb(body)
}

/// Decodes plain (ISO or EWKB-free) WKB holding a Polygon or MultiPolygon; an error message
/// for other geometry types and malformed bytes. Also used for GeoParquet's WKB column.
pub(crate) fn decode_area_wkb(body: &[u8]) -> std::result::Result<MultiPolygon<f64>, String> {
    if body.len() < 5 {
        return Err(format!(
            "truncated WKB geometry: {} bytes (at least 5 needed)",
            body.len()
        ));
    }
    let type_code = match body[0] {
        0 => u32::from_be_bytes([body[1], body[2], body[3], body[4]]),
        1 => u32::from_le_bytes([body[1], body[2], body[3], body[4]]),
        b => return Err(format!("invalid WKB byte order {b}")),
    };
    let base = type_code % 1000;
    if type_code >= 4000 || wkb_type_name(base).is_none() {
        return Err(format!("unknown WKB geometry type code {type_code}"));
    }
    if base != 3 && base != 6 {
        let name = wkb_type_name(base).unwrap_or("unknown");
        let curved = matches!(base, 8..=12);
        return Err(format!(
            "geometry type {name} is not an area; only Polygon and MultiPolygon features can \
             be read (filter or convert the layer first{})",
            if curved {
                ", e.g. `ogr2ogr -nlt MULTIPOLYGON`, which linearises curves"
            } else {
                ""
            }
        ));
    }
    let mut builder = AreaBuilder::new(body.len());
    Wkb(body)
        .process_geom(&mut builder)
        .map_err(|e| format!("malformed WKB geometry: {e}"))?;
    Ok(MultiPolygon::new(builder.polygons))
}

/// A geozero processor that collects the polygons of a Polygon or MultiPolygon, ignoring
/// Z and M. Capacities announced by the blob are capped by the blob's size, so that a
/// corrupt count cannot make it allocate gigabytes.
struct AreaBuilder {
    max_items: usize,
    polygons: Vec<Polygon<f64>>,
    rings: Vec<LineString<f64>>,
    coords: Vec<Coord<f64>>,
}

impl AreaBuilder {
    fn new(blob_len: usize) -> Self {
        AreaBuilder {
            // A coordinate takes at least 16 bytes, a ring or polygon at least 4.
            max_items: blob_len / 4,
            polygons: Vec::new(),
            rings: Vec::new(),
            coords: Vec::new(),
        }
    }
}

impl GeomProcessor for AreaBuilder {
    fn xy(&mut self, x: f64, y: f64, _idx: usize) -> GeozeroResult<()> {
        self.coords.push(Coord { x, y });
        Ok(())
    }

    fn linestring_begin(&mut self, _tagged: bool, size: usize, _idx: usize) -> GeozeroResult<()> {
        self.coords = Vec::with_capacity(size.min(self.max_items / 4));
        Ok(())
    }

    fn linestring_end(&mut self, _tagged: bool, _idx: usize) -> GeozeroResult<()> {
        let coords = std::mem::take(&mut self.coords);
        self.rings.push(LineString::new(coords));
        Ok(())
    }

    fn polygon_begin(&mut self, _tagged: bool, size: usize, _idx: usize) -> GeozeroResult<()> {
        self.rings = Vec::with_capacity(size.min(self.max_items));
        Ok(())
    }

    fn polygon_end(&mut self, _tagged: bool, _idx: usize) -> GeozeroResult<()> {
        let mut rings = std::mem::take(&mut self.rings).into_iter();
        // A polygon without rings is an empty polygon: nothing to keep.
        if let Some(shell) = rings.next() {
            self.polygons.push(Polygon::new(shell, rings.collect()));
        }
        Ok(())
    }

    fn multipolygon_begin(&mut self, size: usize, _idx: usize) -> GeozeroResult<()> {
        self.polygons = Vec::with_capacity(size.min(self.max_items));
        Ok(())
    }
}

/// Appends the GeoPackageBinary blob of a MultiPolygon to `buf` (cleared first): header
/// with srs_id and XY envelope, then little-endian ISO WKB. An empty geometry gets the
/// empty flag and no envelope. Returns the envelope.
pub(super) fn encode_geometry(
    buf: &mut Vec<u8>,
    geometry: &MultiPolygon<f64>,
    srs_id: i32,
) -> std::result::Result<Option<Rect<f64>>, String> {
    buf.clear();
    if let Some(c) = geometry
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|r| r.0.iter())
        .find(|c| !(c.x.is_finite() && c.y.is_finite()))
    {
        return Err(format!(
            "non-finite coordinate ({}, {}) cannot be written",
            c.x, c.y
        ));
    }
    let envelope = geometry.bounding_rect();
    let geozero_error = |e: geozero::error::GeozeroError| format!("encoding WKB: {e}");
    let mut writer = match envelope {
        Some(r) => WkbWriter::with_opts(
            &mut *buf,
            WkbDialect::Geopackage,
            CoordDimensions::xy(),
            Some(srs_id),
            vec![r.min().x, r.max().x, r.min().y, r.max().y],
        ),
        None => {
            // geozero cannot set the empty flag: header by hand (magic, version 0, flags
            // empty + little endian, srs_id), then plain WKB.
            buf.extend_from_slice(b"GP\0");
            buf.push(0b0001_0001);
            buf.extend_from_slice(&srs_id.to_le_bytes());
            WkbWriter::new(&mut *buf, WkbDialect::Wkb)
        }
    };
    writer
        .multipolygon_begin(geometry.0.len(), 0)
        .map_err(geozero_error)?;
    for (i, polygon) in geometry.iter().enumerate() {
        writer
            .polygon_begin(false, 1 + polygon.interiors().len(), i)
            .map_err(geozero_error)?;
        for (j, ring) in std::iter::once(polygon.exterior())
            .chain(polygon.interiors())
            .enumerate()
        {
            writer
                .linestring_begin(false, ring.0.len(), j)
                .map_err(geozero_error)?;
            for (k, c) in ring.0.iter().enumerate() {
                writer.xy(c.x, c.y, k).map_err(geozero_error)?;
            }
            writer.linestring_end(false, j).map_err(geozero_error)?;
        }
        writer.polygon_end(false, i).map_err(geozero_error)?;
    }
    writer.multipolygon_end(0).map_err(geozero_error)?;
    Ok(envelope)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn square() -> MultiPolygon<f64> {
        MultiPolygon::new(vec![polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)],
            interiors: [[(x: 1.0, y: 1.0), (x: 1.0, y: 2.0), (x: 2.0, y: 2.0), (x: 2.0, y: 1.0)]],
        )])
    }

    #[test]
    fn blobs_round_trip_with_envelope_header() {
        let mut buf = Vec::new();
        let env = encode_geometry(&mut buf, &square(), 4547).unwrap().unwrap();
        assert_eq!(&buf[0..4], &[b'G', b'P', 0, 0b0000_0011]);
        assert_eq!(i32::from_le_bytes(buf[4..8].try_into().unwrap()), 4547);
        let minx = f64::from_le_bytes(buf[8..16].try_into().unwrap());
        let maxx = f64::from_le_bytes(buf[16..24].try_into().unwrap());
        assert_eq!((minx, maxx), (0.0, 4.0));
        assert_eq!(env.max().y, 4.0);
        // WKB: little endian MultiPolygon (6) of 1 polygon.
        assert_eq!(&buf[40..45], &[1, 6, 0, 0, 0]);
        assert_eq!(decode_geometry(&buf).unwrap(), square());

        encode_geometry(&mut buf, &MultiPolygon::new(vec![]), 4547).unwrap();
        assert_eq!(buf[3], 0b0001_0001);
        assert_eq!(buf.len(), 8 + 9);
        assert!(decode_geometry(&buf).unwrap().0.is_empty());
    }

    #[test]
    fn z_and_m_are_dropped_and_polygons_become_multipolygons() {
        // GP header without envelope, then a little-endian Polygon ZM (3003) of one ring.
        let mut blob = b"GP\0\x01".to_vec();
        blob.extend_from_slice(&0i32.to_le_bytes());
        blob.push(1);
        blob.extend_from_slice(&3003u32.to_le_bytes());
        blob.extend_from_slice(&1u32.to_le_bytes());
        let ring = [(0.0, 0.0), (2.0, 0.0), (2.0, 3.0), (0.0, 0.0)];
        blob.extend_from_slice(&(ring.len() as u32).to_le_bytes());
        for (x, y) in ring {
            for v in [x, y, 99.0, -5.0] {
                blob.extend_from_slice(&f64::to_le_bytes(v));
            }
        }
        let mp = decode_geometry(&blob).unwrap();
        assert_eq!(mp.0.len(), 1);
        assert_eq!(mp.0[0].exterior().0.len(), 4);
        assert_eq!(mp.0[0].exterior().0[2], Coord { x: 2.0, y: 3.0 });
    }

    #[test]
    fn bad_blobs_are_explained() {
        let msg = |b: &[u8]| decode_geometry(b).unwrap_err();
        assert!(msg(b"GP").contains("too short"));
        assert!(msg(b"XX\0\x01\0\0\0\0\x01\x03\0\0\0").contains("magic"));
        assert!(msg(b"GP\x01\x01\0\0\0\0\x01\x03\0\0\0").contains("version"));
        assert!(msg(b"GP\0\x21\0\0\0\0\x01\x03\0\0\0").contains("Extended"));
        assert!(msg(b"GP\0\x0b\0\0\0\0\x01\x03\0\0\0").contains("indicator 5"));
        assert!(msg(b"GP\0\x03\0\0\0\0\x01\x03\0\0\0").contains("truncated"));
        assert!(msg(b"GP\0\x01\0\0\0\0\x01\x01\0\0\0").contains("Point is not an area"));
        assert!(msg(b"GP\0\x01\0\0\0\0\x01\x0a\0\0\0").contains("linearises"));
        // A polygon announcing 2^32-1 rings in a 13-byte blob: an error, no huge allocation.
        assert!(msg(b"GP\0\x01\0\0\0\0\x01\x03\0\0\0\xff\xff\xff\xff").contains("malformed"));
    }
}
