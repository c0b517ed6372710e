// Fixtures and what-if flags -> Layout: bundled fixtures, every validation error, what-if.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Layout } from '../src/model/layout.ts';
import { bundledFixtures } from '../src/input/bundled.ts';
import { loadFixture, parseFixture } from '../src/input/fixture.ts';
import { InputError } from '../src/model/errors.ts';
import { summarize } from '../src/run/summary.ts';
import { applyWhatIf } from '../src/input/whatif.ts';
import { hasWhatIf } from '../src/input/whatif-flags.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const PFNMAP_FLAGS = ['VM_READ', 'VM_WRITE', 'VM_SHARED', 'VM_IO', 'VM_PFNMAP', 'VM_DONTEXPAND', 'VM_DONTDUMP'];
const HUGETLB_FLAGS = ['VM_READ', 'VM_WRITE', 'VM_SHARED', 'VM_HUGETLB', 'VM_DONTEXPAND'];

function throwsInput(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
}

// A small valid fixture; each error test breaks one thing.
type Json = any;
const base = (): Json => ({
  version: 1, name: 't', description: 'd',
  mmio: [{ name: 'bar', base: '0x3b0000000000', size: '64M' }],
  vmas: [
    { name: 'a', start: '0x7f0000000000', size: '4M', backing: { kind: 'anon' } },
    { name: 'b', start: '0x7f0000400000', size: '64M', backing: { kind: 'pfnmap', mmio: 'bar' } },
  ],
  requests: [{ op: 'map', vaddr: { vma: 'a' }, iova: 0, size: 'whole' }],
});
const broken = (change: (j: Json) => void): Json => {
  const j = base();
  change(j);
  return j;
};
const bad = (change: (j: Json) => void, message: string): void =>
  throwsInput(() => parseFixture(broken(change), 'x.json'), `x.json: ${message}`);

test('bundled fixtures: the list, sorted, each with a description and its own name', () => {
  const all = bundledFixtures();
  assert.deepEqual(all.map((f) => f.name), [
    'bar-chunked', 'errno-cases', 'gpu-16g-bar', 'gpu-16g-bar-huge', 'mem-dma-map-4k', 'mem-dma-map-hugetlb', 'mem-dma-map-thp',
    'multi-gpu', 'rfc-pitfall-mid-vma', 'small-mixed', 'zero-page-shortcut',
  ]);
  for (const f of all) {
    const { layout, source } = loadFixture(f.name);
    assert.equal(source, `fixtures/${f.name}.json`);
    assert.equal(layout.name, f.name);
    assert.equal(layout.description, f.description);
    assert.ok(f.description.length > 20, f.name);
    assert.ok(f.path.endsWith(join('fixtures', `${f.name}.json`)), f.path);
  }
});

test('loadFixture by path keeps the path as the source', () => {
  const f = loadFixture('fixtures/small-mixed.json');
  assert.equal(f.source, 'fixtures/small-mixed.json');
  assert.equal(f.layout.name, 'small-mixed');
  assert.equal(loadFixture(bundledFixtures()[0]!.path).layout.name, 'bar-chunked');
});

test('gpu-16g-bar normalises as documented', () => {
  const l = loadFixture('gpu-16g-bar').layout;
  assert.deepEqual(l.system, {
    seed: 1, memlock: null, capIpcLock: false, disableHugepages: false, dmaEntryLimit: 65535, iommuType: 'type1v2',
    iommu: { pgsizes: [4096, 2 * MiB, GiB], fgsp: false },
  });
  assert.deepEqual(l.ram, [{ name: 'node0', base: 0x100000000, size: 8 * GiB }]);
  assert.deepEqual(l.mmio, [{ name: 'gpu0-bar1', base: 0x3b0000000000, size: 16 * GiB }]);
  assert.deepEqual(l.vmas, [
    { name: 'pc.ram', start: 0x7f0000000000, size: 4 * GiB, flags: ['VM_READ', 'VM_WRITE', 'VM_HUGEPAGE'], backing: { kind: 'thp', populated: true, placement: { policy: 'scattered' } } },
    { name: 'gpu0-bar1', start: 0x7f0400000000, size: 16 * GiB, flags: PFNMAP_FLAGS,
      backing: { kind: 'pfnmap', mmio: 'gpu0-bar1', offset: 0, touched: false } },
  ]);
  assert.deepEqual(l.requests, [
    { op: 'map', label: 'pc.ram below 4G', vaddr: 0x7f0000000000, iova: 0, size: 2 * GiB, read: true, write: true },
    { op: 'map', label: 'pc.ram above 4G', vaddr: 0x7f0080000000, iova: 0x100000000, size: 2 * GiB, read: true, write: true },
    { op: 'map', label: 'gpu0 BAR1 (p2p)', vaddr: 0x7f0400000000, iova: 0x380000000000, size: 16 * GiB, read: true, write: true },
  ]);
  assert.deepEqual(summarize(l), { ramBytes: 4 * GiB, barBytes: 16 * GiB, vmas: 2, requests: 3, mapBytes: 20 * GiB, mapPages: 5 * 1024 * 1024, seed: 1 });
});

