import { open, rm, type FileHandle } from 'node:fs/promises';

/** Bytes spooled in memory before they are appended to their file. */
export const FLUSH_BYTES = 4 << 20;
export const NEWLINE = Buffer.from('\n');

/** Writes all of `data` (a write may take fewer bytes than it was given). */
async function writeAll(file: FileHandle, data: Uint8Array): Promise<void> {
  for (let offset = 0; offset < data.length; ) {
    const { bytesWritten } = await file.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

/**
 * JSON lines waiting for DuckDB: a file on disk and one buffer of lines not written to it yet.
 * Lines are copied into the buffer as they come (no array of pieces to join later). The file
 * stays open from one flush to the next and is closed before DuckDB reads it.
 */
export class JsonLineSpool {
  readonly path: string;
  #buffer: Buffer | undefined;
  #used = 0;
  /** Full buffers (and lines larger than one), in order, not yet written. */
  #ready: Uint8Array[] = [];
  #readyBytes = 0;
  #file: FileHandle | undefined;
  fileBytes = 0;
  /** Lines (on disk or pending) not yet converted. */
  lines = 0;
  maxLine = 0;

  constructor(path: string) {
    this.path = path;
  }

  get pendingBytes(): number {
    return this.#readyBytes + this.#used;
  }

  /** Appends one line made of `parts` (`bytes` long in all, line break included). */
  add(parts: ReadonlyArray<Uint8Array | string>, bytes: number): void {
    this.#count(bytes);
    if (this.#used + bytes > FLUSH_BYTES) this.#retire();
    if (bytes > FLUSH_BYTES) {
      for (const part of parts) this.#queue(typeof part === 'string' ? Buffer.from(part) : part);
      return;
    }
    let buffer = this.#buffer;
    if (buffer === undefined) {
      buffer = Buffer.allocUnsafe(FLUSH_BYTES);
      this.#buffer = buffer;
    }
    let used = this.#used;
    for (const part of parts) {
      if (typeof part === 'string') used += buffer.write(part, used);
      else {
        buffer.set(part, used);
        used += part.length;
      }
    }
    this.#used = used;
  }

  /** Appends a line of raw bytes: `head`, then `text` from `from` on, then a line break (the common case, kept lean). */
  addLine(head: Buffer, text: Buffer, from: number): void {
    const bytes = head.length + text.length - from + 1;
    const used = this.#used;
    const buffer = this.#buffer;
    if (buffer === undefined || used + bytes > FLUSH_BYTES) {
      this.add([head, text.subarray(from), NEWLINE], bytes);
      return;
    }
    head.copy(buffer, used);
    text.copy(buffer, used + head.length, from);
    buffer[used + bytes - 1] = 0x0a;
    this.#used = used + bytes;
    this.#count(bytes);
  }

  #count(lineBytes: number): void {
    this.lines += 1;
    if (lineBytes > this.maxLine) this.maxLine = lineBytes;
  }

  #queue(data: Uint8Array): void {
    this.#ready.push(data);
    this.#readyBytes += data.length;
  }

  /** Hands the current buffer over to be written; the next line starts a new one. */
  #retire(): void {
    if (this.#used === 0 || this.#buffer === undefined) return;
    this.#queue(this.#buffer.subarray(0, this.#used));
    this.#buffer = undefined;
    this.#used = 0;
  }

  async flush(): Promise<number> {
    const bytes = this.pendingBytes;
    if (bytes === 0) return 0;
    const file = await this.#open();
    const buffer = this.#buffer;
    const used = this.#used;
    for (const data of this.#ready) await writeAll(file, data);
    if (used > 0 && buffer !== undefined) await writeAll(file, buffer.subarray(0, used));
    this.#ready = [];
    this.#readyBytes = 0;
    this.#used = 0;
    this.fileBytes += bytes;
    return bytes;
  }

  /** Forgets lines: the pending ones, and those on disk beyond `fileBytes`. */
  async rollBack(fileBytes: number, lines: number, maxLine: number): Promise<void> {
    this.#ready = [];
    this.#readyBytes = 0;
    this.#used = 0;
    if (this.fileBytes > fileBytes) await (await this.#open()).truncate(fileBytes);
    this.fileBytes = fileBytes;
    this.lines = lines;
    this.maxLine = maxLine;
  }

  /** Closes the file and forgets it (it was converted). */
  async reset(): Promise<void> {
    await this.close();
    if (this.fileBytes > 0) await rm(this.path, { force: true });
    this.fileBytes = 0;
    this.lines = 0;
  }

  async close(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    await file?.close();
  }

  async #open(): Promise<FileHandle> {
    if (this.#file === undefined) this.#file = await open(this.path, 'a');
    return this.#file;
  }
}
