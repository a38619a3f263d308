//! The 深标 density-zone FAR tables \[S\]: base FAR and cap by use per density zone
//! (密度分区), and their reader.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use serde::Serialize;

use super::provenance::Sourced;
use crate::policy::capacity::DENSITY_BASE_USE;
use crate::policy::toml_doc::{Doc, Tbl};

/// 深标 FAR table of one density zone (密度分区).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneFar {
    /// Base FAR by use (基准容积率): residential, commercial, industrial_m0, ...
    pub base: BTreeMap<String, Sourced<f64>>,
    /// Maximum FAR by use (容积率上限).
    pub cap: BTreeMap<String, Sourced<f64>>,
    /// Maximum FAR within the metro radius, where it differs (轨道站点500米范围内).
    pub cap_near_metro: BTreeMap<String, Sourced<f64>>,
}

/// The 深标 density-zone tables \[S\].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shenbiao {
    /// FAR tables by density zone number.
    pub zones: BTreeMap<u8, ZoneFar>,
    /// Radius around metro stations for `cap_near_metro` (500 m).
    pub metro_radius_m: Option<Sourced<f64>>,
}

impl Shenbiao {
    /// Base FAR of a use in a zone.
    pub fn base_far(&self, zone: u8, use_key: &str) -> Option<&Sourced<f64>> {
        self.zones.get(&zone).and_then(|z| z.base.get(use_key))
    }

    /// Cap of a use in a zone, the near-metro cap when `near_metro` and one is defined.
    pub fn cap_far(&self, zone: u8, use_key: &str, near_metro: bool) -> Option<&Sourced<f64>> {
        let z = self.zones.get(&zone)?;
        if near_metro && let Some(c) = z.cap_near_metro.get(use_key) {
            return Some(c);
        }
        z.cap.get(use_key)
    }

    /// The 深标 use whose base FAR is the density base FAR of the rights formula \[N\]
    /// (住宅, `residential`): the use every density-zone weighting reads.
    pub fn density_base_use(&self) -> &'static str {
        DENSITY_BASE_USE
    }

    /// The 深标 residential use (住宅), whose cap bounds the residential FAR of retained land.
    pub fn residential_use(&self) -> &'static str {
        RESIDENTIAL_USE
    }

    /// The density base FAR of a zone: the base FAR of [`Shenbiao::density_base_use`].
    pub fn density_base_far(&self, zone: u8) -> Option<&Sourced<f64>> {
        self.base_far(zone, self.density_base_use())
    }

    /// The density zones the table declares, ascending.
    pub fn zone_ids(&self) -> impl Iterator<Item = u8> + '_ {
        self.zones.keys().copied()
    }

    /// The range of zone numbers the table declares (lowest to highest; the table is never
    /// empty, a rule set without zones does not load).
    pub fn zone_range(&self) -> RangeInclusive<u8> {
        let lo = self.zones.keys().next().copied().unwrap_or(1);
        let hi = self.zones.keys().next_back().copied().unwrap_or(lo);
        lo..=hi
    }

    /// The zone a numeric attribute names: a whole number within [`Shenbiao::zone_range`];
    /// `None` for fractions, NaN and numbers outside the range.
    pub fn zone_of_value(&self, value: f64) -> Option<u8> {
        let range = self.zone_range();
        let (lo, hi) = (f64::from(*range.start()), f64::from(*range.end()));
        (value.fract() == 0.0 && (lo..=hi).contains(&value)).then_some(value as u8)
    }
}

/// The 深标 use key of residential land.
const RESIDENTIAL_USE: &str = "residential";

/// Keys allowed in `[shenbiao.zone.N]` FAR tables and in use-keyed tables.
const ZONE_KEYS: &[&str] = &["base_far", "cap_far", "cap_far_near_metro"];

/// Reads `[shenbiao]`: the metro radius and one FAR table per zone.
pub(super) fn read_shenbiao<'i>(doc: &mut Doc<'i>, root: &Tbl<'_, 'i>) -> crate::Result<Shenbiao> {
    let t = doc.table(root, "shenbiao")?;
    doc.deny_unknown(&t, &["metro_radius_m", "zone"])?;
    let metro_radius_m = doc.opt_num(&t, "metro_radius_m", Some(0.0), None)?;
    let zones_t = doc.table(&t, "zone")?;
    let mut zones = BTreeMap::new();
    for (key, span) in doc.keys(&zones_t) {
        let zone: u8 = key
            .parse()
            .ok()
            .filter(|z| (1..=9).contains(z))
            .ok_or_else(|| {
                doc.err(
                    span.clone(),
                    &format!("{}.{key}", zones_t.path),
                    "density zone keys must be zone numbers 1–9",
                )
            })?;
        let zt = doc.table(&zones_t, key)?;
        doc.deny_unknown(&zt, ZONE_KEYS)?;
        let base = read_num_map(doc, &zt, "base_far", true)?;
        let cap = read_num_map(doc, &zt, "cap_far", false)?;
        let cap_near_metro = read_num_map(doc, &zt, "cap_far_near_metro", false)?;
        for (use_key, c) in &cap {
            if let Some(b) = base.get(use_key)
                && c.value < b.value
            {
                let span = doc
                    .get(&zt, "cap_far")
                    .map(|v| v.span())
                    .unwrap_or(zt.span.clone());
                return Err(doc.err(
                    span,
                    &c.provenance.key,
                    format!("cap {} is below the base FAR {}", c.value, b.value),
                ));
            }
        }
        zones.insert(
            zone,
            ZoneFar {
                base,
                cap,
                cap_near_metro,
            },
        );
    }
    if zones.is_empty() {
        return Err(doc.err(
            zones_t.span.clone(),
            &zones_t.path,
            "no density zones defined",
        ));
    }
    Ok(Shenbiao {
        zones,
        metro_radius_m,
    })
}

/// A table of non-negative numbers keyed by name.
fn read_num_map<'i>(
    doc: &mut Doc<'i>,
    t: &Tbl<'_, 'i>,
    key: &str,
    required: bool,
) -> crate::Result<BTreeMap<String, Sourced<f64>>> {
    let sub = if required {
        Some(doc.table(t, key)?)
    } else {
        doc.opt_table(t, key)?
    };
    let mut out = BTreeMap::new();
    if let Some(sub) = sub {
        for (k, _) in doc.keys(&sub) {
            out.insert(k.to_string(), doc.num(&sub, k, Some(0.0), None)?);
        }
    }
    Ok(out)
}
