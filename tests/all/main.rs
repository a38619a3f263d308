//! landpool's integration tests in one binary (one link instead of one per file), a module
//! per topic. The peer suites read their data from `tests/data` (vendored, each dataset with
//! its SOURCE.md); the worked examples from `tests/fixtures` and `data/`. Tests that need the
//! `gdal` feature are in the second binary, `tests/gdal/main.rs`.
//!
//! Run one module with `cargo test --test all MODULE::` (e.g. `cargo test --test all almere::`).

mod common;

mod almere;
mod assess_example_a;
mod batch;
mod check_cases;
mod cli_assess_errors;
mod cli_assess_gpkg;
mod cli_inspect;
mod cli_overlay;
mod cli_siting;
mod cli_synth;
mod config_validation;
mod hardening_readers;
mod io_crs;
mod io_crs_backends;
mod io_crs_units;
#[cfg(feature = "parquet")]
mod io_formats;
mod io_gcj02;
mod io_geojson;
mod io_gpkg;
mod io_shapefile;
mod io_shapefile_synthetic;
mod jts_suite;
mod output_folder;
mod overlay_props;
mod pipelines_repair_policy;
mod planning_batch;
mod planning_constraints;
mod policy_capacity;
mod policy_issue14;
mod policy_properties;
mod policy_rules;
mod policy_tenure;
mod policy_transition;
mod regression;
mod report_html;
mod report_xlsx;
mod sensitivity;
mod siting_example_a;
mod siting_guangming;
mod synth;
mod tobler_sacramento;
mod validity_flanders;
mod validity_props;
