//! The cell-level writer the sheets share: formats, cell references, and a cursor that
//! writes one row at a time (so that a formula can name the cells written before it).

use rust_xlsxwriter::{Color, Format, FormatBorder, Formula, Worksheet, XlsxError};

/// Results of the writer's cell calls (mapped to [`crate::Error`] at the file boundary).
pub(super) type XResult<T> = std::result::Result<T, XlsxError>;

/// Number formats and fills of the workbook, created once.
pub(super) struct Formats {
    /// Sheet titles.
    pub title: Format,
    /// Column headings.
    pub header: Format,
    /// Section headings of the computation sheet.
    pub section: Format,
    /// Notes in grey italics.
    pub note: Format,
    /// An input or coefficient an analyst may edit (light blue).
    pub input: Format,
    /// A live formula (light yellow, bold).
    pub formula: Format,
    /// A plain number in a table.
    pub number: Format,
    /// A status cell of an illustrative (unpublished) value: red.
    pub illustrative: Format,
    /// Any other text cell.
    pub text: Format,
}

impl Formats {
    /// The workbook's formats.
    pub(super) fn new() -> Formats {
        let number = Format::new().set_num_format("#,##0.000000");
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xD9D9D9))
                .set_border_bottom(FormatBorder::Thin),
            section: Format::new()
                .set_bold()
                .set_font_color(Color::RGB(0x1F4E79)),
            note: Format::new()
                .set_italic()
                .set_font_color(Color::RGB(0x595959)),
            input: number
                .clone()
                .set_background_color(Color::RGB(0xDDEBF7))
                .set_border(FormatBorder::Thin),
            formula: number
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(0xFFF2CC))
                .set_border(FormatBorder::Thin),
            number,
            illustrative: Format::new()
                .set_bold()
                .set_font_color(Color::RGB(0xC00000)),
            text: Format::new(),
        }
    }
}

/// The A1 name of a cell (`C7`), from zero-based row and column.
pub(super) fn cell_ref(row: u32, col: u16) -> String {
    rust_xlsxwriter::utility::row_col_to_cell(row, col)
}

/// The A1 name of a range in one column (`D5:D9`), rows inclusive.
pub(super) fn column_range(col: u16, first: u32, last: u32) -> String {
    format!("{}:{}", cell_ref(first, col), cell_ref(last, col))
}

/// A number as Excel stores it in a cached formula result: shortest round-trip text, so
/// that the cached value is the report's `f64` exactly.
fn cached_text(v: f64) -> String {
    if v.is_finite() {
        v.to_string()
    } else {
        "0".into()
    }
}

/// Writes a live formula with its cached value (what landpool computed).
pub(super) fn write_formula(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    formula: &str,
    cached: f64,
    format: &Format,
) -> XResult<()> {
    let f = Formula::new(formula).set_result(cached_text(cached));
    ws.write_formula_with_format(row, col, f, format)?;
    Ok(())
}

/// Writes a number; a non-finite one (which Excel cannot store) as text.
pub(super) fn write_number(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    v: f64,
    format: &Format,
) -> XResult<()> {
    if v.is_finite() {
        ws.write_number_with_format(row, col, v, format)?;
    } else {
        ws.write_string_with_format(row, col, v.to_string(), format)?;
    }
    Ok(())
}

/// A cell of a table sheet.
pub(super) enum TableCell {
    /// Text (empty text leaves the cell blank).
    Text(String),
    /// A number.
    Number(f64),
    /// A number that may be missing (blank cell).
    Maybe(Option<f64>),
}

/// Writes a table sheet: a title, a heading row with a filter, then the rows. Returns the
/// zero-based row after the last one written.
pub(super) fn write_table(
    ws: &mut Worksheet,
    fmt: &Formats,
    title: &str,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<TableCell>>,
) -> XResult<u32> {
    ws.write_string_with_format(0, 0, title, &fmt.title)?;
    for (c, h) in (0u16..).zip(header) {
        ws.write_string_with_format(2, c, *h, &fmt.header)?;
        ws.set_column_width(c, column_width(h))?;
    }
    let mut row = 3u32;
    for cells in rows {
        for (c, cell) in (0u16..).zip(cells) {
            match cell {
                TableCell::Text(s) if s.is_empty() => {}
                TableCell::Text(s) => {
                    ws.write_string_with_format(row, c, s, &fmt.text)?;
                }
                TableCell::Number(v) | TableCell::Maybe(Some(v)) => {
                    write_number(ws, row, c, v, &fmt.number)?;
                }
                TableCell::Maybe(None) => {}
            }
        }
        row += 1;
    }
    let last_col = u16::try_from(header.len().saturating_sub(1)).unwrap_or(0);
    ws.autofilter(2, 0, row.saturating_sub(1).max(2), last_col)?;
    ws.set_freeze_panes(3, 0)?;
    Ok(row)
}

/// A readable width for a column from its heading (messages get a wide column).
fn column_width(header: &str) -> f64 {
    match header {
        "message" | "source" | "reason" | "error" => 60.0,
        _ => (header.chars().count() as f64 + 4.0).max(12.0),
    }
}
