//! Deliberate defects (listed in the manifest) and the parcel stream they are planted in.

use geo::Coord;

use super::Defect;
use super::parcels::{
    A_GRANT_DATE, A_TENURE_CODE, A_TENURE_NAME, A_TERM_YEARS, ParcelOut, parcel_id,
};
use super::plan::{self, Plan, TENURE_CLASSES};
use super::rng::Rng;
use crate::error::Result;
use crate::model::{Layer, Value};

const DEFECT_KINDS: [&str; 7] = [
    "self_intersecting_parcel",
    "duplicate_parcel",
    "unknown_tenure_code",
    "missing_tenure_code",
    "invalid_grant_date",
    "density_zone_out_of_range",
    "invalid_project_date",
];

/// The defects to plant: `(kind index, target seed)`; parcel targets are resolved to
/// distinct parcel ordinals.
pub(super) struct DefectPlan {
    pub(super) small: Vec<(usize, usize)>,
    /// (kind index, parcel ordinal), sorted by ordinal.
    parcels: Vec<(usize, usize)>,
}

pub(super) fn plan_defects(plan: &Plan, parcel_count: usize) -> DefectPlan {
    let mut small = Vec::new();
    let mut on_parcels = Vec::new();
    let mut used = std::collections::BTreeSet::new();
    for d in 0..plan.opts.defects {
        let mut kind = d % DEFECT_KINDS.len();
        let mut r = Rng::keyed(plan.opts.seed, plan::P_DEFECT, d as u64, 0);
        let target = r.next_u64() as usize;
        if kind == 6 && plan.projects.is_empty() {
            kind = 2;
        }
        if kind >= 5 {
            small.push((kind, target));
            continue;
        }
        let mut ordinal = target % parcel_count.max(1);
        while !used.insert(ordinal) {
            ordinal = (ordinal + 1) % parcel_count.max(1);
        }
        on_parcels.push((kind, ordinal));
    }
    on_parcels.sort_by_key(|&(_, o)| o);
    DefectPlan {
        small,
        parcels: on_parcels,
    }
}

/// Applies a parcel defect; returns the duplicate to append for `duplicate_parcel`.
fn apply_parcel_defect(
    kind: usize,
    p: &mut ParcelOut,
    duplicate_ordinal: usize,
    found: &mut Vec<Defect>,
) -> Option<ParcelOut> {
    let id = parcel_id(p.ordinal);
    let mut defect = |description: String, index: usize, id: String| {
        found.push(Defect {
            kind: DEFECT_KINDS[kind].into(),
            layer: "parcels".into(),
            index,
            id,
            description,
        })
    };
    match DEFECT_KINDS[kind] {
        "self_intersecting_parcel" => {
            let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
            for c in &p.ring {
                (x0, y0, x1, y1) = (x0.min(c.x), y0.min(c.y), x1.max(c.x), y1.max(c.y));
            }
            let (a, b, c, d) = (
                Coord { x: x0, y: y0 },
                Coord { x: x1, y: y1 },
                Coord { x: x1, y: y0 },
                Coord { x: x0, y: y1 },
            );
            p.ring = vec![a, b, c, d, a];
            defect(
                "bow-tie ring over the parcel's bounding box (self-intersection)".into(),
                p.ordinal,
                id,
            );
            None
        }
        "duplicate_parcel" => {
            let mut dup = p.clone();
            dup.ordinal = duplicate_ordinal;
            dup.building = None;
            dup.encoded = None;
            let dup_id = parcel_id(duplicate_ordinal);
            dup.attrs[0] = Value::Str(dup_id.clone());
            defect(
                format!("same geometry and attributes as {id} (overlaps it completely)"),
                duplicate_ordinal,
                dup_id,
            );
            Some(dup)
        }
        "unknown_tenure_code" => {
            p.attrs[A_TENURE_CODE] = Value::Str("XXQT".into());
            p.attrs[A_TENURE_NAME] = Value::Str("未知权属".into());
            defect(
                "tenure_code \"XXQT\" is not in the code table".into(),
                p.ordinal,
                id,
            );
            None
        }
        "missing_tenure_code" => {
            p.attrs[A_TENURE_CODE] = Value::Null;
            defect("tenure_code is null".into(), p.ordinal, id);
            None
        }
        _ => {
            // invalid_grant_date
            p.attrs[A_TENURE_CODE] = Value::Str(TENURE_CLASSES[plan::GYCR].code.into());
            p.attrs[A_TENURE_NAME] = Value::Str(TENURE_CLASSES[plan::GYCR].name.into());
            p.attrs[A_GRANT_DATE] = Value::Str("2015-02-30".into());
            if p.attrs[A_TERM_YEARS].is_null() {
                p.attrs[A_TERM_YEARS] = Value::Int(50);
            }
            defect(
                "GYCR parcel with grant_date \"2015-02-30\" (no such day)".into(),
                p.ordinal,
                id,
            );
            None
        }
    }
}

/// Streams all parcels with their defects applied (duplicates appended at the end).
/// Returns the parcel defects in file order.
pub(super) fn stream_parcels<P, F>(plan: &Plan, prepare: P, mut sink: F) -> Result<Vec<Defect>>
where
    P: Fn(&mut ParcelOut) + Sync,
    F: FnMut(&ParcelOut) -> Result<()>,
{
    let count: usize = plan.row_counts().iter().sum();
    let defects = plan_defects(plan, count);
    let mut found = Vec::new();
    let mut duplicates = Vec::new();
    let mut next = defects.parcels.iter().peekable();
    plan.for_each_parcel(prepare, |mut p| {
        while let Some(&&(kind, ordinal)) = next.peek() {
            if ordinal != p.ordinal {
                break;
            }
            next.next();
            // The parallel stage's encoding is stale once a defect changes the parcel.
            p.encoded = None;
            let dup_ordinal = count + duplicates.len();
            if let Some(dup) = apply_parcel_defect(kind, &mut p, dup_ordinal, &mut found) {
                duplicates.push(dup);
            }
        }
        sink(&p)
    })?;
    for d in &duplicates {
        sink(d)?;
    }
    Ok(found)
}

/// Plants the defects of the zone and project layers; returns them.
pub(super) fn plant_small_layer_defects(
    defects: &[(usize, usize)],
    zones: &mut Layer,
    projects: &mut Layer,
) -> Vec<Defect> {
    let mut found = Vec::new();
    for &(kind, target) in defects {
        match DEFECT_KINDS[kind] {
            "density_zone_out_of_range" if !zones.features.is_empty() => {
                let k = target % zones.features.len();
                let f = &mut zones.features[k];
                f.attributes[1] = Value::Int(7);
                found.push(Defect {
                    kind: DEFECT_KINDS[kind].into(),
                    layer: "density_zones".into(),
                    index: k,
                    id: f.key.clone().unwrap_or_default(),
                    description: "density_zone = 7 (valid classes are 1–5)".into(),
                });
            }
            "invalid_project_date" if !projects.features.is_empty() => {
                let k = target % projects.features.len();
                let f = &mut projects.features[k];
                f.attributes[2] = Value::Str("2022-13-01".into());
                found.push(Defect {
                    kind: DEFECT_KINDS[kind].into(),
                    layer: "projects".into(),
                    index: k,
                    id: f.key.clone().unwrap_or_default(),
                    description: "entered_plan_date = \"2022-13-01\" (no month 13)".into(),
                });
            }
            _ => {}
        }
    }
    found
}
