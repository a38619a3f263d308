//! Rule sets as data: every value of a rule set carries its source and status
//! (official | draft | illustrative). See `data/rules/README.md` for the TOML schema.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use super::tenure::TenureClass;
use super::toml_doc::{Doc, Tbl};
use crate::Error;

/// How authoritative a rule value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Published and in force.
    Official,
    /// From a published draft (the 2022 drafting note).
    Draft,
    /// Not published: a placeholder so the pipeline runs; every report must list it.
    Illustrative,
}

impl Status {
    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "official" => Some(Status::Official),
            "draft" => Some(Status::Draft),
            "illustrative" => Some(Status::Illustrative),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Official => "official",
            Status::Draft => "draft",
            Status::Illustrative => "illustrative",
        }
    }
}

/// Where a rule value comes from: its dotted key in the rule set, its source and status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance {
    pub key: String,
    pub source: String,
    pub status: Status,
}

/// A rule value with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sourced<T> {
    pub value: T,
    pub provenance: Provenance,
}

/// One scalar value of a rule set as listed in reports (`value` as written, e.g. `1/0.6`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleValue {
    pub key: String,
    pub value: String,
    /// The numeric value, for numbers.
    pub numeric: Option<f64>,
    pub source: String,
    pub status: Status,
}

/// Which computation a rule set drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 2022 draft: rights floor area (权益容积) → planned floor area → retained-land area.
    RightsFloorArea2022,
    /// 2018 rules (深规土规〔2018〕6号): retained-land area is an input.
    RetainedLand2018,
}

impl Method {
    fn parse(s: &str) -> Option<Method> {
        match s {
            "rights_floor_area_2022" => Some(Method::RightsFloorArea2022),
            "retained_land_2018" => Some(Method::RetainedLand2018),
            _ => None,
        }
    }
}

/// How a tenure class contributes to the land-rights coefficient (土地权益修正系数).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TenureCoef {
    /// One coefficient for the class.
    Fixed(Sourced<f64>),
    /// Coefficient by land use (e.g. 征地返还用地: commercial 0.65 / industrial 0.30).
    ByUse(BTreeMap<String, Sourced<f64>>),
    /// A base coefficient times the term correction K (国有已出让用地 年期修正).
    TermCorrected { base: Sourced<f64> },
    /// Not counted in the land area (国有储备用地).
    Excluded,
}

/// Statutory term and capitalisation rate of one land use (年期修正).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermUse {
    /// Statutory maximum term N in years (出让最高年限).
    pub statutory_years: Sourced<f64>,
    /// Capitalisation rate r (土地还原率).
    pub rate: Sourced<f64>,
}

/// One band of the development-intensity table (开发强度修正系数): `min ≤ FAR < max`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntensityBand {
    pub min_far: f64,
    /// `None` = open-ended.
    pub max_far: Option<f64>,
    pub coef: Sourced<f64>,
}

/// How intensity and building-type coefficients combine into the building-rights coefficient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Combination {
    Product,
    Sum,
}

/// Function-mix constraints on rights floor area (留用土地功能构成) \[N\].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionMixRules {
    /// Uses that form the residential part.
    pub residential_uses: Vec<String>,
    /// The shared-ownership housing use (共有产权住房).
    pub shared_ownership_use: String,
    /// Minimum share of shared-ownership housing in the residential part (≥ 20%).
    pub min_shared_ownership_of_residential: Sourced<f64>,
    /// Uses that count as industrial.
    pub industrial_uses: Vec<String>,
    /// Maximum industrial share of rights floor area (≤ 30%).
    pub max_industrial_share: Sourced<f64>,
}

/// One disposition option of shared floor area (共享容积分配方式).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Disposition {
    /// Handed to the government free of charge (移交政府).
    pub government: Sourced<f64>,
    /// Market housing kept by the rights holders (归属不动产权益人).
    pub holders_market: Sourced<f64>,
    /// Shared-ownership housing (共有产权住房).
    pub shared_ownership: Sourced<f64>,
}

/// Shared floor area rules (共享容积), 2022 draft.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharedRules {
    /// Cap as a fraction of rights floor area (≤ 20%).
    pub max_ratio_of_rights: Sourced<f64>,
    /// Disposition options by id (`A`, `B`).
    pub dispositions: BTreeMap<String, Disposition>,
}

