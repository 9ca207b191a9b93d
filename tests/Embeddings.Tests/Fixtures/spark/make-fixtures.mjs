// Run by make-fixtures.sh (which installs the packages); argument: the fixtures folder (spark/).
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { parquetWriteBuffer } from 'hyparquet-writer'
import * as arrow from 'apache-arrow'
import * as wasm from 'parquet-wasm'
import { DuckDBInstance } from '@duckdb/node-api'

const out = process.argv[2]
const glove = path.join(out, '..', 'glove')
fs.mkdirSync(glove, { recursive: true })

// ---- the vectors: 40 words, most frequent first (strictly decreasing counts), 8 values each of k/10^6 as float32,
// so that GloVe's six decimals, word2vec text's round-trip digits and Parquet's floats all hold the same floats.
const words = ['</s>', 'the', 'a', 'on', 'in', 'cat', 'sat', 'mat', 'dog', 'ran', 'park', 'my', 'bird', 'sang', 'song',
  '<unk>', 'of', 'and', 'to', 'is', 'was', 'he', 'it', 'with', 'as', 'for', 'naïve', 'café', 'Zürich', '日本語',
  "don't", '1984', '3.14', 'über', 'straße', 'Ελλάδα', '🙂', 'x', '-', 'e']
if (words.length !== 40 || new Set(words).size !== 40) throw new Error('40 distinct words expected')
const dim = 8
let seed = 20261217
const random = () => { // mulberry32
  seed = (seed + 0x6D2B79F5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const micros = words.map(() => Array.from({ length: dim }, () => Math.floor(random() * 1999999) - 999999))
const vectors = micros.map(row => row.map(k => Math.fround(k / 1e6)))
const counts = words.map((_, r) => 5000 - 120 * r)
const shuffled = (n) => {
  const order = Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]]
  }
  return order
}

fs.writeFileSync(path.join(out, 'vectors.txt'),
  `${words.length} ${dim}\n` + words.map((w, i) => `${w} ${vectors[i].map(String).join(' ')}\n`).join(''))
fs.writeFileSync(path.join(out, 'vectors.vocab'), words.map((w, i) => `${w} ${counts[i]}\n`).join(''))
const gloveLine = i => `${words[i]} ${micros[i].map(k => (k / 1e6).toFixed(6)).join(' ')}\n`
fs.writeFileSync(path.join(glove, 'glove.40w.8d.txt'), words.map((_, i) => gloveLine(i)).join(''))
const numberFirst = [31, 32, 1, 2, 3] // 1984, 3.14, the, a, on
fs.writeFileSync(path.join(glove, 'number-first.txt'), numberFirst.map(gloveLine).join(''))

// ---- Spark's folder: metadata/part-00000 (one JSON line, saveAsTextFile), _SUCCESS, Hadoop's .crc files
const rowMetadata = JSON.stringify({ type: 'struct', fields: [
  { name: 'word', type: 'string', nullable: true, metadata: {} },
  { name: 'vector', type: { type: 'array', elementType: 'float', containsNull: false }, nullable: true, metadata: {} },
] })
const oldRowMetadata = JSON.stringify({ type: 'struct', fields: [
  { name: 'wordIndex', type: { type: 'map', keyType: 'string', valueType: 'integer', valueContainsNull: false }, nullable: true, metadata: {} },
  { name: 'wordVectors', type: { type: 'array', elementType: 'float', containsNull: false }, nullable: true, metadata: {} },
] })
const newMetadata = JSON.stringify({ class: 'org.apache.spark.ml.feature.Word2VecModel', timestamp: 1735689600000,
  sparkVersion: '3.5.1', uid: 'w2v_8f3b2c1d4e5a',
  paramMap: { inputCol: 'words', outputCol: 'vectors', vectorSize: dim, minCount: 1, seed: 42 },
  defaultParamMap: { maxSentenceLength: 1000, stepSize: 0.025, seed: -1961189076, numPartitions: 1, windowSize: 5,
    minCount: 5, maxIter: 1, vectorSize: 100, outputCol: 'w2v_8f3b2c1d4e5a__output' } })
const oldMetadata = JSON.stringify({ class: 'org.apache.spark.ml.feature.Word2VecModel', timestamp: 1496275200000,
  sparkVersion: '2.1.1', uid: 'w2v_1a2b3c4d5e6f',
  paramMap: { outputCol: 'vectors', windowSize: 5, maxSentenceLength: 1000, minCount: 1, vectorSize: dim, maxIter: 1,
    seed: 42, stepSize: 0.025, numPartitions: 1, inputCol: 'words' } })
