#!/usr/bin/python3
"""Helpers for bench/embed, run with Debian's /usr/bin/python3 (numpy, gensim).

  embed_quality.py gensim TRAIN OUT.bin --threads N [--dim --window --negative
                   --sample --min-count --epochs --seed]
      Trains gensim skip-gram over LineSentence(TRAIN) and saves word2vec binary.

  embed_quality.py gensim-fasttext TRAIN OUT.bin --threads N [--dim --window
                   --negative --min-count --epochs --minn --maxn --buckets --seed]
      Trains gensim's FastText (skip-gram) and saves it as a fastText .bin
      (gensim.models.fasttext.save_facebook_model) and its word vectors as .vec.

  embed_quality.py score TRAIN VALID VECTORS [--seed S] [--window 2]
      Held-out quality of one vector set (word2vec binary, or text when the
      name ends in .vec or .txt); prints one JSON line.

  embed_quality.py facebook BIN WORDS
      Loads a fastText .bin with gensim's load_facebook_vectors and prints, per
      line of WORDS, the word and its vector (in vocabulary or from subwords).

The score: take every ordered pair (a, b) of words at most --window positions
apart within one line of VALID (both in the vector set's vocabulary, `</s>`
skipped). For each pair draw a word r from the vector set's vocabulary with
probability proportional to its unigram count in TRAIN (fixed seed). The score
is the fraction of pairs with cos(a, b) > cos(a, r). Random vectors score ~0.5.
"""
import argparse
import collections
import json
import sys

import numpy as np


def load_word2vec_bin(path):
    """Reads Google's word2vec binary format: 'V D\\n' then, per word,
    'word ' + D little-endian float32 (+ an optional '\\n')."""
    with open(path, "rb") as f:
        data = f.read()
    nl = data.index(b"\n")
    vocab_size, dim = map(int, data[:nl].split())
    pos = nl + 1
    words = []
    vecs = np.empty((vocab_size, dim), dtype=np.float32)
    nbytes = 4 * dim
    for i in range(vocab_size):
        while data[pos:pos + 1] in (b"\n", b" "):   # separator after the previous vector
            pos += 1
        sp = data.index(b" ", pos)
        words.append(data[pos:sp].decode("utf-8", errors="replace"))
        pos = sp + 1
        vecs[i] = np.frombuffer(data, dtype="<f4", count=dim, offset=pos)
        pos += nbytes
    return words, vecs


def load_word2vec_text(path):
    """word2vec text: 'V D' then 'word v1 ... vD' per line (fastText's .vec)."""
    with open(path, encoding="utf-8") as f:
        vocab_size, dim = map(int, f.readline().split())
        words = []
        vecs = np.empty((vocab_size, dim), dtype=np.float32)
        for i in range(vocab_size):
            parts = f.readline().rstrip("\n").rstrip(" ").split(" ")
            words.append(parts[0])
            vecs[i] = np.asarray(parts[1:1 + dim], dtype=np.float32)
    return words, vecs


def load_vectors(path):
    return load_word2vec_text(path) if path.endswith((".vec", ".txt")) else load_word2vec_bin(path)


def cmd_gensim_fasttext(args):
    import logging
    from gensim.models import FastText
    from gensim.models.fasttext import save_facebook_model
    from gensim.models.word2vec import LineSentence

    logging.basicConfig(level=logging.WARNING)
    model = FastText(
        LineSentence(args.train), sg=1, hs=0, vector_size=args.dim, window=args.window,
        negative=args.negative, min_count=args.min_count, epochs=args.epochs, workers=args.threads,
        seed=args.seed, min_n=args.minn, max_n=args.maxn, bucket=args.buckets)
    save_facebook_model(model, args.out)
    model.wv.save_word2vec_format(args.out[:-4] + ".vec" if args.out.endswith(".bin") else args.out + ".vec")


def cmd_facebook(args):
    from gensim.models.fasttext import load_facebook_vectors

    wv = load_facebook_vectors(args.bin)
    with open(args.words, encoding="utf-8") as f:
        for line in f:
            w = line.strip()
            if w:
                print(w, " ".join("%.9g" % x for x in wv[w]))


