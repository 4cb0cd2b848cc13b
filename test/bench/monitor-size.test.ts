import { describe, expect, it } from 'vitest';
import { codeLines, monitorSize } from './monitor-size';

describe('monitor size count', () => {
  it('counts code lines, not blanks or comments', () => {
    const source = ['// header', '', 'const a = 1; // trailing', '/* block', ' still block */', '/** doc */ const b = 2;', 'x();'].join('\n');
    expect(codeLines(source)).toBe(3);
  });

  it('finds the monitor well under the paper size', async () => {
    const report = await monitorSize();
    expect(report.metrics.monitorCodeLines).toBeGreaterThan(100);
    expect(report.metrics.monitorCodeLines).toBeLessThan(5500);
  });
});
