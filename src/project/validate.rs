//! Load-time checks of the values of project and district files (issue 13): every number
//! finite and in range, every enumerated value a member, every date plausible, before any
//! layer is read. A problem is an [`Error::Config`] naming the file, the line and the key,
//! what is wrong and what is allowed, so that nonsense (`sliver_floor_m2 = nan`,
//! `planned_far = 100`, `encoding = "klingon"`) never reaches the computation.
//!
//! The bounds are sanity bounds, not policy: they refuse what cannot be meant (a FAR of 100,
//! a facility of 10¹⁰ m², an assessment in 1900) and leave every real project room.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::NaiveDate;

use crate::model::Layer;
use crate::policy::rules::Shenbiao;
use crate::project::ProjectLayers;
use crate::project::config::{FieldMap, InputSection, Plan2018Section, PlanSection, SitingSection};
use crate::{Error, Result};

/// Earliest date accepted (the land-consolidation rules date from the 2010s; 1980 leaves
/// room for grant dates of old land).
const EARLIEST: (i32, u32, u32) = (1980, 1, 1);
/// Latest date accepted.
const LATEST: (i32, u32, u32) = (2100, 12, 31);
/// Largest planned or plot FAR accepted (Shenzhen's highest plot ratios are around 15).
pub const MAX_FAR: f64 = 30.0;
/// Largest floor area of one facility (m²).
pub const MAX_FACILITY_M2: f64 = 1.0e7;
/// Largest area figure given by hand (m²; 10 km²).
pub const MAX_AREA_M2: f64 = 1.0e7;
/// Largest sliver floor and siting tolerance (m²).
pub const MAX_TOLERANCE_M2: f64 = 100.0;
/// Density zones the policy knows (深标 密度分区 1–5; the rule set may use fewer).
pub const MAX_ZONE: u8 = 5;

/// One value that is not allowed: the dotted key, and what is wrong and allowed.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Dotted key, e.g. `plan.planned_far` or `plan.facilities[2].floor_area_m2`.
    pub key: String,
    /// What is wrong, then what is allowed.
    pub message: String,
}

impl Problem {
    fn new(key: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            key: key.into(),
            message: message.into(),
        }
    }
}

/// The sections shared by project and district files.
#[derive(Debug, Clone, Copy)]
pub struct Sections<'a> {
    /// `[input]`.
    pub input: &'a InputSection,
    /// `[plan]`.
    pub plan: &'a PlanSection,
    /// `[plan_2018]`, when given.
    pub plan_2018: Option<&'a Plan2018Section>,
    /// `[siting]`.
    pub siting: &'a SitingSection,
    /// `[[constraints]]`.
    pub constraints: &'a [crate::project::planning::ConstraintSpec],
}

/// Every problem of the shared sections, in file order of the sections.
pub fn check_sections(s: Sections<'_>) -> Vec<Problem> {
    let mut out = check_input(s.input);
    out.extend(check_plan(s.plan));
    if let Some(p) = s.plan_2018 {
        out.extend(check_plan_2018(p));
    }
    out.extend(check_siting(s.siting));
    out.extend(check_constraints(s.constraints));
    out
}

/// `[[constraints]]`: known kinds and non-empty names.
pub fn check_constraints(constraints: &[crate::project::planning::ConstraintSpec]) -> Vec<Problem> {
    let mut out = Vec::new();
    for (i, c) in constraints.iter().enumerate() {
        if c.name.trim().is_empty() {
            out.push(Problem::new(
                format!("constraints[{i}].name"),
                "empty; allowed: the constraint's name, e.g. \"生态保护红线\"",
            ));
        }
        if let Err(message) = c.parsed_kind() {
            out.push(Problem::new(format!("constraints[{i}].kind"), message));
        }
    }
    out
}

/// `[input]`: sliver floor, encoding and CRS strings.
pub fn check_input(input: &InputSection) -> Vec<Problem> {
    let mut out = Vec::new();
    in_range(
        &mut out,
        "input.sliver_floor_m2",
        input.sliver_floor_m2,
        0.0,
        MAX_TOLERANCE_M2,
        "m²",
    );
    if let Some(label) = &input.encoding
        && crate::io::shp::encoding_for_label(label).is_none()
    {
        out.push(Problem::new(
            "input.encoding",
            format!(
                "unknown encoding {label:?}; allowed: a WHATWG encoding label such as \
                 \"utf-8\", \"gbk\", \"gb18030\", \"big5\", \"latin1\", or a code page (936)"
            ),
        ));
    }
    for (key, value) in [("input.crs", &input.crs), ("input.to_crs", &input.to_crs)] {
        if let Some(text) = value
            && let Err(e) = crate::io::crs::Crs::parse(text)
        {
            out.push(Problem::new(
                key,
                format!("{e}; allowed: EPSG:<code>, a WKT or proj4 string, or \"local\""),
            ));
        }
    }
    out
}

