//! CRSs whose planar areas are far from true areas: world map projections whose scale
//! grows with latitude. Areas in them are refused unless the user says otherwise.

use crate::model::crs::Crs;

/// Web Mercator codes (EPSG and the old Google/ESRI ones).
const WEB_MERCATOR: &[u32] = &[3857, 3785, 900913, 102100, 102113];
/// World Mercator and plate carrée (equidistant cylindrical) codes.
const WORLD_CYLINDRICAL: &[u32] = &[3395, 4087, 32662, 32663, 54002, 54004];

/// Why areas in `crs` would be badly wrong, or `None` when its scale error is small.
///
/// Mercator projections (Web Mercator included) are conformal with scale 1/cos φ away from
/// the standard parallel: areas near Shenzhen (22.5°N) come out ~17 % too large.
/// Equidistant cylindrical (plate carrée) stretches east–west by 1/cos φ: ~8 % there.
/// Neither is meant for measuring land, whatever the data's location, so the rule goes by
/// projection, not by where the data lie.
pub fn area_distortion(crs: &Crs) -> Option<&'static str> {
    let proj = crs.proj4.as_deref().unwrap_or_default();
    let has = |term: &str| proj.split_whitespace().any(|t| t == term);
    let code = crs.epsg.unwrap_or(0);
    if WEB_MERCATOR.contains(&code) || has("+proj=webmerc") || has("+nadgrids=@null") {
        Some(
            "Web Mercator, whose scale grows as 1/cos(latitude): planar areas near \
             Shenzhen (22.5°N) are about 17% too large",
        )
    } else if has("+proj=merc") || code == 3395 {
        Some(
            "a Mercator projection, whose scale grows as 1/cos(latitude): planar areas \
             near Shenzhen (22.5°N) are about 17% too large",
        )
    } else if has("+proj=eqc") || WORLD_CYLINDRICAL.contains(&code) {
        Some(
            "plate carrée (equidistant cylindrical), which stretches east-west by \
             1/cos(latitude): planar areas near Shenzhen (22.5°N) are about 8% too large",
        )
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn world_projections_are_flagged_local_ones_not() {
        for code in [3857, 3395, 4087, 32662] {
            assert!(
                area_distortion(&Crs::from_epsg(code).unwrap()).is_some(),
                "{code}"
            );
        }
        assert!(area_distortion(&Crs::parse("EPSG:900913").unwrap()).is_some());
        for code in [4547, 4526, 2227, 32650, 31370, 28992] {
            assert!(
                area_distortion(&Crs::from_epsg(code).unwrap()).is_none(),
                "{code}"
            );
        }
        assert!(area_distortion(&Crs::local_planar()).is_none());
    }
}
