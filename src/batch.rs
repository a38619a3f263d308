//! District-wide batch (`landpool batch`): every project of a district in one run.
//!
//! The district layers are read, validated and indexed once. Each project then gets the part
//! of them near its boundary (an R-tree query, never a scan of the district) and goes
//! through exactly the pipeline of `landpool assess` ([`crate::project::assess_loaded`]),
//! in parallel. One failing project becomes a `failed` row; the others go on.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use geo::{BoundingRect, MultiPolygon, Rect};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::geom::aggregate::area_weighted_mean;
use crate::geom::index::TargetIndex;
use crate::geom::overlay::OverlayOptions;
use crate::geom::topology::self_overlaps;
use crate::layer::{Feature, Layer, Value};
use crate::policy::Severity;
use crate::policy::capacity::{Facility, UseShare};
use crate::policy::tenure::{TenureClass, TenureRules, TenureRulesConfig};
use crate::project::config::{
    FieldMap, InputSection, LayerPaths, Plan2018Section, PlanSection, ProjectSection,
    RuleSelection, RuleSetPaths, SitingSection,
};
use crate::project::{
    Computation, LayerSummary, ProjectFile, ProjectLayers, ProjectReport, RuleSets, assess_loaded,
    load_layers,
};
use crate::{Error, Result};

/// `[district]`: what every project shares.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DistrictSection {
    #[serde(default)]
    pub name: Option<String>,
    /// 评估基准日 of every project.
    #[serde(deserialize_with = "crate::project::config::toml_date")]
    pub assessment_date: chrono::NaiveDate,
    /// Rule-set choice for every project (`auto` lets each project's dates decide).
    #[serde(default)]
    pub rules: RuleSelection,
}

/// A district file (`district.toml`): a project file whose `[project]` is replaced by
/// `[district]`, whose `boundary` layer holds one feature per project, and whose `[plan]`
/// gives the defaults that a per-project CSV may override.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistrictFile {
    pub district: DistrictSection,
    pub rule_sets: RuleSetPaths,
    #[serde(default)]
    pub input: InputSection,
    pub layers: LayerPaths,
    #[serde(default)]
    pub fields: FieldMap,
    pub tenure: TenureRulesConfig,
    pub plan: PlanSection,
    #[serde(default)]
    pub plan_2018: Option<Plan2018Section>,
    #[serde(default)]
    pub siting: SitingSection,
    /// CSV with one row per project (`project_id` column) overriding plan parameters:
    /// planned_far, shared_ratio, shared_disposition, retained_zone, retained_use,
    /// retained_land_area_m2, plot_far, facility_floor_area_m2.
    #[serde(default)]
    pub project_parameters: Option<PathBuf>,
    #[serde(skip)]
    pub path: PathBuf,
}

impl DistrictFile {
    pub fn load(path: &Path) -> Result<DistrictFile> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut d: DistrictFile = crate::project::config::parse_toml(&text, path)?;
        d.path = path.to_path_buf();
        Ok(d)
    }

    /// The project file one project of the district is assessed with.
    pub fn project_file(&self, id: &str, name: Option<String>) -> ProjectFile {
        ProjectFile {
            project: ProjectSection {
                id: id.to_string(),
                name,
                assessment_date: self.district.assessment_date,
                entered_plan_date: None,
                plan_approved: None,
                major_project: None,
                dates_from: None,
                rules: self.district.rules,
            },
            rule_sets: self.rule_sets.clone(),
            input: self.input.clone(),
            layers: self.layers.clone(),
            fields: self.fields.clone(),
            tenure: self.tenure.clone(),
            plan: self.plan.clone(),
            plan_2018: self.plan_2018.clone(),
            siting: self.siting.clone(),
            base_dir: self
                .path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from(".")),
            path: self.path.clone(),
        }
    }
}

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
    pub progress: Option<ProgressFn>,
    /// Where reports go; without one, each outcome keeps its report.
    pub report_sink: Option<ReportSink>,
}

