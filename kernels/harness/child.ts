/**
 * The benchmark child process: receives one request over IPC, runs it on the WebGPU adapter and
 * answers with one result or one error, then exits (Dawn's threads would otherwise keep the
 * process alive). The parent (./runner) treats any other way of ending as a crash.
 */
import { runOp } from '../ops/index';
import { deviceLostReason, openGpu } from './gpu';
import { normalize } from './request';
import { BenchError, BenchErrorKind, ChildToParent, ParentToChild } from './types';

function send(msg: ChildToParent): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(msg, undefined, undefined, () => resolve());
  });
}

async function fail(kind: BenchErrorKind, message: string): Promise<never> {
  await send({ type: 'error', kind, message });
  process.exit(1);
}

async function run(msg: ParentToChild): Promise<void> {
  const req = normalize(msg.request);
  const progress = (p: ChildToParent & { type: 'progress' }) => void send(p);
  progress({ type: 'progress', progress: { stage: 'adapter', message: 'opening the WebGPU adapter', fraction: 0 } });
  const gpu = await openGpu();
  if (req.debug === 'crash') {
    // Test hook: die the way a driver fault does, with no answer on the channel.
    process.kill(process.pid, 'SIGSEGV');
    await new Promise(() => undefined);
  }
  gpu.device.onuncapturederror = (ev) => {
    void fail('gpu-error', `GPU error during the benchmark: ${ev.error.message}`);
  };
  const result = await runOp({ gpu, progress: (p) => progress({ type: 'progress', progress: p }) }, req);
  if (deviceLostReason) await fail('device-lost', `the GPU device was lost: ${deviceLostReason}`);
  await send({ type: 'progress', progress: { stage: 'done', message: 'done', fraction: 1 } });
  await send({ type: 'result', result });
  process.exit(0);
}

process.once('message', (msg: ParentToChild) => {
  run(msg).catch(async (e: unknown) => {
    if (deviceLostReason) await fail('device-lost', `the GPU device was lost: ${deviceLostReason}`);
    if (e instanceof BenchError) await fail(e.kind, e.message);
    await fail('internal', e instanceof Error ? e.stack ?? e.message : String(e));
  });
});
process.on('disconnect', () => process.exit(1));
