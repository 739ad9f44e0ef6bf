/**
 * Packaging: the Dockerfile's runtime stage, reproduced without Docker (no engine on our
 * machines or in CI), plus static checks of the Dockerfile, .dockerignore and deploy/k8s/.
 *
 * The reproduction compiles with tsconfig.build.json into a clean temporary folder, copies
 * package.json, package-lock.json, dist/src (with the explorer page's files) and rules/ there
 * (what the image's COPY lines copy), runs `npm ci --omit=dev --ignore-scripts` (network: the
 * npm registry), starts `node dist/src/main.js` from there, and expects /readyz 200 and the
 * explorer page — with no dev dependency installed.
 * Type errors do not fail this test (`npm run typecheck` does); a missing entry point does.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT, startService } from './helpers';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('production install outside Docker (the image steps)', () => {
  let dir = '';
  afterAll(() => {
    if (dir !== '') {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('built entry point + rules + `npm ci --omit=dev` start and answer /readyz 200; no dev dependency installed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cdsi-image-'));
    const build = join(dir, 'build');
    spawnSync(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        'tsconfig.build.json',
        '--outDir',
        build,
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
    );
    expect(existsSync(join(build, 'src', 'main.js'))).toBe(true);

    const app = join(dir, 'app');
    cpSync(join(ROOT, 'package.json'), join(app, 'package.json'));
    cpSync(join(ROOT, 'package-lock.json'), join(app, 'package-lock.json'));
    cpSync(join(build, 'src'), join(app, 'dist', 'src'), { recursive: true });
    cpSync(
      join(ROOT, 'src', 'explorer', 'public'),
      join(app, 'dist', 'src', 'explorer', 'public'),
      { recursive: true },
    );
    cpSync(join(ROOT, 'rules'), join(app, 'rules'), { recursive: true });

    const install = spawnSync(
      'npm',
      ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
      {
        cwd: app,
        encoding: 'utf8',
        timeout: 240_000,
        env: { ...process.env, NODE_ENV: 'production', npm_config_update_notifier: 'false' },
      },
    );
    expect({ status: install.status, stderr: install.stderr }).toMatchObject({ status: 0 });

    const installed = readdirSync(join(app, 'node_modules'));
    for (const name of Object.keys(pkg.dependencies)) {
      expect(existsSync(join(app, 'node_modules', name))).toBe(true);
    }
    for (const dev of [
      'jest',
      'typescript',
      'ts-jest',
      'tsx',
      'eslint',
      'supertest',
      'autocannon',
    ]) {
      expect(installed).not.toContain(dev);
    }
    expect(existsSync(join(app, 'node_modules', '@types'))).toBe(false);

    const svc = startService(
      { WORKERS: '1' },
      { js: join(app, 'dist', 'src', 'main.js'), cwd: app },
    );
    try {
      const port = await svc.port();
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', ruleSets: ['cdc-cdsi@4.64'] });
      // The forecast explorer page ships in the image, with its scripts.
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>Forecast explorer');
      expect((await fetch(`http://127.0.0.1:${port}/explorer/app.js`)).status).toBe(200);
      const line =
        svc
          .stdout()
          .split('\n')
          .find((l) => l.includes('"msg":"listening"')) ?? '{}';
      // Start-up (every rule set loaded and validated) from the built code.
      expect((JSON.parse(line) as { startupMs: number }).startupMs).toBeLessThan(3000);
    } finally {
      svc.kill('SIGTERM');
    }
    expect((await svc.exited).code).toBe(0);
  }, 300_000);
});

describe('Dockerfile and .dockerignore', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages[stages.length - 1] ?? '';

  test('multi-stage on Node 20 LTS slim; runtime: npm ci --omit=dev, non-root, HEALTHCHECK on /healthz, rules, no tests', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) {
      expect(stage).toMatch(/^node:20[\w.-]*-slim\b/);
    }
    expect(runtime).toMatch(/RUN npm ci --omit=dev/);
    expect(runtime).toMatch(/^USER (node|\d+)/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\/healthz/ms);
    expect(runtime).toMatch(/^COPY rules /m);
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist\/src /m);
    expect(runtime).toMatch(
      /^COPY --from=build \/app\/src\/explorer\/public \.\/dist\/src\/explorer\/public$/m,
    );
    expect(runtime).not.toMatch(/^COPY (test|bench|src)\b/m);
    expect(runtime).toMatch(/^CMD \["node", "dist\/src\/main.js"\]/m);
  });

  test('.dockerignore keeps tests, node_modules, dist and the git folder out of the context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', 'dist', 'test', '.git', 'coverage']) {
      expect(ignored).toContain(entry);
    }
  });
});

describe('deploy/k8s', () => {
  const dir = join(ROOT, 'deploy', 'k8s');
  type Doc = Record<string, unknown> & { kind: string };
  const docs: Doc[] = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => {
        expect(d.errors).toEqual([]);
        return d.toJS() as Doc;
      }),
    );
  const byKind = (kind: string): Doc => {
    const doc = docs.find((d) => d.kind === kind);
    expect(doc).toBeDefined();
    return doc!;
  };

  test('every manifest parses; Deployment, Service, HPA, ConfigMap, kustomization and the bulk Job present', () => {
    expect(docs.map((d) => d.kind).sort()).toEqual(
      [
        'ConfigMap',
        'Deployment',
        'HorizontalPodAutoscaler',
        'Job', // bulk-indexed-job.yaml: the overnight bulk re-forecast (README "Bulk forecasting")
        'Kustomization',
        'Service',
      ].sort(),
    );
  });

  test('Deployment: probes, resource requests, non-root read-only container, issuers mounted', () => {
    const spec = byKind('Deployment') as unknown as {
      spec: {
        template: {
          spec: {
            securityContext: Record<string, unknown>;
            terminationGracePeriodSeconds: number;
            containers: {
              readinessProbe: { httpGet: { path: string } };
              livenessProbe: { httpGet: { path: string } };
              resources: { requests: { cpu: string; memory: string } };
              securityContext: Record<string, unknown>;
              env: { name: string; value: string }[];
              volumeMounts: { mountPath: string }[];
            }[];
          };
        };
      };
    };
    const pod = spec.spec.template.spec;
    const [container] = pod.containers;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(container?.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container?.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container?.resources.requests).toEqual({
      cpu: expect.any(String) as unknown,
      memory: expect.any(String) as unknown,
    });
    expect(container?.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    const env = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value]));
    expect(env['CDS_TRUSTED_ISSUERS_FILE']).toBe('/etc/cdsi/issuers.json');
    expect(container?.volumeMounts.map((m) => m.mountPath)).toContain('/etc/cdsi');
    // The pod's grace period covers the service's own.
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(
      Number(env['SHUTDOWN_GRACE_MS']),
    );
  });

  test('the trusted-issuers ConfigMap holds valid JSON with an issuers list', () => {
    const data = (byKind('ConfigMap') as unknown as { data: Record<string, string> }).data;
    const issuers = JSON.parse(data['issuers.json'] ?? '') as { issuers: unknown[] };
    expect(issuers.issuers.length).toBeGreaterThan(0);
  });

  test('Service and HPA target the Deployment', () => {
    const svc = byKind('Service') as unknown as { spec: { selector: Record<string, string> } };
    expect(svc.spec.selector).toEqual({ 'app.kubernetes.io/name': 'cdsi-forecaster' });
    const hpa = byKind('HorizontalPodAutoscaler') as unknown as {
      spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number };
    };
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'cdsi-forecaster' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
  });
});