test('mem-dma-map-* : 16 GiB mapped whole at iova 4 GiB, backing as the test program sets it up', () => {
  const expect: Record<string, [string[], unknown]> = {
    'mem-dma-map-4k': [['VM_READ', 'VM_WRITE', 'VM_SHARED'], { kind: 'anon', populated: true, placement: { policy: 'geometric', meanBytes: 31 * 4096 } }],
    'mem-dma-map-thp': [['VM_READ', 'VM_WRITE', 'VM_HUGEPAGE'], { kind: 'thp', populated: true, placement: { policy: 'scattered' } }],
    'mem-dma-map-hugetlb': [HUGETLB_FLAGS, { kind: 'hugetlb', pageSize: 2 * MiB, placement: { policy: 'scattered' } }],
  };
  for (const [name, [flags, backing]] of Object.entries(expect)) {
    const l = loadFixture(name).layout;
    assert.deepEqual(l.vmas, [{ name: 'map', start: 0x7f0000000000, size: 16 * GiB, flags, backing }], name);
    assert.deepEqual(l.requests, [{ op: 'map', label: '16 GiB at HIGH_MEM', vaddr: 0x7f0000000000, iova: 0x100000000, size: 16 * GiB, read: true, write: true }]);
    assert.deepEqual(l.ram, [{ name: 'ram0', base: 0x100000000, size: 16 * GiB }], name); // the default RAM range
  }
});

test('bar-chunked: 8 x 2 MiB, 3 x 1 GiB, 12 GiB whole, read-only, at iova 4 GiB + offset', () => {
  const l = loadFixture('bar-chunked').layout;
  assert.equal(l.vmas[0]!.flags.join('|'), 'VM_READ|VM_SHARED|VM_IO|VM_PFNMAP|VM_DONTEXPAND|VM_DONTDUMP');
  const maps = l.requests.map((r) => (r.op === 'map' ? [r.vaddr - 0x7f0000000000, r.iova - 0x100000000, r.size, r.read, r.write] : null));
  assert.deepEqual(maps, [
    ...[0, 1, 2, 3, 4, 5, 6, 7].map((k) => [k * 2 * MiB, k * 2 * MiB, 2 * MiB, true, false]),
    ...[1, 2, 3].map((k) => [k * GiB, k * GiB, GiB, true, false]),
    [4 * GiB, 4 * GiB, 12 * GiB, true, false],
  ]);
});

test('rfc-pitfall-mid-vma: the map starts mid-BAR and runs into the adjacent anon VMA', () => {
  const l = loadFixture('rfc-pitfall-mid-vma').layout;
  const [bar, heap] = l.vmas;
  assert.equal(bar!.start + bar!.size, heap!.start);
  assert.deepEqual(l.requests[0], { op: 'map', label: 'BAR tail + heap head', vaddr: 0x7f0008000000, iova: 0x380008000000, size: 256 * MiB, read: true, write: true });
  assert.equal(l.requests[0]!.op === 'map' && l.requests[0]!.vaddr + l.requests[0]!.size, heap!.start + 128 * MiB);
});

test('multi-gpu: 8 x 32 GiB BARs and 1 TiB of 1 GiB hugetlbfs', () => {
  const l = loadFixture('multi-gpu').layout;
  assert.equal(l.mmio.length, 8);
  assert.equal(l.mmio[7]!.base, 0x3b0000000000 + 7 * 64 * GiB);
  assert.deepEqual(l.vmas[0]!.backing, { kind: 'hugetlb', pageSize: GiB, placement: { policy: 'scattered' } });
  assert.equal(l.vmas.filter((v) => v.backing.kind === 'pfnmap' && v.size === 32 * GiB).length, 8);
  assert.deepEqual(l.requests.slice(0, 2).map((r) => [r.iova, r.size]), [[0, 2 * GiB], [0x100000000, 1022 * GiB]]);
  assert.equal(l.requests[9]!.iova, 0x380000000000 + 7 * 32 * GiB);
  assert.deepEqual(summarize(l), { ramBytes: 1024 * GiB, barBytes: 256 * GiB, vmas: 9, requests: 10, mapBytes: 1280 * GiB, mapPages: 1280 * 256 * 1024, seed: 1 });
});

