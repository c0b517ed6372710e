// calibrate's speed: 50 observations of up to 4 GiB each (10 kernel releases x the real-kernel
// probe's cold map, warm map and unmap of a 4 GiB BAR and its 512 MiB THP map and unmap), the
// whole of `calibrate`: reading, 20 simulations (one per fixture and kernel), the fit and 50
// leave-one-out re-fits. Target: under 30 s on the project's 2-core machine. Not a test:
// `npm run bench:calibrate` prints the wall time of each phase.

import '../src/run/v8-tuning.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProfile } from '../src/input/profile.ts';
import { calibrate, calibratedProfile, readMeasurements } from '../src/run/calibrate.ts';

const DIR = new URL('../fixtures/real-kernel/', import.meta.url).pathname;
const KERNELS = ['4.16', '4.19', '5.4', '5.10', '5.15', '6.1', '6.6', '6.12', '6.16', '6.18'];
const observations = KERNELS.flatMap((k, i) => [
  { id: `${k} cold`, fixture: `${DIR}qemu-tcg-4g.json`, kernel: k, op: 'map', request: 'bar_map0', seconds: 1 + i / 10, firstRun: true },
  { id: `${k} warm`, fixture: `${DIR}qemu-tcg-4g.json`, kernel: k, op: 'map', request: 'bar_map1', seconds: 0.9 + i / 10 },
  { id: `${k} unmap`, fixture: `${DIR}qemu-tcg-4g.json`, kernel: k, op: 'unmap', request: 'bar_unmap1', seconds: 0.1 + i / 100 },
  { id: `${k} anon map`, fixture: `${DIR}qemu-tcg-anon512m.json`, kernel: k, op: 'map', request: 'anon_map1', seconds: 0.01 + i / 1000 },
  { id: `${k} anon unmap`, fixture: `${DIR}qemu-tcg-anon512m.json`, kernel: k, op: 'unmap', request: 'anon_unmap1', seconds: 0.03 + i / 1000 },
]);
const file = join(mkdtempSync(join(tmpdir(), 'vpb-bench-calibrate-')), 'fifty.json');
writeFileSync(file, JSON.stringify({ version: 1, name: 'bench', source: 'synthetic times (the fit\'s speed, not its result)', observations }));

const t0 = performance.now();
const m = readMeasurements(file);
const t1 = performance.now();
const c = calibrate(m, loadProfile('xeon-e5-2.6ghz'));
const t2 = performance.now();
calibratedProfile(c, { name: 'bench', measurementsRef: file, date: '1970-01-01' });
const ms = (a: number, b: number): string => `${((b - a) / 1000).toFixed(2)} s`;
console.log(`calibrate: ${m.observations.length} observations (up to 4 GiB each), ${KERNELS.length * 2} simulations`);
console.log(`  read and check   ${ms(t0, t1)}`);
console.log(`  simulate + fit + leave-one-out   ${ms(t1, t2)}`);
console.log(`  total            ${ms(t0, performance.now())}   (target: under 30 s)`);
