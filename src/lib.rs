//! landpool — GIS toolkit for Shenzhen land-consolidation interest coordination
//! (土地整备利益统筹).
//!
//! The crate is layered; each layer knows nothing of the ones above it:
//!
//! * [`model`] — the in-memory model: a layer is a source label, a CRS and features, a
//!   feature is a stable id, a `geo` MultiPolygon and typed attributes.
//! * [`io`] — readers and writers (GeoJSON, Shapefile, CRS handling, GCJ-02, atomic writes).
//! * [`geom`] — the geometry engine: validity and repair, spatial index, area-weighted
//!   overlay, topology QA. It knows no policy.
//! * [`policy`] — the policy engine: rule sets with provenance, tenure classification,
//!   rights floor area, eligibility, siting. It knows no file formats.
//! * [`report`] — human and machine reports, and the regression diff.
//! * [`sensitivity`] — how the figures move with the illustrative rule values.
//! * [`project`], [`batch`], [`pipeline`] — the application layer: one project, a whole
//!   district in parallel, and the inspect/overlay pipelines the CLI calls.
//! * [`synth`] — a seeded synthetic district generator.

// Every public item is documented; CI's `clippy -D warnings` makes a missing doc an error.
#![warn(missing_docs)]

// Two SQLite libraries in one process (rusqlite's bundled copy and the system one GDAL
// links) make GDAL's GeoPackage driver crash.
#[cfg(all(feature = "sqlite-bundled", feature = "gdal"))]
compile_error!(
    "the `sqlite-bundled` and `gdal` features cannot be combined: GDAL links the system \
     SQLite, and a second, bundled SQLite in the same process crashes GDAL's GeoPackage \
     driver; build with `--features gdal` alone (it needs libsqlite3-dev, which GDAL's \
     packages bring anyway)"
);

pub mod batch;
pub mod check;
pub mod error;
pub mod geom;

pub mod io;
pub mod model;
pub mod pipeline;
pub mod policy;
pub mod project;
pub mod report;
pub mod sensitivity;
pub mod synth;

pub use error::{Error, Result};
pub use model::{ColumnIndex, Feature, FeatureRef, Field, FieldKind, Layer, SourceLabel, Value};