/// The 2022 draft rules (权益容积 method).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rules2022 {
    /// Effective date E of the rules (施行之日).
    pub effective_date: Sourced<NaiveDate>,
    /// Transition window after E in months (六个月).
    pub transition_window_months: Sourced<f64>,
    /// Minimum years since grant for state-granted land (已出让年限 ≥ 15 年).
    pub state_granted_min_years: Sourced<f64>,
    pub tenure: BTreeMap<TenureClass, TenureCoef>,
    /// Term tables by land use.
    pub term: BTreeMap<String, TermUse>,
    pub intensity_bands: Vec<IntensityBand>,
    /// Building-type coefficients (建筑性质修正系数) by building use.
    pub building_types: BTreeMap<String, Sourced<f64>>,
    pub combination: Sourced<Combination>,
    /// Function coefficients f_u (留用土地功能修正系数) by planned use.
    pub functions: BTreeMap<String, Sourced<f64>>,
    pub function_mix: FunctionMixRules,
    pub shared: SharedRules,
}

/// The 2018 rules (深规土规〔2018〕6号).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rules2018 {
    /// Minimum contiguous unfinished-requisition planned construction land (≥ 3000 m²).
    pub min_contiguous_unfinished_area_m2: Sourced<f64>,
    /// Shared floor area cap as a fraction of base floor area (≤ 30%).
    pub shared_max_ratio_of_base: Sourced<f64>,
    /// Fraction of shared floor area bought back by the government (60%).
    pub government_buyback_ratio: Sourced<f64>,
}

/// Method-specific rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MethodRules {
    Draft2022(Box<Rules2022>),
    Rules2018(Rules2018),
}

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
}

/// A loaded rule set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleSet {
    pub id: String,
    pub name: String,
    /// File the rule set was read from (for messages and reports).
    pub path: String,
    pub method: Method,
    /// Source and status of the rule set as a whole.
    pub source: String,
    pub status: Status,
    pub shenbiao: Shenbiao,
    pub rules: MethodRules,
    values: Vec<RuleValue>,
}

/// Keys allowed in `[shenbiao.zone.N]` FAR tables and in use-keyed tables.
const ZONE_KEYS: &[&str] = &["base_far", "cap_far", "cap_far_near_metro"];

impl RuleSet {
    /// Reads and validates a rule set from a file.
    pub fn load(path: impl AsRef<Path>) -> crate::Result<RuleSet> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        RuleSet::from_toml_str(&text, path)
    }

    /// Parses and validates a rule set; `path` is used in messages only.
    pub fn from_toml_str(text: &str, path: impl AsRef<Path>) -> crate::Result<RuleSet> {
        let (mut doc, root) = Doc::parse(text, path.as_ref())?;
        let root = doc.root(&root);
        doc.deny_unknown(
            &root,
            &[
                "meta",
                "transition",
                "eligibility",
                "tenure",
                "term_correction",
                "intensity",
                "building_type",
                "building_rights",
                "function",
                "function_mix",
                "shared",
                "shenbiao",
            ],
        )?;
        let meta = doc.table(&root, "meta")?;
        doc.deny_unknown(&meta, &["id", "name", "method"])?;
        let id = doc.string(&meta, "id")?;
        let name = doc.string(&meta, "name")?;
        let method_text = doc.string(&meta, "method")?;
        let method = Method::parse(&method_text).ok_or_else(|| {
            let span = doc.get(&meta, "method").map(|v| v.span()).unwrap_or(0..0);
            doc.err(
                span,
                "meta.method",
                format!(
                    "unknown method `{method_text}`; expected rights_floor_area_2022 or retained_land_2018"
                ),
            )
        })?;
        let meta_source = doc.string(&meta, "source").map_err(|_| {
            doc.err(
                meta.span.clone(),
                "meta.source",
                "missing key `source` in table `meta`",
            )
        })?;
        let meta_status_text = doc.string(&meta, "status").map_err(|_| {
            doc.err(
                meta.span.clone(),
                "meta.status",
                "missing key `status` in table `meta`",
            )
        })?;
        let meta_status = Status::parse(&meta_status_text).ok_or_else(|| {
            doc.err(
                meta.span.clone(),
                "meta.status",
                format!("unknown status `{meta_status_text}`"),
            )
        })?;

        let shenbiao = read_shenbiao(&mut doc, &root)?;
        let rules = match method {
            Method::RightsFloorArea2022 => {
                MethodRules::Draft2022(Box::new(read_rules_2022(&mut doc, &root)?))
            }
            Method::RetainedLand2018 => MethodRules::Rules2018(read_rules_2018(&mut doc, &root)?),
        };
        Ok(RuleSet {
            id,
            name,
            path: doc.path.display().to_string(),
            method,
            source: meta_source,
            status: meta_status,
            shenbiao,
            rules,
            values: doc.records,
        })
    }

    /// Every scalar value of the rule set with its provenance, in reading order.
    pub fn values(&self) -> &[RuleValue] {
        &self.values
    }

    /// Every value with status `illustrative` (not published) — reports must list them.
    pub fn illustrative_values(&self) -> Vec<RuleValue> {
        self.values
            .iter()
            .filter(|v| v.status == Status::Illustrative)
            .cloned()
            .collect()
    }

    /// The 2022 rules, or a policy error if this rule set is of another method.
    pub fn rules_2022(&self) -> crate::Result<&Rules2022> {
        match &self.rules {
            MethodRules::Draft2022(r) => Ok(r),
            MethodRules::Rules2018(_) => Err(Error::Policy {
                message: format!(
                    "rule set `{}` ({}) uses the 2018 method; the 2022 rights-floor-area computation needs a rights_floor_area_2022 rule set",
                    self.id, self.path
                ),
            }),
        }
    }

    /// The 2018 rules, or a policy error if this rule set is of another method.
    pub fn rules_2018(&self) -> crate::Result<&Rules2018> {
        match &self.rules {
            MethodRules::Rules2018(r) => Ok(r),
            MethodRules::Draft2022(_) => Err(Error::Policy {
                message: format!(
                    "rule set `{}` ({}) uses the 2022 method; the 2018 computation needs a retained_land_2018 rule set",
                    self.id, self.path
                ),
            }),
        }
    }
}

