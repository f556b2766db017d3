import fs from 'node:fs';
import { describeFsError } from '../load/discover.js';
import { UsageError } from './context.js';

/** Reads all of standard input synchronously; the loader calls it when a path is `-`. */
export function readStandardInput(): Buffer {
  if (process.stdin.isTTY) {
    throw Object.assign(new Error('standard input is a terminal; pipe manifests into k8snet, e.g. helm template . | k8snet lint -'), { code: 'ETTY' });
  }
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(1 << 16);
  for (;;) {
    let bytesRead: number;
    try {
      bytesRead = fs.readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EOF') break;
      throw error;
    }
    if (bytesRead === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, bytesRead)));
  }
  return Buffer.concat(chunks);
}

/**
 * Buffers text and writes it in large synchronous chunks, so a matrix of millions of lines
 * streams out in constant memory without waiting on the event loop (stdout is synchronous for
 * files and pipes on Linux; files given with --output are written with writeSync).
 */
export class OutputSink {
  private pending: string[] = [];
  private pendingLength = 0;

  constructor(private readonly write: (data: string | Uint8Array) => void) {}

  /**
   * Queues `text`, writing out once 256 KiB have gathered; bytes (already encoded, in large
   * chunks the caller does not touch again) are written at once, after what is queued.
   */
  push(text: string | Uint8Array): void {
    if (typeof text !== 'string') {
      this.flush();
      this.write(text);
      return;
    }
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= 1 << 18) this.flush();
  }

  /** Writes everything queued. */
  flush(): void {
    if (this.pending.length === 0) return;
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    this.write(chunk);
  }
}

/** Opens the destination of `--output FILE`, or standard output. */
export function openOutput(file: string | undefined): { sink: OutputSink; close: () => Promise<void> } {
  if (!file) {
    const sink = new OutputSink((data) => process.stdout.write(data));
    return {
      sink,
      close: async () => {
        sink.flush();
        // Let an asynchronous stdout (a TTY on some platforms) drain before the exit code is set.
        if (process.stdout.writableLength > 0) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
      },
    };
  }
  let descriptor: number;
  try {
    descriptor = fs.openSync(file, 'w');
  } catch (error) {
    throw new UsageError(`--output ${describeFsError(error, file)}`);
  }
  const sink = new OutputSink((data) => writeAll(descriptor, data));
  return {
    sink,
    close: async () => {
      sink.flush();
      fs.closeSync(descriptor);
    },
  };
}

/** Writes all of `data` to a file descriptor (writeSync may write less than it is given). */
function writeAll(descriptor: number, data: string | Uint8Array): void {
  if (typeof data === 'string') {
    fs.writeSync(descriptor, data);
    return;
  }
  for (let offset = 0; offset < data.length; ) offset += fs.writeSync(descriptor, data, offset, data.length - offset);
}
