// Property tests of the what-if flags (layout/whatif.ts applyWhatIf, cli/options.ts): random
// combinations of good and bad --bar, --ram, --backing, --memlock, --cap-ipc-lock,
// --iommu-pgsizes, --disable-hugepages, --dma-entry-limit, --placement and --seed values, alone or on top of a
// bundled fixture, and random --strategy names. Every combination ends either as a valid layout
// the baseline maps correctly, or as one InputError line that starts with the flag it is about
// (the CLI prints it and exits 2); a bad value is never silently accepted.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidArgumentError } from 'commander';
import fc from 'fast-check';
import type { Io } from '../src/cli/io.ts';
import { parseStrategies } from '../src/cli/options.ts';
import { main } from '../src/cli/program.ts';
import type { Layout } from '../src/model/layout.ts';
import { loadFixture } from '../src/input/fixture.ts';
import { InputError } from '../src/model/errors.ts';
import { validateLayout } from '../src/input/validate.ts';
import { applyWhatIf } from '../src/input/whatif.ts';
import type { WhatIf } from '../src/input/whatif-flags.ts';
import { simulate } from '../src/run/simulate.ts';
import { STRATEGIES } from '../src/strategies/registry.ts';
import { params } from './arbitraries.ts';

const baseline = STRATEGIES.find((s) => s.name === 'baseline')!;
/** Small bundled fixtures to amend (a what-if on gpu-16g-bar would simulate 20 GiB). */
const BASES: (Layout | null)[] = [null, null, ...['small-mixed', 'errno-cases', 'rfc-pitfall-mid-vma'].map((n) => loadFixture(n).layout)];

// Each flag value: the text, whether it is bad on its own (must be refused whatever else is given),
// and whether that only shows once the layout is built (a zero size, a length that is not whole
// pages): then another flag's problem may be named first.
type V = { text: string; bad: boolean; late?: boolean };
const good = (...texts: string[]): fc.Arbitrary<V> => fc.constantFrom(...texts.map((text) => ({ text, bad: false })));
const bad = (...texts: string[]): fc.Arbitrary<V> => fc.constantFrom(...texts.map((text) => ({ text, bad: true })));
const late = (...texts: string[]): fc.Arbitrary<V> => fc.constantFrom(...texts.map((text) => ({ text, bad: true, late: true })));
const pick = (g: fc.Arbitrary<V>, b: fc.Arbitrary<V>): fc.Arbitrary<V> => fc.oneof({ arbitrary: g, weight: 4 }, { arbitrary: b, weight: 1 });

const BAD_SIZES = ['-1G', '1.5K', '', ' 4K', '4 K', '4KB', '16 gigs', '1e3', '010', '0x', 'NaN', '-0', '+4K', '99999999T', '8P', '0x20000000000000', '18446744073709551616'];