/// How a project ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    /// Assessed, no violation.
    Ok,
    /// Assessed, with at least one violated constraint.
    Findings,
    /// Not assessed: see the error.
    Failed,
}

/// One project of the batch.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectOutcome {
    pub project_id: String,
    pub name: Option<String>,
    pub feature_index: usize,
    pub status: ProjectStatus,
    pub error: Option<String>,
    /// Headline figures (name, value) for projects.csv; empty when the project failed.
    pub headline: Vec<(&'static str, Value)>,
    /// The project's findings.
    pub findings: Vec<crate::policy::Finding>,
    /// The full report, unless it went to the [`BatchOptions::report_sink`].
    #[serde(skip)]
    pub report: Option<Box<ProjectReport>>,
    /// Feature indices of the parcels counted or excluded inside the project.
    #[serde(skip)]
    pub inside_parcels: Vec<usize>,
}

/// Wall time of each phase, seconds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PhaseTimes {
    pub read: f64,
    pub index: f64,
    pub district_overlay: f64,
    pub assess: f64,
}

/// A district parcel with what the batch knows of it.
#[derive(Debug, Clone, Serialize)]
pub struct DistrictParcel {
    pub parcel_id: String,
    pub feature_index: usize,
    pub tenure: Option<TenureClass>,
    pub tenure_error: Option<String>,
    pub area_m2: f64,
    /// Residential 深标 base FAR area-weighted over the zones covering the parcel.
    pub density_base_far: Option<f64>,
    /// Share of the parcel covered by density zones.
    pub zone_covered_share: f64,
    pub project_ids: Vec<String>,
}

/// Two projects whose boundaries overlap.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectOverlap {
    pub project_a: String,
    pub project_b: String,
    pub overlap_m2: f64,
    /// Parcels counted in both.
    pub parcels_in_both: Vec<String>,
}

/// The result of a batch run.
#[derive(Debug, Clone)]
pub struct BatchRun {
    pub projects: Vec<ProjectOutcome>,
    pub parcels: Vec<DistrictParcel>,
    pub overlaps: Vec<ProjectOverlap>,
    /// What was read and repaired in each district layer (written to inputs.json).
    pub layer_summaries: Vec<LayerSummary>,
    /// The district parcel layer (for the GeoJSON output).
    pub parcels_layer: Layer,
    pub times: PhaseTimes,
}

/// Per-project plan overrides from the parameters CSV.
type Overrides = BTreeMap<String, BTreeMap<String, String>>;

fn read_overrides(district: &DistrictFile) -> Result<Overrides> {
    let Some(rel) = &district.project_parameters else {
        return Ok(Overrides::new());
    };
    let path = district
        .path
        .parent()
        .map_or_else(|| rel.clone(), |d| d.join(rel));
    let mut reader =
        csv::Reader::from_path(&path).map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
    let headers = reader
        .headers()
        .map_err(|e| Error::io(&path, std::io::Error::other(e)))?
        .clone();
    let id_col = headers
        .iter()
        .position(|h| h == "project_id")
        .ok_or_else(|| Error::Parse {
            path: path.clone(),
            line: Some(1),
            column: None,
            message: "no `project_id` column".into(),
        })?;
    let mut out = Overrides::new();
    for (n, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| Error::Parse {
            path: path.clone(),
            line: Some(n + 2),
            column: None,
            message: e.to_string(),
        })?;
        let id = rec.get(id_col).unwrap_or_default().to_string();
        let row = headers
            .iter()
            .zip(rec.iter())
            .filter(|(h, v)| *h != "project_id" && !v.trim().is_empty())
            .map(|(h, v)| (h.to_string(), v.trim().to_string()))
            .collect();
        out.insert(id, row);
    }
    Ok(out)
}

