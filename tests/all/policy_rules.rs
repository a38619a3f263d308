//! Rule-set loading: the shipped rule sets, the 深标 tables as loaded, and loading errors
//! with file, line, column and key.

use landpool::Error;
use landpool::policy::rules::{Combination, MethodRules, TenureCoef};
use landpool::policy::{Method, RuleSet, Status, TenureClass};

const DRAFT_2022: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/rules/shenzhen-2022-draft.toml"
);
const RULES_2018: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/rules/shenzhen-2018.toml");

fn draft_text() -> String {
    std::fs::read_to_string(DRAFT_2022).expect("shipped rule set readable")
}

/// Loads an edited copy of the 2022 rule set and returns the Config error's parts.
fn config_error(text: &str) -> (usize, usize, String, String) {
    match RuleSet::from_toml_str(text, "edited.toml") {
        Err(Error::Config {
            path,
            line,
            column,
            key,
            message,
        }) => {
            assert_eq!(path.to_str(), Some("edited.toml"));
            (line.expect("line"), column.expect("column"), key, message)
        }
        Err(other) => panic!("expected a Config error, got {other:?}"),
        Ok(_) => panic!("expected a Config error, the rule set loaded"),
    }
}

/// 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text.find(needle).expect("needle in text");
    text[..at].matches('\n').count() + 1
}

#[test]
fn shipped_2022_rule_set_loads() {
    let rs = RuleSet::load(DRAFT_2022).unwrap();
    assert_eq!(rs.id, "shenzhen-2022-draft");
    assert_eq!(rs.method, Method::RightsFloorArea2022);
    assert_eq!(rs.status, Status::Draft);
    let r = rs.rules_2022().unwrap();
    let coef = |c: TenureClass| match &r.tenure[&c] {
        TenureCoef::Fixed(s) => s.value,
        other => panic!("{c}: {other:?}"),
    };
    assert_eq!(coef(TenureClass::CollectiveNonagriCommercial), 0.65);
    assert_eq!(coef(TenureClass::CollectiveNonagriIndustrial), 0.30);
    assert_eq!(coef(TenureClass::UnfinishedRequisition), 0.20);
    match &r.tenure[&TenureClass::RequisitionReturn] {
        TenureCoef::ByUse(m) => {
            assert_eq!(m["commercial"].value, 0.65);
            assert_eq!(m["industrial"].value, 0.30);
            assert_eq!(m["commercial"].provenance.status, Status::Illustrative);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        r.tenure[&TenureClass::StateReserve],
        TenureCoef::Excluded
    ));
    assert!(matches!(
        r.tenure[&TenureClass::StateGranted],
        TenureCoef::TermCorrected { .. }
    ));
    assert_eq!(r.state_granted_min_years.value, 15.0);
    assert_eq!(r.state_granted_min_years.provenance.status, Status::Draft);
    assert_eq!(r.transition_window_months.value, 6.0);
    assert_eq!(r.effective_date.provenance.status, Status::Illustrative);
    // statutory terms (policy.md §4)
    for (u, n) in [
        ("residential", 70.0),
        ("industrial", 50.0),
        ("commercial", 40.0),
        ("mixed", 50.0),
    ] {
        assert_eq!(r.term[u].statutory_years.value, n, "{u}");
        assert_eq!(r.term[u].rate.value, 0.06, "{u}");
    }
    assert_eq!(r.functions["market_housing"].value, 1.0);
    assert_eq!(r.functions["shared_ownership_housing"].value, 2.5);
    assert_eq!(r.functions["industrial"].value, 1.0 / 0.6);
    assert_eq!(r.building_types["commercial"].value, 1.0);
    assert_eq!(r.building_types["factory"].value, 0.8);
    assert_eq!(r.building_types["residential"].value, 1.2);
    assert_eq!(r.combination.value, Combination::Product);
    let band = r
        .intensity_bands
        .iter()
        .find(|b| b.min_far == 0.5)
        .expect("band from 0.5");
    assert_eq!(band.max_far, Some(1.0));
    assert_eq!(band.coef.value, 0.05);
    assert_eq!(r.shared.max_ratio_of_rights.value, 0.20);
    assert_eq!(r.shared.dispositions["A"].government.value, 0.60);
    assert_eq!(r.shared.dispositions["A"].holders_market.value, 0.40);
    assert_eq!(r.shared.dispositions["B"].shared_ownership.value, 1.0);
    assert_eq!(
        r.function_mix.min_shared_ownership_of_residential.value,
        0.20
    );
    assert_eq!(r.function_mix.max_industrial_share.value, 0.30);
}

