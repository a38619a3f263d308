//! The integration tests that need the `gdal` feature (GDAL/OGR formats, PostgreSQL/PostGIS),
//! in a second binary that Cargo builds only with `--features gdal` (`required-features` in
//! Cargo.toml). The helpers are the main binary's (`tests/all/common.rs`).

#[path = "../all/common.rs"]
mod common;

mod gdal_formats;
mod gdal_postgis;
