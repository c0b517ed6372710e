// fixture "ram" / "mmio" -> PhysRange[] (checked further by validateLayout).

import type { PhysRange } from '../model/layout.ts';
import { array, name, object, type At } from './json.ts';
import { parseAddress, parseSize } from './size.ts';

export function parseRanges(v: unknown, at: At): PhysRange[] {
  return array(v, at).map((item, i) => {
    const a = at.idx(i);
    const o = object(item, a, ['name', 'base', 'size'], ['name', 'base', 'size']);
    return {
      name: name(o.name, a.key('name')),
      base: parseAddress(o.base, a.key('base').where),
      size: parseSize(o.size, a.key('size').where),
    };
  });
}