#[test]
fn shipped_2018_rule_set_loads() {
    let rs = RuleSet::load(RULES_2018).unwrap();
    assert_eq!(rs.method, Method::RetainedLand2018);
    let MethodRules::Rules2018(r) = &rs.rules else {
        panic!("2018 rules expected")
    };
    assert_eq!(r.min_contiguous_unfinished_area_m2.value, 3000.0);
    assert_eq!(r.shared_max_ratio_of_base.value, 0.30);
    assert_eq!(r.government_buyback_ratio.value, 0.60);
    assert!(rs.rules_2022().is_err());
    // The only placeholders of the 2018 set are the off-site formula's multiplier and
    // operator (lost in the OCR of the only available text, policy.md §8).
    let ill: Vec<String> = rs
        .illustrative_values()
        .into_iter()
        .map(|v| v.key)
        .collect();
    assert_eq!(
        ill,
        vec!["offsite.existing_floor_area_multiplier", "offsite.operator"]
    );
    assert_eq!(r.offsite.existing_floor_area_multiplier.value, 1.5);
    assert_eq!(
        r.offsite.operator.value,
        landpool::policy::rules::Operator::Add
    );
    // TOML integer syntax with separators is accepted.
    let text = std::fs::read_to_string(RULES_2018)
        .unwrap()
        .replace("value = 3000", "value = 3_000");
    let edited = RuleSet::from_toml_str(&text, "copy.toml").unwrap();
    assert_eq!(
        edited
            .rules_2018()
            .unwrap()
            .min_contiguous_unfinished_area_m2
            .value,
        3000.0
    );
    assert_eq!(edited.path, "copy.toml");
}

/// Every 深标 value of policy.md §7 as loaded from both shipped TOML files.
#[test]
fn shenbiao_tables_as_loaded() {
    #[rustfmt::skip]
    let expected: [(u8, f64, f64, f64, f64, f64); 5] = [
        // zone, residential base, residential cap, commercial, M0, M1
        (1, 3.2, 6.0, 5.4, 4.0, 3.5),
        (2, 3.2, 6.0, 4.5, 4.0, 3.5),
        (3, 3.0, 5.5, 4.0, 4.0, 3.5),
        (4, 2.5, 4.0, 2.5, 2.5, 2.0),
        (5, 1.5, 2.5, 2.0, 2.0, 1.5),
    ];
    for path in [DRAFT_2022, RULES_2018] {
        let rs = RuleSet::load(path).unwrap();
        let sb = &rs.shenbiao;
        assert_eq!(sb.zones.len(), 5);
        for (zone, res, cap, com, m0, m1) in expected {
            let base = |u: &str| sb.base_far(zone, u).map(|s| s.value);
            assert_eq!(base("residential"), Some(res), "zone {zone}");
            assert_eq!(base("commercial"), Some(com), "zone {zone}");
            assert_eq!(base("industrial_m0"), Some(m0), "zone {zone}");
            assert_eq!(base("industrial_m1"), Some(m1), "zone {zone}");
            // logistics W0 / storage W1 are as M0 / M1
            assert_eq!(base("logistics_w0"), Some(m0), "zone {zone}");
            assert_eq!(base("storage_w1"), Some(m1), "zone {zone}");
            assert_eq!(
                sb.cap_far(zone, "residential", false).map(|s| s.value),
                Some(cap)
            );
            let near = if zone == 3 { 6.0 } else { cap };
            assert_eq!(
                sb.cap_far(zone, "residential", true).map(|s| s.value),
                Some(near)
            );
            let b = sb.base_far(zone, "residential").unwrap();
            assert_eq!(b.provenance.status, Status::Official);
            assert!(b.provenance.source.starts_with("[S]"));
        }
        assert_eq!(sb.metro_radius_m.as_ref().map(|m| m.value), Some(500.0));
    }
}

#[test]
fn every_value_has_source_and_status_and_illustrative_ones_are_listed() {
    let rs = RuleSet::load(DRAFT_2022).unwrap();
    assert!(rs.values().len() > 50);
    for v in rs.values() {
        assert!(!v.source.trim().is_empty(), "{} has no source", v.key);
        if v.source.starts_with("illustrative") {
            assert_eq!(v.status, Status::Illustrative, "{}", v.key);
        }
    }
    let ill = rs.illustrative_values();
    let keys: Vec<&str> = ill.iter().map(|v| v.key.as_str()).collect();
    for k in [
        "transition.effective_date",
        "tenure.old_village",
        "tenure.requisitioned_ungranted",
        "tenure.requisition_return.by_use.commercial",
        "tenure.requisition_return.by_use.industrial",
        "tenure.state_granted.base",
        "term_correction.residential.rate",
        "intensity.bands[1].coef",
        "building_type.factory",
        "building_rights.combination",
        "function.industrial",
        "function.shared_ownership_housing",
    ] {
        assert!(keys.contains(&k), "{k} missing from {keys:?}");
    }
    for k in [
        "tenure.unfinished_requisition",
        "shared.max_ratio_of_rights",
        "eligibility.state_granted_min_years",
    ] {
        assert!(!keys.contains(&k), "{k} is not illustrative");
    }
    let ind = ill.iter().find(|v| v.key == "function.industrial").unwrap();
    assert_eq!(ind.value, "1/0.6 (= 1.6666666666666667)");
    assert_eq!(ind.numeric, Some(1.0 / 0.6));
    assert!(ill.iter().all(|v| v.status == Status::Illustrative));
}

