/**
 * A watch on the framing of the LSP byte stream (stdio transport): `Content-Length: n` headers,
 * each followed by exactly n bytes of JSON. vscode-jsonrpc's reader trusts the announced length.
 * When it is wrong, the reader either glues the tail of one message to the header of the next
 * (fewer bytes announced than sent) or swallows the next message into the body it waits for
 * (more bytes announced), reports an error to nobody, and from then on misreads every message:
 * the server stays alive but deaf. Each message it loses may have been a `didChange`, after which
 * the server's copy of a document silently differs from the client's.
 *
 * So a corrupt stream ends the process with exit code 1 and a line on stderr, instead of being
 * resynchronised on the next header: the client sees the server exit, restarts it and opens its
 * documents again (vscode-languageclient restarts a server that exits up to 4 times in 3 minutes),
 * and no message is ever silently dropped. This is what rust-analyzer's `lsp-server` and gopls do
 * on a malformed message.
 *
 * The watch reads the same chunks as the library's reader, on a second `data` listener, and only
 * checks the framing; it never parses JSON. It knows a stream is corrupt when
 *  - a header block has a line that is not `Name: value`, has no `Content-Length`, a length that is
 *    not a decimal number, or does not end within 8 KB;
 *  - a body holds a `Content-Length: n` line ending in CR LF: that cannot occur in valid JSON (a
 *    raw CR or LF is not allowed inside a string, and `Content-Length` is not a JSON token), so a
 *    message's header was swallowed into the previous body.
 */

/** A header block longer than this is garbage (real ones are under 100 bytes). */
const MAX_HEADER_BYTES = 8 * 1024;
/** What a swallowed header looks like inside a body (bytes read as latin1). */
const HEADER_IN_BODY = /content-length[ \t]*:[ \t]*\d+\r\n/i;
/** Bytes of the body kept across chunks, so that a swallowed header split over two chunks is seen. */
const TAIL = 64;

export type FramingListener = (problem: string) => void;

/** Calls `onCorrupt` once, with what is wrong, when the stream's framing breaks. */
export function watchFraming(input: NodeJS.ReadableStream, onCorrupt: FramingListener): void {
  const check = framingChecker();
  let reported = false;
  input.on('data', (chunk: Buffer | string) => {
    if (reported) return;
    const problem = check(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    if (problem) {
      reported = true;
      onCorrupt(problem);
    }
  });
}

/** The checker behind `watchFraming`: feed it the stream's chunks in order; it returns the first problem. */
export function framingChecker(): (chunk: Buffer) => string | undefined {
  let header = '';
  /** Bytes of the current body still to come; -1 while reading a header block. */
  let remaining = -1;
  let tail = '';
  return (chunk) => {
    let at = 0;
    while (at < chunk.length) {
      if (remaining < 0) {
        const end = chunk.indexOf(0x0a, at);
        const upTo = end < 0 ? chunk.length : end + 1;
        header += chunk.toString('latin1', at, upTo);
        at = upTo;
        if (header.length > MAX_HEADER_BYTES) return `a header block longer than ${MAX_HEADER_BYTES} bytes: ${quote(header)}`;
        if (!header.endsWith('\r\n\r\n')) continue;
        const block = header;
        header = '';
        const parsed = parseHeaders(block);
        if (typeof parsed === 'string') return parsed;
        remaining = parsed;
        tail = '';
        if (remaining === 0) remaining = -1;
      } else {
        const upTo = Math.min(chunk.length, at + remaining);
        // JSON as vscode-jsonrpc and most clients write it has no raw line breaks: the scan
        // runs only on the rare chunk that has one.
        const part = chunk.indexOf(0x0a, at) >= 0 && chunk.indexOf(0x0a, at) < upTo ? chunk.toString('latin1', at, upTo) : '';
        if (part && HEADER_IN_BODY.test(tail + part)) {
          return `a message's header inside the body of the one before: its Content-Length announced more bytes than were sent`;
        }
        tail = (tail + (part || chunk.toString('latin1', Math.max(at, upTo - TAIL), upTo))).slice(-TAIL);
        remaining -= upTo - at;
        at = upTo;
        if (remaining === 0) remaining = -1;
      }
    }
    return undefined;
  };
}

/** The body length a header block announces, or what is wrong with it. */
function parseHeaders(block: string): number | string {
  let length: number | undefined;
  for (const line of block.slice(0, -4).split('\r\n')) {
    const m = /^([A-Za-z0-9-]+)[ \t]*:[ \t]*(.*)$/.exec(line);
    if (!m) return `a header line that is not "Name: value" (the previous message's Content-Length was likely too small): ${quote(line)}`;
    if (m[1].toLowerCase() !== 'content-length') continue;
    if (!/^\d{1,15}$/.test(m[2].trim())) return `a Content-Length that is not a number of bytes: ${quote(m[2])}`;
    length = Number(m[2].trim());
  }
  return length ?? `a header block without Content-Length: ${quote(block)}`;
}

/** A short, printable rendering of bytes from the stream for the error line. */
function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}
