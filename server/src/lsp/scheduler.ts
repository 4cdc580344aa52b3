/**
 * Debounces analysis runs per document. Each run gets a ticket; a run whose ticket is no longer the
 * latest (a newer edit was scheduled) must drop its result instead of publishing it.
 */
export class Scheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly tickets = new Map<string, number>();
  private nextTicket = 0;

  constructor(
    private readonly run: (uri: string, isStale: () => boolean) => Promise<void>,
    readonly delayMs: number,
  ) {}

  schedule(uri: string, delayMs = this.delayMs): void {
    const existing = this.timers.get(uri);
    if (existing) clearTimeout(existing);
    const ticket = ++this.nextTicket;
    this.tickets.set(uri, ticket);
    const timer = setTimeout(() => {
      this.timers.delete(uri);
      void this.run(uri, () => this.tickets.get(uri) !== ticket);
    }, delayMs);
    this.timers.set(uri, timer);
  }

  cancel(uri: string): void {
    const existing = this.timers.get(uri);
    if (existing) clearTimeout(existing);
    this.timers.delete(uri);
    this.tickets.delete(uri);
  }
}
