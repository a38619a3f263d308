"""Writes the hand-made layers of tests/planning_*.rs (run from this folder).

Coordinates are metres relative to the worked example A origin (490000, 2515000) in
EPSG:4547; every layer is made of axis-aligned rectangles so each area is computed by hand
in the tests."""
import json

X0, Y0 = 490000.0, 2515000.0


def rect(x1, y1, x2, y2):
    ring = [[X0 + x1, Y0 + y1], [X0 + x2, Y0 + y1], [X0 + x2, Y0 + y2], [X0 + x1, Y0 + y2],
            [X0 + x1, Y0 + y1]]
    return {"type": "Polygon", "coordinates": [ring]}


def write(name, features):
    fc = {"type": "FeatureCollection",
          "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}},
          "features": [{"type": "Feature", "properties": p, "geometry": g} for p, g in features]}
    with open(name, "w", encoding="utf-8") as f:
        json.dump(fc, f, indent=1, ensure_ascii=False)
        f.write("\n")


# One layer per constraint kind (see tests/planning_constraints.rs for the expected areas).
write("red_line.geojson", [({"name": "红线"}, rect(150, 50, 250, 150))])
write("farmland.geojson", [({"name": "基本农田 a"}, rect(600, 0, 650, 50)),
                           ({"name": "基本农田 b (shares the boundary's east edge)"},
                            rect(400, 0, 450, 250))])
write("urban_boundary.geojson", [({"name": "城镇开发边界 a"}, rect(-10, -10, 350, 260)),
                                 ({"name": "城镇开发边界 b"}, rect(590, -10, 730, 110))])
write("control_line.geojson", [({"name": "控制线 a"}, rect(300, 200, 400, 300)),
                               ({"name": "控制线 b (overlaps a)"}, rect(350, 200, 450, 300))])
write("sensitive.geojson", [({"name": "生态敏感区"}, rect(0, 0, 40, 250))])
write("major_project.geojson", [({"name": "重大项目"}, rect(1000, 0, 1100, 100))])
write("industrial_area.geojson", [({"name": "产业空间整备区"}, rect(360, 0, 400, 125))])
write("function_area.geojson", [({"name": "综合功能整备区"}, rect(0, 125, 80, 250))])
write("other.geojson", [({"name": "其他"}, rect(0, 0, 400, 250))])


def parcel(pid, code, r):
    return ({"parcel_id": pid, "tenure_code": code, "land_use": "residential",
             "grant_date": None, "term_years": None, "legal_area": None,
             "major_project": False}, rect(*r))


# Enclaves: a hole (x 100-200, y 100-150) holding a state-reserve parcel E and land no
# parcel covers, and a notch (x 320-400, y 100-150) on the east edge, parcel D.
write("parcels_enclaves.geojson", [
    parcel("A", "FNGS", (0, 0, 400, 100)),
    parcel("B", "FNGS", (0, 150, 400, 250)),
    parcel("C", "FNGS", (0, 100, 100, 150)),
    parcel("C2", "FNGS", (200, 100, 320, 150)),
    parcel("D", "GYCB", (320, 100, 400, 150)),
    parcel("E", "GYCB", (120, 110, 180, 140)),
])
# Fragmented: a state-reserve strip M across the project splits the counted land in two.
write("parcels_fragmented.geojson", [
    parcel("A", "FNGS", (0, 0, 400, 100)),
    parcel("M", "GYCB", (0, 100, 400, 160)),
    parcel("B", "FNGS", (0, 160, 400, 250)),
])
