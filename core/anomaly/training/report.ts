/** The training report: an HTML page with an SVG chart of the series, the expected band and flagged points. */
export interface ReportPoint {
  ts: number;
  value: number;
  expected: number;
  upper: number;
  flagged: boolean;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

export function svgChart(points: readonly ReportPoint[], width = 1100, height = 320): string {
  if (points.length === 0) return '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>';
  const t0 = (points[0] as ReportPoint).ts;
  const t1 = Math.max((points[points.length - 1] as ReportPoint).ts, t0 + 1);
  let top = 0;
  for (const p of points) top = Math.max(top, p.value, p.upper, p.expected);
  top = top > 0 ? top * 1.05 : 1;
  const x = (ts: number) => (((ts - t0) / (t1 - t0)) * (width - 60) + 50).toFixed(1);
  const y = (v: number) => (height - 30 - (Math.max(v, 0) / top) * (height - 50)).toFixed(1);
  const line = (pick: (p: ReportPoint) => number) => points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.ts)},${y(pick(p))}`).join(' ');
  const band = `${line((p) => p.upper)} ${[...points].reverse().map((p) => `L${x(p.ts)},${y(0)}`).join(' ')} Z`;
  const flagged = points.filter((p) => p.flagged).map((p) => `<circle cx="${x(p.ts)}" cy="${y(p.value)}" r="3" fill="#d62728"><title>${new Date(p.ts).toISOString()} ${p.value.toPrecision(4)}</title></circle>`);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => `<text x="4" y="${y(top * f)}" font-size="10">${(top * f).toPrecision(3)}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<path d="${band}" fill="#9ecae1" fill-opacity="0.35" stroke="none"><title>expected band (up to the threshold)</title></path>`,
    `<path d="${line((p) => p.value)}" fill="none" stroke="#333" stroke-width="0.7"/>`,
    `<path d="${line((p) => p.expected)}" fill="none" stroke="#3182bd" stroke-width="1"/>`,
    ...flagged,
    ...ticks,
    `<text x="50" y="${height - 8}" font-size="10">${new Date(t0).toISOString().slice(0, 10)}</text>`,
    `<text x="${width - 90}" y="${height - 8}" font-size="10">${new Date(t1).toISOString().slice(0, 10)}</text>`,
    '</svg>',
  ].join('\n');
}

export function htmlReport(title: string, summary: Record<string, string | number>, points: readonly ReportPoint[]): string {
  const rows = Object.entries(summary).map(([key, value]) => `<tr><th>${escapeHtml(key)}</th><td>${escapeHtml(String(value))}</td></tr>`);
  return [
    '<!doctype html><html><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{font-family:sans-serif;margin:2em}th{text-align:left;padding-right:1em}</style></head><body>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<table>${rows.join('')}</table>`,
    '<h2>Series, expected level (blue line), expected band up to the threshold (shaded), flagged points (red)</h2>',
    svgChart(points),
    '</body></html>',
  ].join('\n');
}