const barArb = pick(
  fc.tuple(fc.constantFrom('4K', '64K', '1M', '2M', '4M', '16M', '64M', '0x3000', '12288', '1m', '2MiB'), fc.constantFrom('', '@4K', '@2M', '@1G', '@64K', '@4k'))
    .map(([s, a]) => ({ text: s + a, bad: false })),
  fc.oneof(bad(...BAD_SIZES, '64M@', '@2M', '64M@3K', '64M@0', '64M@2M@4K', '64M@-2M', '1G@1.5M'), late('0', '3K', '4097')),
);
const ramArb = pick(good('2M', '4M', '6M', '16M', '64M', '0x400000'), fc.oneof(bad(...BAD_SIZES), late('0')));
const backingArb = pick(good('4k', 'thp', 'hugetlb-2m', 'hugetlb-1g', 'THP', '4K'), bad('hugetlb', '2m', 'anon', '', 'pfnmap', 'thp '));
const memlockArb = pick(good('unlimited', '0', '4M', '64M', '1G', '4096', '12345'), bad(...BAD_SIZES, 'Unlimited', 'infinity', 'none'));
const pgsizesArb = pick(
  good('4k,2m,1g', '4k', '4K,2M', '1g,4k', '4k,4k,2m', '4k,8k,16k,32k,64k', '2m', '0x1000'),
  bad('3k', '', '4k,,2m', '4k,', ',', '0', '-4k', '4k;2m', '4k 2m', '6k', '1.5m', '4k,3m'),
);
const placementArb = pick(
  good('contiguous', 'scattered', 'runs:4K', 'runs:64K', 'runs:2M', 'runs:1G', 'geometric:124K', 'geometric:2M', 'geometric:4K'),
  bad('runs:3K', 'runs:0', 'geometric:0', 'geometric:4097', 'runs', 'runs:', 'random', 'runs:4K:1', 'geometric:-1', 'Contiguous', 'runs:1.5K', 'scattered:4K'),
);
const dmaLimitArb = pick(good('0', '1', '65535', '4294967295', '100'), bad('-1', '4294967296', '1.5', 'x', '', '0x10', '01', '1K'));
const seedArb = pick(good('0', '1', '42', '4294967295', '0xffffffff'), bad('-1', '4294967296', '1.5', 'x', '', '99999999999999999999'));

interface FlagCase {
  base: number;
  bar: V[];
  ram?: V;
  backing?: V;
  memlock?: V;
  capIpcLock: boolean;
  iommuPgsizes?: V;
  disableHugepages: boolean;
  dmaEntryLimit?: V;
  placement?: V;
  seed?: V;
}

const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 3 });

const flagCaseArb: fc.Arbitrary<FlagCase> = fc.record({
  base: fc.nat({ max: BASES.length - 1 }),
  bar: fc.array(barArb, { maxLength: 3 }),
  ram: opt(ramArb),
  backing: opt(backingArb),
  memlock: opt(memlockArb),
  capIpcLock: fc.boolean(),
  iommuPgsizes: opt(pgsizesArb),
  disableHugepages: fc.boolean(),
  dmaEntryLimit: opt(dmaLimitArb),
  placement: opt(placementArb),
  seed: opt(seedArb),
});

/** The WhatIf applyWhatIf takes, and which flags carry a value that is bad on its own. */
function whatIf(c: FlagCase): { w: WhatIf; badFlags: Set<string>; early: Set<string>; text: string } {
  const w: WhatIf = {};
  const badFlags = new Set<string>();
  const early = new Set<string>();
  const argv: string[] = [];
  const set = (flag: string, key: keyof WhatIf, v: V | undefined) => {
    if (v === undefined) return;
    (w as Record<string, unknown>)[key] = v.text;
    if (v.bad) badFlags.add(flag);
    if (v.bad && !v.late) early.add(flag);
    argv.push(`${flag} ${JSON.stringify(v.text)}`);
  };
  if (c.bar.length > 0) {
    w.bar = c.bar.map((b) => b.text);
    if (c.bar.some((b) => b.bad)) badFlags.add('--bar');
    if (c.bar.some((b) => b.bad && !b.late)) early.add('--bar');
    for (const b of c.bar) argv.push(`--bar ${JSON.stringify(b.text)}`);
  }
  set('--ram', 'ram', c.ram);
  set('--backing', 'backing', c.backing);
  set('--memlock', 'memlock', c.memlock);
  if (c.capIpcLock) (w.capIpcLock = true), argv.push('--cap-ipc-lock');
  set('--iommu-pgsizes', 'iommuPgsizes', c.iommuPgsizes);
  if (c.disableHugepages) (w.disableHugepages = true), argv.push('--disable-hugepages');
  set('--dma-entry-limit', 'dmaEntryLimit', c.dmaEntryLimit);
  set('--placement', 'placement', c.placement);
  set('--seed', 'seed', c.seed);
  return { w, badFlags, early, text: argv.join(' ') };
}

const FLAG_OF = /^(--[a-z-]+|what-if): /;

