//! Reader of the 2022 draft rules (`method = "rights_floor_area_2022"`). The reading order
//! is the order of [`super::RuleSet::values`], so the steps run in document order.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::model::{
    Combination, Disposition, FunctionMixRules, IntensityBand, Rules2022, SharedRules, TenureCoef,
    TermUse,
};
use super::provenance::{Provenance, Sourced, Status};
use crate::policy::tenure::TenureClass;
use crate::policy::toml_doc::{Doc, Tbl};

/// Reads the method-specific tables of a 2022 rule set.
pub(super) fn read_rules_2022<'i>(
    doc: &mut Doc<'i>,
    root: &Tbl<'_, 'i>,
) -> crate::Result<Rules2022> {
    let (effective_date, transition_window_months) = read_transition(doc, root)?;
    let elig = doc.table(root, "eligibility")?;
    doc.deny_unknown(&elig, &["state_granted_min_years"])?;
    let state_granted_min_years =
        doc.num(&elig, "state_granted_min_years", Some(0.0), Some(100.0))?;

    let tenure = read_tenure(doc, root)?;
    let term = read_term(doc, root)?;
    let intensity_bands = read_intensity(doc, root)?;
    let building_types = read_building_types(doc, root)?;
    let combination = read_combination(doc, root)?;
    let functions = read_functions(doc, root)?;
    let function_mix = read_function_mix(doc, root, &functions)?;
    let shared = read_shared(doc, root)?;
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
        shared,
    })
}

/// `[transition]`: the effective date E and the window after it, in whole months.
fn read_transition<'i>(
    doc: &mut Doc<'i>,
    root: &Tbl<'_, 'i>,
) -> crate::Result<(Sourced<NaiveDate>, Sourced<f64>)> {
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
    Ok((effective_date, transition_window_months))
}

/// `[building_type]`: building-type coefficients (建筑性质修正系数) by building use.
fn read_building_types<'i>(
    doc: &mut Doc<'i>,
    root: &Tbl<'_, 'i>,
) -> crate::Result<BTreeMap<String, Sourced<f64>>> {
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
    Ok(building_types)
}

/// `[building_rights] combination`: product or sum.
fn read_combination<'i>(
    doc: &mut Doc<'i>,
    root: &Tbl<'_, 'i>,
) -> crate::Result<Sourced<Combination>> {
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
    Ok(Sourced {
        value: combination,
        provenance: comb.provenance,
    })
}

/// `[function]`: function coefficients f_u (留用土地功能修正系数), each > 0.
fn read_functions<'i>(
    doc: &mut Doc<'i>,
    root: &Tbl<'_, 'i>,
) -> crate::Result<BTreeMap<String, Sourced<f64>>> {
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
    Ok(functions)
}

/// `[function_mix]`: the mix constraints; every use named must have a function coefficient.
fn read_function_mix<'i>(
    doc: &mut Doc<'i>,
    root: &Tbl<'_, 'i>,
    functions: &BTreeMap<String, Sourced<f64>>,
) -> crate::Result<FunctionMixRules> {
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
    Ok(function_mix)
}

/// `[shared]`: the cap and the disposition options, each adding up to 1.
fn read_shared<'i>(doc: &mut Doc<'i>, root: &Tbl<'_, 'i>) -> crate::Result<SharedRules> {
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
    Ok(SharedRules {
        max_ratio_of_rights,
        dispositions,
    })
}

/// `[tenure]`: how each tenure class contributes; every class must be given.
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

/// `[term_correction]`: statutory term and rate by land use.
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

/// `[intensity] bands`: contiguous ascending FAR bands from 0.
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