test('small-mixed: auto placement, default RAM, map/unmap/re-map', () => {
  const l = loadFixture('small-mixed').layout;
  assert.deepEqual(l.vmas.map((v) => [v.name, v.start, v.size]), [
    ['anon-pop', 0x7f0000000000, 4 * MiB],
    ['anon-lazy', 0x7f0000401000, 4 * MiB], // + 4 KiB guard
    ['thp', 0x7f0000a00000, 9 * MiB], // aligned to 2 MiB
    ['huge2m', 0x7f0001400000, 8 * MiB], // hugetlb: aligned to its page size by default
    ['bar', 0x7f0001e00000, 64 * MiB],
  ]);
  assert.deepEqual(l.vmas[1]!.backing, { kind: 'anon', populated: false, placement: { policy: 'geometric', meanBytes: 31 * 4096 } });
  assert.deepEqual(l.vmas[3]!.flags, HUGETLB_FLAGS);
  assert.deepEqual(l.ram, [{ name: 'ram0', base: 0x100000000, size: GiB }]);
  assert.deepEqual(l.requests.map((r) => r.op), ['map', 'map', 'map', 'map', 'map', 'unmap', 'map', 'unmap']);
  assert.deepEqual(l.requests[5], { op: 'unmap', label: 'anon-lazy', iova: 0x400000, size: 4 * MiB });
  assert.deepEqual(l.requests[6], { op: 'map', label: 'anon-lazy read-only', vaddr: 0x7f0000401000, iova: 0x400000, size: 4 * MiB, read: true, write: false });
});

test('errno-cases: what the kernel must refuse passes validation unchanged', () => {
  const l = loadFixture('errno-cases').layout;
  assert.equal(l.system.memlock, 8 * MiB);
  const r = l.requests.map((q) => (q.op === 'map' ? [q.vaddr - 0x7f0000000000, q.iova, q.size, q.read, q.write] : [q.iova, q.size]));
  assert.deepEqual(r, [
    [0, 0x1001, 4096, true, true],
    [0x800, 0x10000, 4096, true, true],
    [0, 0x10000, 0x1800, true, true],
    [0, 0xfffffffffffff000, 8 * 1024, true, true], // iova + size - 1 wraps: the kernel's -EINVAL
    [0, 0x10000, 0, true, true],
    [0, 0x10000, 4096, false, false],
    [0, 0x100000, 4 * MiB, true, true],
    [4 * MiB, 0x200000, 2 * MiB, true, true],
    [0x7e0000000000 - 0x7f0000000000, 0x1000000, 64 * 1024, true, true],
    [4 * MiB, 0x2000000, 8 * MiB, true, true],
    [0x100000, 4 * MiB],
    [12 * MiB, 0x4000000, 8 * MiB, true, true],
  ]);
});

test('defaults: RAM sized with folio padding, auto start, prot "" and flags', () => {
  const l = parseFixture({
    version: 1, name: 'p', description: 'd',
    vmas: [
      { name: 'small', size: '4K', prot: 'r', flags: ['VM_LOCKED', 'VM_READ'], backing: { kind: 'anon', populated: false } },
      { name: 'huge', size: '1G', backing: { kind: 'hugetlb', pageSize: '1G' } },
    ],
    requests: [{ op: 'map', vaddr: '0x7f0000000000', iova: '0x1', size: '0x1', prot: '' }],
  }, 'p.json');
  assert.deepEqual(l.ram, [{ name: 'ram0', base: 0x100000000, size: 2 * GiB }]); // 4 KiB, pad to 1 GiB, 1 GiB
  assert.deepEqual(l.vmas.map((v) => [v.start, v.flags]), [
    [0x7f0000000000, ['VM_READ', 'VM_LOCKED']],
    [0x7f0040000000, HUGETLB_FLAGS],
  ]);
  assert.deepEqual(l.requests[0], { op: 'map', vaddr: 0x7f0000000000, iova: 1, size: 1, read: false, write: false });
});

test('not validation errors: the kernel answers these with an errno', () => {
  const j = base();
  j.requests = [
    { op: 'map', vaddr: '0x7f0000000800', iova: '0x801', size: '0x1801' }, // unaligned
    { op: 'map', vaddr: { vma: 'a' }, iova: 0, size: 0 }, // zero size
    { op: 'map', vaddr: { vma: 'a' }, iova: 0, size: '4K', prot: 'none' }, // prot none, overlapping iova
    { op: 'map', vaddr: '0x100000', iova: '0x10000000', size: '4K' }, // no VMA
    { op: 'map', vaddr: { vma: 'a', offset: '2M' }, iova: '0x20000000', size: '1G' }, // past the VMA
    { op: 'unmap', iova: '0x3', size: 0 },
  ];
  assert.equal(parseFixture(j, 'x.json').requests.length, 6);
});

