//! District-wide batch (`landpool batch`): every project of a district in one run.
//!
//! The district layers are read, validated and indexed once (`slice`). Each project then
//! gets the part of them near its boundary (an R-tree query, never a scan of the district)
//! and goes through exactly the pipeline of `landpool assess`
//! ([`crate::project::assess_loaded`]), in parallel (`project`). One failing project
//! becomes a `failed` row; the others go on. The district tables and the roll-up of the
//! outcomes are in `parcels`; the district file and its per-project overrides in
//! `district` and `overrides`.

mod district;
mod overrides;
mod parcels;
mod project;
mod rollup;
mod slice;

use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use crate::geom::overlay::OverlayOptions;
use crate::model::Layer;
use crate::project::{LayerSummary, ProjectLayers, ProjectReport, RuleSets, load_layers};
use crate::{Error, Result};

pub use district::{DistrictFile, DistrictSection};
pub use parcels::{DistrictParcel, ProjectOverlap};
pub use project::{ProjectOutcome, ProjectStatus, headline};
pub use rollup::{ConstraintRollup, DistrictRollup};

use overrides::{Overrides, read_overrides};
use project::SharedInputs;
use slice::{DistrictGeometries, DistrictIndex, SliceSource, sites_by_project};

/// Called after each project with (projects done, total), e.g. to move a progress bar.
pub type ProgressFn = std::sync::Arc<dyn Fn(usize, usize) + Send + Sync>;

/// Receives each assessed project's report as soon as it is done (e.g. to write it), so
/// that a district of thousands of projects does not hold every report in memory.
pub type ReportSink = std::sync::Arc<dyn Fn(&str, &ProjectReport) -> Result<()> + Send + Sync>;

/// Options of a batch run.
#[derive(Clone, Default)]
pub struct BatchOptions {
    /// Worker threads (`None`: all cores). Results do not depend on it.
    pub threads: Option<usize>,
    /// Called after each project.
    pub progress: Option<ProgressFn>,
    /// Where reports go; without one, each outcome keeps its report.
    pub report_sink: Option<ReportSink>,
}

/// Wall time of each phase, seconds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PhaseTimes {
    /// Reading the rule sets, the layers and the project parameters.
    pub read: f64,
    /// Building the district indexes.
    pub index: f64,
    /// The district parcel table (zone overlay, tenure).
    pub district_overlay: f64,
    /// Assessing every project.
    pub assess: f64,
}

/// The result of a batch run.
#[derive(Debug, Clone)]
pub struct BatchRun {
    /// One outcome per project, in boundary-layer order.
    pub projects: Vec<ProjectOutcome>,
    /// Every district parcel, in layer order.
    pub parcels: Vec<DistrictParcel>,
    /// Pairs of projects whose boundaries overlap.
    pub overlaps: Vec<ProjectOverlap>,
    /// What was read and repaired in each district layer (written to inputs.json).
    pub layer_summaries: Vec<LayerSummary>,
    /// The district parcel layer (for the GeoJSON output).
    pub parcels_layer: Layer,
    /// The project-boundary layer (for the map of index.html).
    pub boundary_layer: Layer,
    /// The district's `[[constraints]]` (name, kind), in file order.
    pub constraints: Vec<(String, crate::policy::planning::ConstraintKind)>,
    /// The planning roll-up (district.json), when the district has constraints.
    pub rollup: Option<DistrictRollup>,
    /// Wall time of each phase.
    pub times: PhaseTimes,
}

/// Runs every project of the district.
pub fn run_batch(district: &DistrictFile, opts: &BatchOptions) -> Result<BatchRun> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {:?} threads: {e}", opts.threads)))?;
    pool.install(|| run_batch_in_pool(district, opts))
}

/// The district's inputs, read once.
struct DistrictInputs {
    rules: RuleSets,
    layers: ProjectLayers,
    overrides: Overrides,
}

/// What the batch computed over the district.
struct DistrictResults {
    projects: Vec<ProjectOutcome>,
    parcels: Vec<DistrictParcel>,
    overlaps: Vec<ProjectOverlap>,
}

fn run_batch_in_pool(district: &DistrictFile, opts: &BatchOptions) -> Result<BatchRun> {
    let mut times = PhaseTimes::default();
    let t = Instant::now();
    let inputs = read_inputs(district)?;
    times.read = t.elapsed().as_secs_f64();
    let results = assess_district(district, &inputs, opts, &mut times)?;
    let constraints: Vec<_> = inputs
        .layers
        .constraints
        .iter()
        .map(|c| (c.name.clone(), c.kind))
        .collect();
    let rollup = rollup::roll_up(
        district.district.name.clone(),
        &constraints,
        &results.projects,
    );
    // The layers are not needed any more: moved into the run, not copied.
    Ok(BatchRun {
        constraints,
        rollup,
        projects: results.projects,
        parcels: results.parcels,
        overlaps: results.overlaps,
        layer_summaries: inputs.layers.summaries,
        parcels_layer: inputs.layers.parcels,
        boundary_layer: inputs.layers.boundary,
        times,
    })
}

/// Reads the rule sets, the district layers and the project parameters.
fn read_inputs(district: &DistrictFile) -> Result<DistrictInputs> {
    let base = district.project_file("(district)", district.district.name.clone());
    Ok(DistrictInputs {
        rules: RuleSets::load(&base)?,
        layers: load_layers(&base)?,
        overrides: read_overrides(district)?,
    })
}

/// Indexes the district, builds the parcel table, assesses every project and rolls the
/// outcomes up.
fn assess_district(
    district: &DistrictFile,
    inputs: &DistrictInputs,
    opts: &BatchOptions,
    times: &mut PhaseTimes,
) -> Result<DistrictResults> {
    let layers = &inputs.layers;
    let t = Instant::now();
    let geometries = DistrictGeometries::of(layers);
    let index = DistrictIndex::new(&geometries);
    times.index = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let overlay_opts = OverlayOptions {
        sliver_floor: district.input.sliver_floor_m2,
        threads: None,
    };
    let mut parcels = parcels::district_parcels(
        district,
        layers,
        &inputs.rules,
        &geometries.parcels,
        &index.zones,
        &overlay_opts,
    )?;
    times.district_overlay = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let sites = sites_by_project(layers.retained_sites.as_ref(), &district.fields);
    let shared = SharedInputs {
        district,
        rules: &inputs.rules,
        overrides: &inputs.overrides,
        slices: SliceSource {
            layers,
            index: &index,
            sites_by_project: &sites,
        },
        sink: opts.report_sink.as_ref(),
    };
    let projects = assess_projects(&shared, &layers.boundary, opts);
    times.assess = t.elapsed().as_secs_f64();

    let index_of = parcels::attach_projects(&mut parcels, &projects);
    let overlaps = parcels::project_overlaps(
        &layers.boundary,
        &projects,
        &parcels,
        &index_of,
        &overlay_opts,
    );
    Ok(DistrictResults {
        projects,
        parcels,
        overlaps,
    })
}

/// Every project of the boundary layer, in parallel, reporting progress.
fn assess_projects(
    shared: &SharedInputs<'_>,
    boundaries: &Layer,
    opts: &BatchOptions,
) -> Vec<ProjectOutcome> {
    let total = boundaries.features.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    boundaries
        .features
        .par_iter()
        .map(|bf| {
            let outcome = project::assess_one(shared, bf);
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if let Some(p) = &opts.progress {
                p(n, total);
            }
            outcome
        })
        .collect()
}
