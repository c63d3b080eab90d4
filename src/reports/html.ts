/**
 * `index.html`: the whole report on one self-contained page (inline CSS, inline SVG charts, no
 * scripts, no fonts or other external resources), so it opens offline straight from disk.
 */
import type { Span } from '../types.js';
import { kindColours } from './palette.js';
import type { Block, Cell, Inline, ReportDocument } from './document.js';
import { senseText, targetSegments } from './content.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function inlineHtml(parts: readonly Inline[]): string {
  return parts
    .map((part) => {
      const escaped = escapeHtml(part.text);
      if (part.style === 'code') return `<code>${escaped}</code>`;
      if (part.style === 'strong') return `<strong>${escaped}</strong>`;
      if (part.style === 'em') return `<em>${escaped}</em>`;
      return escaped;
    })
    .join('');
}

function cellHtml(cell: Cell, kindColumn: boolean): string {
  if (typeof cell !== 'string') return inlineHtml(cell);
  if (kindColumn && (cell === 'static' || cell === 'contextual')) return `<span class="kind ${cell}">${cell}</span>`;
  const [first = '', ...details] = cell.split('\n');
  return details.length === 0 ? escapeHtml(first) : `${escapeHtml(first)}<br><span class="detail">${escapeHtml(details.join(' '))}</span>`;
}

