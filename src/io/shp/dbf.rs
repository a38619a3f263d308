//! dBase III/IV tables (the `.dbf` of a shapefile), read byte-exact here because Chinese
//! shapefiles are usually GBK-encoded without a `.cpg`.
//!
//! Every count and length in the header is checked against the file size before anything
//! is allocated: a header claiming 2³¹ records is an error, not an abort. Records whose
//! deletion flag is `*` are skipped (as GDAL does), keeping their record numbers so the
//! `.shp` pairing stays right. Text cut mid-character at the field width (a writer that
//! truncated bytes, not characters) is kept with the broken tail replaced by U+FFFD, and
//! counted in [`DbfTable::repaired_text`].

use std::path::Path;

use chrono::NaiveDate;
use encoding_rs::{DecoderResult, Encoding};

use crate::error::{Error, Result};
use crate::model::{Field, FieldKind, Value};

/// How .dbf text is decoded.
#[derive(Debug, Clone, Copy)]
pub(super) enum TextEncoding {
    /// From a .cpg file or the user's option (the second part says which, for messages).
    Known(&'static Encoding, &'static str),
    /// Nothing said: strict UTF-8, with advice on failure.
    Utf8Unspecified,
}

impl TextEncoding {
    fn encoding(self) -> &'static Encoding {
        match self {
            TextEncoding::Known(enc, _) => enc,
            TextEncoding::Utf8Unspecified => encoding_rs::UTF_8,
        }
    }
}

/// A decoded .dbf: the schema and the live (not deleted) records.
pub(super) struct DbfTable {
    pub(super) schema: Vec<Field>,
    /// Live records in file order.
    pub(super) records: Vec<DbfRecord>,
    /// Records in the file, deleted ones included (what the `.shp` must match).
    pub(super) total_records: usize,
    /// Where text was cut mid-character and its tail replaced (`record #r, field F`).
    pub(super) repaired_text: Vec<String>,
}

/// One live record.
pub(super) struct DbfRecord {
    /// 0-based record number in the file (deleted records count).
    pub(super) number: usize,
    pub(super) values: Vec<Value>,
}

/// The fixed part of the header, with its counts checked against the file size.
struct DbfHeader {
    n_records: usize,
    header_len: usize,
    record_len: usize,
    language_driver: u8,
}

struct DbfField {
    name: String,
    kind: u8,
    length: usize,
    decimals: u8,
}

/// Text decoded from a cell, and whether its tail had to be repaired.
struct DecodedText {
    text: String,
    tail_repaired: bool,
}

fn read_u16(b: &[u8], at: usize) -> Option<usize> {
    b.get(at..at + 2)
        .map(|s| usize::from(u16::from_le_bytes([s[0], s[1]])))
}

fn read_u32(b: &[u8], at: usize) -> Option<usize> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
}

/// Reads a dBase III/IV table from its bytes (`path` names it in messages).
pub(super) fn read_dbf(path: &Path, bytes: &[u8], encoding: TextEncoding) -> Result<DbfTable> {
    let reader = DbfReader {
        path,
        bytes,
        encoding,
    };
    let header = reader.header()?;
    let fields = reader.fields(&header)?;
    let schema = schema_of(&fields);
    let mut table = DbfTable {
        schema,
        records: Vec::with_capacity(header.n_records),
        total_records: header.n_records,
        repaired_text: Vec::new(),
    };
    for number in 0..header.n_records {
        let start = header.header_len + number * header.record_len;
        // In bounds: `header()` checked header_len + n_records * record_len <= file size.
        let Some(rec) = bytes.get(start..start + header.record_len) else {
            return Err(reader.bad(format!("record #{number} is missing (file ends early)")));
        };
        if rec.first() == Some(&b'*') {
            continue;
        }
        let values = reader.record(
            &header,
            &fields,
            &table.schema,
            number,
            rec,
            &mut table.repaired_text,
        )?;
        table.records.push(DbfRecord { number, values });
    }
    Ok(table)
}

/// dBase type letter → field kind.
fn schema_of(fields: &[DbfField]) -> Vec<Field> {
    fields
        .iter()
        .map(|f| Field {
            name: f.name.clone(),
            kind: match f.kind {
                b'C' | b'M' => FieldKind::String,
                b'N' | b'F' if f.decimals == 0 && f.kind == b'N' && f.length < 19 => FieldKind::Int,
                b'N' | b'F' | b'O' | b'Y' => FieldKind::Float,
                b'I' | b'+' => FieldKind::Int,
                b'L' => FieldKind::Bool,
                b'D' => FieldKind::Date,
                _ => FieldKind::String,
            },
        })
        .collect()
}

