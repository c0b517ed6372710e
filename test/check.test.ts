// `check`: kprobe_profile captures against the simulator. The captures here are built from the
// real-kernel measurements (shared/reference/real-kernel/README.md, transcribed in
// fixtures/real-kernel/counts.json): a "start" snapshot, then one snapshot per ioctl whose hits
// are the previous ones plus that ioctl's measured delta, in kprobe_profile's own line format
// ("  %-44s %15lu %15lu\n", kernel/trace/trace_kprobe.c probes_profile_seq_show()). Every
// compared row must come out equal on the matching kernel; one count changed must be found.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadFixture } from '../src/input/fixture.ts';
import { resolveKernel } from '../src/input/kernel-release.ts';
import { functionOfEvent, mergeCaptures, parseKprobeCapture, parseProbeDef } from '../src/input/kprobe-profile.ts';
import { rowDiffers } from '../src/model/check.ts';
import { InputError } from '../src/model/errors.ts';
import { cellText } from '../src/report/check/terminal.ts';
import { checkCapture, KPROBE_FUNCTIONS } from '../src/run/kprobe-check.ts';
import { kernelStrategy } from '../src/strategies/kernels.ts';
import { cli, inproc } from './bin.ts';

const FIX = new URL('../fixtures/real-kernel/', import.meta.url).pathname;
type Measured = { log: string; kernel: string; ioctls: Record<string, Record<string, number>> };
const measured = (JSON.parse(readFileSync(`${FIX}counts.json`, 'utf8')) as { captures: Measured[] }).captures;

const fixtureFor = (log: string): string =>
  log.startsWith('align21') ? 'qemu-tcg-1g-align21' : log.startsWith('prof-6.1-') ? 'qemu-tcg-4g-linux61' : 'qemu-tcg-4g';

const line = (event: string, hits: number, missed = 0): string => `  ${event.padEnd(44)} ${String(hits).padStart(15)} ${String(missed).padStart(15)}`;

interface BuildOptions {
  /** event name of a function (default: the function, as scripts/capture-kprobes.sh names it). */
  name?: (fn: string) => string;
  probes?: boolean;
  kernel?: boolean;
  /** change one delta: [column, function, by]. */
  damage?: [string, string, number];
}

/** A combined capture of one measured log: "== start" then one snapshot per ioctl. */
function buildCapture(m: Measured, o: BuildOptions = {}): string {
  const name = o.name ?? ((f: string) => f);
  const fns = Object.keys(Object.values(m.ioctls)[0]!);
  const total = new Map(fns.map((f, i) => [f, 1000 + 7 * i])); // arbitrary non-zero starting counts
  const out = ['# vfio-pin-bench kprobe capture'];
  if (o.kernel !== false) out.push(`# kernel: ${m.kernel}`);
  if (o.probes !== false) for (const f of fns) out.push(`# probe: p:vpb/${name(f)} ${f}`);
  const snap = (label: string): void => {
    out.push(`== ${label}`, ...fns.map((f) => line(name(f), total.get(f)!)));
  };
  snap('start');
  for (const [column, counts] of Object.entries(m.ioctls)) {
    for (const [f, n] of Object.entries(counts)) {
      const extra = o.damage && o.damage[0] === column && o.damage[1] === f ? o.damage[2] : 0;
      total.set(f, total.get(f)! + n + extra);
    }
    snap(column);
  }
  return `${out.join('\n')}\n`;
}