/// Applies one project's overrides to its project file; an unknown column or a bad number
/// is an error for that project.
fn apply_overrides(pf: &mut ProjectFile, row: &BTreeMap<String, String>) -> Result<()> {
    let num = |k: &str, v: &str| {
        v.parse::<f64>().map_err(|_| Error::Config {
            path: pf.path.clone(),
            line: None,
            column: None,
            key: format!("project_parameters.{k}"),
            message: format!("`{v}` is not a number"),
        })
    };
    for (k, v) in row {
        match k.as_str() {
            "planned_far" => pf.plan.planned_far = num(k, v)?,
            "shared_ratio" => pf.plan.shared_ratio = num(k, v)?,
            "shared_disposition" => pf.plan.shared_disposition = v.clone(),
            "retained_use" => pf.plan.retained_use = v.clone(),
            "retained_zone" => pf.plan.retained_zone = Some(num(k, v)? as u8),
            "facility_floor_area_m2" => {
                pf.plan.facilities = vec![Facility {
                    name: "facilities (project parameters)".into(),
                    floor_area_m2: num(k, v)?,
                }]
            }
            "market_share" => {
                let market = num(k, v)?;
                pf.plan.function_mix = vec![
                    UseShare {
                        use_id: "market_housing".into(),
                        share: market,
                    },
                    UseShare {
                        use_id: "shared_ownership_housing".into(),
                        share: 1.0 - market,
                    },
                ];
            }
            "retained_land_area_m2" | "plot_far" => {
                let p = pf.plan_2018.get_or_insert(Plan2018Section {
                    retained_land_area_m2: 0.0,
                    plot_far: 0.0,
                    shared_ratio: 0.0,
                    facilities: Vec::new(),
                });
                if k == "plot_far" {
                    p.plot_far = num(k, v)?;
                } else {
                    p.retained_land_area_m2 = num(k, v)?;
                }
            }
            other => {
                return Err(Error::Config {
                    path: pf.path.clone(),
                    line: None,
                    column: None,
                    key: format!("project_parameters.{other}"),
                    message: "unknown column".into(),
                });
            }
        }
    }
    Ok(())
}

fn geoms(layer: &Layer) -> Vec<MultiPolygon<f64>> {
    layer.features.iter().map(|f| f.geometry.clone()).collect()
}

/// A layer holding only the given features (in the given, ascending, order).
fn subset(layer: &Layer, indices: &[usize]) -> Layer {
    Layer {
        source: layer.source.clone(),
        name: layer.name.clone(),
        crs: layer.crs.clone(),
        schema: layer.schema.clone(),
        features: indices.iter().map(|&i| layer.features[i].clone()).collect(),
    }
}

fn union_rect(a: Rect<f64>, b: Rect<f64>) -> Rect<f64> {
    Rect::new(
        geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
        geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
    )
}

/// The summaries restricted to the features one project receives, so that each project's
/// report lists only its own repairs and problems.
fn summaries_for(all: &[LayerSummary], keep: &BTreeSet<(String, usize)>) -> Vec<LayerSummary> {
    all.iter()
        .map(|s| {
            let mut s = s.clone();
            let k = |src: &str, i: usize| keep.contains(&(src.to_string(), i));
            s.problems.retain(|p| k(&p.feature.source, p.feature.index));
            s.repairs
                .repaired
                .retain(|r| k(&r.feature.source, r.feature.index));
            s.repairs
                .unusable
                .retain(|u| k(&u.feature.source, u.feature.index));
            s
        })
        .collect()
}

/// Runs every project of the district.
pub fn run_batch(district: &DistrictFile, opts: &BatchOptions) -> Result<BatchRun> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {:?} threads: {e}", opts.threads)))?;
    pool.install(|| run_batch_in_pool(district, opts))
}

