//! `report.xlsx` beside report.json (and `district.xlsx` of a batch): the computation as a
//! spreadsheet whose results are live Excel formulas over the coefficients, so an analyst
//! who edits a rule value sees the rights floor area (权益容积), planned floor area
//! (规划容积) and retained-land area (留用土地) change; the parcels, sites, findings and
//! unofficial values as tables.
//!
//! The files are byte-identical across runs: the document's creation date is fixed
//! ([`CREATED`]) instead of the clock, and every sheet is written in report order.

mod chain;
mod computation;
mod district;
mod sheet;
mod tables;

use std::io::Write as _;
use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};

use crate::batch::BatchRun;
use crate::io::write::write_atomic;
use crate::project::ProjectReport;
use crate::{Error, Result};

pub use district::DISTRICT_SHEETS;

/// The workbook `assess` writes beside report.json.
pub const REPORT_XLSX: &str = "report.xlsx";
/// The workbook `batch` writes into its output folder.
pub const DISTRICT_XLSX: &str = "district.xlsx";
/// Sheet names of report.xlsx, in order.
pub const REPORT_SHEETS: [&str; 5] = ["computation", "unofficial", "parcels", "sites", "findings"];

/// The creation date written into every workbook (`docProps/core.xml`): fixed, so that the
/// same input gives the same bytes (year, month, day).
pub const CREATED: (u16, u8, u8) = (2000, 1, 1);

/// Writes report.xlsx for a project report at `path` (atomically).
pub fn write_report_xlsx(path: &Path, report: &ProjectReport) -> Result<()> {
    let bytes = report_xlsx_bytes(report).map_err(|e| xlsx_error(path, e))?;
    write_bytes(path, &bytes)
}

/// Writes district.xlsx for a batch run at `path` (atomically).
pub fn write_district_xlsx(path: &Path, run: &BatchRun) -> Result<()> {
    let bytes = district::district_xlsx_bytes(run).map_err(|e| xlsx_error(path, e))?;
    write_bytes(path, &bytes)
}

/// The bytes of report.xlsx.
fn report_xlsx_bytes(report: &ProjectReport) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut wb = new_workbook()?;
    let fmt = sheet::Formats::new();
    let [comp, unofficial, parcels, sites, findings] = REPORT_SHEETS;
    computation::write_computation(wb.add_worksheet().set_name(comp)?, &fmt, report)?;
    tables::write_unofficial(
        wb.add_worksheet().set_name(unofficial)?,
        &fmt,
        &report.not_official_values,
    )?;
    tables::write_parcels(wb.add_worksheet().set_name(parcels)?, &fmt, &report.parcels)?;
    tables::write_sites(
        wb.add_worksheet().set_name(sites)?,
        &fmt,
        report.siting.as_ref(),
    )?;
    tables::write_findings(
        wb.add_worksheet().set_name(findings)?,
        &fmt,
        &report.findings,
        &report.warnings,
    )?;
    wb.save_to_buffer()
}

/// A workbook with the fixed document properties.
fn new_workbook() -> std::result::Result<Workbook, XlsxError> {
    let (y, m, d) = CREATED;
    let created = ExcelDateTime::from_ymd(y, m, d)?;
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_author("landpool"),
    );
    Ok(wb)
}

fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic(path, |w| w.write_all(bytes).map_err(|e| Error::io(path, e)))
}

fn xlsx_error(path: &Path, e: XlsxError) -> Error {
    Error::io(path, std::io::Error::other(e.to_string()))
}
