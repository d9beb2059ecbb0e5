/*
 * Renders the chart once per values file (defaults and every ci/*.yaml) and checks the objects.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  CI_DIR,
  Manifest,
  NAMESPACE,
  RELEASE,
  Rendering,
  ciValuesFiles,
  findAll,
  findOne,
  render,
} from './helm';
import { validateManifest } from './models';

const FULLNAME = `${RELEASE}-portico`;
const DEFAULTS = 'defaults';
const BACKEND_SELECTOR = {
  'app.kubernetes.io/name': 'portico',
  'app.kubernetes.io/instance': RELEASE,
  'app.kubernetes.io/component': 'backend',
};

const renderings = new Map<string, Rendering>();

function rendered(name: string): Rendering {
  const rendering = renderings.get(name);
  if (!rendering) {
    throw new Error(`${name} was not rendered`);
  }
  return rendering;
}

function ciValues(file: string): any {
  return parseYaml(fs.readFileSync(path.join(CI_DIR, file), 'utf8'));
}

function deployment(name: string): Manifest {
  return findOne(rendered(name).manifests, 'Deployment', FULLNAME);
}

function backendContainer(name: string): any {
  const containers = deployment(name).spec.template.spec.containers;
  return containers.find((c: any) => c.name === 'backend');
}

function env(name: string): Record<string, any> {
  return Object.fromEntries(
    (backendContainer(name).env ?? []).map((e: any) => [e.name, e]),
  );
}

/** The app-config the chart generated, parsed from its ConfigMap. */
function generatedAppConfig(name: string): any {
  const configMap = findOne(
    rendered(name).manifests,
    'ConfigMap',
    `${FULLNAME}-app-config`,
  );
  return parseYaml(configMap.data['app-config.values.yaml']);
}

function configArgs(name: string): string[] {
  const args: string[] = backendContainer(name).args;
  return args.filter((_, index) => args[index - 1] === '--config');
}

/** Plain deep merge: objects merge key by key, anything else is replaced by the override. */
function deepMerge(base: any, override: any): any {
  const isObject = (v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(base) || !isObject(override)) {
    return override;
  }
  const result = { ...base };
  for (const [key, value] of Object.entries(override)) {
    result[key] = key in base ? deepMerge(base[key], value) : value;
  }
  return result;
}

const DEFAULT_OWNER_OF = {
  annotationPrefixes: ['backstage.tanzu.vmware.com'],
  publicKinds: ['Template', 'User', 'Group'],
  nestedGroups: true,
  membershipRefresh: '30s',
  everyonePermissions: [],
};

const CHANGED_APP_CONFIG = 'defaults with a changed appConfig';
const DEFAULTS_AGAIN = 'defaults rendered again';
const RECREATE = 'defaults with strategy.type=Recreate';

beforeAll(async () => {
  const jobs: Array<[string, Promise<Rendering>]> = [
    [DEFAULTS, render()],
    [DEFAULTS_AGAIN, render()],
    [
      CHANGED_APP_CONFIG,
      render([], ['--set-json', 'appConfig={"organization":{"name":"Other"}}']),
    ],
    [RECREATE, render([], ['--set', 'strategy.type=Recreate'])],
    ...ciValuesFiles().map((file): [string, Promise<Rendering>] => [
      file,
      render([path.join(CI_DIR, file)]),
    ]),
  ];
  const results = await Promise.all(jobs.map(([, job]) => job));
  jobs.forEach(([name], index) => renderings.set(name, results[index]));
}, 120_000);

