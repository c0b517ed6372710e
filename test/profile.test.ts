// Cost profiles: a bundled name or a user's file; every bad file is one line naming the file,
// the key and what was wrong (exit 2 from the bin).

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { COUNTER_NAMES, newCounters } from '../src/model/counters.ts';
import { InputError } from '../src/model/errors.ts';
import { listProfiles, loadProfile, parseProfile } from '../src/input/profile.ts';
import { breakdown, modelledNs } from '../src/model/profile.ts';
import type { RunDocument } from '../src/model/result.ts';
import { cli } from './bin.ts';

const BUNDLED = JSON.parse(readFileSync(new URL('../profiles/xeon-e5-2.6ghz.json', import.meta.url), 'utf8')) as {
  name: string; description: string; derivation: string[]; ns: Record<string, unknown>;
};
const dir = mkdtempSync(join(tmpdir(), 'vpb-profile-'));

/** The bundled profile with `ns` changed by `edit`, written to a file; its path. */
function variant(file: string, edit: (ns: Record<string, unknown>) => void, top: Record<string, unknown> = {}): string {
  const ns = { ...BUNDLED.ns };
  edit(ns);
  const p = join(dir, file);
  writeFileSync(p, JSON.stringify({ ...BUNDLED, ...top, ns }));
  return p;
}

const fails = (f: () => unknown, message: RegExp): void => {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof InputError, String(e));
    assert.match(e.message, message);
    assert.ok(!e.message.includes('\n'), e.message);
    return true;
  });
};

describe('parseProfile', () => {
  test('the bundled profile: every counter priced, listed', () => {
    const p = loadProfile('xeon-e5-2.6ghz');
    assert.deepEqual(Object.keys(p.ns).sort(), [...COUNTER_NAMES].sort());
    assert.deepEqual(listProfiles().map((x) => x.name), ['qemu-tcg', 'xeon-e5-2.6ghz']);
  });
  const bad = (edit: (ns: Record<string, unknown>) => void, top: Record<string, unknown> = {}): unknown => {
    const ns = { ...BUNDLED.ns };
    edit(ns);
    return { ...BUNDLED, ...top, ns };
  };
  test('unknown counter', () => {
    fails(() => parseProfile(bad((ns) => void (ns.mmap_lock_read = 20)), 'my.json'), /^my\.json: ns\.mmap_lock_read: unknown counter; counters are vfio_ioctls, pages_pinned, vfio_pin_pages_remote, /);
  });
  test('missing counter', () => {
    fails(() => parseProfile(bad((ns) => void delete ns.get_user_pages_longterm), 'my.json'), /^my\.json: ns\.get_user_pages_longterm: missing; every counter must be priced \(0 allowed\)$/);
  });
  test('negative, not a number, null', () => {
    fails(() => parseProfile(bad((ns) => void (ns.get_user_pages_longterm = -1)), 'my.json'), /^my\.json: ns\.get_user_pages_longterm: expected a number of ns from 0 to 1000000000 .*, got -1$/);
    fails(() => parseProfile(bad((ns) => void (ns.get_user_pages_longterm = '27')), 'my.json'), /^my\.json: ns\.get_user_pages_longterm: expected a number of ns from 0 to 1000000000 .*, got "27"$/);
    // issue 14: every cost 1e308 was accepted and the run printed "Infinity s": at most one second per event
    fails(() => parseProfile(bad((ns) => void (ns.get_user_pages_longterm = 1e308)), 'my.json'), /^my\.json: ns\.get_user_pages_longterm: expected a number of ns from 0 to 1000000000 .*, got 1e\+308$/);
    fails(() => parseProfile(bad((ns) => void (ns.get_user_pages_longterm = 1e9 + 1)), 'my.json'), /^my\.json: ns\.get_user_pages_longterm: .*, got 1000000001$/);
    assert.equal(parseProfile(bad((ns) => void (ns.get_user_pages_longterm = 1e9)), 'my.json').ns.get_user_pages_longterm, 1e9);
    fails(() => parseProfile(bad((ns) => void (ns.get_user_pages_longterm = null)), 'my.json'), /^my\.json: ns\.get_user_pages_longterm: .*, got null$/);
  });
  test('not an object, unknown key, no name', () => {
    fails(() => parseProfile([], 'my.json'), /^my\.json: expected an object/);
    fails(() => parseProfile(bad(() => {}, { cpu: 'xeon' }), 'my.json'), /^my\.json: cpu: unknown key; expected name, description, derivation, ns, fit$/);
    fails(() => parseProfile(bad(() => {}, { name: '' }), 'my.json'), /^my\.json: name: expected a non-empty string, got ""$/);
  });
  test('derivation is optional in a user\'s file', () => {
    const { derivation: _, ...rest } = BUNDLED;
    assert.deepEqual(parseProfile(rest, 'my.json').derivation, []);
  });
});

