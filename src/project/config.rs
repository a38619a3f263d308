//! The project file (`project.toml`): where the layers are, how to read their attributes,
//! how to classify tenure, which rules apply and what the plan proposes.
//!
//! Paths are relative to the project file's folder. Every key is documented in
//! `data/sample/project.toml`, which doubles as the template analysts copy.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::io::source::{LayerSource, redact_password};
use crate::policy::capacity::{Facility, UseShare};
use crate::policy::tenure::TenureRulesConfig;
use crate::policy::transition::RuleChoice;
use crate::{Error, Result};

/// A parsed project file with its paths resolved.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectFile {
    /// `[project]`: id, name, dates, rule-set choice.
    pub project: ProjectSection,
    /// `[rule_sets]`: the rule-set files.
    pub rule_sets: RuleSetPaths,
    /// `[input]`: encoding, CRS, repair and measuring options.
    #[serde(default)]
    pub input: InputSection,
    /// `[layers]`: the input layers.
    pub layers: LayerPaths,
    /// `[fields]`: attribute names in the layers.
    #[serde(default)]
    pub fields: FieldMap,
    /// `[tenure]`: the rules that classify parcels into tenure classes (权属类型).
    pub tenure: TenureRulesConfig,
    /// `[plan]`: the planning inputs of the 2022 rules.
    pub plan: PlanSection,
    /// `[plan_2018]`: the inputs of the 2018 rules, when the project may run under them.
    #[serde(default)]
    pub plan_2018: Option<Plan2018Section>,
    /// `[siting]`: retained-land siting options.
    #[serde(default)]
    pub siting: SitingSection,
    /// `[[constraints]]`: planning constraint layers (三区三线 and others).
    #[serde(default)]
    pub constraints: Vec<crate::project::planning::ConstraintSpec>,
    /// Folder of the project file; layer and rule-set paths are relative to it.
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// The project file itself.
    #[serde(skip)]
    pub path: PathBuf,
}

/// `[project]`: identity and the dates that select the rule set.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectSection {
    /// Project id; also selects the boundary feature when the boundary layer has several.
    pub id: String,
    /// Project name, for the reports.
    #[serde(default)]
    pub name: Option<String>,
    /// 评估基准日: eligibility and remaining land-use terms are measured to this date.
    #[serde(deserialize_with = "toml_date")]
    pub assessment_date: NaiveDate,
    /// 纳入年度计划日期: the date the project entered the annual consolidation plan.
    /// Default: the boundary feature's `entered_plan_date` attribute.
    #[serde(default, deserialize_with = "toml_date_opt")]
    pub entered_plan_date: Option<NaiveDate>,
    /// 实施方案已批准: whether the implementation plan is approved. Default: the boundary
    /// feature's `plan_approved` attribute, else false.
    #[serde(default)]
    pub plan_approved: Option<bool>,
    /// The whole project lies in a major-project area (市级以上重大项目 / 产业空间整备区 /
    /// 综合功能整备区): the 15-year rule does not apply to its state-granted land. Default:
    /// the boundary feature's `major_project` attribute, else false.
    #[serde(default)]
    pub major_project: Option<bool>,
    /// Where the dates and flags above came from (filled in when the project is resolved).
    #[serde(default, skip_deserializing)]
    pub dates_from: Option<String>,
    /// `auto` (the transition rule decides, default), `new` (2022 draft) or `rules_2018`.
    #[serde(default)]
    pub rules: RuleSelection,
}

/// A date written either as a TOML date (`2026-06-30`) or as a string (`"2026-06-30"`).
pub(crate) fn toml_date<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<NaiveDate, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Toml(toml::value::Datetime),
        Text(String),
    }
    let text = match Raw::deserialize(d)? {
        Raw::Toml(dt) => dt.to_string(),
        Raw::Text(s) => s,
    };
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        serde::de::Error::custom(format!("expected a date like 2026-06-30, found `{text}`"))
    })
}

fn toml_date_opt<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<NaiveDate>, D::Error> {
    toml_date(d).map(Some)
}

/// Which rule set the user asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleSelection {
    /// The transition rule decides (the default).
    #[default]
    Auto,
    /// The 2022 draft rules.
    New,
    /// Written `rules_2018` in the project file (as documented; `rules2018` also accepted),
    /// reported as `rules2018` like the rule selection and the computation in report.json.
    #[serde(rename(deserialize = "rules_2018"), alias = "rules2018")]
    Rules2018,
}

