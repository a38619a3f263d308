//! The computation sheet's row writer: one row per figure or coefficient, with the value
//! (a number an analyst may edit, or a live formula over the cells above it with its
//! cached value), the rule-set key, source and status of a rule value, the policy formula
//! in words and where the figure is in report.json.

use rust_xlsxwriter::Worksheet;

use super::sheet::{Formats, XResult, cell_ref, column_range, write_formula, write_number};
use crate::policy::rules::{Provenance, Sourced, Status};

/// Columns of the computation sheet (zero-based).
pub(super) mod col {
    /// What the row is.
    pub const ITEM: u16 = 0;
    /// Its symbol in the policy formulas.
    pub const SYMBOL: u16 = 1;
    /// The value: a number, or a live formula with its cached value.
    pub const VALUE: u16 = 2;
    /// The weight of a coefficient in its mean: area, floor area or share.
    pub const WEIGHT: u16 = 3;
    /// A helper formula of the row (share / coefficient).
    pub const HELPER: u16 = 4;
    /// Unit of the value.
    pub const UNIT: u16 = 5;
    /// Rule-set key of a rule value.
    pub const KEY: u16 = 6;
    /// Its source.
    pub const SOURCE: u16 = 7;
    /// official, draft or illustrative.
    pub const STATUS: u16 = 8;
    /// The policy formula in words.
    pub const FORMULA: u16 = 9;
    /// Where the value is in report.json (dotted path, `[i]` for array elements).
    pub const JSON: u16 = 10;
}

/// Headings of the computation sheet's columns.
pub(super) const HEADER: [&str; 11] = [
    "item",
    "symbol",
    "value",
    "weight",
    "helper",
    "unit",
    "rule-set key",
    "source",
    "status",
    "formula",
    "report.json",
];

/// A value cell: a number (an input or coefficient) or a live formula.
pub(super) enum Value {
    /// A number an analyst may edit.
    Input(f64),
    /// A formula over other cells with the value landpool computed.
    Formula { formula: String, cached: f64 },
    /// Text (e.g. `sum` or `product`, `true`).
    Text(String),
}

/// Where a rule value came from, as shown in the key, source and status columns.
pub(super) struct Origin {
    pub key: String,
    pub source: String,
    pub status: String,
    pub illustrative: bool,
}

impl Origin {
    /// The origin of one rule value.
    pub(super) fn of(p: &Provenance) -> Origin {
        Origin {
            key: p.key.clone(),
            source: p.source.clone(),
            status: status_name(p.status),
            illustrative: p.status == Status::Illustrative,
        }
    }

    /// The origin of a value from several rule values (keys, sources, statuses joined).
    pub(super) fn joined<'a>(ps: impl IntoIterator<Item = &'a Provenance>) -> Option<Origin> {
        let mut keys = std::collections::BTreeSet::new();
        let mut sources = std::collections::BTreeSet::new();
        let mut statuses = std::collections::BTreeSet::new();
        for p in ps {
            keys.insert(p.key.as_str());
            sources.insert(p.source.as_str());
            statuses.insert(p.status);
        }
        if keys.is_empty() {
            return None;
        }
        let join = |s: Vec<&str>| s.join("; ");
        Some(Origin {
            key: join(keys.into_iter().collect()),
            source: join(sources.into_iter().collect()),
            illustrative: statuses.contains(&Status::Illustrative),
            status: statuses
                .into_iter()
                .map(status_name)
                .collect::<Vec<_>>()
                .join("; "),
        })
    }
}

/// `official`, `draft` or `illustrative`.
pub(super) fn status_name(s: Status) -> String {
    enum_name(s)
}

/// The serde name of a unit enum value (`product`, `counted`).
pub(crate) fn enum_name<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// One row of the computation sheet.
pub(super) struct Row {
    pub item: String,
    pub symbol: String,
    pub value: Value,
    /// Weight of a coefficient row (area, floor area, share).
    pub weight: Option<f64>,
    /// A helper formula with its cached value.
    pub helper: Option<(String, f64)>,
    pub unit: &'static str,
    pub origin: Option<Origin>,
    pub formula_text: String,
    /// Path of the value in report.json (empty: not in it).
    pub json: String,
}

impl Row {
    /// A row with a value and nothing else.
    pub(super) fn new(item: impl Into<String>, symbol: &str, value: Value) -> Row {
        Row {
            item: item.into(),
            symbol: symbol.to_string(),
            value,
            weight: None,
            helper: None,
            unit: "",
            origin: None,
            formula_text: String::new(),
            json: String::new(),
        }
    }

    /// A row for a rule value (an editable coefficient).
    pub(super) fn rule(item: impl Into<String>, symbol: &str, v: &Sourced<f64>) -> Row {
        Row::new(item, symbol, Value::Input(v.value)).origin(Some(Origin::of(&v.provenance)))
    }

    /// Sets the unit.
    pub(super) fn unit(mut self, unit: &'static str) -> Row {
        self.unit = unit;
        self
    }

    /// Sets the weight of a coefficient row.
    pub(super) fn weight(mut self, w: f64) -> Row {
        self.weight = Some(w);
        self
    }

