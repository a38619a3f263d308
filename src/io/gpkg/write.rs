//! Writing tables to a new GeoPackage 1.3 file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use geo::{Coord, Rect};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, params};

use crate::error::{Error, Result};
use crate::io::table::OutputTable;
use crate::io::write::write_atomic_path;
use crate::model::layer::{FieldKind, Value};

use super::blob::encode_geometry;
use super::srs::SrsRegistry;
use super::{
    APPLICATION_ID, FID_COLUMN, GEOMETRY_COLUMN, USER_VERSION, quote_identifier, sqlite_error,
};

/// The tables every GeoPackage has (DDL of the GeoPackage 1.3 specification, as GDAL
/// writes it), and the extensions table for the R-tree index.
const CORE_DDL: &str = "
CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL,srs_id INTEGER NOT NULL PRIMARY KEY,organization TEXT NOT NULL,organization_coordsys_id INTEGER NOT NULL,definition  TEXT NOT NULL,description TEXT);
CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY,data_type TEXT NOT NULL,identifier TEXT UNIQUE,description TEXT DEFAULT '',last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),min_x DOUBLE, min_y DOUBLE,max_x DOUBLE, max_y DOUBLE,srs_id INTEGER,CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL,column_name TEXT NOT NULL,geometry_type_name TEXT NOT NULL,srs_id INTEGER NOT NULL,z TINYINT NOT NULL,m TINYINT NOT NULL,CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),CONSTRAINT uk_gc_table_name UNIQUE (table_name),CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE gpkg_extensions (table_name TEXT,column_name TEXT,extension_name TEXT NOT NULL,definition TEXT NOT NULL,scope TEXT NOT NULL,CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
";

/// `gpkg_contents.last_change` (GeoPackage format `%Y-%m-%dT%H:%M:%fZ`). Output must be
/// byte-identical for the same input, so this is not the current time: it is
/// `SOURCE_DATE_EPOCH` (seconds, the reproducible-builds convention) when set, else the
/// Unix epoch.
fn last_change() -> String {
    last_change_from(std::env::var("SOURCE_DATE_EPOCH").ok().as_deref())
}

fn last_change_from(source_date_epoch: Option<&str>) -> String {
    let seconds = source_date_epoch
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or(0);
    chrono::DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// The SQL column type of a field kind.
fn sql_type(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Bool => "BOOLEAN",
        FieldKind::Int => "INTEGER",
        FieldKind::Float => "REAL",
        FieldKind::Date => "DATE",
        FieldKind::String | FieldKind::Mixed => "TEXT",
    }
}

/// The SQL value of an attribute in a column of the given kind; an error message when the
/// value does not fit the column.
fn sql_value(kind: FieldKind, value: &Value) -> std::result::Result<SqlValue, String> {
    let misfit = || format!("value {value:?} does not fit a {kind:?} column");
    Ok(match (kind, value) {
        (_, Value::Null) => SqlValue::Null,
        // NaN would be stored as NULL by SQLite anyway; make that explicit.
        (FieldKind::Float | FieldKind::Mixed, Value::Float(f)) if f.is_nan() => SqlValue::Null,
        (FieldKind::Bool, Value::Bool(b)) => SqlValue::Integer(i64::from(*b)),
        (FieldKind::Bool, Value::Int(i @ (0 | 1))) => SqlValue::Integer(*i),
        (FieldKind::Int, Value::Int(i)) => SqlValue::Integer(*i),
        (FieldKind::Int, Value::Float(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
            SqlValue::Integer(*f as i64)
        }
        (FieldKind::Float, Value::Float(f)) => SqlValue::Real(*f),
        (FieldKind::Float, Value::Int(i)) => SqlValue::Real(*i as f64),
        (FieldKind::Date, Value::Date(d)) => SqlValue::Text(d.format("%Y-%m-%d").to_string()),
        // A text in a date column (e.g. a malformed dBase date) is kept as text.
        (FieldKind::Date, Value::Str(s)) => SqlValue::Text(s.clone()),
        // TEXT columns: the text of any value (SQLite's TEXT affinity would do the same).
        (FieldKind::String | FieldKind::Mixed, v) => {
            v.as_text().map_or(SqlValue::Null, SqlValue::Text)
        }
        _ => return Err(misfit()),
    })
}

/// Checks names before anything is written: table names unique (SQLite compares them
/// case-insensitively) and not reserved, column names unique and not `fid`/`geom`, rows
/// as wide as the columns.
fn check_tables(path: &Path, tables: &[OutputTable<'_>]) -> Result<()> {
    let mut seen: HashMap<String, &str> = HashMap::new();
    for t in tables {
        let lower = t.name.to_lowercase();
        if t.name.is_empty() {
            return Err(Error::Usage(format!(
                "{}: a table without a name cannot be written",
                path.display()
            )));
        }
        if ["gpkg_", "rtree_", "sqlite_"]
            .iter()
            .any(|p| lower.starts_with(p))
        {
            return Err(Error::Usage(format!(
                "{}: table name `{}` is reserved (gpkg_, rtree_ and sqlite_ prefixes)",
                path.display(),
                t.name
            )));
        }
        if let Some(other) = seen.insert(lower, &t.name) {
            return Err(Error::Usage(format!(
                "{}: tables `{other}` and `{}` have the same name (SQLite table names are \
                 case-insensitive)",
                path.display(),
                t.name
            )));
        }
        let mut columns: HashMap<String, &str> = HashMap::new();
        columns.insert(FID_COLUMN.into(), FID_COLUMN);
        if t.spatial {
            columns.insert(GEOMETRY_COLUMN.into(), GEOMETRY_COLUMN);
        }
        for f in &t.fields {
            if f.name.is_empty() {
                return Err(Error::Usage(format!(
                    "{}: table `{}` has a column without a name",
                    path.display(),
                    t.name
                )));
            }
            if let Some(other) = columns.insert(f.name.to_lowercase(), &f.name) {
                return Err(Error::Usage(format!(
                    "{}: table `{}`: column `{}` clashes with column `{other}` (column names \
                     are case-insensitive; `{FID_COLUMN}` and `{GEOMETRY_COLUMN}` are taken)",
                    path.display(),
                    t.name,
                    f.name
                )));
            }
        }
        for (i, row) in t.rows.iter().enumerate() {
            if row.values.len() != t.fields.len() {
                return Err(Error::Feature {
                    path: PathBuf::from(format!("{}:{}", path.display(), t.name)),
                    feature: format!("row {i}"),
                    message: format!("{} values for {} columns", row.values.len(), t.fields.len()),
                });
            }
        }
    }
    Ok(())
}

/// Writes tables to a new GeoPackage 1.3 file at `path`, replacing it atomically.
///
/// Spatial tables become `features` tables: `fid INTEGER PRIMARY KEY AUTOINCREMENT`
/// (1, 2, ... in row order), a MULTIPOLYGON column `geom` (GeoPackageBinary with an XY
/// envelope; an empty geometry is written with the empty flag; a row without geometry gets
/// NULL), the fields, an R-tree spatial index `rtree_<table>_geom` (when SQLite has the
/// R-tree module) with the triggers of the GeoPackage specification, and their extent in
/// `gpkg_contents`. Other tables become `attributes` tables. Fields are typed BOOLEAN,
/// INTEGER, REAL, DATE (`YYYY-MM-DD`) or TEXT (strings and mixed values). CRSs with an
/// EPSG code get that srs_id; others get srs_ids from 100000 on; no CRS gives srs_id -1.
pub fn write_gpkg(path: &Path, tables: &[OutputTable<'_>]) -> Result<()> {
    check_tables(path, tables)?;
    write_atomic_path(path, |temp| {
        let mut conn = Connection::open(temp)
            .map_err(|e| sqlite_error(path, &format!("cannot create: {e}"), &e))?;
        write_tables(&mut conn, path, tables)?;
        conn.close()
            .map_err(|(_, e)| sqlite_error(path, &format!("closing: {e}"), &e))
    })
}

/// Fills a new GeoPackage in one transaction: the core tables, the CRSs, then each table
/// (created, filled, registered), then the R-tree triggers.
fn write_tables(conn: &mut Connection, path: &Path, tables: &[OutputTable<'_>]) -> Result<()> {
    let sql_err = |e: rusqlite::Error| write_error(path, e);
    // The file is a temporary one that is renamed only when complete (and fsynced then):
    // no rollback journal and no syncs are needed while it is written.
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; \
         PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {USER_VERSION};"
    ))
    .map_err(sql_err)?;
    let tx = conn.transaction().map_err(sql_err)?;
    tx.execute_batch(CORE_DDL).map_err(sql_err)?;

    let mut srs = SrsRegistry::default();
    let table_srs: Vec<Option<i64>> = tables
        .iter()
        .map(|t| t.spatial.then(|| srs.srs_id(t.crs.as_ref())))
        .collect();
    srs.insert_rows(&tx).map_err(sql_err)?;

    let has_rtree = rtree_available(&tx).map_err(sql_err)?;
    let timestamp = last_change();
    let mut triggers = Vec::new();
    for (table, srs_id) in tables.iter().zip(table_srs) {
        let plan = TablePlan::new(table, srs_id, has_rtree);
        plan.create(&tx).map_err(sql_err)?;
        let extent = plan.insert_rows(&tx, path)?;
        plan.register(&tx, &timestamp, extent).map_err(sql_err)?;
        if plan.indexed {
            triggers.push(rtree_triggers(&table.name, GEOMETRY_COLUMN, FID_COLUMN));
        }
    }
    // The triggers keep the index in step with later edits (in QGIS or GDAL, which provide
    // the ST_* functions they call). They are created last: this connection has no ST_*
    // functions, and the index was filled directly above.
    for sql in triggers {
        tx.execute_batch(&sql).map_err(sql_err)?;
    }
    tx.commit().map_err(sql_err)?;
    Ok(())
}

/// An SQLite failure while writing `path`.
fn write_error(path: &Path, e: rusqlite::Error) -> Error {
    sqlite_error(path, &format!("writing: {e}"), &e)
}

/// One output table and how it is stored.
struct TablePlan<'t, 'g> {
    table: &'t OutputTable<'g>,
    /// The geometry column's srs_id; `None` for attribute tables.
    srs_id: Option<i64>,
    /// Whether the table gets an R-tree index (spatial, and SQLite has the module).
    indexed: bool,
    /// Quoted identifiers of the table and its R-tree.
    quoted_table: String,
    quoted_rtree: String,
}

impl<'t, 'g> TablePlan<'t, 'g> {
    fn new(table: &'t OutputTable<'g>, srs_id: Option<i64>, has_rtree: bool) -> Self {
        TablePlan {
            table,
            srs_id,
            indexed: table.spatial && has_rtree,
            quoted_table: quote_identifier(&table.name),
            quoted_rtree: quote_identifier(&format!("rtree_{}_{}", table.name, GEOMETRY_COLUMN)),
        }
    }

    /// The quoted columns in insertion order: fid, geometry (spatial tables), fields.
    fn columns(&self) -> Vec<String> {
        let mut columns = vec![quote_identifier(FID_COLUMN)];
        if self.table.spatial {
            columns.push(quote_identifier(GEOMETRY_COLUMN));
        }
        columns.extend(self.table.fields.iter().map(|f| quote_identifier(&f.name)));
        columns
    }

    /// `CREATE TABLE`, and the R-tree's virtual table.
    fn create(&self, tx: &Connection) -> rusqlite::Result<()> {
        let mut ddl = format!(
            "CREATE TABLE {} ({} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL",
            self.quoted_table,
            quote_identifier(FID_COLUMN)
        );
        if self.table.spatial {
            ddl.push_str(&format!(
                ", {} MULTIPOLYGON",
                quote_identifier(GEOMETRY_COLUMN)
            ));
        }
        for f in &self.table.fields {
            ddl.push_str(&format!(
                ", {} {}",
                quote_identifier(&f.name),
                sql_type(f.kind)
            ));
        }
        ddl.push(')');
        tx.execute_batch(&ddl)?;
        if self.indexed {
            tx.execute_batch(&format!(
                "CREATE VIRTUAL TABLE {} USING rtree(id, minx, maxx, miny, maxy)",
                self.quoted_rtree
            ))?;
        }
        Ok(())
    }

    /// Inserts the rows (fid 1, 2, ... in row order) and their R-tree entries; the extent of
    /// the geometries.
    fn insert_rows(&self, tx: &Connection, path: &Path) -> Result<Option<Rect<f64>>> {
        let sql_err = |e: rusqlite::Error| write_error(path, e);
        let columns = self.columns();
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let mut insert = tx
            .prepare(&format!(
                "INSERT INTO {} ({}) VALUES ({})",
                self.quoted_table,
                columns.join(", "),
                placeholders.join(", ")
            ))
            .map_err(sql_err)?;
        let mut insert_rtree = if self.indexed {
            let sql = format!(
                "INSERT INTO {} VALUES (?1, ?2, ?3, ?4, ?5)",
                self.quoted_rtree
            );
            Some(tx.prepare(&sql).map_err(sql_err)?)
        } else {
            None
        };
        let label = PathBuf::from(format!("{}:{}", path.display(), self.table.name));
        let mut extent: Option<Rect<f64>> = None;
        let mut blob = Vec::new();
        let mut values: Vec<SqlValue> = Vec::with_capacity(columns.len());
        for i in 0..self.table.rows.len() {
            let fid = i as i64 + 1;
            let envelope = self.row_values(i, &label, &mut blob, &mut values)?;
            insert
                .execute(rusqlite::params_from_iter(values.iter()))
                .map_err(sql_err)?;
            let Some(r) = envelope else { continue };
            extent = Some(extent.map_or(r, |e| union(e, r)));
            if let Some(stmt) = insert_rtree.as_mut() {
                stmt.execute(params![fid, r.min().x, r.max().x, r.min().y, r.max().y])
                    .map_err(sql_err)?;
            }
        }
        Ok(extent)
    }

    /// The SQL values of row `i` into `values` (fid, geometry blob, fields); the envelope of
    /// its geometry, if it has a non-empty one.
    fn row_values(
        &self,
        i: usize,
        label: &Path,
        blob: &mut Vec<u8>,
        values: &mut Vec<SqlValue>,
    ) -> Result<Option<Rect<f64>>> {
        let row = &self.table.rows[i];
        let row_error = |message: String| Error::Feature {
            path: label.to_path_buf(),
            feature: format!("row {i}"),
            message,
        };
        values.clear();
        values.push(SqlValue::Integer(i as i64 + 1));
        let mut envelope = None;
        if self.table.spatial {
            match row.geometry {
                Some(g) => {
                    let srs = self
                        .srs_id
                        .and_then(|s| i32::try_from(s).ok())
                        .unwrap_or(-1);
                    envelope = encode_geometry(blob, g, srs).map_err(row_error)?;
                    values.push(SqlValue::Blob(blob.clone()));
                }
                None => values.push(SqlValue::Null),
            }
        }
        for (field, value) in self.table.fields.iter().zip(&row.values) {
            values.push(
                sql_value(field.kind, value)
                    .map_err(|m| row_error(format!("column `{}`: {m}", field.name)))?,
            );
        }
        Ok(envelope)
    }

    /// The table's rows of `gpkg_contents`, `gpkg_geometry_columns` and `gpkg_extensions`.
    fn register(
        &self,
        tx: &Connection,
        timestamp: &str,
        extent: Option<Rect<f64>>,
    ) -> rusqlite::Result<()> {
        let table = self.table;
        let data_type = if table.spatial {
            "features"
        } else {
            "attributes"
        };
        tx.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, \
             last_change, min_x, min_y, max_x, max_y, srs_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                table.name,
                data_type,
                table.name,
                table.description,
                timestamp,
                extent.map(|e| e.min().x),
                extent.map(|e| e.min().y),
                extent.map(|e| e.max().x),
                extent.map(|e| e.max().y),
                self.srs_id
            ],
        )?;
        if let Some(srs_id) = self.srs_id {
            tx.execute(
                "INSERT INTO gpkg_geometry_columns (table_name, column_name, \
                 geometry_type_name, srs_id, z, m) VALUES (?1, ?2, 'MULTIPOLYGON', ?3, 0, 0)",
                params![table.name, GEOMETRY_COLUMN, srs_id],
            )?;
        }
        if self.indexed {
            tx.execute(
                "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, \
                 definition, scope) VALUES (?1, ?2, 'gpkg_rtree_index', \
                 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
                params![table.name, GEOMETRY_COLUMN],
            )?;
        }
        Ok(())
    }
}

/// The smallest rectangle holding both.
fn union(a: Rect<f64>, b: Rect<f64>) -> Rect<f64> {
    Rect::new(
        Coord {
            x: a.min().x.min(b.min().x),
            y: a.min().y.min(b.min().y),
        },
        Coord {
            x: a.max().x.max(b.max().x),
            y: a.max().y.max(b.max().y),
        },
    )
}

/// Whether SQLite has the R-tree module (Debian's and the bundled one do).
fn rtree_available(conn: &Connection) -> rusqlite::Result<bool> {
    match conn.execute_batch(
        "CREATE VIRTUAL TABLE temp.landpool_rtree_probe USING rtree(id, minx, maxx); \
         DROP TABLE temp.landpool_rtree_probe;",
    ) {
        Ok(()) => Ok(true),
        Err(e) if e.to_string().contains("no such module") => Ok(false),
        Err(e) => Err(e),
    }
}

/// The R-tree triggers of the GeoPackage 1.3 specification (F.3, as GDAL 3.6 writes them).
fn rtree_triggers(table: &str, geometry: &str, fid: &str) -> String {
    let t = quote_identifier(table);
    let g = quote_identifier(geometry);
    let i = quote_identifier(fid);
    let name = |suffix: &str| quote_identifier(&format!("rtree_{table}_{geometry}_{suffix}"));
    let r = quote_identifier(&format!("rtree_{table}_{geometry}"));
    let values = format!(
        "(NEW.{i}, ST_MinX(NEW.{g}), ST_MaxX(NEW.{g}), ST_MinY(NEW.{g}), ST_MaxY(NEW.{g}))"
    );
    format!(
        "CREATE TRIGGER {insert} AFTER INSERT ON {t} WHEN (new.{g} NOT NULL AND NOT ST_IsEmpty(NEW.{g})) \
         BEGIN INSERT OR REPLACE INTO {r} VALUES {values}; END;
CREATE TRIGGER {update1} AFTER UPDATE OF {g} ON {t} WHEN OLD.{i} = NEW.{i} AND (NEW.{g} NOTNULL AND NOT ST_IsEmpty(NEW.{g})) \
         BEGIN INSERT OR REPLACE INTO {r} VALUES {values}; END;
CREATE TRIGGER {update2} AFTER UPDATE OF {g} ON {t} WHEN OLD.{i} = NEW.{i} AND (NEW.{g} ISNULL OR ST_IsEmpty(NEW.{g})) \
         BEGIN DELETE FROM {r} WHERE id = OLD.{i}; END;
CREATE TRIGGER {update3} AFTER UPDATE ON {t} WHEN OLD.{i} != NEW.{i} AND (NEW.{g} NOTNULL AND NOT ST_IsEmpty(NEW.{g})) \
         BEGIN DELETE FROM {r} WHERE id = OLD.{i}; INSERT OR REPLACE INTO {r} VALUES {values}; END;
CREATE TRIGGER {update4} AFTER UPDATE ON {t} WHEN OLD.{i} != NEW.{i} AND (NEW.{g} ISNULL OR ST_IsEmpty(NEW.{g})) \
         BEGIN DELETE FROM {r} WHERE id IN (OLD.{i}, NEW.{i}); END;
CREATE TRIGGER {delete} AFTER DELETE ON {t} WHEN old.{g} NOT NULL \
         BEGIN DELETE FROM {r} WHERE id = OLD.{i}; END;",
        insert = name("insert"),
        update1 = name("update1"),
        update2 = name("update2"),
        update3 = name("update3"),
        update4 = name("update4"),
        delete = name("delete"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_must_fit_their_columns() {
        assert_eq!(
            sql_value(FieldKind::Int, &Value::Float(4.0)),
            Ok(SqlValue::Integer(4))
        );
        assert!(sql_value(FieldKind::Int, &Value::Float(4.5)).is_err());
        assert!(sql_value(FieldKind::Int, &Value::Str("4".into())).is_err());
        assert_eq!(
            sql_value(FieldKind::Mixed, &Value::Int(4)),
            Ok(SqlValue::Text("4".into()))
        );
        assert_eq!(
            sql_value(FieldKind::Bool, &Value::Bool(true)),
            Ok(SqlValue::Integer(1))
        );
    }

    #[test]
    fn last_change_is_source_date_epoch_or_the_unix_epoch() {
        assert_eq!(last_change_from(None), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            last_change_from(Some("garbage")),
            "1970-01-01T00:00:00.000Z"
        );
        assert_eq!(
            last_change_from(Some("1700000000")),
            "2023-11-14T22:13:20.000Z"
        );
    }
}
