//! Writing result tables to a database in one transaction.

use super::*;

/// The spatial reference GDAL is given for a landpool CRS.
pub(super) fn spatial_ref(crs: &Crs) -> Result<SpatialRef> {
    let made = match (crs.epsg, &crs.proj4) {
        (Some(code), _) => SpatialRef::from_epsg(code),
        (None, Some(p4)) => SpatialRef::from_proj4(p4),
        (None, None) => {
            return Err(Error::Crs {
                path: PathBuf::from(&crs.name),
                message: "this CRS has neither an EPSG code nor a proj4 definition to write".into(),
            });
        }
    };
    let mut srs = made.map_err(|e| Error::Crs {
        path: PathBuf::from(&crs.name),
        message: gdal_message(&e),
    })?;
    // Coordinates are (x = easting/longitude, y = northing/latitude), whatever the
    // authority's axis order.
    srs.set_axis_mapping_strategy(gdal::spatial_ref::AxisMappingStrategy::TraditionalGisOrder);
    Ok(srs)
}

/// Writes tables to a database (or any OGR data source that supports transactions),
/// creating or replacing each table `prefix + table.name`, all in one transaction: on any
/// failure nothing is changed.
pub fn write_tables(dsn: &str, tables: &[OutputTable], prefix: &str) -> Result<()> {
    let source = LayerSource::Connection {
        dsn: dsn.to_string(),
        layer: None,
        sql: None,
    };
    let db_error = |message: String| Error::Database {
        source_name: source.label(),
        message,
    };
    let mut ds = open(&source, true)?;
    take_first_failure();
    let mut txn = ds.start_transaction().map_err(|e| {
        db_error(format!(
            "cannot start a transaction ({}); landpool writes only where a failure can be \
             rolled back",
            gdal_message(&e)
        ))
    })?;
    for table in tables {
        let name = format!("{prefix}{}", table.name);
        write_one_table(&mut txn, &name, table).map_err(|e| match e {
            Error::Database { message, .. } => {
                let cause = take_first_failure()
                    .filter(|c| !message.contains(c.as_str()))
                    .map_or(String::new(), |c| format!("; first GDAL error: {c}"));
                db_error(format!(
                    "table {name}: {message}{cause} (rolled back: no table was changed)"
                ))
            }
            other => other,
        })?;
    }
    // Dropping an uncommitted transaction rolls it back; commit only when all went well.
    txn.commit()
        .map_err(|e| db_error(format!("commit failed: {}", gdal_message(&e))))
}

pub(super) fn write_one_table(ds: &mut Dataset, name: &str, table: &OutputTable) -> Result<()> {
    let db = |message: String| Error::Database {
        source_name: String::new(),
        message,
    };
    // Asking for the table by name first makes drivers that list only spatial tables (PG)
    // know an attribute table too, so that it can be dropped like the others.
    let known = ds.layer_by_name(name).is_ok();
    let existing = known
        .then(|| ds.layers().position(|l| l.name() == name))
        .flatten();
    if let Some(i) = existing {
        ds.delete_layer(i)
            .map_err(|e| db(format!("cannot drop the old table: {}", gdal_message(&e))))?;
    }
    let srs = match (&table.crs, table.spatial) {
        (Some(crs), true) => Some(spatial_ref(crs)?),
        _ => None,
    };
    let description = format!("DESCRIPTION={}", table.description);
    let layer_options: Vec<&str> = if table.spatial {
        vec!["GEOMETRY_NAME=geom", "FID=fid", "LAUNDER=NO", &description]
    } else {
        vec!["FID=fid", "LAUNDER=NO", &description]
    };
    let layer = ds
        .create_layer(LayerOptions {
            name,
            srs: srs.as_ref(),
            ty: if table.spatial {
                OGRwkbGeometryType::wkbMultiPolygon
            } else {
                OGRwkbGeometryType::wkbNone
            },
            options: Some(&layer_options),
        })
        .map_err(|e| db(format!("cannot create it: {}", gdal_message(&e))))?;
    for field in &table.fields {
        add_field(&layer, field)
            .map_err(|message| db(format!("cannot add column {}: {message}", field.name)))?;
    }
    let defn = layer.defn();
    for (n, row) in table.rows.iter().enumerate() {
        let row_error = |what: String| db(format!("row {n}: {what}"));
        let mut feature =
            gdal::vector::Feature::new(defn).map_err(|e| row_error(gdal_message(&e)))?;
        for (i, value) in row.values.iter().enumerate() {
            let set = match value {
                Value::Null => feature.set_field_null(i),
                Value::Bool(b) => feature.set_field_integer(i, i32::from(*b)),
                Value::Int(x) => feature.set_field_integer64(i, *x),
                Value::Float(x) if x.is_finite() => feature.set_field_double(i, *x),
                Value::Float(_) => feature.set_field_null(i),
                Value::Date(d) => {
                    let midnight = d
                        .and_hms_opt(0, 0, 0)
                        .map(|t| t.and_utc().fixed_offset())
                        .ok_or_else(|| row_error(format!("bad date {d}")))?;
                    feature.set_field_datetime(i, midnight)
                }
                Value::Str(s) => {
                    if s.contains('\0') {
                        return Err(row_error(format!(
                            "column {} holds a NUL character",
                            table.fields[i].name
                        )));
                    }
                    feature.set_field_string(i, s)
                }
            };
            set.map_err(|e| row_error(gdal_message(&e)))?;
        }
        if table.spatial
            && let Some(g) = row.geometry
            && !g.0.is_empty()
        {
            let geometry = g.to_gdal().map_err(|e| row_error(gdal_message(&e)))?;
            feature
                .set_geometry(geometry)
                .map_err(|e| row_error(gdal_message(&e)))?;
        }
        feature
            .create(&layer)
            .map_err(|e| row_error(gdal_message(&e)))?;
    }
    Ok(())
}
