//! Reading one area layer of an OGR source into a [`Layer`].

use super::*;

/// Reads one area layer of an OGR source into a [`Layer`].
pub fn read_ogr(source: &LayerSource, opts: &ReadOptions) -> Result<Layer> {
    let ds = open(source, false)?;
    let all: Vec<OgrLayerInfo> = ds.layers().map(|l| layer_info(&l)).collect();
    let sql = match source {
        LayerSource::Connection { sql, .. } => sql.clone(),
        LayerSource::File { .. } => None,
    };
    if let Some(sql) = sql {
        let result = ds
            .execute_sql(&sql, None, gdal::vector::sql::Dialect::DEFAULT)
            .map_err(|e| {
                layer_problem(
                    source,
                    format!("the SQL statement failed: {}", gdal_message(&e)),
                )
            })?;
        let Some(mut layer) = result else {
            return Err(layer_problem(
                source,
                "the SQL statement returned no rows set (use a SELECT)".into(),
            ));
        };
        return convert_layer(source, &mut *layer, opts);
    }
    match source.layer() {
        Some(name) => {
            let mut layer = ds.layer_by_name(name).map_err(|_| {
                wrong_layer(
                    source,
                    format!("no layer named `{name}`; {}", describe_layers(&all)),
                )
            })?;
            convert_layer(source, &mut layer, opts)
        }
        None if all.len() == 1 => {
            let mut layer = ds
                .layer(0)
                .map_err(|e| layer_problem(source, gdal_message(&e)))?;
            convert_layer(source, &mut layer, opts)
        }
        None => Err(wrong_layer(
            source,
            format!(
                "the source holds {} layers: name one (`file:layer`, or `layer = …` in the \
                 project file); {}",
                all.len(),
                describe_layers(&all)
            ),
        )),
    }
}

/// The CRS an OGR layer declares: its EPSG code when it has (or GDAL can identify) one, else
/// its WKT.
pub(super) fn layer_crs(srs: &SpatialRef) -> Option<Crs> {
    let epsg = |s: &SpatialRef| -> Option<u32> {
        let auth = s.auth_name()?;
        if !auth.eq_ignore_ascii_case("EPSG") {
            return None;
        }
        s.auth_code().ok().and_then(|c| u32::try_from(c).ok())
    };
    let code = epsg(srs).or_else(|| {
        let mut copy = srs.clone();
        copy.auto_identify_epsg().ok()?;
        epsg(&copy)
    });
    if let Some(code) = code
        && let Ok(crs) = Crs::from_epsg(code)
    {
        return Some(crs);
    }
    // A WKT landpool cannot read gives no CRS (areas are then refused), never a guess.
    srs.to_wkt().ok().and_then(|wkt| Crs::from_wkt(&wkt).ok())
}

pub(super) fn convert_layer<L: LayerAccess>(
    source: &LayerSource,
    layer: &mut L,
    opts: &ReadOptions,
) -> Result<Layer> {
    let name = layer.name();
    let source_label = match source {
        LayerSource::File { path, layer: None } => SourceLabel::file(path, Some(&name)),
        _ => source.source_label(),
    };
    let feature_path = source_label.to_path_buf();
    let geometry_fields = layer.defn().geom_fields().count();
    if geometry_fields == 0 || layer.defn().geometry_type() == OGRwkbGeometryType::wkbNone {
        return Err(wrong_layer(
            source,
            format!(
                "layer `{name}` has no geometry column: it is an attribute table, not an area \
                 layer"
            ),
        ));
    }
    let crs = match &opts.assume_crs {
        Some(c) => Some(c.clone()),
        None => layer.spatial_ref().and_then(|s| layer_crs(&s)),
    };
    let mappings = field_mappings(layer);
    let schema: Vec<Field> = mappings
        .iter()
        .filter(|(_, m)| !matches!(m, FieldMapping::Skip))
        .map(|(n, m)| Field {
            name: n.clone(),
            kind: match m {
                FieldMapping::Bool => FieldKind::Bool,
                FieldMapping::Int => FieldKind::Int,
                FieldMapping::Float => FieldKind::Float,
                FieldMapping::Date => FieldKind::Date,
                FieldMapping::DateTime | FieldMapping::Text | FieldMapping::Skip => {
                    FieldKind::String
                }
            },
        })
        .collect();

    let mut rows: Vec<(Option<u64>, MultiPolygon<f64>, Vec<Value>)> = Vec::new();
    for (n, feature) in layer.features().enumerate() {
        let fid = feature.fid();
        let feature_label = || match fid {
            Some(fid) => format!("#{n} (fid {fid})"),
            None => format!("#{n}"),
        };
        let geometry = match feature.geometry() {
            None => MultiPolygon::new(vec![]),
            Some(g) => to_multipolygon(g).map_err(|message| Error::Feature {
                path: feature_path.clone(),
                feature: feature_label(),
                message,
            })?,
        };
        let mut attributes = Vec::with_capacity(schema.len());
        for (i, (field, mapping)) in mappings.iter().enumerate() {
            if matches!(mapping, FieldMapping::Skip) {
                continue;
            }
            let value = read_value(&feature, i, *mapping).map_err(|message| Error::Feature {
                path: feature_path.clone(),
                feature: feature_label(),
                message: format!("attribute `{field}`: {message}"),
            })?;
            attributes.push(value);
        }
        rows.push((fid, geometry, attributes));
    }
    // A stable sort keeps the driver's order where FIDs are missing or tie.
    if rows.iter().all(|(fid, _, _)| fid.is_some()) {
        rows.sort_by_key(|(fid, _, _)| *fid);
    }
    let features = rows
        .into_iter()
        .enumerate()
        .map(|(index, (_, geometry, attributes))| Feature {
            index,
            key: None,
            geometry,
            attributes,
        })
        .collect();
    Ok(Layer {
        source: source_label,
        name,
        crs,
        schema,
        features,
    })
}

