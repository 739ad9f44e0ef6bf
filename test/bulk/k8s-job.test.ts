/**
 * deploy/k8s/bulk-indexed-job.yaml stays consistent: an Indexed Job whose shard count appears in
 * three places, each pod running the built CLI on shard JOB_COMPLETION_INDEX + 1 of SHARDS, with a
 * fixed assessment date and writable scratch space (the root filesystem is read-only).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../fhir/builders';

interface Job {
  kind: string;
  spec: {
    completionMode: string;
    completions: number;
    parallelism: number;
    template: {
      spec: {
        restartPolicy: string;
        containers: {
          env: { name: string; value: string }[];
          args: string[];
          securityContext: { readOnlyRootFilesystem: boolean };
          volumeMounts: { mountPath: string }[];
        }[];
      };
    };
  };
}

const job = parse(readFileSync(join(repoRoot, 'deploy/k8s/bulk-indexed-job.yaml'), 'utf8')) as Job;
const container = job.spec.template.spec.containers[0]!;
const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
const script = container.args[0]!;

test('is an Indexed Job with one completion per shard', () => {
  expect(job.kind).toBe('Job');
  expect(job.spec.completionMode).toBe('Indexed');
  expect(job.spec.completions).toBe(Number(env['SHARDS']));
  expect(job.spec.parallelism).toBeLessThanOrEqual(job.spec.completions);
  expect(job.spec.template.spec.restartPolicy).toBe('Never');
});

test('runs the built CLI on shard JOB_COMPLETION_INDEX + 1 with a fixed date and version', () => {
  expect(script).toContain('shard=$((JOB_COMPLETION_INDEX + 1))');
  expect(script).toContain('--shard "${shard}/${SHARDS}"');
  expect(script).toContain('--assessment-date "${ASSESSMENT_DATE}"');
  expect(script).toContain('--rule-version "${RULE_VERSION}"');
  expect(env['ASSESSMENT_DATE']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  const cli = /node (\S+)/.exec(script)![1]!;
  expect(cli).toBe('dist/src/cli/forecast-bulk.js');
  expect(existsSync(join(repoRoot, 'src/cli/forecast-bulk.ts'))).toBe(true);
});

test('partitions on a writable volume, the root filesystem being read-only', () => {
  expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
  const tmp = /--tmp-dir (\S+)/.exec(script)![1]!;
  expect(container.volumeMounts.map((m) => m.mountPath)).toContain(tmp);
});
