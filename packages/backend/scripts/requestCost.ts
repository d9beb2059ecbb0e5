/*
 * Where a catalog request's time goes inside the backend: the samples of a CPU profile, taken
 * while one client sends the same request again and again, sorted into the stages a signed-in
 * read passes through. A stage is recognised by the packages on the sampled stack; a sample whose
 * stack holds several is given to the first stage in STAGES's order (relation hiding before the
 * catalog query it makes, for instance). `(idle)` is the time the process waited, mostly on
 * PostgreSQL and on the loopback client.
 */
import { Profile } from './cpuProfiler';

interface Stage {
  name: string;
  /** Matched against each frame's `<file> <function>`. */
  pattern: RegExp;
}

export const STAGES: Stage[] = [
  {
    name: 'relation hiding (owner-of catalog module)',
    pattern:
      /catalog-backend-module-owner-of\/.*(hideUnreadableRelations|relationVisibility|readableRefs)|hideUnreadableRelations|relationVisibility|readableRefsInCatalog/,
  },
  {
    name: 'permission decision (client, policy, membership)',
    pattern:
      /plugin-permission-node|plugin-permission-backend|permission-backend-module-owner-of|DecisionReusingPermissions|MembershipResolver|OwnerOfPolicy/,
  },
  {
    name: 'token verification',
    pattern:
      /node_modules\/jose\/|entrypoints\/auth\/|entrypoints\/httpAuth\/|UserTokenHandler|PluginTokenHandler|ExternalTokenHandler/,
  },
  {
    name: 'catalog: query building and entity processing',
    pattern: /plugin-catalog-backend\/dist/,
  },
  {
    name: 'PostgreSQL client (knex, pg)',
    pattern: /node_modules\/(knex|pg|pg-protocol|pg-pool)\//,
  },
  {
    name: 'HTTP server, routing, compression',
    pattern:
      /node_modules\/(express|router|body-parser|compression|finalhandler|send|on-finished|raw-body|helmet|cors)\/|node:_http|node:net|node:zlib|_http_/,
  },
];

const SPECIAL = new Set(['(idle)', '(garbage collector)', '(program)']);

/** Milliseconds per request in each stage, from a profile of `requests` requests. */
export function requestCostByStage(
  profile: Profile,
  requests: number,
): Array<{ stage: string; msPerRequest: number; share: number }> {
  const byId = new Map(profile.nodes.map(node => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const stageOfNode = new Map<number, string>();
  const stageOf = (leafId: number): string => {
    const known = stageOfNode.get(leafId);
    if (known) return known;
    const leaf = byId.get(leafId)!;
    let stage: string;
    if (SPECIAL.has(leaf.callFrame.functionName)) {
      stage = leaf.callFrame.functionName;
    } else {
      const frames: string[] = [];
      for (let id: number | undefined = leafId; id !== undefined; ) {
        const { url, functionName } = byId.get(id)!.callFrame;
        frames.push(`${url} ${functionName}`);
        id = parent.get(id);
      }
      stage =
        STAGES.find(s => frames.some(f => s.pattern.test(f)))?.name ??
        'other JavaScript';
    }
    stageOfNode.set(leafId, stage);
    return stage;
  };
  const microseconds = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((sample, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const stage = stageOf(sample);
    microseconds.set(stage, (microseconds.get(stage) ?? 0) + delta);
    total += delta;
  });
  return [...microseconds.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([stage, us]) => ({
      stage,
      msPerRequest: us / 1000 / requests,
      share: total ? us / total : 0,
    }));
}
