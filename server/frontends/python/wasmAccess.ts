/**
 * Faster reads and writes of web-tree-sitter's transfer buffer.
 *
 * Every node the analysis reads crosses the WebAssembly boundary through a small buffer: the
 * binding writes the node's five 32-bit fields there (`marshalNode`), calls the module, and reads
 * the answer's fields back (`unmarshalNode`), each through Emscripten's generic
 * `Module.setValue(ptr, value, type)` / `getValue(ptr, type)`. Those dispatch on the type's name
 * and, in web-tree-sitter 0.25, go through a DataView for endianness: about a tenth of a
 * model-heavy file's analysis was spent in them (CPU profile of the bench's GPT-style file), and a
 * tree cursor's step took twice as long as it needs to. On a little-endian machine an `i32` is the
 * same four bytes in an `Int32Array` view of the module's memory, so the two functions are
 * replaced with ones that take that path for `i32` and leave every other type to the originals.
 *
 * The binding reads `setValue` and `getValue` from the Emscripten module object on every call,
 * and that object is the options object given to `Parser.init` (Emscripten extends it in place),
 * so replacing them there reaches every read. The view is taken from the module's `HEAP32` at
 * each call: Emscripten makes a new one whenever the memory grows.
 */

/** What the replacement needs of the Emscripten module: its accessors and its current `i32` view. */
interface EmscriptenModule {
  setValue?: (ptr: number, value: number, type?: string) => void;
  getValue?: (ptr: number, type?: string) => number;
  HEAP32?: Int32Array;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Replaces the module's `setValue` and `getValue` with faster ones for `i32`; false where it
 * cannot (a big-endian machine, or a binding whose module does not look as expected), which
 * leaves the originals in place.
 */
export function fastTransferAccess(module: object): boolean {
  const mod = module as EmscriptenModule;
  const set = mod.setValue;
  const get = mod.getValue;
  if (!LITTLE_ENDIAN || typeof set !== 'function' || typeof get !== 'function' || !(mod.HEAP32 instanceof Int32Array)) return false;
  mod.setValue = (ptr: number, value: number, type = 'i8') => {
    if (type === 'i32') mod.HEAP32![ptr >> 2] = value;
    else set(ptr, value, type);
  };
  mod.getValue = (ptr: number, type = 'i8') => (type === 'i32' ? mod.HEAP32![ptr >> 2] : get(ptr, type));
  return true;
}