impl RuleSelection {
    /// The explicit choice handed to the transition rule (`None` = let it decide).
    pub fn choice(self) -> Option<RuleChoice> {
        match self {
            RuleSelection::Auto => None,
            RuleSelection::New => Some(RuleChoice::New),
            RuleSelection::Rules2018 => Some(RuleChoice::Rules2018),
        }
    }
}

/// `[rule_sets]`: the rule-set files.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSetPaths {
    /// The 2022 draft rules (also holds the effective date used by the transition rule).
    pub new: PathBuf,
    /// The 2018 rules.
    pub rules_2018: PathBuf,
}

/// `[input]`: how to read the layers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSection {
    /// CRS assumed for layers that declare none (e.g. `EPSG:4547`, `local`).
    #[serde(default)]
    pub crs: Option<String>,
    /// Projected CRS geographic layers are reprojected to (e.g. `EPSG:4547`).
    #[serde(default)]
    pub to_crs: Option<String>,
    /// Shapefile attribute encoding when there is no .cpg (e.g. `gbk`).
    #[serde(default)]
    pub encoding: Option<String>,
    /// Repair invalid polygons with MakeValid (each repair is reported). Default true;
    /// false makes an invalid parcel inside the project an error.
    #[serde(default = "yes")]
    pub repair: bool,
    /// `--no-repair` (not a project-file key): any invalid polygon in a layer is an error
    /// naming the file and the feature, instead of being repaired.
    #[serde(skip)]
    pub no_repair: bool,
    /// Pieces smaller than this (m²) are reported but not counted. Default 1e-3.
    #[serde(default = "default_sliver")]
    pub sliver_floor_m2: f64,
    /// Measure areas even in a CRS with large scale error (Web Mercator, plate carrée),
    /// which are otherwise refused. Default false.
    #[serde(default)]
    pub allow_distorted_areas: bool,
}

// Written out rather than derived: a derived Default would turn `repair` off when the
// project file has no [input] table at all, silently measuring invalid parcels as they are.
impl Default for InputSection {
    fn default() -> Self {
        InputSection {
            crs: None,
            to_crs: None,
            encoding: None,
            repair: yes(),
            no_repair: false,
            sliver_floor_m2: default_sliver(),
            allow_distorted_areas: false,
        }
    }
}

fn yes() -> bool {
    true
}
fn default_sliver() -> f64 {
    1e-3
}

/// `[layers]`: the input layers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerPaths {
    /// Parcels (宗地) with their tenure attributes.
    pub parcels: LayerSpec,
    /// Project boundaries (one feature, or one per project id).
    pub boundary: LayerSpec,
    /// Density zones (密度分区).
    pub density_zones: LayerSpec,
    /// Existing buildings with their floor area and use.
    #[serde(default)]
    pub buildings: Option<LayerSpec>,
    /// Proposed retained-land sites (留用土地).
    #[serde(default)]
    pub retained_sites: Option<LayerSpec>,
    /// Land-price zones (for the off-site conversion).
    #[serde(default)]
    pub land_prices: Option<LayerSpec>,
    /// 土地整备规划建设用地: when given, unfinished-requisition and requisitioned-ungranted
    /// land counts only inside it.
    #[serde(default)]
    pub planned_construction_land: Option<LayerSpec>,
}

/// One entry of `[layers]`: a path (`"parcels.shp"`, `"district.gpkg:parcels"`, a `PG:…`
/// connection string), or a table naming the source and the layer or SQL statement:
/// `{ source = "PG:dbname=land host=db", layer = "public.parcels" }`,
/// `{ source = "district.gpkg", layer = "parcels" }`,
/// `{ source = "PG:…", sql = "SELECT * FROM parcels WHERE district = '光明'" }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerSpec {
    /// A file path or a connection string.
    pub source: String,
    /// The layer or table in the source.
    pub layer: Option<String>,
    /// An SQL statement whose result is the layer (database sources).
    pub sql: Option<String>,
}

impl<'de> Deserialize<'de> for LayerSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Table {
            source: String,
            #[serde(default)]
            layer: Option<String>,
            #[serde(default)]
            sql: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Table(Table),
        }
        let spec = match Raw::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "expected a path (\"parcels.shp\", \"district.gpkg:parcels\") or a table \
                 { source = \"…\", layer = \"…\" } / { source = \"PG:…\", sql = \"SELECT …\" }",
            )
        })? {
            Raw::Text(source) => LayerSpec {
                source,
                layer: None,
                sql: None,
            },
            Raw::Table(t) => LayerSpec {
                source: t.source,
                layer: t.layer,
                sql: t.sql,
            },
        };
        if spec.layer.is_some() && spec.sql.is_some() {
            return Err(serde::de::Error::custom(
                "give either `layer` or `sql`, not both",
            ));
        }
        Ok(spec)
    }
}

