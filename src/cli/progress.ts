// A one-line progress indicator on stderr whenever stderr is a terminal (the caller decides
// `enabled`: a TTY and no --quiet; in every output format, since stdout is apart). Drawn on a
// timer from the start, so elapsed time and the estimate move even while a step runs (the run
// itself goes to a worker thread then: run/run-thread.ts), with a bar, percent, elapsed time and
// ETA: "[2/3] [#####---------------]  27%  0:04  ETA 0:11  gpu-16g-bar: rfc: timing".
// Cleared on exit and on Ctrl-C (which then exits 130, as a shell expects).

interface ProgressSink {
  write(text: string): void;
  columns: number;
}

/** How the indicator reaches the process: a timer and signal hooks (a test passes fakes). */
export interface ProgressHooks {
  setInterval(fn: () => void, ms: number): { unref?: () => void } | number;
  clearInterval(handle: unknown): void;
  onSigint(fn: () => void): () => void;
  onExit(fn: () => void): () => void;
}

const CLEAR_LINE = '\r\x1b[2K';

/** Redraw period, ms. */
const TICK_MS = 250;

const processHooks: ProgressHooks = {
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
  onSigint: (fn) => {
    process.once('SIGINT', fn);
    return () => void process.removeListener('SIGINT', fn);
  },
  onExit: (fn) => {
    process.once('exit', fn);
    return () => void process.removeListener('exit', fn);
  },
};

/** 0 -> "0:00", 75_000 -> "1:15", 3_725_000 -> "1:02:05". */
export function formatClock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export class Progress {
  private readonly start: number;
  private shown = false;
  private stopped = false;
  private timer: unknown;
  private unhook: (() => void)[] = [];
  private fraction = 0;
  private prefix = '';
  private what = '';

  constructor(
    private readonly sink: ProgressSink,
    private readonly enabled: boolean,
    private readonly now: () => number = Date.now,
    private readonly hooks: ProgressHooks = processHooks,
  ) {
    this.start = now();
    if (!enabled) return;
    const t = hooks.setInterval(() => this.draw(), TICK_MS);
    if (typeof t === 'object' && t.unref) t.unref();
    this.timer = t;
    this.unhook.push(hooks.onExit(() => this.clear()));
    this.unhook.push(hooks.onSigint(() => {
      this.clear();
      process.exit(130);
    }));
    this.draw();
  }

  /** A callback for RunOptions.onProgress; "[2/3] " in front when there are several fixtures,
   *  whose share of the whole it takes. */
  forFixture(index: number, count: number): (done: number, total: number, what: string) => void {
    return (done, total, what) => {
      this.prefix = count > 1 ? `[${index + 1}/${count}] ` : '';
      this.set((index + (total > 0 ? done / total : 0)) / count, what);
    };
  }

  /** The share done (0..1) and what runs now; drawn at once and on every tick. */
  set(fraction: number, what: string): void {
    this.fraction = Math.min(1, Math.max(0, fraction));
    this.what = what;
    this.draw();
  }

  /** The line as it would be drawn now (without the clearing escape). */
  line(): string {
    const elapsed = this.now() - this.start;
    const f = this.fraction;
    // an estimate only once there is something to go on
    const eta = f >= 0.01 && f < 1 ? `ETA ${formatClock((elapsed * (1 - f)) / f)}` : 'ETA -:--';
    const pct = `${Math.floor(f * 100)}%`.padStart(4);
    return `${this.prefix}${progressBar(f, 1)} ${pct}  ${formatClock(elapsed)}  ${eta}  ${this.what}`;
  }

  private draw(): void {
    if (!this.enabled || this.stopped) return;
    const text = this.line();
    const max = Math.max(10, this.sink.columns - 1);
    this.sink.write(CLEAR_LINE + (text.length > max ? text.slice(0, max - 1) + '…' : text));
    this.shown = true;
  }

  /** Stops the timer and clears the line (at the end, on an error, on exit, on Ctrl-C). */
  clear(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) this.hooks.clearInterval(this.timer);
    for (const u of this.unhook.splice(0)) u();
    if (this.shown) this.sink.write(CLEAR_LINE);
    this.shown = false;
  }
}

/** "[#######-------------]": `done` of `total` as a bar `width` characters wide inside brackets. */
export function progressBar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.min(width, Math.max(0, Math.round((done / total) * width))) : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}
