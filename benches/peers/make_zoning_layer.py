# A zoning-like test layer for inspect: 4,000 separate noisy polygons of 101 vertices each
# (404,000 vertices), EPSG:4547, written to /tmp/zoning400k.geojson (seeded: identical each run).
import json, math, random
random.seed(7)
feats=[]
n=4000; per=100
for k in range(n):
    cx=490000+ (k%80)*300.0; cy=2515000+(k//80)*300.0
    coords=[]
    for i in range(per):
        t=math.tau*i/per
        r=120*(1+0.25*math.sin(5*t))+random.uniform(-3,3)
        coords.append([cx+r*math.cos(t), cy+r*math.sin(t)])
    coords.append(coords[0])
    feats.append({"type":"Feature","properties":{"zone":k%5+1,"code":f"Z{k:05d}"},"geometry":{"type":"Polygon","coordinates":[coords]}})
json.dump({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4547"}},"features":feats},open('/tmp/zoning400k.geojson','w'))
print(sum(len(f["geometry"]["coordinates"][0]) for f in feats),"vertices")
