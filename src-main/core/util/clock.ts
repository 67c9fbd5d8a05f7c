/**
 * The core's host clock: ms since the epoch with sub-ms resolution, from the monotonic
 * performance clock. Worker threads share the process's timeOrigin (measured), so times taken
 * in the replayer's worker and in the main thread compare directly.
 */
export const hostNowMs = (): number => performance.timeOrigin + performance.now();
