/**
 * What a run did beyond its results, counted as it goes: threads started, pages parsed, images encoded, shared within
 * the run, and copied from a previous capture. The bench and tests read it from the run's summary; a caller may pass
 * its own sink (RunOptions.metrics), as it passes a Reporter. Never a process-wide global.
 */
export interface RunMetrics {
  workersStarted: number;
  pagesParsed: number;
  imagesEncoded: number;
  /** Encodes saved because the same bytes were already encoded in this run. */
  imagesShared: number;
  /** Images copied from the previous capture's folder instead of being encoded again. */
  imagesReused: number;
}

export function createMetrics(): RunMetrics {
  return { workersStarted: 0, pagesParsed: 0, imagesEncoded: 0, imagesShared: 0, imagesReused: 0 };
}
