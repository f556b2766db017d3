import fs from 'node:fs';
import { describeFsError } from './discover.js';
import { MAX_FILE_BYTES } from './parse-text.js';

/** A file that cannot be read, with the reason in a sentence that starts with its name. */
export class FileReadError extends Error {}

/**
 * Reads one regular file whole, for files k8snet opens by name outside the manifest walk (the
 * configuration): a folder, a FIFO (which would block), a device (`/dev/zero`, which never ends)
 * or a file over MAX_FILE_BYTES is refused with a plain sentence, before anything is read.
 */
export function readRegularFile(file: string): Buffer {
  let stats: fs.Stats;
  try {
    stats = fs.statSync(file);
  } catch (error) {
    throw new FileReadError(describeFsError(error, file));
  }
  if (stats.isDirectory()) throw new FileReadError(`${file}: is a folder, not a file`);
  if (!stats.isFile()) throw new FileReadError(`${file}: ${stats.isFIFO() ? 'a FIFO (named pipe)' : stats.isCharacterDevice() ? 'a character device' : stats.isBlockDevice() ? 'a block device' : stats.isSocket() ? 'a socket' : 'not a regular file'}, not a regular file`);
  if (stats.size > MAX_FILE_BYTES) throw new FileReadError(`${file}: larger than the ${MAX_FILE_BYTES / 1048576} MiB limit`);
  let descriptor: number;
  try {
    // O_NONBLOCK: should a FIFO take the file's place after the check, opening it does not wait.
    descriptor = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (error) {
    throw new FileReadError(describeFsError(error, file));
  }
  try {
    const opened = fs.fstatSync(descriptor);
    if (!opened.isFile()) throw new FileReadError(`${file}: not a regular file`);
    // One byte more than the size: reaching it means the file grew while it was read.
    let buffer = Buffer.allocUnsafe(Math.min(opened.size, MAX_FILE_BYTES) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > MAX_FILE_BYTES) throw new FileReadError(`${file}: larger than the ${MAX_FILE_BYTES / 1048576} MiB limit`);
        const larger = Buffer.allocUnsafe(Math.min(length * 2, MAX_FILE_BYTES + 1));
        buffer.copy(larger);
        buffer = larger;
      }
      const read = fs.readSync(descriptor, buffer, length, buffer.length - length, null);
      if (read === 0) return buffer.subarray(0, length);
      length += read;
    }
  } catch (error) {
    if (error instanceof FileReadError) throw error;
    throw new FileReadError(describeFsError(error, file));
  } finally {
    fs.closeSync(descriptor);
  }
}
