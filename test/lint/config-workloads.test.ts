/**
 * The `workloads:` and `namespaces:` sections of `.k8snet.yaml` (src/lint/config-workloads.ts):
 * what they read, and the errors they give with the file, line and column of the mistake.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/lint/config.js';
import { parseObjectPath } from '../../src/lint/config-workloads.js';

const TEMP = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-config-workloads-'));
afterAll(() => fs.rmSync(TEMP, { recursive: true, force: true }));

let counter = 0;
function configFile(text: string): string {
  const file = path.join(TEMP, `c${counter++}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}

function configError(text: string): string {
  try {
    loadConfig(configFile(text));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message.replace(TEMP + path.sep, '');
  }
  throw new Error('expected a ConfigError');
}

describe('workloads:', () => {
  it('reads a declaration: paths, fixed labels and ports, defaults', () => {
    const config = loadConfig(configFile(`workloads:
  - apiVersion: databases.spotahome.com/v1
    kind: RedisFailover
    name: rfr-{name}
    replicas: spec.redis.replicas
    labelsFrom: spec.redis.podTemplate.metadata.labels
    labels:
      app.kubernetes.io/component: redis
      redisfailovers.databases.spotahome.com/name: "{name}"
    ports: [{name: redis, containerPort: 6379}]
    portsFrom: [spec.redis.customContainers, '$.spec["redis"].extraPorts']
  - apiVersion: example.com
    kind: Proxy
    controller: Deployment
    replicas: 2
    hostNetwork: true
`));
    expect(config.workloads).toEqual([
      {
        apiVersion: 'databases.spotahome.com/v1', kind: 'RedisFailover', controller: 'StatefulSet', name: 'rfr-{name}',
        replicas: ['spec', 'redis', 'replicas'], labelsFrom: [['spec', 'redis', 'podTemplate', 'metadata', 'labels']],
        labels: { 'app.kubernetes.io/component': 'redis', 'redisfailovers.databases.spotahome.com/name': '{name}' },
        ports: [{ name: 'redis', containerPort: 6379, protocol: 'TCP' }],
        portsFrom: [['spec', 'redis', 'customContainers'], ['spec', 'redis', 'extraPorts']],
        hostNetwork: false, declaredAt: ['workloads', 0],
      },
      {
        apiVersion: 'example.com', kind: 'Proxy', controller: 'Deployment', name: '{name}', replicas: 2, labelsFrom: [], labels: {},
        ports: [], portsFrom: [], hostNetwork: true, declaredAt: ['workloads', 1],
      },
    ]);
  });

  it('points at the field of a malformed path, a built-in group, a bad kind, label or placeholder', () => {
    expect(configError(`workloads:
  - apiVersion: example.com/v1
    kind: Thing
    replicas: spec..replicas
`)).toBe(`c${counter - 1}.yaml:4:5: workloads[0].replicas: 'spec..replicas' has an empty or invalid key after a dot; `
      + 'write a path into the object such as spec.podMetadata.labels, spec.containers[0].ports or spec["app.kubernetes.io/name"]');
    const message = configError(`workloads:
  - apiVersion: apps/v1
    kind: thing
    labels:
      app: "{names}"
      -bad: x
`);
    expect(message).toMatch(/^c\d+\.yaml:2:5: workloads\[0\]\.apiVersion 'apps\/v1' is not the group\/version of a custom resource .*built-in kinds need no declaration/);
    expect(message).toContain("workloads[0].kind 'thing' is not a kind name (CamelCase, such as RedisFailover)");
    expect(message).toContain('workloads[0].labels: {names} is not a placeholder; use {name} or {namespace}');
    expect(message).toContain("workloads[0].labels: label key '-bad' is not valid");
  });

  it('reports wrong shapes through the schema, with the setting named', () => {
    expect(configError('workloads:\n  - apiVersion: example.com/v1\n    kind: Thing\n    controller: Job\n'))
      .toMatch(/^c\d+\.yaml:4:5: workloads\.0\.controller: must be one of StatefulSet, Deployment, DaemonSet$/);
    expect(configError('workloads:\n  - kind: Thing\n')).toMatch(/workloads\.0: must have required property 'apiVersion'/);
    expect(configError('workloads:\n  - apiVersion: example.com/v1\n    kind: Thing\n    podLabels: spec.labels\n'))
      .toMatch(/workloads\.0: unknown setting 'podLabels'/);
    expect(configError('workloads:\n  - apiVersion: example.com/v1\n    kind: Thing\n    replicas: -1\n')).toMatch(/workloads\.0\.replicas: must be >= 0/);
  });
});

describe('namespaces:', () => {
  it('reads namespace name → labels, an empty entry meaning no labels', () => {
    const file = configFile('namespaces:\n  alice:\n    app.kubernetes.io/part-of: kubeflow-profile\n  sandbox:\n');
    const config = loadConfig(file);
    expect(config.namespaces.map(({ name, labels, declaredIn }) => ({ name, labels, path: declaredIn.path }))).toEqual([
      { name: 'alice', labels: { 'app.kubernetes.io/part-of': 'kubeflow-profile' }, path: ['namespaces', 'alice'] },
      { name: 'sandbox', labels: {}, path: ['namespaces', 'sandbox'] },
    ]);
    expect(config.namespaces[0].declaredIn.object?.origin.file).toBe(file);
  });

  it('rejects a name that is no namespace name and labels the API server would reject, at their line', () => {
    expect(configError('namespaces:\n  Team_A:\n    team: a\n')).toMatch(/^c\d+\.yaml:2:3: namespaces: 'Team_A' is not a namespace name/);
    expect(configError('namespaces:\n  team-a:\n    team: "a b"\n')).toMatch(/^c\d+\.yaml:3:5: namespaces\.team-a: label value 'a b' is not valid/);
    expect(configError('namespaces:\n  team-a:\n    team: 1\n')).toMatch(/namespaces\.team-a\.team: must be string/);
  });
});

describe('parseObjectPath', () => {
  it('reads dotted keys, indexes and quoted keys, with an optional $.', () => {
    expect(parseObjectPath('spec.containers[0].ports')).toEqual({ path: ['spec', 'containers', 0, 'ports'] });
    expect(parseObjectPath('$.metadata["app.kubernetes.io/name"]')).toEqual({ path: ['metadata', 'app.kubernetes.io/name'] });
    expect(parseObjectPath("spec['a b'].c")).toEqual({ path: ['spec', 'a b', 'c'] });
  });

  it('refuses empty keys and stray characters', () => {
    for (const text of ['', '$.', 'spec.', '.spec', 'spec[x]', 'spec labels', 'spec[0']) expect(parseObjectPath(text)).toHaveProperty('error');
  });
});
