/** The server's log (the client's output channel), messages shown once, and the handler guard. */
import { Connection, MessageType, ResponseError, ShowMessageNotification } from 'vscode-languageserver/node';

export class Log {
  private readonly shown = new Set<string>();

  constructor(private readonly connection: Connection) {}

  info(message: string): void {
    this.connection.console.log(message);
  }

  error(where: string, error: unknown): void {
    const detail = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
    this.connection.console.error(`lockwise: ${where} failed: ${detail}`);
  }

  /** Shows a message once (per distinct text) instead of on every keystroke. */
  showOnce(kind: 'error' | 'warning', message: string): void {
    if (this.shown.has(message)) return;
    this.shown.add(message);
    // A notification, not window/showMessageRequest: nothing waits for the user to dismiss it.
    void this.connection.sendNotification(ShowMessageNotification.type, { type: kind === 'error' ? MessageType.Error : MessageType.Warning, message });
  }

  /** The settings changed: messages about them may be shown again. */
  resetShown(): void {
    this.shown.clear();
  }

  /** Wraps a handler: an exception (sync or async) is logged and answered with `fallback`. */
  guard<P extends unknown[], R>(where: string, fallback: R, handler: (...args: P) => R | Promise<R>): (...args: P) => Promise<R> {
    return async (...args: P) => {
      try {
        return await handler(...args);
      } catch (error) {
        // Errors meant for the client (the trace command's refusals) are answered as errors.
        if (error instanceof ResponseError) throw error;
        this.error(where, error);
        return fallback;
      }
    };
  }
}
