import { DocumentPositions, type TransferredPositions } from './positions.js';
import type { FileOutcome } from './parse-text.js';
import { SourceFile } from './source-file.js';
import type { Finding } from '../finding.js';

/** A parsed file as plain data, posted from a parse worker to the main thread. */
export type TransferredOutcome =
  | { readonly finding: Finding }
  | {
    readonly path: string;
    readonly text: string;
    readonly positions: readonly TransferredPositions[];
    readonly documents: readonly { value: unknown; positionsIndex: number; indexInPositions: number; documentIndex: number }[];
    readonly findings: readonly Finding[];
  };

/** Turns a parse outcome into plain data and the buffers to transfer rather than copy. */
export function toTransfer(outcome: FileOutcome): { data: TransferredOutcome; transfer: ArrayBuffer[] } {
  if ('finding' in outcome) return { data: outcome, transfer: [] };
  const positions: DocumentPositions[] = [];
  const documents = outcome.documents.map((document) => {
    let positionsIndex = positions.indexOf(document.positions);
    if (positionsIndex === -1) positionsIndex = positions.push(document.positions) - 1;
    return { value: document.value, positionsIndex, indexInPositions: document.indexInPositions, documentIndex: document.documentIndex };
  });
  const transferred = positions.map((entry) => entry.toTransfer());
  return {
    data: { path: outcome.file.path, text: outcome.file.text, positions: transferred, documents, findings: outcome.findings },
    transfer: transferred.map((entry) => entry.nodes.buffer as ArrayBuffer),
  };
}

/** Rebuilds a parse outcome from the data a worker posted. */
export function fromTransfer(data: TransferredOutcome): FileOutcome {
  if ('finding' in data) return data;
  const file = new SourceFile(data.path, data.text);
  const positions = data.positions.map((entry) => DocumentPositions.fromTransfer(file, entry));
  return {
    file,
    documents: data.documents.map((document) => ({
      value: document.value,
      positions: positions[document.positionsIndex],
      indexInPositions: document.indexInPositions,
      documentIndex: document.documentIndex,
    })),
    findings: data.findings,
  };
}
