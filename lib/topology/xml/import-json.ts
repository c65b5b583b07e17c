// Reads this tool's own JSON (Export-Topology's document) back, for Import-Topology: the restore path of
// a backup or of a published revision. The document is checked as strictly as a repository file.
import { ErrorRecord } from '../../cmdlet/errors.js';
import { SCHEMA_VERSION, type Product } from '../model.js';
import { shapeProblem } from '../shape.js';
import type { ExportDocument } from './export-json.js';

const REEXPORT = 'Give a file written by Export-Topology, unchanged (Export-Topology -Path backup.json), or a topology document from Get-CsTopology -AsXml or Topology Builder.';

/** Line and column (1-based) of a character offset, for messages. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** Parses and checks an Export-Topology document; throws an ErrorRecord naming what is wrong. */
export function readExportJson(text: string, sourceName: string, options: { product?: Product } = {}): ExportDocument {
  let doc: any;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    const m = /at position (\d+)/.exec((e as Error).message);
    const where = m ? lineColumn(text.replace(/^\uFEFF/, ''), Number(m[1])) : undefined;
    // The parser's message may quote the text; only its reason is kept.
    const reason = (e as Error).message.replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
    throw new ErrorRecord({
      errorId: 'TopologyDocumentMalformed',
      category: 'ParserError',
      target: sourceName,
      message: `'${sourceName}' is not well-formed JSON${where ? ` at line ${where.line}, column ${where.column}` : ''}: ${reason}.`,
      recommendedAction: `Check that the file is complete (not truncated). ${REEXPORT}`,
    });
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || !('topology' in doc) || !('schemaVersion' in doc)) {
    throw invalid(sourceName, 'it is JSON, but not an Export-Topology document (no schemaVersion and topology)');
  }
  if (typeof doc.schemaVersion === 'number' && doc.schemaVersion > SCHEMA_VERSION) {
    throw new ErrorRecord({
      errorId: 'TopologyDocumentTooNew',
      category: 'InvalidData',
      target: sourceName,
      message: `'${sourceName}' has schemaVersion ${doc.schemaVersion}; this version of pchat-topology reads up to ${SCHEMA_VERSION}. Nothing was imported.`,
      recommendedAction: 'Import it with the pchat-topology version that exported it, or a newer one (npm install -g pchat-topology@latest).',
    });
  }
  const problem = shapeProblem('export', doc);
  if (problem) throw invalid(sourceName, problem);
  const document = doc as ExportDocument;
  if (options.product) document.topology.product = options.product;
  return document;
}

function invalid(sourceName: string, what: string): ErrorRecord {
  return new ErrorRecord({
    errorId: 'TopologyDocumentInvalid',
    category: 'InvalidData',
    target: sourceName,
    message: `'${sourceName}' cannot be imported: ${what}. Nothing was imported.`,
    recommendedAction: REEXPORT,
  });
}
