/**
 * `summary.md`: the lesson's tables and charts as GitHub-flavoured markdown, with the charts
 * linked as `plots/<name>.svg` beside it.
 */
import type { Span } from '../types.js';
import type { Block, Cell, Inline, ReportDocument } from './document.js';
import { senseText, targetSegments } from './content.js';

/**
 * Escapes the characters markdown would read as markup inside a line (emphasis, code, tables,
 * HTML). Brackets stay: without a following `(` they are plain text, and `[0.61, 0.75]` reads better.
 */
function escapeMarkdown(value: string): string {
  return value.replace(/([\\`*_<|])/g, '\\$1');
}

function inlineMarkdown(parts: readonly Inline[]): string {
  return parts
    .map((part) => {
      if (part.style === 'code') return `\`${part.text.replace(/`/g, "'")}\``;
      if (part.style === 'strong') return `**${escapeMarkdown(part.text)}**`;
      if (part.style === 'em') return `*${escapeMarkdown(part.text)}*`;
      return escapeMarkdown(part.text);
    })
    .join('');
}

function cellMarkdown(cell: Cell): string {
  return (typeof cell === 'string' ? escapeMarkdown(cell) : inlineMarkdown(cell)).replace(/\n/g, ' ');
}

function tableMarkdown(header: readonly string[], numeric: readonly number[], rows: readonly (readonly Cell[])[], highlight: readonly number[] = []): string[] {
  const lines = [`| ${header.map((name) => escapeMarkdown(name)).join(' | ')} |`, `|${header.map((_, index) => (numeric.includes(index) ? '---:' : '---')).join('|')}|`];
  rows.forEach((row, index) => {
    const cells = row.map(cellMarkdown);
    // Markdown has no row highlight; bold the first cell's marker instead.
    if (highlight.includes(index) && cells[0] !== undefined) cells[0] = `▶ ${cells[0]}`;
    lines.push(`| ${cells.join(' | ')} |`);
  });
  return lines;
}

function sentenceMarkdown(sentence: string, spans: readonly Span[], word: string): string {
  return targetSegments(sentence, spans, word)
    .map((segment) => (segment.target ? `**${escapeMarkdown(segment.text)}**` : escapeMarkdown(segment.text)))
    .join('');
}

function blockMarkdown(block: Block): string[] {
  switch (block.type) {
    case 'heading':
      return [`${'#'.repeat(block.level)} ${escapeMarkdown(block.text)}`];
    case 'paragraph':
      return [inlineMarkdown(block.parts)];
    case 'list':
      return block.items.map((item) => `- ${inlineMarkdown(item)}`);
    case 'table':
      return [`*${escapeMarkdown(block.caption)}*`, '', ...tableMarkdown(block.header, block.numeric, block.rows, block.highlight)];
    case 'figure':
      return [`![${escapeMarkdown(block.chart.title)}](plots/${block.chart.name}.svg)`];
    case 'example': {
      const { pair } = block.pair;
      const lines = [
        `**${escapeMarkdown(pair.word)}** — \`${pair.id}\` (${escapeMarkdown(`${block.dataset} / ${block.split}`)}), labelled **${senseText(pair.label)}**`,
        '',
      ];
      if (pair.sentence1 !== '' || pair.sentence2 !== '') {
        lines.push(`> 1. ${sentenceMarkdown(pair.sentence1, pair.spans1, pair.word)}`, '>', `> 2. ${sentenceMarkdown(pair.sentence2, pair.spans2, pair.word2 ?? pair.word)}`, '');
      }
      lines.push(...tableMarkdown(['model', 'representation', 'kind', 'cosine'], [3], block.rows));
      return lines;
    }
    case 'code':
      return ['```sh', ...block.lines.flatMap((line) => [`# ${line.purpose}`, line.command]), '```'];
  }
}

/** Renders the report document as markdown (blocks separated by blank lines, one trailing newline). */
export function renderMarkdown(document: ReportDocument): string {
  const parts = [`# ${escapeMarkdown(document.title)}`, ...document.blocks.map((block) => blockMarkdown(block).join('\n'))];
  return `${parts.join('\n\n')}\n`;
}
