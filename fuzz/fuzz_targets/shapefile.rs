//! A Shapefile set from one input: three little-endian u16 lengths (.shx, .dbf, .prj), those
//! parts in that order, and the rest is the .shp. A part of length 0xFFFF is left out.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((lens, mut rest)) = data.split_at_checked(6) else {
        return;
    };
    let Ok(dir) = tempfile::tempdir() else { return };
    for (i, ext) in ["shx", "dbf", "prj"].into_iter().enumerate() {
        let len = usize::from(u16::from_le_bytes([lens[2 * i], lens[2 * i + 1]]));
        if len == 0xFFFF {
            continue;
        }
        let (part, tail) = rest.split_at(len.min(rest.len()));
        rest = tail;
        if std::fs::write(dir.path().join(format!("case.{ext}")), part).is_err() {
            return;
        }
    }
    let shp = dir.path().join("case.shp");
    if std::fs::write(&shp, rest).is_ok() {
        let _ = landpool::io::read_layer(&shp, &landpool::io::ReadOptions::default());
    }
});
