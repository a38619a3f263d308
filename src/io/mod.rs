//! I/O: layer readers and writers, CRS handling. Nothing here knows about policy.

pub mod crs;
pub mod write;