describe('every rendering', () => {
  const names = [DEFAULTS, ...ciValuesFiles()];

  it.each(names)(
    '%s: every object matches the Kubernetes schema of its kind',
    name => {
      const { manifests } = rendered(name);
      expect(manifests.length).toBeGreaterThan(3);
      for (const manifest of manifests) {
        expect(() => validateManifest(manifest)).not.toThrow();
      }
    },
  );

  it.each(names)(
    '%s: pod and container security contexts are hardened',
    name => {
      const podSpec = deployment(name).spec.template.spec;
      expect(podSpec.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        fsGroup: 1000,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(backendContainer(name).securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      const tmp = podSpec.volumes.find((v: any) => v.name === 'tmp');
      expect(tmp.emptyDir.sizeLimit).toBe('1Gi');
      expect(backendContainer(name).volumeMounts).toContainEqual({
        name: 'tmp',
        mountPath: '/tmp',
      });
    },
  );

  it.each(names)('%s: probes hit the health endpoints on port 7007', name => {
    const container = backendContainer(name);
    const port = container.ports.find((p: any) => p.name === 'http');
    expect(port.containerPort).toBe(7007);
    const portOf = (probe: any) =>
      probe.httpGet.port === 'http' ? port.containerPort : probe.httpGet.port;

    expect(container.readinessProbe.httpGet.path).toBe(
      '/.backstage/health/v1/readiness',
    );
    expect(container.livenessProbe.httpGet.path).toBe(
      '/.backstage/health/v1/liveness',
    );
    expect(container.startupProbe.httpGet.path).toMatch(
      /^\/\.backstage\/health\/v1\/(liveness|readiness)$/,
    );
    for (const probe of [
      container.readinessProbe,
      container.livenessProbe,
      container.startupProbe,
    ]) {
      expect(portOf(probe)).toBe(7007);
    }
  });

  it.each(names)(
    '%s: the command keeps the image config files and adds the mounted one',
    name => {
      const container = backendContainer(name);
      expect(container.command).toEqual([
        'node',
        '--require',
        './instrumentation.js',
        'packages/backend',
      ]);
      const files = configArgs(name);
      expect(files.slice(0, 3)).toEqual([
        'app-config.yaml',
        'app-config.production.yaml',
        '/config/app-config.values.yaml',
      ]);
      expect(container.volumeMounts).toContainEqual({
        name: 'app-config',
        mountPath: '/config',
        readOnly: true,
      });
    },
  );

  it.each(names)(
    '%s: secrets only reach the pod through secretKeyRef',
    name => {
      const { manifests } = rendered(name);
      const sensitive = [
        ...findAll(manifests, 'Deployment'),
        ...findAll(manifests, 'StatefulSet'),
      ]
        .flatMap(workload => workload.spec.template.spec.containers)
        .flatMap((container: any) => container.env ?? [])
        .filter((variable: any) => /PASSWORD|SECRET|TOKEN/.test(variable.name));
      for (const variable of sensitive) {
        expect(variable).toEqual({
          name: variable.name,
          valueFrom: {
            secretKeyRef: { name: expect.any(String), key: expect.any(String) },
          },
        });
      }
      // The generated app-config only ever references secrets by environment variable.
      const appConfigText = JSON.stringify(generatedAppConfig(name));
      expect(appConfigText).not.toMatch(/"(password|secret|token)":"(?!\$\{)/i);
    },
  );

  it.each(names)('%s: rolls out one pod at a time', name => {
    expect(deployment(name).spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 0, maxUnavailable: 1 },
    });
  });

  it('accepts Recreate instead, without rollingUpdate', () => {
    expect(deployment(RECREATE).spec.strategy).toEqual({ type: 'Recreate' });
    expect(() => validateManifest(deployment(RECREATE))).not.toThrow();
  });

  it.each(names)('%s: every object carries the release labels', name => {
    for (const manifest of rendered(name).manifests) {
      expect(manifest.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': 'portico',
        'app.kubernetes.io/instance': RELEASE,
        'app.kubernetes.io/managed-by': 'Helm',
      });
    }
  });
});

