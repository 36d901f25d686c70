#!/usr/bin/env python3
"""Design probe for issue 12 (not a benchmark, not a dependency): the native model's shape in
PyTorch, trained on synthetic block images where only position predicts the answer, to find which
levers get the byte-level LM past the mean-colour plateau. Same prompt bytes, same shared-prefix
layout as bench/torch_train.py. Prints answer-token loss and a teacher-forced RE proxy.

    python3 bench/pvp_probe.py --steps 600 --vis2d 0.3 --coord 0.3
"""
import argparse
import math
import random
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

import torch_train as tt

BOS, EOS, PAD, VOCAB = tt.BOS, tt.EOS, tt.PAD, tt.VOCAB
SHARED = list(b"[reconstruct] loc: [")


class Probe(tt.VLM):
    def __init__(self, c, args):
        super().__init__(c, 0)
        self.args = args
        tokens_side = c["image"] // c["patch"] // 2
        self.tokens_side = tokens_side
        if args.pos_std != 0.02:
            with torch.no_grad():
                self.lpos.normal_(0, args.pos_std)
        if args.vis2d:
            self.vrow = nn.Parameter(torch.randn(tokens_side, c["ldim"]) * args.vis2d)
            self.vcol = nn.Parameter(torch.randn(tokens_side, c["ldim"]) * args.vis2d)
        if args.coord:
            self.crow = nn.Parameter(torch.randn(64, c["ldim"]) * args.coord)
            self.ccol = nn.Parameter(torch.randn(64, c["ldim"]) * args.coord)
        if args.digits:
            # (number ordinal, place from the end, digit)
            self.dig = nn.Parameter(torch.randn(2, 2, 10, c["ldim"]) * args.digits)

    def run(self, pixels, suffix, coords, extra, loss_index, targets):
        b = pixels.shape[0]
        visual = self.vision(pixels)
        if self.args.vis2d:
            s = self.tokens_side
            visual = visual + (self.vrow[:, None, :] + self.vcol[None, :, :]).reshape(s * s, -1)
        head = torch.tensor([BOS] + tt.IMAGE_OPEN)
        tail = torch.tensor(tt.IMAGE_CLOSE + SHARED)
        shared = torch.cat([self.tok(head).expand(b, -1, -1), visual, self.tok(tail).expand(b, -1, -1)], dim=1)
        p = shared.shape[1]
        shared = shared + self.lpos[:p]
        m = suffix.shape[2]
        x = self.tok(suffix) + self.lpos[p : p + m]
        if self.args.coord:
            # coords [B, G, 2]; extra["after"] [B, G, m] 1 where both numbers are complete
            e = self.crow[coords[..., 0]] + self.ccol[coords[..., 1]]
            x = x + extra["after"][..., None] * e[:, :, None, :]
        if self.args.digits:
            d = self.dig[extra["ord"], extra["place"], extra["digit"]] * extra["isdig"][..., None]
            x = x + d
        for block in self.lblocks:
            shared, x = block.forward_tree(shared, x)
        rows = x.reshape(-1, x.shape[-1])[loss_index]
        logits = self.head(self.lnorm(rows))
        return logits


