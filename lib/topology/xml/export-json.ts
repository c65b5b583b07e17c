// The tool's own JSON form of a draft or published revision (for backups and code review):
// schemaVersion, kind, revision, who/when, topology. Writing Lync's XML is out of scope until a real
// document containing a Persistent Chat pool is available to check against (domain.md 6.3).
import { SCHEMA_VERSION, type Topology } from '../model.js';
import type { Repository } from '../repository.js';
import { writeFileAtomic } from '../files.js';

export interface ExportDocument {
  schemaVersion: number;
  kind: 'Draft' | 'Published';
  revision: number;
  /** Draft: the published revision it started from. */
  basedOnPublishedRevision?: number;
  modifiedAt?: string;
  modifiedBy?: string;
  publishedAt?: string;
  publishedBy?: string;
  summary?: string;
  topology: Topology;
}

/** The draft, or published revision `revision` (RevisionNotFound when there is none). */
export async function exportDocument(repo: Repository, revision?: number): Promise<ExportDocument> {
  if (revision !== undefined) {
    const r = (await repo.readPublished(revision))!;
    return { schemaVersion: SCHEMA_VERSION, kind: 'Published', revision: r.revision, publishedAt: r.publishedAt, publishedBy: r.publishedBy, summary: r.summary, topology: r.topology };
  }
  const d = await repo.readDraft();
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: 'Draft',
    revision: d.revision,
    basedOnPublishedRevision: d.basedOnPublishedRevision,
    modifiedAt: d.modifiedAt,
    modifiedBy: d.modifiedBy,
    topology: d.topology,
  };
}

/** Pretty-printed (stable key order, one property per line) so that two exports diff well; written atomically. */
export async function writeExportFile(file: string, doc: ExportDocument): Promise<number> {
  const text = JSON.stringify(doc, null, 2) + '\n';
  await writeFileAtomic(file, text);
  return Buffer.byteLength(text);
}