test('validation errors: shape, types, keys', () => {
  bad((j) => { j.vmass = []; }, 'unknown key "vmass"; did you mean "vmas"? (allowed: $schema, version, name, description, notes, system, ram, mmio, vmas, requests)');
  bad((j) => { delete j.name; }, 'missing required key "name"');
  bad((j) => { j.version = 2; }, 'version: expected 1 (the only fixture format version), got 2');
  bad((j) => { j.version = '1'; }, 'version: expected 1 (the only fixture format version), got "1"');
  bad((j) => { j.name = 'GPU'; }, 'name: expected a name of lower-case letters, digits and "-" like "gpu-16g-bar", got "GPU"');
  bad((j) => { j.name = 7; }, 'name: expected a string, got 7');
  bad((j) => { j.description = ''; }, 'description: expected one non-empty line, got ""');
  bad((j) => { j.notes = 'guessed'; }, 'notes: expected an array, got "guessed"');
  bad((j) => { j.notes = ['ok', 'two\nlines']; }, 'notes[1]: expected one non-empty line, got "two\\nlines"');
  bad((j) => { j.notes = [3]; }, 'notes[0]: expected a string, got 3');
  bad((j) => { j.vmas = {}; }, 'vmas: expected an array, got an object');
  bad((j) => { j.vmas[0].sise = 1; }, 'vmas[0]: unknown key "sise"; did you mean "size"? (allowed: name, start, align, size, prot, flags, backing)');
  bad((j) => { delete j.vmas[1].backing; }, 'vmas[1]: missing required key "backing"');
  bad((j) => { j.vmas[1].size = '16 gigs'; }, 'vmas[1].size: expected a size like "16GiB", got "16 gigs"');
  bad((j) => { j.vmas[0].size = { value: 4096 }; }, 'vmas[0].size: expected a size like "16GiB", got an object');
  bad((j) => { j.vmas[0].name = 'a b'; }, 'vmas[0].name: expected a name of letters, digits, ".", "_" and "-", got "a b"');
  bad((j) => { j.vmas[0].backing.kind = 'shmem'; }, 'vmas[0].backing.kind: expected one of "anon", "thp", "hugetlb", "pfnmap", got "shmem"');
  bad((j) => { j.vmas[0].backing.mmio = 'bar'; }, 'vmas[0].backing: unknown key "mmio" (allowed: kind, populated, placement)');
  bad((j) => { j.vmas[0].backing.populated = 'yes'; }, 'vmas[0].backing.populated: expected true or false, got "yes"');
  bad((j) => { j.vmas[0].backing = { kind: 'hugetlb' }; }, 'vmas[0].backing: missing required key "pageSize"');
  bad((j) => { j.vmas[0].backing = { kind: 'hugetlb', pageSize: '4M' }; }, 'vmas[0].backing.pageSize: expected "2M" or "1G" (the x86-64 hugetlb page sizes), got "4M"');
  bad((j) => { j.vmas[1].backing.leafSize = '4M'; }, 'vmas[1].backing.leafSize: expected "4K", "2M" or "1G", got "4M"');
  bad((j) => { j.vmas[1].backing.populated = true; }, 'vmas[1].backing.populated: expected one of "mmap", "fault", got true');
  bad((j) => { j.vmas[0].flags = ['VM_FOO']; }, 'vmas[0].flags[0]: expected one of "VM_READ", "VM_WRITE", "VM_SHARED", "VM_IO", "VM_PFNMAP", "VM_HUGETLB", "VM_HUGEPAGE", "VM_DONTEXPAND", "VM_DONTDUMP", "VM_LOCKED", got "VM_FOO"');
  bad((j) => { j.vmas[0].prot = 'rx'; }, 'vmas[0].prot: expected one of "rw", "r", "w", "none", "", got "rx"');
  bad((j) => { j.vmas[0].align = '2M'; }, 'vmas[0].align: "align" goes with "start": "auto" only, got start "0x7f0000000000"');
  bad((j) => { j.vmas[0].start = 'auto'; j.vmas[0].align = '3M'; }, 'vmas[0].align: expected a power of two of at least 4 KiB like "2M", got "3M"');
  bad((j) => { j.requests[0].op = 'mapp'; }, 'requests[0].op: expected one of "map", "unmap", got "mapp"');
  bad((j) => { j.requests.push({ op: 'unmap', iova: 0, size: '4K', prot: 'r' }); }, 'requests[1]: unknown key "prot" (allowed: op, label, iova, size, flags, argsz)');
  bad((j) => { delete j.requests[0].iova; }, 'requests[0]: missing required key "iova"');
  bad((j) => { j.requests[0].iova = '-1'; }, 'requests[0].iova: expected an address like "0x7f0000000000", got "-1"');
  bad((j) => { j.requests[0].size = '1.5K'; }, 'requests[0].size: expected a size like "16GiB", got "1.5K"');
  bad((j) => { j.requests[0].vaddr = [1]; }, 'requests[0].vaddr: expected an object, got an array');
  bad((j) => { j.requests[0].vaddr = '0x7f0000000000'; }, 'requests[0].size: "whole" needs "vaddr": { "vma": ... } to say whose whole');
  bad((j) => { j.requests[0].label = 3; }, 'requests[0].label: expected a string, got 3');
  throwsInput(() => parseFixture([1], 'x.json'), 'x.json: expected a JSON object at the top level, got an array');
});

