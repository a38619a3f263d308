//! Per-project plan overrides from the district's `project_parameters` CSV.

use std::collections::BTreeMap;

use super::DistrictFile;
use crate::policy::capacity::{Facility, UseShare};
use crate::project::ProjectFile;
use crate::project::config::Plan2018Section;
use crate::project::validate;
use crate::{Error, Result};

/// Per-project plan overrides from the parameters CSV.
pub(super) type Overrides = BTreeMap<String, BTreeMap<String, String>>;

/// Reads the parameters CSV (none: no overrides); one row per `project_id`.
pub(super) fn read_overrides(district: &DistrictFile) -> Result<Overrides> {
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
pub(super) fn apply_overrides(pf: &mut ProjectFile, row: &BTreeMap<String, String>) -> Result<()> {
    let error = |k: &str, message: String| Error::Config {
        path: pf.path.clone(),
        line: None,
        column: None,
        key: format!("project_parameters.{k}"),
        message,
    };
    let num = |k: &str, v: &str| match v.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(error(k, format!("`{v}` is not a finite number"))),
    };
    for (k, v) in row {
        match k.as_str() {
            "planned_far" => pf.plan.planned_far = num(k, v)?,
            "shared_ratio" => pf.plan.shared_ratio = num(k, v)?,
            "shared_disposition" => pf.plan.shared_disposition = v.clone(),
            "retained_use" => pf.plan.retained_use = v.clone(),
            "retained_zone" => {
                let zone =
                    validate::zone_from_number(k, num(k, v)?).map_err(|p| error(k, p.message))?;
                pf.plan.retained_zone = Some(zone);
            }
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
            other => return Err(error(other, "unknown column".into())),
        }
    }
    // The overridden plan must pass the same checks as a project file's.
    let mut problems = validate::check_plan(&pf.plan);
    if let Some(p) = &pf.plan_2018 {
        problems.extend(validate::check_plan_2018(p));
    }
    match problems.into_iter().next() {
        Some(p) => Err(error(
            row.keys().cloned().collect::<Vec<_>>().join(", ").as_str(),
            format!("gives {}: {}", p.key, p.message),
        )),
        None => Ok(()),
    }
}
