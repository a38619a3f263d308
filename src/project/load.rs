//! Step 1 of a project: read every layer, make it area-ready (CRS, units) and validate and
//! repair it, each step named: [`LayerLoader::read`], [`LayerLoader::set_keys`],
//! [`LayerLoader::prepare_areas`], [`LayerLoader::validate`].

use crate::geom::validity::{FeatureProblem, RepairReport, repair_validated, validate_layer};
use crate::io::crs::{AreaOptions, Crs, Reprojected, prepare_for_areas_with};
use crate::io::{ReadOptions, read_source};
use crate::model::Layer;
use crate::{Error, Result};

use super::config::{LayerSpec, ProjectFile};
use super::planning::ConstraintRegion;
use super::{LayerRole, LayerSummary, ProjectLayers, in_file, validate};

/// Reads every layer of the project, makes it area-ready (CRS) and validates it.
pub fn load_layers(config: &ProjectFile) -> Result<ProjectLayers> {
    let mut loader = LayerLoader::new(config)?;
    let f = &config.fields;
    let l = &config.layers;
    let parcels = loader.load(LayerRole::Parcels, &l.parcels, Some(&f.parcel_id))?;
    let boundary = loader.load(LayerRole::Boundary, &l.boundary, Some(&f.boundary_id))?;
    let density_zones = loader.load(LayerRole::DensityZones, &l.density_zones, None)?;
    let mut optional = |role, spec: &Option<LayerSpec>, key: Option<&str>| {
        spec.as_ref().map(|p| loader.load(role, p, key)).transpose()
    };
    let buildings = optional(LayerRole::Buildings, &l.buildings, None)?;
    let retained_sites = optional(
        LayerRole::RetainedSites,
        &l.retained_sites,
        Some(&f.site_id),
    )?;
    let land_prices = optional(LayerRole::LandPrices, &l.land_prices, None)?;
    let planned_construction_land = optional(
        LayerRole::PlannedConstructionLand,
        &l.planned_construction_land,
        None,
    )?;
    let constraints = loader.load_constraints(&parcels)?;
    let layers = ProjectLayers {
        parcels,
        boundary,
        density_zones,
        buildings,
        retained_sites,
        land_prices,
        planned_construction_land,
        constraints,
        summaries: loader.summaries,
    };
    check_same_crs(&layers)?;
    let text = std::fs::read_to_string(&config.path).unwrap_or_default();
    validate::into_error(
        validate::check_fields(&config.fields, &layers),
        &config.path,
        &text,
    )?;
    Ok(layers)
}

/// Loads the layers of one project file, collecting what was done to each.
struct LayerLoader<'c> {
    config: &'c ProjectFile,
    /// `[input] crs`: the CRS of layers that declare none.
    assume: Option<Crs>,
    /// `[input] to_crs`: the CRS every layer is brought to.
    to_crs: Option<Crs>,
    summaries: Vec<LayerSummary>,
}

impl<'c> LayerLoader<'c> {
    fn new(config: &'c ProjectFile) -> Result<Self> {
        let parse = |value: Option<&str>, key: &str| {
            value
                .map(Crs::parse)
                .transpose()
                .map_err(|e| in_file(&config.path, key, e))
        };
        Ok(LayerLoader {
            config,
            assume: parse(config.input.crs.as_deref(), "input.crs")?,
            to_crs: parse(config.input.to_crs.as_deref(), "input.to_crs")?,
            summaries: Vec::new(),
        })
    }

    /// One layer: read, keyed, area-ready, validated (and repaired unless refused).
    fn load(&mut self, role: LayerRole, spec: &LayerSpec, key: Option<&str>) -> Result<Layer> {
        let config_key = format!("layers.{}", role_key(role));
        self.load_keyed(role, spec, key, config_key)
    }

    /// The `[[constraints]]` layers, each loaded like any layer and dissolved once; they
    /// must be in the parcels' CRS like the others.
    fn load_constraints(&mut self, parcels: &Layer) -> Result<Vec<ConstraintRegion>> {
        let config = self.config;
        let mut out = Vec::with_capacity(config.constraints.len());
        for (i, c) in config.constraints.iter().enumerate() {
            let kind = c.parsed_kind().map_err(|message| Error::Config {
                path: config.path.clone(),
                line: None,
                column: None,
                key: format!("constraints[{i}].kind"),
                message,
            })?;
            let key = format!("constraints[{i}].layer");
            let layer = self.load_keyed(LayerRole::Constraint, &c.layer, None, key)?;
            same_crs(parcels, &layer)?;
            out.push(ConstraintRegion::dissolved(&c.name, kind, &layer)?);
        }
        Ok(out)
    }

    fn load_keyed(
        &mut self,
        role: LayerRole,
        spec: &LayerSpec,
        key: Option<&str>,
        config_key: String,
    ) -> Result<Layer> {
        let mut layer = self.read(spec, &config_key)?;
        set_keys(&mut layer, role, key)?;
        let reprojected = self.prepare_areas(&mut layer)?;
        let (problems, repairs) = self.validate(&mut layer)?;
        self.summaries.push(LayerSummary {
            role,
            path: spec.to_string(),
            features: layer.features.len(),
            crs: layer.crs.as_ref().map(|c| c.name.clone()),
            reprojected,
            problems,
            repairs,
        });
        Ok(layer)
    }

    /// An error about the layer entry `key` (`layers.parcels`, `constraints[0].layer`), in
    /// the project file.
    fn in_config(&self, key: &str, message: String) -> Error {
        Error::Config {
            path: self.config.path.clone(),
            line: None,
            column: None,
            key: key.to_string(),
            message,
        }
    }

