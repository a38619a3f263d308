//! The geometry engine: validity and repair, spatial index, area-weighted overlay and
//! topology QA. It knows nothing of land-consolidation policy.

pub mod boundary;
pub mod placement;
pub mod validity;
