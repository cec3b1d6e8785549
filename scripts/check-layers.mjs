#!/usr/bin/env node
/**
 * The layers of src/, low to high, and the check that no import runs back up. A file may import a
 * file of its own folder or of a folder in a lower layer; never a higher layer, never a sibling of
 * its own layer. Also refused: any import cycle between files, a folder missing from LAYERS, and a
 * file directly under src/ (it would belong to no folder). Type-only imports count: they tie the
 * model just the same. Also refused: a flavour check outside src/flavours (see FLAVOUR_CHECKS).
 *
 * Usage: node scripts/check-layers.mjs [srcdir]. Exit 0 and one line when clean; otherwise every
 * offending import, one a line, and exit 1. Run by `npm run lint` (and `npm run lint:layers`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Low to high; each layer a list of sibling folders, which may not import each other. */
export const LAYERS = [
  ['model'], // types and small pure helpers: settings, errors, log, table shape, copy key, chunk, names, format, time, GTID sets
  ['sql'], // pure SQL builders (writes in builders.ts, reads in reads.ts); quote.ts quotes identifiers
  ['flavours'], // what MySQL and MariaDB each allow and need
  ['journal'], // the journal, its file lock, the manifest, the options a journal records
  ['db'], // connections, sessions, failures, the server's run lock
  ['inspect'], // every read of the server, by what it reads
  ['plan'], // discovery, the plan, chunks, estimates, GTID placement, preflight
  ['verify', 'engine'], // verify a flushed replica; flush and recover
  ['config'], // settings from inputs, option files and a journal to resume
  ['action', 'cli'], // entry points
];

const root = resolve(process.argv[2] ?? 'src');
const rankOf = new Map(LAYERS.flatMap((folders, rank) => folders.map((f) => [f, rank])));

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** `import ... from`, `export ... from`, a bare `import '...'` and `import('...')`, relative ones. */
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|(?:^|\n)\s*import\s+['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function importsOf(file) {
  const out = [];
  for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    const base = resolve(dirname(file), spec).replace(/\.js$/, '');
    const target = [base + '.ts', join(base, 'index.ts')].find((c) => existsSync(c));
    if (target && !relative(root, target).startsWith('..')) out.push(target);
  }
  return out;
}

const folderOf = (file) => {
  const r = relative(root, file);
  return r.includes(sep) ? r.split(sep)[0] : '.';
};
const show = (file) => join(relative(process.cwd(), root), relative(root, file));

const files = walk(root);
const edges = new Map(files.map((f) => [f, importsOf(f)]));
const problems = [];

for (const f of files) {
  if (folderOf(f) === '.') problems.push(`${show(f)} is in no folder: move it into the folder of its layer`);
}
for (const folder of new Set(files.map(folderOf))) {
  if (folder !== '.' && !rankOf.has(folder))
    problems.push(`src/${folder}/ is in no layer: add it to LAYERS in scripts/check-layers.mjs`);
}
for (const [from, targets] of edges) {
  const a = folderOf(from);
  for (const to of targets) {
    const b = folderOf(to);
    if (a === b || !rankOf.has(a) || !rankOf.has(b)) continue;
    const ra = rankOf.get(a);
    const rb = rankOf.get(b);
    if (rb > ra)
      problems.push(`${show(from)} imports ${show(to)}: ${a} (layer ${ra}) is below ${b} (layer ${rb})`);
    else if (rb === ra)
      problems.push(`${show(from)} imports ${show(to)}: ${a} and ${b} are siblings (layer ${ra})`);
  }
}

/**
 * Asking which flavour a server is, outside src/flavours: `x.flavour === 'mysql'`, `flavour !== 'x'`,
 * `'mariadb' === v.flavour`, `switch (d.version.flavour)`, or telling it from the version text
 * (`/mariadb/i.test(version)`: src/flavours/index.ts does that, once). Each decides a server difference in the
 * wrong place, and a flavour added later falls silently into one branch; the flavour module (its
 * dialect, its facts, the FLAVOURS registry) answers instead.
 */
export const FLAVOUR_CHECKS = [
  /\bflavour\s*[!=]==?\s*['"`]/,
  /['"`]\s*[!=]==?\s*[\w$.?!]*\bflavour\b/,
  /\bswitch\s*\(\s*[\w$.?!]*\bflavour\s*\)/,
  /\/(mariadb|mysql|percona|tidb)\/[a-z]*\.test\(/i,
];
for (const f of files) {
  if (folderOf(f) === 'flavours') continue;
  readFileSync(f, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (/^\s*(\*|\/\/)/.test(text) || !FLAVOUR_CHECKS.some((re) => re.test(text))) return;
      problems.push(
        `${show(f)}:${i + 1} asks which flavour the server is (${text.trim()}): ask the flavour module instead (src/flavours: the dialect, flavourFacts or FLAVOURS)`,
      );
    });
}

// File cycles (Tarjan): any strongly connected set of more than one file, or a file importing itself.
let next = 0;
const index = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
function visit(v) {
  index.set(v, next);
  low.set(v, next);
  next += 1;
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v) ?? []) {
    if (!index.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
  }
  if (low.get(v) !== index.get(v)) return;
  const cycle = [];
  let w;
  do {
    w = stack.pop();
    onStack.delete(w);
    cycle.push(w);
  } while (w !== v);
  if (cycle.length > 1 || (edges.get(v) ?? []).includes(v)) {
    problems.push(`import cycle: ${loopThrough(v, new Set(cycle)).map(show).join(' -> ')}`);
  }
}
/** One shortest loop from `start` back to it, inside its strongly connected set. */
function loopThrough(start, members) {
  const cameFrom = new Map();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of edges.get(v) ?? []) {
      if (!members.has(w) || cameFrom.has(w)) continue;
      cameFrom.set(w, v);
      if (w === start) queue.length = 0;
      else queue.push(w);
    }
  }
  const between = [];
  for (let v = cameFrom.get(start); v !== start; v = cameFrom.get(v)) between.unshift(v);
  return [start, ...between, start];
}
for (const f of files) if (!index.has(f)) visit(f);

if (problems.length) {
  for (const p of problems) console.error(p);
  console.error(
    `check-layers: ${problems.length} problem(s); the layers, low to high: ${LAYERS.map((l) => l.join(', ')).join(' < ')}`,
  );
  process.exit(1);
}
console.log(
  `check-layers: ${files.length} files, no import runs up a layer, no cycle, no flavour check outside flavours`,
);
