/** The total time budget of one fetch; it can pause while the fetch waits for a host slot. */
export class Deadline {
  readonly #controller = new AbortController();
  #remaining: number;
  #startedAt = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(ms: number) {
    this.#remaining = ms;
    this.resume();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get expired(): boolean {
    return this.#controller.signal.aborted;
  }

  remaining(): number {
    return this.#timer === undefined ? this.#remaining : this.#remaining - (performance.now() - this.#startedAt);
  }

  pause(): void {
    if (this.#timer === undefined) return;
    this.#remaining = this.remaining();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  resume(): void {
    if (this.#timer !== undefined || this.expired) return;
    this.#startedAt = performance.now();
    this.#timer = setTimeout(() => this.#controller.abort(new Error("total timeout")), Math.max(0, this.#remaining));
  }

  dispose(): void {
    clearTimeout(this.#timer);
  }
}
