/**
 * Full garbage collections soon after the parser handed back the memory a large file made it
 * grow to (frontends/python/parser.ts). The language server mostly waits, and V8 collects when
 * JavaScript allocates: after a 2 MB document was closed and a small one opened, the server
 * measured 430 MB of RSS twenty seconds later, of which the old parser module and the closed
 * document's analysis were garbage (115 MB after a collection). The collections cost tens of
 * milliseconds and happen only after a file that grew the parser's memory past its bound, so
 * they are asked for outright: one soon after the release, and one after the next analysis,
 * which drops what the engine keeps of the previous one (the first parse starts that analysis;
 * the timer fires once it is done, analyses being synchronous).
 */
import { collectGarbage } from './fullCollection';
import { afterNextParse, onParserMemoryReleased, parserMemoryBytes } from '../frontends/python/parser';

/** How long after the release to collect: the document's analysis is usually dropped by then too. */
const DELAY_MS = 1000;

let releasedSinceCollected = false;
onParserMemoryReleased(() => {
  releasedSinceCollected = true;
});

/**
 * For a run that goes on allocating without waiting (the CLI building its report): collects
 * now if the parser handed a module back since the last collection, so that its memory is gone
 * before the report is built instead of whenever V8 next collects the old generation.
 */
export async function collectIfParserReleased(): Promise<void> {
  if (!releasedSinceCollected) return;
  releasedSinceCollected = false;
  await new Promise<void>((resolve) => collectGarbage(3, resolve));
}

/**
 * For a run that allocates on right after a large file's analysis by the frontend (the CLI's
 * figures and rules): one full collection now, when the parser grew large (a file of
 * megabytes), so that the interpreter's garbage is gone before the rest of the analysis
 * allocates and the heap does not grow beside it. The parser's own memory goes only at a later
 * turn of the event loop (`collectIfParserReleased`). It costs a tenth of a second or so on
 * such a file, and nothing on others.
 */
export function collectAfterLargeParse(): void {
  if (parserMemoryBytes() <= LARGE_PARSER_BYTES) return;
  // One collection, synchronously: the caller goes on allocating at once.
  collectGarbage(1);
}

/** Past web-tree-sitter's 32 MB to start and the release bound (parser.ts): a text of megabytes. */
const LARGE_PARSER_BYTES = 64 * 2 ** 20;

export function collectGarbageAfterParserRelease(): void {
  let timer: NodeJS.Timeout | undefined;
  // Debounced: a collection a second after the later of the release and the next parse.
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      collectGarbage();
    }, DELAY_MS);
    timer.unref();
  };
  onParserMemoryReleased(() => {
    soon();
    afterNextParse(soon);
  });
}
