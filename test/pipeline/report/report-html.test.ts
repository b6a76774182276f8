import { describe, expect, it } from 'vitest';
import { renderReportHtml, type PanelResult } from '../../../pipeline/report/report-html.js';

const HOSTILE = `SELECT '</code><script>alert(1)</script>' FROM t`;

function panel(overrides: Partial<PanelResult> = {}): PanelResult {
  return {
    definition: {
      name: 'slowest',
      title: 'Slowest <statements>',
      description: 'By fingerprint & text.',
      parameters: [],
      chart: { type: 'bar', x: 'fingerprint', y: 'seconds' },
      sql: 'SELECT 1',
    },
    chart: { type: 'bar', x: 'fingerprint', y: 'seconds' },
    columns: [
      { name: 'fingerprint', type: 'VARCHAR' },
      { name: 'seconds', type: 'DOUBLE' },
      { name: 'text', type: 'VARCHAR' },
    ],
    rows: [{ fingerprint: 'abc', seconds: 12.5, text: HOSTILE.repeat(2) }],
    tableColumns: ['fingerprint', 'seconds', 'text'],
    ...overrides,
  };
}

function page(panels: PanelResult[]): string {
  return renderReportHtml({
    title: 'opslake report',
    lake: '/lake',
    fromDay: '2024-03-01',
    toDay: '2024-03-07',
    generatedAt: new Date('2024-03-08T09:30:00Z'),
    sections: [{ title: 'Redshift', panels }],
  });
}

describe('renderReportHtml', () => {
  it('is one page with no script and no external resource, enforced by its Content-Security-Policy', () => {
    const html = page([panel()]);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/<script|<link|src=|href=/i);
    expect(html).toContain('days 2024-03-01 to 2024-03-07 (UTC)');
  });

  it('shows statement text as text, never as markup', () => {
    const html = page([panel()]);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;/code&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<h3>Slowest &lt;statements&gt;</h3>');
  });

  it('draws a chart and a table for a panel with rows, and says so when there are none', () => {
    const html = page([panel(), panel({ definition: { ...panel().definition, name: 'empty' }, rows: [] })]);
    // Statement text makes the panel span the page; the text itself is one click away.
    expect(html).toMatch(
      /<article class="panel wide" id="slowest" data-query="slowest" data-rows="1"><h3>.*<figure class="chart" data-chart="bar"><svg/,
    );
    expect(html).toMatch(/<td class="text"><details><summary>SELECT &#39;&lt;\/code&gt;.*<\/summary><pre>SELECT/);
    expect(html).toContain('<td class="number">12.5</td>');
    expect(html).toMatch(/<article class="panel" id="empty" data-query="empty" data-rows="0" data-empty="true">.*No rows in this range\./);
  });
});