function check(text: string, m: Measured, withRelease = false) {
  const capture = parseKprobeCapture(text, m.log);
  const { release, version } = resolveKernel(undefined, capture.kernel, m.log);
  const fixture = fixtureFor(m.log);
  return checkCapture({
    capture, files: [m.log], layout: loadFixture(`${FIX}${fixture}.json`).layout, fixture,
    strategy: kernelStrategy(version), kernelRelease: release, withRelease,
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'vpb-check-'));
const write = (name: string, text: string): string => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

describe('check: every real-kernel count is equal on the matching kernel', () => {
  for (const m of measured) {
    test(`${m.log} (${m.kernel})`, () => {
      const r = check(buildCapture(m), m);
      assert.equal(r.steps.length, Object.keys(m.ioctls).length);
      const fns = Object.keys(Object.values(m.ioctls)[0]!);
      // every measured function but is_invalid_reserved_pfn (inlined in some builds) is compared
      const compared = r.rows.filter((row) => row.kind === 'compared').map((row) => row.function).sort();
      assert.deepEqual(compared, fns.filter((f) => f !== 'is_invalid_reserved_pfn').sort());
      for (const row of r.rows.filter((x) => x.kind === 'compared')) {
        row.cells.forEach((c, i) => assert.equal(c.measured, c.simulated, `${row.function} in ${r.steps[i]!.label}`));
      }
      assert.deepEqual(r.verdict, { equal: compared.length, differ: 0, notJudged: r.rows.length - compared.length });
      if (fns.includes('is_invalid_reserved_pfn')) {
        const inl = r.rows.find((x) => x.function === 'is_invalid_reserved_pfn')!;
        assert.equal(inl.kind, 'inlined');
        // 6.1 cold BAR map: 1,048,577 kprobe hits; the code calls it 2 * 1,048,576 + 1 times
        // (vaddr_get_pfns() per pfn, vfio_pin_pages_remote() per pfn, once more for the first)
        assert.deepEqual(inl.cells[0], { measured: 1048577, missed: 0, simulated: 2097153 });
      }
    });
  }

  test('auto-named events (p_FUNC_0, "echo p FUNC >> kprobe_events") without probe lines read the same', () => {
    const m = measured.find((x) => x.log === 'align21-6.18-1G.log')!;
    const r = check(buildCapture(m, { name: (f) => `p_${f}_0`, probes: false }), m);
    assert.equal(r.verdict.differ, 0);
    assert.equal(r.verdict.equal, 13);
    assert.deepEqual(r.rows.find((x) => x.function === 'vaddr_get_pfns')!.events, ['p_vaddr_get_pfns_0']);
  });

  test('one count changed by one is found, in its step and row only', () => {
    const m = measured.find((x) => x.log === 'prof-6.12-4G.log')!;
    const r = check(buildCapture(m, { damage: ['bar_map0', 'follow_pfnmap_start', 1] }), m);
    assert.deepEqual(r.verdict, { equal: 13, differ: 1, notJudged: r.verdict.notJudged });
    const bad = r.rows.filter(rowDiffers);
    assert.deepEqual(bad.map((x) => x.function), ['follow_pfnmap_start']);
    // 6.12 cold map of a 4 GiB BAR: N + 4 = 1,048,580 walks (one more after each of 4 pud faults)
    assert.deepEqual(bad[0]!.cells[0], { measured: 1048581, missed: 0, simulated: 1048580 });
    assert.equal(bad[0]!.cells.slice(1).filter((c) => c.measured !== c.simulated).length, 0);
    assert.equal(cellText(bad[0]!.cells[0]!), '1,048,581 (sim 1,048,580: +1)');
  });
});

describe('check: the capture format', () => {
  test('kprobe_profile lines as the kernel prints them; comments, blank lines and CRLF ignored', () => {
    const c = parseKprobeCapture(`# anything\r\n\r\n${line('vaddr_get_pfns', 12, 3)}\r\n${line('iommu_map', 0)}\n`, 'p');
    assert.equal(c.snapshots.length, 1);
    assert.equal(c.snapshots[0]!.label, 'p');
    assert.deepEqual(c.snapshots[0]!.entries.get('vaddr_get_pfns'), { event: 'vaddr_get_pfns', hits: 12, missed: 3, line: 3 });
  });

  test('probe lines as kprobe_events prints them (trace_kprobe_show()): group, module, clone, offset, return', () => {
    assert.deepEqual(parseProbeDef('p:vpb/vaddr_get_pfns vaddr_get_pfns', 'x'), { event: 'vaddr_get_pfns', symbol: 'vaddr_get_pfns', offset: 0, ret: false });
    assert.deepEqual(parseProbeDef('p:kprobes/x vfio_iommu_type1:vaddr_get_pfns.constprop.0', 'x'),
      { event: 'x', symbol: 'vaddr_get_pfns.constprop.0', offset: 0, ret: false });
    assert.deepEqual(parseProbeDef('p vfio_iommu_type1:vaddr_get_pfns', 'x').event, 'p_vfio_iommu_type1_vaddr_get_pfns_0');
    assert.deepEqual(parseProbeDef('r4:kprobes/y iommu_map', 'x'), { event: 'y', symbol: 'iommu_map', offset: 0, ret: true });
    const probes = [parseProbeDef('p:a/x vaddr_get_pfns.constprop.0', 'x'), parseProbeDef('p:a/y iommu_map+4', 'x'), parseProbeDef('p:a/z 0xffffffff81000000', 'x')];
    assert.deepEqual(functionOfEvent('x', probes), { fn: 'vaddr_get_pfns' });
    assert.match((functionOfEvent('y', probes) as { why: string }).why, /not at the function's entry/);
    assert.match((functionOfEvent('z', probes) as { why: string }).why, /address probe/);
    assert.deepEqual(functionOfEvent('p_iommu_map_0', []), { fn: 'iommu_map' });
  });

  const bad: [string, string, RegExp][] = [
    ['not a capture', 'hello world\n', /^x:1: not a kprobe_profile line: expected "<event> <hits> <missed hits>", got "hello world"$/],
    ['a truncated line', `${line('iommu_map', 1)}\n  vaddr_get_pfns    12\n`, /^x:2: not a kprobe_profile line/],
    ['a negative count', '  iommu_map  -1  0\n', /^x:1: not a kprobe_profile line/],
    ['an empty file', '', /^x: not a kprobe_profile capture: no "<event> <hits> <missed hits>" line in it$/],
    ['only comments', '# kernel: 6.12\n', /^x: not a kprobe_profile capture/],
    ['an event twice', `${line('iommu_map', 1)}\n${line('iommu_map', 2)}\n`, /^x:2: event iommu_map again in one snapshot \(first at line 1\)$/],
    ['a snapshot without lines', `== a\n== b\n${line('iommu_map', 1)}\n`, /^x:1: snapshot "a" has no kprobe_profile lines$/],
    ['a label twice', `== a\n${line('iommu_map', 1)}\n== a\n`, /^x:3: a second snapshot labelled "a"$/],
    ['two kernels', '# kernel: 6.1\n# kernel: 6.12\n', /^x:2: a second kernel "6.12" after "6.1"$/],
    ['a count above 2^53', `${line('iommu_map', 0).replace(/ 0 /, ' 99999999999999999 ')}\n`, /^x:1: not a kprobe_profile line|^x:1: count 99999999999999999 is above 2\^53 - 1$/],
    ['a bad probe line', `# probe: q:vpb/x x\n${line('iommu_map', 1)}\n`, /^x:1: not a kprobe_events line/],
  ];
  for (const [what, text, message] of bad) {
    test(`refused with the file and line: ${what}`, () => {
      assert.throws(() => parseKprobeCapture(text, 'x'), (e: unknown) => e instanceof InputError && message.test(e.message));
    });
  }

  test('snapshots must keep the same probes and never go back', () => {
    const m = measured.find((x) => x.log === 'align21-6.18-1G.log')!;
    const lost = `== a\n${line('iommu_map', 1)}\n${line('vaddr_get_pfns', 1)}\n== b\n${line('iommu_map', 2)}\n`;
    assert.throws(() => check(`# kernel: 6.18\n${lost}`, m), /vaddr_get_pfns \(align21-6\.18-1G\.log:4\) is missing from snapshot "b"/);
    const added = `== a\n${line('iommu_map', 1)}\n== b\n${line('iommu_map', 2)}\n${line('vaddr_get_pfns', 1)}\n`;
    assert.throws(() => check(`# kernel: 6.18\n${added}`, m), /:6: event vaddr_get_pfns is not in the snapshot before it/);
    const back = `== a\n${line('iommu_map', 5)}\n== b\n${line('iommu_map', 2)}\n`;
    assert.throws(() => check(`# kernel: 6.18\n${back}`, m), /:5: event iommu_map went down from 5 to 2 hits/);
  });

  test('steps pair with requests one to one, or one step with all of them; anything else is refused', () => {
    const m = measured.find((x) => x.log === 'align21-6.18-1G.log')!;
    const three = `== a\n${line('iommu_map', 0)}\n== b\n${line('iommu_map', 1)}\n== c\n${line('iommu_map', 1)}\n`;
    assert.throws(() => check(`# kernel: 6.18\n${three}`, m), /2 steps \(snapshots after the first\) but the fixture has 4 requests: give one step per request, or one step for all of them/);
    // one step over the whole probe: 1 + 1 maps (cold, warm), 2 iommu_map; 2 unmaps
    const one = `== a\n${line('iommu_map', 10)}\n${line('iommu_unmap_fast', 0)}\n== b\n${line('iommu_map', 12)}\n${line('iommu_unmap_fast', 2)}\n`;
    const r = check(`# kernel: 6.18\n${one}`, m);
    assert.equal(r.steps[0]!.requests.length, 4);
    assert.deepEqual(r.verdict, { equal: 2, differ: 0, notJudged: r.verdict.notJudged });
    // the simulator's other functions of the probe list show as not captured, never judged
    assert.ok(r.rows.filter((x) => x.kind === 'not-captured').every((x) => x.cells[0]!.measured === null));
  });

  test('--with-release: the container release is one more request', () => {
    const m = measured.find((x) => x.log === 'align21-6.18-1G.log')!;
    // a map of the whole 1 GiB BAR left mapped, then the program exits: vfio_unmap_unpin once
    const text = `# kernel: 6.18\n== a\n${line('vfio_unmap_unpin', 0)}\n${line('iommu_map', 0)}\n== b\n${line('vfio_unmap_unpin', 2)}\n${line('iommu_map', 2)}\n`;
    const r = check(text, m, true);
    assert.equal(r.steps[0]!.requests.at(-1)!.label, 'container release');
    // the probe's two unmaps leave nothing for the release: 2 vfio_unmap_unpin in all
    assert.equal(r.verdict.differ, 0);
  });

  test('nothing comparable is refused rather than passed', () => {
    const m = measured.find((x) => x.log === 'align21-6.18-1G.log')!;
    const text = `# kernel: 6.18\n== a\n${line('vfio_dma_do_map', 0)}\n== b\n${line('vfio_dma_do_map', 4)}\n`;
    assert.throws(() => check(text, m), /nothing to compare: none of the captured events \(vfio_dma_do_map\) is a function the simulator counts one to one/);
  });

  test('the probe list is the one scripts/capture-kprobes.sh adds', () => {
    const script = readFileSync(new URL('../scripts/capture-kprobes.sh', import.meta.url), 'utf8');
    const m = /^FUNCS_DEFAULT='([^']*)'/m.exec(script);
    assert.ok(m, 'FUNCS_DEFAULT in the script');
    assert.deepEqual(m[1]!.trim().split(/\s+/), [...KPROBE_FUNCTIONS]);
  });

  test('merging files keeps their order; two kernels are refused', () => {
    const a = parseKprobeCapture(`# kernel: 6.12\n${line('iommu_map', 1)}\n`, 'a');
    const b = parseKprobeCapture(`${line('iommu_map', 3)}\n`, 'b');
    const m = mergeCaptures([a, b]);
    assert.deepEqual(m.snapshots.map((s) => s.label), ['a', 'b']);
    assert.equal(m.kernel, '6.12');
    assert.throws(() => mergeCaptures([a, parseKprobeCapture('# kernel: 6.1\n  iommu_map 1 0\n', 'c')]), /: c: kernel 6\.1, but an earlier capture says 6\.12$/);
  });
});

