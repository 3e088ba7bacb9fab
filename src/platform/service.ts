// A long-running loop a worker process runs beside its jobs (the event relay, day closing).
export interface BackgroundService {
  name: string;
  start(): Promise<void>;
  /** Stops taking new work and finishes or abandons in-flight work within `timeoutMs`. */
  stop(timeoutMs: number): Promise<void>;
}
