#!/usr/bin/env python3
"""PyTorch peer of `pixelprobe-bench train`: the native model's architecture (ViT encoder, 2x2
connector, byte-level causal LM, LoRA on the LM projections) trained on the same synthetic PVP
batches with the same shared-prefix layout (image prefix + common question head computed once per
image, each question's suffix attending to it), AdamW, clipping. CPU only; prints the same
figures. Benchmark only: PyTorch is never a dependency of the project.

    pip install torch   # CPU is enough
    python3 bench/torch_train.py --threads 1 2
"""
import argparse
import math
import random
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

TINY = dict(image=64, patch=4, vdim=128, vlayers=4, vheads=4, ldim=128, llayers=4, lheads=4, ratio=4, positions=384)
BOS, EOS, PAD, VOCAB = 256, 257, 258, 259
IMAGE_OPEN = list(b"[INST] <Img>")
IMAGE_CLOSE = list(b"</Img> ")
QUESTION_CLOSE = list(b" [/INST]")


class LoRALinear(nn.Linear):
    def __init__(self, fin, fout, rank=0, bias=True):
        super().__init__(fin, fout, bias=bias)
        self.rank = rank
        if rank:
            self.lora_a = nn.Parameter(torch.randn(rank, fin) / math.sqrt(fin))
            self.lora_b = nn.Parameter(torch.zeros(fout, rank))
            self.weight.requires_grad_(False)
            if bias:
                self.bias.requires_grad_(False)

    def forward(self, x):
        y = F.linear(x, self.weight, self.bias)
        if self.rank:
            y = y + (x @ self.lora_a.t()) @ self.lora_b.t()
        return y


def gelu(x):
    return F.gelu(x, approximate="tanh")


