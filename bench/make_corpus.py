"""Makes a benchmark corpus: N distinct 640x480 JPEGs cut and scaled from the bundled photos.

Usage: python3 bench/make_corpus.py OUT_DIR N   (needs Pillow; benchmark only)
"""
import os
import random
import sys

from PIL import Image

here = os.path.dirname(os.path.abspath(__file__))
photos = os.path.join(here, "..", "data", "photos")
out, count = sys.argv[1], int(sys.argv[2])
os.makedirs(out, exist_ok=True)
sources = [Image.open(os.path.join(photos, p)).convert("RGB") for p in sorted(os.listdir(photos))
           if p.endswith((".jpg", ".png"))]
rng = random.Random(0)
for i in range(count):
    src = sources[i % len(sources)]
    w, h = src.size
    cw, ch = rng.randint(w // 2, w), rng.randint(h // 2, h)
    x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
    img = src.crop((x, y, x + cw, y + ch)).resize((640, 480), Image.BILINEAR)
    img.save(os.path.join(out, f"img{i:06d}.jpg"), quality=90)
print(f"{count} images in {out}")
