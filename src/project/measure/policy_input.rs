//! The policy engine's inputs (2022 draft and 2018 rules) from a measurement and the plan.

use super::Measurement;
use crate::policy::capacity::{ParcelInput, ProjectInput, RetainedPlan};
use crate::policy::rules2018::{Parcel2018, ProjectInput2018};
use crate::project::config::ProjectFile;
use crate::{Error, Result};

/// The 2022 policy input from the measurement and the plan.
pub fn policy_input_2022(config: &ProjectFile, m: &Measurement) -> Result<ProjectInput> {
    let parcels = m
        .inside
        .iter()
        .map(|p| ParcelInput {
            id: p.parcel_id.clone(),
            tenure: p.tenure,
            area_inside_m2: p.area_inside_m2,
            planned_construction_area_m2: p.area_in_planned_construction_m2,
            legal_area_m2: p.legal_area_m2,
            land_use: p.land_use.clone(),
            grant_date: p.grant_date,
            term_years: p.term_years,
            in_major_project: p.in_major_project,
            // The policy engine scales zone areas to the counted area (legal or
            // planned-construction-land area) in proportion.
            zone_areas: p.zones.clone(),
            uncovered_area_m2: p.uncovered_m2,
            uncovered_zones: p.uncovered_zones.clone(),
            buildings: p.buildings.clone(),
        })
        .collect();
    let plan = &config.plan;
    Ok(ProjectInput {
        project_id: config.project.id.clone(),
        assessment_date: config.project.assessment_date,
        parcels,
        project_buildings: Vec::new(),
        // Each parcel carries the zones of its uncovered land (`uncovered_zones`).
        uncovered_fallback: None,
        function_mix: plan.function_mix.clone(),
        facilities: plan.facilities.clone(),
        shared_ratio: plan.shared_ratio,
        shared_disposition: plan.shared_disposition.clone(),
        retained: RetainedPlan {
            planned_far: plan.planned_far,
            zone: m.retained_zone,
            use_key: plan.retained_use.clone(),
            near_metro: m.retained_near_metro,
        },
    })
}

/// The 2018 policy input: contiguity from the measurement, the rest from `[plan_2018]`.
pub fn policy_input_2018(config: &ProjectFile, m: &Measurement) -> Result<ProjectInput2018> {
    let plan = config.plan_2018.as_ref().ok_or_else(|| Error::Config {
        path: config.path.clone(),
        line: None,
        column: None,
        key: "plan_2018".into(),
        message: "the 2018 rules apply to this project, and they need a [plan_2018] table \
                  (retained_land_area_m2, plot_far, shared_ratio): the retained-land sizing \
                  table of the 2018 rules is not public"
            .into(),
    })?;
    Ok(ProjectInput2018 {
        project_id: config.project.id.clone(),
        contiguous_unfinished_areas: m.contiguous_unfinished_areas_m2.clone(),
        retained_land_area_m2: plan.retained_land_area_m2,
        plot_far: plan.plot_far,
        shared_ratio: plan.shared_ratio,
        facilities: plan.facilities.clone(),
        parcels: m
            .inside
            .iter()
            .map(|p| Parcel2018 {
                id: p.parcel_id.clone(),
                tenure: p.tenure,
            })
            .collect(),
    })
}