fn read_shenbiao<'i>(doc: &mut Doc<'i>, root: &Tbl<'_, 'i>) -> crate::Result<Shenbiao> {
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

fn read_rules_2018<'i>(doc: &mut Doc<'i>, root: &Tbl<'_, 'i>) -> crate::Result<Rules2018> {
    let elig = doc.table(root, "eligibility")?;
    doc.deny_unknown(&elig, &["min_contiguous_unfinished_area_m2"])?;
    let min_area = doc.num(&elig, "min_contiguous_unfinished_area_m2", Some(0.0), None)?;
    let shared = doc.table(root, "shared")?;
    doc.deny_unknown(&shared, &["max_ratio_of_base", "government_buyback_ratio"])?;
    Ok(Rules2018 {
        min_contiguous_unfinished_area_m2: min_area,
        shared_max_ratio_of_base: doc.num(&shared, "max_ratio_of_base", Some(0.0), Some(1.0))?,
        government_buyback_ratio: doc.num(
            &shared,
            "government_buyback_ratio",
            Some(0.0),
            Some(1.0),
        )?,
    })
}

fn read_rules_2022<'i>(doc: &mut Doc<'i>, root: &Tbl<'_, 'i>) -> crate::Result<Rules2022> {
    let tr = doc.table(root, "transition")?;
    doc.deny_unknown(&tr, &["effective_date", "window_months"])?;
    let effective_date = doc.sourced_date(&tr, "effective_date")?;
    let transition_window_months = doc.num(&tr, "window_months", Some(0.0), Some(1200.0))?;
    if transition_window_months.value.fract() != 0.0 {
        let span = doc
            .get(&tr, "window_months")
            .map(|v| v.span())
            .unwrap_or(0..0);
        return Err(doc.err(
            span,
            "transition.window_months",
            "must be a whole number of months",
        ));
    }

    let elig = doc.table(root, "eligibility")?;
    doc.deny_unknown(&elig, &["state_granted_min_years"])?;
    let state_granted_min_years =
        doc.num(&elig, "state_granted_min_years", Some(0.0), Some(100.0))?;

    let tenure = read_tenure(doc, root)?;
    let term = read_term(doc, root)?;
    let intensity_bands = read_intensity(doc, root)?;

    let bt = doc.table(root, "building_type")?;
    let mut building_types = BTreeMap::new();
    for (k, _) in doc.keys(&bt) {
        building_types.insert(k.to_string(), doc.num(&bt, k, Some(0.0), None)?);
    }
    if building_types.is_empty() {
        return Err(doc.err(
            bt.span.clone(),
            "building_type",
            "no building types defined",
        ));
    }

    let br = doc.table(root, "building_rights")?;
    doc.deny_unknown(&br, &["combination"])?;
    let comb = doc.sourced_text(&br, "combination")?;
    let combination = match comb.value.as_str() {
        "product" => Combination::Product,
        "sum" => Combination::Sum,
        other => {
            let span = doc
                .get(&br, "combination")
                .map(|v| v.span())
                .unwrap_or(0..0);
            return Err(doc.err(
                span,
                "building_rights.combination",
                format!("unknown combination `{other}`; expected product or sum"),
            ));
        }
    };
    let combination = Sourced {
        value: combination,
        provenance: comb.provenance,
    };

    let ft = doc.table(root, "function")?;
    let mut functions = BTreeMap::new();
    for (k, span) in doc.keys(&ft) {
        let f = doc.num(&ft, k, Some(0.0), None)?;
        if f.value <= 0.0 {
            return Err(doc.err(
                span,
                &f.provenance.key,
                "a function coefficient must be > 0",
            ));
        }
        functions.insert(k.to_string(), f);
    }

    let mt = doc.table(root, "function_mix")?;
    doc.deny_unknown(
        &mt,
        &[
            "residential_uses",
            "shared_ownership_use",
            "min_shared_ownership_of_residential",
            "industrial_uses",
            "max_industrial_share",
        ],
    )?;
    let function_mix = FunctionMixRules {
        residential_uses: doc.string_list(&mt, "residential_uses")?,
        shared_ownership_use: doc.string(&mt, "shared_ownership_use")?,
        min_shared_ownership_of_residential: doc.num(
            &mt,
            "min_shared_ownership_of_residential",
            Some(0.0),
            Some(1.0),
        )?,
        industrial_uses: doc.string_list(&mt, "industrial_uses")?,
        max_industrial_share: doc.num(&mt, "max_industrial_share", Some(0.0), Some(1.0))?,
    };
    for u in function_mix
        .residential_uses
        .iter()
        .chain(&function_mix.industrial_uses)
        .chain(std::iter::once(&function_mix.shared_ownership_use))
    {
        if !functions.contains_key(u) {
            return Err(doc.err(
                mt.span.clone(),
                "function_mix",
                format!("use `{u}` has no function coefficient in [function]"),
            ));
        }
    }

    let st = doc.table(root, "shared")?;
    doc.deny_unknown(&st, &["max_ratio_of_rights", "disposition"])?;
    let max_ratio_of_rights = doc.num(&st, "max_ratio_of_rights", Some(0.0), Some(1.0))?;
    let dt = doc.table(&st, "disposition")?;
    let mut dispositions = BTreeMap::new();
    for (k, _) in doc.keys(&dt) {
        let d = doc.table(&dt, k)?;
        doc.deny_unknown(&d, &["government", "holders_market", "shared_ownership"])?;
        let zero = |doc: &mut Doc<'i>, key: &str| -> crate::Result<Sourced<f64>> {
            Ok(doc
                .opt_num(&d, key, Some(0.0), Some(1.0))?
                .unwrap_or(Sourced {
                    value: 0.0,
                    provenance: Provenance {
                        key: format!("{}.{key}", d.path),
                        source: format!(
                            "{} (absent from the table: 0)",
                            d.inherited().0.unwrap_or("no source")
                        ),
                        status: d.inherited().1.unwrap_or(Status::Illustrative),
                    },
                }))
        };
        let disp = Disposition {
            government: zero(doc, "government")?,
            holders_market: zero(doc, "holders_market")?,
            shared_ownership: zero(doc, "shared_ownership")?,
        };
        let sum = disp.government.value + disp.holders_market.value + disp.shared_ownership.value;
        if (sum - 1.0).abs() > 1e-9 {
            return Err(doc.err(
                d.span.clone(),
                &d.path,
                format!("the disposition fractions add up to {sum}, not 1"),
            ));
        }
        dispositions.insert(k.to_string(), disp);
    }

    Ok(Rules2022 {
        effective_date,
        transition_window_months,
        state_granted_min_years,
        tenure,
        term,
        intensity_bands,
        building_types,
        combination,
        functions,
        function_mix,
        shared: SharedRules {
            max_ratio_of_rights,
            dispositions,
        },
    })
}

