/**
 * Which link a ring crosses at D ranks. Within a node the configured interconnect carries the
 * ring; past `gpusPerNode` ranks the ring leaves the node, and its slowest hop (the inter-node
 * network, InfiniBand NDR per GPU unless the user configured something slower) sets its speed.
 * An 8×H100 NVLink ring runs at 450 GB/s; a 16-GPU ring across two such nodes at 50 GB/s.
 */
import { INTERCONNECTS, Interconnect } from '../devices';
import { Link } from './collectives';

export const DEFAULT_GPUS_PER_NODE = 8;

export function findInterconnect(id: string): Interconnect | undefined {
  return INTERCONNECTS.find((i) => i.id === id.toLowerCase());
}

export interface LinkChoice extends Link {
  /** Name of the link that bounds the ring at this D. */
  name: string;
  interNode: boolean;
}

export function linkPlan(interconnectId: string, gpusPerNode = DEFAULT_GPUS_PER_NODE): (ranks: number) => LinkChoice {
  const intra = findInterconnect(interconnectId) ?? INTERCONNECTS[0];
  const network = findInterconnect('infiniband')!;
  return (ranks) => {
    if (ranks <= gpusPerNode || intra.id === network.id) return { bandwidth: intra.bandwidth, latencySeconds: intra.latencySeconds, name: intra.name, interNode: ranks > gpusPerNode };
    const slow = intra.bandwidth <= network.bandwidth ? intra : network;
    return { bandwidth: slow.bandwidth, latencySeconds: Math.max(intra.latencySeconds, network.latencySeconds), name: `${slow.name} (across nodes)`, interNode: true };
  };
}