    fn read(&self, spec: &LayerSpec, key: &str) -> Result<Layer> {
        let config = self.config;
        let source = spec
            .to_source(&config.base_dir)
            .map_err(|e| self.in_config(key, e.to_string()))?;
        if let Some(path) = source.path()
            && !path.exists()
        {
            let message = format!("layer file {} does not exist", path.display());
            return Err(self.in_config(key, message));
        }
        let opts = ReadOptions {
            encoding: config.input.encoding.clone(),
            // A file's own CRS wins; `input.crs` only fills in where none is declared.
            assume_crs: None,
            key_field: None,
        };
        // A wrong layer name is a usage error on the command line, but here the name comes
        // from the project file: say so, and where.
        let mut layer = read_source(&source, &opts).map_err(|e| match e {
            Error::Usage(message) => self.in_config(key, message),
            other => other,
        })?;
        if layer.crs.is_none() {
            layer.crs = self.assume.clone();
        }
        Ok(layer)
    }

    fn prepare_areas(&self, layer: &mut Layer) -> Result<Option<Reprojected>> {
        let config = self.config;
        let area_options = AreaOptions {
            target: self.to_crs.as_ref(),
            allow_distorted: config.input.allow_distorted_areas,
        };
        prepare_for_areas_with(layer, area_options).map_err(|e| match e {
            // The CRS advice of the I/O layer speaks of command-line options; here the
            // settings live in the project file.
            Error::Usage(message) => Error::Config {
                path: config.path.clone(),
                line: None,
                column: None,
                key: "input.to_crs".into(),
                message,
            },
            Error::Crs { path, message } => Error::Crs {
                path,
                message: format!(
                    "{message} (in the project file {}: [input] crs and [input] to_crs)",
                    config.path.display()
                ),
            },
            other => other,
        })
    }

    fn validate(&self, layer: &mut Layer) -> Result<(Vec<FeatureProblem>, RepairReport)> {
        let input = &self.config.input;
        let problems = validate_layer(layer);
        if input.no_repair
            && let Some(refused) = crate::geom::repair::refusal(layer, &problems)
        {
            return Err(refused);
        }
        let repairs = if input.repair && !problems.is_empty() {
            repair_validated(layer, &problems)
        } else {
            RepairReport::default()
        };
        Ok((problems, repairs))
    }
}

/// The feature ids from the key attribute, when the layer has it; parcel and site ids must
/// be unique (a boundary layer may repeat a project id over parts).
fn set_keys(layer: &mut Layer, role: LayerRole, key: Option<&str>) -> Result<()> {
    if let Some(k) = key
        && layer.field_index(k).is_some()
    {
        layer.set_key_field(k)?;
        if role != LayerRole::Boundary {
            check_unique_keys(layer, k)?;
        }
    }
    Ok(())
}

/// Parcel and site ids name one feature each in the report (verdicts are matched by id):
/// a repeated id is an error listing every repeat.
fn check_unique_keys(layer: &Layer, field: &str) -> Result<()> {
    let mut by_key: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
    for f in &layer.features {
        if let Some(k) = f.key.as_deref() {
            by_key.entry(k).or_default().push(f.index);
        }
    }
    let repeats: Vec<String> = by_key
        .iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(k, v)| {
            let at: Vec<String> = v.iter().map(|i| format!("#{i}")).collect();
            format!("{k} ({})", at.join(", "))
        })
        .collect();
    if repeats.is_empty() {
        return Ok(());
    }
    let shown: Vec<&str> = repeats.iter().take(20).map(String::as_str).collect();
    Err(Error::Feature {
        path: layer.source.to_path_buf(),
        feature: format!("{} repeated id(s)", repeats.len()),
        message: format!(
            "`{field}` must be unique (each id names one feature in the report): {}{}; merge \
             the parts into one MultiPolygon feature or give them distinct ids",
            shown.join("; "),
            if repeats.len() > shown.len() {
                "; …"
            } else {
                ""
            }
        ),
    })
}

fn role_key(role: LayerRole) -> &'static str {
    match role {
        LayerRole::Parcels => "parcels",
        LayerRole::Boundary => "boundary",
        LayerRole::DensityZones => "density_zones",
        LayerRole::Buildings => "buildings",
        LayerRole::RetainedSites => "retained_sites",
        LayerRole::LandPrices => "land_prices",
        LayerRole::PlannedConstructionLand => "planned_construction_land",
        LayerRole::Constraint => "constraints",
    }
}

/// Overlaying layers in different CRSs gives nonsense areas: refuse, naming both.
fn check_same_crs(layers: &ProjectLayers) -> Result<()> {
    let reference = &layers.parcels;
    let others = [
        Some(&layers.boundary),
        Some(&layers.density_zones),
        layers.buildings.as_ref(),
        layers.retained_sites.as_ref(),
        layers.land_prices.as_ref(),
        layers.planned_construction_land.as_ref(),
    ];
    for other in others.into_iter().flatten() {
        same_crs(reference, other)?;
    }
    Ok(())
}

/// `other` is in the CRS of `reference` (the parcels), or an error naming both.
fn same_crs(reference: &Layer, other: &Layer) -> Result<()> {
    if other.crs != reference.crs {
        let name = |l: &Layer| {
            l.crs
                .as_ref()
                .map_or_else(|| "none".to_string(), |c| c.name.clone())
        };
        return Err(Error::Crs {
            path: other.source.to_path_buf(),
            message: format!(
                "CRS {} differs from the parcels' CRS {} ({}); set [input] to_crs so \
                 that every layer is brought to one projected CRS",
                name(other),
                name(reference),
                reference.source
            ),
        });
    }
    Ok(())
}