    /// Sets the helper formula.
    pub(super) fn helper(mut self, formula: String, cached: f64) -> Row {
        self.helper = Some((formula, cached));
        self
    }

    /// Sets where a value came from.
    pub(super) fn origin(mut self, o: Option<Origin>) -> Row {
        self.origin = o;
        self
    }

    /// Sets the policy formula in words.
    pub(super) fn says(mut self, text: impl Into<String>) -> Row {
        self.formula_text = text.into();
        self
    }

    /// Sets the report.json path.
    pub(super) fn json(mut self, path: impl Into<String>) -> Row {
        self.json = path.into();
        self
    }
}

/// Writes the computation sheet row by row.
pub(super) struct ChainWriter<'a> {
    ws: &'a mut Worksheet,
    fmt: &'a Formats,
    /// The next row to write (zero-based).
    row: u32,
}

impl<'a> ChainWriter<'a> {
    /// Starts the sheet: title, the note on editing, the heading row.
    pub(super) fn begin(ws: &'a mut Worksheet, fmt: &'a Formats, title: &str) -> XResult<Self> {
        ws.write_string_with_format(0, 0, title, &fmt.title)?;
        ws.write_string_with_format(
            1,
            0,
            "Blue cells are inputs and rule values: edit one and the yellow formulas \
             recompute. Red status: an illustrative (unpublished) value.",
            &fmt.note,
        )?;
        for (c, h) in (0u16..).zip(HEADER) {
            ws.write_string_with_format(3, c, h, &fmt.header)?;
        }
        for (c, w) in [
            (col::ITEM, 44.0),
            (col::SYMBOL, 8.0),
            (col::VALUE, 18.0),
            (col::WEIGHT, 16.0),
            (col::HELPER, 12.0),
            (col::UNIT, 6.0),
            (col::KEY, 40.0),
            (col::SOURCE, 40.0),
            (col::STATUS, 12.0),
            (col::FORMULA, 40.0),
            (col::JSON, 44.0),
        ] {
            ws.set_column_width(c, w)?;
        }
        ws.set_freeze_panes(4, 1)?;
        Ok(ChainWriter { ws, fmt, row: 4 })
    }

    /// The row the next call writes.
    pub(super) fn next_row(&self) -> u32 {
        self.row
    }

    /// A section heading (with an empty row before it).
    pub(super) fn section(&mut self, title: &str) -> XResult<()> {
        self.row += 1;
        self.ws
            .write_string_with_format(self.row, col::ITEM, title, &self.fmt.section)?;
        self.row += 1;
        Ok(())
    }

    /// Writes one row; returns the A1 name of its value cell.
    pub(super) fn put(&mut self, r: Row) -> XResult<String> {
        let (row, ws, fmt) = (self.row, &mut *self.ws, self.fmt);
        ws.write_string(row, col::ITEM, &r.item)?;
        ws.write_string(row, col::SYMBOL, &r.symbol)?;
        match &r.value {
            Value::Input(v) => write_number(ws, row, col::VALUE, *v, &fmt.input)?,
            Value::Formula { formula, cached } => {
                write_formula(ws, row, col::VALUE, formula, *cached, &fmt.formula)?
            }
            Value::Text(t) => {
                ws.write_string_with_format(row, col::VALUE, t, &fmt.text)?;
            }
        }
        if let Some(w) = r.weight {
            write_number(ws, row, col::WEIGHT, w, &fmt.input)?;
        }
        if let Some((f, cached)) = &r.helper {
            write_formula(ws, row, col::HELPER, f, *cached, &fmt.formula)?;
        }
        let texts = [
            (col::UNIT, r.unit.to_string()),
            (col::FORMULA, r.formula_text),
            (col::JSON, r.json),
        ];
        for (c, t) in texts {
            if !t.is_empty() {
                ws.write_string(row, c, t)?;
            }
        }
        if let Some(o) = r.origin {
            ws.write_string(row, col::KEY, o.key)?;
            ws.write_string(row, col::SOURCE, o.source)?;
            let status_fmt = if o.illustrative {
                &fmt.illustrative
            } else {
                &fmt.text
            };
            ws.write_string_with_format(row, col::STATUS, o.status, status_fmt)?;
        }
        self.row += 1;
        Ok(cell_ref(row, col::VALUE))
    }

    /// Writes coefficient rows (value = coefficient, weight = area or share); returns the
    /// rows written, first and last (none when `rows` is empty).
    pub(super) fn put_rows(&mut self, rows: Vec<Row>) -> XResult<Option<Block>> {
        let first = self.row;
        let n = rows.len();
        for r in rows {
            self.put(r)?;
        }
        Ok((n > 0).then(|| Block {
            first,
            last: self.row - 1,
        }))
    }
}

/// Consecutive rows of the computation sheet.
#[derive(Debug, Clone, Copy)]
pub(super) struct Block {
    pub first: u32,
    pub last: u32,
}

impl Block {
    /// The A1 range of one column of the block.
    pub(super) fn range(&self, c: u16) -> String {
        column_range(c, self.first, self.last)
    }
}
