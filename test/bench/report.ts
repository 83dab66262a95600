/** Printing: the results table (figure, measured, ceiling, ratio, target) and aligned key/value blocks. */

export interface Figure {
  name: string;
  unit: string;
  measured: number;
  /** The same figure from the ceiling server; null when there is none. */
  ceiling: number | null;
  /** 'higher' for throughput, 'lower' for latency and memory. */
  better: 'higher' | 'lower';
  target: number;
  /** Digits after the decimal point. */
  digits: number;
}

const number = (value: number, digits: number) =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';

const target = (figure: Figure) =>
  `${figure.better === 'higher' ? '≥' : '≤'} ${number(figure.target, Number.isInteger(figure.target) ? 0 : figure.digits)} ${figure.unit}`;

function row(figure: Figure): string[] {
  const ratio = figure.ceiling === null || !(figure.ceiling > 0) ? '—' : `${(figure.measured / figure.ceiling).toFixed(2)}×`;
  const met = figure.better === 'higher' ? figure.measured >= figure.target : figure.measured <= figure.target;
  return [
    figure.name,
    `${number(figure.measured, figure.digits)} ${figure.unit}`,
    figure.ceiling === null ? '—' : `${number(figure.ceiling, figure.digits)} ${figure.unit}`,
    ratio,
    target(figure),
    met ? 'yes' : 'NO',
  ];
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function figuresTable(figures: Figure[]): string {
  return table(['figure', 'measured', 'ceiling', 'ratio', 'target', 'met'], figures.map(row));
}

export function block(title: string, entries: [string, string][]): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  return [title, ...entries.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
}

export { number as formatNumber };
