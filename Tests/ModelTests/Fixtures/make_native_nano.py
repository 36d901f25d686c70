"""Writes native-nano.safetensors with the reference safetensors library (pip install safetensors
numpy), so the Swift reader is tested against another implementation's files.

The config is a minimal model (8x8 image, one visual token, width 8); tensor number k (in sorted name order) holds
value[i] = float32(((7 * i + 13 * k) % 101 - 50) / 500), which the test recomputes.
"""

import json
import os

import numpy as np
from safetensors.numpy import save_file

CONFIG = {
    "imageSize": 8, "patchSize": 4, "visionDim": 8, "visionLayers": 1, "visionHeads": 2,
    "lmDim": 8, "lmLayers": 1, "lmHeads": 2, "mlpRatio": 2, "maxPositions": 40,
    "layerNormEpsilon": 1e-05,
}
VOCAB = 259


def shapes(c):
    out = []

    def block(prefix, d):
        h = d * c["mlpRatio"]
        out.extend([
            (f"{prefix}.norm1.weight", [d]), (f"{prefix}.norm1.bias", [d]),
            (f"{prefix}.attn.qkv.weight", [3 * d, d]), (f"{prefix}.attn.qkv.bias", [3 * d]),
            (f"{prefix}.attn.proj.weight", [d, d]), (f"{prefix}.attn.proj.bias", [d]),
            (f"{prefix}.norm2.weight", [d]), (f"{prefix}.norm2.bias", [d]),
            (f"{prefix}.mlp.fc1.weight", [h, d]), (f"{prefix}.mlp.fc1.bias", [h]),
            (f"{prefix}.mlp.fc2.weight", [d, h]), (f"{prefix}.mlp.fc2.bias", [d]),
        ])

    dv, dl, p = c["visionDim"], c["lmDim"], c["patchSize"]
    grid = c["imageSize"] // p
    out.extend([
        ("vision.patch_embed.weight", [dv, 3 * p * p]), ("vision.patch_embed.bias", [dv]),
        ("vision.pos_embed", [grid * grid, dv]),
    ])
    for i in range(c["visionLayers"]):
        block(f"vision.blocks.{i}", dv)
    out.extend([
        ("vision.norm.weight", [dv]), ("vision.norm.bias", [dv]),
        ("connector.proj.weight", [dl, 4 * dv]), ("connector.proj.bias", [dl]),
        ("lm.tok_embed", [VOCAB, dl]), ("lm.pos_embed", [c["maxPositions"], dl]),
    ])
    for i in range(c["lmLayers"]):
        block(f"lm.blocks.{i}", dl)
    out.extend([("lm.norm.weight", [dl]), ("lm.norm.bias", [dl]), ("lm.head.weight", [VOCAB, dl])])
    return out


def main():
    tensors = {}
    for k, (name, shape) in enumerate(sorted(shapes(CONFIG))):
        n = int(np.prod(shape))
        values = ((7 * np.arange(n) + 13 * k) % 101 - 50) / 500
        tensors[name] = values.astype(np.float32).reshape(shape)
    metadata = {
        "format": "pixelprobe-native-vlm", "format_version": "1",
        "config": json.dumps(CONFIG),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "native-nano.safetensors")
    save_file(tensors, path, metadata=metadata)


if __name__ == "__main__":
    main()
