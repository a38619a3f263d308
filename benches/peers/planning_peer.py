#!/usr/bin/env python3
"""Checks the areas of landpool's planning section (issue 15) against shapely on a real
layer: the Almere zoning-plan polygons (tests/data/nl-almere-plots-zones, 91 polygons that
overlap each other, one invalid) used as a constraint layer over the Almere cadastral plots
(316 parcels), inside a project boundary that cuts through both.

    cargo build --features cli          # or: cargo test builds target/debug/landpool
    python3 benches/peers/planning_peer.py [--bin target/release/landpool] [--work DIR]

landpool runs `assess` on a project file written here; shapely computes the same figures
independently: the zones repaired with make_valid and dissolved (unary_union), then
boundary ∩ zones, each parcel's part inside the boundary ∩ zones, the part of the boundary
outside the zones (the layer also as an urban development boundary), each site's part, and
the enclaves (boundary − parcels). Every figure must agree to 1e-6 relative (exit 1 if not).
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import shapely
from shapely.geometry import box, mapping, shape
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests/data/nl-almere-plots-zones"
CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}
# A boundary cutting through the plots (they span x 165391–166314, y 480698–482362).
BOUNDARY = box(165600.0, 480900.0, 166100.0, 481900.0)
SITES = {"S1": box(165700.0, 481000.0, 165800.0, 481080.0),
         "S2": box(166300.0, 481500.0, 166420.0, 481600.0)}
REL = 1e-6


def fc(features):
    return {"type": "FeatureCollection", "crs": CRS,
            "features": [{"type": "Feature", "properties": p, "geometry": mapping(g)}
                         for p, g in features]}


def write_inputs(work, plots):
    dump = lambda name, obj: (work / name).write_text(json.dumps(obj))
    dump("parcels.geojson", fc([({"parcel_id": f"P{p['plot_idx']}", "tenure_code": "FNGS"}, g)
                                for p, g in plots]))
    dump("boundary.geojson", fc([({"project_id": "ALMERE", "entered_plan_date": "2026-03-01",
                                   "plan_approved": False}, BOUNDARY)]))
    dump("zones.geojson", fc([({"density_zone": 3}, box(165000, 480000, 167000, 483000))]))
    dump("sites.geojson", fc([({"site_id": k, "project_id": "ALMERE", "use": "residential"}, g)
                              for k, g in SITES.items()]))
    rules = ROOT / "data/rules"
    zones = DATA / "zones_epsg28992.geojson"
    (work / "project.toml").write_text(f"""
[project]
id = "ALMERE"
assessment_date = 2026-06-30
rules = "new"
[rule_sets]
new = "{rules}/shenzhen-2022-draft.toml"
rules_2018 = "{rules}/shenzhen-2018.toml"
[layers]
parcels = "parcels.geojson"
boundary = "boundary.geojson"
density_zones = "zones.geojson"
retained_sites = "sites.geojson"
[siting]
allow_straddling = true
[tenure]
[[tenure.rules]]
field = "tenure_code"
codes = {{ FNGS = "collective_nonagri_commercial" }}
[plan]
function_mix = [{{ use_id = "market_housing", share = 0.8 }}, {{ use_id = "shared_ownership_housing", share = 0.2 }}]
shared_ratio = 0.15
shared_disposition = "A"
planned_far = 4.5
retained_zone = 3
[[constraints]]
name = "zones as red line"
kind = "ecological_red_line"
layer = "{zones}"
[[constraints]]
name = "zones as urban development boundary"
kind = "urban_development_boundary"
layer = "{zones}"
""")


def shapely_figures(plots):
    zones = [shape(f["geometry"]) for f in json.loads((DATA / "zones_epsg28992.geojson").read_text())["features"]]
    region = unary_union([shapely.make_valid(z) for z in zones])
    local = BOUNDARY.intersection(region)
    parts = {f"P{p['plot_idx']}": g.intersection(BOUNDARY) for p, g in plots}
    parts = {k: g for k, g in parts.items() if g.area > 1e-3}
    consolidated = unary_union(list(parts.values()))
    return {
        "boundary_in": local.area,
        "boundary_out": BOUNDARY.area - local.area,
        "parcels_in": {k: g.intersection(local).area for k, g in parts.items()},
        "parcels_out": {k: g.area - g.intersection(local).area for k, g in parts.items()},
        "sites_in": {k: g.intersection(region).area for k, g in SITES.items()},
        "sites_out": {k: g.area - g.intersection(region).area for k, g in SITES.items()},
        "counted": consolidated.area,
        "enclaves": BOUNDARY.difference(consolidated).area,
    }


def compare(name, ours, theirs, failures, floor=0.01):
    """Relative difference; figures at most `floor` m² (the tolerance) are compared
    absolutely, since landpool lists only parts above it."""
    diff = abs(ours - theirs)
    rel = diff / max(abs(theirs), 1e-300)
    ok = rel <= REL or (theirs <= floor and ours <= floor) or diff <= 1e-9
    if not ok:
        failures.append(f"{name}: landpool {ours!r} shapely {theirs!r} rel {rel:.2e}")
    return rel if theirs > floor else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(ROOT / "target/debug/landpool"))
    ap.add_argument("--work", default=None)
    args = ap.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="planning-peer-"))
    work.mkdir(parents=True, exist_ok=True)
    plots = [(f["properties"], shape(f["geometry"]))
             for f in json.loads((DATA / "plots_epsg28992.geojson").read_text())["features"]]
    write_inputs(work, plots)
    subprocess.run([args.bin, "assess", str(work / "project.toml"), "--out", str(work / "out")],
                   check=True, stdout=subprocess.DEVNULL)
    report = json.loads((work / "out/report.json").read_text())
    planning = report["planning"]
    peer = shapely_figures(plots)
    failures, worst = [], 0.0
    for c, side in zip(planning["constraints"], ["in", "out"]):
        worst = max(worst, compare(f"{c['name']} boundary", c["boundary"]["area_m2"], peer[f"boundary_{side}"], failures))
        listed = {p["id"]: p["area_m2"] for p in c["parcels"]}
        for pid, area in peer[f"parcels_{side}"].items():
            worst = max(worst, compare(f"{c['name']} {pid}", listed.get(pid, 0.0), area, failures))
        for s in c["sites"]:
            worst = max(worst, compare(f"{c['name']} {s['id']}", s["area_m2"], peer[f"sites_{side}"][s["id"]], failures))
        print(f"{c['name']}: boundary part {c['boundary']['area_m2']:.6f} m² (shapely "
              f"{peer['boundary_' + side]:.6f}), {len(listed)} parcels listed, counted part "
              f"{c['counted_land']['area_m2']:.6f} m² (shapely {sum(peer['parcels_' + side].values()):.6f})")
        worst = max(worst, compare(f"{c['name']} counted", c["counted_land"]["area_m2"], sum(peer[f"parcels_{side}"].values()), failures))
    contig, enc = planning["contiguity"], planning["enclaves"]
    worst = max(worst, compare("consolidated", contig["consolidated_area_m2"], peer["counted"], failures))
    worst = max(worst, compare("enclaves", enc["area_m2"], peer["enclaves"], failures))
    print(f"consolidated land {contig['consolidated_area_m2']:.6f} m² (shapely {peer['counted']:.6f}), "
          f"{contig['components']} component(s); enclaves {enc['count']} ({enc['holes']} holes), "
          f"{enc['area_m2']:.6f} m² (shapely {peer['enclaves']:.6f})")
    print(f"largest relative difference: {worst:.3e} (limit {REL:g})")
    for f in failures:
        print("FAIL", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