describe('loadProfile: a path to a user\'s profile file', () => {
  test('a file of its own: its name, its prices', () => {
    const path = variant('double.json', (ns) => {
      for (const k of Object.keys(ns)) ns[k] = (ns[k] as number) * 2;
    }, { name: 'double-xeon' });
    const mine = loadProfile(path);
    const base = loadProfile('xeon-e5-2.6ghz');
    assert.equal(mine.name, 'double-xeon');
    const c = { ...newCounters(), mmap_sem_read: 10, get_user_pages_longterm: 5, vfio_ioctls: 1 };
    assert.equal(modelledNs(mine, c), 2 * modelledNs(base, c));
    // breakdown: largest first, shares add up to 1
    const b = breakdown(mine, c);
    assert.deepEqual(b.map((r) => r.counter), ['vfio_ioctls', 'mmap_sem_read', 'get_user_pages_longterm']);
    assert.ok(Math.abs(b.reduce((s, r) => s + r.share, 0) - 1) < 1e-12);
  });
  test('invalid JSON, missing file, a directory, an unknown name', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "name": "x", ');
    fails(() => loadProfile(broken), new RegExp(`^${broken.replace(/[.]/g, '\\.')}: invalid JSON: `));
    fails(() => loadProfile(join(dir, 'nope.json')), /^--profile \/.*\/nope\.json: no such file$/);
    mkdirSync(join(dir, 'folder.json'));
    fails(() => loadProfile(join(dir, 'folder.json')), /^--profile .*folder\.json: cannot read: EISDIR/);
    fails(() => loadProfile('nope'), /^--profile: no profile "nope"; bundled: qemu-tcg, xeon-e5-2\.6ghz, or give a path to a profile file \(\.json\)$/);
  });
});

describe('bin: --profile <file>', () => {
  test('run with an unknown counter in the file: exit 2, the one line, nothing on stdout', async () => {
    const path = variant('unknown.json', (ns) => void (ns.mmap_lock_read = 20));
    const r = await cli(['run', '--no-timing', '--bar', '1G', '-s', 'baseline', '--profile', path]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`^${path.replace(/[.]/g, '\\.')}: ns\\.mmap_lock_read: unknown counter; counters are vfio_ioctls, .*vfio_unpin_pages_remote\\n$`));
    assert.equal(r.stdout, '');
  });
  test('sweep with a missing profile file: exit 2 before anything runs', async () => {
    const path = join(dir, 'missing.json');
    const r = await cli(['sweep', '--bar', '16M..32M', '--profile', path]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `--profile ${path}: no such file\n`);
    assert.equal(r.stdout, '');
  });
  test('run with a good file: modelled with its prices, under its name', async () => {
    const path = variant('half.json', (ns) => {
      for (const k of Object.keys(ns)) ns[k] = (ns[k] as number) / 2;
    }, { name: 'half-xeon' });
    const r = await cli(['run', '--no-timing', '--bar', '1G', '-s', 'baseline', '--json', '--profile', path]);
    assert.equal(r.code, 0, r.stderr);
    const s = (JSON.parse(r.stdout) as RunDocument).fixtures[0]!.strategies[0]!;
    assert.equal(s.modelled.profile, 'half-xeon');
    assert.equal(s.modelled.mapNs, modelledNs(loadProfile(path), s.counters.map));
    assert.equal(s.modelled.mapNs * 2, modelledNs(loadProfile('xeon-e5-2.6ghz'), s.counters.map));
  });
});
