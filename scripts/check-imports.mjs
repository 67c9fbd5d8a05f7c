#!/usr/bin/env node
// Enforces who may import whom, by where code runs (docs/architecture.md):
//   src-shared   → nothing but itself and zod (runs in both Node and the browser)
//   src-main/core → src-shared, node; never electron, never server/cli/electron folders
//   src-main/server, src-main/cli → core, shared; never electron
//   src-main/electron → anything in src-main, shared
//   src-preload  → shared, electron
//   src-renderer → itself, shared; never src-main, never node
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const rules = [
  { dir: 'src-shared', deny: [/^electron$/, /^node:/, /src-main\//, /src-renderer\//, /src-preload\//] },
  { dir: 'src-main/core', deny: [/^electron$/, /src-main\/(server|cli|electron)\//, /\/(server|cli|electron)\//, /src-renderer\//, /src-preload\//] },
  { dir: 'src-main/server', deny: [/^electron$/, /\/electron\//, /src-renderer\//] },
  { dir: 'src-main/cli', deny: [/^electron$/, /\/electron\//, /src-renderer\//] },
  { dir: 'src-preload', deny: [/src-main\//, /src-renderer\//, /^node:/] },
  { dir: 'src-renderer', deny: [/^electron$/, /^node:/, /src-main\//, /src-preload\//] },
];

const importRe = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;
let bad = 0;
function walk(dir, fn) {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, fn);
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(e.name)) fn(p);
  }
}
for (const rule of rules) {
  walk(path.join(root, rule.dir), (file) => {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
      // Resolve relative specifiers to repo paths so the folder rules apply to them.
      const target = spec.startsWith('.') ? path.relative(root, path.resolve(path.dirname(file), spec)) + '/' : spec;
      for (const d of rule.deny) {
        if (d.test(target) || d.test(spec)) {
          console.error(`${path.relative(root, file)}: imports '${spec}', which ${rule.dir} may not import (${d})`);
          bad++;
        }
      }
    }
  });
}
if (bad) {
  console.error(`check-imports: ${bad} forbidden import(s)`);
  process.exit(1);
}
console.log('check-imports: ok');
