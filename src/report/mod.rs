//! Reports: JSON for machines, tables for people, and the regression diff.

pub mod assessment;
pub mod batch;
pub mod diff;
pub mod html;
pub mod overlay_table;
pub mod summary;
pub mod tables;
pub mod xlsx;
