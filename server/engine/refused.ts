/**
 * Files the engine does not analyse. A text of tens of
 * megabytes makes tree-sitter abort (and the abort kills the parser for every document) and costs
 * about 200 bytes of memory per source byte besides, so files over `maxFileSizeKB` are refused
 * up front, with the size and the setting that raises the limit.
 */
import { bytesText } from '../core/format';
import { Settings } from '../core/settings';

/** Why `text` is refused under `settings`, or undefined when it is analysed. */
export function refusal(text: string, settings: Settings): string | undefined {
  const limitKB = settings.maxFileSizeKB;
  if (!(limitKB > 0)) return undefined;
  // UTF-16 length is a lower bound of the UTF-8 size and costs nothing to read.
  if (text.length <= limitKB * 1024) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= limitKB * 1024) return undefined;
  return `file not analysed: it is ${bytesText(bytes)}, over the size limit of ${limitKB} KB (setting tensorcost.maxFileSizeKB, --max-file-size-kb, or max-file-size-kb in [tool.tensorcost])`;
}