def block_image(rng, blocks, size=64):
    cell = size // blocks
    colours = [[tuple(rng.randrange(256) for _ in range(3)) for _ in range(blocks)] for _ in range(blocks)]
    img = torch.zeros(3, size, size)
    for i in range(blocks):
        for j in range(blocks):
            for ch in range(3):
                img[ch, i * cell : (i + 1) * cell, j * cell : (j + 1) * cell] = colours[i][j][ch]
    return img, lambda r, c: colours[r // cell][c // cell]


MEAN = torch.tensor([0.48145466, 0.4578275, 0.40821073])[:, None, None]
STD = torch.tensor([0.26862954, 0.26130258, 0.27577711])[:, None, None]


def make_batch(rng, images, questions, blocks_choices):
    pix, groups = [], []
    for _ in range(images):
        img, colour = block_image(rng, rng.choice(blocks_choices))
        pix.append((img / 255 - MEAN) / STD)
        for _ in range(questions):
            r, c = rng.randrange(64), rng.randrange(64)
            q = list(f"[reconstruct] loc: [{r},{c}] rgb: ".encode()) + tt.QUESTION_CLOSE
            col = colour(r, c)
            a = list(f"[{col[0]},{col[1]},{col[2]}]".encode()) + [EOS]
            groups.append((q[len(SHARED) :], a, (r, c), col))
    m = max(len(q) + len(a) - 1 for q, a, _, _ in groups)
    n = images * questions
    suffix = torch.full((n, m), PAD)
    after = torch.zeros(n, m)
    ordn = torch.zeros(n, m, dtype=torch.long)
    place = torch.zeros(n, m, dtype=torch.long)
    digit = torch.zeros(n, m, dtype=torch.long)
    isdig = torch.zeros(n, m)
    loss_index, targets = [], []
    for j, (q, a, (r, c), _) in enumerate(groups):
        full = q + a
        suffix[j, : len(full) - 1] = torch.tensor(full[:-1])
        close = q.index(ord("]"))
        after[j, close:] = 1
        rs, cs = str(r), str(c)
        for k, s, start in ((0, rs, 0), (1, cs, len(rs) + 1)):
            for t, ch in enumerate(s):
                ordn[j, start + t] = k
                place[j, start + t] = len(s) - 1 - t
                digit[j, start + t] = int(ch)
                isdig[j, start + t] = 1
        for t in range(len(q) - 1, len(full) - 1):
            loss_index.append(j * m + t)
            targets.append(full[t + 1])
    shape = lambda t: t.reshape(images, questions, *t.shape[1:])
    coords = torch.tensor([g[2] for g in groups]).reshape(images, questions, 2)
    extra = dict(after=shape(after), ord=shape(ordn), place=shape(place), digit=shape(digit), isdig=shape(isdig))
    return (torch.stack(pix), shape(suffix), coords, extra, torch.tensor(loss_index), torch.tensor(targets)), groups


def re_proxy(logits, targets, groups):
    """Teacher-forced argmax bytes parsed back to colours: mean |pred - true| / 255 * 100."""
    pred = logits.argmax(-1).tolist()
    i, errs = 0, []
    for q, a, _, col in groups:
        n = len(a)
        text = bytes(t for t in pred[i : i + n] if t < 256).decode(errors="replace")
        i += n
        try:
            vals = [int(v) for v in text.strip("[]").split("]")[0].split(",")[:3]]
            assert len(vals) == 3
        except Exception:
            vals = [255 - v if v < 128 else 0 for v in col]
        errs.append(sum(abs(max(0, min(255, v)) - t) for v, t in zip(vals, col)) / 3 / 255 * 100)
    return sum(errs) / len(errs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--images", type=int, default=4)
    ap.add_argument("--questions", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--pos-std", type=float, default=0.02)
    ap.add_argument("--vis2d", type=float, default=0)
    ap.add_argument("--coord", type=float, default=0)
    ap.add_argument("--digits", type=float, default=0)
    ap.add_argument("--blocks", default="8")
    ap.add_argument("--vlayers", type=int, default=4)
    ap.add_argument("--llayers", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--every", type=int, default=50)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    c = dict(tt.TINY, vlayers=args.vlayers, llayers=args.llayers)
    model = Probe(c, args)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=0.01)
    blocks = [int(b) for b in args.blocks.split(",")]
    t0 = time.time()
    acc_loss, acc_re, n = 0.0, 0.0, 0
    for step in range(1, args.steps + 1):
        warm = min(1, step / args.warmup)
        cos = 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / args.steps))
        for g in opt.param_groups:
            g["lr"] = args.lr * warm * cos
        batch, groups = make_batch(rng, args.images, args.questions, blocks)
        logits = model.run(*batch)
        loss = F.cross_entropy(logits, batch[-1])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        acc_loss += loss.item()
        acc_re += re_proxy(logits.detach(), batch[-1], groups)
        n += 1
        if step % args.every == 0:
            print(f"step {step:5d}  loss {acc_loss / n:.3f}  RE~ {acc_re / n:5.1f}  {time.time() - t0:6.0f} s", flush=True)
            acc_loss, acc_re, n = 0.0, 0.0, 0


if __name__ == "__main__":
    main()
