// Error records for documents that cannot be imported; each names the file, the position and what to do.
import { ErrorRecord } from '../../cmdlet/errors.js';

const REEXPORT =
  'Export the topology again (Get-CsTopology -AsXml > topology.xml on a Front End server, or save the .tbxml from Topology Builder) and import that file unchanged.';

export function malformed(source: string, line: number, column: number, reason: string): ErrorRecord {
  return new ErrorRecord({
    errorId: 'TopologyDocumentMalformed',
    category: 'ParserError',
    target: source,
    message: `The topology document '${source}' is not well-formed XML at line ${line}, column ${column}: ${reason}.`,
    recommendedAction: `Check that the file is complete (not truncated) and is the XML that Lync wrote. ${REEXPORT}`,
  });
}

export function dtdRefused(source: string, line: number, column: number): ErrorRecord {
  return new ErrorRecord({
    errorId: 'TopologyDocumentDtdRefused',
    category: 'InvalidData',
    target: source,
    message:
      `The topology document '${source}' contains a document type declaration (<!DOCTYPE>) at line ${line}, column ${column}. ` +
      'DTDs and entity declarations are refused so that no external entity is read and no entity expansion runs.',
    recommendedAction: `Topology Builder and Get-CsTopology never write a DOCTYPE: remove it, or ${REEXPORT.charAt(0).toLowerCase()}${REEXPORT.slice(1)}`,
  });
}

export function unknownDocument(source: string, line: number, column: number, what: string): ErrorRecord {
  return new ErrorRecord({
    errorId: 'TopologyDocumentUnknown',
    category: 'InvalidData',
    target: source,
    message:
      `'${source}' is not a Lync Server / Skype for Business Server topology document: ${what} (line ${line}, column ${column}). ` +
      "Expected a published topology (root <Topology> in namespace 'urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008') " +
      "or a Topology Builder file (root <TopologyBuilder> or <PartialTopology>), or this tool's JSON from Export-Topology.",
    recommendedAction: REEXPORT,
  });
}

export function invalidDocument(source: string, line: number, column: number, what: string): ErrorRecord {
  return new ErrorRecord({
    errorId: 'TopologyDocumentInvalid',
    category: 'InvalidData',
    target: source,
    message: `The topology document '${source}' cannot be imported: ${what} (line ${line}, column ${column}).`,
    recommendedAction: REEXPORT,
  });
}
