"""Writes subsets.json: SentenceSampler's documented algorithm, reimplemented from its doc comment.

For the refer-mini refs, every split, seeds 0, 1 and 2025, and every sample size: the chosen
(ref_id, sent_id) pairs. Run from the repository root:
python3 Tests/ReferTests/Fixtures/make_subsets.py
"""
import json
import os
import pickle

OUT = os.path.join(os.path.dirname(__file__), "subsets.json")
MASK = 2**64 - 1


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & MASK
    return h


class SplitMix64:
    def __init__(self, state):
        self.state = state

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, bound):
        limit = MASK - MASK % bound
        while True:
            x = self.next()
            if x < limit:
                return x % bound


def sample(pairs, dataset, split, count, seed):
    candidates = sorted(pairs)
    rng = SplitMix64(seed ^ fnv1a64(f"{dataset}/{split}"))
    for i in range(count):
        j = i + rng.below(len(candidates) - i)
        candidates[i], candidates[j] = candidates[j], candidates[i]
    return sorted(candidates[:count])


refs = pickle.load(open("data/refer-mini/refcoco/refs(unc).p", "rb"))
cases = []
for split in sorted({r["split"] for r in refs}):
    pairs = [(r["ref_id"], s["sent_id"]) for r in refs if r["split"] == split for s in r["sentences"]]
    for seed in (0, 1, 2025):
        for count in range(len(pairs) + 1):
            chosen = sample(pairs, "refcoco", split, count, seed)
            cases.append({"split": split, "seed": seed, "count": count, "chosen": [list(p) for p in chosen]})

with open(OUT, "w") as f:
    json.dump(cases, f, separators=(",", ":"))
    f.write("\n")
