// Nearest-name suggestions (input/suggest.ts) and the messages that use them, one per kind of
// name a user types.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { didYouMean, editDistance, nearest } from '../src/input/suggest.ts';
import { parseKernelOption, parseKeyCounters, parseProfile, parseStrategies } from '../src/cli/options.ts';
import { loadFixture } from '../src/input/fixture.ts';
import { run } from '../src/index.ts';
import { inproc } from './bin.ts';

const STRATS = ['baseline', 'rfc', 'rfc-fixed', 'v4.17-merged', 'v5.12-batch', 'v6.12-huge-pfnmap', 'v6.15-pgmask', 'v6.18-folio'];

const message = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return '(no error)';
};

describe('suggest', () => {
  test('edit distance: insert, delete, substitute, adjacent swap each cost 1; case ignored', () => {
    assert.deepEqual(
      [['baselin', 'baseline'], ['basleine', 'baseline'], ['rcf', 'rfc'], ['RFC', 'rfc'], ['xyz', 'rfc'], ['', 'abc']].map(([a, b]) => editDistance(a!, b!)),
      [1, 1, 1, 0, 3, 3],
    );
  });
  test('nearest: close typos, unique prefixes; nothing for far names or ties', () => {
    assert.equal(nearest('baselin', STRATS), 'baseline');
    assert.equal(nearest('rfc-fix', STRATS), 'rfc-fixed'); // unique prefix
    assert.equal(nearest('v6.15', STRATS), 'v6.15-pgmask');
    assert.equal(nearest('v6.1', STRATS), undefined); // prefix of three
    assert.equal(nearest('rfd', STRATS), 'rfc');
    assert.equal(nearest('zzzzzz', STRATS), undefined);
    assert.equal(nearest('ab', ['ax', 'ay']), undefined); // a tie
  });
  test('didYouMean: the suggestion, or the valid names', () => {
    assert.equal(didYouMean('baselin', STRATS), '; did you mean "baseline"?');
    assert.equal(didYouMean('qqqq', ['a', 'b']), '; valid: a, b');
  });
});

describe('messages', () => {
  test('strategy, profile, counter (CLI option parsers)', () => {
    assert.equal(message(() => parseStrategies('baselin')), 'unknown strategy "baselin"; did you mean "baseline"?');
    assert.match(message(() => parseStrategies('nothing-like-it')), /^unknown strategy "nothing-like-it"; valid: baseline, rfc, /);
    assert.match(message(() => parseProfile('xeon-e5-2.6ghzz')), /^unknown profile "xeon-e5-2\.6ghzz"; did you mean "xeon-e5-2\.6ghz"\?/);
    assert.match(message(() => parseKeyCounters('vaddr_get_pnf')), /^unknown counter "vaddr_get_pnf"; did you mean "vaddr_get_pfn"\?/);
  });
  test('kernel release forms: a release given to -s, a strategy given to --kernel, linux-<release>', () => {
    assert.equal(message(() => parseStrategies('6.12')), 'unknown strategy "6.12"; did you mean --kernel 6.12?');
    assert.equal(message(() => parseStrategies('linux-6.1')), 'unknown strategy "linux-6.1"; did you mean --kernel 6.1?');
    assert.equal(message(() => parseKernelOption('rfc-fixd')), '"rfc-fixd" is not a kernel release; did you mean -s rfc-fixed?');
    assert.match(message(() => parseKernelOption('linux-6.12')), /^"linux-6\.12" is not a kernel release; did you mean 6\.12\? \(expected/);
  });
  test('fixture, and the API\'s strategies', async () => {
    assert.match(message(() => loadFixture('gpu-16g-barr')), /^unknown fixture "gpu-16g-barr"; did you mean "gpu-16g-bar"\?/);
    await assert.rejects(run('gpu-16g-bar', { strategies: ['rcf'] }), /unknown strategy "rcf"; did you mean "rfc"\?/);
  });
  test('the CLI: one line, exit 2', async () => {
    const r = await inproc(['run', '-s', 'baselin', '--no-timing']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown strategy "baselin"; did you mean "baseline"\?/);
    const f = await inproc(['run', 'smal-mixed', '--no-timing']);
    assert.equal(f.code, 2);
    assert.match(f.stderr, /unknown fixture "smal-mixed"; did you mean "small-mixed"\?/);
    const k = await inproc(['run', '--backing', 'hugetlb-1gb', '--no-timing']);
    assert.equal(k.code, 2);
    assert.match(k.stderr, /did you mean "hugetlb-1g"\?/);
  });
});