fn run_batch_in_pool(district: &DistrictFile, opts: &BatchOptions) -> Result<BatchRun> {
    let mut times = PhaseTimes::default();
    let t = Instant::now();
    let base = district.project_file("(district)", district.district.name.clone());
    let rules = RuleSets::load(&base)?;
    let layers = load_layers(&base)?;
    let overrides = read_overrides(district)?;
    times.read = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let parcel_geoms = geoms(&layers.parcels);
    let zone_geoms = geoms(&layers.density_zones);
    let building_geoms = layers.buildings.as_ref().map(geoms).unwrap_or_default();
    let pcl_geoms = layers
        .planned_construction_land
        .as_ref()
        .map(geoms)
        .unwrap_or_default();
    let parcel_index = TargetIndex::new(&parcel_geoms);
    let zone_index = TargetIndex::new(&zone_geoms);
    let building_index = TargetIndex::new(&building_geoms);
    let pcl_index = TargetIndex::new(&pcl_geoms);
    let price_geoms = layers.land_prices.as_ref().map(geoms).unwrap_or_default();
    let price_index = TargetIndex::new(&price_geoms);
    times.index = t.elapsed().as_secs_f64();

    // District-wide parcel table: tenure and area-weighted residential base FAR.
    let t = Instant::now();
    let overlay_opts = OverlayOptions {
        sliver_floor: district.input.sliver_floor_m2,
        threads: None,
    };
    let zone_table = zone_index.overlay(&parcel_geoms, &overlay_opts);
    let fields = &district.fields;
    let zone_far: Vec<f64> = layers
        .density_zones
        .features
        .iter()
        .map(|f| {
            layers
                .density_zones
                .attr(f, &fields.density_zone)
                .and_then(Value::as_f64)
                .filter(|z| z.fract() == 0.0 && (1.0..=5.0).contains(z))
                .and_then(|z| rules.new.shenbiao.base_far(z as u8, "residential"))
                .map_or(f64::NAN, |s| s.value)
        })
        .collect();
    let means = area_weighted_mean(&zone_table, &zone_far);
    let tenure_rules = TenureRules::new(district.tenure.clone()).map_err(|m| Error::Config {
        path: district.path.clone(),
        line: None,
        column: None,
        key: "tenure".into(),
        message: m,
    })?;
    let parcels_layer = &layers.parcels;
    let mut parcels: Vec<DistrictParcel> = parcels_layer
        .features
        .par_iter()
        .enumerate()
        .map(|(i, f)| {
            let (tenure, tenure_error) =
                match tenure_rules.classify(&|n: &str| parcels_layer.attr(f, n)) {
                    Ok(c) => (Some(c), None),
                    Err(e) => (None, Some(e.to_string())),
                };
            let area = zone_table.source_areas[i];
            let mean = means[i];
            DistrictParcel {
                parcel_id: f
                    .key
                    .clone()
                    .unwrap_or_else(|| parcels_layer.feature_ref(f).to_string()),
                feature_index: f.index,
                tenure,
                tenure_error,
                area_m2: area,
                density_base_far: mean.map(|m| m.mean),
                zone_covered_share: match mean {
                    Some(m) if area > 0.0 => m.covered_area / area,
                    _ => 0.0,
                },
                project_ids: Vec::new(),
            }
        })
        .collect();
    times.district_overlay = t.elapsed().as_secs_f64();

    // Each project on its own slice of the district.
    let t = Instant::now();
    // Sites grouped by the project they name once, not searched per project ("" = none).
    let mut sites_by_project: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    if let Some(s) = &layers.retained_sites {
        for (i, f) in s.features.iter().enumerate() {
            let p = s
                .attr(f, &fields.site_project)
                .and_then(Value::as_text)
                .unwrap_or_default();
            sites_by_project.entry(p).or_default().push(i);
        }
    }
    let boundary_layer = &layers.boundary;
    let total = boundary_layer.features.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let projects: Vec<ProjectOutcome> = boundary_layer
        .features
        .par_iter()
        .map(|bf| {
            let outcome = assess_one(
                district,
                &layers,
                &rules,
                &overrides,
                bf,
                &parcel_index,
                &zone_index,
                &building_index,
                &pcl_index,
                &price_index,
                opts.report_sink.as_ref(),
                &sites_by_project,
            );
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if let Some(p) = &opts.progress {
                p(n, total);
            }
            outcome
        })
        .collect();
    times.assess = t.elapsed().as_secs_f64();

    // Parcels in projects, and projects that overlap.
    let index_of: BTreeMap<usize, usize> = parcels
        .iter()
        .enumerate()
        .map(|(i, p)| (p.feature_index, i))
        .collect();
    for p in &projects {
        for fi in &p.inside_parcels {
            if let Some(&i) = index_of.get(fi) {
                parcels[i].project_ids.push(p.project_id.clone());
            }
        }
    }
    let boundary_geoms = geoms(boundary_layer);
    let overlaps = self_overlaps(&boundary_geoms, &overlay_opts)
        .overlaps
        .iter()
        .map(|o| {
            let (a, b) = (&projects[o.a], &projects[o.b]);
            let in_a: BTreeSet<usize> = a.inside_parcels.iter().copied().collect();
            let parcels_in_both = b
                .inside_parcels
                .iter()
                .filter(|i| in_a.contains(i))
                .filter_map(|i| index_of.get(i).map(|&k| parcels[k].parcel_id.clone()))
                .collect();
            ProjectOverlap {
                project_a: a.project_id.clone(),
                project_b: b.project_id.clone(),
                overlap_m2: o.area,
                parcels_in_both,
            }
        })
        .collect();

    Ok(BatchRun {
        projects,
        parcels,
        overlaps,
        layer_summaries: layers.summaries.clone(),
        parcels_layer: layers.parcels.clone(),
        times,
    })
}

