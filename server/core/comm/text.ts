/** Phrases with units shared by TC601–TC603 messages and the scaling hover, so they read alike. */
import { bytesText, exact, percentText, rateText, timeText } from '../format';
import { DistEstimate } from './estimate';
import { ScalingRow } from './scaling';

export function gradText(e: DistEstimate): string {
  return `${bytesText(e.gradBytes)} of gradients (${exact(e.params)} params × ${e.gradBytes / e.params} B ${e.gradDtype})`;
}

export function syncText(e: DistEstimate, r: ScalingRow): string {
  const what = e.config.strategy === 'fsdp' ? 'FSDP all-gather ×2 + reduce-scatter' : 'ring all-reduce';
  return `${what} ≈ ${timeText(r.commSeconds)} at D=${r.ranks} over ${e.linkAt(r.ranks).name} (bandwidth term ${timeText(r.bandwidthSeconds)} + latency ${timeText(r.latencySeconds)})`;
}

export function computeText(e: DistEstimate): string {
  const c = e.compute;
  return `compute ≈ ${timeText(c.seconds)} per step (3 × forward, ${percentText(c.mfu)} of ${rateText(c.peak)} ${c.dtype}; forward from ${c.source})`;
}
