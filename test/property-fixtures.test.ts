// Property tests of fixture input at its edges: the bundled fixtures mutated (fields dropped,
// wrong types, huge / negative / fractional numbers, NaN, strings for numbers, unknown keys,
// deep nesting, renamed names, extra vm_flags), files that are not fixtures (invalid UTF-8,
// truncated or noisy bytes, a 50 MB file, a directory, a missing file), and sizes near 2^53 and
// 2^64. Every input ends either as a Layout the kernel runs correctly, or as one InputError line
// that starts with the file and names where (the CLI prints it and exits 2), and never hangs
// (a 15 s guard: the machines are shared, so this is no speed target).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { main } from '../src/cli/program.ts';
import type { Io } from '../src/cli/io.ts';
import { Kernel } from '../src/kernel/kernel.ts';
import type { Layout } from '../src/model/layout.ts';
import { bundledFixtures } from '../src/input/bundled.ts';
import { loadFixture, parseFixture } from '../src/input/fixture.ts';
import { InputError } from '../src/model/errors.ts';
import { parseSize, parseU64 } from '../src/input/size.ts';
import { validateLayout } from '../src/input/validate.ts';
import { simulate } from '../src/run/simulate.ts';
import { STRATEGIES } from '../src/strategies/registry.ts';
import { params } from './arbitraries.ts';

const FILE = 'fuzz.json';
const BIN = new URL('../bin/vfio-pin-bench.js', import.meta.url).pathname;
const FIXTURES = bundledFixtures().map((f) => ({ name: f.name, doc: JSON.parse(readFileSync(f.path, 'utf8')) as unknown }));
const baseline = STRATEGIES.find((s) => s.name === 'baseline')!;

const TMP = mkdtempSync(join(tmpdir(), 'vfio-pin-bench-fuzz-'));
after(() => rmSync(TMP, { recursive: true, force: true }));

// --- the shape every rejection must have --------------------------------------------------------

/** "fuzz.json: vmas[1].size: expected ..." or "fuzz.json: missing required key ...": one line. */
const WHERE = /^fuzz\.json: (?:(?:[A-Za-z$_][\w$]*|\[\d+\])(?:\.[A-Za-z$_][\w$]*|\[\d+\])*: )?\S/;

