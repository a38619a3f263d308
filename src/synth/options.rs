//! The generator's options and their checks.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Options of the generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynthOptions {
    /// Approximate number of parcels (the lattice has about this many cells; merges and
    /// splits make the exact count vary slightly).
    pub parcels: usize,
    /// Number of project boundaries (项目范围).
    pub projects: usize,
    /// Seed of every random stream: the same seed gives byte-identical files.
    pub seed: u64,
    /// Number of deliberate defects to plant (listed in the manifest).
    pub defects: usize,
    /// Fraction of the district area (0–0.9) left without a density zone, next to the
    /// first project, to exercise the "adjacent zone" fallback.
    pub uncovered_zone_fraction: f64,
    /// Move project 2 so that it overlaps project 1.
    pub overlapping_projects: bool,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            parcels: 3000,
            projects: 2,
            seed: 20221,
            defects: 0,
            uncovered_zone_fraction: 0.0,
            overlapping_projects: false,
        }
    }
}

impl SynthOptions {
    /// Checks the options; errors are [`Error::Usage`].
    pub fn validate(&self) -> Result<()> {
        if self.parcels < 4 {
            return Err(Error::Usage(format!(
                "--parcels must be at least 4 (got {})",
                self.parcels
            )));
        }
        if self.parcels > 50_000_000 {
            return Err(Error::Usage(format!(
                "--parcels must be at most 50,000,000 (got {})",
                self.parcels
            )));
        }
        if self.projects > 99_999 {
            return Err(Error::Usage(format!(
                "--projects must be at most 99,999 (got {})",
                self.projects
            )));
        }
        // Projects need room: at least ~100 cells each.
        if self.projects > 0 && self.parcels / self.projects < 100 {
            return Err(Error::Usage(format!(
                "{} projects need at least {} parcels",
                self.projects,
                self.projects * 100
            )));
        }
        if !(0.0..=0.9).contains(&self.uncovered_zone_fraction) {
            return Err(Error::Usage(format!(
                "--uncovered-zone-fraction must be between 0 and 0.9 (got {})",
                self.uncovered_zone_fraction
            )));
        }
        if self.defects > self.parcels / 4 {
            return Err(Error::Usage(format!(
                "--defects must be at most a quarter of the parcels ({})",
                self.parcels / 4
            )));
        }
        Ok(())
    }
}
