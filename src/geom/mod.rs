//! The geometry engine: validity and repair, spatial index, area-weighted overlay and
//! topology QA. It knows nothing of land-consolidation policy.

pub mod aggregate;
pub mod boundary;
pub mod clip;
pub mod compactness;
pub mod contiguity;
pub mod dissolve;
pub mod index;
pub mod overlay;
pub mod placement;
pub mod repair;
pub mod segment_index;
mod shortcut;
pub mod topology;
pub mod validity;

pub use clip::{
    AreaOperand, BooleanOpsKernel, ConvexClipKernel, DefaultKernel, IntersectionAreaKernel,
    TriangulatedClipKernel,
};
pub use index::TargetIndex;
pub use overlay::{OverlayOptions, OverlayTable, PairError, Piece, overlay_areas};