#[allow(clippy::too_many_arguments)]
fn assess_one(
    district: &DistrictFile,
    layers: &ProjectLayers,
    rules: &RuleSets,
    overrides: &Overrides,
    boundary: &Feature,
    parcel_index: &TargetIndex<'_>,
    zone_index: &TargetIndex<'_>,
    building_index: &TargetIndex<'_>,
    pcl_index: &TargetIndex<'_>,
    price_index: &TargetIndex<'_>,
    sink: Option<&ReportSink>,
    sites_by_project: &BTreeMap<String, Vec<usize>>,
) -> ProjectOutcome {
    let bl = &layers.boundary;
    let id = boundary
        .key
        .clone()
        .unwrap_or_else(|| format!("#{}", boundary.index));
    let name = bl.attr(boundary, "name").and_then(Value::as_text);
    let failed = |error: String| ProjectOutcome {
        project_id: id.clone(),
        name: name.clone(),
        feature_index: boundary.index,
        status: ProjectStatus::Failed,
        error: Some(error),
        headline: Vec::new(),
        findings: Vec::new(),
        report: None,
        inside_parcels: Vec::new(),
    };
    let Some(bbox) = boundary.geometry.bounding_rect() else {
        return failed(format!(
            "{}: the project boundary is empty",
            bl.feature_ref(boundary)
        ));
    };
    let mut pf = district.project_file(&id, name.clone());
    if let Some(row) = overrides.get(&id)
        && let Err(e) = apply_overrides(&mut pf, row)
    {
        return failed(e.to_string());
    }
    let sites = layers.retained_sites.as_ref().map(|s| {
        // Sites naming this project, plus sites naming none (they may belong to any).
        let mut mine: Vec<usize> = sites_by_project.get(&id).cloned().unwrap_or_default();
        mine.extend(sites_by_project.get("").into_iter().flatten());
        mine.sort_unstable();
        subset(s, &mine)
    });
    // Zones are needed around the sites too (the retained land's zone), even off-site ones.
    let zone_box = sites
        .iter()
        .flat_map(|s| s.features.iter())
        .filter_map(|f| f.geometry.bounding_rect())
        .fold(bbox, union_rect);
    let parcel_ids = parcel_index.candidates(&bbox);
    let zone_ids = zone_index.candidates(&zone_box);
    let building_ids = building_index.candidates(&bbox);
    let pcl_ids = pcl_index.candidates(&bbox);
    // Prices are needed over the counted land and over every site, on- or off-site.
    let price_ids = price_index.candidates(&zone_box);
    let parcels = subset(&layers.parcels, &parcel_ids);
    let mut keep: BTreeSet<(String, usize)> = BTreeSet::new();
    for (layer, ids) in [
        (Some(&layers.parcels), &parcel_ids),
        (layers.buildings.as_ref(), &building_ids),
        (Some(&layers.density_zones), &zone_ids),
    ] {
        if let Some(l) = layer {
            let src = l.source.to_string();
            keep.extend(ids.iter().map(|&i| (src.clone(), l.features[i].index)));
        }
    }
    let src = bl.source.to_string();
    keep.insert((src, boundary.index));
    let project_layers = ProjectLayers {
        parcels,
        boundary: subset_features(bl, std::slice::from_ref(boundary)),
        density_zones: subset(&layers.density_zones, &zone_ids),
        buildings: layers.buildings.as_ref().map(|b| subset(b, &building_ids)),
        retained_sites: sites,
        land_prices: layers.land_prices.as_ref().map(|l| subset(l, &price_ids)),
        planned_construction_land: layers
            .planned_construction_land
            .as_ref()
            .map(|p| subset(p, &pcl_ids)),
        summaries: summaries_for(&layers.summaries, &keep),
    };
    match assess_loaded(pf, project_layers, rules) {
        Ok(run) => {
            let kept = match sink {
                Some(sink) => {
                    if let Err(e) = sink(&id, &run.report) {
                        return failed(format!("writing the report failed: {e}"));
                    }
                    None
                }
                None => Some(Box::new(run.report.clone())),
            };
            let violated = run
                .report
                .findings
                .iter()
                .any(|f| f.severity == Severity::Violation);
            let inside_parcels = run
                .report
                .measurement
                .inside
                .iter()
                .map(|p| p.feature_index)
                .collect();
            ProjectOutcome {
                project_id: id,
                name,
                feature_index: boundary.index,
                status: if violated {
                    ProjectStatus::Findings
                } else {
                    ProjectStatus::Ok
                },
                error: None,
                headline: headline(&run.report),
                findings: run.report.findings.clone(),
                report: kept,
                inside_parcels,
            }
        }
        Err(e) => failed(e.to_string()),
    }
}

