//! Replacing one numeric value of a loaded rule set, by its dotted key (what-if analyses such
//! as `landpool sensitivity`). The typed rules and the value records are changed together, so
//! that a computation on the copy reads the new value and reports it.

use super::RuleSet;
use super::model::{MethodRules, Rules2018, Rules2022, TenureCoef};
use super::provenance::Sourced;
use super::shenbiao::Shenbiao;
use crate::Error;

impl RuleSet {
    /// A copy of the rule set with the number at `key` (a key of [`RuleSet::values`]) set
    /// to `value`; its record shows the new value (written in Rust's shortest form).
    ///
    /// The new value is not checked against the reader's ranges (a what-if may step outside
    /// them); a key that names no number of the rule set (a date, a text, a band limit, an
    /// unknown key) is an error.
    pub fn with_number(&self, key: &str, value: f64) -> crate::Result<RuleSet> {
        if !value.is_finite() {
            return Err(Error::Policy {
                message: format!("rule value `{key}` cannot be set to {value}"),
            });
        }
        let mut copy = self.clone();
        let mut found = false;
        for number in copy.numbers_mut() {
            if number.provenance.key == key {
                number.value = value;
                found = true;
            }
        }
        let record = copy.values.iter_mut().find(|r| r.key == key);
        match (found, record) {
            (true, Some(r)) => {
                r.numeric = Some(value);
                r.value = value.to_string();
                Ok(copy)
            }
            _ => Err(Error::Policy {
                message: format!(
                    "rule set `{}` ({}) has no number `{key}` that can be changed",
                    self.id, self.path
                ),
            }),
        }
    }

    /// Every number of the typed rules, in no particular order.
    fn numbers_mut(&mut self) -> Vec<&mut Sourced<f64>> {
        let mut out = shenbiao_numbers(&mut self.shenbiao);
        match &mut self.rules {
            MethodRules::Draft2022(r) => out.extend(numbers_2022(r)),
            MethodRules::Rules2018(r) => out.extend(numbers_2018(r)),
        }
        out
    }
}

fn shenbiao_numbers(s: &mut Shenbiao) -> Vec<&mut Sourced<f64>> {
    let mut out: Vec<&mut Sourced<f64>> = s.metro_radius_m.iter_mut().collect();
    for zone in s.zones.values_mut() {
        out.extend(zone.base.values_mut());
        out.extend(zone.cap.values_mut());
        out.extend(zone.cap_near_metro.values_mut());
    }
    out
}

fn numbers_2022(r: &mut Rules2022) -> Vec<&mut Sourced<f64>> {
    let mut out = vec![
        &mut r.transition_window_months,
        &mut r.state_granted_min_years,
        &mut r.function_mix.min_shared_ownership_of_residential,
        &mut r.function_mix.max_industrial_share,
        &mut r.shared.max_ratio_of_rights,
    ];
    for coef in r.tenure.values_mut() {
        match coef {
            TenureCoef::Fixed(c) => out.push(c),
            TenureCoef::ByUse(m) => out.extend(m.values_mut()),
            TenureCoef::TermCorrected { base } => out.push(base),
            TenureCoef::Excluded => {}
        }
    }
    for t in r.term.values_mut() {
        out.push(&mut t.statutory_years);
        out.push(&mut t.rate);
    }
    out.extend(r.intensity_bands.iter_mut().map(|b| &mut b.coef));
    out.extend(r.building_types.values_mut());
    out.extend(r.functions.values_mut());
    for d in r.shared.dispositions.values_mut() {
        out.push(&mut d.government);
        out.push(&mut d.holders_market);
        out.push(&mut d.shared_ownership);
    }
    out
}

fn numbers_2018(r: &mut Rules2018) -> Vec<&mut Sourced<f64>> {
    vec![
        &mut r.min_contiguous_unfinished_area_m2,
        &mut r.shared_max_ratio_of_base,
        &mut r.government_buyback_ratio,
        &mut r.offsite.existing_floor_area_multiplier,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled(name: &str) -> RuleSet {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("data/rules")
            .join(name);
        RuleSet::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Every numeric record of both bundled rule sets can be changed, and the change reaches
    /// the typed rules (the visitor misses no field).
    #[test]
    fn every_number_of_the_bundled_rule_sets_can_be_set() {
        for name in ["shenzhen-2022-draft.toml", "shenzhen-2018.toml"] {
            let rules = bundled(name);
            for v in rules.values().iter().filter(|v| v.numeric.is_some()) {
                let changed = rules
                    .with_number(&v.key, 123.25)
                    .unwrap_or_else(|e| panic!("{name} {}: {e}", v.key));
                assert_ne!(changed, rules, "{name} {}", v.key);
                let mut copy = changed.clone();
                let hits = copy
                    .numbers_mut()
                    .into_iter()
                    .filter(|n| n.provenance.key == v.key && n.value == 123.25)
                    .count();
                assert_eq!(hits, 1, "{name} {}", v.key);
                let record = changed.values().iter().find(|r| r.key == v.key);
                assert_eq!(record.and_then(|r| r.numeric), Some(123.25));
            }
        }
    }

    #[test]
    fn dates_texts_and_unknown_keys_are_refused() {
        let rules = bundled("shenzhen-2022-draft.toml");
        for key in [
            "transition.effective_date",
            "building_rights.combination",
            "no.such.key",
        ] {
            assert!(rules.with_number(key, 1.0).is_err(), "{key}");
        }
        assert!(
            rules
                .with_number("building_type.factory", f64::NAN)
                .is_err()
        );
    }
}
