import fs from 'node:fs';
import path from 'node:path';
import { describeFsError } from '../load/discover.js';
import { MAX_FILE_BYTES } from '../load/parse-text.js';
import { UsageError } from './context.js';

/**
 * Reads standard input synchronously, up to the manifest size limit: the loader calls it when a
 * path is `-`. Input larger than the limit (`k8snet lint - < /dev/zero`) is read no further, and
 * its size is returned when the file system knows it (a file redirected in), so that memory
 * stays bounded whatever is piped in.
 */
export function readStandardInput(): Buffer | { readonly tooLarge: number | undefined } {
  if (process.stdin.isTTY) {
    throw Object.assign(new Error('standard input is a terminal; pipe manifests into k8snet, e.g. helm template . | k8snet lint -'), { code: 'ETTY' });
  }
  const stats = fstatOrUndefined(0);
  if (stats?.isFile() && stats.size > MAX_FILE_BYTES) return { tooLarge: stats.size };
  const chunks: Buffer[] = [];
  let total = 0;
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
    total += bytesRead;
    if (total > MAX_FILE_BYTES) return { tooLarge: undefined };
  }
  return Buffer.concat(chunks);
}

function fstatOrUndefined(descriptor: number): fs.Stats | undefined {
  try {
    return fs.fstatSync(descriptor);
  } catch {
    return undefined;
  }
}

/**
 * Buffers text and writes it in large chunks, so a matrix of millions of lines streams out in
 * constant memory (stdout is synchronous for files and pipes on Linux; files given with --output
 * are written in the background, see BackgroundFileWriter).
 */
export class OutputSink {
  private pending: string[] = [];
  private pendingLength = 0;

  constructor(private readonly write: (data: string | Uint8Array) => void) {}

  /**
   * Queues `text`, writing out once 256 KiB have gathered; bytes (already encoded, in large
   * chunks the caller does not touch again) are written at once, after what is queued. Returns
   * true when something was written, the moment for a large producer to await `Output.ready`.
   */
  push(text: string | Uint8Array): boolean {
    if (typeof text !== 'string') {
      this.flush();
      this.write(text);
      return true;
    }
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength < 1 << 18) return false;
    this.flush();
    return true;
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

/** An opened output: queue with `sink.push`, let a large producer keep pace with `ready`, finish with `close`. */
export interface Output {
  readonly sink: OutputSink;
  /**
   * Resolves when the producer may go on: at once for standard output (written synchronously),
   * after the disk has caught up for a file. Producers of large outputs await it after each chunk.
   */
  ready(): Promise<void>;
  /** Writes what is queued, waits for the disk and closes; throws a UsageError when writing failed. */
  close(): Promise<void>;
  /** Closes a file without waiting for what is queued, after a failure (writes still in flight end on their own). */
  abandon(): void;
  /**
   * Returns a buffer of at least `bytes` for a large producer to fill and push: one whose
   * earlier contents have been written when there is one, else a new one. Pushing it hands it
   * back; the producer must not touch it after the push.
   */
  takeBuffer(bytes: number): Buffer;
}

/**
 * Buffers written out, kept for the next chunks: a matrix of a large cluster is more than a
 * gigabyte, and a new buffer per megabyte makes the process touch that many fresh pages (costly
 * on virtual machines that hand freed memory back to their host) and makes V8 collect garbage
 * for the external memory. Only buffers it made itself come back, whole, and only once written.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];
  /** The memory of the buffers handed out and not yet back. */
  private readonly out = new WeakSet<ArrayBufferLike>();

  /** At most `limit` buffers are kept (what the backlog holds, and a few more). */
  constructor(private readonly limit: number) {}

  take(bytes: number): Buffer {
    const last = this.free[this.free.length - 1];
    // Never from Node's shared slab (allocUnsafe's small buffers): the whole memory is reused.
    const buffer = last && last.length >= bytes ? this.free.pop()! : Buffer.allocUnsafeSlow(bytes);
    this.out.add(buffer.buffer);
    return buffer;
  }

  /** Takes back the memory under a chunk that has been written, when it was handed out here. */
  recycle(chunk: Uint8Array): void {
    if (!this.out.has(chunk.buffer)) return;
    this.out.delete(chunk.buffer);
    if (this.free.length < this.limit) this.free.push(Buffer.from(chunk.buffer));
  }
}

