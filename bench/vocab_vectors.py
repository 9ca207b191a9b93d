#!/usr/bin/python3
"""Grow a word2vec vectors file to a larger vocabulary, for bench/vocab-sweep.

usage: vocab_vectors.py IN OUT.bin SIZE [--words LIST] [--seed N] [--subword MODEL.bin]

The words of IN (a word2vec binary file, e.g. `veclm embed` of Brown, or a text .vec) keep their vectors and come
first, in order; then the words of LIST (one per line; default Debian's wamerican-insane) that IN lacks, then
`extra-0000001`, ... until SIZE words. The training text never has the added words, so for training they change
nothing but the size of every table and search over the vocabulary. Their vectors:
  without --subword: seeded random unit vectors (Gaussian, normalised). Random points in 64 dimensions are the
    hardest data for a nearest-neighbour graph (hnswlib's recall@10 at ef 160 is 0.43 on them).
  with --subword MODEL.bin (a fastText .bin of the same space as IN, e.g. `veclm embed --subword`, whose .vec is
    IN): real-like. LIST's words get their subword vectors from fastText's own C++ tool (`fasttext
    print-word-vectors`, Debian's fasttext 0.9.2: "pseudoscientific" lands beside "scientific"), and extra-N are
    perturbed copies of those (a seeded random one, plus Gaussian noise of the same norm times 0.5, rescaled to its
    norm: cosine about 0.9 to it), as the many rare forms of a real large vocabulary cluster around common ones.
Writes OUT (word2vec binary) atomically (OUT.tmp, renamed) with the same dimension.
"""
import os
import shutil
import subprocess
import sys

import numpy as np


def read_word2vec(path):
    with open(path, "rb") as f:
        count, dim = (int(x) for x in f.readline().split())
        if path.endswith(".vec"):
            words, data = [], np.empty((count, dim), dtype=np.float32)
            for i in range(count):
                parts = f.readline().rstrip(b"\n").rstrip(b" ").split(b" ")
                words.append(parts[0].decode("utf-8"))
                data[i] = np.array(parts[1:], dtype=np.float32)
            return words, data
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
    words_path, seed, subword = "/usr/share/dict/american-english-insane", 1, None
    if "--subword" in args:
        i = args.index("--subword"); subword = args[i + 1]; del args[i:i + 2]
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
    if subword:
        listed = subword_vectors(subword, extra[:len(extra) - n], data.shape[1])
        pool = np.concatenate([data, listed]) if len(listed) else data
        source = pool[rng.integers(0, len(pool), n)]
        norms = np.linalg.norm(source, axis=1, keepdims=True)
        noise = rng.standard_normal(source.shape, dtype=np.float32)
        noise *= 0.5 * norms / np.linalg.norm(noise, axis=1, keepdims=True)
        perturbed = source + noise
        perturbed *= norms / np.linalg.norm(perturbed, axis=1, keepdims=True)
        added = np.concatenate([listed, perturbed.astype(np.float32)])
    else:
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
    how = (f"subword vectors of {subword} (fasttext print-word-vectors) and perturbed copies of them" if subword
           else "random unit vectors")
    print(f"vocab_vectors: {len(words):,} words of {src} + {len(extra) - n:,} from {words_path} + {n:,} extra-N, "
          f"{how} (seed {seed}) -> {out}", file=sys.stderr)


def subword_vectors(model, words, dim):
    """The vectors fastText's C++ tool gives `words` from `model` (a .bin), in order."""
    if not words:
        return np.empty((0, dim), dtype=np.float32)
    if shutil.which("fasttext") is None:
        sys.exit("vocab_vectors: error: fastText's tool is missing for --subword: run bench/setup-peers.sh "
                 "(Debian's fasttext 0.9.2)")
    run = subprocess.run(["fasttext", "print-word-vectors", model], input="\n".join(words).encode("utf-8") + b"\n",
                         stdout=subprocess.PIPE, check=True)
    lines = run.stdout.split(b"\n")
    out = np.empty((len(words), dim), dtype=np.float32)
    for i in range(len(words)):
        out[i] = np.array(lines[i].rstrip(b" ").split(b" ")[-dim:], dtype=np.float32)
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
