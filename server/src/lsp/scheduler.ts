/**
 * Debounces analysis runs per document. Each run gets a ticket; a run whose ticket is no longer the
 * latest (a newer edit was scheduled) must drop its result instead of publishing it.
 */
export class Scheduler {
  /** Per document, what cancels its pending run. */
  private readonly pending = new Map<string, () => void>();
  private readonly tickets = new Map<string, number>();
  private nextTicket = 0;

  constructor(
    private readonly run: (uri: string, isStale: () => boolean) => Promise<void>,
    readonly delayMs: number,
  ) {}

  schedule(uri: string, delayMs = this.delayMs): void {
    this.pending.get(uri)?.();
    const ticket = ++this.nextTicket;
    this.tickets.set(uri, ticket);
    const fire = () => {
      this.pending.delete(uri);
      void this.run(uri, () => this.tickets.get(uri) !== ticket);
    };
    // No delay: on the event loop's next turn, not after a timer's 1 ms minimum (1-2 ms per keystroke
    // waited for nothing). Edits read in the same turn still replace each other's pending run.
    if (delayMs <= 0) {
      const immediate = setImmediate(fire);
      this.pending.set(uri, () => clearImmediate(immediate));
    } else {
      const timer = setTimeout(fire, delayMs);
      this.pending.set(uri, () => clearTimeout(timer));
    }
  }

  cancel(uri: string): void {
    this.pending.get(uri)?.();
    this.pending.delete(uri);
    this.tickets.delete(uri);
  }
}