function assertInputError(e: unknown, what: string, file = FILE): InputError {
  if (!(e instanceof InputError)) assert.fail(`${what}: threw ${(e as Error)?.constructor?.name ?? typeof e} instead of an InputError: ${(e as Error)?.stack ?? String(e)}`);
  const m = e.message;
  assert.ok(!/[\r\n]/.test(m), `${what}: message is not one line: ${JSON.stringify(m)}`);
  assert.ok(m.startsWith(`${file}:`), `${what}: message does not start with the file: ${JSON.stringify(m)}`);
  assert.ok(m.length <= 600, `${what}: message is ${m.length} characters long`);
  assert.ok(!/\[object Object\]|\bat [\w.]+ \(|Error:/.test(m), `${what}: message leaks internals: ${JSON.stringify(m)}`);
  return e;
}

type Outcome = { ok: true; layout: Layout; ms: number } | { ok: false; error: InputError; ms: number };

function parse(doc: unknown, what: string): Outcome {
  const t0 = performance.now();
  try {
    const layout = parseFixture(doc, FILE);
    return { ok: true, layout, ms: performance.now() - t0 };
  } catch (e) {
    return { ok: false, error: assertInputError(e, what), ms: performance.now() - t0 };
  }
}

// --- mutations -----------------------------------------------------------------------------------

type Key = string | number;
type Path = Key[];

/** Every node of a JSON document below the root, with its path. */
function nodes(doc: unknown, path: Path = []): Path[] {
  const out: Path[] = [];
  if (Array.isArray(doc)) doc.forEach((v, i) => out.push([...path, i], ...nodes(v, [...path, i])));
  else if (doc !== null && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) out.push([...path, k], ...nodes(v, [...path, k]));
  return out;
}

const get = (doc: unknown, p: Path): unknown => p.reduce<unknown>((o, k) => (o as Record<Key, unknown>)[k], doc);
const pathText = (p: Path): string => p.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');

const NUMERIC_KEYS = new Set(['version', 'seed', 'pageSize', 'memlock', 'base', 'size', 'start', 'align', 'offset', 'leafSize', 'iova', 'vaddr', 'length', 'mean']);
/** A slot that holds a size, address or number (or "auto" / "whole" / "unlimited" / a vaddr object). */
const numericSlot = (p: Path): boolean => {
  const last = p[p.length - 1];
  return (typeof last === 'string' && NUMERIC_KEYS.has(last)) || (typeof last === 'number' && p[p.length - 2] === 'pgsizes');
};
/** A request's __u64 field (iova, size, vaddr): values up to 2^64 - 1 are allowed there. */
const u64Slot = (p: Path): boolean => p[0] === 'requests' && p.length === 3 && ['iova', 'size', 'vaddr'].includes(String(p[2]));

const REQUIRED: Record<string, string[]> = {
  '': ['version', 'name', 'description'],
  range: ['name', 'base', 'size'],
  vma: ['name', 'size', 'backing'],
  backing: ['kind'],
  vaddr: ['vma'],
  placement: ['policy'],
  request: ['op', 'iova', 'size'],
};
/** Deleting this key must be refused (a required key of its object). */
function requiredKey(doc: unknown, p: Path): boolean {
  const k = p[p.length - 1];
  if (typeof k !== 'string') return false;
  const parent = p.slice(0, -1);
  const kind =
    parent.length === 0 ? ''
    : (parent[0] === 'ram' || parent[0] === 'mmio') && parent.length === 2 ? 'range'
    : parent[0] === 'vmas' && parent.length === 2 ? 'vma'
    : parent[0] === 'vmas' && parent.length === 3 && parent[2] === 'backing' ? 'backing'
    : parent[0] === 'requests' && parent.length === 2 ? 'request'
    : parent[0] === 'requests' && parent[2] === 'vaddr' ? 'vaddr'
    : parent[parent.length - 1] === 'placement' ? 'placement'
    : null;
  if (kind === null) return false;
  if (REQUIRED[kind]!.includes(k)) return true;
  const o = get(doc, parent) as Record<string, unknown>;
  if (kind === 'request' && o.op === 'map' && k === 'vaddr') return true;
  if (kind === 'backing' && ((o.kind === 'hugetlb' && k === 'pageSize') || (o.kind === 'pfnmap' && k === 'mmio'))) return true;
  if (kind === 'placement' && ((o.policy === 'runs' && k === 'length') || (o.policy === 'geometric' && k === 'mean'))) return true;
  return false;
}

/** Values no slot but "$schema" accepts. */
const ALWAYS_BAD: unknown[] = [null, -1, -4096, 1.5, 0.1, -0.5, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 64, 1e308, Number.MAX_VALUE];
/** Strings no numeric slot accepts. */
const BAD_NUMBER_STRINGS = [
  'NaN', 'Infinity', '-1', '+1', '1.5K', '', ' 4K', '4K ', '4 K', '4KB', '4k b', '1e3', '010', '0x', '0xg', '16 gigs', '1_000',
  '0x10000000000000000', '18446744073709551615', '99999999T', '\u0000', 'é', '４K', '__proto__', 'x'.repeat(70), 'true',
];
/** At or above 2^53: refused in the layout, fine in a request's __u64 iova / size / vaddr. */
const BAD_IN_LAYOUT = ['0x20000000000000', '8P', '0xfffffffffffff000'];
/** Strings that are valid sizes somewhere (u64 request fields, or anywhere). */
const EDGE_NUMBER_STRINGS = ['0x1fffffffffffff', ...BAD_IN_LAYOUT, '0', '4K', '1P', '0X1000', '4KiB', '2m', '1g', '0x1g'];
const OTHER_STRINGS = ['VM_IO', 'VM_PFNMAP', 'VM_HUGETLB', 'VM_LOCKED', 'anon', 'thp', 'hugetlb', 'pfnmap', 'map', 'unmap', 'rw', 'r', 'none', 'whole', 'auto', 'unlimited', 'contiguous', 'runs', 'constructor', 'toString'];
const CONTAINERS: unknown[] = [[], {}, [1], { a: 1 }, [[[[[]]]]], { kind: 'anon' }];
const WEIRD_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'a.b', '-', '_', '0', 'x'.repeat(200)];

