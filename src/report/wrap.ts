// Fitting text to a terminal: words wrapped to a width, and a table's columns split into
// several tables when it is wider than the terminal. Pure.

/** Words of `text` in lines of at most `width` characters; lines after the first start with
 *  `indent`. A word longer than a line stays whole on its own line. */
export function wrapText(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const lead = lines.length === 0 ? '' : indent;
    if (line !== '' && lead.length + line.length + 1 + word.length > width) {
      lines.push(lead + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '' || lines.length === 0) lines.push((lines.length === 0 ? '' : indent) + line);
  return lines;
}

/** Length on screen: without ANSI colour escapes. */
export function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}

/** Column groups for a table too wide for `width`: the first `keep` columns repeat in every
 *  group, the others go into groups whose widths (plus `sep` per column) fit. `widths` are the
 *  columns' own widths. Returns lists of column indexes; one group when all fit. */
export function columnGroups(widths: number[], width: number, keep: number, sep: number): number[][] {
  const head = widths.slice(0, keep).map((_, i) => i);
  const base = head.reduce((n, i) => n + widths[i]! + sep, 0);
  const groups: number[][] = [];
  let cur: number[] = [];
  let used = base;
  for (let i = keep; i < widths.length; i++) {
    const w = widths[i]! + sep;
    if (cur.length > 0 && used + w > width) {
      groups.push([...head, ...cur]);
      cur = [];
      used = base;
    }
    cur.push(i);
    used += w;
  }
  if (cur.length > 0 || groups.length === 0) groups.push([...head, ...cur]);
  return groups;
}