fn read_tenure<'i>(
    doc: &mut Doc<'i>,
    root: &Tbl<'_, 'i>,
) -> crate::Result<BTreeMap<TenureClass, TenureCoef>> {
    let t = doc.table(root, "tenure")?;
    let mut out = BTreeMap::new();
    for (key, span) in doc.keys(&t) {
        let class: TenureClass = key.parse().map_err(|_| {
            doc.err(
                span.clone(),
                &format!("tenure.{key}"),
                format!(
                    "unknown tenure class; expected one of: {}",
                    TenureClass::ALL.map(|c| c.as_str()).join(", ")
                ),
            )
        })?;
        let Some(v) = doc.get(&t, key) else { continue };
        let is_plain_table =
            matches!(v.get_ref(), toml::de::DeValue::Table(inner) if !inner.contains_key("value"));
        let coef = if is_plain_table {
            let ct = doc.sub(&t, key, v)?;
            doc.deny_unknown(&ct, &["excluded", "by_use", "base"])?;
            if doc.opt_bool(&ct, "excluded")? == Some(true) {
                TenureCoef::Excluded
            } else if let Some(bu) = doc.opt_table(&ct, "by_use")? {
                let mut m = BTreeMap::new();
                for (u, _) in doc.keys(&bu) {
                    m.insert(u.to_string(), doc.num(&bu, u, Some(0.0), Some(1.0))?);
                }
                TenureCoef::ByUse(m)
            } else if doc.get(&ct, "base").is_some() {
                TenureCoef::TermCorrected {
                    base: doc.num(&ct, "base", Some(0.0), Some(1.0))?,
                }
            } else {
                return Err(doc.err(
                    ct.span.clone(),
                    &ct.path,
                    "expected a coefficient, or a table with `excluded = true`, `by_use` or `base`",
                ));
            }
        } else {
            TenureCoef::Fixed(doc.num_at(&t, key, v, Some(0.0), Some(1.0))?)
        };
        out.insert(class, coef);
    }
    for class in TenureClass::ALL {
        if !out.contains_key(&class) {
            return Err(doc.err(
                t.span.clone(),
                &format!("tenure.{}", class.as_str()),
                format!(
                    "missing tenure class `{}` in table `tenure`",
                    class.as_str()
                ),
            ));
        }
    }
    Ok(out)
}