test('validation errors: system', () => {
  bad((j) => { j.system = { pageSize: 65536 }; }, 'system.pageSize: only 4096 (4 KiB pages, as on x86-64) is supported, got 65536');
  bad((j) => { j.system = { pageSize: '64K' }; }, 'system.pageSize: only 4096 (4 KiB pages, as on x86-64) is supported, got "64K"');
  bad((j) => { j.system = { memlock: 'lots' }; }, 'system.memlock: expected a size like "16GiB", got "lots"');
  bad((j) => { j.system = { capIpcLock: 1 }; }, 'system.capIpcLock: expected true or false, got 1');
  bad((j) => { j.system = { iommu: { pgsizes: ['4K', '3K'] } }; }, 'system.iommu.pgsizes[1]: expected a power of two of at least 4 KiB like "2M", got "3K"');
  bad((j) => { j.system = { iommu: { pgsizes: ['1K'] } }; }, 'system.iommu.pgsizes[0]: expected a power of two of at least 4 KiB like "2M", got "1K"');
  bad((j) => { j.system = { iommu: { pgsizes: [] } }; }, 'system.iommu.pgsizes: expected at least one page size like ["4K", "2M", "1G"], got []');
  bad((j) => { j.system = { iommu: { sizes: [] } }; }, 'system.iommu: unknown key "sizes" (allowed: pgsizes, fgsp)');
  const l = parseFixture(broken((j) => { j.system = { pageSize: '4K', memlock: 'unlimited', iommu: { pgsizes: ['1G', '4K', '4k'], fgsp: true } }; }), 'x.json');
  assert.deepEqual(l.system.iommu, { pgsizes: [4096, GiB], fgsp: true });
  assert.equal(l.system.memlock, null);
});

test('validation errors: names, alignment, overlap, backing', () => {
  bad((j) => { j.vmas[1].name = 'a'; }, 'vmas[1].name: duplicate name "a" (also vmas[0])');
  bad((j) => { j.ram = [{ name: 'bar', base: '0x100000000', size: '1G' }]; }, 'mmio[0].name: duplicate name "bar" (also ram[0])');
  bad((j) => { j.vmas[0].size = 4097; }, 'vmas[0].size: expected a multiple of 4 KiB, got 4097 bytes');
  bad((j) => { j.vmas[0].start = '0x7f0000000800'; }, 'vmas[0].start: expected a multiple of 4 KiB, got 0x7f0000000800');
  bad((j) => { j.vmas[0].size = 0; j.requests = []; }, 'vmas[0].size: expected a non-zero size, got 0');
  bad((j) => { j.ram = [{ name: 'r', base: '0x100000800', size: '1G' }]; }, 'ram[0].base: expected a multiple of 4 KiB, got 0x100000800');
  bad((j) => { j.mmio[0].size = '0x1800'; }, 'mmio[0].size: expected a multiple of 4 KiB, got 6144 bytes');
  bad((j) => { j.vmas[0] = { name: 'a', start: '0x7f0000100000', size: '4M', backing: { kind: 'hugetlb', pageSize: '2M' } }; },
    'vmas[0].start: expected a multiple of the hugetlb page size 2 MiB, got 0x7f0000100000');
  bad((j) => { j.vmas[0] = { name: 'a', start: '0x7f0000000000', size: '3M', backing: { kind: 'hugetlb', pageSize: '2M' } }; },
    'vmas[0].size: expected a multiple of the hugetlb page size 2 MiB, got 3145728 bytes');
  // thp may be any 4 KiB multiple, anywhere 4 KiB aligned
  assert.equal(parseFixture(broken((j) => { j.vmas[0].start = '0x7f0000001000'; j.vmas[0].size = '0x3ff000'; j.vmas[0].backing = { kind: 'thp' }; }), 'x.json').vmas[0]!.size, 0x3ff000);
  bad((j) => { j.vmas[1].start = '0x7f0000200000'; },
    'vmas[1]: VMA "b" [0x7f0000200000, 0x7f0004200000) overlaps VMA "a" [0x7f0000000000, 0x7f0000400000)');
  bad((j) => { j.vmas[0].start = '0x7f0002000000'; },
    'vmas[0]: VMA "a" [0x7f0002000000, 0x7f0002400000) overlaps VMA "b" [0x7f0000400000, 0x7f0004400000)');
  bad((j) => { j.ram = [{ name: 'ram0', base: '0x3b0002000000', size: '1G' }]; },
    'ram[0]: RAM range "ram0" [0x3b0002000000, 0x3b0042000000) overlaps MMIO range "bar" [0x3b0000000000, 0x3b0004000000)');
  bad((j) => { j.ram = [{ name: 'r0', base: '0x100000000', size: '2G' }, { name: 'r1', base: '0x140000000', size: '1G' }]; },
    'ram[1]: RAM range "r1" [0x140000000, 0x180000000) overlaps RAM range "r0" [0x100000000, 0x180000000)');
  bad((j) => { j.ram = [{ name: 'low', base: '0x80000000', size: '1G' }]; },
    'ram[0]: RAM range "low" [0x80000000, 0xc0000000) overlaps the model\'s host RAM [0x0, 0x100000000) (kept by the simulated kernel: kernel image, zero page); place it at or above 0x100000000');
  bad((j) => { j.mmio[0].base = '0xfe000000'; },
    'mmio[0]: MMIO range "bar" [0xfe000000, 0x102000000) overlaps the model\'s host RAM [0x0, 0x100000000) ' +
    '(kept by the simulated kernel: kernel image, zero page); place it at or above 0x100000000');
  bad((j) => { j.vmas[1].backing.mmio = 'gpu'; }, 'vmas[1].backing.mmio: no MMIO range named "gpu" (MMIO ranges: bar)');
  bad((j) => { j.vmas[1].backing.offset = '4K'; },
    'vmas[1].backing.offset: offset 0x1000 + VMA size 64 MiB runs past the end of MMIO range "bar" (64 MiB)');
  bad((j) => { j.vmas[1].size = '32M'; j.vmas[1].backing.offset = '0x800'; }, 'vmas[1].backing.offset: expected a multiple of 4 KiB, got 2048 bytes');
});

