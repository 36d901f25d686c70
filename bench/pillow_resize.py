#!/usr/bin/env python3
"""Pillow's side of `pixelprobe-bench resize`: per photo, ms to decode (open + load, from bytes in
memory), convert('RGB'), resize((64, 64)) (BICUBIC), and all three together, exactly the PVP
target recipe `Image.open(p).convert('RGB').resize((64, 64))`.

    python3 bench/pillow_resize.py [--dir data/photos] [--repeat 30] [--statistic median|min]
"""

import argparse
import io
import os
import statistics
import time

from PIL import Image, features


def timed(body, repeat, statistic):
    body()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        body()
        times.append((time.perf_counter_ns() - start) / 1e6)
    return min(times) if statistic == "min" else statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default="data/photos")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--statistic", choices=["median", "min"], default="median")
    args = parser.parse_args()
    size = (args.size, args.size)

    names = sorted(n for n in os.listdir(args.dir) if n.lower().endswith((".jpg", ".jpeg", ".png")))
    print(
        f"Pillow {Image.__version__} (libjpeg-turbo {features.version('libjpeg_turbo')}); "
        f"{args.statistic} ms of {args.repeat} runs; decode from bytes in memory; target {size[0]}x{size[1]}"
    )
    print(f"{'photo':33}{'size':11}{'decode':>8}{'convert':>9}{'resize':>8}{'all three':>11}")
    rows = []
    for name in names:
        with open(os.path.join(args.dir, name), "rb") as f:
            data = f.read()

        def decode():
            im = Image.open(io.BytesIO(data))
            im.load()
            return im

        loaded = decode()
        rgb = loaded.convert("RGB")
        row = {
            "name": name,
            "size": loaded.size,
            "jpeg": loaded.format == "JPEG",
            "decode": timed(decode, args.repeat, args.statistic),
            "convert": timed(lambda: loaded.convert("RGB"), args.repeat, args.statistic),
            "resize": timed(lambda: rgb.resize(size), args.repeat, args.statistic),
            "all": timed(
                lambda: Image.open(io.BytesIO(data)).convert("RGB").resize(size), args.repeat, args.statistic
            ),
        }
        rows.append(row)
        w, h = row["size"]
        print(
            f"{name:33}{f'{w}x{h}':11}{row['decode']:8.3f}{row['convert']:9.3f}"
            f"{row['resize']:8.3f}{row['all']:11.3f}"
        )

    print()

    def summarize(label, selected):
        if not selected:
            return
        mean = lambda key: sum(r[key] for r in selected) / len(selected)
        print(
            f"{label} ({len(selected)}): mean ms decode {mean('decode'):.3f}, convert {mean('convert'):.3f}, "
            f"resize {mean('resize'):.3f}, open+convert+resize {mean('all'):.3f}"
        )

    summarize("JPEG 640x480", [r for r in rows if r["jpeg"] and r["size"] == (640, 480)])
    summarize("all JPEG", [r for r in rows if r["jpeg"]])
    summarize("all PNG", [r for r in rows if not r["jpeg"]])
    summarize("all photos", rows)


if __name__ == "__main__":
    main()
