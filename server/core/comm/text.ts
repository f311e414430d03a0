/** Phrases with units shared by TC601–TC603 messages and the scaling hover, so they read alike. */
import { bytesText, exact, percentText, rateText, timeText, uncountedNames } from '../format';
import { DistEstimate } from './estimate';
import { ScalingRow } from './scaling';

export function gradText(e: DistEstimate): string {
  // A count missing some of the model's modules makes the gradients at least this large.
  const least = e.paramsUncounted ? 'at least ' : '';
  const missing = e.paramsUncounted ? `; not counted: ${uncountedNames(e.paramsUncounted)}` : '';
  return `${least}${bytesText(e.gradBytes)} of gradients (${least}${exact(e.params)} params × ${e.gradBytes / e.params} B ${e.gradDtype}${missing})`;
}

export function syncText(e: DistEstimate, r: ScalingRow): string {
  const what = e.config.strategy === 'fsdp' ? 'FSDP all-gather ×2 + reduce-scatter' : 'ring all-reduce';
  return `${what} ≈ ${timeText(r.commSeconds)} at D=${r.ranks} over ${e.linkAt(r.ranks).name} (bandwidth term ${timeText(r.bandwidthSeconds)} + latency ${timeText(r.latencySeconds)})`;
}

export function computeText(e: DistEstimate): string {
  const c = e.compute;
  return `compute ≈ ${timeText(c.seconds)} per step (3 × forward, ${percentText(c.mfu)} of ${rateText(c.peak)} ${c.dtype}; forward from ${c.source})`;
}
