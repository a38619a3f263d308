//! One land-consolidation project from its files to its figures: the application layer that
//! joins I/O, the geometry engine and the policy engine (`landpool assess`).
//!
//! The policy engine sees only measured numbers; this module does the measuring:
//! 1. read and validate the layers (repairs reported), pick the project's boundary;
//! 2. cut the parcels by the boundary (a straddling parcel counts its inside part only);
//! 3. overlay the inside parts with the density zones, the buildings with the inside parts;
//! 4. classify tenure, hand everything to the rule set chosen by the transition rule;
//! 5. keep a status for every parcel of the layer, so none is dropped silently.

pub mod config;
mod load;
pub mod measure;
pub mod planning;
pub mod siting;
pub mod validate;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::geom::validity::{FeatureProblem, RepairReport};
use crate::io::crs::Reprojected;
use crate::model::Layer;
use crate::policy::rules::{RuleSet, RuleValue};
use crate::policy::transition::{RuleChoice, TransitionDecision, TransitionInput, select_rules};
use crate::policy::{Assessment, Assessment2018, Finding};
use crate::{Error, Result};

pub use config::{LayerSpec, ProjectFile};
pub use load::load_layers;
pub use measure::{Measurement, ParcelRow, ParcelStatus};
pub use siting::{SiteRow, SitingReport};

/// The role of an input layer in a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerRole {
    /// The parcel layer.
    Parcels,
    /// The project-boundary layer.
    Boundary,
    /// The density-zone layer.
    DensityZones,
    /// The building layer.
    Buildings,
    /// The retained-land site layer.
    RetainedSites,
    /// The land-price layer.
    LandPrices,
    /// The planned-construction-land layer (规划建设用地).
    PlannedConstructionLand,
    /// A planning constraint layer (`[[constraints]]`).
    Constraint,
}

/// What was read for one layer, and what was done to it.
#[derive(Debug, Clone, Serialize)]
pub struct LayerSummary {
    /// What the layer is for.
    pub role: LayerRole,
    /// The path as written in the project file.
    pub path: String,
    /// Number of features read.
    pub features: usize,
    /// The layer's CRS as read, when known.
    pub crs: Option<String>,
    /// The reprojection or unit conversion applied, if any.
    pub reprojected: Option<Reprojected>,
    /// Geometry problems found by validation.
    pub problems: Vec<FeatureProblem>,
    /// Repairs made (feature, problem, area before and after).
    pub repairs: RepairReport,
}

/// The loaded, validated, area-ready layers of a project.
#[derive(Debug, Clone)]
pub struct ProjectLayers {
    /// Parcels.
    pub parcels: Layer,
    /// Project boundary (or boundaries).
    pub boundary: Layer,
    /// Density zones.
    pub density_zones: Layer,
    /// Buildings, when given.
    pub buildings: Option<Layer>,
    /// Retained-land sites, when given.
    pub retained_sites: Option<Layer>,
    /// Land-price zones, when given.
    pub land_prices: Option<Layer>,
    /// Planned construction land, when given.
    pub planned_construction_land: Option<Layer>,
    /// The `[[constraints]]` layers, each dissolved once, in file order.
    pub constraints: Vec<planning::ConstraintRegion>,
    /// What was read and done per layer (report.json `inputs`).
    pub summaries: Vec<LayerSummary>,
}

/// The computation the rule set drove.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "rules", rename_all = "snake_case")]
pub enum Computation {
    /// 2022 draft rules.
    New(Box<Assessment>),
    /// 2018 rules.
    Rules2018(Box<Assessment2018>),
}

/// The machine-readable result of `landpool assess` (report.json).
#[derive(Debug, Clone, Serialize)]
pub struct ProjectReport {
    /// The program and version that wrote the report.
    pub tool: ToolInfo,
    /// The `[project]` section as assessed.
    pub project: config::ProjectSection,
    /// Every unofficial (illustrative) rule value the figures depend on. Read this first.
    pub not_official_values: Vec<RuleValue>,
    /// Which rule set applied, and why (the transition rule).
    pub rule_selection: TransitionDecision,
    /// What was read, reprojected and repaired per layer.
    pub inputs: Vec<LayerSummary>,
    /// The measured areas the policy engine was given.
    pub measurement: Measurement,
    /// The figures of the rule set that applied.
    pub computation: Computation,
    /// Retained-land siting, when the project has a retained-sites layer.
    pub siting: Option<SitingReport>,
    /// Planning analyses (constraint conflicts, enclaves, contiguity), when the project
    /// file has `[[constraints]]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub planning: Option<planning::PlanningAnalysis>,
    /// Findings of the policy engine (violated constraints) and of the measurement.
    pub findings: Vec<Finding>,
    /// Warnings for the reader (e.g. unrepairable parcels).
    pub warnings: Vec<String>,
    /// Every parcel of the parcel layer with its status.
    pub parcels: Vec<ParcelRow>,
}