type Mutation =
  | { op: 'delete'; at: number }
  | { op: 'replace'; at: number; value: unknown }
  | { op: 'unknownKey'; at: number; key: string }
  | { op: 'nest'; at: number; depth: number }
  | { op: 'rename'; at: number; name: string }
  | { op: 'addFlag'; at: number; flag: string };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat() }), weight: 3 },
  {
    arbitrary: fc.record({
      op: fc.constant('replace' as const), at: fc.nat(),
      value: fc.oneof(
        fc.constantFrom(...ALWAYS_BAD), fc.constantFrom(...BAD_NUMBER_STRINGS), fc.constantFrom(...EDGE_NUMBER_STRINGS),
        fc.constantFrom(...OTHER_STRINGS), fc.constantFrom(...CONTAINERS), fc.boolean(), fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: -(2 ** 40), max: -1 }), fc.double(), fc.string({ maxLength: 8 }),
      ),
    }),
    weight: 10,
  },
  { arbitrary: fc.record({ op: fc.constant('unknownKey' as const), at: fc.nat(), key: fc.constantFrom('bogus', '__proto__', 'constructor', 'Size', 'size ', '') }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('nest' as const), at: fc.nat(), depth: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant(10_000)) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('rename' as const), at: fc.nat(), name: fc.constantFrom(...WEIRD_NAMES) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('addFlag' as const), at: fc.nat(), flag: fc.constantFrom('VM_IO', 'VM_PFNMAP', 'VM_LOCKED', 'VM_SHARED', 'VM_HUGEPAGE', 'VM_bogus') }), weight: 1 },
);

interface Applied {
  doc: unknown;
  /** the path the mutation touched, and what the result must be. */
  path: Path;
  mustReject: boolean;
  /** the message must name this path or its parent. */
  namesPath: boolean;
}

function setAt(doc: unknown, p: Path, v: unknown): void {
  (get(doc, p.slice(0, -1)) as Record<Key, unknown>)[p[p.length - 1]!] = v;
}

/** Applies a mutation to a copy of `doc`; says whether the result must be refused. */
function apply(doc0: unknown, m: Mutation): Applied {
  const doc = structuredClone(doc0) as Record<string, unknown>;
  const all = nodes(doc);
  const p = all[m.at % all.length]!;
  const underSchema = p[0] === '$schema';
  const old = get(doc, p);
  switch (m.op) {
    case 'delete': {
      const parent = get(doc, p.slice(0, -1));
      if (Array.isArray(parent)) parent.splice(p[p.length - 1] as number, 1);
      else delete (parent as Record<string, unknown>)[p[p.length - 1] as string];
      return { doc, path: p, mustReject: requiredKey(doc0, p), namesPath: false };
    }
    case 'replace': {
      setAt(doc, p, m.value);
      const v = m.value;
      let must = false;
      if (ALWAYS_BAD.includes(v) || (typeof v === 'number' && (!Number.isSafeInteger(v) || v < 0))) must = true;
      if (numericSlot(p) && (typeof v === 'boolean' || (typeof v === 'string' && BAD_NUMBER_STRINGS.includes(v)))) must = true;
      if (numericSlot(p) && !u64Slot(p) && typeof v === 'string' && BAD_IN_LAYOUT.includes(v)) must = true;
      return { doc, path: p, mustReject: must && !underSchema, namesPath: must && !underSchema };
    }
    case 'unknownKey': {
      const target = old !== null && typeof old === 'object' && !Array.isArray(old) ? old : doc;
      const tp = target === old ? p : [];
      Object.defineProperty(target, m.key, { value: 1, enumerable: true, configurable: true, writable: true });
      // an added key inside "$schema" (a string there: the root gets it) is as unknown as any
      return { doc, path: tp, mustReject: !(tp[0] === '$schema'), namesPath: false };
    }
    case 'nest': {
      let v: unknown = old;
      for (let i = 0; i < m.depth; i++) v = [v];
      setAt(doc, p, v);
      return { doc, path: p, mustReject: !underSchema, namesPath: !underSchema && m.depth < 10_000 };
    }
    case 'rename': {
      // rename a VMA or a RAM / MMIO range and every reference to it: must stay equivalent
      const named = all.filter((q) => q.length === 3 && ['vmas', 'ram', 'mmio'].includes(String(q[0])) && q[2] === 'name');
      if (named.length === 0) return { doc, path: [], mustReject: false, namesPath: false };
      const q = named[m.at % named.length]!;
      const from = get(doc, q) as string;
      if (((doc[q[0] as string] as { name: string }[]) ?? []).some((x) => x.name === m.name)) return { doc, path: [], mustReject: false, namesPath: false };
      setAt(doc, q, m.name);
      for (const r of all) {
        const last = r[r.length - 1];
        if (get(doc, r) !== from) continue;
        if ((q[0] === 'vmas' && last === 'vma' && r[0] === 'requests') || (q[0] === 'mmio' && last === 'mmio' && r[0] === 'vmas')) setAt(doc, r, m.name);
      }
      return { doc, path: q, mustReject: false, namesPath: false };
    }
    case 'addFlag': {
      const vmas = (doc.vmas ?? []) as { flags?: string[] }[];
      if (vmas.length === 0) return { doc, path: [], mustReject: false, namesPath: false };
      const i = m.at % vmas.length;
      vmas[i]!.flags = [...(vmas[i]!.flags ?? []), m.flag];
      return { doc, path: ['vmas', i, 'flags'], mustReject: m.flag === 'VM_bogus', namesPath: m.flag === 'VM_bogus' };
    }
  }
}

