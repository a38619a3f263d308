//! `landpool overlay`: area-weighted overlay of a source layer with a target layer, written
//! as a pieces table (CSV/JSON), piece geometries (GeoJSON) and optional per-target
//! aggregations. The pipeline is [`landpool::pipeline::overlay`]; this parses and prints.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Instant;

use landpool::geom::repair::{RepairPolicy, repair_lines};
use landpool::io::crs::Crs;
use landpool::pipeline::overlay::{
    OverlayOptions, OverlayResult, WrittenFiles, check_output, overlay_to_files,
};
use landpool::report::overlay_table::AggregateSpec;

mod args;

pub use args::Args;

fn parse_crs(s: Option<&str>) -> anyhow::Result<Option<Crs>> {
    Ok(s.map(Crs::parse).transpose()?)
}

/// The options of `args`, CRS not yet parsed (the usage checks of the output come first).
fn options(args: &Args) -> OverlayOptions {
    OverlayOptions {
        source: args.source.clone(),
        target: args.target.clone(),
        planar_degrees: args.planar_degrees,
        allow_distorted_areas: args.allow_distorted_areas,
        encoding: args.encoding.clone(),
        source_id: args.source_id.clone(),
        target_id: args.target_id.clone(),
        by: args.by.clone(),
        aggregate: AggregateSpec {
            extensive: args.extensive.clone(),
            intensive: args.intensive.clone(),
            categorical: args.categorical.clone(),
            allocate_total: args.allocate_total,
        },
        sliver_floor: args.sliver_floor,
        threads: args.threads.map(usize::from),
        repair: RepairPolicy::from_no_repair(args.no_repair),
        ..OverlayOptions::default()
    }
}

/// Parses `--crs`, `--source-crs`, `--target-crs` and `--to-crs` into `opts`.
fn parse_crs_options(args: &Args, opts: &mut OverlayOptions) -> anyhow::Result<()> {
    let both = parse_crs(args.crs.as_deref())?;
    opts.source_crs = parse_crs(args.source_crs.as_deref())?.or_else(|| both.clone());
    opts.target_crs = parse_crs(args.target_crs.as_deref())?.or(both);
    opts.to_crs = parse_crs(args.to_crs.as_deref())?;
    Ok(())
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let start = Instant::now();
    let mut opts = options(&args);
    check_output(&opts, &args.out)?;
    parse_crs_options(&args, &mut opts)?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "overlay {bar:40} {pos}/{len} sources ({elapsed}, eta {eta})",
        ) {
            bar.set_style(style);
        }
        bar
    });
    let (result, written) = overlay_to_files(&opts, &args.out, &mut |done, total| {
        if let Some(b) = &bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    })?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    print_notes(&result);
    print_summary(&result, &written, start);
    Ok(ExitCode::SUCCESS)
}

/// Notes on stderr: planar-degrees mode, reprojections, and every repair.
fn print_notes(result: &OverlayResult) {
    if result.options.planar_degrees {
        let crs = result
            .source
            .crs
            .as_ref()
            .map_or_else(|| "no CRS".to_string(), |c| c.to_string());
        eprintln!(
            "note: --planar-degrees: areas are planar in the layers' own units ({crs}; degrees² \
             for lon/lat), as tobler/GeoPandas compute them — not land areas in m²"
        );
    }
    for r in &result.reprojections {
        let (from, to) = (&r.reprojected.from, &r.reprojected.to);
        eprintln!("{}: reprojected {from} → {to}", r.source);
    }
    for (layer, repairs) in [&result.source, &result.target]
        .into_iter()
        .zip([&result.repairs.source, &result.repairs.target])
    {
        if repairs.is_empty() {
            continue;
        }
        eprintln!(
            "{}: repaired {} invalid feature(s), {} unusable (--no-repair refuses them):",
            layer.source,
            repairs.report.repaired.len(),
            repairs.report.unusable.len()
        );
        for line in repair_lines(&repairs.report) {
            eprintln!("  {line}");
        }
    }
}

fn print_summary(result: &OverlayResult, written: &WrittenFiles, start: Instant) {
    let s = result.summary();
    println!(
        "{} sources × {} targets: {} pieces ({} covered), intersected area {}",
        s.sources, s.targets, s.pieces, s.covered, s.intersected_area
    );
    if let Some(rows) = s.grouped_rows.filter(|r| *r != s.pieces) {
        println!("  {rows} rows after grouping by --by");
    }
    if s.unmet_sources > 0 {
        println!(
            "  {} sources meet no target (above the sliver floor): not in the pieces table",
            s.unmet_sources
        );
    }
    if s.slivers > 0 {
        println!(
            "  {} slivers below the floor, total area {} (not counted)",
            s.slivers, s.sliver_area
        );
    }
    for p in [
        Some(&written.pieces),
        written.targets.as_ref(),
        written.repairs.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        println!("  wrote {}", p.display());
    }
    let t = &result.timings;
    let rest = start.elapsed().saturating_sub(t.read + t.overlay);
    println!(
        "done in {:.2} s (read {:.2} s, overlay {:.2} s, aggregate+write {:.2} s)",
        start.elapsed().as_secs_f64(),
        t.read.as_secs_f64(),
        t.overlay.as_secs_f64(),
        rest.as_secs_f64()
    );
}
