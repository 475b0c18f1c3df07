/** Politeness: at most `perHost` fetches to one host at once; the rest wait in order. */

export class HostLimiter {
  readonly #active = new Map<string, number>();
  readonly #waiting = new Map<string, Array<() => void>>();

  readonly perHost: number;
  constructor(perHost: number) {
    this.perHost = perHost;
  }

  async acquire(host: string, signal: AbortSignal): Promise<() => void> {
    signal.throwIfAborted();
    const active = this.#active.get(host) ?? 0;
    if (active < this.perHost) {
      this.#active.set(host, active + 1);
      return this.#releaser(host);
    }
    await new Promise<void>((resolve, reject) => {
      const queue = this.#waiting.get(host) ?? [];
      this.#waiting.set(host, queue);
      const onAbort = () => {
        const index = queue.indexOf(grant);
        if (index !== -1) queue.splice(index, 1);
        reject(signal.reason);
      };
      const grant = () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      queue.push(grant);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    return this.#releaser(host);
  }

  #releaser(host: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.get(host)?.shift();
      if (next) return next(); // the slot passes straight to the next waiter
      if (this.#waiting.get(host)?.length === 0) this.#waiting.delete(host);
      const active = (this.#active.get(host) ?? 1) - 1;
      if (active > 0) this.#active.set(host, active);
      else this.#active.delete(host);
    };
  }
}