struct DbfReader<'a> {
    path: &'a Path,
    bytes: &'a [u8],
    encoding: TextEncoding,
}

impl DbfReader<'_> {
    fn bad(&self, message: String) -> Error {
        Error::Parse {
            path: self.path.to_path_buf(),
            line: None,
            column: None,
            message,
        }
    }

    /// The fixed header; fails unless the records it announces fit in the file.
    fn header(&self) -> Result<DbfHeader> {
        let b = self.bytes;
        let truncated = || self.bad("truncated .dbf header".into());
        let n_records = read_u32(b, 4).ok_or_else(truncated)?;
        let header_len = read_u16(b, 8).ok_or_else(truncated)?;
        let record_len = read_u16(b, 10).ok_or_else(truncated)?;
        let language_driver = b.get(29).copied().unwrap_or(0);
        let needed = n_records
            .checked_mul(record_len)
            .and_then(|n| n.checked_add(header_len));
        if needed.is_none_or(|n| n > b.len()) {
            return Err(self.bad(format!(
                "truncated: the header announces {n_records} records of {record_len} bytes \
                 after a {header_len}-byte header, but the file has only {} bytes (file ends \
                 early or the header is damaged)",
                b.len()
            )));
        }
        Ok(DbfHeader {
            n_records,
            header_len,
            record_len,
            language_driver,
        })
    }

    /// The field descriptors; their lengths must add up to the record length.
    fn fields(&self, header: &DbfHeader) -> Result<Vec<DbfField>> {
        let mut fields = Vec::new();
        let mut at = 32;
        while self.bytes.get(at).is_some_and(|&b| b != 0x0D) && at + 32 <= header.header_len {
            let desc = self
                .bytes
                .get(at..at + 32)
                .ok_or_else(|| self.bad("truncated field descriptor".into()))?;
            let name_end = desc[..11].iter().position(|&b| b == 0).unwrap_or(11);
            let name = self
                .decode_strict(&desc[..name_end], header, &|| {
                    format!("field name #{}", fields.len())
                })?
                .trim()
                .to_string();
            fields.push(DbfField {
                name,
                kind: desc[11],
                length: usize::from(desc[16]),
                decimals: desc[17],
            });
            at += 32;
        }
        let expected_len: usize = 1 + fields.iter().map(|f| f.length).sum::<usize>();
        if expected_len != header.record_len {
            return Err(self.bad(format!(
                "record length {} in the header does not match the fields ({expected_len})",
                header.record_len
            )));
        }
        Ok(fields)
    }

    /// The values of one live record (`rec` includes the deletion flag byte).
    fn record(
        &self,
        header: &DbfHeader,
        fields: &[DbfField],
        schema: &[Field],
        number: usize,
        rec: &[u8],
        repaired_text: &mut Vec<String>,
    ) -> Result<Vec<Value>> {
        let mut values = Vec::with_capacity(fields.len());
        let mut off = 1; // deletion flag
        for (field, sf) in fields.iter().zip(schema) {
            // In bounds: `fields()` checked that the lengths add up to the record length.
            let raw = rec.get(off..off + field.length).unwrap_or_default();
            off += field.length;
            let what = || format!("record #{number}, field {}", field.name);
            let value = match binary_value(field.kind, raw) {
                Some(value) => value,
                None => {
                    let decoded = self.decode_cell(raw, header, &what)?;
                    if decoded.tail_repaired {
                        repaired_text.push(what());
                    }
                    self.text_value(field.kind, sf.kind, &decoded.text, &what)?
                }
            };
            values.push(value);
        }
        Ok(values)
    }

    /// A value from a cell's decoded text, by dBase type.
    fn text_value(
        &self,
        dbase_kind: u8,
        kind: FieldKind,
        text: &str,
        what: &dyn Fn() -> String,
    ) -> Result<Value> {
        let not_a_number = |t: &str| self.bad(format!("{}: `{t}` is not a number", what()));
        Ok(match dbase_kind {
            b'N' | b'F' => {
                let t = text.trim().trim_matches('\0');
                if t.is_empty() || t.chars().all(|c| c == '*') {
                    Value::Null
                } else if kind == FieldKind::Int {
                    match t.parse::<i64>() {
                        Ok(i) => Value::Int(i),
                        Err(_) => parse_float(t)
                            .map(Value::Float)
                            .ok_or_else(|| not_a_number(t))?,
                    }
                } else {
                    parse_float(t)
                        .map(Value::Float)
                        .ok_or_else(|| not_a_number(t))?
                }
            }
            b'D' => {
                let t = text.trim().trim_matches('\0');
                if t.is_empty() || t.chars().all(|c| c == '0') {
                    Value::Null
                } else {
                    // A malformed date is kept as text rather than lost.
                    NaiveDate::parse_from_str(t, "%Y%m%d")
                        .map(Value::Date)
                        .unwrap_or_else(|_| Value::Str(t.to_string()))
                }
            }
            _ => {
                let t = text.trim_end_matches([' ', '\0']);
                if t.is_empty() {
                    Value::Null
                } else {
                    Value::Str(t.to_string())
                }
            }
        })
    }

    /// Decodes a cell; a character cut at the end of the cell is replaced by U+FFFD.
    fn decode_cell(
        &self,
        raw: &[u8],
        header: &DbfHeader,
        what: &dyn Fn() -> String,
    ) -> Result<DecodedText> {
        // Padding never holds a trail byte in any supported encoding, so it can go first.
        let end = raw
            .iter()
            .rposition(|&b| b != b' ' && b != 0)
            .map_or(0, |i| i + 1);
        let trimmed = raw.get(..end).unwrap_or_default();
        match decode_allowing_cut_tail(self.encoding.encoding(), trimmed) {
            Some(decoded) => Ok(decoded),
            None => Err(self.encoding_error(header, what)),
        }
    }

    /// Decodes text that must be valid as it is (field names).
    fn decode_strict(
        &self,
        raw: &[u8],
        header: &DbfHeader,
        what: &dyn Fn() -> String,
    ) -> Result<String> {
        let (text, had_errors) = self.encoding.encoding().decode_without_bom_handling(raw);
        if had_errors {
            return Err(self.encoding_error(header, what));
        }
        Ok(text.into_owned())
    }

    fn encoding_error(&self, header: &DbfHeader, what: &dyn Fn() -> String) -> Error {
        let message = match self.encoding {
            TextEncoding::Known(enc, from) => format!(
                "{}: text is not valid {} (encoding from {from}); try another --encoding \
                 (e.g. gbk, gb18030, utf-8, latin1)",
                what(),
                enc.name()
            ),
            TextEncoding::Utf8Unspecified => format!(
                "{}: text is not valid UTF-8 and there is no .cpg file naming the encoding{}; \
                 Chinese shapefiles are usually GBK: rerun with `--encoding gbk` (or gb18030)",
                what(),
                if header.language_driver == 0x4D {
                    " (the .dbf language driver byte 0x4D says GBK/CP936)"
                } else {
                    ""
                }
            ),
        };
        Error::Encoding {
            path: self.path.to_path_buf(),
            message,
        }
    }
}