class Block(nn.Module):
    def __init__(self, dim, heads, ratio, rank=0):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(dim)
        self.qkv = LoRALinear(dim, 3 * dim, rank)
        self.proj = LoRALinear(dim, dim, rank)
        self.norm2 = nn.LayerNorm(dim)
        self.fc1 = LoRALinear(dim, ratio * dim, rank)
        self.fc2 = LoRALinear(ratio * dim, dim, rank)

    def split(self, x):
        *lead, rows, width = x.shape
        d = width // 3
        q, k, v = x.split(d, dim=-1)
        shape = (*lead, rows, self.heads, d // self.heads)
        return [t.reshape(shape).transpose(-2, -3) for t in (q, k, v)]

    def mlp(self, x):
        return self.fc2(gelu(self.fc1(self.norm2(x))))

    def forward_plain(self, x):
        # Bidirectional (vision) over [B, N, D].
        q, k, v = self.split(self.qkv(self.norm1(x)))
        o = F.scaled_dot_product_attention(q, k, v)
        x = x + self.proj(o.transpose(1, 2).reshape(x.shape))
        return x + self.mlp(x)

    def forward_tree(self, shared, suffix):
        # shared [B, P, D] causal; suffix [B, G, m, D]: each group sees the shared rows and its
        # own rows causally.
        b, p, d = shared.shape
        g, m = suffix.shape[1], suffix.shape[2]
        qs, ks, vs = self.split(self.qkv(self.norm1(shared)))  # [B, H, P, hd]
        qg, kg, vg = self.split(self.qkv(self.norm1(suffix)))  # [B, G, H, m, hd]
        os_ = F.scaled_dot_product_attention(qs, ks, vs, is_causal=True)
        scale = 1 / math.sqrt(qs.shape[-1])
        s_shared = torch.einsum("bghmd,bhpd->bghmp", qg, ks) * scale
        s_own = (qg @ kg.transpose(-1, -2)) * scale
        mask = torch.ones(m, m, dtype=torch.bool).tril()
        s_own = s_own.masked_fill(~mask, float("-inf"))
        probs = torch.cat([s_shared, s_own], dim=-1).softmax(-1)
        og = torch.einsum("bghmp,bhpd->bghmd", probs[..., :p], vs) + probs[..., p:] @ vg
        shared = shared + self.proj(os_.transpose(1, 2).reshape(b, p, d))
        suffix = suffix + self.proj(og.transpose(2, 3).reshape(b, g, m, d))
        return shared + self.mlp(shared), suffix + self.mlp(suffix)


class VLM(nn.Module):
    def __init__(self, c, rank, addressed=False):
        super().__init__()
        self.c = c
        grid = c["image"] // c["patch"]
        self.grid = grid
        self.addressed = addressed
        if addressed:
            # tiny-addressed: row/column embeddings on the visual tokens, and the question's
            # [row,col] embedded and added from its "]" on (Sources/Model/Native/README.md).
            side = grid // 2
            self.vrow = nn.Parameter(torch.randn(side, c["ldim"]) * 0.3)
            self.vcol = nn.Parameter(torch.randn(side, c["ldim"]) * 0.3)
            self.crow = nn.Parameter(torch.randn(64, c["ldim"]) * 0.3)
            self.ccol = nn.Parameter(torch.randn(64, c["ldim"]) * 0.3)
        self.patch_embed = nn.Linear(3 * c["patch"] ** 2, c["vdim"])
        self.vpos = nn.Parameter(torch.randn(grid * grid, c["vdim"]) * 0.02)
        self.vblocks = nn.ModuleList([Block(c["vdim"], c["vheads"], c["ratio"]) for _ in range(c["vlayers"])])
        self.vnorm = nn.LayerNorm(c["vdim"])
        self.connector = nn.Linear(4 * c["vdim"], c["ldim"])
        self.tok = nn.Embedding(VOCAB, c["ldim"])
        self.lpos = nn.Parameter(torch.randn(c["positions"], c["ldim"]) * 0.02)
        self.lblocks = nn.ModuleList([Block(c["ldim"], c["lheads"], c["ratio"], rank) for _ in range(c["llayers"])])
        self.lnorm = nn.LayerNorm(c["ldim"])
        self.head = nn.Linear(c["ldim"], VOCAB, bias=False)

    def vision(self, pixels):
        b, p, g = pixels.shape[0], self.c["patch"], self.grid
        patches = pixels.reshape(b, 3, g, p, g, p).permute(0, 2, 4, 1, 3, 5).reshape(b, g * g, 3 * p * p)
        x = self.patch_embed(patches) + self.vpos
        for block in self.vblocks:
            x = block.forward_plain(x)
        x = self.vnorm(x)
        h = g // 2
        x = x.reshape(b, h, 2, h, 2, -1).permute(0, 1, 3, 2, 4, 5).reshape(b, h * h, -1)
        x = self.connector(x)
        if self.addressed:
            x = x + (self.vrow[:, None, :] + self.vcol[None, :, :]).reshape(h * h, -1)
        return x

    def forward(self, pixels, shared_tokens, suffix_tokens, loss_index, targets, coords=None):
        b = pixels.shape[0]
        visual = self.vision(pixels)
        head = torch.tensor([BOS] + IMAGE_OPEN)
        tail = torch.tensor(IMAGE_CLOSE + shared_tokens)
        shared = torch.cat(
            [self.tok(head).expand(b, -1, -1), visual, self.tok(tail).expand(b, -1, -1)], dim=1)
        p = shared.shape[1]
        shared = shared + self.lpos[:p]
        m = suffix_tokens.shape[2]
        suffix = self.tok(suffix_tokens) + self.lpos[p : p + m]
        if self.addressed:
            rows, cols, after = coords
            suffix = suffix + after[..., None] * (self.crow[rows] + self.ccol[cols])[:, :, None, :]
        for block in self.lblocks:
            shared, suffix = block.forward_tree(shared, suffix)
        rows = suffix.reshape(-1, suffix.shape[-1])[loss_index]
        logits = self.head(self.lnorm(rows))
        return F.cross_entropy(logits, targets)


def make_batch(images, questions, c, rng):
    pixels = torch.tensor([[rng.uniform(-2, 2) for _ in range(3 * c["image"] ** 2)] for _ in range(images)])
    pixels = pixels.reshape(images, 3, c["image"], c["image"])
    shared = list(b"[reconstruct] loc: [")
    groups = []
    for _ in range(images):
        for _ in range(questions):
            r, col = rng.randrange(64), rng.randrange(64)
            q = list(f"[reconstruct] loc: [{r},{col}] rgb: ".encode()) + QUESTION_CLOSE
            a = list(f"[{rng.randrange(256)},{rng.randrange(256)},{rng.randrange(256)}]".encode()) + [EOS]
            groups.append((q[len(shared):], a, r, col))
    m = max(len(q) + len(a) - 1 for q, a, _, _ in groups)
    suffix = torch.full((images * questions, m), PAD)
    after = torch.zeros(images * questions, m)
    loss_index, targets = [], []
    for j, (q, a, _, _) in enumerate(groups):
        full = q + a
        suffix[j, : len(full) - 1] = torch.tensor(full[:-1])
        after[j, q.index(ord("]")) :] = 1
        for t in range(len(q) - 1, len(full) - 1):
            loss_index.append(j * m + t)
            targets.append(full[t + 1])
    shape = (images, questions)
    coords = (torch.tensor([g[2] for g in groups]).reshape(shape), torch.tensor([g[3] for g in groups]).reshape(shape),
              after.reshape(images, questions, m))
    return (pixels, shared, suffix.reshape(images, questions, m), torch.tensor(loss_index), torch.tensor(targets), coords)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=8)
    parser.add_argument("--questions", type=int, default=32)
    parser.add_argument("--lora-rank", type=int, default=32)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--architecture", choices=["tiny", "tiny-addressed"], default="tiny-addressed")
    args = parser.parse_args()
    rng = random.Random(1)
    c = TINY
    batches = [make_batch(args.images, args.questions, c, rng) for _ in range(4)]
    print(f"torch {torch.__version__}, {args.architecture}, batch: {args.images} images x {args.questions} PVP questions, LoRA rank {args.lora_rank}")
    print("setting              threads  steps/s  images/s  answer tokens/s  CPU s/step")
    for name, train_vision in [("encoder frozen", False), ("encoder adapted", True)]:
        for threads in args.threads:
            torch.set_num_threads(threads)
            torch.manual_seed(1)
            model = VLM(c, args.lora_rank, addressed=args.architecture == "tiny-addressed")
            for prm in list(model.patch_embed.parameters()) + [model.vpos] + list(model.vblocks.parameters()) + list(model.vnorm.parameters()):
                prm.requires_grad_(train_vision)
            params = [prm for prm in model.parameters() if prm.requires_grad]
            opt = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.95), weight_decay=0.01)

            def step(batch):
                opt.zero_grad(set_to_none=True)
                loss = model(*batch)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                opt.step()
                return len(batch[4])

            for i in range(2):
                step(batches[i % 4])
            cpu0, t0 = time.process_time(), time.perf_counter()
            tokens = sum(step(batches[i % 4]) for i in range(args.steps))
            wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            print(f"{name:<20} {threads:7d}  {args.steps / wall:7.2f}  {args.steps * args.images / wall:8.1f}  "
                  f"{tokens / wall:15.0f}  {cpu / args.steps:10.3f}")
    print(f"peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()