fn read_term<'i>(
    doc: &mut Doc<'i>,
    root: &Tbl<'_, 'i>,
) -> crate::Result<BTreeMap<String, TermUse>> {
    let t = doc.table(root, "term_correction")?;
    let mut out = BTreeMap::new();
    for (key, _) in doc.keys(&t) {
        let ut = doc.table(&t, key)?;
        doc.deny_unknown(&ut, &["statutory_years", "rate"])?;
        let statutory_years = doc.num(&ut, "statutory_years", Some(1.0), Some(100.0))?;
        let rate = doc.num(&ut, "rate", Some(0.0), Some(1.0))?;
        out.insert(
            key.to_string(),
            TermUse {
                statutory_years,
                rate,
            },
        );
    }
    Ok(out)
}

fn read_intensity<'i>(doc: &mut Doc<'i>, root: &Tbl<'_, 'i>) -> crate::Result<Vec<IntensityBand>> {
    let t = doc.table(root, "intensity")?;
    doc.deny_unknown(&t, &["bands"])?;
    let mut bands = Vec::new();
    for bt in doc.table_array(&t, "bands")? {
        doc.deny_unknown(&bt, &["min_far", "max_far", "coef"])?;
        let min_far = doc.num(&bt, "min_far", Some(0.0), None)?.value;
        let max_far = doc
            .opt_num(&bt, "max_far", Some(0.0), None)?
            .map(|s| s.value);
        // The band limits are structure, not policy values: keep only the coefficient record.
        doc.records.retain(|r| {
            r.key != format!("{}.min_far", bt.path) && r.key != format!("{}.max_far", bt.path)
        });
        let coef = doc.num(&bt, "coef", Some(0.0), None)?;
        if let Some(max) = max_far
            && max <= min_far
        {
            return Err(doc.err(
                bt.span.clone(),
                &bt.path,
                "max_far must be greater than min_far",
            ));
        }
        if let Some(prev) = bands.last() {
            let prev: &IntensityBand = prev;
            if prev.max_far != Some(min_far) {
                return Err(doc.err(
                    bt.span.clone(),
                    &format!("{}.min_far", bt.path),
                    format!(
                        "bands must be contiguous and ascending: this band starts at {min_far}, the previous one ends at {}",
                        prev.max_far.map_or("infinity".to_string(), |m| m.to_string())
                    ),
                ));
            }
        } else if min_far != 0.0 {
            return Err(doc.err(
                bt.span.clone(),
                &format!("{}.min_far", bt.path),
                "the first band must start at FAR 0",
            ));
        }
        bands.push(IntensityBand {
            min_far,
            max_far,
            coef,
        });
    }
    if bands.is_empty() {
        return Err(doc.err(
            t.span.clone(),
            "intensity.bands",
            "no intensity bands defined",
        ));
    }
    Ok(bands)
}