/// Decodes `raw`; if the only fault is an incomplete character at the very end (a writer
/// that cut bytes at the field width), that tail becomes U+FFFD. `None` when the text is
/// malformed anywhere else.
fn decode_allowing_cut_tail(encoding: &'static Encoding, raw: &[u8]) -> Option<DecodedText> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder.max_utf8_buffer_length_without_replacement(raw.len())?;
    let mut text = String::with_capacity(capacity);
    let (result, read) = decoder.decode_to_string_without_replacement(raw, &mut text, false);
    if !matches!(result, DecoderResult::InputEmpty) || read != raw.len() {
        return None;
    }
    // Flush: with all input consumed, a malformed result here can only be a cut tail.
    let mut rest = String::with_capacity(16);
    let (end, _) = decoder.decode_to_string_without_replacement(&[], &mut rest, true);
    text.push_str(&rest);
    let tail_repaired = matches!(end, DecoderResult::Malformed(..));
    if tail_repaired {
        text.push('\u{FFFD}');
    }
    Some(DecodedText {
        text,
        tail_repaired,
    })
}

/// Cells that are not text: `I` (32-bit integer), `O` (double), `L` (logical). `None` for
/// text cells, and for `I`/`O` cells of an unusual width (read as text).
fn binary_value(kind: u8, raw: &[u8]) -> Option<Value> {
    Some(match (kind, raw) {
        (b'I', &[a, b, c, d]) => Value::Int(i64::from(i32::from_le_bytes([a, b, c, d]))),
        (b'O', &[a, b, c, d, e, f, g, h]) => {
            Value::Float(f64::from_le_bytes([a, b, c, d, e, f, g, h]))
        }
        (b'L', raw) => match raw.first().copied().unwrap_or(b'?') {
            b'T' | b't' | b'Y' | b'y' => Value::Bool(true),
            b'F' | b'f' | b'N' | b'n' => Value::Bool(false),
            _ => Value::Null,
        },
        _ => return None,
    })
}

/// dBase floats may be written like `1.69599206793e+008`.
pub(super) fn parse_float(t: &str) -> Option<f64> {
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}
