//! The summary `landpool assess` prints for people: the unofficial values first (so nobody
//! reads a figure without knowing it rests on placeholders), then the project, the parcel
//! counts, the figures of the rule set that applied, the siting, findings and warnings.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::policy::{Assessment, Assessment2018};
use crate::project::{Computation, ParcelStatus, ProjectReport};
use crate::report::assessment::{siting_table, thousands};

/// Findings of one code printed in the summary before the rest are counted.
const FINDINGS_SHOWN_PER_CODE: usize = 5;

/// The human summary: the warning block of unofficial values first, then the figures.
pub fn summary_table(report: &ProjectReport) -> String {
    let mut s = String::new();
    not_official_block(&mut s, report);
    header(&mut s, report);
    let mut rows = Rows(&mut s);
    rows.row(
        "boundary area (m²)",
        thousands(report.measurement.boundary_area_m2, 2),
    );
    parcel_counts(&mut rows, report);
    match &report.computation {
        Computation::New(a) => figures_2022(&mut rows, a),
        Computation::Rules2018(a) => figures_2018(&mut rows, a),
    }
    if let Some(siting) = &report.siting {
        s.push('\n');
        s.push_str(&siting_table(siting));
    }
    findings_block(&mut s, report);
    if !report.warnings.is_empty() {
        let _ = writeln!(s, "\nWarnings ({}):", report.warnings.len());
        for w in &report.warnings {
            let _ = writeln!(s, "  - {w}");
        }
    }
    s
}

/// Label–value lines, the value right-aligned.
struct Rows<'a>(&'a mut String);

impl Rows<'_> {
    fn row(&mut self, label: &str, value: String) {
        let _ = writeln!(self.0, "  {label:<44} {value:>18}");
    }

    fn area(&mut self, label: &str, m2: f64) {
        self.row(label, thousands(m2, 2));
    }

    fn coef(&mut self, label: &str, x: f64) {
        self.row(label, format!("{x:.6}"));
    }
}

fn not_official_block(s: &mut String, report: &ProjectReport) {
    if report.not_official_values.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "WARNING: these figures use {} value(s) that are NOT OFFICIAL (illustrative \
         placeholders; replace them in the rule set before relying on the result):",
        report.not_official_values.len()
    );
    for v in &report.not_official_values {
        let _ = writeln!(s, "  - {} = {}  ({})", v.key, v.value, v.source);
    }
    s.push('\n');
}

fn header(s: &mut String, report: &ProjectReport) {
    let p = &report.project;
    let name = p
        .name
        .as_ref()
        .map(|n| format!(" — {n}"))
        .unwrap_or_default();
    let _ = writeln!(s, "Project {}{name}", p.id);
    let _ = writeln!(s, "Rules: {}", report.rule_selection.reason);
}

fn parcel_counts(rows: &mut Rows<'_>, report: &ProjectReport) {
    let count = |status| {
        let n = report.parcels.iter().filter(|r| r.status == status).count();
        n.to_string()
    };
    rows.row("parcels counted", count(ParcelStatus::Counted));
    rows.row("parcels excluded", count(ParcelStatus::Excluded));
    rows.row(
        "parcels with a sliver inside (not counted)",
        count(ParcelStatus::Sliver),
    );
    rows.row("parcels outside the project", count(ParcelStatus::Outside));
    rows.row(
        "parcels with geometry errors",
        count(ParcelStatus::GeometryError),
    );
}

fn figures_2022(rows: &mut Rows<'_>, a: &Assessment) {
    rows.area("counted land area (m²)", a.counted_land_area_m2);
    rows.coef("land-rights coefficient", a.land_rights_coef);
    rows.coef("density base FAR", a.density.base_far);
    rows.coef("existing FAR", a.buildings.existing_far);
    rows.coef("building-type coefficient", a.buildings.building_type_coef);
    rows.coef(
        "building-rights coefficient",
        a.buildings.building_rights_coef,
    );
    rows.coef("function coefficient", a.function.function_coef);
    rows.area("rights floor area 权益容积 (m²)", a.rights_floor_area_m2);
    for u in &a.function.uses {
        rows.area(
            &format!("  of which {} (m²)", u.use_id),
            u.rights_floor_area_m2,
        );
    }
    rows.area(
        "facility floor area 配套容积 (m²)",
        a.facility_floor_area_m2,
    );
    rows.area("shared floor area 共享容积 (m²)", a.shared.floor_area_m2);
    rows.area("planned floor area 规划容积 (m²)", a.planned_floor_area_m2);
    rows.area(
        "retained-land area 留用土地 (m²)",
        a.retained.retained_land_area_m2,
    );
}

fn figures_2018(rows: &mut Rows<'_>, a: &Assessment2018) {
    rows.row("eligible (2018)", a.eligible.to_string());
    rows.area(
        "largest contiguous unfinished land (m²)",
        a.largest_contiguous_area_m2,
    );
    rows.area("retained-land area (m²)", a.retained_land_area_m2);
    rows.area("base floor area (m²)", a.base_floor_area_m2);
    rows.area("shared floor area (m²)", a.shared_floor_area_m2);
    rows.area("planned floor area (m²)", a.planned_floor_area_m2);
}

/// At most a few findings per code on screen; report.json has them all.
fn findings_block(s: &mut String, report: &ProjectReport) {
    if report.findings.is_empty() {
        return;
    }
    let _ = writeln!(s, "\nFindings ({}):", report.findings.len());
    let mut shown: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &report.findings {
        let n = shown.entry(f.code.as_str()).or_insert(0);
        *n += 1;
        if *n > FINDINGS_SHOWN_PER_CODE {
            continue;
        }
        let sev = serde_json::to_value(f.severity)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let _ = writeln!(s, "  [{sev}] {}: {}", f.code, f.message);
    }
    for (code, n) in shown {
        if n > FINDINGS_SHOWN_PER_CODE {
            let _ = writeln!(
                s,
                "  … {} more `{code}` finding(s) in report.json",
                n - FINDINGS_SHOWN_PER_CODE
            );
        }
    }
}
