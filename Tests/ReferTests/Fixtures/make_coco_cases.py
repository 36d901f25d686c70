"""Writes coco_cases.json: pycocotools' answers for the Swift COCO mask tests.

Needs pycocotools 2.0.11 (pip install pycocotools==2.0.11) and numpy; fixture generation only.
Run from the repository root: python3 Tests/ReferTests/Fixtures/make_coco_cases.py

For every case: the pycocotools compressed RLE string, area (mask.area), bbox (mask.toBbox) and the
column-major run lengths of the decoded mask (computed from the decoded pixels with numpy, so the
Swift tests can check the string codec and the rasteriser separately).
"""
import json
import os
import random

import numpy as np
from importlib.metadata import version
from pycocotools import mask as maskUtils
from pycocotools.coco import COCO

assert version("pycocotools") == "2.0.11", version("pycocotools")
OUT = os.path.join(os.path.dirname(__file__), "coco_cases.json")


def runs(mask):
    flat = (mask.T.reshape(-1) > 0).astype(np.int8)
    change = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate([[0], change, [flat.size]])
    counts = np.diff(bounds).tolist()
    if flat.size and flat[0] == 1:
        counts = [0] + counts
    return counts


def describe(rle):
    mask = maskUtils.decode(rle)
    return {
        "compressed": rle["counts"].decode("ascii"),
        "area": int(maskUtils.area(rle)),
        "bbox": [int(v) for v in maskUtils.toBbox(rle)],
        "counts": runs(mask),
    }


def polygon_case(name, h, w, polygons):
    rle = maskUtils.merge(maskUtils.frPyObjects(polygons, h, w))
    return dict(name=name, height=h, width=w, polygons=polygons, **describe(rle))


cases = [
    polygon_case("inside square", 6, 7, [[1.0, 1.0, 4.0, 1.0, 4.0, 3.0, 1.0, 3.0]]),
    polygon_case("half-pixel square", 4, 4, [[0.5, 0.5, 2.5, 0.5, 2.5, 2.5, 0.5, 2.5]]),
    polygon_case("on the border", 8, 10, [[0, 0, 9, 0, 9, 7, 0, 7]]),
    polygon_case("over the border", 8, 10, [[-3, -2, 12, 1, 11, 11, -1, 9]]),
    polygon_case("vertex below the image", 12, 9, [[1.2, 3.1, 7.7, 2.9, 8.1, 12.38, 0.6, 11.4]]),
    polygon_case("overlapping polygons", 12, 12, [[1, 1, 7, 1, 7, 7, 1, 7], [4, 4, 10, 4, 10, 10, 4, 10]]),
    polygon_case("several polygons", 10, 14, [[0.5, 0.5, 3.5, 0.5, 2, 4], [6, 1, 9, 1, 9, 8, 6, 8], [11, 6.5, 13.4, 9.2, 10.1, 9.6]]),
    polygon_case("sub-pixel triangle", 5, 5, [[2.2, 2.2, 2.4, 2.2, 2.3, 2.4]]),
    polygon_case("negative rounding", 6, 6, [[-0.15, -0.15, 4.05, -0.05, 4.1, 3.9, -0.1, 4.2]]),
    polygon_case("closing vertex repeated", 7, 7, [[1, 1, 5, 1, 5, 5, 1, 5, 1, 1]]),
    polygon_case("odd number of values", 7, 7, [[1, 1, 5, 1, 3, 5, 2]]),
    polygon_case("degenerate second polygons", 7, 7, [[1, 1, 5, 1, 3, 5], [2, 2], []]),
    polygon_case("bow tie", 9, 9, [[1, 1, 7, 7, 7, 1, 1, 7]]),
    polygon_case("entirely outside", 5, 5, [[10, 10, 20, 10, 20, 20]]),
]

rng = random.Random(20251126)
for i in range(40):
    h, w = rng.randint(1, 40), rng.randint(1, 40)
    polygons = []
    for _ in range(rng.randint(1, 3)):
        n = rng.randint(3, 12)
        polygons.append([round(rng.uniform(-4, (w if j % 2 == 0 else h) + 4), 2) for j in range(2 * n)])
    cases.append(polygon_case(f"random {i}", h, w, polygons))

# Uncompressed RLE (a crowd annotation) and compressed-string round trips.
rle_cases = []
for name, h, w, counts in [
    ("crowd", 7, 9, [5, 3, 4, 10, 2, 2, 9, 28]),
    ("starts with foreground", 4, 3, [0, 2, 4, 6]),
    ("runs across columns", 4, 3, [2, 4, 6]),
    ("all foreground", 3, 5, [0, 15]),
    ("all background", 3, 5, [15]),
    ("big and negative deltas", 1000, 1000, [123456, 1, 800000, 70000, 5000, 1543]),
    ("long", 200, 300, [7, 300, 1, 20000, 2, 5, 31, 32, 33, 16, 15, 17, 39541]),
]:
    assert sum(counts) == h * w
    rle = maskUtils.frPyObjects({"counts": counts, "size": [h, w]}, h, w)
    rle_cases.append(dict(name=name, height=h, width=w, uncompressed=counts, **describe(rle)))

coco = COCO("data/refer-mini/refcoco/instances.json")
annotations = {}
for ann in coco.dataset["annotations"]:
    annotations[str(ann["id"])] = describe(coco.annToRLE(ann))

with open(OUT, "w") as f:
    json.dump({"polygons": cases, "rle": rle_cases, "annotations": annotations}, f, separators=(",", ":"))
    f.write("\n")