describe('defaults', () => {
  it('runs one replica on SQLite in an emptyDir', () => {
    const spec = deployment(DEFAULTS).spec;
    expect(spec.replicas).toBe(1);
    expect(generatedAppConfig(DEFAULTS).backend.database).toEqual({
      client: 'better-sqlite3',
      connection: { directory: '/data/sqlite' },
    });
    expect(spec.template.spec.volumes).toContainEqual({
      name: 'sqlite',
      emptyDir: { sizeLimit: '1Gi' },
    });
    expect(env(DEFAULTS)).not.toHaveProperty('POSTGRES_HOST');
  });

  it('does not mount a service account token', () => {
    const { manifests } = rendered(DEFAULTS);
    expect(
      deployment(DEFAULTS).spec.template.spec.automountServiceAccountToken,
    ).toBe(false);
    expect(
      findOne(manifests, 'ServiceAccount', FULLNAME)
        .automountServiceAccountToken,
    ).toBe(false);
    expect(findAll(manifests, 'ClusterRole')).toEqual([]);
  });

  it('has sensible resources and spreads pods over nodes', () => {
    const podSpec = deployment(DEFAULTS).spec.template.spec;
    expect(backendContainer(DEFAULTS).resources).toEqual({
      requests: { cpu: '250m', memory: '512Mi' },
      limits: { memory: '1Gi' },
    });
    expect(podSpec.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: BACKEND_SELECTOR },
      },
    ]);
    expect(podSpec.enableServiceLinks).toBe(false);
  });

  it('renders only the base objects', () => {
    const kinds = rendered(DEFAULTS)
      .manifests.map(m => m.kind)
      .sort();
    expect(kinds).toEqual([
      'ConfigMap',
      'Deployment',
      'Pod',
      'Service',
      'ServiceAccount',
    ]);
  });

  it('generates the base URLs and the permission settings', () => {
    expect(generatedAppConfig(DEFAULTS)).toEqual({
      app: { baseUrl: 'http://localhost:7007' },
      backend: {
        baseUrl: 'http://localhost:7007',
        cors: { origin: 'http://localhost:7007' },
        database: {
          client: 'better-sqlite3',
          connection: { directory: '/data/sqlite' },
        },
      },
      permission: {
        enabled: true,
        adminRefs: ['group:default/platform-team'],
        ownerOf: DEFAULT_OWNER_OF,
      },
    });
  });

  it('has a hardened helm test pod that checks readiness through the Service', () => {
    const testPod = findOne(rendered(DEFAULTS).manifests, 'Pod');
    expect(testPod.metadata.annotations?.['helm.sh/hook']).toBe('test');
    const container = testPod.spec.containers[0];
    expect(container.image).toBe('docker.io/library/busybox:1.36');
    expect(container.command.join(' ')).toContain(
      `http://${FULLNAME}:7007/.backstage/health/v1/readiness`,
    );
    expect(testPod.spec.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(testPod.spec.automountServiceAccountToken).toBe(false);
  });

  it('points the Service at the backend pods', () => {
    const service = findOne(rendered(DEFAULTS).manifests, 'Service', FULLNAME);
    expect(service.spec.selector).toEqual(BACKEND_SELECTOR);
    expect(service.spec.ports).toEqual([
      { name: 'http', port: 7007, targetPort: 'http', protocol: 'TCP' },
    ]);
    expect(deployment(DEFAULTS).spec.selector.matchLabels).toEqual(
      BACKEND_SELECTOR,
    );
  });
});

