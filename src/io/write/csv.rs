//! CSV: header plus rows, atomically.

use std::path::Path;

use super::write_atomic;
use crate::error::{Error, Result};
use crate::model::{Layer, Value};

/// Writes a CSV file atomically: a header row, then the rows (each as many cells as the
/// header; a ragged row is an error naming its 1-based data row number).
pub fn write_csv<I, R, S>(path: &Path, header: &[&str], rows: I) -> Result<()>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    write_atomic(path, |w| {
        let mut csv = csv::WriterBuilder::new().flexible(true).from_writer(w);
        let csv_err = |e: csv::Error| Error::io(path, std::io::Error::other(e));
        csv.write_record(header).map_err(csv_err)?;
        let mut record = csv::StringRecord::new();
        for (n, row) in rows.into_iter().enumerate() {
            record.clear();
            for cell in row {
                record.push_field(cell.as_ref());
            }
            if record.len() != header.len() {
                return Err(Error::Feature {
                    path: path.to_path_buf(),
                    feature: format!("row {}", n + 1),
                    message: format!("{} cells for {} header columns", record.len(), header.len()),
                });
            }
            csv.write_record(&record).map_err(csv_err)?;
        }
        csv.flush().map_err(|e| Error::io(path, e))?;
        Ok(())
    })
}

/// The CSV cell text of a value: empty for null, `true`/`false`, numbers in Rust's
/// shortest round-trip form, dates as `YYYY-MM-DD`.
pub fn csv_cell(value: &Value) -> String {
    value.as_text().unwrap_or_default()
}

/// Writes a layer's attributes (no geometry) as CSV, atomically, with the schema as header.
pub fn write_layer_attributes_csv(path: &Path, layer: &Layer) -> Result<()> {
    let header: Vec<&str> = layer.schema.iter().map(|f| f.name.as_str()).collect();
    let rows = layer
        .features
        .iter()
        .map(|f| f.attributes.iter().map(csv_cell).collect::<Vec<_>>());
    write_csv(path, &header, rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::write::geojson::tests::square_layer;

    #[test]
    fn layer_attributes_csv_has_schema_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        write_layer_attributes_csv(&path, &square_layer()).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "id,a\n\"q\"\"1\",1\n"
        );
    }

    #[test]
    fn csv_rows_are_quoted_and_ragged_rows_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        write_csv(&path, &["a", "b"], [["1", "x,y"], ["2", "z"]]).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "a,b\n1,\"x,y\"\n2,z\n"
        );
        let err = write_csv(&path, &["a", "b"], [vec!["1"]]).unwrap_err();
        assert!(err.to_string().contains("row 1"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "a,b\n1,\"x,y\"\n2,z\n"
        );
    }
}
