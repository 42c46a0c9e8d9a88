/**
 * A debouncer keyed by document: scheduling a key again cancels what was pending for it. Each scheduled task
 * gets a token; a running task asks `isCurrent(token)` after every `await`, so a newer edit also cancels work
 * already started. The delay is injectable (tests use small values, `0` runs on the next macrotask).
 */
export interface DebounceToken {
  readonly key: string;
  readonly seq: number;
}

export class Debouncer {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly latest = new Map<string, number>();
  private seq = 0;

  constructor(
    readonly defaultDelayMs: number,
    private readonly onError: (key: string, error: unknown) => void = () => undefined,
  ) {}

  /** Runs `task` after `delayMs` (default: the debouncer's delay) unless `key` is scheduled again first. */
  schedule(key: string, task: (token: DebounceToken) => Promise<void> | void, delayMs = this.defaultDelayMs): DebounceToken {
    const prev = this.timers.get(key);
    if (prev) clearTimeout(prev);
    const token: DebounceToken = { key, seq: ++this.seq };
    this.latest.set(key, token.seq);
    const timer = setTimeout(() => {
      if (this.timers.get(key) === timer) this.timers.delete(key);
      if (!this.isCurrent(token)) return;
      let result: Promise<void> | void;
      try {
        result = task(token);
      } catch (e) {
        this.onError(key, e);
        return;
      }
      if (result) result.catch((e: unknown) => this.onError(key, e));
    }, Math.max(0, delayMs));
    this.timers.set(key, timer);
    return token;
  }

  /** False once the key was scheduled again or cancelled. */
  isCurrent(token: DebounceToken): boolean {
    return this.latest.get(token.key) === token.seq;
  }

  cancel(key: string): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
    this.latest.delete(key);
  }

  /** Tasks waiting for their timer. */
  get pending(): number {
    return this.timers.size;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.latest.clear();
  }
}
