/** Throughput: every measurement of `npm run bench` beside its same-run baseline, as a table and a chart of the ratios. */
import type { TopLevelSpec } from 'vega-lite';
import { round6 } from '../../metrics/metric.js';
import type { RunResult } from '../../results/run-result.js';
import type { ThroughputRow } from '../../results/schema.js';
import { formatNumber, throughputKind } from '../content.js';
import { figure, heading, paragraph, text, type Block, type Cell } from '../document.js';
import { chartConfig, kindColours } from '../palette.js';

function throughputTable(rows: readonly ThroughputRow[]): Block {
  return {
    type: 'table',
    id: 'throughput-table',
    caption: 'Every throughput measurement beside its baseline measured in the same run. Ratio: bigger is better; goal met when ratio ≥ goal.',
    header: ['group', 'subject', 'value', 'baseline', 'baseline value', 'ratio', 'goal', 'met', '± rme', 'samples'],
    numeric: [2, 4, 5, 6, 8, 9],
    rows: rows.map((row): Cell[] => [
      row.group,
      row.subject,
      `${formatMeasure(row.value)} ${row.unit}`,
      row.baseline === '' ? '–' : row.baseline,
      row.baselineValue === null ? '–' : `${formatMeasure(row.baselineValue)} ${row.unit}`,
      row.ratio === null ? '–' : `×${formatNumber(row.ratio, 2)}`,
      row.goal === null ? '–' : `×${formatNumber(row.goal, 2)}`,
      row.goal === null || row.ratio === null ? '–' : row.ratio >= row.goal ? 'yes' : 'no',
      row.rmePercent === null ? '–' : `${formatNumber(row.rmePercent, 1)}%`,
      row.samples === null ? '–' : String(row.samples),
    ]),
    highlight: [],
  };
}

/** Three significant digits for measurements spanning ms to millions of ops/s. */
function formatMeasure(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(2);
}


function throughputSpec(rows: readonly ThroughputRow[]): TopLevelSpec | null {
  const compared = rows.filter((row) => row.ratio !== null && row.ratio > 0);
  if (compared.length === 0) return null;
  // A subject measured in two units (sentences/s and tokens/s) needs the unit to keep its own row.
  const seen = new Map<string, number>();
  for (const row of compared) seen.set(`${row.group}\n${row.subject}`, (seen.get(`${row.group}\n${row.subject}`) ?? 0) + 1);
  const values = compared.map((row) => {
    const ratio = row.ratio!;
    const met = row.goal === null ? '' : ratio >= row.goal ? ' ✓ met' : ' ✗ missed';
    const key = `${row.group}\n${row.subject}`;
    return {
      // Two label lines: the suite, then what was measured.
      subject: (seen.get(key) ?? 0) > 1 ? `${key} [${row.unit}]` : key,
      kind: throughputKind(row) === 'static' ? 'static-embedding work' : 'transformer work',
      ratio: round6(ratio),
      goal: row.goal === null ? null : round6(row.goal),
      // The baseline's name is in the table beside the chart; here only the numbers, to keep it narrow.
      text: `×${formatNumber(ratio, 2)}${row.goal === null ? '' : `  (goal ×${formatNumber(row.goal, 2)}${met})`}`,
    };
  });
  const extremes = values.flatMap((value) => (value.goal === null ? [value.ratio] : [value.ratio, value.goal]));
  // Whole decades, so the right edge (where the labels start) is the domain's end, not a nice-rounded one.
  const domain = [10 ** Math.floor(Math.log10(Math.min(0.5, ...extremes))), 10 ** Math.ceil(Math.log10(Math.max(2, ...extremes) * 1.2))];
  const subjectAxis = {
    field: 'subject',
    type: 'nominal',
    sort: values.map((value) => value.subject),
    title: null,
    axis: { labelExpr: "split(datum.label, '\\n')", labelLimit: 440, labelLineHeight: 14 },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'Throughput: each measurement as a ratio to its baseline in the same run',
      subtitle: ['Bigger is better (rates: value / baseline; times and memory: baseline / value). Log scale; 1 = parity.', 'Black tick: the goal; ✓ met, ✗ missed.'],
    },
    config: chartConfig,
    width: 380,
    height: { step: 40 },
    data: { values },
    layer: [
      { mark: { type: 'rule', color: '#888', strokeDash: [4, 4] }, encoding: { x: { datum: 1 } } },
      {
        mark: { type: 'point', filled: true, size: 90, opacity: 1 },
        encoding: {
          y: subjectAxis,
          x: { field: 'ratio', type: 'quantitative', scale: { type: 'log', domain, nice: false }, title: 'ratio to baseline (log scale)' },
          color: {
            field: 'kind',
            type: 'nominal',
            scale: { domain: ['static-embedding work', 'transformer work'], range: [kindColours.static, kindColours.contextual] },
            legend: { title: null, orient: 'top' },
          },
        },
      },
      { transform: [{ filter: 'datum.goal != null' }], mark: { type: 'tick', color: 'black', thickness: 2, size: 18 }, encoding: { y: subjectAxis, x: { field: 'goal', type: 'quantitative' } } },
      {
        mark: { type: 'text', align: 'left', dx: 10, fontSize: 11, color: '#222', lineBreak: '\n', lineHeight: 14, limit: 560 },
        encoding: { y: subjectAxis, x: { datum: domain[1] }, text: { field: 'text' } },
      },
    ],
  } as TopLevelSpec;
}

/** The section, or nothing when the run measured no throughput. */
export function throughputBlocks(result: RunResult): Block[] {
  const throughput = result.throughput;
  if (throughput.length === 0) return [];
  return [
    heading(2, 'Throughput', 'throughput'),
    paragraph(
      text(
        'Timings on a shared machine vary from run to run, so every measurement is reported beside a baseline measured in the same run, and judged by the ratio. Timings are kept out of the metric CSVs, which are byte-identical between runs.',
      ),
    ),
    throughputTable(throughput),
    ...figure('throughput', 'Throughput ratios against their baselines and goals', 'throughput', throughputSpec(throughput)),
  ];
}