/// `[plan]`: the 2022 scheme.
pub fn check_plan(plan: &PlanSection) -> Vec<Problem> {
    let mut out = Vec::new();
    positive_far(&mut out, "plan.planned_far", plan.planned_far);
    in_range(
        &mut out,
        "plan.shared_ratio",
        plan.shared_ratio,
        0.0,
        1.0,
        "",
    );
    if !matches!(plan.shared_disposition.as_str(), "A" | "B") {
        out.push(Problem::new(
            "plan.shared_disposition",
            format!(
                "{:?} is not a disposition; allowed: \"A\" or \"B\"",
                plan.shared_disposition
            ),
        ));
    }
    if let Some(zone) = plan.retained_zone {
        zone_in_range(&mut out, "plan.retained_zone", f64::from(zone));
    }
    if plan.retained_use.trim().is_empty() {
        out.push(Problem::new(
            "plan.retained_use",
            "empty; allowed: a 深标 use key of the rule set (e.g. \"residential\")",
        ));
    }
    check_function_mix(&mut out, plan);
    check_facilities(&mut out, "plan.facilities", &plan.facilities);
    out
}

fn check_function_mix(out: &mut Vec<Problem>, plan: &PlanSection) {
    if plan.function_mix.is_empty() {
        out.push(Problem::new(
            "plan.function_mix",
            "empty; allowed: one or more { use_id, share } with shares adding up to 1",
        ));
        return;
    }
    for (i, u) in plan.function_mix.iter().enumerate() {
        in_range(
            out,
            &format!("plan.function_mix[{i}].share"),
            u.share,
            0.0,
            1.0,
            "",
        );
        if u.use_id.trim().is_empty() {
            out.push(Problem::new(
                format!("plan.function_mix[{i}].use_id"),
                "empty; allowed: a key of the rule set's [function] table",
            ));
        }
    }
    let sum: f64 = plan.function_mix.iter().map(|u| u.share).sum();
    if sum.is_finite() && (sum - 1.0).abs() > 1e-9 {
        out.push(Problem::new(
            "plan.function_mix",
            format!("the shares add up to {sum}, not 1; allowed: shares adding up to 1"),
        ));
    }
}

fn check_facilities(
    out: &mut Vec<Problem>,
    key: &str,
    facilities: &[crate::policy::capacity::Facility],
) {
    for (i, f) in facilities.iter().enumerate() {
        in_range(
            out,
            &format!("{key}[{i}].floor_area_m2"),
            f.floor_area_m2,
            0.0,
            MAX_FACILITY_M2,
            "m²",
        );
    }
}

/// `[plan_2018]`: the 2018 inputs.
pub fn check_plan_2018(p: &Plan2018Section) -> Vec<Problem> {
    let mut out = Vec::new();
    in_range(
        &mut out,
        "plan_2018.retained_land_area_m2",
        p.retained_land_area_m2,
        0.0,
        MAX_AREA_M2,
        "m²",
    );
    positive_far(&mut out, "plan_2018.plot_far", p.plot_far);
    in_range(
        &mut out,
        "plan_2018.shared_ratio",
        p.shared_ratio,
        0.0,
        1.0,
        "",
    );
    check_facilities(&mut out, "plan_2018.facilities", &p.facilities);
    out
}

/// `[siting]`: the digitising tolerance.
pub fn check_siting(s: &SitingSection) -> Vec<Problem> {
    let mut out = Vec::new();
    in_range(
        &mut out,
        "siting.tolerance_m2",
        s.tolerance_m2,
        0.0,
        MAX_TOLERANCE_M2,
        "m²",
    );
    out
}

/// A date of the file: between 1980-01-01 and 2100-12-31.
pub fn check_date(key: &str, date: NaiveDate) -> Option<Problem> {
    let bound = |(y, m, d): (i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, d);
    let (Some(lo), Some(hi)) = (bound(EARLIEST), bound(LATEST)) else {
        return None;
    };
    (date < lo || date > hi).then(|| {
        Problem::new(
            key,
            format!("{date} is not a plausible date; allowed: {lo} to {hi}"),
        )
    })
}

