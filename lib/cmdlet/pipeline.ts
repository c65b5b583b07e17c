// Objects piped between shell commands: JSON lines (what every command writes into a pipe)
// or one JSON array/object.
import { ErrorRecord, ExitCode } from './errors.js';

export function readPipelineInput(text: string): Record<string, unknown>[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    const arr = parse(trimmed, 1);
    if (!Array.isArray(arr)) throw notObjects(1);
    return arr.map((o, i) => asObject(o, i + 1));
  }
  const out: Record<string, unknown>[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    out.push(asObject(parse(line, i + 1), i + 1));
  });
  return out;
}

function parse(s: string, line: number): unknown {
  try {
    return JSON.parse(s);
  } catch {
    throw new ErrorRecord({
      errorId: 'PipelineInputNotJson',
      category: 'InvalidData',
      target: `stdin line ${line}`,
      message: `Piped input line ${line} is not JSON: '${s.slice(0, 60)}'.`,
      recommendedAction: 'Pipe the output of another pchat command (JSON lines), or redirect stdin from /dev/null (< /dev/null) when nothing should be piped.',
      exitCode: ExitCode.Usage,
    });
  }
}

function asObject(o: unknown, line: number): Record<string, unknown> {
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw notObjects(line);
  return o as Record<string, unknown>;
}

function notObjects(line: number): ErrorRecord {
  return new ErrorRecord({
    errorId: 'PipelineInputNotObject',
    category: 'InvalidData',
    target: `stdin line ${line}`,
    message: `Piped input line ${line} is not a JSON object.`,
    recommendedAction: 'Pipe objects: one JSON object per line, or a JSON array of objects.',
    exitCode: ExitCode.Usage,
  });
}
