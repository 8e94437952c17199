#!/usr/bin/env node
// Snapshot tests of the grammar over every example in specs/:
// `vscode-tmgrammar-snap` tokenizes each spec and compares the scopes with
// test/snapshots/<spec>.mlspec.snap (which also holds the spec's lines, so a
// changed spec fails as well as a changed grammar).
//
//   node test/snapshots.js            test; fails on any difference, on a
//                                     spec without a snapshot and on a
//                                     snapshot without a spec
//   node test/snapshots.js --update   rewrite test/snapshots/ from the
//                                     grammar and specs as they are now
//
// The tool writes a snapshot next to the file it reads, so the specs are
// tokenized from copies in a temporary directory: nothing is written into
// specs/, and test/snapshots/ changes only with --update.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const extension = path.resolve(__dirname, '..');
const specs = path.resolve(extension, '..', '..', 'specs');
const snapshots = path.join(__dirname, 'snapshots');
const update = process.argv.includes('--update');
const tool = path.join(path.dirname(require.resolve('vscode-tmgrammar-test/package.json')), 'dist', 'snapshot.js');

const names = fs.readdirSync(specs).filter((f) => f.endsWith('.mlspec')).sort();
if (names.length === 0) {
  console.error(`no .mlspec files in ${specs}`);
  process.exit(1);
}
fs.mkdirSync(snapshots, { recursive: true });
const snapped = fs.readdirSync(snapshots).filter((f) => f.endsWith('.mlspec.snap')).sort();

const problems = [];
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mlspec-snap-'));
try {
  for (const name of names) {
    fs.copyFileSync(path.join(specs, name), path.join(work, name));
    const snap = `${name}.snap`;
    if (!update) {
      if (snapped.includes(snap)) {
        fs.copyFileSync(path.join(snapshots, snap), path.join(work, snap));
      } else {
        problems.push(`specs/${name} has no snapshot test/snapshots/${snap}`);
      }
    }
  }
  for (const snap of snapped) {
    if (!names.includes(snap.replace(/\.snap$/, ''))) {
      if (update) {
        fs.unlinkSync(path.join(snapshots, snap));
        console.log(`removed test/snapshots/${snap} (its spec is gone)`);
      } else {
        problems.push(`test/snapshots/${snap} has no spec in specs/`);
      }
    }
  }
  if (problems.length > 0) {
    // Without this check the tool would write the missing snapshot and pass.
    for (const p of problems) console.error(`ERROR ${p}`);
    console.error('update the snapshots with `npm run snap:update` in editors/vscode and review the diff');
    process.exit(1);
  }

  const args = [tool, '--config', path.join(extension, 'package.json')];
  if (update) args.push('--updateSnapshot');
  args.push('*.mlspec');
  const run = spawnSync(process.execPath, args, { cwd: work, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } });
  if (run.status !== 0) {
    console.error(`vscode-tmgrammar-snap failed (exit ${run.status}, signal ${run.signal}) over ${names.length} specs`);
    if (!update) console.error('if the change is intended: `npm run snap:update` in editors/vscode, review and commit test/snapshots/');
    process.exit(1);
  }
  if (update) {
    for (const name of names) {
      fs.copyFileSync(path.join(work, `${name}.snap`), path.join(snapshots, `${name}.snap`));
    }
    console.log(`wrote ${names.length} snapshots to test/snapshots/`);
  } else {
    console.log(`snapshots: ${names.length} passed, 0 failed`);
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