#[test]
fn missing_nested_table_names_key_and_line() {
    let text = draft_text();
    // Drop the [tenure.state_reserve] table (header and its lines up to the next blank line).
    let start = text.find("[tenure.state_reserve]").unwrap();
    let end = start + text[start..].find("\n\n").unwrap();
    let edited = format!("{}{}", &text[..start], &text[end..]);
    let (line, column, key, message) = config_error(&edited);
    assert_eq!(key, "tenure.state_reserve");
    assert!(message.contains("missing tenure class"), "{message}");
    assert_eq!(line, line_of(&edited, "[tenure]"));
    assert_eq!(column, 1);
}

#[test]
fn missing_top_level_table_names_key() {
    let text = draft_text();
    let start = text.find("[function_mix]").unwrap();
    let end = start + text[start..].find("\n\n").unwrap();
    let edited = format!("{}{}", &text[..start], &text[end..]);
    let (line, _, key, message) = config_error(&edited);
    assert_eq!(key, "function_mix");
    assert!(
        message.contains("missing table `function_mix`"),
        "{message}"
    );
    assert_eq!(line, 1);
}

#[test]
fn negative_value_is_an_error_at_its_position() {
    let text = draft_text().replace(
        "collective_nonagri_industrial = 0.30",
        "collective_nonagri_industrial = -0.30",
    );
    let (line, column, key, message) = config_error(&text);
    assert_eq!(key, "tenure.collective_nonagri_industrial");
    assert!(message.contains("out of range"), "{message}");
    assert_eq!(
        line,
        line_of(&text, "collective_nonagri_industrial = -0.30")
    );
    assert_eq!(column, "collective_nonagri_industrial = ".len() + 1);
    let shown = RuleSet::from_toml_str(&text, "edited.toml")
        .unwrap_err()
        .to_string();
    assert_eq!(
        shown,
        format!(
            "edited.toml:{line}:{column}: tenure.collective_nonagri_industrial: value -0.30 is out of range: must be ≥ 0"
        )
    );
}

#[test]
fn unknown_status_is_an_error() {
    let text = draft_text().replace(
        "source = \"[N] 2022 drafting note §2(1) 政策适用范围\", status = \"draft\"",
        "source = \"[N] 2022 drafting note §2(1) 政策适用范围\", status = \"provisional\"",
    );
    let (line, _, key, message) = config_error(&text);
    assert_eq!(key, "eligibility.state_granted_min_years.status");
    assert!(
        message.contains("unknown status `provisional`"),
        "{message}"
    );
    assert_eq!(line, line_of(&text, "state_granted_min_years"));
}

#[test]
fn other_loading_errors() {
    let text = draft_text();
    // syntax error: line and column from the TOML parser
    let broken = text.replace("max_ratio_of_rights = 0.20", "max_ratio_of_rights = = 0.20");
    let (line, _, key, _) = config_error(&broken);
    assert_eq!(key, "(syntax)");
    assert_eq!(line, line_of(&broken, "max_ratio_of_rights = ="));
    // unknown key (a typo) is rejected, not ignored
    let typo = text.replace("max_ratio_of_rights = 0.20", "max_ratio_of_right = 0.20");
    let (_, _, key, message) = config_error(&typo);
    assert_eq!(key, "shared.max_ratio_of_right");
    assert!(message.contains("unknown key"), "{message}");
    // a value without any source
    let no_source = text.replacen(
        "source = \"[N] 2022 drafting note §2(3)3 共享容积\"\n",
        "",
        1,
    );
    let (_, _, key, message) = config_error(&no_source);
    assert_eq!(key, "shared.max_ratio_of_rights");
    assert!(message.contains("no `source`"), "{message}");
    // unknown tenure class
    let bad_class = text.replace("old_village = {", "old_villages = {");
    let (_, _, key, _) = config_error(&bad_class);
    assert_eq!(key, "tenure.old_villages");
    // a bad quotient expression
    let bad_expr = text.replace("industrial = \"1/0.6\"", "industrial = \"1/0\"");
    let (_, _, key, _) = config_error(&bad_expr);
    assert_eq!(key, "function.industrial");
    // non-contiguous intensity bands
    let gap = text.replacen(
        "min_far = 1.0\nmax_far = 1.5",
        "min_far = 1.1\nmax_far = 1.5",
        1,
    );
    let (_, _, key, message) = config_error(&gap);
    assert_eq!(key, "intensity.bands[2].min_far");
    assert!(message.contains("contiguous"), "{message}");
    // a missing file is an Io error naming the path
    match RuleSet::load("/nonexistent/rules.toml") {
        Err(Error::Io { path, .. }) => assert!(path.ends_with("rules.toml")),
        other => panic!("{other:?}"),
    }
}
