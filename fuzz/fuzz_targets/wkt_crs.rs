//! CRS parsing: WKT (`.prj` text) and user CRS strings.
#![no_main]

use landpool::io::crs::Crs;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = Crs::from_wkt(&text);
    let _ = Crs::parse(&text);
});