/// An OGR area geometry as a 2-D MultiPolygon; curves are linearised.
pub(super) fn to_multipolygon(g: &Geometry) -> std::result::Result<MultiPolygon<f64>, String> {
    use OGRwkbGeometryType as T;
    if g.is_empty() {
        return Ok(MultiPolygon::new(vec![]));
    }
    let ty = g.geometry_type();
    let flat = geometry_type_flatten(ty);
    let plain = match ty {
        T::wkbPolygon | T::wkbMultiPolygon => g.clone(),
        _ if matches!(
            flat,
            T::wkbPolygon | T::wkbMultiPolygon | T::wkbCurvePolygon | T::wkbMultiSurface
        ) =>
        {
            linear_2d(g)?
        }
        _ => {
            return Err(format!(
                "geometry type {} is not an area; only (Multi)Polygon and (Multi)Surface \
                 features can be read (filter or convert the layer first)",
                geometry_type_to_name(ty)
            ));
        }
    };
    match plain.to_geo().map_err(|e| gdal_message(&e))? {
        geo::Geometry::Polygon(p) => Ok(MultiPolygon::new(vec![p])),
        geo::Geometry::MultiPolygon(mp) => Ok(mp),
        other => Err(format!(
            "geometry converted to an unexpected {:?} type",
            std::mem::discriminant(&other)
        )),
    }
}

/// A linear, 2-D MultiPolygon copy of a curve or Z/M area geometry, through GDAL.
pub(super) fn linear_2d(g: &Geometry) -> std::result::Result<Geometry, String> {
    // SAFETY: every handle made here is owned by this function and destroyed before it
    // returns; `g`'s handle is only read.
    unsafe {
        let linear = gdal_sys::OGR_G_GetLinearGeometry(g.c_geometry(), 0.0, std::ptr::null_mut());
        if linear.is_null() {
            return Err("GDAL could not linearise the curve geometry".into());
        }
        // Takes ownership of `linear` and returns the (possibly new) geometry.
        let multi = gdal_sys::OGR_G_ForceToMultiPolygon(linear);
        if multi.is_null() {
            return Err("GDAL could not make a MultiPolygon of the geometry".into());
        }
        gdal_sys::OGR_G_FlattenTo2D(multi);
        let size = gdal_sys::OGR_G_WkbSize(multi);
        let mut wkb = vec![0u8; usize::try_from(size).unwrap_or(0)];
        let err =
            gdal_sys::OGR_G_ExportToWkb(multi, gdal_sys::OGRwkbByteOrder::wkbNDR, wkb.as_mut_ptr());
        gdal_sys::OGR_G_DestroyGeometry(multi);
        if err != gdal_sys::OGRErr::OGRERR_NONE {
            return Err("GDAL could not export the linearised geometry".into());
        }
        Geometry::from_wkb(&wkb).map_err(|e| gdal_message(&e))
    }
}
