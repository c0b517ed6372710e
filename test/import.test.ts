// `import smaps` and `import qemu-trace`. The smaps files are real: /proc/<pid>/smaps of QEMU 7.2
// TCG guests on this project's machine (fixtures/real/README.md says how each was made). The
// trace inputs are derived or hand-written in QEMU's documented format (fixtures/real/README.md).
// Each import must pass the fixture validator, and `run` must map it with the counts derived by
// hand below from the kernel code (docs/kernel-eras.md, shared/reference/real-kernel/README.md).

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseFixture } from '../src/input/fixture.ts';
import { parseQemuTrace } from '../src/input/qemu-trace.ts';
import { parseSmaps, readSmaps } from '../src/input/smaps.ts';
import { fixtureNameFor, smapsFixture } from '../src/input/smaps-fixture.ts';
import { traceFixture } from '../src/input/trace-fixture.ts';
import { kv } from '../src/kernel/eras.ts';
import type { Counters } from '../src/model/counters.ts';
import { InputError } from '../src/model/errors.ts';
import type { Layout } from '../src/model/layout.ts';
import { perIoctlCounters } from '../src/run/per-ioctl.ts';
import { kernelStrategy } from '../src/strategies/kernels.ts';
import { cli, inproc } from './bin.ts';

const REAL = new URL('../fixtures/real/', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'vpb-import-'));
const write = (name: string, text: string): string => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

function importSmaps(dir: string): Layout {
  const file = `${REAL}${dir}/smaps`;
  return parseFixture(smapsFixture(readSmaps(file), { file, name: fixtureNameFor(file) }), file);
}

/** Every request's counters on a release, summed. */
function totals(l: Layout, major: number, minor: number): Counters & { rets: number[] } {
  const per = perIoctlCounters(l, kernelStrategy(kv(major, minor)));
  const sum = { ...per[0]!.counters, rets: per.map((p) => p.ret) };
  for (const p of per.slice(1)) for (const k of Object.keys(p.counters) as (keyof Counters)[]) sum[k] += p.counters[k];
  return sum;
}

const N = 262144; // 1 GiB / 4 KiB

