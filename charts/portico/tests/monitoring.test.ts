/*
 * The chart's monitoring objects: rendered when asked and none when not, the metrics port on
 * the Service and the pods but never behind the Ingress or HTTPRoute, reachable only from the
 * monitoring namespace, and the ServiceMonitor, PrometheusRule and dashboard ConfigMap well
 * formed. kubernetes-models validates the core kinds; the Prometheus Operator's kinds are
 * checked field by field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  BASE_VALUES,
  CHART_DIR,
  findAll,
  findOne,
  helm,
  Manifest,
  RELEASE,
  render,
  Rendering,
} from './helm';
import { validateManifest } from './models';

const FULLNAME = `${RELEASE}-portico`;
const VALUES = path.join(__dirname, 'monitoring/monitoring-values.yaml');
const MONITORING_KINDS = ['ServiceMonitor', 'PrometheusRule'];
const BACKEND_SELECTOR = {
  'app.kubernetes.io/name': 'portico',
  'app.kubernetes.io/instance': RELEASE,
  'app.kubernetes.io/component': 'backend',
};

let defaults: Rendering;
let monitored: Rendering;
let customJob: Rendering;

beforeAll(async () => {
  [defaults, monitored, customJob] = await Promise.all([
    render([], ['--set', 'networkPolicy.enabled=true']),
    render([VALUES]),
    render([VALUES], ['--set', 'metrics.job=kubernetes-pods']),
  ]);
}, 120_000);

const backend = (r: Rendering) =>
  findOne(
    r.manifests,
    'Deployment',
    FULLNAME,
  ).spec.template.spec.containers.find((c: any) => c.name === 'backend');
const service = (r: Rendering) => findOne(r.manifests, 'Service', FULLNAME);
const envOf = (r: Rendering) =>
  Object.fromEntries((backend(r).env ?? []).map((e: any) => [e.name, e.value]));
const dashboardConfigMap = (r: Rendering) =>
  r.manifests.find(
    m => m.kind === 'ConfigMap' && m.metadata.name === `${FULLNAME}-dashboard`,
  );

describe('monitoring off (the default)', () => {
  it('renders no monitoring objects, no metrics port and no scrape annotations', () => {
    for (const kind of MONITORING_KINDS) {
      expect(findAll(defaults.manifests, kind)).toEqual([]);
    }
    expect(dashboardConfigMap(defaults)).toBeUndefined();
    expect(service(defaults).spec.ports.map((p: any) => p.name)).toEqual([
      'http',
    ]);
    expect(backend(defaults).ports.map((p: any) => p.name)).toEqual(['http']);
    const annotations = findOne(defaults.manifests, 'Deployment', FULLNAME).spec
      .template.metadata.annotations;
    expect(
      Object.keys(annotations).filter(k => k.startsWith('prometheus.io')),
    ).toEqual([]);
    const env = envOf(defaults);
    expect(env.PORTICO_METRICS_ENABLED).toBeUndefined();
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    const policy = findOne(defaults.manifests, 'NetworkPolicy', FULLNAME);
    expect(JSON.stringify(policy.spec.ingress)).not.toContain('metrics');
  });
});

describe('monitoring on', () => {
  it('renders core objects that match their Kubernetes schemas', () => {
    const core = monitored.manifests.filter(
      m => !MONITORING_KINDS.includes(m.kind),
    );
    expect(core.map(m => m.kind)).toEqual(
      expect.arrayContaining(['Deployment', 'Service', 'NetworkPolicy']),
    );
    for (const manifest of core) {
      expect(() => validateManifest(manifest)).not.toThrow();
    }
  });

  it('serves metrics on a port of their own, named in the pod annotations and the environment', () => {
    const container = backend(monitored);
    expect(container.ports).toContainEqual({
      name: 'metrics',
      containerPort: 9464,
      protocol: 'TCP',
    });
    expect(service(monitored).spec.ports).toContainEqual({
      name: 'metrics',
      port: 9464,
      targetPort: 'metrics',
      protocol: 'TCP',
    });
    expect(
      findOne(monitored.manifests, 'Deployment', FULLNAME).spec.template
        .metadata.annotations,
    ).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9464',
      'prometheus.io/path': '/metrics',
    });
    expect(envOf(monitored)).toMatchObject({
      PORTICO_METRICS_ENABLED: 'true',
      PORTICO_METRICS_PORT: '9464',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.monitoring:4318',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
  });

  it('keeps the metrics port out of the Ingress and the HTTPRoute', () => {
    const ingress = findOne(monitored.manifests, 'Ingress', FULLNAME);
    const ingressPorts = ingress.spec.rules.flatMap((rule: any) =>
      rule.http.paths.map((p: any) => p.backend.service),
    );
    expect(ingressPorts.length).toBeGreaterThan(0);
    for (const backendService of ingressPorts) {
      expect(backendService).toEqual({
        name: FULLNAME,
        port: { name: 'http' },
      });
    }
    const route = findOne(monitored.manifests, 'HTTPRoute', FULLNAME);
    const routePorts = route.spec.rules.flatMap((rule: any) =>
      rule.backendRefs.map((ref: any) => ref.port),
    );
    expect(routePorts.length).toBeGreaterThan(0);
    for (const port of routePorts) expect(port).toBe(7007);
    const httpPort = service(monitored).spec.ports.find(
      (p: any) => p.name === 'http',
    );
    expect(httpPort).toMatchObject({ port: 7007, targetPort: 'http' });
  });

  it('lets only the monitoring namespace reach the metrics port', () => {
    const policy = findOne(monitored.manifests, 'NetworkPolicy', FULLNAME);
    const rules = policy.spec.ingress as any[];
    const metricsRules = rules.filter(rule =>
      rule.ports.some((p: any) => p.port === 'metrics' || p.port === 9464),
    );
    expect(metricsRules).toEqual([
      {
        ports: [{ port: 'metrics', protocol: 'TCP' }],
        from: [
          {
            namespaceSelector: {
              matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
            },
          },
        ],
      },
    ]);
    // The rule for the portal's own port does not open the metrics port.
    for (const rule of rules.filter(r => !metricsRules.includes(r))) {
      expect(rule.ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
    }
  });

  it('renders a ServiceMonitor that selects the Service and scrapes its metrics port', () => {
    const monitor = findOne(monitored.manifests, 'ServiceMonitor', FULLNAME);
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata.labels).toMatchObject({
      release: 'kube-prometheus-stack',
    });
    const svc = service(monitored);
    expect(monitor.spec.selector.matchLabels).toEqual(BACKEND_SELECTOR);
    expect(svc.metadata.labels).toMatchObject(BACKEND_SELECTOR);
    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ['portal'] });
    expect(monitor.spec.endpoints).toEqual([
      { port: 'metrics', path: '/metrics', interval: '30s' },
    ]);
    // The job label comes from a Service label, so alerts can select job="portico".
    expect(svc.metadata.labels?.[monitor.spec.jobLabel]).toBe('portico');
  });

  it('renders a PrometheusRule with the alerts of monitoring/alerts.yaml', () => {
    const rule = findOne(monitored.manifests, 'PrometheusRule', FULLNAME);
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    const file = parseYaml(
      fs.readFileSync(path.join(CHART_DIR, 'monitoring/alerts.yaml'), 'utf8'),
    );
    expect(rule.spec).toEqual(file);
    const alerts = rule.spec.groups.flatMap((g: any) => g.rules);
    expect(alerts.map((a: any) => a.alert)).toEqual(
      expect.arrayContaining([
        'PorticoBackendDown',
        'PorticoServerErrors',
        'PorticoCatalogProcessingBacklogGrowing',
        'PorticoCatalogStitchingBacklogGrowing',
        'PorticoDirectorySyncFailing',
        'PorticoDirectorySyncRefused',
        'PorticoDirectorySyncStale',
      ]),
    );
    for (const alert of alerts) {
      // `for` is optional: an alert without it fires at its first evaluation.
      expect(String(alert.for ?? '0s')).toMatch(/^\d+[smh]$/);
      expect({ ...alert, for: undefined }).toEqual({
        alert: expect.stringMatching(/^Portico[A-Za-z]+$/),
        expr: expect.stringContaining('job="portico"'),
        for: undefined,
        labels: { severity: expect.stringMatching(/^(critical|warning)$/) },
        annotations: {
          summary: expect.any(String),
          description: expect.any(String),
        },
      });
    }
  });

  it('selects the configured job in every alert', () => {
    const rule = findOne(customJob.manifests, 'PrometheusRule', FULLNAME);
    for (const group of rule.spec.groups) {
      for (const alert of group.rules) {
        expect(alert.expr).toContain('job="kubernetes-pods"');
        expect(alert.expr).not.toContain('job="portico"');
      }
    }
    expect(service(customJob).metadata.labels).toMatchObject({
      'portico.harborline.io/metrics-job': 'kubernetes-pods',
    });
  });

  it('renders the Grafana dashboard in a ConfigMap for the dashboard sidecar', () => {
    const configMap = dashboardConfigMap(monitored) as Manifest;
    expect(configMap.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    const dashboard = JSON.parse(configMap.data['portico.json']);
    expect(dashboard).toEqual(
      JSON.parse(
        fs.readFileSync(
          path.join(CHART_DIR, 'monitoring/dashboard.json'),
          'utf8',
        ),
      ),
    );
    expect(dashboard.panels.length).toBeGreaterThan(10);
  });
});

describe('bad monitoring values', () => {
  it.each([
    [
      [
        '--set',
        'metrics.enabled=true',
        '--set',
        'metrics.port=8080',
        '--set',
        'service.port=8080',
      ],
      /metrics\.port must differ from service\.port/,
    ],
    [
      ['--set', 'metrics.serviceMonitor.enabled=true'],
      /need metrics\.enabled=true/,
    ],
    [['--set', 'metrics.port=7007'], /at '\/metrics\/port'/],
    [
      ['--set', 'tracing.otlpEndpoint=collector:4318'],
      /at '\/tracing\/otlpEndpoint'/,
    ],
  ])(
    '%j is refused, naming the key',
    async (args, message) => {
      const result = await helm([
        'template',
        RELEASE,
        CHART_DIR,
        '--values',
        BASE_VALUES,
        ...args,
      ]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(message);
    },
    60_000,
  );
});
