//! The GeoJSON reader on arbitrary bytes (it reads paths, so through a temp file).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else { return };
    let path = dir.path().join("case.geojson");
    if std::fs::write(&path, data).is_ok() {
        let _ = landpool::io::read_layer(&path, &landpool::io::ReadOptions::default());
    }
});