/** Pages the map requests ask for: simulated only when small enough to be quick. */
const mapPages = (l: Layout): number => l.requests.reduce((s, r) => s + (r.op === 'map' && r.size < 2 ** 53 ? r.size / 4096 : 0), 0);

describe('property: fuzzed fixtures', () => {
  const stats = { rejected: 0, accepted: 0, simulated: 0, slowest: 0 };

  test('a mutated bundled fixture is refused with one line naming the file and where, or accepted and simulated correctly', (t) => {
    fc.assert(
      fc.property(fc.nat({ max: FIXTURES.length - 1 }), mutationArb, (fi, m) => {
        const fx = FIXTURES[fi]!;
        const a = apply(fx.doc, m);
        const what = `${fx.name} + ${JSON.stringify(m)} at ${pathText(a.path) || '(root)'}`;
        const res = parse(a.doc, what);
        stats.slowest = Math.max(stats.slowest, res.ms);
        assert.ok(res.ms < 15000, `${what}: took ${res.ms.toFixed(0)} ms`);
        if (!res.ok) {
          stats.rejected++;
          if (a.namesPath) {
            const here = pathText(a.path);
            const parent = pathText(a.path.slice(0, -1));
            assert.ok(res.error.message.includes(`${FILE}: ${here}`) || (parent !== '' && res.error.message.includes(`${FILE}: ${parent}`)),
              `${what}: the message does not name ${here}: ${res.error.message}`);
          } else {
            assert.match(res.error.message, WHERE, `${what}: the message does not say where: ${res.error.message}`);
          }
          return;
        }
        stats.accepted++;
        assert.ok(!a.mustReject, `${what}: accepted, but this input must be refused`);
        // accepted: a valid layout the kernel can be built from and, when small, runs correctly
        validateLayout(structuredClone(res.layout), (p) => (p === '' ? FILE : `${FILE}: ${p}`));
        // (fixed: RAM VMAs over 2^32 pages, and VM_IO / VM_PFNMAP on RAM VMAs, are now refused)
        let sim: ReturnType<typeof simulate> | null = null;
        if (mapPages(res.layout) > 1 << 18) new Kernel(res.layout, baseline);
        else sim = simulate(res.layout, baseline);
        if (sim === null) return;
        stats.simulated++;
        assert.ok(sim.oracle.ok, `${what}: accepted, but the baseline is UNSAFE: ${sim.oracle.detail}`);
        for (const c of sim.invariants) assert.ok(c.ok || c.severity === 'warn', `${what}: accepted, but ${c.name}: ${c.detail}`);
      }),
      params(400),
    );
    t.diagnostic(`fixture mutations: ${stats.rejected} refused, ${stats.accepted} accepted (${stats.simulated} simulated); ` +
      `slowest parse ${stats.slowest.toFixed(1)} ms`);
    assert.ok(stats.rejected > 100 && stats.accepted > 20 && stats.simulated > 10, 'coverage: too few refused or accepted mutations');
  });

  test('a RAM-backed VMA with any extra vm_flags: refused, or mapped correctly by every strategy', (t) => {
    let refused = 0;
    fc.assert(
      fc.property(
        fc.constantFrom('anon', 'thp', 'hugetlb'),
        fc.integer({ min: 1, max: 16 }), // size in 2 MiB
        fc.subarray(['VM_IO', 'VM_PFNMAP', 'VM_LOCKED', 'VM_SHARED', 'VM_DONTDUMP', 'VM_DONTEXPAND', 'VM_HUGEPAGE', 'VM_HUGETLB']),
        fc.nat(), fc.nat(), fc.constantFrom('rw', 'r'),
        (kind, mib2, flags, off, len, prot) => {
          const size = mib2 * 2 * 1024 * 1024;
          const offset = (off % (size / 4096)) * 4096;
          const pages = 1 + (len % ((size - offset) / 4096));
          const doc = {
            version: 1, name: 'flags', description: 'extra vm_flags on RAM',
            vmas: [{ name: 'ram', size, flags, backing: kind === 'hugetlb' ? { kind, pageSize: '2M' } : { kind } }],
            requests: [{ op: 'map', vaddr: { vma: 'ram', offset }, iova: '0', size: pages * 4096, prot }],
          };
          const res = parse(doc, JSON.stringify(doc));
          // VM_IO / VM_PFNMAP on a RAM VMA are refused (they once let 4.16 map kernel pages)
          if (flags.includes('VM_IO') || flags.includes('VM_PFNMAP')) {
            assert.ok(!res.ok, `${kind} with ${flags.join(',')}: accepted`);
            refused++;
            return;
          }
          if (!res.ok) return;
          for (const s of STRATEGIES) {
            const sim = simulate(res.layout, s);
            assert.ok(sim.oracle.ok, `${s.name}: ${kind} ${size} [${flags.join(',')}] map +${offset} ${pages} pages ${prot}: ${sim.oracle.detail}`);
            for (const c of sim.invariants) assert.ok(c.ok || c.severity === 'warn', `${s.name}: ${c.name}: ${c.detail}`);
          }
        },
      ),
      params(200),
    );
    t.diagnostic(`extra vm_flags on RAM: ${refused} layouts with VM_IO/VM_PFNMAP refused`);
  });

  test('every bad number, in every numeric slot of every bundled fixture, is refused naming that slot', (t) => {
    let n = 0;
    for (const fx of FIXTURES) {
      for (const p of nodes(fx.doc).filter(numericSlot)) {
        for (const v of [...ALWAYS_BAD, ...BAD_NUMBER_STRINGS, true, false, ...(u64Slot(p) ? [] : BAD_IN_LAYOUT)]) {
          const doc = structuredClone(fx.doc);
          setAt(doc, p, v);
          const what = `${fx.name} ${pathText(p)} = ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`;
          const res = parse(doc, what);
          assert.ok(!res.ok, `${what}: accepted`);
          assert.ok(res.error.message.startsWith(`${FILE}: ${pathText(p)}`) || res.error.message.startsWith(`${FILE}: ${pathText(p.slice(0, -1))}`),
            `${what}: the message does not name ${pathText(p)}: ${res.error.message}`);
          n++;
        }
      }
    }
    assert.ok(n > 2000, `only ${n} cases`);
    t.diagnostic(`${n} bad values refused, each naming its slot`);
  });

  test('a size or address written any equivalent way (number, decimal, hex, suffixes) gives the same layout', () => {
    const forms = (num: number): unknown[] => {
      const n = BigInt(num); // exact: every accepted value is an exact Number
      const out: unknown[] = [n.toString(), `0x${n.toString(16)}`, `0X${n.toString(16).toUpperCase()}`];
      if (num < 2 ** 53) out.push(num);
      for (const [suffix, shift] of [['K', 10n], ['M', 20n], ['G', 30n], ['T', 40n], ['P', 50n]] as const) {
        const m = n >> shift;
        if (n > 0n && m << shift === n) out.push(`${m}${suffix}`, `${m}${suffix.toLowerCase()}iB`, `0x${m.toString(16)}${suffix}iB`);
      }
      return out;
    };
    const slots = FIXTURES.flatMap((fx, fi) => nodes(fx.doc).filter((p) => {
      const v = get(fx.doc, p);
      return numericSlot(p) && p[p.length - 1] !== 'version' && (typeof v === 'number' || (typeof v === 'string' && /^(0x[0-9a-f]+|[0-9]+)([kmgtp](ib)?)?$/i.test(v)));
    }).map((p) => ({ fi, p })));
    fc.assert(
      fc.property(fc.nat({ max: slots.length - 1 }), fc.nat(), (si, fi2) => {
        const { fi, p } = slots[si]!;
        const fx = FIXTURES[fi]!;
        const original = parse(fx.doc, fx.name);
        assert.ok(original.ok, `${fx.name}: the bundled fixture itself is refused: ${original.ok ? '' : original.error.message}`);
        const value = (p[0] === 'requests' ? parseU64 : parseSize)(get(fx.doc, p), 'x', 'size');
        const alts = forms(value);
        const doc = structuredClone(fx.doc);
        setAt(doc, p, alts[fi2 % alts.length]);
        const res = parse(doc, `${fx.name} ${pathText(p)} = ${JSON.stringify(alts[fi2 % alts.length])}`);
        assert.ok(res.ok, `${fx.name} ${pathText(p)} = ${JSON.stringify(alts[fi2 % alts.length])}: refused: ${res.ok ? '' : res.error.message}`);
        // (compared as JSON: assert's diff of two whole layouts is slow while shrinking)
        const [x, y] = [JSON.stringify(res.layout), JSON.stringify(original.layout)];
        if (x !== y) {
          let i = 0;
          while (x[i] === y[i]) i++;
          assert.fail(`${fx.name} ${pathText(p)} = ${JSON.stringify(alts[fi2 % alts.length])}: a different layout: ...${x.slice(Math.max(0, i - 60), i + 60)}... instead of ...${y.slice(Math.max(0, i - 60), i + 60)}...`);
        }
      }),
      params(200),
    );
  });

  test('sizes near 2^53 and 2^64: parseSize and parseU64 return the exact value or refuse, never round', () => {
    const limit53 = 1n << 53n;
    const limit64 = 1n << 64n;
    const near = fc.oneof(
      fc.bigInt({ min: 0n, max: (1n << 70n) - 1n }),
      fc.bigInt({ min: -4096n, max: 4096n }).map((d) => limit53 + d),
      fc.bigInt({ min: -(1n << 13n), max: 1n << 13n }).map((d) => limit64 + d),
      fc.bigInt({ min: 0n, max: (1n << 52n) - 1n }).map((x) => (limit64 - 4096n) - x * 4096n), // page-aligned below 2^64
    ).filter((n) => n >= 0n);
    const SHIFTS = [['', 0n], ['K', 10n], ['M', 20n], ['G', 30n], ['T', 40n], ['P', 50n]] as const;
    fc.assert(
      fc.property(near, fc.nat({ max: SHIFTS.length - 1 }), fc.boolean(), (n0, si, hex) => {
        const [suffix, shift] = SHIFTS[si]!;
        const mant = n0 >> shift;
        const n = mant << shift;
        const text = `${hex ? `0x${mant.toString(16)}` : mant.toString()}${suffix}`;
        // parseSize: exact below 2^53, else refused
        let got: number | null = null;
        try {
          got = parseSize(text, 'x');
        } catch (e) {
          assertInputError(e, text, 'x');
        }
        if (n < limit53) assert.equal(got === null ? null : BigInt(got), n, `parseSize(${text})`);
        else assert.equal(got, null, `parseSize(${text}) accepted ${got}, beyond 2^53`);
        // parseU64: exact below 2^64 when the Number holds it exactly, else refused
        let u: number | null = null;
        try {
          u = parseU64(text, 'x', 'size');
        } catch (e) {
          assertInputError(e, text, 'x');
        }
        const exact = n < limit64 && BigInt(Number(n)) === n;
        if (exact) assert.equal(u === null ? null : BigInt(u), n, `parseU64(${text})`);
        else assert.equal(u, null, `parseU64(${text}) accepted ${u}: rounded or beyond 2^64`);
        if (u !== null) assert.equal(BigInt(u), n, `parseU64(${text}) rounded to ${u}`);
      }),
      params(500),
    );
  });

  test('ranges that end at or beyond 2^53 (VMA, RAM, MMIO) are refused, never wrapped or truncated', () => {
    const base = { version: 1, name: 'edge', description: 'edge' };
    const page = fc.bigInt({ min: 0n, max: (1n << 41n) - 1n }).map((p) => p * 4096n);
    fc.assert(
      fc.property(page, page, fc.constantFrom('vma', 'ram', 'mmio'), (a, b, kind) => {
        // start and size each below 2^53, their sum at or past it
        const start = (1n << 53n) - 4096n - (a % (1n << 45n));
        const size = (1n << 53n) - start + (b % (1n << 45n));
        const hx = (n: bigint) => `0x${n.toString(16)}`;
        const doc =
          kind === 'vma' ? { ...base, vmas: [{ name: 'v', start: hx(start), size: hx(size), backing: { kind: 'anon' } }] }
          : kind === 'ram' ? { ...base, ram: [{ name: 'r', base: hx(start), size: hx(size) }] }
          : { ...base, mmio: [{ name: 'm', base: hx(start), size: hx(size) }] };
        const res = parse(doc, `${kind} ${hx(start)}+${hx(size)}`);
        assert.ok(!res.ok, `${kind} [${hx(start)}, +${hx(size)}) ends at or beyond 2^53 but was accepted`);
        assert.match(res.error.message, /2\^53/, `the message should say why: ${res.error.message}`);
      }),
      params(200),
    );
  });
});

