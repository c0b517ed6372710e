// Colour for reports: a chalk instance that is either off or basic 16-colour. Report code
// marks cells with a tone; only the renderers turn tones into escapes.

import { Chalk, type ChalkInstance } from 'chalk';

/** What a piece of text means, not how it looks. */
export type Tone = 'ok' | 'bad' | 'warn' | 'dim' | 'strong';

/** color false: no escapes at all, whatever the terminal or environment says. */
export function makeChalk(color: boolean): ChalkInstance {
  return new Chalk({ level: color ? 1 : 0 });
}

export function paint(c: ChalkInstance, tone: Tone | undefined, text: string): string {
  switch (tone) {
    case 'ok': return c.green(text);
    case 'bad': return c.red(text);
    case 'warn': return c.yellow(text);
    case 'dim': return c.dim(text);
    case 'strong': return c.bold(text);
    default: return text;
  }
}

/** Options every report function takes. */
export interface ReportOptions {
  /** false: plain text (tests, NO_COLOR, pipes). */
  color: boolean;
  /** show all-zero counter rows and passing invariants. */
  verbose?: boolean;
}