describe('checksum annotation', () => {
  const checksum = (name: string) =>
    deployment(name).spec.template.metadata.annotations['checksum/app-config'];

  it('is stable for the same values and changes with appConfig', () => {
    expect(checksum(DEFAULTS)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum(DEFAULTS_AGAIN)).toBe(checksum(DEFAULTS));
    expect(checksum(CHANGED_APP_CONFIG)).not.toBe(checksum(DEFAULTS));
    expect(generatedAppConfig(CHANGED_APP_CONFIG).organization).toEqual({
      name: 'Other',
    });
  });

  it('covers the chart-made app-config Secret', () => {
    const annotations = deployment('in-cluster-postgresql-values.yaml').spec
      .template.metadata.annotations;
    expect(annotations['checksum/app-config-secret']).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('external PostgreSQL (ci/external-postgresql-values.yaml)', () => {
  const name = 'external-postgresql-values.yaml';

  it('passes the connection through env, the password by secretKeyRef', () => {
    const variables = env(name);
    expect(variables.POSTGRES_HOST.value).toBe(
      'portico-db.postgres.harborline.example',
    );
    expect(variables.POSTGRES_PORT.value).toBe('5432');
    expect(variables.POSTGRES_USER.value).toBe('portico');
    expect(variables.POSTGRES_DB.value).toBe('portico');
    expect(variables.PGSSLMODE.value).toBe('verify-full');
    expect(variables.POSTGRES_PASSWORD).toEqual({
      name: 'POSTGRES_PASSWORD',
      valueFrom: {
        secretKeyRef: { name: 'portico-postgresql', key: 'password' },
      },
    });
  });

  it('passes sign-in settings, the client and session secrets by secretKeyRef', () => {
    const variables = env(name);
    expect(variables.AUTH_OIDC_METADATA_URL.value).toBe(
      'https://login.harborline.example/.well-known/openid-configuration',
    );
    expect(variables.AUTH_OIDC_CLIENT_ID.value).toBe('portico');
    expect(variables.AUTH_OIDC_CLIENT_SECRET.valueFrom.secretKeyRef).toEqual({
      name: 'portico-oidc',
      key: 'client-secret',
    });
    expect(variables.AUTH_SESSION_SECRET.valueFrom.secretKeyRef).toEqual({
      name: 'portico-oidc',
      key: 'session-secret',
    });
    expect(variables.BACKEND_SECRET.valueFrom.secretKeyRef).toEqual({
      name: 'portico-backend-secret',
      key: 'backend-secret',
    });
    expect(variables.LOG_LEVEL).toEqual({ name: 'LOG_LEVEL', value: 'info' });
    expect(backendContainer(name).envFrom).toEqual([
      { secretRef: { name: 'portico-integrations' } },
    ]);
  });

  it('generates the inline appConfig merged with the chart-managed keys', () => {
    const values = ciValues(name);
    const generated = {
      app: { baseUrl: values.appBaseUrl },
      backend: {
        baseUrl: values.appBaseUrl,
        cors: { origin: values.appBaseUrl },
        database: {
          connection: { database: '${POSTGRES_DB}' },
          pluginDivisionMode: 'schema',
          ensureSchemaExists: true,
        },
        auth: {
          externalAccess: [
            {
              type: 'legacy',
              options: {
                secret: '${BACKEND_SECRET}',
                subject: 'legacy-backend-secret',
              },
            },
          ],
        },
      },
      permission: {
        enabled: true,
        adminRefs: ['group:default/platform-team'],
        ownerOf: DEFAULT_OWNER_OF,
      },
    };
    expect(generatedAppConfig(name)).toEqual(
      deepMerge(values.appConfig, generated),
    );
    // No SQLite settings in PostgreSQL mode.
    expect(generatedAppConfig(name).backend.database).not.toHaveProperty(
      'client',
    );
  });

  it('mounts the existing app-config Secret and loads it after the ConfigMap', () => {
    expect(configArgs(name)).toEqual([
      'app-config.yaml',
      'app-config.production.yaml',
      '/config/app-config.values.yaml',
      '/config-secret/app-config.secret.yaml',
    ]);
    const volumes = deployment(name).spec.template.spec.volumes;
    expect(volumes).toContainEqual({
      name: 'app-config-secret',
      secret: {
        secretName: 'portico-app-config-secret',
        items: [
          { key: 'app-config.secret.yaml', path: 'app-config.secret.yaml' },
        ],
      },
    });
    // The Secret exists already: the chart does not create one.
    expect(findAll(rendered(name).manifests, 'Secret')).toEqual([]);
  });

  it('uses the image and pull secret from values', () => {
    const podSpec = deployment(name).spec.template.spec;
    expect(backendContainer(name).image).toBe(
      'registry.harborline.example/portico/backend:0.1.0',
    );
    expect(podSpec.imagePullSecrets).toEqual([{ name: 'harborline-registry' }]);
  });
});

describe('in-cluster PostgreSQL (ci/in-cluster-postgresql-values.yaml)', () => {
  const name = 'in-cluster-postgresql-values.yaml';
  const pgName = `${FULLNAME}-postgresql`;

  it('runs a hardened PostgreSQL StatefulSet with a volume and a Service', () => {
    const { manifests } = rendered(name);
    const statefulSet = findOne(manifests, 'StatefulSet', pgName);
    const podSpec = statefulSet.spec.template.spec;
    const container = podSpec.containers[0];
    expect(container.image).toBe('docker.io/library/postgres:15');
    expect(podSpec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 999,
      fsGroup: 999,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(podSpec.automountServiceAccountToken).toBe(false);
    expect(statefulSet.spec.volumeClaimTemplates[0].spec.resources).toEqual({
      requests: { storage: '2Gi' },
    });
    expect(findOne(manifests, 'Service', pgName).spec.ports[0].port).toBe(5432);
    expect(statefulSet.spec.serviceName).toBe(pgName);
  });

  it('points the backend at it, with the generated password only in its Secret', () => {
    const { manifests, raw } = rendered(name);
    const secret = findOne(manifests, 'Secret', pgName);
    const encoded: string = secret.data.password;
    const password = Buffer.from(encoded, 'base64').toString('utf8');
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    // Neither the plain password nor its encoding appears anywhere but the Secret.
    expect(raw).not.toContain(password);
    expect(raw.split(encoded)).toHaveLength(2);

    const variables = env(name);
    expect(variables.POSTGRES_HOST.value).toBe(pgName);
    expect(variables.POSTGRES_PORT.value).toBe('5432');
    expect(variables.POSTGRES_PASSWORD.valueFrom.secretKeyRef).toEqual({
      name: pgName,
      key: 'password',
    });
    const pgEnv = findOne(manifests, 'StatefulSet', pgName).spec.template.spec
      .containers[0].env;
    expect(pgEnv).toContainEqual({
      name: 'POSTGRES_PASSWORD',
      valueFrom: { secretKeyRef: { name: pgName, key: 'password' } },
    });
  });

  it('lets only the backend pods reach PostgreSQL, and PostgreSQL reach nothing', () => {
    const { manifests } = rendered(name);
    const pgPolicy = findOne(manifests, 'NetworkPolicy', pgName);
    expect(pgPolicy.spec.ingress).toEqual([
      {
        ports: [{ port: 5432, protocol: 'TCP' }],
        from: [{ podSelector: { matchLabels: BACKEND_SELECTOR } }],
      },
    ]);
    expect(pgPolicy.spec.egress).toEqual([]);
    const backendPolicy = findOne(manifests, 'NetworkPolicy', FULLNAME);
    expect(backendPolicy.spec.ingress).toEqual([
      { ports: [{ port: 'http', protocol: 'TCP' }] },
    ]);
    expect(backendPolicy.spec.egress).toContainEqual({
      ports: [{ port: 5432, protocol: 'TCP' }],
      to: [
        {
          podSelector: {
            matchLabels: {
              ...BACKEND_SELECTOR,
              'app.kubernetes.io/component': 'postgresql',
            },
          },
        },
      ],
    });
  });

  it('keeps appConfigSecret.data in a Secret, never in the ConfigMap', () => {
    const { manifests } = rendered(name);
    const secret = findOne(manifests, 'Secret', `${FULLNAME}-app-config`);
    const text = Buffer.from(
      secret.data['app-config.secret.yaml'],
      'base64',
    ).toString('utf8');
    expect(parseYaml(text)).toEqual(
      parseYaml(ciValues(name).appConfigSecret.data),
    );
    expect(JSON.stringify(generatedAppConfig(name))).not.toContain(
      'GITHUB_TOKEN',
    );
    expect(configArgs(name)).toContain('/config-secret/app-config.secret.yaml');
  });
});

describe('permission (ci/permission-values.yaml)', () => {
  const name = 'permission-values.yaml';

  it('renders the owner-of policy settings, over the same keys in appConfig', () => {
    expect(generatedAppConfig(name).permission).toEqual({
      enabled: true,
      adminRefs: ['user:default/alice', 'group:default/platform-team'],
      ownerOf: {
        ...DEFAULT_OWNER_OF,
        // The values close the org chart again.
        publicKinds: ['Template'],
        everyonePermissions: ['catalog.location.read'],
      },
    });
  });
});

describe('ingress (ci/ingress-values.yaml)', () => {
  const name = 'ingress-values.yaml';

  it('routes the host to the Service with TLS', () => {
    const ingress = findOne(rendered(name).manifests, 'Ingress', FULLNAME);
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.tls).toEqual([
      { secretName: 'portico-tls', hosts: ['portico.harborline.example'] },
    ]);
    expect(ingress.spec.rules).toEqual([
      {
        host: 'portico.harborline.example',
        http: {
          paths: [
            {
              path: '/',
              pathType: 'Prefix',
              backend: { service: { name: FULLNAME, port: { name: 'http' } } },
            },
          ],
        },
      },
    ]);
    expect(ingress.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/proxy-body-size': '10m',
    });
    expect(generatedAppConfig(name).app.baseUrl).toBe(
      'https://portico.harborline.example',
    );
  });
});

describe('HTTPRoute (ci/httproute-values.yaml)', () => {
  const name = 'httproute-values.yaml';

  it('attaches to the Gateway and routes to the Service', () => {
    const route = findOne(rendered(name).manifests, 'HTTPRoute', FULLNAME);
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.spec).toEqual({
      parentRefs: [
        {
          name: 'shared-gateway',
          namespace: 'gateway-system',
          sectionName: 'https',
        },
      ],
      hostnames: ['portico.harborline.example'],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [{ name: FULLNAME, port: 7007 }],
        },
      ],
    });
  });
});

