"""The Python peer of `pixelprobe-bench eval-re`: the same baseline on the same images, in process.

For each of the first COUNT images (name order) of DIR: target = Image.open(p).convert('RGB')
.resize((64, 64)); the baseline's reconstruction = img.resize((k, k)).resize((64, 64)) (Pillow
BICUBIC both ways); RE = 100 * mean |recon - target| / 255 over all 64 x 64 x 3 values, then the
mean over images.  Nothing durable is written.

Usage: python3 bench/pillow_eval_re.py DIR [COUNT] [K]
"""
import os
import sys
import time

import numpy as np
from PIL import Image

root = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 100
k = int(sys.argv[3]) if len(sys.argv) > 3 else 8
names = sorted(f for f in os.listdir(root) if f.lower().endswith((".jpg", ".jpeg", ".png")))[:count]
start = time.perf_counter()
res = []
for name in names:
    img = Image.open(os.path.join(root, name)).convert("RGB")
    target = np.asarray(img.resize((64, 64)), dtype=np.int16)
    recon = np.asarray(img.resize((k, k)).resize((64, 64)), dtype=np.int16)
    res.append(100.0 * np.abs(recon - target).mean() / 255.0)
elapsed = time.perf_counter() - start
print(f"python eval-re baseline:thumbnail?k={k}: {len(names)} images, {len(names) * 4096} questions "
      f"in {elapsed:.3f} s; RE {np.mean(res):.4f}%")
