import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A stand-in for a Kubernetes API server on loopback, answering the list
 * requests the Kubernetes backend makes for an entity: every object type it
 * fetches by default, across all namespaces, filtered by label selector, plus
 * the metrics API's pod usage. It holds one Deployment with its ReplicaSet, two
 * Pods and a Service per workload.
 */
export type StandInKubernetesApi = {
  url: string;
  /** Path and query of every request received, in order. */
  requests: { path: string; authorization?: string }[];
  close(): Promise<void>;
};

type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    labels: Record<string, string>;
    creationTimestamp: string;
    [key: string]: unknown;
  };
  spec?: unknown;
  status?: unknown;
};

const created = '2026-11-20T08:00:00Z';

function workload(id: string, namespace: string): KubeObject[] {
  const labels = { app: id, 'backstage.io/kubernetes-id': id };
  const container = {
    name: id,
    image: `registry.harborline.example/${id}:1.42.0`,
    ports: [{ containerPort: 8080, protocol: 'TCP' }],
    resources: {
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    },
  };
  const pod = (suffix: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${id}-7c9d8f6b5-${suffix}`,
      namespace,
      uid: `${id}-pod-${suffix}`,
      labels: { ...labels, 'pod-template-hash': '7c9d8f6b5' },
      creationTimestamp: created,
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${id}-7c9d8f6b5` },
      ],
    },
    spec: { containers: [container], nodeName: 'worker-1' },
    status: {
      phase: 'Running',
      startTime: created,
      podIP: '10.42.0.17',
      conditions: [
        { type: 'Initialized', status: 'True' },
        { type: 'Ready', status: 'True' },
        { type: 'ContainersReady', status: 'True' },
        { type: 'PodScheduled', status: 'True' },
      ],
      containerStatuses: [
        {
          name: id,
          ready: true,
          started: true,
          restartCount: 0,
          image: container.image,
          imageID: `${container.image}@sha256:${'a'.repeat(64)}`,
          state: { running: { startedAt: created } },
        },
      ],
    },
  });
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: id,
        namespace,
        uid: `${id}-deployment`,
        labels,
        creationTimestamp: created,
        annotations: { 'deployment.kubernetes.io/revision': '3' },
      },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: id } },
        template: { metadata: { labels }, spec: { containers: [container] } },
        strategy: { type: 'RollingUpdate' },
      },
      status: {
        replicas: 2,
        readyReplicas: 2,
        availableReplicas: 2,
        updatedReplicas: 2,
        conditions: [{ type: 'Available', status: 'True' }],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${id}-7c9d8f6b5`,
        namespace,
        uid: `${id}-replicaset`,
        labels: { ...labels, 'pod-template-hash': '7c9d8f6b5' },
        creationTimestamp: created,
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'Deployment', name: id },
        ],
      },
      spec: { replicas: 2, selector: { matchLabels: { app: id } } },
      status: { replicas: 2, readyReplicas: 2, availableReplicas: 2 },
    },
    pod('x2k4p'),
    pod('q8w3z'),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: id,
        namespace,
        uid: `${id}-service`,
        labels,
        creationTimestamp: created,
      },
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.43.12.7',
        selector: { app: id },
        ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }],
      },
    },
  ];
}

/** Kinds by resource plural, for the lists this server answers. */
const kindsByPlural: Record<string, string> = {
  pods: 'Pod',
  services: 'Service',
  configmaps: 'ConfigMap',
  limitranges: 'LimitRange',
  resourcequotas: 'ResourceQuota',
  deployments: 'Deployment',
  replicasets: 'ReplicaSet',
  horizontalpodautoscalers: 'HorizontalPodAutoscaler',
  jobs: 'Job',
  cronjobs: 'CronJob',
  ingresses: 'Ingress',
  statefulsets: 'StatefulSet',
  daemonsets: 'DaemonSet',
};

/** Equality-based selectors only (`a=b,c=d`): what the backend sends. */
function matchesSelector(object: KubeObject, selector: string | null) {
  if (!selector) {
    return true;
  }
  return selector.split(',').every(term => {
    const [key, value] = term.split('=');
    return object.metadata.labels[key.trim()] === value?.trim();
  });
}

function podMetrics(pod: KubeObject) {
  return {
    apiVersion: 'metrics.k8s.io/v1beta1',
    kind: 'PodMetrics',
    metadata: {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      labels: pod.metadata.labels,
      creationTimestamp: created,
    },
    timestamp: created,
    window: '15s',
    containers: [
      {
        name: pod.metadata.labels.app,
        usage: { cpu: '120m', memory: '180Mi' },
      },
    ],
  };
}

// /api/v1[/namespaces/<ns>]/<plural> or /apis/<group>/<version>[/namespaces/<ns>]/<plural>
const listPath =
  /^\/(?:api\/v1|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)$/;

/**
 * Starts the stand-in on 127.0.0.1 at a random port. Requests without
 * `Authorization: Bearer <token>` get 401, as from a real API server.
 */
export async function startStandInKubernetesApi(options: {
  token: string;
  workloads: { id: string; namespace: string }[];
}): Promise<StandInKubernetesApi> {
  const objects = options.workloads.flatMap(w => workload(w.id, w.namespace));
  const requests: StandInKubernetesApi['requests'] = [];

  const respond = (req: IncomingMessage) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    requests.push({
      path: `${url.pathname}${url.search}`,
      authorization: req.headers.authorization,
    });
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      return { status: 401, body: { kind: 'Status', code: 401 } };
    }
    const match = listPath.exec(url.pathname);
    if (req.method !== 'GET' || !match) {
      return { status: 404, body: { kind: 'Status', code: 404 } };
    }
    const [, group, , namespace, plural] = match;
    const selector = url.searchParams.get('labelSelector');
    const inScope = (o: KubeObject) =>
      (!namespace || o.metadata.namespace === namespace) &&
      matchesSelector(o, selector);
    if (group === 'metrics.k8s.io') {
      const items = objects
        .filter(o => o.kind === 'Pod' && inScope(o))
        .map(podMetrics);
      return { status: 200, body: { kind: 'PodMetricsList', items } };
    }
    const kind = kindsByPlural[plural];
    if (!kind) {
      return { status: 404, body: { kind: 'Status', code: 404 } };
    }
    const items = objects.filter(o => o.kind === kind && inScope(o));
    return {
      status: 200,
      body: {
        apiVersion: group ? `${group}/v1` : 'v1',
        kind: `${kind}List`,
        metadata: { resourceVersion: '4711' },
        items,
      },
    };
  };

  const server: Server = createServer((req, res) => {
    const { status, body } = respond(req);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) =>
        server.close(error => (error ? reject(error) : resolve())),
      ),
  };
}