describe('check: the command', () => {
  const m = measured.find((x) => x.log === 'align21-6.18-1G.log')!;
  const fixture = `${FIX}qemu-tcg-1g-align21.json`;

  test('a combined capture of the reference: all equal, exit 0', async () => {
    const r = await cli(['check', write('ok.txt', buildCapture(m)), '--fixture', fixture]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /all equal: 13 functions match in every step/);
    assert.match(r.stdout, /on Linux 6\.18 \(6\.18\.15\+deb13-amd64\)/);
  });

  test('before and after as two plain kprobe_profile files (no header): one step, --kernel needed', async () => {
    // the whole align21 probe in one step: 2 maps (cold, warm) and 2 unmaps of a 1 GiB BAR at 1 GiB + 2 MiB
    const before = write('before', `${line('vaddr_get_pfns', 5)}\n${line('iommu_iova_to_phys', 7)}\n`);
    const after = write('after', `${line('vaddr_get_pfns', 5 + 1024)}\n${line('iommu_iova_to_phys', 7 + 2 * 262144)}\n`);
    const noKernel = await inproc(['check', before, after, '--fixture', fixture]);
    assert.equal(noKernel.code, 2);
    assert.match(noKernel.stderr, /^--kernel: needed: .* does not say which kernel it was captured on/);
    const r = await inproc(['check', before, after, '--fixture', fixture, '--kernel', '6.18.15+deb13-amd64', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { verdict: { equal: number; differ: number } };
    assert.deepEqual([doc.verdict.equal, doc.verdict.differ], [2, 0]);
  });

  test('one count changed: exit 1, the row named', async () => {
    const r = await inproc(['check', write('bad.txt', buildCapture(m, { damage: ['bar_unmap1', 'iommu_iova_to_phys', -1] })), '--fixture', fixture]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /iommu_iova_to_phys .*262,143 \(sim 262,144: -1\).*DIFFERS/);
    assert.match(r.stdout, /DIFFERENT: 1 function differs, 12 equal/);
  });

  test('garbage: exit 2, one line naming the file and line, no stack', async () => {
    const p = write('garbage.txt', `${line('iommu_map', 1)}\n\n<html>\n`);
    const r = await inproc(['check', p, p, '--fixture', fixture, '--kernel', '6.18']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `${p}:3: not a kprobe_profile line: expected "<event> <hits> <missed hits>", got "<html>"\n`);
  });

  test('a kernel outside the simulator\'s range, and a missing --fixture: exit 2', async () => {
    const p = write('ok2.txt', buildCapture(m));
    const old = await inproc(['check', p, '--fixture', fixture, '--kernel', '3.10.0-1160.el7.x86_64']);
    assert.equal(old.code, 2);
    assert.equal(old.stderr, '--kernel: Linux 3.10 is outside the modelled releases 4.16 .. 6.18\n');
    const two = await inproc(['check', p, '--fixture', fixture, '--kernel', '6.1,6.18']);
    assert.equal(two.code, 2);
    assert.equal(two.stderr, '--kernel: one release, the captured host\'s, got 2\n');
    const noFixture = await inproc(['check', p]);
    assert.equal(noFixture.code, 2);
    assert.match(noFixture.stderr, /required option '-f, --fixture <fixture>' not specified/);
  });
});

describe('scripts/capture-kprobes.sh (against a fake tracefs: this machine has no kprobes)', () => {
  const SCRIPT = new URL('../scripts/capture-kprobes.sh', import.meta.url).pathname;
  const sh = (args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile('sh', [SCRIPT, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
      });
    });

  test('add, run, remove: probes named after their function, one file per step that check reads', async () => {
    const t = mkdtempSync(join(tmpdir(), 'vpb-tracefs-'));
    mkdirSync(join(t, 'events', 'vpb'), { recursive: true });
    writeFileSync(join(t, 'kprobe_events'), '');
    // a clone only (vaddr_get_pfns.constprop.0), a plain symbol, a module symbol; follow_pte absent
    writeFileSync(join(t, 'kallsyms'), ['ffffffff81000000 T iommu_map', 'ffffffffc0000010 t vaddr_get_pfns.constprop.0\t[vfio_iommu_type1]',
      'ffffffffc0000000 t vfio_pin_pages_remote\t[vfio_iommu_type1]', ''].join('\n'));
    writeFileSync(join(t, 'kprobe_profile'), `${line('vfio_pin_pages_remote', 3)}\n${line('vaddr_get_pfns', 10)}\n${line('iommu_map', 3)}\n${line('someone_elses', 1)}\n`);
    const env = { TRACEFS: t, KALLSYMS: join(t, 'kallsyms'), VPB_FUNCS: 'vfio_pin_pages_remote vaddr_get_pfns iommu_map follow_pte' };
    const out = join(t, 'capture');
    // the command changes the counts between the snapshots, as the DMA maps would
    const bump = `printf '%s\\n' '${line('vfio_pin_pages_remote', 4)}' '${line('vaddr_get_pfns', 11)}' '${line('iommu_map', 4)}' > ${join(t, 'kprobe_profile')}`;
    const r = await sh(['run', out, '--', 'sh', '-c', bump], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /note: vaddr_get_pfns is only in .*kallsyms as vaddr_get_pfns\.constprop\.0: probing that/);
    assert.match(r.stderr, /skipped follow_pte: not in .*kallsyms \(another era's name on this kernel, or inlined everywhere\)/);
    assert.equal(readFileSync(join(t, 'kprobe_events'), 'utf8'),
      'p:vpb/vfio_pin_pages_remote vfio_pin_pages_remote\np:vpb/vaddr_get_pfns vaddr_get_pfns.constprop.0\np:vpb/iommu_map iommu_map\n');
    assert.equal(readFileSync(join(t, 'events', 'vpb', 'enable'), 'utf8'), '1\n');
    const before = parseKprobeCapture(readFileSync(join(out, '01-before'), 'utf8'), '01-before');
    assert.deepEqual([...before.snapshots[0]!.entries.keys()], ['vfio_pin_pages_remote', 'vaddr_get_pfns', 'iommu_map']); // only its own events
    assert.deepEqual(before.probes.map((p) => [p.event, p.symbol]), [['vfio_pin_pages_remote', 'vfio_pin_pages_remote'],
      ['vaddr_get_pfns', 'vaddr_get_pfns.constprop.0'], ['iommu_map', 'iommu_map']]);
    assert.match(before.kernel ?? '', /^\d+\.\d+/);
    // check reads the two files: one step, all of the fixture's requests; here a 1 GiB BAR
    // mapped twice on 6.18 would be 2 vfio_pin_pages_remote, not 1: exit 1 with that row
    const c = await cli(['check', join(out, '01-before'), join(out, '02-after'), '--fixture', `${FIX}qemu-tcg-1g-align21.json`, '--kernel', '6.18']);
    assert.equal(c.code, 1, c.stderr);
    assert.match(c.stdout, /vfio_pin_pages_remote +│ +1 \(sim 2: -1\) │ DIFFERS/);
    const rm = await sh(['remove'], env);
    assert.equal(rm.code, 0, rm.stderr);
    assert.match(readFileSync(join(t, 'kprobe_events'), 'utf8'), /-:vpb\/vfio_pin_pages_remote\n-:vpb\/vaddr_get_pfns\n-:vpb\/iommu_map\n$/);
    assert.equal(readFileSync(join(t, 'events', 'vpb', 'enable'), 'utf8'), '0\n');
  });

  test('usage and a missing tracefs are exit 2 with one line', async () => {
    assert.equal((await sh([], {})).code, 2);
    const r = await sh(['add'], { TRACEFS: join(tmpdir(), 'no-such-tracefs') });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^capture-kprobes\.sh: .*no-such-tracefs\/kprobe_events is not writable: run as root\n$/);
  });

  test('shellcheck-clean (when shellcheck is installed)', async (t) => {
    const r = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile('shellcheck', [SCRIPT], (err, stdout, stderr) => resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, out: stdout + stderr }));
    });
    if (r.code === -1) return t.skip('shellcheck is not installed');
    assert.equal(r.code, 0, r.out);
  });
});