test('validation errors: requests naming VMAs, RAM fit, 2^53 for the layout, 2^64 for requests', () => {
  bad((j) => { j.requests[0].vaddr.vma = 'zz'; }, 'requests[0].vaddr.vma: no VMA named "zz" (VMAs: a, b)');
  bad((j) => { j.requests[0].vaddr.offset = '4M'; }, 'requests[0].vaddr.offset: offset 0x400000 is past the end of VMA "a" (4 MiB)');
  bad((j) => { j.ram = [{ name: 'r', base: '0x100000000', size: '2M' }]; },
    'vmas[0]: VMA "a" does not fit in RAM: the RAM-backed VMAs up to it need 4 MiB in folio-aligned regions, the RAM ranges hold 2 MiB ' +
    '(first fit in VMA order; a region does not span two ranges)');
  // 2 x 2 MiB of RAM, but a 4 MiB hugetlb region cannot span both ranges
  bad((j) => {
    j.ram = [{ name: 'r0', base: '0x100000000', size: '2M' }, { name: 'r1', base: '0x100400000', size: '2M' }];
    j.vmas[0].backing = { kind: 'hugetlb', pageSize: '2M' };
  }, 'vmas[0]: VMA "a" does not fit in RAM: the RAM-backed VMAs up to it need 4 MiB in folio-aligned regions, the RAM ranges hold 4 MiB ' +
    '(first fit in VMA order; a region does not span two ranges)');
  bad((j) => { j.vmas[0].start = '0x1fffffffc00000'; j.requests = []; },
    'vmas[0]: VMA "a" ends at or beyond 2^53, the limit of exact addresses this tool handles');
  bad((j) => { j.mmio[0].base = '0x1ffffffc000000'; },
    'mmio[0]: MMIO range "bar" ends at or beyond 2^53, the limit of exact addresses this tool handles');
  // DMA requests are the kernel's __u64 fields: up to 2^64 - 1 (wrapping is the kernel's -EINVAL),
  // exactly representable above 2^53 (page-aligned values are), never rounded.
  bad((j) => { j.requests[0].iova = '0x10000000000000000'; }, 'requests[0].iova: "0x10000000000000000" does not fit the kernel\'s __u64');
  bad((j) => { j.requests[0].iova = '0x20000000000001'; },
    'requests[0].iova: "0x20000000000001" is above 2^53 and not exactly representable here; use a page-aligned value');
  bad((j) => { j.requests[0].size = 2 ** 60; }, 'requests[0].size: 1152921504606847000 exceeds 2^53 - 1, the largest exact address this tool handles');
  const j = base();
  j.requests.push({ op: 'unmap', iova: '0xfffffffffffff000', size: '8K' }, { op: 'map', vaddr: '0xfffffffffffff000', iova: 0, size: '8K' });
  const l = parseFixture(j, 'x.json');
  assert.deepEqual(l.requests.slice(1).map((r) => [r.iova, r.size]), [[2 ** 64 - 4096, 8192], [0, 8192]]);
});

