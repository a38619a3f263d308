//! The table sheets of report.xlsx: unofficial values, parcels, sites and findings, one row
//! per item of report.json (numbers as numbers, so they sort and sum).

use rust_xlsxwriter::Worksheet;

use super::chain::{enum_name, status_name};
use super::sheet::{Formats, TableCell as T, XResult, write_table};
use crate::policy::{Finding, RuleValue};
use crate::project::{ParcelRow, SitingReport};
use crate::report::tables::{parcel_status_name, placement_name, zone_cell};

/// Every unofficial (illustrative) rule value the figures depend on.
pub(super) fn write_unofficial(
    ws: &mut Worksheet,
    fmt: &Formats,
    values: &[RuleValue],
) -> XResult<()> {
    let title = format!(
        "{} rule value(s) used are NOT OFFICIAL (illustrative placeholders): replace them in \
         the rule set before relying on the figures",
        values.len()
    );
    write_table(
        ws,
        fmt,
        &title,
        &["key", "value", "numeric", "status", "source"],
        values.iter().map(|v| {
            vec![
                T::Text(v.key.clone()),
                T::Text(v.value.clone()),
                T::Maybe(v.numeric),
                T::Text(status_name(v.status)),
                T::Text(v.source.clone()),
            ]
        }),
    )?;
    Ok(())
}

/// Every parcel of the layer with its status.
pub(super) fn write_parcels(ws: &mut Worksheet, fmt: &Formats, rows: &[ParcelRow]) -> XResult<()> {
    write_table(
        ws,
        fmt,
        "Parcels: every parcel of the layer with its status",
        crate::report::assessment::PARCEL_COLUMNS,
        rows.iter().map(|r| {
            vec![
                T::Text(r.parcel_id.clone()),
                T::Number(r.feature_index as f64),
                T::Text(parcel_status_name(r)),
                T::Text(r.reason.clone().unwrap_or_default()),
                T::Text(r.tenure.map(|t| t.to_string()).unwrap_or_default()),
                T::Number(r.area_m2),
                T::Number(r.area_inside_m2),
                T::Maybe(r.counted_area_m2),
                T::Maybe(r.land_rights_coef),
                T::Text(zone_cell(r)),
                T::Number(r.uncovered_m2),
                T::Number(r.floor_area_m2),
            ]
        }),
    )?;
    Ok(())
}

/// Headings of the sites sheet.
pub(super) const SITE_HEADER: &[&str] = &[
    "site_id",
    "use",
    "area_m2",
    "inside_m2",
    "outside_m2",
    "placement",
    "price",
    "onsite_rights_m2",
    "offsite_rights_m2",
];

/// The retained-land sites (an empty table with a note when the project has none).
pub(super) fn write_sites(
    ws: &mut Worksheet,
    fmt: &Formats,
    siting: Option<&SitingReport>,
) -> XResult<()> {
    let Some(s) = siting else {
        ws.write_string_with_format(
            0,
            0,
            "Sites: the project has no retained-sites layer",
            &fmt.title,
        )?;
        return Ok(());
    };
    let title = format!(
        "Retained-land sites: required {:.2} m², inside {:.2} m², shortfall {:.2} m², surplus {:.2} m²",
        s.fit.required_m2, s.fit.inside_m2, s.fit.shortfall_m2, s.fit.surplus_m2
    );
    write_table(
        ws,
        fmt,
        &title,
        SITE_HEADER,
        s.sites.iter().map(|r| {
            vec![
                T::Text(r.site_id.clone()),
                T::Text(r.use_.clone().unwrap_or_default()),
                T::Number(r.area_m2),
                T::Number(r.inside_m2),
                T::Number(r.outside_m2),
                T::Text(placement_name(r.placement)),
                T::Maybe(r.price),
                T::Number(r.onsite_rights_m2),
                T::Maybe(r.conversion.as_ref().map(|c| c.offsite_rights_m2)),
            ]
        }),
    )?;
    Ok(())
}

/// Findings, one row each, with an owner column (the project id in district.xlsx).
pub(super) fn finding_row(
    owner: Option<&str>,
    code: String,
    severity: String,
    message: &str,
) -> Vec<T> {
    let mut row = Vec::with_capacity(4);
    if let Some(o) = owner {
        row.push(T::Text(o.to_string()));
    }
    row.extend([
        T::Text(code),
        T::Text(severity),
        T::Text(message.to_string()),
    ]);
    row
}

/// The severity of a finding by name.
pub(super) fn severity_name(f: &Finding) -> String {
    enum_name(f.severity)
}

/// The project's findings and warnings.
pub(super) fn write_findings(
    ws: &mut Worksheet,
    fmt: &Formats,
    findings: &[Finding],
    warnings: &[String],
) -> XResult<()> {
    let title = format!(
        "Findings ({}) and warnings ({})",
        findings.len(),
        warnings.len()
    );
    let rows = findings
        .iter()
        .map(|f| finding_row(None, f.code.to_string(), severity_name(f), &f.message))
        .chain(
            warnings
                .iter()
                .map(|w| finding_row(None, "warning".into(), "warning".into(), w)),
        );
    write_table(ws, fmt, &title, &["code", "severity", "message"], rows)?;
    Ok(())
}
