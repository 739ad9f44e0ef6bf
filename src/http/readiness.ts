/**
 * The service's readiness, shared by `main.ts` (which moves it along) and `/readyz` (which
 * reports it). `starting` until the rule tables are loaded and valid, `draining` during shutdown.
 */
export type ReadinessState = 'starting' | 'ready' | 'draining';

/** Mutable holder of the readiness state; one per process. */
export class Readiness {
  private current: ReadinessState = 'starting';

  /** The current state. */
  get state(): ReadinessState {
    return this.current;
  }

  /** Marks the service ready to take traffic (rules loaded and valid). */
  markReady(): void {
    this.current = 'ready';
  }

  /** Marks the service as shutting down: it stops taking new traffic. */
  markDraining(): void {
    this.current = 'draining';
  }
}
