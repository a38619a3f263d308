//! The 2022 draft computation: rights floor area (权益容积), facility (配套容积), shared
//! (共享容积) and planned floor area (规划容积), and the retained-land area (留用土地面积).
//!
//! Inputs are measured numbers filled by the integrator's pipeline (`input`); nothing here
//! knows geometry or files. [`assess`] runs the named steps of policy.md §2–§5 in order:
//! counted land → land-rights coefficient → density base FAR → building rights → function
//! coefficient → rights floor area → facility, shared and planned floor area → retained land.
//! Retained-land siting is [`crate::policy::siting`].

mod coefficients;
mod density;
mod function;
mod input;
mod retained;
mod shared;

use chrono::NaiveDate;
use serde::Serialize;

use super::rules::{Method, RuleSet, RuleValue, Status};
use super::{Finding, UsedValues};

pub use coefficients::{
    ClassArea, CountedParcel, ExcludedParcel, TermDetail, counts_planned_construction_only,
};
pub use density::{BuildingSummary, BuildingUseShare, DensitySummary, ZoneShare};
pub use function::{FunctionSummary, FunctionUse, UsedSink, function_coefficient};
pub use input::{
    BuildingArea, Facility, FallbackZone, ParcelInput, ProjectInput, RetainedPlan, UseShare,
    ZoneArea,
};
pub use retained::RetainedSummary;
pub use shared::SharedSummary;

/// The 深标 use whose base FAR is the density base FAR of the rights formula \[N\].
pub const DENSITY_BASE_USE: &str = "residential";

/// The full 2022 assessment: every figure, intermediate and coefficient with provenance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// The computation (2022 draft rights floor area).
    pub method: Method,
    /// Id of the rule set used.
    pub rule_set_id: String,
    /// File the rule set was read from.
    pub rule_set_path: String,
    /// Project id.
    pub project_id: String,
    /// Assessment date (评估基准日).
    pub assessment_date: NaiveDate,
    /// The counted parcels with their coefficients.
    pub parcels: Vec<CountedParcel>,
    /// The parcels not counted, with the reason.
    pub excluded: Vec<ExcludedParcel>,
    /// Sum of the measured inside areas of all parcels given, m².
    pub total_inside_area_m2: f64,
    /// 土地面积 counted, m².
    pub counted_land_area_m2: f64,
    /// Counted land and mean coefficient per tenure class.
    pub by_class: Vec<ClassArea>,
    /// 土地权益修正系数 (area-weighted).
    pub land_rights_coef: f64,
    /// Density base FAR (密度分区基准容积率).
    pub density: DensitySummary,
    /// Building rights (建筑权益修正系数).
    pub buildings: BuildingSummary,
    /// Function coefficient (功能修正系数) and rights per use.
    pub function: FunctionSummary,
    /// 权益容积, m².
    pub rights_floor_area_m2: f64,
    /// The facilities of the plan.
    pub facilities: Vec<Facility>,
    /// 配套容积, m².
    pub facility_floor_area_m2: f64,
    /// Shared floor area (共享容积) and its disposition.
    pub shared: SharedSummary,
    /// 规划容积 = rights + facility + shared, m².
    pub planned_floor_area_m2: f64,
    /// Retained land (留用土地) and its FAR checks.
    pub retained: RetainedSummary,
    /// Violated constraints and notable facts.
    pub findings: Vec<Finding>,
    /// Input problems that did not stop the computation.
    pub warnings: Vec<String>,
    /// Every rule value used, with source and status.
    pub rule_values_used: Vec<RuleValue>,
    /// The illustrative (unpublished) values used — must be shown in every report.
    pub illustrative_values_used: Vec<RuleValue>,
}

/// Relative tolerance for sums of measured areas and shares.
pub(crate) const REL_TOL: f64 = 1e-6;

/// Runs the 2022 draft computation.
pub fn assess(rules: &RuleSet, input: &ProjectInput) -> crate::Result<Assessment> {
    rules.rules_2022()?;
    let mut used = UsedValues::default();
    let mut warnings = Vec::new();
    let mut findings = Vec::new();

    let land = coefficients::counted_land(rules, input, &mut used, &mut warnings)?;
    let land_rights = coefficients::land_rights(&land.parcels, land.area_m2);
    let density = density::density_base(
        rules,
        input,
        &land.inputs,
        &land.parcels,
        &mut used,
        &mut warnings,
    )?;
    let buildings = density::building_rights(
        rules,
        input,
        &land.inputs,
        land.area_m2,
        land.excluded_floor_m2,
        &mut used,
        &mut warnings,
    )?;
    let mut function = function_coefficient(rules, &input.function_mix, &mut used)?;
    let rights = rights_floor_area(
        land_rights.coef,
        &buildings,
        land.area_m2,
        &density,
        &mut function,
    );
    function::mix_findings(rules, &function, &mut used, &mut findings);

    let facility = shared::facility_floor_area(&input.facilities)?;
    let shared = shared::shared_floor_area(rules, input, rights, &mut used, &mut findings)?;
    let planned = rights + facility + shared.floor_area_m2;
    let floors = retained::RetainedFloors {
        planned_m2: planned,
        residential_m2: residential_floor_area(rules, &function, shared.floor_area_m2)?,
    };
    let retained =
        retained::retained_land(rules, &input.retained, &floors, &mut used, &mut findings)?;

    let rule_values_used = used.records(rules);
    let illustrative_values_used = rule_values_used
        .iter()
        .filter(|v| v.status == Status::Illustrative)
        .cloned()
        .collect();
    Ok(Assessment {
        method: Method::RightsFloorArea2022,
        rule_set_id: rules.id.clone(),
        rule_set_path: rules.path.clone(),
        project_id: input.project_id.clone(),
        assessment_date: input.assessment_date,
        parcels: land.parcels,
        excluded: land.excluded,
        total_inside_area_m2: land.total_inside_m2,
        counted_land_area_m2: land.area_m2,
        by_class: land_rights.by_class,
        land_rights_coef: land_rights.coef,
        density,
        buildings,
        function,
        rights_floor_area_m2: rights,
        facilities: input.facilities.clone(),
        facility_floor_area_m2: facility,
        shared,
        planned_floor_area_m2: planned,
        retained,
        findings,
        warnings,
        rule_values_used,
        illustrative_values_used,
    })
}

/// 权益容积 = (land-rights coef + building-rights coef) × land area × density base FAR ×
/// function coef \[N\]; also fills the rights floor area of each planned use.
fn rights_floor_area(
    land_rights_coef: f64,
    buildings: &BuildingSummary,
    counted_land: f64,
    density: &DensitySummary,
    function: &mut FunctionSummary,
) -> f64 {
    let rights = (land_rights_coef + buildings.building_rights_coef)
        * counted_land
        * density.base_far
        * function.function_coef;
    for u in &mut function.uses {
        u.rights_floor_area_m2 = u.share * rights;
    }
    rights
}

/// Residential floor area on the retained land: the rights floor area of the residential
/// uses plus the shared floor area, which is housing under either disposition (policy.md §5:
/// resettlement / rental / market housing, or shared-ownership housing).
fn residential_floor_area(
    rules: &RuleSet,
    function: &FunctionSummary,
    shared_m2: f64,
) -> crate::Result<f64> {
    let residential_uses = &rules.rules_2022()?.function_mix.residential_uses;
    let rights: f64 = function
        .uses
        .iter()
        .filter(|u| residential_uses.contains(&u.use_id))
        .map(|u| u.rights_floor_area_m2)
        .sum();
    Ok(rights + shared_m2)
}
