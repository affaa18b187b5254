import { toClickHouseDateTime, toClickHouseDateTime64 } from './params';

const at = (iso: string) => new Date(iso);

describe(toClickHouseDateTime.name, () => {
  it('formats an instant as a UTC DateTime literal', () => {
    expect(toClickHouseDateTime(at('2026-03-04T05:06:07.890Z'))).toBe('2026-03-04 05:06:07');
  });

  it('keeps the milliseconds for DateTime64(3)', () => {
    expect(toClickHouseDateTime64(at('2026-03-04T05:06:07.890Z'))).toBe('2026-03-04 05:06:07.890');
  });
});
