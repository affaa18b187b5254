// docs/capacity.md shows the capacity model's output for the reference load, from the measurements in bench/results/:
// it must be what `npm run capacity -- --views-per-s=700000 --videos=3.6e9` prints now.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { capacityReport } from '../bench/capacity';

describe('docs/capacity.md', () => {
  it('holds the output of npm run capacity for the reference load, as the measurements stand', () => {
    const doc = readFileSync(join(__dirname, '../docs/capacity.md'), 'utf8');
    const shown = doc.split('<!-- capacity:start -->\n')[1]?.split('<!-- capacity:end -->')[0];
    expect(shown).toBe(capacityReport(700_000, 3.6e9));
  });
});
