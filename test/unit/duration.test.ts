import { describe, expect, it } from 'vitest';
import { humanDuration, shortHumanDuration } from '../../src/lib/duration';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

describe('humanDuration', () => {
  it.each([
    [s, '1s'],
    [45 * s, '45s'],
    [70 * s, '70s'],
    [130 * s, '2m10s'],
    [190 * s, '3m10s'],
    [70 * m, '70m'],
    [3 * h + 5 * m, '3h5m'],
    [47 * h, '47h'],
    [49 * h, '2d1h'],
    [2 * d + 4 * h, '2d4h'],
    [8 * d + 2 * h, '8d'],
    [367 * d, '367d'],
    [400 * d, '400d'],
    [2 * y + 25 * h, '2y1d'],
    [3 * y + 10 * d, '3y10d'],
    [8 * y + 2 * h, '8y'],
  ])('prints %d ms as %j', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });

  it.each([
    [-2 * s, '<invalid>'],
    [-2 * s + 1, '0s'],
    [0, '0s'],
    [s - 1, '0s'],
    [2 * m - 1, '119s'],
    [2 * m, '2m'],
    [2 * m + s, '2m1s'],
    [10 * m - 1, '9m59s'],
    [10 * m, '10m'],
    [10 * m + s, '10m'],
    [3 * h - 1, '179m'],
    [3 * h, '3h'],
    [3 * h + m, '3h1m'],
    [8 * h - 1, '7h59m'],
    [8 * h, '8h'],
    [8 * h + 59 * m, '8h'],
    [2 * d - 1, '47h'],
    [2 * d, '2d'],
    [2 * d + h, '2d1h'],
    [8 * d - 1, '7d23h'],
    [8 * d, '8d'],
    [8 * d + 23 * h, '8d'],
    [2 * y - 1, '729d'],
    [2 * y, '2y'],
    [2 * y + 23 * h + 59 * m, '2y'],
    [2 * y + d - 1, '2y'],
    [2 * y + d, '2y1d'],
    [7 * y, '7y'],
    [8 * y - 1, '7y364d'],
    [8 * y, '8y'],
    [8 * y + 364 * d, '8y'],
    [9 * y, '9y'],
  ])('at the boundary %d ms prints %j', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });

  it('treats a timestamp slightly in the future as now, but not one 2s ahead', () => {
    expect(humanDuration(-1999)).toBe('0s');
    expect(humanDuration(-2000)).toBe('<invalid>');
  });
});

describe('shortHumanDuration', () => {
  it.each([
    [-2 * s, '<invalid>'],
    [-2 * s + 1, '0s'],
    [0, '0s'],
    [s - 1, '0s'],
    [s, '1s'],
    [2 * s - 1, '1s'],
    [m - 1, '59s'],
    [m, '1m'],
    [2 * m - 1, '1m'],
    [h - 1, '59m'],
    [h, '1h'],
    [2 * h - 1, '1h'],
    [d - 1, '23h'],
    [d, '1d'],
    [2 * d - 1, '1d'],
    [y - 1, '364d'],
    [y, '1y'],
    [2 * y - 1, '1y'],
    [2 * y, '2y'],
  ])('at the boundary %d ms prints %j', (ms, want) => {
    expect(shortHumanDuration(ms)).toBe(want);
  });
});
