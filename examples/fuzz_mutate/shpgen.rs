//! Byte-exact writers for small Shapefile sets (.shp, .shx, .dbf), shared by the mutation
//! runner (its seed) and the hardening tests. Rings are written exactly as given, in the
//! given vertex order: the `shapefile` crate's writer reorders rings by its own orientation
//! test, which is what some tests must not depend on.

/// One dBase field: name, type letter, width, decimals.
pub struct DbfField<'a> {
    pub name: &'a str,
    pub kind: u8,
    pub width: u8,
    pub decimals: u8,
}

/// A .shp and its .shx for Polygon (type 5) shapes; each shape is a list of rings.
pub fn polygon_shp(shapes: &[Vec<Vec<(f64, f64)>>]) -> (Vec<u8>, Vec<u8>) {
    let mut records = Vec::new();
    let mut index = Vec::new();
    let mut bbox = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for (n, rings) in shapes.iter().enumerate() {
        let points: Vec<(f64, f64)> = rings.iter().flatten().copied().collect();
        let mut content = Vec::new();
        content.extend(5i32.to_le_bytes());
        let (mut lo, mut hi) = (
            (f64::INFINITY, f64::INFINITY),
            (f64::NEG_INFINITY, f64::NEG_INFINITY),
        );
        for &(x, y) in &points {
            lo = (lo.0.min(x), lo.1.min(y));
            hi = (hi.0.max(x), hi.1.max(y));
        }
        for v in [lo.0, lo.1, hi.0, hi.1] {
            content.extend(v.to_le_bytes());
        }
        bbox = [
            bbox[0].min(lo.0),
            bbox[1].min(lo.1),
            bbox[2].max(hi.0),
            bbox[3].max(hi.1),
        ];
        content.extend((rings.len() as i32).to_le_bytes());
        content.extend((points.len() as i32).to_le_bytes());
        let mut start = 0i32;
        for ring in rings {
            content.extend(start.to_le_bytes());
            start += ring.len() as i32;
        }
        for (x, y) in points {
            content.extend(x.to_le_bytes());
            content.extend(y.to_le_bytes());
        }
        let offset_words = (100 + records.len()) / 2;
        index.extend((offset_words as i32).to_be_bytes());
        index.extend(((content.len() / 2) as i32).to_be_bytes());
        records.extend(((n + 1) as i32).to_be_bytes());
        records.extend(((content.len() / 2) as i32).to_be_bytes());
        records.extend(content);
    }
    let header = |total_len: usize| {
        let mut h = Vec::with_capacity(100);
        h.extend(9994i32.to_be_bytes());
        h.extend([0u8; 20]);
        h.extend(((total_len / 2) as i32).to_be_bytes());
        h.extend(1000i32.to_le_bytes());
        h.extend(5i32.to_le_bytes());
        for v in bbox {
            h.extend(v.to_le_bytes());
        }
        h.extend([0u8; 32]);
        h
    };
    let mut shp = header(100 + records.len());
    shp.extend(records);
    let mut shx = header(100 + index.len());
    shx.extend(index);
    (shp, shx)
}

/// A dBase III table; each record is (deleted?, raw cells). Cells are space-padded (or cut)
/// to the field width byte by byte, as careless writers do.
pub fn dbf(fields: &[DbfField<'_>], records: &[(bool, Vec<&[u8]>)]) -> Vec<u8> {
    let record_len: usize = 1 + fields.iter().map(|f| usize::from(f.width)).sum::<usize>();
    let header_len = 32 + 32 * fields.len() + 1;
    let mut b = vec![0x03, 126, 1, 1];
    b.extend((records.len() as u32).to_le_bytes());
    b.extend((header_len as u16).to_le_bytes());
    b.extend((record_len as u16).to_le_bytes());
    b.resize(32, 0);
    for f in fields {
        let mut d = [0u8; 32];
        d[..f.name.len()].copy_from_slice(f.name.as_bytes());
        d[11] = f.kind;
        d[16] = f.width;
        d[17] = f.decimals;
        b.extend(d);
    }
    b.push(0x0D);
    for (deleted, cells) in records {
        b.push(if *deleted { b'*' } else { b' ' });
        for (f, cell) in fields.iter().zip(cells) {
            let mut c = cell.to_vec();
            c.resize(usize::from(f.width), b' ');
            b.extend(c);
        }
    }
    b.push(0x1A);
    b
}

/// A closed axis-aligned square ring; `clockwise` is the ESRI shell orientation.
pub fn square(x0: f64, y0: f64, side: f64, clockwise: bool) -> Vec<(f64, f64)> {
    let mut ring = vec![
        (x0, y0),
        (x0 + side, y0),
        (x0 + side, y0 + side),
        (x0, y0 + side),
        (x0, y0),
    ];
    if clockwise {
        ring.reverse();
    }
    ring
}

/// The .prj of CGCS2000 / 3-degree Gauss-Kruger CM 114E (EPSG:4547), as ArcGIS writes it.
pub const PRJ_4547: &str = "PROJCS[\"CGCS2000_3_Degree_GK_CM_114E\",GEOGCS[\"GCS_China_Geodetic_Coordinate_System_2000\",DATUM[\"D_China_2000\",SPHEROID[\"CGCS2000\",6378137.0,298.257222101]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Gauss_Kruger\"],PARAMETER[\"False_Easting\",500000.0],PARAMETER[\"False_Northing\",0.0],PARAMETER[\"Central_Meridian\",114.0],PARAMETER[\"Scale_Factor\",1.0],PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]";