def cmd_gensim(args):
    import logging
    from gensim.models import Word2Vec
    from gensim.models.word2vec import LineSentence

    logging.basicConfig(level=logging.WARNING)
    model = Word2Vec(
        LineSentence(args.train), sg=1, hs=0, vector_size=args.dim, window=args.window,
        negative=args.negative, sample=args.sample, min_count=args.min_count,
        epochs=args.epochs, workers=args.threads, seed=args.seed)
    model.wv.save_word2vec_format(args.out, binary=True)


def cmd_score(args):
    counts = collections.Counter()
    with open(args.train, encoding="utf-8") as f:
        for line in f:
            counts.update(line.split())

    words, vecs = load_vectors(args.vectors)
    index = {w: i for i, w in enumerate(words) if w != "</s>"}
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    unit = vecs / np.maximum(norms, 1e-12)

    a_idx, b_idx = [], []
    with open(args.valid, encoding="utf-8") as f:
        for line in f:
            ids = [index.get(w, -1) for w in line.split()]
            for i, a in enumerate(ids):
                if a < 0:
                    continue
                for j in range(i + 1, min(i + 1 + args.window, len(ids))):
                    if ids[j] >= 0:
                        a_idx.append(a)
                        b_idx.append(ids[j])
    a_idx = np.asarray(a_idx, dtype=np.int64)
    b_idx = np.asarray(b_idx, dtype=np.int64)

    # Unigram distribution (train counts) over this vector set's vocabulary.
    vocab_ids = np.fromiter(index.values(), dtype=np.int64)
    weights = np.array([counts.get(words[i], 0) for i in vocab_ids], dtype=np.float64)
    if weights.sum() == 0:
        sys.exit(f"embed_quality: no word of {args.vectors} occurs in {args.train}")
    rng = np.random.default_rng(args.seed)
    r_idx = vocab_ids[rng.choice(len(vocab_ids), size=len(a_idx), p=weights / weights.sum())]

    cos_ab = np.einsum("ij,ij->i", unit[a_idx], unit[b_idx])
    cos_ar = np.einsum("ij,ij->i", unit[a_idx], unit[r_idx])
    score = float(np.mean(cos_ab > cos_ar)) if len(a_idx) else float("nan")
    print(json.dumps({
        "vectors": args.vectors, "vocab": len(index), "dim": int(vecs.shape[1]),
        "pairs": int(len(a_idx)), "score": score,
        "mean_cos_pair": float(cos_ab.mean()), "mean_cos_random": float(cos_ar.mean()),
    }))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    g = sub.add_parser("gensim", help="train gensim skip-gram, save word2vec binary")
    g.add_argument("train")
    g.add_argument("out")
    g.add_argument("--threads", type=int, default=1)
    g.add_argument("--dim", type=int, default=64)
    g.add_argument("--window", type=int, default=5)
    g.add_argument("--negative", type=int, default=5)
    g.add_argument("--sample", type=float, default=1e-3)
    g.add_argument("--min-count", type=int, default=3)
    g.add_argument("--epochs", type=int, default=5)
    g.add_argument("--seed", type=int, default=1)
    g.set_defaults(func=cmd_gensim)

    ft = sub.add_parser("gensim-fasttext", help="train gensim FastText, save a fastText .bin and .vec")
    ft.add_argument("train")
    ft.add_argument("out")
    ft.add_argument("--threads", type=int, default=1)
    ft.add_argument("--dim", type=int, default=64)
    ft.add_argument("--window", type=int, default=5)
    ft.add_argument("--negative", type=int, default=5)
    ft.add_argument("--min-count", type=int, default=3)
    ft.add_argument("--epochs", type=int, default=5)
    ft.add_argument("--minn", type=int, default=3)
    ft.add_argument("--maxn", type=int, default=6)
    ft.add_argument("--buckets", type=int, default=2000000)
    ft.add_argument("--seed", type=int, default=1)
    ft.set_defaults(func=cmd_gensim_fasttext)

    fb = sub.add_parser("facebook", help="word vectors from a fastText .bin through gensim's loader")
    fb.add_argument("bin")
    fb.add_argument("words")
    fb.set_defaults(func=cmd_facebook)

    s = sub.add_parser("score", help="held-out pair-vs-random cosine score of a vector set")
    s.add_argument("train")
    s.add_argument("valid")
    s.add_argument("vectors")
    s.add_argument("--seed", type=int, default=12345)
    s.add_argument("--window", type=int, default=2, help="max distance of a pair (default 2)")
    s.set_defaults(func=cmd_score)

    args = p.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
