import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { describeFsError } from './discover.js';
import { INPUT_RULES } from './input-rules.js';
import { fileFinding, parseBytes } from './parse-text.js';
import { SourceFile } from './source-file.js';
import { toTransfer } from './transfer.js';

/** A parse worker: reads and parses the files it is sent, posting each result as it is done. */
parentPort?.on('message', (message: { files: readonly { index: number; path: string }[] }) => {
  for (const { index, path } of message.files) {
    let outcome;
    try {
      outcome = parseBytes(path, fs.readFileSync(path));
    } catch (error) {
      outcome = { finding: fileFinding(INPUT_RULES.unreadable, new SourceFile(path, ''), 1, 1, describeFsError(error, path)) };
    }
    const { data, transfer } = toTransfer(outcome);
    parentPort!.postMessage({ index, data }, transfer);
  }
  parentPort!.postMessage({ done: true });
});
