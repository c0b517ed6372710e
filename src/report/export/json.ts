// --json: the Result records, unchanged.

import type { RunDocument } from '../../model/result.ts';

export function formatJson(doc: RunDocument): string {
  return JSON.stringify(doc, null, 2) + '\n';
}
