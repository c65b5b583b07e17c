// Reads a real topology document (published or Topology Builder form) into the model.
import type { Product, Topology } from '../model.js';
import { parseXml, type XmlElement } from './parse.js';
import { invalidDocument, unknownDocument } from './errors.js';
import { PUBLISHED_NS, readPublished } from './published.js';
import { partialTopologyOf, readTopologyBuilder, TOPOLOGY_BUILDER_NS, WRITABLE_TOPOLOGY_NS } from './tbxml.js';
import { mapDeployment } from './map.js';
import type { RawDeployment } from './deployment.js';
import { readExportJson } from './import-json.js';

export { decodeTopologyDocument } from './decode.js';

/** Json: this tool's own Export-Topology document (a backup, or a published revision) read back. */
export type DocumentForm = 'Published' | 'TopologyBuilder' | 'Json';

export interface ImportResult {
  topology: Topology;
  form: DocumentForm;
  /** Services whose role the model does not hold, counted by RoleName. */
  unmodelledRoles: Record<string, number>;
  warnings: string[];
  /** Json form: what the export held (the draft at a revision, or a published revision). */
  exported?: { kind: 'Draft' | 'Published'; revision: number };
}

export interface ImportOptions {
  /** Overrides the product read from ServiceVersion. */
  product?: Product;
}

/** Bulky parts the import never reads (ports, network interfaces, web components): checked, not kept. */
const NOT_READ = new Set(['ports', 'netinterface', 'webcomponents', 'simpleurlconfiguration', 'mcus']);

/** Throws an ErrorRecord (TopologyDocumentMalformed, -DtdRefused, -Unknown, -Invalid) naming file, line and column. */
export function importTopologyDocument(text: string, sourceName: string, options: ImportOptions = {}): ImportResult {
  // JSON is this tool's own Export-Topology document: read back as it was written.
  if (/^\uFEFF?\s*[{[]/.test(text)) {
    const doc = readExportJson(text, sourceName, options);
    return { topology: doc.topology, form: 'Json', unmodelledRoles: {}, warnings: [], exported: { kind: doc.kind, revision: doc.revision } };
  }
  // The configuration backup an admin may have at hand instead: as XML it would be 'disallowed character', 'check that it is not truncated'.
  if (text.startsWith('PK\u0003\u0004')) {
    throw unknownDocument(sourceName, 1, 1, 'it is a ZIP archive, such as the configuration backup Export-CsConfiguration writes');
  }
  const root = parseXml(text, sourceName, { skip: NOT_READ });
  const { form, deployment, warnings } = readDocument(root, sourceName);
  if (!deployment.sites.some((s) => s.central)) {
    throw invalidDocument(sourceName, root.line, root.column, 'it defines no central site');
  }
  const mapped = mapDeployment(deployment, options);
  return { topology: mapped.topology, form, unmodelledRoles: mapped.unmodelledRoles, warnings: [...warnings, ...mapped.warnings] };
}

function readDocument(root: XmlElement, source: string): { form: DocumentForm; deployment: RawDeployment; warnings: string[] } {
  const warnings: string[] = [];
  const expectNs = (ns: string[]) => {
    if (ns.includes(root.uri)) return;
    if (root.uri === '') {
      warnings.push(`The root element <${root.name}> has no namespace (expected '${ns[0]}'); read as that form anyway.`);
      return;
    }
    throw unknownDocument(source, root.line, root.column, `its root element <${root.name}> is in namespace '${root.uri}'`);
  };

  if (root.name === 'Topology') {
    expectNs([PUBLISHED_NS]);
    return { form: 'Published', deployment: readPublished(root), warnings };
  }
  if (root.name === 'TopologyBuilder' || root.name === 'PartialTopology') {
    expectNs(root.name === 'TopologyBuilder' ? [TOPOLOGY_BUILDER_NS] : [WRITABLE_TOPOLOGY_NS]);
    const partial = partialTopologyOf(root);
    if (!partial) throw invalidDocument(source, root.line, root.column, 'the Topology Builder file has no <PartialTopology> (the topology itself)');
    return { form: 'TopologyBuilder', deployment: readTopologyBuilder(partial), warnings };
  }
  throw unknownDocument(source, root.line, root.column, `its root element is <${root.name}>${root.uri ? ` in namespace '${root.uri}'` : ''}`);
}
