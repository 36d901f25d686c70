"""Second, independent implementation of PixelProbe's question sampler (Sources/Model/QuestionSampler.swift).

Prints (index, slot, row, col) for a few questions; Tests/ModelTests/QuestionSamplerTests.swift
checks the Swift sampler against these numbers.  Usage: python3 bench/sampler_reference.py SEED SLOTS GRID
"""
import sys

M = (1 << 64) - 1


def mix(v):
    z = (v + 0x9E3779B97F4A7C15) & M
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)


def question(seed, slots, grid, i):
    base = mix((seed + mix((i + 0x5851F42D4C957F2D) & M)) & M)
    slot = (mix((base + 1) & M) * slots) >> 64
    cell = (mix((base + 2) & M) * grid * grid) >> 64
    return slot, cell // grid, cell % grid


if __name__ == "__main__":
    seed, slots, grid = (int(a) for a in sys.argv[1:4])
    for i in (0, 1, 2, 3, 1000, 3_599_999, 2**40 + 7):
        print(i, *question(seed, slots, grid, i))