/// Which program wrote a report.
#[derive(Debug, Clone, Serialize)]
pub struct ToolInfo {
    /// Program name.
    pub name: &'static str,
    /// Program version.
    pub version: &'static str,
}

/// A finished assessment: the report plus what the writers need.
#[derive(Debug, Clone)]
pub struct ProjectRun {
    /// The project file as assessed.
    pub config: ProjectFile,
    /// The loaded layers (for the writers' geometries).
    pub layers: ProjectLayers,
    /// The report.
    pub report: ProjectReport,
    /// The sensitivity of the figures to the illustrative values, when asked for
    /// (`assess --sensitivity`): report.html then shows it.
    pub sensitivity: Option<crate::sensitivity::Sensitivity>,
}

/// Reads, measures and assesses the project described by a project file.
pub fn assess_project_file(path: &Path) -> Result<ProjectRun> {
    let config = ProjectFile::load(path)?;
    assess_project(config)
}

/// The two rule sets a project may be assessed under, loaded once (a batch shares them).
#[derive(Debug, Clone)]
pub struct RuleSets {
    /// The 2022 draft rules (they also hold the transition rule's effective date).
    pub new: RuleSet,
    /// The 2018 rules (6号文).
    pub rules_2018: RuleSet,
}

impl RuleSets {
    /// Loads the rule-set files a project (or district) file names.
    pub fn load(config: &ProjectFile) -> Result<RuleSets> {
        let load = |key: &str, rel: &Path| {
            let path = config.resolve(rel);
            RuleSet::load(&path).map_err(|e| match e {
                // A missing or unreadable rule-set file: say which key of which file named it.
                Error::Io { source, .. } => Error::Config {
                    path: config.path.clone(),
                    line: None,
                    column: None,
                    key: format!("rule_sets.{key}"),
                    message: format!("cannot read the rule set {}: {source}", path.display()),
                },
                other => other,
            })
        };
        Ok(RuleSets {
            new: load("new", &config.rule_sets.new)?,
            rules_2018: load("rules_2018", &config.rule_sets.rules_2018)?,
        })
    }
}

/// Assesses a parsed project file: loads its rule sets and layers, then measures and
/// assesses.
pub fn assess_project(config: ProjectFile) -> Result<ProjectRun> {
    let rules = RuleSets::load(&config)?;
    let layers = load_layers(&config)?;
    assess_loaded(config, layers, &rules)
}

