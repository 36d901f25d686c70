"""Writes expected_masks.json: the refer-mini expected masks as column-major run lengths.

The runs are computed from the PNG pixels alone (Pillow + numpy, no pycocotools), so the Swift
tests compare their own rasteriser against the PNGs pixel for pixel without a PNG decoder.
Format: {"<ann_id>": {"size": [h, w], "counts": [c0, c1, ...]}}; runs alternate 0/1 starting
with 0 (c0 may be 0), column-major (down the first column, then the next).

Run from the repository root: python3 Tests/ReferTests/Fixtures/make_expected_masks.py
"""
import json
import os

import numpy as np
from PIL import Image

ROOT = "data/refer-mini/expected"
OUT = os.path.join(os.path.dirname(__file__), "expected_masks.json")


def runs(mask):
    flat = (mask.T.reshape(-1) > 0).astype(np.int8)  # column-major
    counts, value, run = [], 0, 0
    for v in flat:
        if v != value:
            counts.append(run)
            value, run = v, 0
        run += 1
    counts.append(run)
    return counts


result = {}
for name in sorted(os.listdir(ROOT), key=lambda n: (len(n), n)):
    if not name.endswith(".png"):
        continue
    image = Image.open(os.path.join(ROOT, name))
    assert image.mode == "L", image.mode
    mask = np.asarray(image)
    assert set(np.unique(mask)) <= {0, 255}
    result[name[:-4]] = {"size": list(mask.shape), "counts": runs(mask)}

with open(OUT, "w") as f:
    json.dump(result, f, separators=(",", ":"))
    f.write("\n")