describe('property: what-if flags', () => {
  test('any combination of flag values: a valid layout the baseline maps correctly, or one line naming a flag', (t) => {
    const st = { refused: 0, accepted: 0, simulated: 0 };
    fc.assert(
      fc.property(flagCaseArb, (c) => {
        const { w, badFlags, early, text } = whatIf(c);
        const base = BASES[c.base]!;
        const what = `${base === null ? '(no fixture)' : base.name} ${text}`;
        let layout: Layout;
        const t0 = performance.now();
        try {
          layout = applyWhatIf(base, w);
        } catch (e) {
          assert.ok(performance.now() - t0 < 1000, `${what}: took too long`);
          if (!(e instanceof InputError)) assert.fail(`${what}: threw ${(e as Error)?.stack ?? String(e)}`);
          st.refused++;
          assert.ok(!/[\r\n]/.test(e.message), `${what}: not one line: ${e.message}`);
          const m = FLAG_OF.exec(e.message);
          assert.ok(m !== null, `${what}: the message does not start with a flag: ${e.message}`);
          if (m[1] === 'what-if') {
            assert.ok(base === null && (w.bar ?? []).length === 0 && w.ram === undefined, `${what}: "what-if:" message, but --bar or --ram was given: ${e.message}`);
          } else {
            assert.ok(text.split(' ').includes(m[1]!), `${what}: names ${m[1]}, which was not given: ${e.message}`);
            // a value bad at parse time is named before anything found later
            if (early.size > 0) assert.ok(early.has(m[1]!), `${what}: names ${m[1]} although ${[...early].join(', ')} carries a bad value: ${e.message}`);
          }
          return;
        }
        st.accepted++;
        // (fixed: --placement runs:3K / runs:0 were accepted when the layout had no RAM VMA)
        if (badFlags.size > 0) assert.fail(`${what}: accepted, but ${[...badFlags].join(', ')} carries a bad value`);
        assert.ok(!(base === null && (w.bar ?? []).length === 0 && w.ram === undefined), `${what}: accepted without --bar, --ram or a fixture`);
        // a valid layout that runs
        validateLayout(structuredClone(layout), (p) => p);
        const pages = layout.requests.reduce((s, r) => s + (r.op === 'map' && r.size < 2 ** 53 ? r.size / 4096 : 0), 0);
        if (pages > 1 << 18) return;
        st.simulated++;
        const sim = simulate(layout, baseline);
        assert.ok(sim.oracle.ok, `${what}: baseline UNSAFE: ${sim.oracle.detail}`);
        for (const inv of sim.invariants) assert.ok(inv.ok || inv.severity === 'warn', `${what}: ${inv.name}: ${inv.detail}`);
      }),
      params(500),
    );
    t.diagnostic(`what-if flags: ${st.refused} refused, ${st.accepted} accepted (${st.simulated} simulated)`);
    assert.ok(st.refused > 50 && st.simulated > 50, 'coverage: too few refused or simulated flag combinations');
  });

  test('--strategy: any list is the registry names it holds, or an error naming the nearest valid one or listing them', () => {
    const names = STRATEGIES.map((s) => s.name);
    const part = fc.oneof(fc.constantFrom(...names, ...names.map((n) => ` ${n} `), ...names.map((n) => n.toUpperCase())), fc.string({ maxLength: 12 }), fc.constant(''));
    fc.assert(
      fc.property(fc.array(part, { maxLength: 4 }), (parts) => {
        const value = parts.join(',');
        const wanted = value.split(',').map((x) => x.trim()).filter((x) => x !== '');
        let got: string[] | null = null;
        try {
          got = parseStrategies(value);
        } catch (e) {
          assert.ok(e instanceof InvalidArgumentError, `${JSON.stringify(value)}: threw ${String(e)}`);
          // issue 13: a near miss names the nearest strategy (or --kernel for a release), else the list
          const hint = e.message.includes(names.join(', ')) || names.some((n) => e.message.endsWith(`did you mean "${n}"?`)) || /did you mean --kernel [\d.]+\?$/.test(e.message);
          assert.ok(!/[\r\n]/.test(e.message) && hint, `${JSON.stringify(value)}: ${e.message}`);
        }
        const valid = wanted.length > 0 && wanted.every((n) => names.includes(n));
        if (valid) assert.deepEqual(got, names.filter((n) => wanted.includes(n)), JSON.stringify(value));
        else assert.equal(got, null, `${JSON.stringify(value)} accepted as ${JSON.stringify(got)}`);
      }),
      params(300),
    );
  });

  test('the CLI (in-process): the issue\'s bad flags and unknown strategies end with exit 2 and one line naming the flag', async () => {
    const cases: [string[], RegExp][] = [
      [['--bar', '-1G'], /^--bar: expected a size like "16GiB", got "-1G"$/],
      [['--bar', '1.5K'], /^--bar: expected a size like "16GiB", got "1.5K"$/],
      [['--bar', '64M@3K'], /^--bar: expected a power of two of at least 4 KiB like "2M", got "3K"$/],
      [['--ram', '99999999T'], /^--ram: "99999999T" exceeds 2\^53 - 1/],
      [['--bar', '64M', '--iommu-pgsizes', '3k'], /^--iommu-pgsizes: expected a power of two of at least 4 KiB/],
      [['small-mixed', '--placement', 'runs:3K'], /^--placement: expected a run length that is a non-zero multiple of 4 KiB, got "3K"/],
      [['--ram', '64M', '--placement', 'runs:3K'], /^--placement: expected a run length that is a non-zero multiple of 4 KiB, got "3K"/],
      [['--ram', '64M', '--placement', 'runs:64K'], /^--placement: VMA "guest-ram": expected a run length as a non-zero multiple of the folio size/],
      [['--bar', '64M', '--seed', '-1'], /^--seed: expected /],
      [['--bar', '64M', '--seed', '4294967296'], /^--seed: expected a seed from 0 to 4294967295/],
      [['--bar', '64M', '--backing', 'hugetlb'], /^--backing: expected one of 4k, thp, hugetlb-2m, hugetlb-1g/],
      [['--bar', '64M', '-s', 'nope'], /unknown strategy "nope"; valid: /],
      [['--bar', '64M', '-s', 'baseline,rfcc'], /unknown strategy "rfcc"; did you mean "rfc"\?$/], // issue 13: the nearest name
      [['--bar', '64M', '-s', ','], /expected strategy names separated by commas/],
      [['--memlock', 'lots'], /^--memlock: expected a size like "16GiB", got "lots"$/],
      [['--bar', '64M', '--dma-entry-limit', '-1'], /^--dma-entry-limit: expected an integer from 0 to 4294967295 \(vfio_iommu_type1 dma_entry_limit\), got "-1"$/],
      [['--ram', '0'], /^--ram: vmas\[0\]\.size: expected a non-zero size, got 0$/],
    ];
    for (const [args, re] of cases) {
      const io: Io & { errText: string } = {
        errText: '', out() {}, err(t: string) { io.errText += t; },
        stdoutColor: false, stderrIsTTY: false, stderrColumns: 80, env: {},
      };
      const t0 = performance.now();
      const code = await main(['node', 'vfio-pin-bench', 'run', '--no-timing', '-q', ...args], io);
      const ms = performance.now() - t0;
      assert.equal(code, 2, `${args.join(' ')}: exit ${code}: ${io.errText}`);
      const lines = io.errText.trimEnd().split('\n').filter((l) => l !== '(add --help for usage)');
      assert.equal(lines.length, 1, `${args.join(' ')}: not one line: ${io.errText}`);
      assert.match(lines[0]!.replace(/^error: option '[^']+' argument '[^']*' is invalid\. /, ''), re, `${args.join(' ')}: ${lines[0]}`);
      assert.ok(ms < 1000, `${args.join(' ')}: took ${ms.toFixed(0)} ms`);
    }
  });
});