test('file errors: missing, directory, invalid JSON, too large, unknown bundled name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vpb-layout-'));
  const missing = join(dir, 'missing.json');
  throwsInput(() => loadFixture(missing), `${missing}: cannot read: ENOENT: no such file or directory`);
  mkdirSync(join(dir, 'sub.json'));
  throwsInput(() => loadFixture(join(dir, 'sub.json')), `${join(dir, 'sub.json')}: cannot read: EISDIR: illegal operation on a directory`);
  const invalid = join(dir, 'invalid.json');
  const text = '{"version": 1,\n';
  writeFileSync(invalid, text);
  let parserMessage = '';
  try {
    JSON.parse(text);
  } catch (e) {
    parserMessage = (e as Error).message;
  }
  throwsInput(() => loadFixture(invalid), `${invalid}: invalid JSON: ${parserMessage}`);
  const big = join(dir, 'big.json');
  writeFileSync(big, ' '.repeat(10 * MiB + 1));
  throwsInput(() => loadFixture(big), `${big}: file is 10485761 bytes, over the 10 MiB (10485760 bytes) limit for fixtures`);
  const ok = join(dir, 'ok.json');
  writeFileSync(ok, `\uFEFF${JSON.stringify(base())}`);
  assert.deepEqual(loadFixture(ok), { layout: parseFixture(base(), ok), source: ok, file: ok });
  throwsInput(() => loadFixture('gpu-16g'), 'unknown fixture "gpu-16g"; bundled fixtures are bar-chunked, errno-cases, gpu-16g-bar, gpu-16g-bar-huge, ' +
    'mem-dma-map-4k, mem-dma-map-hugetlb, mem-dma-map-thp, multi-gpu, rfc-pitfall-mid-vma, small-mixed, zero-page-shortcut (or give a path to a .json file)');
});

test('what-if: --bar 64G alone builds one 64 GiB pfnmap VMA mapped whole', () => {
  const l = applyWhatIf(null, { bar: ['64G'] });
  assert.equal(l.name, 'what-if');
  assert.equal(l.description, '--bar 64G');
  assert.deepEqual(l.mmio, [{ name: 'bar0', base: 0x3b0000000000, size: 64 * GiB }]);
  assert.deepEqual(l.vmas, [{ name: 'bar0', start: 0x7f0000000000, size: 64 * GiB, flags: PFNMAP_FLAGS,
    backing: { kind: 'pfnmap', mmio: 'bar0', offset: 0, touched: false } }]);
  assert.deepEqual(l.requests, [{ op: 'map', label: 'bar0 (--bar 64G)', vaddr: 0x7f0000000000, iova: 0x380000000000, size: 64 * GiB, read: true, write: true }]);
  assert.deepEqual(l.ram, []);
  assert.deepEqual(summarize(l), { ramBytes: 0, barBytes: 64 * GiB, vmas: 1, requests: 1, mapBytes: 64 * GiB, mapPages: 16 * 1024 * 1024, seed: 1 });
});

test('what-if: --ram with --bar, q35 split, knobs', () => {
  const l = applyWhatIf(null, { ram: '16G', bar: ['16G', '256M@256M'], backing: 'hugetlb-1g', memlock: '1G', capIpcLock: true, iommuPgsizes: '4k,2m', disableHugepages: true });
  assert.equal(l.description, '--bar 16G --bar 256M@256M --ram 16G --backing hugetlb-1g --memlock 1G --cap-ipc-lock --iommu-pgsizes 4k,2m --disable-hugepages');
  assert.deepEqual(l.system, {
    seed: 1, memlock: GiB, capIpcLock: true, disableHugepages: true, dmaEntryLimit: 65535, iommuType: 'type1v2',
    iommu: { pgsizes: [4096, 2 * MiB], fgsp: false },
  });
  assert.deepEqual(l.ram, [{ name: 'ram0', base: 0x100000000, size: 16 * GiB }]);
  assert.deepEqual(l.mmio.map((r) => [r.name, r.base]), [['bar0', 0x3b0000000000], ['bar1', 0x3b0400000000]]);
  assert.deepEqual(l.vmas.map((v) => [v.name, v.start, v.flags.includes('VM_HUGETLB')]), [
    // each after the previous VMA's end + a 4 KiB guard, aligned up (1 GiB, then 256 MiB)
    ['guest-ram', 0x7f0000000000, true], ['bar0', 0x7f0440000000, false], ['bar1', 0x7f0850000000, false],
  ]);
  assert.deepEqual(l.requests.map((r) => [r.label, r.iova, r.size]), [
    ['guest-ram below 4G', 0, 2 * GiB], ['guest-ram above 4G', 0x100000000, 14 * GiB],
    ['bar0 (--bar 16G)', 0x380000000000, 16 * GiB], ['bar1 (--bar 256M@256M)', 0x380400000000, 256 * MiB],
  ]);
  assert.deepEqual(applyWhatIf(null, { ram: '1G' }).requests.map((r) => [r.iova, r.size]), [[0, GiB]]);
});