describe('high availability (ci/ha-values.yaml)', () => {
  const name = 'ha-values.yaml';

  it('leaves the replica count to the HorizontalPodAutoscaler', () => {
    const { manifests } = rendered(name);
    expect(deployment(name).spec).not.toHaveProperty('replicas');
    const hpa = findOne(manifests, 'HorizontalPodAutoscaler', FULLNAME);
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: FULLNAME,
    });
    expect(hpa.spec.minReplicas).toBe(3);
    expect(hpa.spec.maxReplicas).toBe(6);
    expect(hpa.spec.metrics).toEqual([
      {
        type: 'Resource',
        resource: {
          name: 'cpu',
          target: { type: 'Utilization', averageUtilization: 75 },
        },
      },
      {
        type: 'Resource',
        resource: {
          name: 'memory',
          target: { type: 'Utilization', averageUtilization: 85 },
        },
      },
    ]);
  });

  it('has a PodDisruptionBudget for the backend pods', () => {
    const pdb = findOne(
      rendered(name).manifests,
      'PodDisruptionBudget',
      FULLNAME,
    );
    expect(pdb.spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: BACKEND_SELECTOR },
    });
  });

  it('shares a Redis cache through env', () => {
    expect(generatedAppConfig(name).backend.cache).toEqual({
      store: 'redis',
      connection: 'redis://:${REDIS_PASSWORD}@${REDIS_HOST}:${REDIS_PORT}',
    });
    const variables = env(name);
    expect(variables.REDIS_HOST.value).toBe(
      'portico-redis.cache.svc.cluster.local',
    );
    expect(variables.REDIS_PORT.value).toBe('6379');
    expect(variables.REDIS_PASSWORD.valueFrom.secretKeyRef).toEqual({
      name: 'portico-redis',
      key: 'password',
    });
  });

  it('limits traffic with a NetworkPolicy', () => {
    const policy = findOne(rendered(name).manifests, 'NetworkPolicy', FULLNAME);
    expect(policy.spec.podSelector.matchLabels).toEqual(BACKEND_SELECTOR);
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress).toHaveLength(1);
    expect(policy.spec.ingress[0].ports).toEqual([
      { port: 'http', protocol: 'TCP' },
    ]);
    expect(policy.spec.ingress[0].from[0]).toEqual({
      namespaceSelector: {
        matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
      },
    });
    const egressPorts = policy.spec.egress.map((rule: any) =>
      rule.ports.map((p: any) => `${p.protocol}/${p.port}`).join(','),
    );
    expect(egressPorts).toEqual([
      'UDP/53,TCP/53',
      'TCP/5432',
      'TCP/6379',
      'TCP/443',
      'TCP/6443',
    ]);
    const https = policy.spec.egress[3].to;
    expect(https[0].ipBlock).toEqual({
      cidr: '0.0.0.0/0',
      except: ['169.254.0.0/16'],
    });
    expect(policy.spec.egress[1].to).toEqual([
      { ipBlock: { cidr: '10.20.0.15/32' } },
    ]);
  });

  it('mounts the token and grants read-only access for the Kubernetes plugin', () => {
    const { manifests } = rendered(name);
    expect(
      deployment(name).spec.template.spec.automountServiceAccountToken,
    ).toBe(true);
    const role = findOne(manifests, 'ClusterRole');
    const verbs = new Set(role.rules.flatMap((rule: any) => rule.verbs));
    expect([...verbs].sort()).toEqual(['get', 'list', 'watch']);
    const binding = findOne(manifests, 'ClusterRoleBinding');
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: FULLNAME, namespace: NAMESPACE },
    ]);
  });

  it('spreads over hosts and zones with the backend selector', () => {
    const podSpec = deployment(name).spec.template.spec;
    expect(
      podSpec.topologySpreadConstraints.map((c: any) => [
        c.topologyKey,
        c.labelSelector.matchLabels,
      ]),
    ).toEqual([
      ['kubernetes.io/hostname', BACKEND_SELECTOR],
      ['topology.kubernetes.io/zone', BACKEND_SELECTOR],
    ]);
    expect(podSpec.priorityClassName).toBe('portico-high');
  });
});