// --- files ----------------------------------------------------------------------------------------

function fakeIo(): Io & { outText: string; errText: string } {
  const io = {
    outText: '', errText: '',
    out(t: string) { io.outText += t; },
    err(t: string) { io.errText += t; },
    stdoutColor: false, stderrIsTTY: false, stderrColumns: 80, env: {},
  };
  return io;
}

/** validate <file> in-process: exit code, stderr, time. */
async function validateInProcess(path: string): Promise<{ code: number; err: string; ms: number }> {
  const io = fakeIo();
  const t0 = performance.now();
  const code = await main(['node', 'vfio-pin-bench', 'validate', path], io);
  return { code, err: io.errText, ms: performance.now() - t0 };
}

/** The message's lines (every error is one line: V8's JSON messages are folded by readJson()). */
function oneLine(err: string): string[] {
  return err.trimEnd().split('\n');
}

const INVALID_UTF8: number[][] = [[0xff], [0xfe, 0xff], [0xc0, 0x80], [0x80], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80]];

describe('property: fixture files', () => {
  const text = readFileSync(bundledFixtures().find((f) => f.name === 'small-mixed')!.path);

  test('bytes: invalid UTF-8, truncation and noise end as exit 2 with one line, or a fixture that runs', async (t) => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ k: fc.constant('utf8' as const), at: fc.nat(), bytes: fc.constantFrom(...INVALID_UTF8) }),
          fc.record({ k: fc.constant('cut' as const), at: fc.nat() }),
          fc.record({ k: fc.constant('noise' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
        ),
        async (m) => {
          const at = m.at % text.length;
          const bytes = m.k === 'cut' ? text.subarray(0, at) : Buffer.concat([text.subarray(0, at), Buffer.from(m.bytes), text.subarray(at)]);
          const path = join(TMP, `bytes-${n++}.json`);
          writeFileSync(path, bytes);
          const r = await validateInProcess(path);
          assert.ok(r.ms < 15000, `${JSON.stringify(m)}: took ${r.ms} ms`);
          if (r.code === 0) {
            // (fixed: invalid UTF-8 was decoded to U+FFFD and accepted)
            assert.ok(m.k !== 'utf8', `${JSON.stringify(m)}: invalid UTF-8 accepted`);
            // noise that still parses (inside a string, or whitespace) must give a fixture that runs
            simulate(loadFixture(path).layout, baseline);
            return;
          }
          assert.equal(r.code, 2, `${JSON.stringify(m)}: exit ${r.code}: ${r.err}`);
          const lines = oneLine(r.err);
          assert.equal(lines.length, 1, `${JSON.stringify(m)}: not one line: ${r.err}`);
          assert.ok(lines[0]!.startsWith(`${path}:`), `${JSON.stringify(m)}: does not name the file: ${r.err}`);
        },
      ),
      params(150),
    );
    t.diagnostic(`byte mutations: ${n} files`);
  });

  test('files that are not fixtures: each is exit 2, one line naming the file and the problem, no hang', async () => {
    const dir = join(TMP, 'a-directory.json');
    mkdirSync(dir);
    const big = join(TMP, 'fifty-megabytes.json');
    writeFileSync(big, Buffer.concat([Buffer.from('{"version":1,"name":"big","description":"big","vmas":['), Buffer.alloc(50 * 1024 * 1024, 0x20), Buffer.from(']}')]));
    const deepArr = join(TMP, 'deep-array.json');
    writeFileSync(deepArr, `{"version":1,"name":"deep","description":"deep","system":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    const deepUnclosed = join(TMP, 'deep-unclosed.json');
    writeFileSync(deepUnclosed, '['.repeat(1_000_000));
    const deepObj = join(TMP, 'deep-object.json');
    writeFileSync(deepObj, `{"version":1,"name":"deep","description":"deep","vmas":[{"name":"a","size":"4K","backing":${'{"kind":'.repeat(50_000)}"anon"${'}'.repeat(50_000)}}]}`);
    const empty = join(TMP, 'empty.json');
    writeFileSync(empty, '');
    const nul = join(TMP, 'nul.json');
    writeFileSync(nul, Buffer.alloc(64));
    const utf16 = join(TMP, 'utf16.json');
    writeFileSync(utf16, Buffer.from(`\uFEFF${text.toString('utf8')}`, 'utf16le'));
    const arrayTop = join(TMP, 'array.json');
    writeFileSync(arrayTop, '[1,2,3]');
    const cases: [string, string, RegExp][] = [
      ['a missing file', join(TMP, 'missing.json'), /cannot read: ENOENT/],
      ['a directory', dir, /cannot read: EISDIR/],
      ['a 50 MB file', big, /over the .* limit/],
      ['100,000 nested arrays', deepArr, /system: expected an object, got an array/],
      ['1,000,000 unclosed brackets', deepUnclosed, /invalid JSON/],
      ['50,000 nested objects', deepObj, /backing\.kind/],
      ['an empty file', empty, /invalid JSON/],
      ['NUL bytes', nul, /invalid JSON/],
      ['UTF-16', utf16, /not UTF-8/],
      ['a JSON array', arrayTop, /expected a JSON object at the top level/],
      // (fixed: the size check used statSync(), 0 for devices, and /dev/zero was read until Node aborted)
      ['a character device', '/dev/zero', /more than the .* limit/],
    ];
    for (const [what, path, re] of cases) {
      const r = await validateInProcess(path);
      assert.equal(r.code, 2, `${what}: exit ${r.code}: ${r.err}`);
      const lines = oneLine(r.err);
      assert.equal(lines.length, 1, `${what}: not one line: ${r.err}`);
      assert.ok(lines[0]!.startsWith(`${path}:`), `${what}: does not start with the file: ${r.err}`);
      assert.match(lines[0]!, re, `${what}: ${lines[0]}`);
      assert.ok(r.ms < 15000, `${what}: took ${r.ms.toFixed(0)} ms`);
    }
  });

  test('the bin, spawned: bad fixtures and bad flags end with exit 2, one line, no stack trace', async (t) => {
    const bad = join(TMP, 'bad-size.json');
    writeFileSync(bad, JSON.stringify({ version: 1, name: 'bad', description: 'bad', vmas: [{ name: 'a', size: '16 gigs', backing: { kind: 'anon' } }] }));
    const runs: [string[], RegExp][] = [
      [['validate', bad], /^.*bad-size\.json: vmas\[0\]\.size: expected a size like "16GiB", got "16 gigs"$/],
      [['validate', join(TMP, 'missing.json')], /cannot read: ENOENT/],
      [['validate', TMP], /cannot read: EISDIR/],
      [['run', '--no-timing', '--bar', '-1G'], /^--bar: expected a size like "16GiB", got "-1G"$/],
      [['run', '--no-timing', '--ram', '99999999T'], /^--ram: .*exceeds 2\^53/],
      [['run', '--no-timing', '-s', 'nope'], /unknown strategy "nope"/],
    ];
    const spawned = await Promise.all(runs.map(([args]) => new Promise<{ code: number; err: string; ms: number }>((resolve) => {
      const t0 = performance.now();
      execFile(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } }, (err, _out, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, err: stderr, ms: performance.now() - t0 });
      });
    })));
    spawned.forEach((r, i) => {
      const [args, re] = runs[i]!;
      assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}: ${r.err}`);
      // commander's own errors add its "(add --help for usage)" hint line; ours are one line
      const lines = r.err.trimEnd().split('\n').filter((l) => l !== '(add --help for usage)');
      assert.equal(lines.length, 1, `${args.join(' ')}: not one line: ${r.err}`);
      assert.match(lines[0]!, re, `${args.join(' ')}: ${lines[0]}`);
      assert.ok(!/\n\s+at /.test(r.err), `${args.join(' ')}: stack trace: ${r.err}`);
    });
    t.diagnostic(`spawned bin (${spawned.length} in parallel, node + tsx start-up included): ${spawned.map((r) => `${r.ms.toFixed(0)} ms`).join(', ')}`);
  });
});