function tableHtml(id: string, caption: string, header: readonly string[], numeric: readonly number[], rows: readonly (readonly Cell[])[], highlight: readonly number[]): string {
  const kindColumn = header.indexOf('kind');
  const head = header.map((name, index) => `<th${numeric.includes(index) ? ' class="num"' : ''} scope="col">${escapeHtml(name)}</th>`).join('');
  const body = rows
    .map((row, rowIndex) => {
      const cells = row.map((cell, index) => `<td${numeric.includes(index) ? ' class="num"' : ''}>${cellHtml(cell, index === kindColumn)}</td>`).join('');
      return `<tr${highlight.includes(rowIndex) ? ' class="highlight"' : ''}>${cells}</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table id="${escapeHtml(id)}">\n<caption>${escapeHtml(caption)}</caption>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`;
}

function sentenceHtml(sentence: string, spans: readonly Span[], word: string): string {
  return targetSegments(sentence, spans, word)
    .map((segment) => (segment.target ? `<mark>${escapeHtml(segment.text)}</mark>` : escapeHtml(segment.text)))
    .join('');
}

function exampleHtml(block: Extract<Block, { type: 'example' }>): string {
  const { pair } = block.pair;
  const sentences =
    pair.sentence1 !== '' || pair.sentence2 !== ''
      ? `<ol class="sentences"><li>${sentenceHtml(pair.sentence1, pair.spans1, pair.word)}</li><li>${sentenceHtml(pair.sentence2, pair.spans2, pair.word2 ?? pair.word)}</li></ol>`
      : '';
  const rows = block.rows
    .map((row) => {
      const [model, representation, kind, cosine] = row.map((cell) => (typeof cell === 'string' ? cell : cell.map((part) => part.text).join(''))) as [string, string, string, string];
      const value = Number(cosine);
      const width = Number.isFinite(value) ? Math.round(Math.max(0, Math.min(1, value)) * 1000) / 10 : 0;
      return `<tr><td>${escapeHtml(model)}</td><td><code>${escapeHtml(representation)}</code></td><td><span class="kind ${kind === 'static' ? 'static' : 'contextual'}">${escapeHtml(kind)}</span></td><td class="num">${escapeHtml(cosine)}</td><td class="barcell"><span class="bar ${kind === 'static' ? 'static' : 'contextual'}" style="width:${width}%"></span></td></tr>`;
    })
    .join('\n');
  return `<section class="example" id="example-${escapeHtml(pair.id)}">
<h4><span class="word">${escapeHtml(pair.word)}</span> — labelled <strong>${senseText(pair.label)}</strong> <span class="muted">(<code>${escapeHtml(pair.id)}</code>, ${escapeHtml(block.dataset)} / ${escapeHtml(block.split)})</span></h4>
${sentences}
<table class="cosines"><thead><tr><th scope="col">model</th><th scope="col">representation</th><th scope="col">kind</th><th scope="col" class="num">cosine</th><th scope="col">0 → 1</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</section>`;
}

function blockHtml(block: Block, svgs: ReadonlyMap<string, string>): string {
  switch (block.type) {
    case 'heading':
      return `<h${block.level} id="${escapeHtml(block.id)}">${escapeHtml(block.text)}</h${block.level}>`;
    case 'paragraph':
      return `<p>${inlineHtml(block.parts)}</p>`;
    case 'list':
      return `<ul>\n${block.items.map((item) => `<li>${inlineHtml(item)}</li>`).join('\n')}\n</ul>`;
    case 'table':
      return tableHtml(block.id, block.caption, block.header, block.numeric, block.rows, block.highlight);
    case 'figure': {
      const { chart } = block;
      const drawn = svgs.get(chart.name);
      if (drawn === undefined) throw new Error(`internal error: chart ${chart.name} was not drawn`);
      const svg = drawn.replace(/^<svg /, `<svg role="img" aria-label="${escapeHtml(chart.title)}" `);
      return `<figure class="chart" id="fig-${escapeHtml(chart.name)}" data-chart="${chart.kind}">\n${svg}\n<figcaption>${escapeHtml(chart.title)} · <a href="plots/${escapeHtml(chart.name)}.svg">SVG</a></figcaption>\n</figure>`;
    }
    case 'example':
      return exampleHtml(block);
    case 'code':
      return `<pre class="commands">${block.lines.map((line) => `<span class="comment"># ${escapeHtml(line.purpose)}</span>\n${escapeHtml(line.command)}`).join('\n')}</pre>`;
  }
}

const styles = `
:root { --static: ${kindColours.static}; --contextual: ${kindColours.contextual}; --ink: #1d232b; --muted: #5b6570; --rule: #d8dde3; --soft: #f5f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 "Liberation Sans", Arial, Helvetica, sans-serif; color: var(--ink); background: #fff; }
header.top { background: var(--soft); border-bottom: 1px solid var(--rule); padding: 18px 28px 12px; }
header.top h1 { margin: 0 0 6px; font-size: 24px; }
.legend-key { margin: 6px 0 0; font-size: 14px; }
nav.toc { font-size: 13px; margin-top: 8px; }
nav.toc a { color: #0b5394; text-decoration: none; margin-right: 14px; white-space: nowrap; }
nav.toc a.sub { color: var(--muted); }
main { max-width: 1180px; padding: 8px 28px 48px; }
h2 { margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--rule); font-size: 21px; }
h3 { margin: 30px 0 8px; font-size: 18px; }
h4 { margin: 0 0 8px; font-size: 16px; font-weight: normal; }
p, ul { max-width: 920px; }
code { font-family: "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: 0.88em; background: var(--soft); padding: 0 3px; border-radius: 3px; }
.muted { color: var(--muted); font-size: 13px; }
.detail { color: var(--muted); font-size: 11px; }
.kind { display: inline-block; padding: 0 7px; border-radius: 9px; color: #fff; font-size: 12px; line-height: 18px; }
.kind.static { background: var(--static); }
.kind.contextual { background: var(--contextual); }
.table-wrap { overflow-x: auto; margin: 12px 0 18px; }
table { border-collapse: collapse; font-size: 13px; }
caption { caption-side: top; text-align: left; color: var(--muted); padding: 0 0 6px; font-size: 13px; }
th, td { border-bottom: 1px solid var(--rule); padding: 4px 9px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: bold; white-space: nowrap; }
td:first-child { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fbfcfd; }
tr.highlight td, tbody tr.highlight:nth-child(even) td { background: #fff4cc; }
.example { border: 1px solid var(--rule); border-left: 6px solid #e0b000; background: #fffcf0; border-radius: 4px; padding: 12px 16px; margin: 14px 0; max-width: 760px; }
.example .word { font-weight: bold; font-size: 18px; }
.example ol.sentences { margin: 4px 0 10px; padding-left: 22px; font-size: 16px; }
.example mark { background: #ffe08a; padding: 0 2px; border-radius: 2px; font-weight: bold; }
table.cosines td.barcell { width: 220px; }
.bar { display: block; height: 12px; border-radius: 2px; margin-top: 3px; }
.bar.static { background: var(--static); }
.bar.contextual { background: var(--contextual); }
figure.chart { margin: 16px 0 22px; padding: 10px; border: 1px solid var(--rule); border-radius: 4px; display: inline-block; max-width: 100%; background: #fff; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; }
pre.commands { background: #1d232b; color: #f1f3f5; padding: 12px 16px; border-radius: 4px; overflow-x: auto; font-size: 13px; }
pre.commands .comment { color: #9aa5b1; }
`;

/** Renders the report document as one self-contained HTML page, its charts inline (`svgs`: each chart's SVG by name). */
export function renderHtml(document: ReportDocument, svgs: ReadonlyMap<string, string>): string {
  const toc = document.blocks
    .filter((block): block is Extract<Block, { type: 'heading' }> => block.type === 'heading' && block.level >= 2)
    .map((block) => `<a href="#${escapeHtml(block.id)}"${block.level === 3 ? ' class="sub"' : ''}>${escapeHtml(block.text)}</a>`)
    .join(' ');
  const body = document.blocks.map((block) => blockHtml(block, svgs)).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(document.title)}</title>
<style>${styles}</style>
</head>
<body>
<header class="top">
<h1>${escapeHtml(document.title)}</h1>
<p class="legend-key">Colours throughout: <span class="kind static">static</span> one vector per word type · <span class="kind contextual">contextual</span> a vector per occurrence, computed from the sentence.</p>
<nav class="toc">${toc}</nav>
</header>
<main>
${body}
</main>
</body>
</html>
`;
}
