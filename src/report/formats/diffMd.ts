import type { DiffFormat } from './types.js';
import { diffSections } from './diffText.js';
import { mdText } from './md.js';

/** `hoptrace diff --format md`: the same sections as the text, as a Markdown document (a mail or an issue). */
export const diffMdFormat: DiffFormat = {
  name: 'md',
  summary: 'Markdown',
  renders: 'diff',
  output: 'data',
  extension: '.md',
  color: false,
  commands: ['diff'],
  render: (d) => {
    const { head, sections } = diffSections(d);
    const out = [`# ${mdText(head[0]!, 200)}`, '', ...head.slice(1).filter((l) => l !== '').map((l) => `${mdText(l, 1000)}  `), ''];
    for (const s of sections) {
      out.push(`## ${mdText(s.title, 200)}`, '');
      // An item's first line is the bullet; its further lines are indented under it.
      for (const item of s.items) out.push(`- ${mdText(item[0]!, 1200)}`, ...item.slice(1).map((l) => `  - ${mdText(l.trim(), 1200)}`));
      out.push('');
    }
    return out.join('\n');
  },
};
