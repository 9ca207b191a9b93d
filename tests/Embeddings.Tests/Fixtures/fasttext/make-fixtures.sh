#!/usr/bin/env bash
# Makes the fastText fixtures with the real tools: Debian's fasttext 0.9.2 (/usr/bin/fasttext), gcc, and gensim 4.2
# (Debian's python3-gensim, run with /usr/bin/python3). Writes into this folder; the outputs are committed, so the
# tests never need the tools. Every run makes the same files (fixed corpus, -thread 1, -seed).
#
#   hashes.txt            fnv1a.c's fastText hash of strings, ASCII and not ("hash<TAB>string"), checked against gensim's
#   small.bin             skipgram, dim 8, minn 2, maxn 4, bucket 1000, 3 epochs, minCount 2
#   small-vectors.txt     fasttext print-word-vectors small.bin, for words in and out of the dictionary
#   small-ngrams.txt      fasttext print-ngrams small.bin WORD for a few words ("== WORD" before each)
#   small-dict.txt        fasttext dump small.bin dict (words in the dictionary's order, counts, types)
#   small-nn.txt          fasttext nn small.bin 5 for words in and out of the dictionary ("Query word? " prompts)
#   small-ntokens.txt     the corpus's tokens as fastText counts them (white-space tokens + one </s> per line)
#   small-gensim.txt      gensim's load_facebook_model(small.bin).wv[word] for the same words (repr floats)
#   cbow5.bin (+ -vectors, -ngrams)  cbow, minn = maxn = 5 (as Facebook's cc.*.300.bin), bucket 1000
#   hs.bin (+ -vectors)   skipgram with hierarchical softmax (-loss hs), dim 4, bucket 200
#   words-only.bin (+ -vectors)  skipgram -maxn 0 -wordNgrams 2: no n-grams, yet 100 bucket rows in the matrix
#   supervised.bin, supervised.ftz  a tiny classifier and its quantised copy (to be rejected)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
FT=/usr/bin/fasttext
PY=/usr/bin/python3
[ -x "$FT" ] || { echo "make-fixtures: needs Debian's fasttext (apt-get install fasttext)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- the corpus: 400 lines, common English words by a Zipf-like law, non-ASCII and apostrophe words, 2 words seen once
"$PY" - "$work/corpus.txt" <<'PY'
import random, sys
rng = random.Random(20261203)
common = ("the of and to a in is was he for it with as his on be at by had not are but from or have an they which one you "
          "were her all she there would their we him been has when who will more no if out so said what up its about into "
          "than them can only other new some could time these two may then do first any my now such like our over man me "
          "even most made after also did many before must through back years where much your way well down should because "
          "each just those people how too little state good very make world still own see men work long get here").split()
special = ["café", "naïve", "Zürich", "日本語", "don't", "l'été", "Ελλάδα", "über", "🙂", "straße", "façade", "résumé"]
weights = [1.0 / (r + 1) for r in range(len(common))]
lines = []
for i in range(400):
    words = rng.choices(common, weights, k=rng.randint(5, 12))
    if rng.random() < 0.4:
        words.insert(rng.randrange(len(words) + 1), rng.choice(special))
    lines.append(" ".join(words))
lines[17] += " zebra"       # seen once: under minCount 2, out of the dictionary, yet counted in ntokens
lines[230] += " quixotic"
with open(sys.argv[1], "w", encoding="utf-8") as out:
    out.write("\n".join(lines) + "\n")
PY
awk '{ n += NF } END { print n + NR }' "$work/corpus.txt" > small-ntokens.txt

# Words asked for: in the dictionary (</s> too: fastText gives it no n-grams) and out of it (zebra is under minCount).
IN_VOCAB="the of and café naïve Zürich 日本語 don't l'été Ελλάδα 🙂 straße </s>"
OOV="xyzzy cafés Zürichsee 日本 naïvety 🙂🙂 q zebra Ωmega façades x"
printf '%s\n' $IN_VOCAB $OOV > "$work/words.txt"
NGRAM_WORDS="café Zürich 日本語 don't 🙂 xyzzy naïvety </s>"

ngrams() { # model, words → print-ngrams blocks
  local model=$1; shift
  for w in "$@"; do echo "== $w"; "$FT" print-ngrams "$model" "$w"; done
}

# ---- skipgram, minn 2, maxn 4
"$FT" skipgram -input "$work/corpus.txt" -output "$work/small" -dim 8 -minCount 2 -minn 2 -maxn 4 -bucket 1000 \
  -epoch 3 -thread 1 -seed 1 -verbose 0
cp "$work/small.bin" small.bin
"$FT" print-word-vectors small.bin < "$work/words.txt" > small-vectors.txt
ngrams small.bin $NGRAM_WORDS > small-ngrams.txt
"$FT" dump small.bin dict > small-dict.txt
printf '%s\n' café cafés 日本 xyzzy the | "$FT" nn small.bin 5 > small-nn.txt

# ---- cbow, minn = maxn = 5
"$FT" cbow -input "$work/corpus.txt" -output "$work/cbow5" -dim 8 -minCount 2 -minn 5 -maxn 5 -bucket 1000 \
  -epoch 3 -thread 1 -seed 1 -verbose 0
cp "$work/cbow5.bin" cbow5.bin
"$FT" print-word-vectors cbow5.bin < "$work/words.txt" > cbow5-vectors.txt
ngrams cbow5.bin $NGRAM_WORDS > cbow5-ngrams.txt

# ---- hierarchical softmax; no n-grams with 100 buckets kept (wordNgrams 2)
"$FT" skipgram -input "$work/corpus.txt" -output "$work/hs" -dim 4 -minCount 2 -minn 3 -maxn 6 -bucket 200 \
  -loss hs -epoch 2 -thread 1 -seed 1 -verbose 0
cp "$work/hs.bin" hs.bin
"$FT" print-word-vectors hs.bin < "$work/words.txt" > hs-vectors.txt
"$FT" skipgram -input "$work/corpus.txt" -output "$work/words-only" -dim 4 -minCount 2 -maxn 0 -wordNgrams 2 \
  -bucket 100 -epoch 2 -thread 1 -seed 1 -verbose 0
cp "$work/words-only.bin" words-only.bin
"$FT" print-word-vectors words-only.bin < "$work/words.txt" > words-only-vectors.txt

# ---- a classifier (300 words: quantize needs 256 rows at least) and its .ftz
"$PY" - "$work/labelled.txt" <<'PY'
import random, sys
rng = random.Random(7)
with open(sys.argv[1], "w") as out:
    for i in range(300):
        out.write(f"__label__{'abc'[i % 3]} w{i} " + " ".join(f"w{rng.randrange(300)}" for _ in range(6)) + "\n")
PY
"$FT" supervised -input "$work/labelled.txt" -output "$work/supervised" -dim 4 -epoch 1 -thread 1 -seed 1 -verbose 0
"$FT" quantize -input "$work/labelled.txt" -output "$work/supervised" -dsub 2 -thread 1 -verbose 0
cp "$work/supervised.bin" "$work/supervised.ftz" .

# ---- the hash, by a C program written from its description, checked against gensim's
gcc -O1 -o "$work/fnv1a" fnv1a.c
printf '%s\n' "" a "<a>" the "<th" "the>" café "<caf" "afé>" é naïve ï Zürich "<Zü" 日本語 "<日本" 日 "don't" \
  "l'été" Ελλάδα 🙂 "<🙂>" straße "</s>" | "$work/fnv1a" > hashes.txt

# ---- gensim reads small.bin: the same vectors? the same hashes? and what does its writer make of it?
"$PY" - "$work" <<'PY'
import sys, numpy as np
from gensim.models.fasttext import load_facebook_model, save_facebook_model
from gensim.models.fasttext_inner import ft_hash_bytes
work = sys.argv[1]
for line in open("hashes.txt", encoding="utf-8"):
    h, s = line.rstrip("\n").split("\t", 1)
    assert ft_hash_bytes(s.encode("utf-8")) == int(h), f"gensim hashes {s!r} to {ft_hash_bytes(s.encode())}, fnv1a.c to {h}"
model = load_facebook_model("small.bin")
printed = {}
for line in open("small-vectors.txt", encoding="utf-8"):
    parts = line.split()
    printed[parts[0]] = np.array([float(v) for v in parts[1:]])
words = [w.rstrip("\n") for w in open(f"{work}/words.txt", encoding="utf-8")]
with open("small-gensim.txt", "w", encoding="utf-8") as out:
    for w in words:
        v = model.wv[w]
        out.write(w + " " + " ".join(repr(float(x)) for x in v) + "\n")
        diff = float(np.max(np.abs(v - printed[w])))
        print(f"make-fixtures: gensim vs fasttext '{w}': max difference {diff:.2g}" + ("" if diff < 1e-4 else "  <- differs"))
save_facebook_model(model, f"{work}/gensim-small.bin")
same = open(f"{work}/gensim-small.bin", "rb").read() == open("small.bin", "rb").read()
print("make-fixtures: gensim's save_facebook_model of small.bin is " + ("byte-identical" if same else "NOT byte-identical") + " to it")
PY
ls -l ./*.bin ./*.ftz ./*.txt
