import fs from 'node:fs';
import type { Writable } from 'node:stream';

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
 * Buffers text and writes it in large chunks, waiting when the stream is full, so a matrix of
 * millions of lines streams out in constant memory.
 */
export class OutputSink {
  private pending: string[] = [];
  private pendingLength = 0;

  constructor(private readonly stream: Writable) {}

  /** Queues `text`; resolves once it is safe to queue more. */
  async write(text: string): Promise<void> {
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= 1 << 16) await this.flush();
  }

  /** Writes everything queued and waits for the stream to drain if it is full. */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.stream.off('drain', done);
          this.stream.off('error', done);
          this.stream.off('close', done);
          resolve();
        };
        this.stream.once('drain', done);
        this.stream.once('error', done);
        this.stream.once('close', done);
      });
    }
  }
}

/** Opens the destination of `--output FILE`, or standard output. */
export function openOutput(file: string | undefined): { sink: OutputSink; close: () => Promise<void> } {
  if (!file) {
    const sink = new OutputSink(process.stdout);
    return { sink, close: () => sink.flush() };
  }
  const stream = fs.createWriteStream(file);
  const sink = new OutputSink(stream);
  return {
    sink,
    close: async () => {
      await sink.flush();
      await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
    },
  };
}
