//! Collects layers into one GeoPackage with landpool's readers and pure-Rust writer:
//!
//! ```sh
//! cargo run --release --example layers_to_gpkg -- out.gpkg data/sample/parcels.geojson \
//!     data/sample/density_zones.geojson
//! ```
//!
//! Every source landpool reads works (`x.shp`, `x.gpkg:layer`, and with `--features gdal`
//! `x.gdb:layer` or `PG:…`); each becomes a layer named after its source layer. Prints how
//! long reading and writing took, which is how the GeoPackage writer's speed is measured
//! against `ogr2ogr` in docs/performance.md.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use landpool::io::gpkg::write_gpkg;
use landpool::io::table::OutputTable;
use landpool::io::{LayerSource, ReadOptions, read_source};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((out, sources)) = args.split_first().filter(|(_, s)| !s.is_empty()) else {
        eprintln!("usage: layers_to_gpkg OUT.gpkg SOURCE...");
        return ExitCode::from(2);
    };
    let start = Instant::now();
    let mut layers = Vec::new();
    for s in sources {
        match read_source(&LayerSource::parse(s), &ReadOptions::default()) {
            Ok(layer) => layers.push(layer),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        }
    }
    let read = start.elapsed();
    let tables: Vec<OutputTable> = layers.iter().map(OutputTable::from_layer).collect();
    let start = Instant::now();
    if let Err(e) = write_gpkg(&PathBuf::from(out), &tables) {
        eprintln!("error: {e}");
        return ExitCode::from(1);
    }
    let features: usize = layers.iter().map(|l| l.features.len()).sum();
    println!(
        "{features} features in {} layer(s): read {:.3} s, GeoPackage written in {:.3} s",
        layers.len(),
        read.as_secs_f64(),
        start.elapsed().as_secs_f64()
    );
    ExitCode::SUCCESS
}