const uuid = '3f1c2a4e-8b7d-4c6a-9e51-2d0b7f6a4c13'

/** A file and its Hadoop checksum file beside it: "crc\0", bytes per checksum (512), a CRC-32 per 512 bytes. */
function writeWithCrc(file, bytes) {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, bytes)
  const parts = [Buffer.from('crc\0', 'latin1'), Buffer.from([0, 0, 2, 0])]
  for (let at = 0; at < bytes.length; at += 512) {
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(zlib.crc32(bytes.subarray(at, at + 512)))
    parts.push(crc)
  }
  fs.writeFileSync(path.join(path.dirname(file), `.${path.basename(file)}.crc`), Buffer.concat(parts))
}

function sparkFolder(dir, metadataJson, dataFiles) {
  writeWithCrc(path.join(dir, 'metadata', 'part-00000'), Buffer.from(metadataJson + '\n'))
  writeWithCrc(path.join(dir, 'metadata', '_SUCCESS'), Buffer.alloc(0))
  for (const [name, bytes] of dataFiles) writeWithCrc(path.join(dir, 'data', name), Buffer.from(bytes))
  writeWithCrc(path.join(dir, 'data', '_SUCCESS'), Buffer.alloc(0))
}

// ---- Parquet, new layout. Spark's schema (ParquetWriteSupport, non-legacy): optional binary word (STRING);
// optional group vector (LIST) { repeated group list { required float element; } }
const kv = (row, version) => new Map([...(version ? [['org.apache.spark.version', version]] : []),
  ['org.apache.spark.sql.parquet.row.metadata', row]])

/** Parquet by Apache arrow-rs (parquet-wasm): data page v1 and dictionary encoding, as parquet-mr writes for Spark. */
function arrowRs(columns, metadata) {
  const props = new wasm.WriterPropertiesBuilder()
    .setCompression(wasm.Compression.SNAPPY)
    .setWriterVersion(wasm.WriterVersion.V1)
    .setKeyValueMetadata(metadata)
    .build()
  return wasm.writeParquet(wasm.Table.fromIPCStream(arrow.tableToIPC(new arrow.Table(columns), 'stream')), props)
}
const listOf = (type, nullable = false) => new arrow.List(new arrow.Field('element', type, nullable))
const newColumns = (rows, list = listOf(new arrow.Float32())) => ({
  word: arrow.vectorFromArray(rows.map(r => r[0]), new arrow.Utf8()),
  vector: arrow.vectorFromArray(rows.map(r => r[1]), list),
})
const arrowRsNew = (rows, list) => arrowRs(newColumns(rows, list), kv(rowMetadata, '3.5.1'))