/// The plan's 深标 keys against the rule sets it may be assessed under: `retained_use` must
/// be a use of the 深标 base-FAR table and `retained_zone` a zone of it, in at least one of
/// the rule sets (which one applies is decided later, by the transition rule). Checked once
/// the rule sets are loaded: the fixed checks of [`check_plan`] cannot know their tables.
pub fn check_plan_against_rules(plan: &PlanSection, tables: &[&Shenbiao]) -> Vec<Problem> {
    let mut out = Vec::new();
    let uses: BTreeSet<&str> = tables
        .iter()
        .flat_map(|t| t.zones.values())
        .flat_map(|z| z.base.keys().map(String::as_str))
        .collect();
    let use_key = plan.retained_use.as_str();
    if !use_key.trim().is_empty() && !uses.contains(use_key) {
        out.push(Problem::new(
            "plan.retained_use",
            format!(
                "{use_key:?} is not a 深标 use of the rule sets; allowed: {}",
                uses.iter()
                    .map(|u| format!("{u:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let zones: BTreeSet<u8> = tables.iter().flat_map(|t| t.zone_ids()).collect();
    if let Some(zone) = plan.retained_zone
        && !zones.contains(&zone)
    {
        out.push(Problem::new(
            "plan.retained_zone",
            format!(
                "{zone} is not a density zone of the rule sets' 深标 table; allowed: {}",
                zones
                    .iter()
                    .map(u8::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    out
}

/// A density-zone number given as a number (a CSV override): a whole number 1–5.
pub fn zone_from_number(key: &str, value: f64) -> std::result::Result<u8, Problem> {
    let mut out = Vec::new();
    zone_in_range(&mut out, key, value);
    match out.pop() {
        Some(p) => Err(p),
        // In 1..=MAX_ZONE and whole, so the cast is exact.
        None => Ok(value as u8),
    }
}

fn zone_in_range(out: &mut Vec<Problem>, key: &str, value: f64) {
    if !(value.is_finite() && value.fract() == 0.0 && (1.0..=f64::from(MAX_ZONE)).contains(&value))
    {
        out.push(Problem::new(
            key,
            format!("{value} is not a density zone; allowed: a whole number 1 to {MAX_ZONE}"),
        ));
    }
}

fn positive_far(out: &mut Vec<Problem>, key: &str, value: f64) {
    if !(value.is_finite() && value > 0.0 && value <= MAX_FAR) {
        out.push(Problem::new(
            key,
            format!("{value} is not a usable FAR; allowed: more than 0, at most {MAX_FAR}"),
        ));
    }
}

fn in_range(out: &mut Vec<Problem>, key: &str, value: f64, lo: f64, hi: f64, unit: &str) {
    if !(value.is_finite() && (lo..=hi).contains(&value)) {
        let unit = if unit.is_empty() {
            String::new()
        } else {
            format!(" {unit}")
        };
        out.push(Problem::new(
            key,
            format!("{value}{unit} is out of range; allowed: {lo} to {hi}{unit}"),
        ));
    }
}

/// Every problem of a project file: the shared sections and the project's dates.
pub fn check_project_file(file: &crate::project::ProjectFile) -> Vec<Problem> {
    let mut out: Vec<Problem> = [
        (
            "project.assessment_date",
            Some(file.project.assessment_date),
        ),
        ("project.entered_plan_date", file.project.entered_plan_date),
    ]
    .into_iter()
    .filter_map(|(key, date)| date.and_then(|d| check_date(key, d)))
    .collect();
    if file.project.id.trim().is_empty() {
        out.push(Problem::new(
            "project.id",
            "empty; allowed: the project's id",
        ));
    }
    out.extend(check_sections(Sections {
        input: &file.input,
        plan: &file.plan,
        plan_2018: file.plan_2018.as_ref(),
        siting: &file.siting,
        constraints: &file.constraints,
    }));
    out
}

/// `[fields]` names set in the file (differing from the defaults) that the layer they
/// belong to does not have. A default name that is missing is not a problem: the attribute
/// is optional, and its absence is reported where it matters.
pub fn check_fields(fields: &FieldMap, layers: &ProjectLayers) -> Vec<Problem> {
    let default = FieldMap::default();
    let parcels = Some(&layers.parcels);
    let boundary = Some(&layers.boundary);
    let zones = Some(&layers.density_zones);
    let buildings = layers.buildings.as_ref();
    let sites = layers.retained_sites.as_ref();
    let prices = layers.land_prices.as_ref();
    let table: [(&str, &String, &String, Option<&Layer>); 17] = [
        ("parcel_id", &fields.parcel_id, &default.parcel_id, parcels),
        ("land_use", &fields.land_use, &default.land_use, parcels),
        (
            "grant_date",
            &fields.grant_date,
            &default.grant_date,
            parcels,
        ),
        (
            "term_years",
            &fields.term_years,
            &default.term_years,
            parcels,
        ),
        (
            "legal_area",
            &fields.legal_area,
            &default.legal_area,
            parcels,
        ),
        (
            "major_project",
            &fields.major_project,
            &default.major_project,
            boundary,
        ),
        (
            "boundary_id",
            &fields.boundary_id,
            &default.boundary_id,
            boundary,
        ),
        (
            "entered_plan_date",
            &fields.entered_plan_date,
            &default.entered_plan_date,
            boundary,
        ),
        (
            "plan_approved",
            &fields.plan_approved,
            &default.plan_approved,
            boundary,
        ),
        (
            "building_use",
            &fields.building_use,
            &default.building_use,
            buildings,
        ),
        (
            "building_floor_area",
            &fields.building_floor_area,
            &default.building_floor_area,
            buildings,
        ),
        (
            "density_zone",
            &fields.density_zone,
            &default.density_zone,
            zones,
        ),
        ("metro", &fields.metro, &default.metro, zones),
        ("price", &fields.price, &default.price, prices),
        ("site_id", &fields.site_id, &default.site_id, sites),
        (
            "site_project",
            &fields.site_project,
            &default.site_project,
            sites,
        ),
        ("site_use", &fields.site_use, &default.site_use, sites),
    ];
    table
        .into_iter()
        .filter(|(_, name, default, _)| name != default)
        .filter_map(|(key, name, _, layer)| {
            let layer = layer?;
            layer.field_index(name).is_none().then(|| {
                let mut names: Vec<&str> = layer.schema.iter().map(|f| f.name.as_str()).collect();
                names.sort_unstable();
                Problem::new(
                    format!("fields.{key}"),
                    format!(
                        "the layer {} has no attribute {name:?}; allowed: one of its attributes \
                         ({})",
                        layer.source,
                        names.join(", ")
                    ),
                )
            })
        })
        .collect()
}

/// The first problem as a configuration error naming `path`, the line of the key in `text`
/// (when found) and the key; the message says how many more there are.
pub fn into_error(problems: Vec<Problem>, path: &Path, text: &str) -> Result<()> {
    let Some(first) = problems.first() else {
        return Ok(());
    };
    let more = match problems.len() - 1 {
        0 => String::new(),
        n => format!(
            " (and {n} more: {})",
            problems[1..]
                .iter()
                .map(|p| p.key.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let (line, column) = locate(text, &first.key).map_or((None, None), |(l, c)| (Some(l), Some(c)));
    Err(Error::Config {
        path: path.to_path_buf(),
        line,
        column,
        key: first.key.clone(),
        message: format!("{}{more}", first.message),
    })
}

/// The line and column where a dotted key (`plan.planned_far`, `plan.facilities[1].x`) is
/// written: the line under its `[table]` (or `[[table]]`) header that assigns its first
/// name after the table. `None` when it is not written (a default value).
pub fn locate(text: &str, key: &str) -> Option<(usize, usize)> {
    let (table, rest) = key.split_once('.')?;
    let name = rest.split(['.', '[']).next().filter(|n| !n.is_empty())?;
    // `constraints[2].kind`: the third `[[constraints]]` table.
    let (table, nth) = match table.split_once('[') {
        Some((t, n)) => (t, n.trim_end_matches(']').parse::<usize>().ok()),
        None => (table, None),
    };
    let mut in_table = false;
    let mut seen = 0usize;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with('[') {
            let header = t.trim_start_matches('[');
            let header = header.split(']').next().unwrap_or("").trim();
            in_table = header == table || header.starts_with(&format!("{table}."));
            if header == table && nth.is_some() {
                seen += 1;
                in_table = nth == Some(seen - 1);
            }
            continue;
        }
        if in_table
            && let Some(after) = t.strip_prefix(name)
            && after.trim_start().starts_with('=')
        {
            return Some((i + 1, line.len() - t.len() + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_finds_keys_under_their_table() {
        let text = "[project]\nid = \"x\"\n[plan]\nshared_ratio = 0.1\n  planned_far = 3\n";
        assert_eq!(locate(text, "plan.planned_far"), Some((5, 3)));
        assert_eq!(locate(text, "project.id"), Some((2, 1)));
        assert_eq!(locate(text, "plan.retained_zone"), None);
        let text = "[[constraints]]\nkind = \"a\"\n[[constraints]]\n kind = \"b\"\n";
        assert_eq!(locate(text, "constraints[1].kind"), Some((4, 2)));
        assert_eq!(locate(text, "constraints[0].kind"), Some((2, 1)));
    }

    #[test]
    fn zone_from_number_refuses_fractions_nan_and_out_of_range() {
        assert_eq!(zone_from_number("z", 3.0), Ok(3));
        for bad in [3.5, f64::NAN, 0.0, 6.0, 99.0, f64::INFINITY] {
            assert!(zone_from_number("z", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_outside_1980_to_2100_are_refused() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert!(check_date("project.assessment_date", d(2026, 6, 30)).is_none());
        assert!(check_date("project.assessment_date", d(1900, 1, 1)).is_some());
        assert!(check_date("project.assessment_date", d(9999, 12, 31)).is_some());
    }
}
