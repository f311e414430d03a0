/**
 * The process's memory after full collections, for the tests that bound what the engine keeps.
 * The collections have turns of the event loop between them, for the finalizers that free
 * tree-sitter's trees and for a released parser module's WebAssembly memory (it goes with a
 * later collection than its objects). The turns are short timers, not `setImmediate`: with
 * immediates, about one run in ten read a collected 30 MB as still in use (54.5 bytes per source
 * byte of a 600 KB file, on 8af6d58 as well), and 20 ms later it was gone (4.6).
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

export async function settledMemory(collections = 4): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < collections; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  gc();
  return process.memoryUsage();
}
