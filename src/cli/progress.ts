// A one-line progress indicator on stderr, drawn only once a run has taken about a second,
// only on a TTY, and never with --quiet or --json (the caller decides `enabled`).

interface ProgressSink {
  write(text: string): void;
  columns: number;
}

const CLEAR_LINE = '\r\x1b[2K';

export class Progress {
  private readonly start: number;
  private shown = false;

  constructor(
    private readonly sink: ProgressSink,
    private readonly enabled: boolean,
    private readonly delayMs = 1000,
    private readonly now: () => number = Date.now,
  ) {
    this.start = now();
  }

  /** A callback for RunOptions.onProgress; "[2/3] " in front when there are several fixtures. */
  forFixture(index: number, count: number): (done: number, total: number, what: string) => void {
    const prefix = count > 1 ? `[${index + 1}/${count}] ` : '';
    return (done, total, what) => this.update(`${prefix}${done}/${total} ${what}`);
  }

  update(text: string): void {
    if (!this.enabled || this.now() - this.start < this.delayMs) return;
    const max = Math.max(10, this.sink.columns - 1);
    this.sink.write(CLEAR_LINE + (text.length > max ? text.slice(0, max - 1) + '…' : text));
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.sink.write(CLEAR_LINE);
    this.shown = false;
  }
}

/** "[#######-------------]": `done` of `total` as a bar `width` characters wide inside brackets. */
export function progressBar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.min(width, Math.max(0, Math.round((done / total) * width))) : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}
