#!/usr/bin/env python3
"""Writes EPSG_<code>.json: the PROJJSON that GeoParquet's `geo` metadata carries for the
EPSG codes landpool writes most (the same list as the GeoPackage writer's WKT table).
Generated with pyproj (PROJ's EPSG database); rerun to refresh:
    python3 src/io/parquet/projjson/generate.py"""
import json, os, pyproj

HERE = os.path.dirname(os.path.abspath(__file__))
for code in (4326, 4490, 4547, 4526, 28992, 31370, 3857):
    crs = pyproj.CRS.from_epsg(code)
    with open(os.path.join(HERE, f"EPSG_{code}.json"), "w") as f:
        f.write(json.dumps(json.loads(crs.to_json()), separators=(",", ":"), ensure_ascii=False))
print("PROJ", pyproj.proj_version_str)
