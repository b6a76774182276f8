import { describe, expect, it } from 'vitest';
import { escapeXml, niceTicks, renderChart } from '../../../pipeline/report/svg-chart.js';

const TIME = {
  categories: ['2024-03-05 10:00:00', '2024-03-05 11:00:00', '2024-03-05 12:00:00'],
  timeAxis: true,
  series: [
    { name: 'etl', values: [4, 0, 2] },
    { name: '<b>x</b>', values: [1, 1, null] },
  ],
};

describe('renderChart', () => {
  it('draws one mark per value of a line chart, with a tooltip, escaping every text', () => {
    const svg = renderChart(TIME, 'line', 'Statements & more');
    expect(svg.match(/class="mark"/g)).toHaveLength(5);
    expect(svg).toContain('<title>etl, 2024-03-05 10:00:00: 4</title>');
    expect(svg).toContain('&lt;b&gt;x&lt;/b&gt;, 2024-03-05 11:00:00: 1');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('aria-label="Statements &amp; more"');
  });

  it('stacks bars along a time axis and lays categories out as horizontal bars', () => {
    const columns = renderChart(TIME, 'stacked-bar', 'c');
    expect(columns.match(/<rect class="mark"/g)).toHaveLength(4);
    const bars = renderChart(
      { categories: ['198.51.100.10', 'ec2.amazonaws.com'], timeAxis: false, series: [{ name: 'events', values: [20, 16] }] },
      'bar',
      'b',
    );
    expect(bars.match(/<rect class="mark"/g)).toHaveLength(2);
    expect(bars).toContain('>198.51.100.10</text>');
  });

  it('draws nothing without data', () => {
    expect(renderChart({ categories: [], timeAxis: false, series: [] }, 'line', 'x')).toBe('');
  });
});

describe('niceTicks', () => {
  it('covers the maximum with round steps from zero', () => {
    expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(600)).toEqual([0, 200, 400, 600]);
    expect(niceTicks(1)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });
});

describe('escapeXml', () => {
  it('escapes markup and quotes', () => {
    expect(escapeXml(`<script>alert("x")</script> & 'y'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;');
  });
});
