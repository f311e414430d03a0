/**
 * The benchmark child process: receives one request over IPC, runs it on the WebGPU adapter and
 * answers with one result or one error, then exits (Dawn's threads would otherwise keep the
 * process alive). The parent (./runner) treats any other way of ending as a crash.
 */
import { runOp } from '../ops/index';
import { deviceLostReason, Gpu, openGpu } from './gpu';
import { normalize } from './request';
import { BenchError, BenchErrorKind, BenchProgress, ChildToParent, ManyResult, ParentToChild } from './types';

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

async function open(progress: (p: BenchProgress) => void): Promise<Gpu> {
  progress({ stage: 'adapter', message: 'opening the WebGPU adapter', fraction: 0 });
  const gpu = await openGpu();
  gpu.device.onuncapturederror = (ev) => {
    void fail('gpu-error', `GPU error during the benchmark: ${ev.error.message}`);
  };
  return gpu;
}

async function run(msg: ParentToChild): Promise<void> {
  const progress = (p: BenchProgress) => void send({ type: 'progress', progress: p });
  if (msg.type === 'runMany') {
    // Several requests on one device (the tests verify every kernel variant this way): a
    // request that fails is answered with its error, and the rest still run.
    const gpu = await open(progress);
    const results: ManyResult[] = [];
    for (const request of msg.requests) {
      try {
        results.push({ result: await runOp({ gpu, progress }, normalize(request)) });
      } catch (e) {
        if (deviceLostReason) throw e;
        results.push({ error: e instanceof BenchError ? { kind: e.kind, message: e.message } : { kind: 'internal', message: e instanceof Error ? e.stack ?? e.message : String(e) } });
      }
    }
    if (deviceLostReason) await fail('device-lost', `the GPU device was lost: ${deviceLostReason}`);
    await send({ type: 'results', results });
    process.exit(0);
  }
  const req = normalize(msg.request);
  const gpu = await open(progress);
  if (req.debug === 'crash') {
    // Test hook: die the way a driver fault does, with no answer on the channel.
    process.kill(process.pid, 'SIGSEGV');
    await new Promise(() => undefined);
  }
  const result = await runOp({ gpu, progress }, req);
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
