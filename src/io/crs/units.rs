//! Linear units by name (WKT, ESRI and proj4 spellings) and from proj4 definitions.

use crate::model::crs::LinearUnit;

/// Known linear units: normalised names (lower case, alphanumerics only) of their WKT, ESRI
/// and proj4 spellings, the display name, and metres per unit.
const UNITS: &[(&[&str], &str, f64)] = &[
    (&["metre", "meter", "metres", "meters", "m"], "metre", 1.0),
    (
        &["kilometre", "kilometer", "kilometres", "kilometers", "km"],
        "kilometre",
        1000.0,
    ),
    (&["centimetre", "centimeter", "cm"], "centimetre", 0.01),
    (&["millimetre", "millimeter", "mm"], "millimetre", 0.001),
    (
        &[
            "footus",
            "ussurveyfoot",
            "usft",
            "usfoot",
            "ussurveyfeet",
            "footussurvey",
            "ftus",
        ],
        "US survey foot",
        1200.0 / 3937.0,
    ),
    (
        &[
            "foot",
            "feet",
            "ft",
            "internationalfoot",
            "footinternational",
            "intlfoot",
            "footintl",
        ],
        "international foot",
        0.3048,
    ),
    (
        &["yard", "yd", "yardinternational"],
        "international yard",
        0.9144,
    ),
    (
        &["ussurveyyard", "usyd", "yardus"],
        "US survey yard",
        3600.0 / 3937.0,
    ),
    (
        &["usch", "ussurveychain", "chainus"],
        "US survey chain",
        79200.0 / 3937.0,
    ),
    (
        &["ussurveymile", "usmi", "mileus"],
        "US survey mile",
        6336000.0 / 3937.0,
    ),
    (
        &["mile", "mi", "statutemile"],
        "international mile",
        1609.344,
    ),
    (
        &["indft", "footindian", "indianfoot"],
        "Indian foot",
        0.30479841,
    ),
];

fn normalise(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .flat_map(|c| c.to_lowercase())
        .collect()
}

/// The known unit called `name` (any of its WKT, ESRI or proj4 spellings).
pub(super) fn unit_named(name: &str) -> Option<LinearUnit> {
    let n = normalise(name);
    UNITS
        .iter()
        .find(|(names, _, _)| names.contains(&n.as_str()))
        .map(|(_, display, metres)| LinearUnit {
            name: (*display).to_string(),
            metres: *metres,
        })
}

/// The unit of a WKT `UNIT["name", metres]` node: the factor given there, under the known
/// display name where the name is known (`Foot_US` → `US survey foot`); the known factor
/// when the node gives none. `None` when neither says what the unit is.
pub(super) fn unit_of_wkt(name: Option<&str>, metres: Option<f64>) -> Option<LinearUnit> {
    let known = name.and_then(unit_named);
    match (metres.filter(|m| m.is_finite() && *m > 0.0), known) {
        (Some(metres), Some(k)) => Some(LinearUnit {
            name: k.name,
            metres,
        }),
        (Some(metres), None) => Some(LinearUnit {
            name: name.unwrap_or("unnamed unit").to_string(),
            metres,
        }),
        (None, known) => known,
    }
}

/// The linear unit of a projected proj4 definition: `+units=` (proj4 names such as `us-ft`),
/// else `+to_meter=` (a number, or a fraction like `1200/3937`), else metres. An unknown
/// `+units` name or an unusable `+to_meter` is an error.
pub(super) fn unit_of_proj4(def: &str) -> Result<LinearUnit, String> {
    let value = |key: &str| {
        def.split_whitespace()
            .find_map(|t| t.strip_prefix(key))
            .map(str::to_string)
    };
    if let Some(name) = value("+units=") {
        return unit_named(&name).ok_or_else(|| format!("unknown proj4 unit `+units={name}`"));
    }
    if let Some(v) = value("+to_meter=") {
        let metres = match v.split_once('/') {
            Some((a, b)) => a
                .parse::<f64>()
                .ok()
                .zip(b.parse::<f64>().ok())
                .map(|(a, b)| a / b),
            None => v.parse::<f64>().ok(),
        }
        .filter(|m| m.is_finite() && *m > 0.0)
        .ok_or_else(|| format!("`+to_meter={v}` is not a positive number"))?;
        return Ok(unit_named_by_factor(metres));
    }
    Ok(LinearUnit::metre())
}

/// The known unit of this length in metres (to 1e-12 relative), else an unnamed one.
fn unit_named_by_factor(metres: f64) -> LinearUnit {
    UNITS
        .iter()
        .find(|(_, _, m)| ((m - metres) / m).abs() < 1e-12)
        .map_or_else(
            || LinearUnit {
                name: format!("{metres} m unit"),
                metres,
            },
            |(_, display, _)| LinearUnit {
                name: (*display).to_string(),
                metres,
            },
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esri_wkt_and_proj4_spellings() {
        for (name, metres) in [
            ("Foot_US", 1200.0 / 3937.0),
            ("US survey foot", 1200.0 / 3937.0),
            ("us-ft", 1200.0 / 3937.0),
            ("Foot", 0.3048),
            ("foot", 0.3048),
            ("ft", 0.3048),
            ("Meter", 1.0),
            ("metre", 1.0),
        ] {
            assert_eq!(unit_named(name).unwrap().metres, metres, "{name}");
        }
        assert!(unit_named("furlong").is_none());
        assert_eq!(
            unit_of_wkt(Some("Foot_US"), Some(0.3048006096012192))
                .unwrap()
                .name,
            "US survey foot"
        );
        assert_eq!(
            unit_of_wkt(Some("Foot_Gold_Coast"), Some(0.3047997))
                .unwrap()
                .metres,
            0.3047997
        );
        assert_eq!(unit_of_wkt(Some("Foot"), None).unwrap().metres, 0.3048);
        assert!(unit_of_wkt(Some("cubit"), None).is_none());
        assert!(unit_of_wkt(Some("Meter"), Some(-1.0)).unwrap().is_metre());
    }

    #[test]
    fn proj4_units_and_to_meter() {
        let us = unit_of_proj4("+proj=lcc +units=us-ft +no_defs").unwrap();
        assert_eq!(
            (us.name.as_str(), us.metres),
            ("US survey foot", 1200.0 / 3937.0)
        );
        assert_eq!(
            unit_of_proj4("+proj=tmerc +to_meter=0.3048").unwrap().name,
            "international foot"
        );
        assert_eq!(
            unit_of_proj4("+proj=tmerc +to_meter=1200/3937")
                .unwrap()
                .name,
            "US survey foot"
        );
        assert_eq!(
            unit_of_proj4("+proj=tmerc +to_meter=2").unwrap().metres,
            2.0
        );
        assert!(unit_of_proj4("+proj=tmerc").unwrap().is_metre());
        assert!(unit_of_proj4("+proj=tmerc +units=furlong").is_err());
        assert!(unit_of_proj4("+proj=tmerc +to_meter=0").is_err());
    }
}
