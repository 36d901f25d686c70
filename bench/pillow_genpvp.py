"""The Python + Pillow peer of `pixelprobe-bench gen-pvp`: the same questions on the same images.

A straightforward generator on one core: question i picks (slot, row, col) with the same sampler
as PixelProbe (bench/sampler_reference.py); all the questions are grouped by image, so each image
is decoded and resized once, as a PixelProbe job does since it plans by image; answers are
Image.open(p).convert('RGB').resize((64, 64)) at (row, col).  Only the loop is timed (not the
interpreter start, the imports or the directory listing); nothing durable is written.

Usage: python3 bench/pillow_genpvp.py IMAGE_DIR QUESTIONS [SEED]
"""
import os
import sys
import time

from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sampler_reference import question  # noqa: E402

root, questions = sys.argv[1], int(sys.argv[2])
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 0
images = sorted(
    (os.path.relpath(os.path.join(d, f), root)
     for d, _, fs in os.walk(root) for f in fs if f.lower().endswith((".jpg", ".jpeg", ".png"))),
    key=lambda p: p.encode())

start = time.perf_counter()
groups = {}
for i in range(questions):
    slot, row, col = question(seed, len(images), 64, i)
    groups.setdefault(slot, []).append((i, row, col))
decodes = 0
checksum = 0
for slot in sorted(groups):
    target = Image.open(os.path.join(root, images[slot])).convert("RGB").resize((64, 64))
    px = target.load()
    decodes += 1
    for i, row, col in groups[slot]:
        r, g, b = px[col, row]
        checksum += r + g + b
elapsed = time.perf_counter() - start
print(f"pillow gen-pvp: {questions} questions, {decodes} image decodes in {elapsed:.3f} s: "
      f"{questions / elapsed:,.0f} questions/s, {decodes / elapsed:,.1f} images/s "
      f"(checksum {checksum})")
