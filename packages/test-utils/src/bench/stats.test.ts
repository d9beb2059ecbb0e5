import { formatMs, formatRatio, median } from './stats';
import { databaseUrl } from './postgres';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones, without reordering its input', () => {
    const values = [9, 1, 5];
    expect(median(values)).toBe(5);
    expect(values).toEqual([9, 1, 5]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });
});

describe('formatting', () => {
  it('formats milliseconds and ratios', () => {
    expect(formatMs(1234.56)).toBe('1235 ms');
    expect(formatRatio(150, 100)).toBe('1.50×');
    expect(formatRatio(1, 3, 3)).toBe('0.333×');
  });
});

describe('databaseUrl', () => {
  it('names a database on the server of a URL, keeping its credentials and parameters', () => {
    expect(databaseUrl('postgresql://postgres@127.0.0.1:5432', 'bench_1')).toBe(
      'postgresql://postgres@127.0.0.1:5432/bench_1',
    );
    expect(
      databaseUrl('postgres://u:p%40ss@db:6543/postgres?sslmode=require', 'b'),
    ).toBe('postgres://u:p%40ss@db:6543/b?sslmode=require');
  });
});
