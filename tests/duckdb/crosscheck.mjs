#!/usr/bin/env node
// Cross-checks `lakesync parquet cat` against DuckDB, value by value: for every *.parquet file
// under a directory (default: $LAKESYNC_SHARED_DIR/delta-tables), both render the rows as
// canonical JSON (README.md), and this script parses both outputs and compares them row by row,
// column by column, nulls and nesting included. Integers compare exactly (as BigInt), floats
// by value (-0 and 0 differ), everything else as text.
//
//   node tests/duckdb/crosscheck.mjs --lakesync BIN [--dir DIR] [--file F]... [--verbose]
//
// Exit status 0 when every file agrees or differs only as ALLOWED below; the report names the
// first differing file/row/column for everything else. Prints "skipped" (and exits 0) when
// the directory is absent.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
let openDuckDB;
let dumpParquet;
try {
  ({ openDuckDB, dumpParquet } = await import(path.join(here, '../../tools/duckdb/parquet_to_json.mjs')));
} catch (err) {
  if (err.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  console.log(`skipped: @duckdb/node-api is not installed (run scripts/setup.sh): ${err.message}`);
  process.exit(0);
}

// ---- Where DuckDB legitimately differs. Each entry needs a reason that says why this is not
// a lakesync bug; never add an entry to make a lakesync bug go away.
//   file:   RegExp over the path relative to --dir
//   kind:   'duckdb-error'  DuckDB cannot read the file (lakesync must still read it)
//           'value'         values at column paths matching `column` may differ
//   column: RegExp over the value path ("col", "col.field", "col[]", "col.key"), for 'value'
//   check:  (ours, duckdb) => bool, for 'value': when given, only differences it accepts pass
//   message: RegExp over DuckDB's error, for 'duckdb-error'
const ALLOWED = [
  {
    // Parquet TIMESTAMP(NANOS, isAdjustedToUTC=true) and TIME(NANOS, isAdjustedToUTC=true):
    // DuckDB reads them as TIMESTAMP WITH TIME ZONE / TIME WITH TIME ZONE, which hold
    // microseconds, so it drops the last three digits; canonical JSON keeps all nine. The
    // values must agree in everything else (the coverage files' values are positive, where
    // DuckDB's truncation and a floor agree).
    file: /(^|\/)coverage-/,
    kind: 'value',
    column: /^(ts_ns_utc|t_ns_utc)$/,
    check: (ours, duckdb) => {
      const m = typeof ours === 'string' && /^(.*\.\d{6})\d{3}(Z?)$/.exec(ours);
      return Boolean(m) && `${m[1]}${m[2]}` === duckdb;
    },
    why: 'DuckDB keeps UTC-adjusted nanosecond times and timestamps as microseconds',
  },
  {
    // The BSON converted type: DuckDB's reader rejects the file; lakesync reads the column as
    // binary (deltagen's parquet_writer_test checks the values byte for byte).
    file: /^coverage-bson\.parquet$/,
    kind: 'duckdb-error',
    message: /Unsupported converted type \(20\)/,
    why: 'DuckDB does not read the BSON converted type',
  },
  {
    // Parquet VARIANT (a group of value/metadata binaries): DuckDB decodes it into its own
    // VARIANT type, which has no canonical JSON form; lakesync returns the group as
    // struct<value:binary,metadata:binary>, which canonical JSON prints as base64 fields.
    file: /^duckdb-delta\/data\/inlined\/variant\//,
    kind: 'duckdb-error',
    message: /no canonical form for DuckDB type VARIANT/,
    why: 'DuckDB decodes Parquet VARIANT; lakesync keeps its binary encoding',
  },
];

// ---- a JSON parser that keeps each number's text (JSON.parse rounds int64 to doubles)

class Num {
  constructor(text) {
    this.text = text;
  }
}
class Obj {
  constructor(pairs) {
    this.pairs = pairs;  // [[key, value], ...] in order
  }
}

// Sticky: each matches at lastIndex only.
const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

function parseJson(text) {
  let i = 0;
  const fail = (what) => {
    throw new Error(`${what} at offset ${i} of ${JSON.stringify(text.slice(0, 200))}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) ++i;
  };
  const value = () => {
    ws();
    const c = text[i];
    if (c === '{') {
      ++i;
      const pairs = [];
      ws();
      if (text[i] === '}') {
        ++i;
        return new Obj(pairs);
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const k = string();
        ws();
        if (text[i++] !== ':') fail("expected ':'");
        pairs.push([k, value()]);
        ws();
        if (text[i] === ',') ++i;
        else if (text[i] === '}') {
          ++i;
          return new Obj(pairs);
        } else fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      ++i;
      const items = [];
      ws();
      if (text[i] === ']') {
        ++i;
        return items;
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ',') ++i;
        else if (text[i] === ']') {
          ++i;
          return items;
        } else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m && m[0].length) {
      i += m[0].length;
      return new Num(m[0]);
    }
    for (const [word, v] of [['null', null], ['true', true], ['false', false]]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    fail('unexpected character');
  };
  const string = () => {
    STRING.lastIndex = i;
    const m = STRING.exec(text);
    if (!m) fail('bad string');
    i += m[0].length;
    return JSON.parse(m[0]);
  };
  const v = value();
  ws();
  if (i !== text.length) fail('trailing text');
  return v;
}

function show(v) {
  if (v instanceof Num) return v.text;
  if (v instanceof Obj) return '{' + v.pairs.map(([k, x]) => JSON.stringify(k) + ':' + show(x)).join(',') + '}';
  if (Array.isArray(v)) return '[' + v.map(show).join(',') + ']';
  return JSON.stringify(v);
}

function sameNumber(a, b) {
  const integer = /^-?\d+$/;
  if (integer.test(a.text) && integer.test(b.text)) return BigInt(a.text) === BigInt(b.text);
  return Object.is(Number(a.text), Number(b.text));
}

// The first difference between ours and theirs as {path, ours, duckdb}, or null.
function diff(ours, theirs, at) {
  if (ours instanceof Num && theirs instanceof Num) {
    return sameNumber(ours, theirs) ? null : { path: at, ours, duckdb: theirs };
  }
  if (ours instanceof Obj && theirs instanceof Obj) {
    if (ours.pairs.length !== theirs.pairs.length) {
      return { path: at, ours, duckdb: theirs, why: `${ours.pairs.length} vs ${theirs.pairs.length} keys` };
    }
    for (let k = 0; k < ours.pairs.length; ++k) {
      const [ok, ov] = ours.pairs[k];
      const [tk, tv] = theirs.pairs[k];
      const sub = at === '' ? ok : `${at}.${ok}`;
      if (ok !== tk) return { path: sub, ours, duckdb: theirs, why: `key ${JSON.stringify(ok)} vs ${JSON.stringify(tk)}` };
      const d = diff(ov, tv, sub);
      if (d) return d;
    }
    return null;
  }
  if (Array.isArray(ours) && Array.isArray(theirs)) {
    if (ours.length !== theirs.length) {
      return { path: at, ours, duckdb: theirs, why: `${ours.length} vs ${theirs.length} elements` };
    }
    for (let k = 0; k < ours.length; ++k) {
      const d = diff(ours[k], theirs[k], `${at}[${k}]`);
      if (d) return d;
    }
    return null;
  }
  return ours === theirs ? null : { path: at, ours, duckdb: theirs };
}

// ---- running the two readers

function runOurs(bin, file, extra = []) {
  return new Promise((resolve) => {
    execFile(
      bin,
      ['parquet', 'cat', file, ...extra],
      { maxBuffer: 1 << 30, encoding: 'utf8', timeout: 60000 },
      (err, stdout, stderr) => {
        if (err) resolve({ error: (stderr || String(err)).trim() });
        else resolve({ lines: stdout.split('\n').filter((l) => l.length) });
      },
    );
  });
}

async function runDuckDB(connection, file, options = {}) {
  try {
    const lines = [];
    for await (const line of dumpParquet(connection, file, options)) lines.push(line);
    return { lines };
  } catch (err) {
    return { error: String(err.message || err).split('\n')[0] };
  }
}

function allowed(rel, kind, detail, d) {
  return ALLOWED.find(
    (a) =>
      a.kind === kind &&
      a.file.test(rel) &&
      (kind !== 'value' || a.column.test(detail.replace(/\[\d+\]/g, '[]'))) &&
      (kind !== 'value' || !a.check || a.check(d.ours, d.duckdb)) &&
      (kind !== 'duckdb-error' || a.message.test(detail)),
  );
}

// ---- Files DuckDB cannot open because of their codec: DuckDB reads a twin instead, a file
// the same writer wrote with the same values and options but a codec DuckDB has. The twin is
// cross-checked on its own as well, so lakesync's reading of the original is checked against
// DuckDB's values.
//   file: RegExp over the path relative to --dir; twin: that path -> the twin's path
const TWINS = [
  {
    file: /^coverage-.*-lz4-(hadoop|raw-fallback).*\.parquet$/,
    twin: (rel) => path.join('lz4-raw-twins', rel),
    why: 'DuckDB has no reader for the deprecated LZ4 codec (Hadoop framing or bare blocks)',
  },
];

function compareFile(rel, ours, theirs) {
  if (ours.lines.length !== theirs.lines.length) {
    return `row count: lakesync ${ours.lines.length}, DuckDB ${theirs.lines.length}`;
  }
  for (let r = 0; r < ours.lines.length; ++r) {
    if (ours.lines[r] === theirs.lines[r]) continue;  // same text: same values
    let o;
    let t;
    try {
      o = parseJson(ours.lines[r]);
    } catch (err) {
      return `row ${r}: lakesync printed invalid JSON: ${err.message}`;
    }
    t = parseJson(theirs.lines[r]);
    for (;;) {
      const d = diff(o, t, '');
      if (!d) break;
      const rule = allowed(rel, 'value', d.path, d);
      if (!rule) {
        return `row ${r}, column ${d.path || '(row)'}${d.why ? ` (${d.why})` : ''}: lakesync ${show(d.ours)} vs DuckDB ${show(d.duckdb)}`;
      }
      // Allowed difference: blank out that value on both sides and look for the next one.
      o = replaceAt(o, d.path);
      t = replaceAt(t, d.path);
    }
  }
  return null;
}

// A copy of `v` with the value at `p` (a diff path) replaced by null.
function replaceAt(v, p) {
  const steps = [];
  for (const m of p.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) steps.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  const go = (x, k) => {
    if (k === steps.length) return null;
    const s = steps[k];
    if (x instanceof Obj) return new Obj(x.pairs.map(([key, val]) => [key, key === s ? go(val, k + 1) : val]));
    if (Array.isArray(x)) return x.map((val, idx) => (idx === s ? go(val, k + 1) : val));
    return null;
  };
  return go(v, 0);
}

function listParquet(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('._')) continue;  // macOS resource-fork junk
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.parquet')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

async function main() {
  const args = process.argv.slice(2);
  let bin;
  let dir = process.env.LAKESYNC_SHARED_DIR
    ? path.join(process.env.LAKESYNC_SHARED_DIR, 'delta-tables')
    : undefined;
  const only = [];
  let verbose = false;
  let jobs = Math.min(2, os.cpus().length);
  for (let i = 0; i < args.length; ++i) {
    if (args[i] === '--lakesync') bin = args[++i];
    else if (args[i] === '--dir') dir = args[++i];
    else if (args[i] === '--file') only.push(args[++i]);
    else if (args[i] === '--verbose') verbose = true;
    else if (args[i] === '--jobs') jobs = Number(args[++i]);
    else throw new Error(`unknown argument ${args[i]}`);
  }
  if (!bin) throw new Error('--lakesync BIN is required');
  if (only.length === 0 && (!dir || !fs.existsSync(dir))) {
    console.log(`skipped: no shared tables at ${dir ?? '$LAKESYNC_SHARED_DIR/delta-tables'}`);
    return 0;
  }
  const files = only.length ? only : listParquet(dir);
  const counts = { same: 0, differ: 0, allowed: 0, oursError: 0, duckdbError: 0, bothError: 0 };
  const failures = [];
  const started = Date.now();
  // `jobs` workers, each with its own DuckDB connection (one thread) and one lakesync process
  // at a time; results are printed in file order.
  const results = new Array(files.length);
  let next = 0;
  const worker = async () => {
    const connection = await openDuckDB();
    while (next < files.length) {
      const k = next++;
      results[k] = await checkFile(connection, files[k], k);
    }
  };
  const checkFile = async (connection, file, k) => {
    const rel = dir && file.startsWith(dir) ? path.relative(dir, file) : file;
    const twinRule = dir ? TWINS.find((t) => t.file.test(rel)) : undefined;
    const duckdbFile = twinRule ? path.join(dir, twinRule.twin(rel)) : file;
    if (twinRule && !fs.existsSync(duckdbFile)) {
      failures.push(`${rel}: its twin ${twinRule.twin(rel)} is missing`);
      return `${rel}: twin missing`;
    }
    // Every third file is decoded three row groups at a time: the same rows must come out.
    const threads = k % 3 === 1 ? ['--threads', '3'] : [];
    const [ours, theirs] = await Promise.all([
      runOurs(bin, file, threads),
      runDuckDB(connection, duckdbFile),
    ]);
    let outcome;
    if (ours.error && theirs.error) {
      counts.bothError++;
      outcome = `both reject: lakesync: ${ours.error} | DuckDB: ${theirs.error}`;
    } else if (ours.error) {
      counts.oursError++;
      outcome = `lakesync fails (DuckDB reads ${theirs.lines.length} rows): ${ours.error}`;
      failures.push(`${rel}: ${outcome}`);
    } else if (theirs.error) {
      const rule = allowed(rel, 'duckdb-error', theirs.error);
      if (rule) {
        counts.allowed++;
        outcome = `DuckDB fails (allowed: ${rule.why}): ${theirs.error}`;
      } else {
        counts.duckdbError++;
        outcome = `DuckDB fails (lakesync reads ${ours.lines.length} rows; not in ALLOWED): ${theirs.error}`;
        failures.push(`${rel}: ${outcome}`);
      }
    } else {
      const d = compareFile(rel, ours, theirs);
      if (d) {
        counts.differ++;
        outcome = `DIFFERS: ${d}`;
        failures.push(`${rel}: ${outcome}`);
      } else {
        counts.same++;
        outcome = `same (${ours.lines.length} rows)`;
        if (twinRule) outcome += ` as DuckDB's reading of ${twinRule.twin(rel)} (${twinRule.why})`;
        if (k % 20 === 0) {
          const p = await checkProjection(connection, file, duckdbFile, rel, theirs);
          if (p) {
            counts.same--;
            counts.differ++;
            outcome = `DIFFERS with --columns/--limit: ${p}`;
            failures.push(`${rel}: ${outcome}`);
          }
        }
      }
    }
    return `${rel}: ${outcome}`;
  };
  // Every 20th file also checks `cat --columns LAST,FIRST --limit 2` (reordered projection).
  const checkProjection = async (connection, file, duckdbFile, rel, full) => {
    if (full.lines.length === 0) return null;
    const names = parseJson(full.lines[0]).pairs.map(([name]) => name);
    if (names.length < 2 || names.some((n) => n.includes(','))) return null;
    const columns = [names[names.length - 1], names[0]];
    const [ours, theirs] = await Promise.all([
      runOurs(bin, file, ['--columns', columns.join(','), '--limit', '2']),
      runDuckDB(connection, duckdbFile, { columns, limit: 2 }),
    ]);
    if (ours.error || theirs.error) return `lakesync: ${ours.error ?? 'ok'}, DuckDB: ${theirs.error ?? 'ok'}`;
    return compareFile(rel, ours, theirs);
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  for (const line of results) {
    if (verbose || !line.includes(': same (')) console.log(line);
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `\n${files.length} files in ${secs}s: ${counts.same} same, ${counts.differ} differ, ` +
      `${counts.oursError} lakesync errors, ${counts.duckdbError} DuckDB errors not allowed, ` +
      `${counts.allowed} allowed DuckDB errors, ${counts.bothError} rejected by both`,
  );
  if (failures.length) {
    console.log(`\nFAILED (${failures.length}):`);
    for (const f of failures.sort()) console.log(`  ${f}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`crosscheck: ${err.stack || err}`);
    process.exitCode = 2;
  },
);
