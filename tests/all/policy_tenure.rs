//! Tenure classification rules from project.toml: code tables, ranges, regex, order, default.

use std::collections::BTreeMap;

use landpool::Value;
use landpool::policy::{TenureClass, TenureRules};

fn rules(toml_text: &str) -> Result<TenureRules, String> {
    #[derive(serde::Deserialize)]
    struct Project {
        tenure: TenureRules,
    }
    toml::from_str::<Project>(toml_text)
        .map(|p| p.tenure)
        .map_err(|e| e.to_string())
}

const CONFIG: &str = r#"
[tenure]
[[tenure.rules]]
field = "QSLX"
codes = { "101" = "collective_nonagri_commercial", "102" = "collective_nonagri_industrial", "GH" = "state_reserve" }

[[tenure.rules]]
field = "QSXZ"
regex = "^国有.*出让"
class = "state_granted"

[[tenure.rules]]
field = "DM"
range = { min = 300, max = 400 }
class = "old_village"

[[tenure.rules]]
field = "QSXZ"
regex = "未完善"
class = "unfinished_requisition"
"#;

fn classify(r: &TenureRules, attrs: &[(&str, Value)]) -> Result<TenureClass, String> {
    let map: BTreeMap<String, Value> = attrs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    r.classify(&|f: &str| map.get(f)).map_err(|e| e.to_string())
}

#[test]
fn code_table_regex_range_first_match_wins() {
    let r = rules(CONFIG).unwrap();
    use TenureClass::*;
    // code table: string and integer values
    assert_eq!(
        classify(&r, &[("QSLX", Value::Str(" 101 ".into()))]),
        Ok(CollectiveNonagriCommercial)
    );
    assert_eq!(
        classify(&r, &[("QSLX", Value::Int(102))]),
        Ok(CollectiveNonagriIndustrial)
    );
    // regex
    assert_eq!(
        classify(&r, &[("QSXZ", Value::Str("国有建设用地使用权出让".into()))]),
        Ok(StateGranted)
    );
    // range: [300, 400)
    assert_eq!(classify(&r, &[("DM", Value::Float(300.0))]), Ok(OldVillage));
    assert_eq!(
        classify(&r, &[("DM", Value::Str("399.5".into()))]),
        Ok(OldVillage)
    );
    assert!(classify(&r, &[("DM", Value::Int(400))]).is_err());
    // order: the code-table rule comes first
    assert_eq!(
        classify(
            &r,
            &[
                ("QSLX", Value::Str("GH".into())),
                ("QSXZ", Value::Str("国有出让".into()))
            ]
        ),
        Ok(StateReserve)
    );
    // a null value does not match; the next rule decides
    assert_eq!(
        classify(
            &r,
            &[
                ("QSLX", Value::Null),
                ("QSXZ", Value::Str("未完善征转地".into()))
            ]
        ),
        Ok(UnfinishedRequisition)
    );
}

#[test]
fn unmatched_is_an_error_naming_the_values_unless_a_default_is_set() {
    let r = rules(CONFIG).unwrap();
    let err = classify(
        &r,
        &[("QSLX", Value::Str("999".into())), ("DM", Value::Int(12))],
    )
    .unwrap_err();
    assert!(err.contains("QSLX = Str(\"999\")"), "{err}");
    assert!(err.contains("DM = Int(12)"), "{err}");
    assert!(err.contains("QSXZ missing"), "{err}");

    let tenure_err = r
        .classify(&|_| None)
        .unwrap_err()
        .into_error("parcels.geojson", "parcels.geojson#7 (A-12)");
    let msg = tenure_err.to_string();
    assert!(
        msg.starts_with("parcels.geojson: feature parcels.geojson#7 (A-12):"),
        "{msg}"
    );

    let with_default = rules(&format!("{CONFIG}\n").replace(
        "[tenure]\n",
        "[tenure]\ndefault = \"requisitioned_ungranted\"\n",
    ))
    .unwrap();
    assert_eq!(
        classify(&with_default, &[("QSLX", Value::Str("999".into()))]),
        Ok(TenureClass::RequisitionedUngranted)
    );
}

#[test]
fn bad_configurations_are_rejected() {
    // unknown class
    let e = rules("[tenure]\n[[tenure.rules]]\nfield = \"A\"\ncodes = { \"1\" = \"castle\" }\n")
        .unwrap_err();
    assert!(e.contains("castle") || e.contains("unknown variant"), "{e}");
    // bad regex
    let e = rules(
        "[tenure]\n[[tenure.rules]]\nfield = \"A\"\nregex = \"(\"\nclass = \"old_village\"\n",
    )
    .unwrap_err();
    assert!(e.contains("bad regex"), "{e}");
    // two matchers in one rule
    let e = rules("[tenure]\n[[tenure.rules]]\nfield = \"A\"\nregex = \"x\"\nrange = { min = 1 }\nclass = \"old_village\"\n").unwrap_err();
    assert!(e.contains("exactly one"), "{e}");
    // regex without class
    let e = rules("[tenure]\n[[tenure.rules]]\nfield = \"A\"\nregex = \"x\"\n").unwrap_err();
    assert!(e.contains("`class` is required"), "{e}");
    // every class id parses and prints back
    for c in TenureClass::ALL {
        assert_eq!(c.as_str().parse::<TenureClass>(), Ok(c));
    }
}
