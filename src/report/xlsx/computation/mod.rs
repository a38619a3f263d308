//! The computation sheet: the chain of the rules as cells. Inputs and rule values are
//! numbers an analyst may edit; the rights floor area (权益容积), planned floor area
//! (规划容积) and retained-land area (留用土地) are live formulas over them, each with the
//! value landpool computed as its cached result.
//!
//! Each formula repeats landpool's own arithmetic in the same order, so that Excel's
//! recalculation gives the cached value (the land-rights coefficient from the class means
//! may differ in the last digit).

use rust_xlsxwriter::Worksheet;

use super::chain::{Block, ChainWriter, Row, Value, col};
use super::sheet::{Formats, XResult};
use crate::project::{Computation, ProjectReport};

mod rules_2018;
mod rules_2022;

use rules_2018::write_2018;
use rules_2022::write_2022;

/// Writes the computation sheet of a report.
pub(super) fn write_computation(
    ws: &mut Worksheet,
    fmt: &Formats,
    report: &ProjectReport,
) -> XResult<()> {
    let p = &report.project;
    let name = p
        .name
        .as_deref()
        .map(|n| format!(" — {n}"))
        .unwrap_or_default();
    match &report.computation {
        Computation::New(a) => {
            let title = format!("Project {}{name}: 2022 draft rules (权益容积)", p.id);
            let mut w = ChainWriter::begin(ws, fmt, &title)?;
            write_2022(&mut w, a)
        }
        Computation::Rules2018(a) => {
            let title = format!("Project {}{name}: 2018 rules (留用土地)", p.id);
            let mut w = ChainWriter::begin(ws, fmt, &title)?;
            write_2018(&mut w, a)
        }
    }
}

pub(super) const C: &str = "computation";

pub(super) fn formula(f: String, cached: f64) -> Value {
    Value::Formula { formula: f, cached }
}

/// A weighted mean `SUMPRODUCT(weights, values) / divisor` over a block, or the value
/// itself when the block is empty.
pub(super) fn weighted_mean(block: Option<Block>, divisor: &str, cached: f64) -> Value {
    match block {
        Some(b) => formula(
            format!(
                "SUMPRODUCT({},{})/{divisor}",
                b.range(col::WEIGHT),
                b.range(col::VALUE)
            ),
            cached,
        ),
        None => Value::Input(cached),
    }
}

/// Facility rows and their sum; returns the cell of F.
pub(super) fn write_facilities<'f>(
    w: &mut ChainWriter<'_>,
    facilities: impl Iterator<Item = (&'f str, f64)>,
    total: f64,
    json: &str,
) -> XResult<String> {
    let rows = facilities
        .map(|(name, m2)| {
            Row::new(format!("  facility {name}"), "F_i", Value::Input(m2)).unit("m²")
        })
        .collect();
    let block = w.put_rows(rows)?;
    let value = match block {
        Some(b) => formula(format!("SUM({})", b.range(col::VALUE)), total),
        None => Value::Input(total),
    };
    w.put(
        Row::new("facility floor area (配套容积)", "F", value)
            .unit("m²")
            .says("F = Σ F_i")
            .json(json),
    )
}
