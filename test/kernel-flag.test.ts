// `--kernel <release>` on run and sweep, `list --kernels` / `--kernel`, and `--bar-touched`:
// through the CLI in this process. Counts derived in test/host.test.ts; here the wiring.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RunDocument, SweepDocument } from '../src/model/result.ts';
import { inproc } from './bin.ts';

const cli = inproc;

describe('--kernel', () => {
  test('run: each release composed, named linux-<major.minor>, in the order given, after -s strategies', async () => {
    const r = await cli(['run', '--bar', '4G', '--kernel', '6.18.15+deb13-amd64, 6.1.0-56-amd64', '-s', 'baseline', '--no-timing', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as RunDocument;
    const s = doc.fixtures[0]!.strategies;
    assert.deepEqual(s.map((x) => [x.strategy, x.kernel]), [['baseline', 'Linux 4.16'], ['linux-6.18', 'Linux 6.18'], ['linux-6.1', 'Linux 6.1']]);
    // a cold 4 GiB BAR, 1 GiB aligned: 6.18 steps one pud leaf per vaddr_get_pfns(); 6.1 one page
    assert.equal(s[1]!.counters.map.vaddr_get_pfns, 4);
    assert.equal(s[2]!.counters.map.vaddr_get_pfns, 1_048_576);
    assert.equal(s[2]!.counters.map.vfio_pci_mmap_fault, 1);
  });

  test('--bar-touched: warm page tables, no fault', async () => {
    const r = await cli(['run', '--bar', '4G', '--bar-touched', '--kernel', '6.18', '--no-timing', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const m = (JSON.parse(r.stdout) as RunDocument).fixtures[0]!.strategies[0]!.counters.map;
    assert.deepEqual([m.vaddr_get_pfns, m.follow_pfnmap_start, m.fixup_user_fault], [4, 4, 0]);
    const bad = await cli(['run', 'small-mixed', '--bar-touched', '--no-timing']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, '--bar-touched: applies to the BARs --bar adds; give --bar <size>\n');
  });

  test('sweep: releases cross the worker threads by name', async () => {
    const r = await cli(['sweep', '--bar', '1G..2G', '--kernel', '6.12', '--workers', '2', '--json', '-q']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as SweepDocument;
    assert.deepEqual(doc.points.map((p) => p.records.map((x) => [x.strategy, x.counters.map.vfio_pci_mmap_huge_fault])), [[['linux-6.12', 1]], [['linux-6.12', 2]]]);
  });

  test('not a release, or outside the modelled range: exit 2 naming the range', async () => {
    for (const [arg, why] of [['7.3', /Linux 7\.3 is outside the modelled releases 4\.16 \.\. 6\.18/], ['4.15', /outside the modelled releases/], ['foo', /"foo" is not a kernel release .*modelled: 4\.16 \.\. 6\.18/], [',', /expected kernel releases/]] as const) {
      const r = await cli(['run', '--kernel', arg, '--no-timing']);
      assert.equal(r.code, 2, arg);
      assert.match(r.stderr, why, arg);
      assert.doesNotMatch(r.stderr, /\n\s+at /, arg);
    }
  });
});

describe('list', () => {
  test('--kernels: every part and era with its first release and commit', async () => {
    const r = await cli(['list', '--kernels', '--no-color']);
    assert.equal(r.code, 0, r.stderr);
    for (const line of [/│ +│ 6\.12 │ huge_fault_at_addr +│ f9e54c3a2f5b/, /vfio_pci_mmap +│ 4\.16 │ remap_at_mmap/, /│ +│ 5\.15 │ map_pages +│ 3f34f1259776/, /type1_pin +│ 4\.16 │ baseline/]) assert.match(r.stdout, line);
  });
  test('--kernel <release>: one row per part', async () => {
    const r = await cli(['list', '--kernel', '6.1.0-56-amd64', '--no-color']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Linux 6\.1 as --kernel composes it/);
    assert.match(r.stdout, /vfio_pci_mmap +│ fault_remap_vma +│ 11c4cd07ba11/);
    assert.match(r.stdout, /pfnmap_pfn +│ follow_pte /);
  });
});