describe('import smaps: the real QEMU 7.2 captures', () => {
  // Each guest has 1 GiB of RAM: below q35's 2.75 GiB, so QEMU maps it all below 4 GiB; the
  // import maps the whole VMA at iova 0 (the real sections skip 640 KiB - 1 MiB: the trace import).
  // 5.12+ pin loop (6.12 and 6.18 alike): vaddr_get_pfns() fills a batch of up to 512 pages with
  // one pin_user_pages_remote(), and a batch outlives the physical runs that split it, so the
  // calls are N / 512 = 512 whatever the placement; every page is pinned once.
  const cases: [string, string, Record<string, number>][] = [
    // THP, prealloc=on: AnonHugePages = Rss = Size. 6.6+ GUP walks once per 2 MiB folio: 512;
    // each folio is 2 MiB aligned physically and at a 2 MiB aligned iova: 512 2 MiB IOMMU PTEs.
    ['qemu-7.2-thp-1g', 'thp', { vaddr_get_pfns: 512, pin_user_pages_remote: 512, pages_pinned: N, follow_page_mask: 512, handle_mm_fault: 0, iommu_ptes: 512 }],
    // hugetlbfs 2 MiB pages (KernelPageSize 2048 kB, VmFlags ht): the same walk and PTE counts
    ['qemu-7.2-hugetlbfs-2m-1g', 'hugetlb', { vaddr_get_pfns: 512, pin_user_pages_remote: 512, pages_pinned: N, follow_page_mask: 512, handle_mm_fault: 0, iommu_ptes: 512 }],
    // memfd (shmem THP off): 4 KiB folios, one walk each: N; runs of ~31 pages never hold an
    // aligned 2 MiB, so every IOMMU PTE is 4 KiB: N
    ['qemu-7.2-memfd-1g', 'anon', { vaddr_get_pfns: 512, pin_user_pages_remote: 512, pages_pinned: N, follow_page_mask: N, handle_mm_fault: 0, iommu_ptes: N }],
    // THP, no prealloc: Rss 6 MiB of 1 GiB, imported not populated: each 2 MiB is faulted in by
    // GUP (faultin_page -> do_huge_pmd_anonymous_page): 512 faults, each a walk before and after: 1024
    ['qemu-7.2-thp-1g-lazy', 'thp', { vaddr_get_pfns: 512, pin_user_pages_remote: 512, pages_pinned: N, handle_mm_fault: 512, do_huge_pmd_anonymous_page: 512, follow_page_mask: 1024, iommu_ptes: 512 }],
  ];
  for (const [dir, kind, want] of cases) {
    test(`${dir}: one ${kind} guest RAM VMA, mapped at iova 0 with the hand-derived counts`, () => {
      const l = importSmaps(dir);
      assert.equal(l.vmas.length, 1);
      assert.equal(l.vmas[0]!.backing.kind, kind);
      assert.equal(l.vmas[0]!.size, 2 ** 30);
      assert.deepEqual(l.requests.map((r) => [r.op, r.iova, r.size]), [['map', 0, 2 ** 30]]);
      for (const [major, minor] of [[6, 12], [6, 18]] as const) {
        const t = totals(l, major, minor);
        assert.deepEqual(t.rets, [0]);
        for (const [k, n] of Object.entries(want)) assert.equal(t[k as keyof Counters], n, `${dir} ${major}.${minor} ${k}`);
        // one iommu_map() per physically contiguous run, and one vfio_pin_pages_remote()
        assert.equal(t.iommu_map, t.vfio_pin_pages_remote);
      }
    });
  }

  test('the guesses are in the notes: populated or not, from Rss', () => {
    const notes = (dir: string): string[] => {
      const file = `${REAL}${dir}/smaps`;
      return (smapsFixture(readSmaps(file), { file, name: 'x' }) as { notes: string[] }).notes;
    };
    assert.ok(notes('qemu-7.2-thp-1g').some((n) => /^ram0: private anonymous, THP: AnonHugePages 1 GiB; Rss 1 GiB of 1 GiB \(100%\): populated: true$/.test(n)));
    assert.ok(notes('qemu-7.2-thp-1g-lazy').some((n) => /^ram0: .*Rss 6 MiB of 1 GiB \(0\.6%\): populated: false, MAP_DMA faults it in/.test(n)));
    assert.ok(notes('qemu-7.2-hugetlbfs-2m-1g').some((n) => /^ram0: hugetlbfs, 2 MiB pages/.test(n)));
    assert.ok(notes('qemu-7.2-memfd-1g').some((n) => /^ram0: shared memory \(\/memfd:memory-backend-memfd \(deleted\)\)/.test(n)));
    // the TCG code buffer (1 GiB, rwx, VmFlags hg) is not guest RAM, nor [vvar] (io pf, private) a BAR
    const l = importSmaps('qemu-7.2-thp-1g');
    assert.deepEqual(l.vmas.map((v) => v.name), ['ram0']);
  });

  test('--guest-ram replaces the guess; a VMA that is not there is refused', () => {
    const file = `${REAL}qemu-7.2-thp-1g/smaps`;
    const vmas = readSmaps(file);
    const vram = vmas.find((v) => v.end - v.start === 16 * 2 ** 20 && v.flags.includes('dc'))!; // QEMU's vga.vram block
    const j = smapsFixture(vmas, { file, name: 'x', guestRam: [vram.start] }) as { vmas: { name: string; size: string }[] };
    assert.deepEqual(j.vmas.map((v) => [v.name, v.size]), [['ram0', '16MiB']]);
    assert.throws(() => smapsFixture(vmas, { file, name: 'x', guestRam: [0x1000] }), /--guest-ram: no VMA starts at 0x1000 in /);
  });

  test('the command: a file written whole that validate accepts', async () => {
    const out = join(tmp, 'thp.json');
    const r = await cli(['import', 'smaps', `${REAL}qemu-7.2-thp-1g/smaps`, '--output', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, `wrote ${out}\n`);
    const v = await inproc(['validate', out]);
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout, `ok ${out}\n`);
    assert.equal((JSON.parse(readFileSync(out, 'utf8')) as { name: string }).name, 'qemu-7-2-thp-1g');
    // `run` on it: the registry's v5.12-batch (a 5.12 host: GUP walks every 4 KiB page, no folio
    // batching before 6.6): 512 pin_user_pages_remote() of 512 pages, 262,144 walks, the oracle ok
    const run = await inproc(['run', out, '--no-timing', '-s', 'v5.12-batch', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const s = (JSON.parse(run.stdout) as { fixtures: { strategies: { verdict: string; counters: { map: Record<string, number> } }[] }[] }).fixtures[0]!.strategies[0]!;
    assert.equal(s.verdict, 'ok');
    assert.deepEqual([s.counters.map.pin_user_pages_remote, s.counters.map.pages_pinned, s.counters.map.follow_page_mask], [512, N, N]);
  });
});

describe('import smaps: the BAR mmaps of a vfio-pci device (hand-written smaps)', () => {
  // fixtures/real/hand-written/gpu-16g-hugetlb-1g.smaps: 4 GiB of 1 GiB hugetlbfs pages, a 16 MiB
  // BAR0 and a 16 GiB BAR2 of /dev/vfio/devices/vfio0 (VmFlags io pf, MAP_SHARED), both mmapped
  // 1 GiB aligned, BAR2's offset column its region (2 << 40); and [vvar], io pf but private
  const file = `${REAL}hand-written/gpu-16g-hugetlb-1g.smaps`;
  test('guest RAM hugetlb 1 GiB; two BARs, untouched, at size-aligned host addresses; [vsyscall] left out', () => {
    const l = parseFixture(smapsFixture(readSmaps(file), { file, name: 'gpu' }), file);
    assert.deepEqual(l.vmas.map((v) => [v.name, v.backing.kind, v.size]), [
      ['ram0', 'hugetlb', 4 * 2 ** 30], ['bar0', 'pfnmap', 16 * 2 ** 20], ['bar1', 'pfnmap', 16 * 2 ** 30]]);
    assert.deepEqual(l.mmio.map((m) => [m.name, m.base % m.size]), [['bar0', 0], ['bar1', 0]]);
    assert.ok(l.vmas.filter((v) => v.backing.kind === 'pfnmap').every((v) => v.backing.kind === 'pfnmap' && !v.backing.touched));
    // 4 GiB >= 2.75 GiB: q35 keeps 2 GiB below 4 GiB, the rest at 4 GiB; BARs from 0x380000000000,
    // each aligned to its size (BAR2 at 16 GiB alignment: 0x380400000000)
    assert.deepEqual(l.requests.map((r) => [r.iova, r.size]), [[0, 2 ** 31], [2 ** 32, 2 ** 31], [0x380000000000, 2 ** 24], [0x380400000000, 2 ** 34]]);
  });
});

describe('import smaps: bad input, with the line', () => {
  const head = '7f0000000000-7f0000200000 rw-p 00000000 00:00 0 ';
  const body = 'Size:               2048 kB\nRss:                   0 kB\nVmFlags: rd wr mr mw me ac \n';
  const bad: [string, string, RegExp][] = [
    ['not smaps at all', 'hello\n', /^x:1: not an smaps VMA line: expected "start-end perms offset dev inode \[path\]", got "hello"$/],
    ['an empty file', '', /^x: not an smaps file: no VMA header line in it$/],
    ['/proc/<pid>/maps', `${head}\n${head.replace('7f0000000000-7f0000200000', '7f0000200000-7f0000400000')}\n`, /^x:1: VMA without a Size: line: this looks like \/proc\/<pid>\/maps; give \/proc\/<pid>\/smaps$/],
    ['a truncated header', '7f0000000000-7f00002 rw-p\n', /^x:1: not an smaps VMA line/],
    ['a truncated field', `${head}\nSize:\n`, /^x:2: not an smaps line: expected "Key: N kB" or "VmFlags: \.\.", got "Size:"$/],
    ['a cut-off VMA', `${head}\nSize:               2048 kB\n`, /^x:1: VMA without a VmFlags: line/],
    ['an unknown VmFlags mnemonic', `${head}\n${body.replace('ac', 'zz')}`, /^x:4: unknown VmFlags mnemonic "zz" \(known: rd wr ex/],
    ['a Size that is not the range', `${head}\n${body.replace('2048', '4096')}`, /^x:1: Size: says 4096 kB but the range is 2048 kB$/],
    ['overlapping VMAs', `${head}\n${body}${head.replace('7f0000000000', '7f0000100000').replace('7f0000200000', '7f0000300000')}\n${body}`,
      /^x:5: VMA 7f0000100000-7f0000300000 overlaps or comes before the VMA at line 1/],
    ['a field after VmFlags', `${head}\n${body}Rss: 0 kB\n`, /^x:5: "Rss:" after VmFlags:/],
  ];
  for (const [what, text, message] of bad) {
    test(what, () => {
      assert.throws(() => parseSmaps(text, 'x'), (e: unknown) => e instanceof InputError && message.test(e.message));
    });
  }

  test('the command: exit 2, one line, and no output file', async () => {
    const smaps = write('bad.smaps', `${head}\nSize:   2048 kB\nVmFlags: rd wr zz \n`);
    const out = join(tmp, 'never.json');
    const r = await inproc(['import', 'smaps', smaps, '--output', out]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `${smaps}:3: unknown VmFlags mnemonic "zz" (known: rd wr ex sh mr mw me ms gd pf dw lo io sr rr dc de ac nr ht sf nl ar wf dd sd mm hg nh mg mp bt mt um uw ui ur ss sl lf dp gu ??)\n`);
    assert.equal(existsSync(out), false);
    const flag = await inproc(['import', 'smaps', smaps, '--no-such-flag']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /unknown option '--no-such-flag'/);
  });
});

describe('import qemu-trace', () => {
  const dir = `${REAL}qemu-7.2-thp-1g/`;
  const trace = `${dir}vfio-trace.log`;
  const smaps = `${dir}smaps`;
  const fromTrace = (t: string, s = smaps): Layout =>
    parseFixture(traceFixture(parseQemuTrace(t, 'trace'), readSmaps(s), { file: s, trace: 'trace', name: 'x' }), 'x');

  test('the real capture\'s flat views: 13 maps and 8 unmaps in QEMU\'s order, all succeed', () => {
    const l = fromTrace(readFileSync(trace, 'utf8'));
    assert.deepEqual(l.vmas.map((v) => [v.name, v.size]), [['block0', 16 * 2 ** 20], ['ram0', 2 ** 30], ['block1', 128 * 1024], ['block2', 256 * 1024]]);
    assert.deepEqual(l.requests.map((r) => r.op[0]).join(''), 'mmmmmuummmmmmuuuuuumm');
    const t = totals(l, 6, 12);
    assert.ok(t.rets.every((r) => r === 0));
    // pages mapped: 160 + 32 + 32 + 261,888 + 64 (realize) + 10 + 3 + 27 + 8 + 16 + 4,096 (running)
    // + 32 + 32 (reset) = 266,400; one pin_user_pages_remote() per 512 pages or part of a map:
    // 1+1+1+512+1 + 1+1+1+1+1+8 + 1+1 = 531
    assert.equal(t.pages_pinned, 266400);
    assert.equal(t.pin_user_pages_remote, 531);
    // every unmap is one vfio_unmap_unpin(): 8
    assert.equal(t.vfio_unmap_unpin, 8);
  });

  test('the hand-written GPU: BARs mapped for peer-to-peer and unmapped, with the real-kernel rules\' counts', () => {
    const hw = `${REAL}hand-written/`;
    const l = fromTrace(readFileSync(`${hw}gpu-16g-hugetlb-1g.trace.log`, 'utf8'), `${hw}gpu-16g-hugetlb-1g.smaps`);
    const per = (major: number, minor: number) => perIoctlCounters(l, kernelStrategy(kv(major, minor)));
    const bar = (p: ReturnType<typeof per>, label: string) => p.find((x) => x.label.endsWith(label))!.counters;
    // 16 GiB BAR2, 1 GiB aligned, cold (N = 4,194,304 pages): 6.12 faults one pud leaf at a time
    // (16 faults), walks every pfn plus once after each fault; 6.18 steps a leaf per call
    const p612 = per(6, 12);
    const p618 = per(6, 18);
    assert.deepEqual([bar(p612, 'bar1').vaddr_get_pfns, bar(p612, 'bar1').follow_pfnmap_start, bar(p612, 'bar1').fixup_user_fault, bar(p612, 'bar1').vfio_pci_mmap_huge_fault], [4194304, 4194320, 16, 16]);
    assert.deepEqual([bar(p618, 'bar1').vaddr_get_pfns, bar(p618, 'bar1').follow_pfnmap_start, bar(p618, 'bar1').fixup_user_fault], [16, 32, 16]);
    // 16 MiB BAR0 in one 1 GiB slot: one pud attempt that falls back, then 8 pmd leaves: 9 huge
    // faults, 8 fixups; 6.12 walks 4,096 + 8, 6.18 8 + 8
    assert.deepEqual([bar(p612, 'bar0').vfio_pci_mmap_huge_fault, bar(p612, 'bar0').fixup_user_fault, bar(p612, 'bar0').follow_pfnmap_start], [9, 8, 4104]);
    assert.deepEqual([bar(p618, 'bar0').vaddr_get_pfns, bar(p618, 'bar0').follow_pfnmap_start], [8, 16]);
    // the unmaps at reset probe every 4 KiB page: 4,194,304 and 4,096 iommu_iova_to_phys()
    const unmaps = p612.filter((x) => x.label.endsWith('region_del'));
    assert.deepEqual(unmaps.map((u) => u.counters.iommu_iova_to_phys), [4194304, 4096]);
    assert.ok(p612.every((x) => x.ret === 0));
  });

  test('timestamps of older QEMUs ("tid@sec.usec:"), SKIPPING and other events are read or ignored', () => {
    const t = ['1234@1700000000.000001:vfio_listener_region_add_ram region_add [ram] 0x0 - 0x9ffff [0x7fb03be00000]',
      'vfio_listener_region_add_skip SKIPPING region_add 0xa0000 - 0xbffff', 'kvm_set_user_memory Slot#0 flags=0x0',
      'qemu-system-x86_64: warning: host doesn\'t support requested feature', ''].join('\n');
    const e = parseQemuTrace(t, 'x');
    assert.deepEqual(e.map((x) => x.kind), ['map', 'other', 'other']);
  });

  test('a ram_device section QEMU does not map (no_dma_map) is left out, and so is its region_del', () => {
    // synthetic: QEMU traces region_add, then finds the section not IOMMU-page aligned
    const base = readFileSync(trace, 'utf8').split('\n')[0]!;
    const t = [base,
      'vfio_listener_region_add_ram region_add [ram] 0xfd000000 - 0xfd7fffff [0x7fb03ac00000]',
      'vfio_listener_region_add_no_dma_map Region "0000:01:00.0 BAR 0 mmaps[0]" 0xfd000000 size=0x800000 is not aligned to 0x10000 and cannot be mapped for DMA',
      'vfio_listener_region_del region_del 0xfd000000 - 0xfd7fffff'].join('\n');
    const l = fromTrace(t);
    assert.deepEqual(l.requests.map((r) => [r.op, r.iova]), [['map', 0]]);
  });

  const bad: [string, string, RegExp][] = [
    ['not a trace', 'hello world\n', /^trace: not a QEMU vfio trace: no vfio_listener_region_add_ram or vfio_listener_region_del line/],
    ['a truncated add', 'vfio_listener_region_add_ram region_add [ram] 0x0 - 0x9ffff\n',
      /^trace:1: vfio_listener_region_add_ram: expected "region_add \[ram\] 0x<iova> - 0x<last iova> \[0x<vaddr>\]" \(hw\/vfio\/trace-events\), got "region_add \[ram\] 0x0 - 0x9ffff"$/],
    ['a truncated del', 'vfio_listener_region_add_ram region_add [ram] 0x0 - 0x9ffff [0x7fb03be00000]\nvfio_listener_region_del region_del 0x0 -\n', /^trace:2: vfio_listener_region_del: expected/],
    ['overlapping ranges', 'vfio_listener_region_add_ram region_add [ram] 0x0 - 0x9ffff [0x7fb03be00000]\nvfio_listener_region_add_ram region_add [ram] 0x80000 - 0x8ffff [0x7fb03be80000]\n',
      /^trace:2: region_add 0x80000 - 0x8ffff overlaps 0x0 - 0x9ffff mapped at line 1 and not deleted since: overlapping IOVA ranges$/],
    ['a vaddr in no VMA', 'vfio_listener_region_add_ram region_add [ram] 0x0 - 0x9ffff [0x1000]\n',
      /^trace:1: vaddr 0x1000 is in no VMA of .*smaps: the trace and the smaps must come from the same QEMU process$/],
    ['a section running past its VMA', 'vfio_listener_region_add_ram region_add [ram] 0x0 - 0x7fffffff [0x7fb03be00000]\n', /^trace:1: \[0x7fb03be00000, 0x7fb0bbe00000\) runs past the end of the VMA at /],
  ];
  for (const [what, text, message] of bad) {
    test(`refused: ${what}`, () => {
      assert.throws(() => fromTrace(text), (e: unknown) => e instanceof InputError && message.test(e.message));
    });
  }

  test('the command: the real capture\'s trace and smaps give a fixture validate accepts; a bad trace writes nothing', async () => {
    const out = join(tmp, 'trace.json');
    const r = await inproc(['import', 'qemu-trace', trace, '--smaps', smaps, '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await inproc(['validate', out])).code, 0);
    const badTrace = write('bad.log', 'vfio_listener_region_del region_del 0x0\n');
    const out2 = join(tmp, 'never2.json');
    const b = await inproc(['import', 'qemu-trace', badTrace, '--smaps', smaps, '-o', out2]);
    assert.equal(b.code, 2);
    assert.equal(b.stderr, `${badTrace}:1: vfio_listener_region_del: expected "region_del 0x<iova> - 0x<last iova>" (hw/vfio/trace-events), got "region_del 0x0"\n`);
    assert.equal(existsSync(out2), false);
    const noSmaps = await inproc(['import', 'qemu-trace', trace]);
    assert.equal(noSmaps.code, 2);
    assert.match(noSmaps.stderr, /required option '--smaps <file>' not specified/);
  });
});