/// Assesses a project whose layers are already loaded and validated (the batch hands each
/// project the part of the district layers near its boundary).
pub fn assess_loaded(
    mut config: ProjectFile,
    layers: ProjectLayers,
    rules: &RuleSets,
) -> Result<ProjectRun> {
    check_plan_against_rules(&config, rules)?;
    let new_rules = &rules.new;
    let entered_plan = resolve_project_facts(&mut config, &layers)?;
    let decision = select_rules(
        new_rules,
        &TransitionInput {
            entered_plan,
            plan_approved: config.project.plan_approved.unwrap_or(false),
            choice: config.project.rules.choice(),
        },
    )
    .map_err(|e| in_file(&config.path, "project.rules", e))?;

    let chosen_rules = match decision.chosen {
        RuleChoice::New => new_rules,
        RuleChoice::Rules2018 => &rules.rules_2018,
    };
    let m = measure::measure(&config, &layers, &chosen_rules.shenbiao)?;

    let Computed {
        computation,
        mut findings,
        mut warnings,
        mut not_official,
    } = compute(&config, &m, decision.chosen, rules)?;
    let basis = siting::SitingBasis::of(&computation, &m, &rules.rules_2018)?;
    let siting = siting::site_project(&config, &layers, &m, &basis)?;
    if let Some(s) = &siting {
        findings.extend(s.findings.iter().cloned());
        if s.sites.iter().any(|r| r.base_2018.is_some()) {
            list_offsite_2018_values(&rules.rules_2018, &mut not_official)?;
        }
    }
    findings.extend(m.findings.iter().cloned());
    warnings.extend(m.warnings.iter().cloned());
    // The transition rule used the draft's effective date: list it if it is not official.
    let e = &decision.effective_date.provenance;
    if e.status != crate::policy::Status::Official
        && !not_official.iter().any(|v| v.key == e.key)
        && let Some(v) = new_rules.values().iter().find(|v| v.key == e.key)
        && v.status == crate::policy::Status::Illustrative
    {
        not_official.insert(0, v.clone());
    }
    let parcels = measure::parcel_rows(&m, &computation);
    let planning = planning::analyse_project(&config, &layers, &m, &parcels, siting.as_ref())?;
    if let Some(p) = &planning {
        findings.extend(p.findings.iter().cloned());
    }

    let report = ProjectReport {
        tool: ToolInfo {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        project: config.project.clone(),
        not_official_values: not_official,
        rule_selection: decision,
        inputs: layers.summaries.clone(),
        measurement: m,
        computation,
        siting,
        planning,
        findings,
        warnings,
        parcels,
    };
    Ok(ProjectRun {
        config,
        layers,
        report,
        sensitivity: None,
    })
}

/// The policy computation of the rule set that applies, with its findings, warnings and
/// not-official values (the starting lists of the report).
#[derive(Debug, Clone)]
pub struct Computed {
    /// The figures of the chosen rule set.
    pub computation: Computation,
    /// The policy engine's findings.
    pub findings: Vec<crate::policy::Finding>,
    /// The policy engine's warnings.
    pub warnings: Vec<String>,
    /// The illustrative values the computation read.
    pub not_official: Vec<crate::policy::RuleValue>,
}

/// Runs the chosen rule set's computation on the measurement: the step after measuring,
/// which reads no layer (a what-if re-runs it with changed rule sets on one measurement).
pub fn compute(
    config: &ProjectFile,
    m: &measure::Measurement,
    chosen: RuleChoice,
    rules: &RuleSets,
) -> Result<Computed> {
    Ok(match chosen {
        RuleChoice::New => {
            check_function_mix_against_rules(config, &rules.new)?;
            let input = measure::policy_input_2022(config, m)?;
            let a = crate::policy::assess(&rules.new, &input)
                .map_err(|e| computing_in_file(config, "2022 draft", e))?;
            Computed {
                findings: a.findings.clone(),
                warnings: a.warnings.clone(),
                not_official: a.illustrative_values_used.clone(),
                computation: Computation::New(Box::new(a)),
            }
        }
        RuleChoice::Rules2018 => {
            let input = measure::policy_input_2018(config, m)?;
            let a = crate::policy::assess_2018(&rules.rules_2018, &input)
                .map_err(|e| computing_in_file(config, "2018", e))?;
            Computed {
                findings: a.findings.clone(),
                warnings: a.warnings.clone(),
                not_official: a.illustrative_values_used.clone(),
                computation: Computation::Rules2018(Box::new(a)),
            }
        }
    })
}

/// The 2018 off-site rule's values join the not-official list when a site used them.
fn list_offsite_2018_values(
    rules_2018: &RuleSet,
    not_official: &mut Vec<crate::policy::RuleValue>,
) -> Result<()> {
    let o = &rules_2018.rules_2018()?.offsite;
    for key in [
        &o.existing_floor_area_multiplier.provenance.key,
        &o.operator.provenance.key,
    ] {
        if let Some(v) = rules_2018.values().iter().find(|v| &v.key == key)
            && v.status == crate::policy::Status::Illustrative
            && !not_official.iter().any(|u| u.key == v.key)
        {
            not_official.push(v.clone());
        }
    }
    Ok(())
}

/// Fills the project's dates and flags the project file leaves out from the boundary
/// feature's attributes, and records where each came from. Returns the entered-plan date.
fn resolve_project_facts(
    config: &mut ProjectFile,
    layers: &ProjectLayers,
) -> Result<chrono::NaiveDate> {
    let boundary_layer = &layers.boundary;
    let boundary = measure::project_boundary(config, boundary_layer)?;
    let attr = |name: &str| boundary_layer.attr(boundary, name);
    let mut from_attributes = Vec::new();
    let fields = config.fields.clone();
    let p = &mut config.project;
    if p.entered_plan_date.is_none() {
        let v = attr(&fields.entered_plan_date);
        let date = v
            .and_then(crate::Value::as_date)
            .ok_or_else(|| Error::Feature {
                path: boundary_layer.source.to_path_buf(),
                feature: boundary_layer.feature_ref(boundary).to_string(),
                message: format!(
                    "no entered-plan date (纳入年度计划日期): attribute `{}` is {}; give it as \
                 [project] entered_plan_date in the project file or fix the attribute",
                    fields.entered_plan_date,
                    v.map_or("missing".to_string(), |v| format!("{v:?}, not a date"))
                ),
            })?;
        p.entered_plan_date = Some(date);
        from_attributes.push("entered_plan_date");
    }
    if p.plan_approved.is_none() {
        p.plan_approved = Some(measure::truthy(attr(&fields.plan_approved)));
        from_attributes.push("plan_approved");
    }
    if p.major_project.is_none() {
        p.major_project = Some(measure::truthy(attr(&fields.major_project)));
        from_attributes.push("major_project");
    }
    p.dates_from = Some(if from_attributes.is_empty() {
        "project file".into()
    } else {
        format!(
            "boundary feature attributes ({}); the rest from the project file",
            from_attributes.join(", ")
        )
    });
    p.entered_plan_date.ok_or_else(|| Error::Policy {
        message: "entered-plan date unresolved".into(),
    })
}

/// The uses of `[plan] function_mix` have function coefficients in the 2022 rule set (an
/// error naming the project file, the line and the key otherwise). Checked once the 2022
/// rules are chosen: a 2018 project's mix is not read.
fn check_function_mix_against_rules(config: &ProjectFile, new_rules: &RuleSet) -> Result<()> {
    let functions = &new_rules.rules_2022()?.functions;
    let problems: Vec<validate::Problem> = config
        .plan
        .function_mix
        .iter()
        .enumerate()
        .filter(|(_, u)| !functions.contains_key(&u.use_id))
        .map(|(i, u)| validate::Problem {
            key: format!("plan.function_mix[{i}].use_id"),
            message: format!(
                "{:?} has no function coefficient in the rule set {}; allowed: {}",
                u.use_id,
                new_rules.name,
                functions
                    .keys()
                    .map(|k| format!("{k:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
        .collect();
    if problems.is_empty() {
        return Ok(());
    }
    let text = std::fs::read_to_string(&config.path).unwrap_or_default();
    validate::into_error(problems, &config.path, &text)
}

/// A policy error of the computation, named after the project file it came from (the
/// policy engine knows no files; its message names the quantity).
fn computing_in_file(config: &ProjectFile, rules: &str, e: Error) -> Error {
    match e {
        Error::Policy { message } => Error::Config {
            path: config.path.clone(),
            line: None,
            column: None,
            key: String::new(),
            message: format!(
                "project {}: the {rules} rules cannot be computed: {message}",
                config.project.id
            ),
        },
        other => other,
    }
}

fn in_file(path: &Path, key: &str, e: Error) -> Error {
    match e {
        Error::Policy { message } => Error::Config {
            path: path.to_path_buf(),
            line: None,
            column: None,
            key: key.into(),
            message,
        },
        other => other,
    }
}

/// The plan's 深标 use and zone exist in the rule sets' tables (an error naming the project
/// file, the line and the key otherwise).
fn check_plan_against_rules(config: &ProjectFile, rules: &RuleSets) -> Result<()> {
    let tables = [&rules.new.shenbiao, &rules.rules_2018.shenbiao];
    let problems = validate::check_plan_against_rules(&config.plan, &tables);
    if problems.is_empty() {
        return Ok(());
    }
    let text = std::fs::read_to_string(&config.path).unwrap_or_default();
    validate::into_error(problems, &config.path, &text)
}

/// The default output folder for a project file: `<project folder>/out`.
pub fn default_out_dir(project_file: &Path) -> PathBuf {
    project_file
        .parent()
        .map_or_else(|| PathBuf::from("out"), |p| p.join("out"))
}
