// max-requests-inflight: beyond this many concurrent non-watch requests, answer 429 with Retry-After,
// as kube-apiserver does (its default is 400 non-mutating plus 200 mutating).
import { errors } from './errors';

export const MAX_INFLIGHT = 600;
let inflight = 0;

export async function withInflightLimit<T>(
  longRunning: boolean,
  run: () => Promise<T>,
): Promise<T> {
  if (longRunning) return run();
  if (inflight >= MAX_INFLIGHT)
    throw errors.tooManyRequests('too many requests, please try again later', 1);
  inflight++;
  try {
    return await run();
  } finally {
    inflight--;
  }
}