test('what-if on a fixture: adds after existing ranges, VMAs and IOVAs; --backing re-backs RAM', () => {
  const base = loadFixture('gpu-16g-bar').layout;
  const before = structuredClone(base);
  const l = applyWhatIf(base, { bar: ['64G'], ram: '2G' });
  assert.deepEqual(base, before, 'the base layout is not modified');
  assert.equal(l.name, 'gpu-16g-bar-what-if');
  assert.deepEqual(l.ram[1], { name: 'ram0', base: 0x300000000, size: 2 * GiB });
  assert.deepEqual(l.mmio[1], { name: 'bar0', base: 0x3b0400000000, size: 64 * GiB });
  assert.deepEqual(l.requests.slice(3).map((r) => [r.label, r.iova]), [['guest-ram', 0x380400000000], ['bar0 (--bar 64G)', 0x380480000000]]);
  const h = applyWhatIf(base, { backing: 'hugetlb-1g' });
  assert.deepEqual(h.vmas[0]!.backing, { kind: 'hugetlb', pageSize: GiB, placement: { policy: 'scattered' } });
  assert.deepEqual(h.vmas[0]!.flags, HUGETLB_FLAGS);
  assert.deepEqual(h.vmas[1], base.vmas[1]);
  const k = applyWhatIf(loadFixture('mem-dma-map-4k').layout, { backing: 'thp' });
  assert.deepEqual(k.vmas[0]!.flags, ['VM_READ', 'VM_WRITE', 'VM_SHARED', 'VM_HUGEPAGE'], 'the extra VM_SHARED is kept');
  const a = applyWhatIf(loadFixture('mem-dma-map-hugetlb').layout, { backing: '4k' });
  assert.deepEqual([a.vmas[0]!.flags, a.vmas[0]!.backing], [['VM_READ', 'VM_WRITE'], { kind: 'anon', populated: true, placement: { policy: 'geometric', meanBytes: 31 * 4096 } }]);
});

test('what-if errors name the flag', () => {
  throwsInput(() => applyWhatIf(null, { bar: ['-1G'] }), '--bar: expected a size like "16GiB", got "-1G"');
  throwsInput(() => applyWhatIf(null, { bar: ['1.5K'] }), '--bar: expected a size like "16GiB", got "1.5K"');
  throwsInput(() => applyWhatIf(null, { bar: ['64G@3G'] }), '--bar: expected a power of two of at least 4 KiB like "2M", got "3G"');
  throwsInput(() => applyWhatIf(null, { bar: ['1G@2M@1G'] }), '--bar: expected a BAR like "64G" or "64G@2M", got "1G@2M@1G"');
  throwsInput(() => applyWhatIf(null, { bar: ['6K'] }), '--bar: mmio[0].size: expected a multiple of 4 KiB, got 6144 bytes');
  throwsInput(() => applyWhatIf(null, { ram: '99999999T' }), '--ram: "99999999T" exceeds 2^53 - 1, the largest exact address this tool handles');
  throwsInput(() => applyWhatIf(null, { bar: ['1G'], iommuPgsizes: '3k' }), '--iommu-pgsizes: expected a power of two of at least 4 KiB like "2M", got "3k"');
  throwsInput(() => applyWhatIf(null, { bar: ['1G'], iommuPgsizes: '4k,,2m' }), '--iommu-pgsizes: expected a size like "16GiB", got ""');
  throwsInput(() => applyWhatIf(null, { bar: ['1G'], memlock: 'lots' }), '--memlock: expected a size like "16GiB", got "lots"');
  throwsInput(() => applyWhatIf(null, { ram: '1G', backing: 'huge' }), '--backing: expected one of 4k, thp, hugetlb-2m, hugetlb-1g, got "huge"');
  throwsInput(() => applyWhatIf(null, { memlock: '1G' }), 'what-if: without a fixture, give --bar <size> and/or --ram <size> to build a layout from');
  throwsInput(() => applyWhatIf(null, { ram: '3M', backing: 'hugetlb-2m' }), '--ram: vmas[0].size: expected a multiple of the hugetlb page size 2 MiB, got 3145728 bytes');
  throwsInput(() => applyWhatIf(loadFixture('small-mixed').layout, { backing: 'hugetlb-1g' }),
    '--backing: vmas[0].size: expected a multiple of the hugetlb page size 1 GiB, got 4194304 bytes');
  throwsInput(() => applyWhatIf(null, { bar: ['-1G'] }, (f) => `option ${f}`), 'option --bar: expected a size like "16GiB", got "-1G"');
});

test('hasWhatIf', () => {
  assert.equal(hasWhatIf({}), false);
  assert.equal(hasWhatIf({ bar: [] }), false);
  assert.equal(hasWhatIf({ capIpcLock: false, disableHugepages: false }), false);
  assert.equal(hasWhatIf({ bar: ['1G'] }), true);
  assert.equal(hasWhatIf({ capIpcLock: true }), true);
  assert.equal(hasWhatIf({ iommuPgsizes: '4k' }), true);
});

test('summarize counts partial pages of unaligned map sizes', () => {
  const l: Layout = { ...applyWhatIf(null, { bar: ['1G'] }), requests: [
    { op: 'map', vaddr: 0, iova: 0, size: 4097, read: true, write: true },
    { op: 'unmap', iova: 0, size: GiB },
  ] };
  assert.deepEqual(summarize(l), { ramBytes: 0, barBytes: GiB, vmas: 1, requests: 2, mapBytes: 4097, mapPages: 2, seed: 1 });
});
