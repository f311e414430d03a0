/**
 * `pathlib.Path` values, as far as they decide sizes: model code names its configuration after
 * the checkpoint it loads (gpt-fast's `Transformer.from_name(checkpoint_path.parent.name)`, with
 * argparse's `default=Path("checkpoints/.../Llama-2-7b-chat-hf/model.pth")`). A path is a string
 * value marked `path` (values.ts); its text is what `str(p)` gives, and `.parent`, `.name`,
 * `.stem`, `.suffix` and `/` follow PurePosixPath. What a path names on disk (`exists()`,
 * `Path.cwd()`) is the run's to know: unknown here.
 */
import { UNKNOWN, Value } from '../values';
import { defineFunction } from './registry';

/** A path value of this text, normalised as PurePosixPath does. */
export function pathValue(text: string): Value {
  return { kind: 'str', value: normalise(text), path: true };
}

/**
 * PurePosixPath's text: empty and `.` parts dropped (`a//b/./c` is `a/b/c`), a leading `/` kept
 * (two leading slashes stay two, as POSIX allows), nothing at all is `.`.
 */
function normalise(text: string): string {
  const root = text.startsWith('//') && !text.startsWith('///') ? '//' : text.startsWith('/') ? '/' : '';
  const parts = text.split('/').filter((p) => p !== '' && p !== '.');
  const joined = root + parts.join('/');
  return joined === '' ? '.' : joined;
}

/** `p.name` and friends of a path's text, or undefined for another attribute (a method). */
export function pathAttribute(text: string, attr: string): Value | undefined {
  const cut = text.lastIndexOf('/');
  const name = text === '.' || /^\/+$/.test(text) ? '' : text.slice(cut + 1);
  switch (attr) {
    case 'name':
      return { kind: 'str', value: name };
    case 'parent': {
      if (cut < 0) return pathValue('.');
      const head = text.slice(0, cut);
      return pathValue(head === '' || /^\/+$/.test(text.slice(0, cut + 1)) ? text.slice(0, cut + 1) : head);
    }
    case 'suffix':
    case 'stem': {
      const dot = name.lastIndexOf('.');
      // `.bashrc` has no suffix; `model.` neither (PurePath's rule).
      const has = dot > 0 && dot < name.length - 1;
      return { kind: 'str', value: attr === 'suffix' ? (has ? name.slice(dot) : '') : has ? name.slice(0, dot) : name };
    }
    default:
      return undefined;
  }
}

/** `p / "model.pth"`: an absolute right side replaces the left, as in Python. */
export function joinPath(left: string, right: string): Value {
  return pathValue(right.startsWith('/') ? right : `${left}/${right}`);
}

// `Path("a", "b")` joins its parts; `Path()` is `.`; a part not known makes the path unknown.
defineFunction(['pathlib.Path', 'pathlib.PurePath', 'pathlib.PosixPath', 'pathlib.PurePosixPath'], (args) => {
  let text = '';
  for (const a of args) {
    if (a.kind !== 'str') return UNKNOWN;
    text = text === '' || a.value.startsWith('/') ? a.value : `${text}/${a.value}`;
  }
  return pathValue(text);
});