impl LayerSpec {
    /// The source to read, with relative file paths resolved against `base_dir`.
    pub fn to_source(&self, base_dir: &Path) -> Result<LayerSource> {
        let parsed = LayerSource::parse(&self.source).resolve(base_dir);
        let parsed = parsed.with_layer(self.layer.clone());
        match (parsed, &self.sql) {
            (source, None) => Ok(source),
            (LayerSource::Connection { dsn, layer, .. }, Some(sql)) => {
                Ok(LayerSource::Connection {
                    dsn,
                    layer,
                    sql: Some(sql.clone()),
                })
            }
            (LayerSource::File { path, .. }, Some(_)) => Err(Error::Usage(format!(
                "{}: `sql` is for database sources (PG:…); name a layer instead",
                path.display()
            ))),
        }
    }
}

impl std::fmt::Display for LayerSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", redact_password(&self.source))?;
        if let Some(l) = &self.layer {
            write!(f, " layer {l}")?;
        }
        if let Some(s) = &self.sql {
            write!(f, " sql `{s}`")?;
        }
        Ok(())
    }
}

/// `[fields]`: attribute names in the layers. Defaults follow `landpool synth`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FieldMap {
    /// Parcel id (parcels).
    pub parcel_id: String,
    /// Land use (parcels).
    pub land_use: String,
    /// Date the land was granted (parcels; state-granted land).
    pub grant_date: String,
    /// Granted land-use term in years (parcels).
    pub term_years: String,
    /// Legal (registered) area in m² (parcels).
    pub legal_area: String,
    /// Whether the parcel is in a major project (parcels; the 15-year exemption).
    pub major_project: String,
    /// Project id (boundary layer).
    pub boundary_id: String,
    /// Date the project entered the annual plan (boundary layer).
    pub entered_plan_date: String,
    /// Whether the project's plan is approved (boundary layer).
    pub plan_approved: String,
    /// Building use (buildings).
    pub building_use: String,
    /// Building floor area in m² (buildings).
    pub building_floor_area: String,
    /// Density-zone number (density zones).
    pub density_zone: String,
    /// Whether the zone lies within the metro radius (density zones).
    pub metro: String,
    /// Land price in yuan/m² (land-price zones).
    pub price: String,
    /// Site id (retained sites).
    pub site_id: String,
    /// Project id a site belongs to (retained sites).
    pub site_project: String,
    /// Planned use of a site (retained sites).
    pub site_use: String,
}

impl Default for FieldMap {
    fn default() -> Self {
        let s = |x: &str| x.to_string();
        FieldMap {
            parcel_id: s("parcel_id"),
            land_use: s("land_use"),
            grant_date: s("grant_date"),
            term_years: s("term_years"),
            legal_area: s("legal_area"),
            major_project: s("major_project"),
            boundary_id: s("project_id"),
            entered_plan_date: s("entered_plan_date"),
            plan_approved: s("plan_approved"),
            building_use: s("use"),
            building_floor_area: s("floor_area"),
            density_zone: s("density_zone"),
            metro: s("metro_500m"),
            price: s("price"),
            site_id: s("site_id"),
            site_project: s("project_id"),
            site_use: s("use"),
        }
    }
}

/// `[plan]`: the scheme proposed under the 2022 draft rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSection {
    /// Floor-area shares of the rights floor area by use (keys of the rule set's function
    /// table), e.g. `[{ use_id = "market_housing", share = 0.8 }, ...]`.
    pub function_mix: Vec<UseShare>,
    /// Public facilities (配套设施) the project provides, with their floor areas.
    #[serde(default)]
    pub facilities: Vec<Facility>,
    /// Requested shared floor area as a fraction of the rights floor area.
    pub shared_ratio: f64,
    /// Disposition of shared floor area: `A` or `B`.
    pub shared_disposition: String,
    /// Planned FAR of the retained land (规划容积率).
    pub planned_far: f64,
    /// 深标 use key of the retained land. Default `residential`.
    #[serde(default = "default_use")]
    pub retained_use: String,
    /// Density zone of the retained land; default: the zone holding most of the inside
    /// retained-land sites, else most of the counted land.
    #[serde(default)]
    pub retained_zone: Option<u8>,
    /// Retained land within 500 m of a metro station; default from the zone layer.
    #[serde(default)]
    pub retained_near_metro: Option<bool>,
    /// The land no density zone covers adjoins an ecologically sensitive area (生态敏感区):
    /// it takes one zone lower (the next higher zone number) than the adjoining zone
    /// (深标 4.1.3). A project option until constraint layers exist.
    #[serde(default)]
    pub uncovered_next_to_ecologically_sensitive: bool,
}

