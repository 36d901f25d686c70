"""Writes pickles/protocol<N>.p: one plain-data value pickled with protocols 0 to 5 by CPython.

The Swift test (PickleReaderTests) spells the same value out by hand and expects every file to
decode to it, so the reader is checked against every opcode CPython emits for plain data.
Run from the repository root: python3 Tests/ReferTests/Fixtures/make_pickles.py
"""
import os
import pickle

OUT = os.path.join(os.path.dirname(__file__), "pickles")
os.makedirs(OUT, exist_ok=True)

shared = [1, 2]
value = [
    None, True, False,
    0, 1, -1, 255, 256, 65535, 65536, -2**31, 2**31 - 1, 2**31, 2**63 - 1, -2**63,
    1.5, -0.25, 1e300,
    "", "ascii", "\u00fcn\u00efc\u00f6d\u00e9 \u2713 \U0001F600 \n \\ 'q' \"d\"",
    (), ("one",), (1, 2), (1, 2, 3), (1, 2, 3, 4),
    {"a": 1, "b": [1, 2], 3: "three", (1, 2): None},
    [[], {}],
    shared, shared,
]

for protocol in range(6):
    with open(os.path.join(OUT, f"protocol{protocol}.p"), "wb") as f:
        pickle.dump(value, f, protocol=protocol)
