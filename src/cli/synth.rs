//! `landpool synth`: write a seeded synthetic district.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use landpool::synth::{SynthOptions, write_synthetic_district};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  landpool synth --out data/sample --parcels 3000 --projects 2 --seed 20221\n\n\
Writes parcels, buildings, density_zones, projects, retained_sites and land_prices as\n\
GeoJSON (EPSG:4547, millimetre coordinates) plus manifest.json. The same options always\n\
give byte-identical files."
)]
pub struct Args {
    /// Output directory (created if missing; existing files are replaced atomically).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Approximate number of parcels.
    #[arg(long, default_value_t = 3000, value_name = "N")]
    pub parcels: usize,
    /// Number of project boundaries.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub projects: usize,
    /// Random seed.
    #[arg(long, default_value_t = 20221, value_name = "S")]
    pub seed: u64,
    /// Number of deliberate defects to plant (listed in manifest.json).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub defects: usize,
    /// Fraction of the district (0–0.9) left without a density zone, next to project 1.
    #[arg(long, default_value_t = 0.0, value_name = "F")]
    pub uncovered_zone_fraction: f64,
    /// Make projects 1 and 2 overlap.
    #[arg(long)]
    pub overlapping_projects: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let opts = SynthOptions {
        parcels: args.parcels,
        projects: args.projects,
        seed: args.seed,
        defects: args.defects,
        uncovered_zone_fraction: args.uncovered_zone_fraction,
        overlapping_projects: args.overlapping_projects,
    };
    let start = Instant::now();
    let manifest = write_synthetic_district(&args.out, &opts)
        .with_context(|| format!("writing synthetic district to {}", args.out.display()))?;
    let elapsed = start.elapsed();
    println!(
        "synthetic district (seed {}, EPSG:4547) written to {}:",
        opts.seed,
        args.out.display()
    );
    for layer in &manifest.layers {
        println!(
            "  {:<40} {:>10} features",
            args.out.join(&layer.file).display(),
            layer.features
        );
    }
    println!(
        "  {}",
        args.out.join(landpool::synth::MANIFEST_FILE).display()
    );
    let [x0, y0, x1, y1] = manifest.district_bounds;
    println!(
        "district {:.0} m x {:.0} m ({:.2} km²) at x {x0:.0}..{x1:.0}, y {y0:.0}..{y1:.0}",
        x1 - x0,
        y1 - y0,
        manifest.district_area_m2 / 1e6
    );
    if !manifest.defects.is_empty() {
        println!("{} deliberate defects:", manifest.defects.len());
        for d in &manifest.defects {
            println!("  {} #{} ({}): {}", d.layer, d.index, d.id, d.description);
        }
    }
    println!("done in {:.2} s", elapsed.as_secs_f64());
    Ok(ExitCode::SUCCESS)
}
