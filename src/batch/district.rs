//! The district file (`district.toml`): what every project of a district shares.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::policy::tenure::TenureRulesConfig;
use crate::project::ProjectFile;
use crate::project::config::{
    FieldMap, InputSection, LayerPaths, Plan2018Section, PlanSection, ProjectSection,
    RuleSelection, RuleSetPaths, SitingSection,
};
use crate::{Error, Result};

/// `[district]`: what every project shares.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DistrictSection {
    /// The district's name, if given.
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
    /// `[district]`.
    pub district: DistrictSection,
    /// `[rule_sets]`: the rule-set files.
    pub rule_sets: RuleSetPaths,
    /// `[input]`: reading and repair options.
    #[serde(default)]
    pub input: InputSection,
    /// `[layers]`: the district layers (the boundary layer holds every project).
    pub layers: LayerPaths,
    /// `[fields]`: attribute names.
    #[serde(default)]
    pub fields: FieldMap,
    /// `[tenure]`: tenure classification rules.
    pub tenure: TenureRulesConfig,
    /// `[plan]`: plan defaults of every project.
    pub plan: PlanSection,
    /// `[plan_2018]`: defaults for projects under the 2018 rules.
    #[serde(default)]
    pub plan_2018: Option<Plan2018Section>,
    /// `[siting]`: retained-land siting options.
    #[serde(default)]
    pub siting: SitingSection,
    /// `[[constraints]]`: planning constraint layers shared by every project (each is
    /// dissolved and indexed once for the district).
    #[serde(default)]
    pub constraints: Vec<crate::project::planning::ConstraintSpec>,
    /// CSV with one row per project (`project_id` column) overriding plan parameters:
    /// planned_far, shared_ratio, shared_disposition, retained_zone, retained_use,
    /// retained_land_area_m2, plot_far, facility_floor_area_m2.
    #[serde(default)]
    pub project_parameters: Option<PathBuf>,
    /// Where the file was read from (relative paths are relative to its folder).
    #[serde(skip)]
    pub path: PathBuf,
}

impl DistrictFile {
    /// Reads and parses a district file.
    pub fn load(path: &Path) -> Result<DistrictFile> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut d: DistrictFile = crate::project::config::parse_toml(&text, path)?;
        d.validate(path, &text)?;
        d.path = path.to_path_buf();
        Ok(d)
    }

    /// The project file one project of the district is assessed with.
    /// Load-time checks of every value (see [`crate::project::validate`]).
    fn validate(&self, path: &Path, text: &str) -> Result<()> {
        use crate::project::validate::{Sections, check_date, check_sections, into_error};
        let mut problems: Vec<_> =
            check_date("district.assessment_date", self.district.assessment_date)
                .into_iter()
                .collect();
        problems.extend(check_sections(Sections {
            input: &self.input,
            plan: &self.plan,
            plan_2018: self.plan_2018.as_ref(),
            siting: &self.siting,
            constraints: &self.constraints,
        }));
        into_error(problems, path, text)
    }

    /// The project file of one district project: the district's tables with the project's
    /// id and name.
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
            constraints: self.constraints.clone(),
            base_dir: self
                .path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from(".")),
            path: self.path.clone(),
        }
    }
}