fn subset_features(layer: &Layer, features: &[Feature]) -> Layer {
    Layer {
        source: layer.source.clone(),
        name: layer.name.clone(),
        crs: layer.crs.clone(),
        schema: layer.schema.clone(),
        features: features.to_vec(),
    }
}

/// The headline figures of a project, for projects.csv and the results' project_summary
/// table: the rule set's name, then numbers (`Null` where the 2018 rules have no such figure).
pub fn headline(report: &ProjectReport) -> Vec<(&'static str, Value)> {
    let f = Value::Float;
    match &report.computation {
        Computation::New(a) => vec![
            ("rules", Value::Str("2022_draft".into())),
            ("counted_land_area_m2", f(a.counted_land_area_m2)),
            ("land_rights_coef", f(a.land_rights_coef)),
            ("density_base_far", f(a.density.base_far)),
            ("building_rights_coef", f(a.buildings.building_rights_coef)),
            ("function_coef", f(a.function.function_coef)),
            ("rights_floor_area_m2", f(a.rights_floor_area_m2)),
            ("planned_floor_area_m2", f(a.planned_floor_area_m2)),
            ("retained_land_area_m2", f(a.retained.retained_land_area_m2)),
        ],
        Computation::Rules2018(a) => vec![
            ("rules", Value::Str("2018".into())),
            ("counted_land_area_m2", Value::Null),
            ("land_rights_coef", Value::Null),
            ("density_base_far", Value::Null),
            ("building_rights_coef", Value::Null),
            ("function_coef", Value::Null),
            ("rights_floor_area_m2", f(a.base_floor_area_m2)),
            ("planned_floor_area_m2", f(a.planned_floor_area_m2)),
            ("retained_land_area_m2", f(a.retained_land_area_m2)),
        ],
    }
}