/** Opens the destination of `--output FILE`, or standard output. */
export function openOutput(file: string | undefined): Output {
  // What the backlog holds in chunks of a megabyte, and a few more.
  const pool = new BufferPool(BACKLOG_BYTES / (1 << 20) + 4);
  if (!file) {
    const sink = new OutputSink((data) => {
      process.stdout.write(data);
      // Written at once (files and pipes are synchronous on Linux), unless the stream queued it.
      if (typeof data !== 'string' && process.stdout.writableLength === 0) pool.recycle(data);
    });
    return {
      sink,
      takeBuffer: (bytes) => pool.take(bytes),
      ready: async () => {},
      abandon: () => {},
      close: async () => {
        sink.flush();
        // Let an asynchronous stdout (a TTY on some platforms) drain before the exit code is set.
        if (process.stdout.writableLength > 0) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
      },
    };
  }
  let descriptor: number;
  try {
    // `-o reports/k8snet.sarif` in a fresh CI checkout: the folder is made, as ESLint's --output-file does.
    fs.mkdirSync(path.dirname(file), { recursive: true });
    descriptor = fs.openSync(file, 'w');
  } catch (error) {
    throw new UsageError(`--output ${describeFsError(error, file)}`);
  }
  const writer = new BackgroundFileWriter(descriptor, file, (chunk) => pool.recycle(chunk));
  const sink = new OutputSink((data) => writer.write(data));
  return {
    sink,
    takeBuffer: (bytes) => pool.take(bytes),
    ready: () => writer.settle(BACKLOG_BYTES),
    abandon: () => writer.abandon(),
    close: async () => {
      sink.flush();
      try {
        await writer.settle(0);
      } finally {
        writer.abandon();
      }
    },
  };
}

/** How far a producer may run ahead of the disk before `ready` makes it wait. */
const BACKLOG_BYTES = 16 * 1024 * 1024;

/**
 * Writes a file on libuv's thread pool while the caller produces what comes next: a matrix of
 * millions of lines spends about as long in the kernel's write calls as in formatting, and on a
 * second core the two overlap. One write (a writev of everything queued) is in flight at a time,
 * so the file is written in order. Chunks handed over are not copied: the caller must not change
 * them afterwards; each one written whole goes to `onWritten`, which may hand its memory out again.
 */
class BackgroundFileWriter {
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private inFlightBytes = 0;
  private failure: unknown;
  private wake: (() => void) | undefined;
  /** Set by `abandon`: nothing more is written, and the file is closed once no write is in flight. */
  private abandoned = false;
  private descriptorClosed = false;

  constructor(
    private readonly descriptor: number,
    private readonly file: string,
    private readonly onWritten: (chunk: Uint8Array) => void,
  ) {}

  write(data: string | Uint8Array): void {
    if (this.abandoned) return;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (bytes.length === 0) return;
    this.queue.push(bytes);
    this.queuedBytes += bytes.length;
    this.pump();
  }

  /**
   * Resolves once at most `limit` bytes wait to be written. It always yields to the event loop
   * first: finished writes are only taken in, and the next one started, when the caller yields.
   */
  async settle(limit: number): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.failure === undefined && this.queuedBytes + this.inFlightBytes > limit) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    if (this.failure !== undefined) {
      const code = (this.failure as NodeJS.ErrnoException).code;
      throw new UsageError(`--output ${this.file}: writing failed (${code ?? (this.failure as Error).message ?? String(this.failure)})`);
    }
  }

  /** Drops what is queued and closes the file, now or when the write in flight ends. */
  abandon(): void {
    this.abandoned = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.closeWhenIdle();
  }

  private closeWhenIdle(): void {
    if (this.inFlightBytes > 0 || this.descriptorClosed) return;
    this.descriptorClosed = true;
    fs.closeSync(this.descriptor);
  }

  private pump(): void {
    if (this.abandoned) {
      this.closeWhenIdle();
      return;
    }
    if (this.inFlightBytes > 0 || this.queue.length === 0 || this.failure !== undefined) return;
    const batch = this.queue;
    this.queue = [];
    this.inFlightBytes = this.queuedBytes;
    this.queuedBytes = 0;
    fs.writev(this.descriptor, batch, (error, written) => {
      if (error) {
        this.failure = error;
      } else if (written < this.inFlightBytes) {
        // A short write: what was not written goes back in front of the queue.
        if (!this.abandoned) {
          const rest = unwritten(batch, written);
          this.queue = [...rest, ...this.queue];
          this.queuedBytes += this.inFlightBytes - written;
        }
      } else {
        for (const chunk of batch) this.onWritten(chunk);
      }
      this.inFlightBytes = 0;
      this.pump();
      const wake = this.wake;
      this.wake = undefined;
      wake?.();
    });
  }
}

/** The parts of `chunks` after their first `written` bytes (what a short write left to write). */
export function unwritten(chunks: readonly Uint8Array[], written: number): Uint8Array[] {
  const rest: Uint8Array[] = [];
  let skip = written;
  for (const chunk of chunks) {
    if (skip >= chunk.length) {
      skip -= chunk.length;
      continue;
    }
    rest.push(skip > 0 ? chunk.subarray(skip) : chunk);
    skip = 0;
  }
  return rest;
}
