//! The 2018 rules' chain on the computation sheet (policy.md §8).

use super::super::chain::{ChainWriter, Row, Value};
use super::super::sheet::XResult;
use super::{C, formula, write_facilities};
use crate::policy::Assessment2018;

/// The 2018 chain.
pub(super) fn write_2018(w: &mut ChainWriter<'_>, a: &Assessment2018) -> XResult<()> {
    w.section("1. Eligibility (连片 unfinished-requisition land)")?;
    w.put(
        Row::new(
            "largest contiguous unfinished-requisition area",
            "",
            Value::Input(a.largest_contiguous_area_m2),
        )
        .unit("m²")
        .json(format!("{C}.largest_contiguous_area_m2")),
    )?;
    w.put(
        Row::rule("minimum contiguous area", "", &a.min_contiguous_area)
            .unit("m²")
            .json(format!("{C}.min_contiguous_area.value")),
    )?;
    w.put(
        Row::new("eligible", "", Value::Text(a.eligible.to_string()))
            .says(a.eligibility_reason.clone())
            .json(format!("{C}.eligible")),
    )?;
    w.section("2. Floor area (2018 rules)")?;
    let land = w.put(
        Row::new(
            "retained-land area (留用土地)",
            "L",
            Value::Input(a.retained_land_area_m2),
        )
        .unit("m²")
        .json(format!("{C}.retained_land_area_m2")),
    )?;
    let far =
        w.put(Row::new("plot FAR", "FAR", Value::Input(a.plot_far)).json(format!("{C}.plot_far")))?;
    let base = w.put(
        Row::new(
            "base floor area",
            "B",
            formula(format!("{land}*{far}"), a.base_floor_area_m2),
        )
        .unit("m²")
        .says("B = L × FAR")
        .json(format!("{C}.base_floor_area_m2")),
    )?;
    let facility = write_facilities(
        w,
        std::iter::empty(),
        a.facility_floor_area_m2,
        &format!("{C}.facility_floor_area_m2"),
    )?;
    write_shared_2018(w, a, &base, &facility)
}

/// The shared floor area, its buy-back and the planned floor area of the 2018 rules.
fn write_shared_2018(
    w: &mut ChainWriter<'_>,
    a: &Assessment2018,
    base: &str,
    facility: &str,
) -> XResult<()> {
    let ratio = w.put(
        Row::new(
            "shared floor-area ratio requested",
            "r",
            Value::Input(a.shared_requested_ratio),
        )
        .json(format!("{C}.shared_requested_ratio")),
    )?;
    let max = w.put(
        Row::rule("shared floor-area cap ratio", "r_max", &a.shared_max_ratio)
            .json(format!("{C}.shared_max_ratio.value")),
    )?;
    let shared = w.put(
        Row::new(
            "shared floor area (共享容积)",
            "S",
            formula(format!("{ratio}*{base}"), a.shared_floor_area_m2),
        )
        .unit("m²")
        .says("S = r × B")
        .json(format!("{C}.shared_floor_area_m2")),
    )?;
    w.put(
        Row::new(
            "shared floor area cap",
            "S_max",
            formula(format!("{max}*{base}"), a.shared_cap_floor_area_m2),
        )
        .unit("m²")
        .says("S_max = r_max × B")
        .json(format!("{C}.shared_cap_floor_area_m2")),
    )?;
    let buyback = w.put(
        Row::rule("government buy-back ratio", "g", &a.buyback_ratio)
            .json(format!("{C}.buyback_ratio.value")),
    )?;
    w.put(
        Row::new(
            "government buy-back",
            "",
            formula(format!("{shared}*{buyback}"), a.government_buyback_m2),
        )
        .unit("m²")
        .says("S × g")
        .json(format!("{C}.government_buyback_m2")),
    )?;
    w.put(
        Row::new(
            "kept by the rights holders",
            "",
            formula(format!("{shared}*(1-{buyback})"), a.holders_m2),
        )
        .unit("m²")
        .says("S × (1 − g)")
        .json(format!("{C}.holders_m2")),
    )?;
    w.put(
        Row::new(
            "planned floor area (规划容积)",
            "P",
            formula(
                format!("{base}+{facility}+{shared}"),
                a.planned_floor_area_m2,
            ),
        )
        .unit("m²")
        .says("P = B + F + S")
        .json(format!("{C}.planned_floor_area_m2")),
    )?;
    Ok(())
}