fn default_use() -> String {
    "residential".into()
}

/// `[plan_2018]`: inputs of the 2018 rules (the sizing table is not public).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan2018Section {
    /// Retained-land area inside the project (留用土地面积), m²: an input (the 2018 sizing
    /// table is not public).
    pub retained_land_area_m2: f64,
    /// FAR of the retained-land plot (地块容积率).
    pub plot_far: f64,
    /// Shared floor area as a fraction of the base floor area.
    pub shared_ratio: f64,
    /// Public facilities (配套设施) the project provides, with their floor areas.
    #[serde(default)]
    pub facilities: Vec<Facility>,
}

/// `[siting]`: retained-land siting options.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SitingSection {
    /// Digitising tolerance (m²): a site whose part outside (or inside) the boundary is at
    /// most this large is treated as wholly inside (or outside); reported when used.
    pub tolerance_m2: f64,
    /// Straddling sites are an error unless allowed.
    pub allow_straddling: bool,
}

impl Default for SitingSection {
    fn default() -> Self {
        SitingSection {
            tolerance_m2: 0.01,
            allow_straddling: false,
        }
    }
}

impl ProjectFile {
    /// Reads and parses a project file; errors name the file, line, column and key.
    pub fn load(path: &Path) -> Result<ProjectFile> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::from_toml_str(&text, path)
    }

    /// Parses project-file text; `path` is used for messages and to resolve relative paths.
    pub fn from_toml_str(text: &str, path: &Path) -> Result<ProjectFile> {
        let mut file: ProjectFile = parse_toml(text, path)?;
        crate::project::validate::into_error(
            crate::project::validate::check_project_file(&file),
            path,
            text,
        )?;
        file.path = path.to_path_buf();
        file.base_dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        Ok(file)
    }

    /// A path from the project file, resolved against its folder.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base_dir.join(p)
        }
    }
}

/// Deserialises a TOML configuration file; errors carry the file, line and column.
pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(text: &str, path: &Path) -> Result<T> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = e
            .span()
            .map(|s| line_col(text, s.start))
            .map_or((None, None), |(l, c)| (Some(l), Some(c)));
        Error::Config {
            path: path.to_path_buf(),
            line,
            column,
            key: e
                .span()
                .map_or_else(|| "file".into(), |s| key_at(text, s.start)),
            message: e.message().trim().to_string(),
        }
    })
}

/// The dotted key (`plan.planned_far`) written on the line holding a byte offset, found
/// from the last `[table]` header above it, so that a parse error names the key at fault.
/// Falls back to the table name, or to "project file" before any table.
fn key_at(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    if !text.is_char_boundary(offset) {
        return "project file".into();
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = text.get(line_start..line_end).unwrap_or("").trim();
    let table = text[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    if line.starts_with('[') {
        return line
            .trim_matches(|c| c == '[' || c == ']')
            .trim()
            .to_string();
    }
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty() && !k.contains(char::is_whitespace));
    match (table, key) {
        (Some(t), Some(k)) => format!("{t}.{k}"),
        (None, Some(k)) => k,
        (Some(t), None) => t,
        (None, None) => "project file".into(),
    }
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_at_names_table_and_key() {
        let text = "top = 1\n[plan]\nshared_ratio = = 2\n[[tenure.rules]]\nfield = \"x\"\n";
        assert_eq!(key_at(text, 2), "top");
        let at = text.find("= = 2").unwrap() + 2;
        assert_eq!(key_at(text, at), "plan.shared_ratio");
        assert_eq!(key_at(text, text.find("[plan]").unwrap()), "plan");
        assert_eq!(
            key_at(text, text.find("field").unwrap()),
            "tenure.rules.field"
        );
        assert_eq!(key_at(text, text.len()), "tenure.rules");
        // A byte offset inside a multi-byte character does not panic.
        assert_eq!(key_at("name = \"光明\"", 9), "project file");
    }

    #[test]
    fn input_defaults_without_an_input_table() {
        let d = InputSection::default();
        assert!(d.repair);
        assert_eq!(d.sliver_floor_m2, 1e-3);
        let s: InputSection = toml::from_str("crs = \"EPSG:4547\"").unwrap();
        assert!(s.repair);
    }

    #[test]
    fn rules_2018_is_spelled_as_documented() {
        #[derive(Deserialize)]
        struct T {
            rules: RuleSelection,
        }
        for text in ["rules = \"rules_2018\"", "rules = \"rules2018\""] {
            let t: T = toml::from_str(text).unwrap();
            assert_eq!(t.rules, RuleSelection::Rules2018);
        }
    }
}
