// Wrapping prose at a width for help pages (command help and about_ topics).

/**
 * Wraps each line of `text` at `width` columns, prefixed by `indent`. A line's own leading spaces are
 * kept; continuation lines of a line without its own indent get `hanging` more. Blank lines stay blank.
 * A word longer than the width is never cut (a path or a command must stay copyable).
 */
export function wrapText(text: string, width = 80, indent = '    ', hanging = ''): string {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    if (!para.trim()) {
      out.push('');
      continue;
    }
    const own = /^\s*/.exec(para)![0];
    let lead = indent + own;
    let line = '';
    for (const word of para.trim().split(/\s+/)) {
      if (line && lead.length + line.length + 1 + word.length > width) {
        out.push(lead + line);
        lead = indent + own + (own ? '' : hanging);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) out.push(lead + line);
  }
  return out.join('\n');
}
