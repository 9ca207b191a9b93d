#!/usr/bin/python3
"""Grow a word2vec vectors file to a larger vocabulary, for bench/vocab-sweep.

usage: vocab_vectors.py IN.bin OUT.bin SIZE [--words LIST] [--seed N]

The words of IN (a word2vec binary file, e.g. `veclm embed` of Brown) keep their vectors and come first, in order;
then the words of LIST (one per line; default Debian's wamerican-insane) that IN lacks, then `extra-0000001`, ...
until SIZE words. Every added word gets a seeded random unit vector (Gaussian, normalised): the training text never
has them, so they change nothing but the size of every table and search over the vocabulary. Writes OUT atomically
(OUT.tmp, renamed) with the same dimension.
"""
import os
import sys

import numpy as np


def read_word2vec(path):
    with open(path, "rb") as f:
        count, dim = (int(x) for x in f.readline().split())
        words, data = [], np.empty((count, dim), dtype=np.float32)
        for i in range(count):
            word = bytearray()
            while True:
                c = f.read(1)
                if c == b" " or not c:
                    break
                if c != b"\n":
                    word += c
            words.append(word.decode("utf-8"))
            data[i] = np.frombuffer(f.read(4 * dim), dtype=np.float32)
    return words, data


def main(argv):
    args = [a for a in argv]
    words_path, seed = "/usr/share/dict/american-english-insane", 1
    if "--words" in args:
        i = args.index("--words"); words_path = args[i + 1]; del args[i:i + 2]
    if "--seed" in args:
        i = args.index("--seed"); seed = int(args[i + 1]); del args[i:i + 2]
    if len(args) != 3:
        sys.exit(__doc__.strip().splitlines()[2])
    src, out, size = args[0], args[1], int(args[2])
    words, data = read_word2vec(src)
    if size < len(words):
        sys.exit(f"vocab_vectors: error: {src} already has {len(words):,} words (asked for {size:,})")
    have = set(words)
    extra = []
    if os.path.exists(words_path):
        with open(words_path, encoding="utf-8", errors="replace") as f:
            for line in f:
                w = line.strip()
                if w and not any(c.isspace() for c in w) and w not in have:
                    have.add(w)
                    extra.append(w)
                    if len(words) + len(extra) == size:
                        break
    n = 0
    while len(words) + len(extra) < size:
        n += 1
        w = f"extra-{n:07d}"
        if w not in have:
            extra.append(w)
    rng = np.random.default_rng(seed)
    added = rng.standard_normal((len(extra), data.shape[1]), dtype=np.float32)
    added /= np.linalg.norm(added, axis=1, keepdims=True)
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(f"{size} {data.shape[1]}\n".encode())
        for w, v in zip(words, data):
            f.write(w.encode("utf-8") + b" " + v.astype(np.float32).tobytes() + b"\n")
        for w, v in zip(extra, added):
            f.write(w.encode("utf-8") + b" " + v.tobytes() + b"\n")
    os.replace(tmp, out)
    print(f"vocab_vectors: {len(words):,} words of {src} + {len(extra) - n:,} from {words_path} + {n:,} extra-N, "
          f"random unit vectors (seed {seed}) -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
