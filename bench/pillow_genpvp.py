"""The Python + Pillow peer of `pixelprobe-bench gen-pvp`: the same questions on the same images.

A straightforward generator: question i picks (slot, row, col) with the same sampler as PixelProbe
(bench/sampler_reference.py); questions are grouped by image within each shard of SHARD_SIZE so each
image is decoded and resized once per shard, exactly the work a PixelProbe worker does; answers are
Image.open(p).convert('RGB').resize((64, 64)) at (row, col).  Nothing durable is written.

Usage: python3 bench/pillow_genpvp.py IMAGE_DIR QUESTIONS [SEED] [SHARD_SIZE]
"""
import os
import sys
import time

from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sampler_reference import question  # noqa: E402

root, questions = sys.argv[1], int(sys.argv[2])
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 0
shard_size = int(sys.argv[4]) if len(sys.argv) > 4 else 10000
images = sorted(
    os.path.relpath(os.path.join(d, f), root)
    for d, _, fs in os.walk(root) for f in fs if f.lower().endswith((".jpg", ".jpeg", ".png")))

start = time.perf_counter()
decodes = 0
checksum = 0
for first in range(0, questions, shard_size):
    groups = {}
    for i in range(first, min(first + shard_size, questions)):
        slot, row, col = question(seed, len(images), 64, i)
        groups.setdefault(slot, []).append((i, row, col))
    for slot, qs in groups.items():
        target = Image.open(os.path.join(root, images[slot])).convert("RGB").resize((64, 64))
        px = target.load()
        decodes += 1
        for i, row, col in qs:
            r, g, b = px[col, row]
            checksum += r + g + b
elapsed = time.perf_counter() - start
print(f"pillow gen-pvp: {questions} questions, {decodes} image decodes in {elapsed:.3f} s: "
      f"{questions / elapsed:,.0f} questions/s, {decodes / elapsed:,.1f} images/s "
      f"(checksum {checksum})")
