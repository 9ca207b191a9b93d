#!/usr/bin/env bash
# Makes the Spark and GloVe fixtures (this folder and ../glove) with Parquet writers that are not the reader under
# test (Parquet.Net), then reads every Parquet file back with DuckDB, a third implementation, and records what it saw.
# Spark itself cannot be installed here, so the files follow the layout org.apache.spark.ml.feature.Word2VecModel
# writes (ml/util/ReadWrite.scala, ml/feature/Word2Vec.scala; schemas as Spark's ParquetWriteSupport declares them).
# Needs node and npm (the npm registry); installs pinned packages into a temporary folder. Every run makes the same
# files: seeded values, a fixed uuid and timestamp.
#
#   vectors.txt, vectors.vocab  the 40 words × 8 dims in word2vec text, most frequent first, and their counts
#   new-layout/                 Spark >= 2.2: metadata/part-00000 (+ _SUCCESS, .crc files) and data/ with three
#                               part-0000N-<uuid>-c000.snappy.parquet files of (word string, vector array<float>) rows
#                               in shuffled order
#   new-layout.vocab            the counts for new-layout/, lines in shuffled order
#   old-layout/                 Spark 2.0/2.1: one row of wordIndex map<string,int> (entries shuffled) and
#                               wordVectors array<float> (word i at i*8)
#   bad/*.parquet               single part files with one defect each (a null word, a null vector, a null in a
#                               vector, a vector of 7 values, vectors as array<double>)
#     All of these by parquet-wasm 0.8.0 (Apache arrow-rs): snappy, data page v1 and dictionary encoding, as Spark's
#     parquet-mr writes them; arrow-rs names the root arrow_schema (Spark: spark_schema), adds an ARROW:schema key and,
#     for the map, the MAP logical type beside the converted one (parquet-mr 1.8 of Spark 2.1: the converted one only).
#   new-layout-pagev2/          the same rows split the same way by hyparquet-writer 0.17.0, which writes data page v2
#                               only (Spark does with parquet.writer.version=v2): Parquet.Net 6.1 cannot read a
#                               repeated column in v2 pages, so this one is for the error message
#   duckdb-read.txt             what DuckDB 1.5.6 reads from every Parquet file: schema, key-value metadata, rows
#   ../glove/glove.40w.8d.txt   the same vectors in GloVe's text format (no header, values as GloVe's "%lf")
#   ../glove/number-first.txt   a GloVe file whose first word is a number
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v node >/dev/null && command -v npm >/dev/null || { echo "make-fixtures: needs node and npm" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund hyparquet-writer@0.17.0 parquet-wasm@0.8.0 apache-arrow@21.2.0 \
  @duckdb/node-api@1.5.6-r.1 >/dev/null
cp "$here/make-fixtures.mjs" "$work/"
rm -rf "$here/new-layout" "$here/new-layout-pagev2" "$here/old-layout" "$here/bad"
node "$work/make-fixtures.mjs" "$here"
