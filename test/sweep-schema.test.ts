// The sweep document's schema (schema/sweep.schema.json) against real `sweep --json` output
// (refused requests, a timed sweep, an UNSAFE record), the checker failing where it should,
// and the definitions it repeats from schema/result.schema.json staying the same.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { loadFixture } from '../src/input/fixture.ts';
import { DEFAULT_PROFILE, loadProfile } from '../src/input/profile.ts';
import { checkSchema, RESULT_SCHEMA, type JsonSchema } from '../src/input/result-document.ts';
import type { SweepDocument } from '../src/model/result.ts';
import { runPoint } from '../src/run/sweep-point.ts';
import { STRATEGIES } from '../src/strategies/registry.ts';
import { cli } from './bin.ts';

const SWEEP_SCHEMA = JSON.parse(readFileSync(new URL('../schema/sweep.schema.json', import.meta.url), 'utf8')) as JsonSchema;
const SHA = 'fedcba9876543210fedcba9876543210fedcba98';

describe('sweep schema', () => {
  let doc: SweepDocument;
  before(async () => {
    const r = await cli(['sweep', '--ram', '16M..64M', '--backing', '4k', '--memlock', '32M', '--steps', '3', '--workers', '2', '--json'], { GITHUB_SHA: SHA });
    assert.equal(r.code, 0, r.stderr);
    doc = JSON.parse(r.stdout) as SweepDocument;
  });

  test('real sweep --json output (refused requests, a --steps series) passes strictly', () => {
    assert.equal(checkSchema(doc, SWEEP_SCHEMA), null);
    assert.equal(doc.env.gitCommit, SHA);
    assert.deepEqual([doc.options.steps, doc.options.factor, doc.options.timed], [3, null, false]);
    assert.ok(doc.points.some((p) => p.records.some((x) => x.errors['-ENOMEM'] !== undefined)), 'no -ENOMEM under --memlock 32M');
  });

  test('real timed output passes strictly', async () => {
    const r = await cli(['sweep', '--bar', '16M..32M', '-s', 'baseline,rfc', '--timed', '-t', '1000', '-n', '2', '--workers', '1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const timed = JSON.parse(r.stdout) as SweepDocument;
    assert.equal(checkSchema(timed, SWEEP_SCHEMA), null);
    assert.deepEqual([timed.options.timed, timed.options.timeMs, timed.options.iterations], [true, 1000, 2]);
    // -n caps the samples (issue 13): a 1 s budget outlasts two passes of 16-32 MiB
    assert.ok(timed.points.every((p) => p.records.every((x) => x.timing !== undefined && x.timing.map.samples === 2 && x.timing.unmap.samples === 2)));
  });

  test('records with an UNSAFE verdict and its detail pass strictly (a fixture run as a point)', async () => {
    const records = await runPoint(loadFixture('rfc-pitfall-mid-vma').layout, { strategies: STRATEGIES, profile: loadProfile(DEFAULT_PROFILE) });
    const unsafe = records.find((x) => x.strategy === 'rfc')!;
    assert.equal(unsafe.verdict, 'unsafe');
    assert.match(unsafe.detail ?? '', /IOVA pages wrong/);
    const d = structuredClone(doc);
    d.points[0]!.records = records;
    assert.equal(checkSchema(d, SWEEP_SCHEMA), null);
  });

  test('the checker fails where it should, naming the path', () => {
    const cases: [(d: Record<string, any>) => void, string, string][] = [
      [(d) => (d.kind = 'run'), 'kind', 'expected "sweep", got "run"'],
      [(d) => (d.options.axis = 'vram'), 'options.axis', 'expected one of "bar", "ram", "chunk", got "vram"'],
      [(d) => (d.options.factor = 'x'), 'options.factor', 'expected a number or null, got "x"'],
      [(d) => delete d.points[0].summary.seed, 'points[0].summary', 'missing required key "seed"'],
      [(d) => delete d.points[1].records[0].errors, 'points[1].records[0]', 'missing required key "errors"'],
      [(d) => (d.points[2].records[0].errors['-ENOMEM'] = 1.5), 'points[2].records[0].errors.-ENOMEM', 'expected an integer, got 1.5'],
      [(d) => (d.points[0].records[1].counters.map.vaddr_get_pfn = -1), 'points[0].records[1].counters.map.vaddr_get_pfn', 'expected at least 0, got -1'],
      [(d) => (d.points[0].records[0].modelled.profile = 'x'), 'points[0].records[0].modelled', 'unknown key "profile" (allowed: mapNs, unmapNs)'],
    ];
    for (const [mutate, path, message] of cases) {
      const d = structuredClone(doc) as unknown as Record<string, any>;
      mutate(d);
      assert.deepEqual(checkSchema(d, SWEEP_SCHEMA), { path, message });
    }
  });

  test('what it repeats of result.schema.json is the same (tool, env, timing)', () => {
    const props = (s: JsonSchema) => s.properties as Record<string, JsonSchema>;
    const defs = (s: JsonSchema) => s.$defs as Record<string, JsonSchema>;
    assert.deepEqual(props(SWEEP_SCHEMA).tool, props(RESULT_SCHEMA).tool);
    assert.deepEqual(props(SWEEP_SCHEMA).env, props(RESULT_SCHEMA).env);
    assert.deepEqual(defs(SWEEP_SCHEMA).timing, defs(RESULT_SCHEMA).timing);
  });
});