/** The same schema by hyparquet-writer, which writes data page v2 only (Spark does when parquet.writer.version is v2). */
function hyparquetNew(rows) {
  const schema = [
    { name: 'spark_schema', num_children: 2 },
    { name: 'word', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
    { name: 'vector', repetition_type: 'OPTIONAL', converted_type: 'LIST', logical_type: { type: 'LIST' }, num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', type: 'FLOAT', repetition_type: 'REQUIRED' },
  ]
  return parquetWriteBuffer({ columnData: [{ name: 'word', data: rows.map(r => r[0]) }, { name: 'vector', data: rows.map(r => r[1]) }],
    schema, codec: 'SNAPPY', kvMetadata: [...kv(rowMetadata, '3.5.1')].map(([key, value]) => ({ key, value })),
    createdBy: 'hyparquet-writer 0.17.0' })
}

const order = shuffled(words.length)
const parts = [order.slice(0, 14), order.slice(14, 27), order.slice(27)].map(ids => ids.map(i => [words[i], vectors[i]]))
const partName = n => `part-0000${n}-${uuid}-c000.snappy.parquet`
sparkFolder(path.join(out, 'new-layout'), newMetadata, parts.map((rows, n) => [partName(n), arrowRsNew(rows)]))
sparkFolder(path.join(out, 'new-layout-pagev2'), newMetadata, parts.map((rows, n) => [partName(n), hyparquetNew(rows)]))
fs.writeFileSync(path.join(out, 'new-layout.vocab'), shuffled(words.length).map(i => `${words[i]} ${counts[i]}\n`).join(''))

// ---- Parquet, old layout (Spark 2.0/2.1): optional group wordIndex (MAP) { repeated group key_value { required binary
// key (UTF8); required int32 value; } }; optional group wordVectors (LIST) { repeated group list { required float element; } }
const entry = new arrow.Field('key_value', new arrow.Struct([new arrow.Field('key', new arrow.Utf8(), false),
  new arrow.Field('value', new arrow.Int32(), false)]), false)
const mapType = new arrow.Map_(entry, false)
mapType.children[0].name = 'key_value' // Arrow JS names a map's entries 'entries'; Spark's parquet-mr, 'key_value'
const index = new Map(shuffled(words.length).map(i => [words[i], i])) // a Scala Map's order: not the index's
const oldFile = arrowRs({
  wordIndex: arrow.vectorFromArray([index], mapType),
  wordVectors: arrow.vectorFromArray([vectors.flat()], listOf(new arrow.Float32())),
}, kv(oldRowMetadata))
sparkFolder(path.join(out, 'old-layout'), oldMetadata, [[`part-00000-${uuid}.snappy.parquet`, oldFile]])

// ---- damaged part files, one defect each (the tests put one beside good parts)
const bad = path.join(out, 'bad')
fs.mkdirSync(bad)
const three = [0, 1, 2].map(i => [words[i], vectors[i]])
const write = (name, bytes) => fs.writeFileSync(path.join(bad, name), Buffer.from(bytes))
write('null-word.parquet', arrowRsNew([three[0], [null, vectors[1]], three[2]]))
write('null-vector.parquet', arrowRsNew([three[0], [words[1], null], three[2]]))
write('null-element.parquet', arrowRsNew([three[0], [words[1], [0.5, null, ...vectors[1].slice(2)]], three[2]],
  listOf(new arrow.Float32(), true)))
write('short-vector.parquet', arrowRsNew([three[0], [words[1], vectors[1].slice(1)], three[2]]))
write('double-vector.parquet', arrowRsNew(three, listOf(new arrow.Float64())))

// ---- DuckDB reads every Parquet file back: schema, key-value metadata, compression and encodings, rows
const db = await (await DuckDBInstance.create(':memory:')).connect()
const query = async sql => (await db.runAndReadAll(sql)).getRowObjectsJS()
const files = []
const walk = dir => fs.readdirSync(dir).sort().forEach(name => {
  const full = path.join(dir, name)
  if (fs.statSync(full).isDirectory()) walk(full)
  else if (name.endsWith('.parquet') && !name.startsWith('.')) files.push(full)
})
walk(out)
const text = v => v === null ? 'null' : String(v)
const lines = ['# What DuckDB 1.5.6 (@duckdb/node-api) read from each Parquet file; written by make-fixtures.sh.',
  '# row: WORD<TAB>VALUES (file order); entry: KEY<TAB>VALUE; values: a whole list.']
for (const file of files) {
  const f = file.replaceAll("'", "''")
  lines.push(`== ${path.relative(out, file)}`)
  for (const s of await query(`SELECT name, type, repetition_type, converted_type, logical_type FROM parquet_schema('${f}')`))
    lines.push(`schema: ${[s.name, s.type, s.repetition_type, s.converted_type, s.logical_type].map(text).join(' ')}`)
  for (const m of await query(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${f}')`))
    lines.push(`kv: ${m.k} = ${m.k === 'ARROW:schema' ? '(base64 Arrow IPC schema)' : m.v}`)
  for (const c of await query(`SELECT DISTINCT path_in_schema, compression, encodings FROM parquet_metadata('${f}') ORDER BY path_in_schema`))
    lines.push(`column: ${c.path_in_schema} ${c.compression} ${c.encodings}`)
  const columns = (await query(`SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('${f}'))`)).map(c => c.column_name)
  const rows = await query(`SELECT * FROM read_parquet('${f}', file_row_number = true) ORDER BY file_row_number`)
  for (const r of rows) {
    if (columns.includes('word')) lines.push(`row: ${text(r.word)}\t${r.vector === null ? 'null' : r.vector.map(text).join(' ')}`)
    else {
      for (const { key, value } of r.wordIndex) lines.push(`entry: ${key}\t${value}`)
      lines.push(`values: ${r.wordVectors.map(text).join(' ')}`)
    }
  }
}
fs.writeFileSync(path.join(out, 'duckdb-read.txt'), lines.join('\n') + '\n')
