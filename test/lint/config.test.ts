/**
 * The lint configuration (src/lint/config.ts): finding `.k8snet.yaml`, reading and validating it,
 * the cluster facts and their defaults, `--rule` overrides, and the globs of `ignore`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  CONFIG_FILE_NAMES, CONFIG_SCHEMA, CONFIG_VALIDATOR, ConfigError, findConfigFile, globMatcher, loadConfig, resolveConfig, withClusterOverrides,
  withRuleOverrides,
} from '../../src/lint/config.js';
import { locateField } from '../../src/load/manifest-object.js';
import { DEFAULT_CLUSTER_FACTS } from '../../src/model/cluster-facts.js';
import { DEFAULT_ISTIO_SETTINGS } from '../../src/model/istio-settings.js';

const ROOT = process.cwd();
const TEMP = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-config-'));
afterAll(() => fs.rmSync(TEMP, { recursive: true, force: true }));

let counter = 0;
/** Creates a fresh folder under the temporary root with the given files (relative path → text). */
function tree(files: Record<string, string>): string {
  const root = path.join(TEMP, `t${counter++}`);
  fs.mkdirSync(root, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

/** The ConfigError message of `action`, failing the test when it does not throw one. */
function configError(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

/** True when some folder from the temporary root up already holds a configuration file. */
function configAboveTemp(): boolean {
  for (let folder = TEMP; ; folder = path.dirname(folder)) {
    if (CONFIG_FILE_NAMES.some((name) => fs.existsSync(path.join(folder, name)))) return true;
    if (path.dirname(folder) === folder) return false;
  }
}

describe('findConfigFile', () => {
  it('walks up from a nested folder to the nearest .k8snet.yaml', () => {
    const root = tree({ '.k8snet.yaml': 'rules: {}\n', 'a/b/c/.keep': '' });
    expect(findConfigFile(undefined, path.join(root, 'a', 'b', 'c'))).toBe(path.join(root, '.k8snet.yaml'));
    expect(findConfigFile(undefined, root)).toBe(path.join(root, '.k8snet.yaml'));
  });

  it('finds .k8snet.yml as well', () => {
    const root = tree({ '.k8snet.yml': 'rules: {}\n', 'a/b/.keep': '' });
    expect(findConfigFile(undefined, path.join(root, 'a', 'b'))).toBe(path.join(root, '.k8snet.yml'));
  });

  it('takes the nearest file, and .k8snet.yaml before .k8snet.yml in the same folder', () => {
    const root = tree({ '.k8snet.yaml': '', 'a/.k8snet.yml': '', 'a/.k8snet.yaml': '', 'a/b/.keep': '' });
    expect(findConfigFile(undefined, path.join(root, 'a', 'b'))).toBe(path.join(root, 'a', '.k8snet.yaml'));
    fs.rmSync(path.join(root, 'a', '.k8snet.yaml'));
    expect(findConfigFile(undefined, path.join(root, 'a', 'b'))).toBe(path.join(root, 'a', '.k8snet.yml'));
  });

  it('resolves a relative starting folder', () => {
    const root = tree({ '.k8snet.yaml': '', 'x/y/.keep': '' });
    const relative = path.relative(process.cwd(), path.join(root, 'x', 'y'));
    expect(findConfigFile(undefined, relative)).toBe(path.join(root, '.k8snet.yaml'));
  });

  it('returns undefined when no folder up to the root holds one', () => {
    if (configAboveTemp()) return; // a stray configuration above the temp folder: nothing to check here
    const root = tree({ 'a/b/.keep': '' });
    expect(findConfigFile(undefined, path.join(root, 'a', 'b'))).toBeUndefined();
  });

  it('--config takes the given file, without looking for another', () => {
    const root = tree({ '.k8snet.yaml': '', 'elsewhere/custom.yaml': 'rules: {}\n' });
    const custom = path.join(root, 'elsewhere', 'custom.yaml');
    expect(findConfigFile(custom, root)).toBe(custom);
  });

  it('--config with a missing file is a ConfigError naming it', () => {
    const missing = path.join(TEMP, 'does-not-exist.yaml');
    expect(configError(() => findConfigFile(missing, TEMP))).toBe(`${missing}: no such configuration file`);
  });
});

describe('loadConfig', () => {
  it('returns the defaults without a file', () => {
    expect(loadConfig(undefined)).toEqual({ rules: {}, ignore: [], cluster: DEFAULT_CLUSTER_FACTS, workloads: [], namespaces: [], istio: DEFAULT_ISTIO_SETTINGS });
  });

  it('reads rules given as a level or as { level, options }, ignore and cluster, and remembers the file', () => {
    const root = tree({
      '.k8snet.yaml': [
        'rules:',
        '  egress-blocks-dns: off',
        '  policy-shadowed: warning',
        '  workload-not-isolated:',
        '    level: error',
        '    options: { ignoreNamespaces: [kube-system] }',
        'ignore:',
        '  - "generated/**"',
        'cluster:',
        '  podCIDR: 10.244.0.0/16',
        '  cni: Calico',
        '',
      ].join('\n'),
    });
    const file = path.join(root, '.k8snet.yaml');
    const config = loadConfig(file);
    expect(config.file).toBe(file);
    expect(config.rules).toEqual({
      'egress-blocks-dns': { level: 'off' },
      'policy-shadowed': { level: 'warning' },
      'workload-not-isolated': { level: 'error', options: { ignoreNamespaces: ['kube-system'] } },
    });
    expect(config.ignore).toEqual(['generated/**']);
    expect(config.cluster.podCIDR).toEqual(['10.244.0.0/16']);
    expect(config.cluster.cni).toBe('calico');
  });

  it('gives the file, line and column of a YAML syntax error', () => {
    const root = tree({ 'bad.yaml': 'rules:\n  egress-blocks-dns: off\n  policy-shadowed: [unclosed\n' });
    const file = path.join(root, 'bad.yaml');
    expect(configError(() => loadConfig(file))).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: \\S`));
  });

  it('points at the line and column of a duplicated key and of a tab in the indentation', () => {
    const root = tree({ 'dup.yaml': 'rules:\n  a: off\n  a: error\n', 'tab.yaml': 'rules:\n\tx: off\n' });
    expect(configError(() => loadConfig(path.join(root, 'dup.yaml')))).toMatch(/dup\.yaml:3:3: .*duplicate/);
    expect(configError(() => loadConfig(path.join(root, 'tab.yaml')))).toMatch(/tab\.yaml:2:1: .*tab/);
  });

  it('rejects a configuration that is not a mapping', () => {
    const root = tree({ 'list.yaml': '- a\n- b\n' });
    expect(configError(() => loadConfig(path.join(root, 'list.yaml')))).toMatch(/list\.yaml:1:1: \(top level\): must be object/);
  });

  it('accepts a lone document marker as an empty configuration', () => {
    const root = tree({ 'marker.yaml': '---\n' });
    expect(loadConfig(path.join(root, 'marker.yaml')).rules).toEqual({});
  });

  // BUG (src/lint/config.ts, loadConfig): `yaml.load(text) ?? {}` expects js-yaml to return
  // undefined for an empty text, but js-yaml 5 throws "expected a document, but the input is
  // empty". An empty or comment-only .k8snet.yaml (a freshly `touch`ed file, or one with every
  // setting commented out) is a ConfigError, and `k8snet lint` exits 2 from anywhere below it.
  it('treats an empty or comment-only file as the defaults', () => {
    const root = tree({ 'empty.yaml': '', 'comments.yaml': '# nothing configured yet\n# rules:\n#   egress-blocks-dns: off\n' });
    expect(loadConfig(path.join(root, 'empty.yaml'))).toMatchObject({ rules: {}, ignore: [], cluster: DEFAULT_CLUSTER_FACTS });
    expect(loadConfig(path.join(root, 'comments.yaml'))).toMatchObject({ rules: {}, ignore: [], cluster: DEFAULT_CLUSTER_FACTS });
  });
});

describe('schema errors name the setting', () => {
  const problem = (raw: unknown) => configError(() => resolveConfig(raw, 'cfg.yaml'));

  it('an unknown key in a rule setting', () => {
    expect(problem({ rules: { 'egress-blocks-dns': { levl: 'off' } } })).toMatch(/^cfg\.yaml: .*rules\.egress-blocks-dns: unknown setting 'levl'/);
  });

  it('a bad level, written alone or as { level }', () => {
    expect(problem({ rules: { 'egress-blocks-dns': 'warn' } })).toMatch(/rules\.egress-blocks-dns: must be one of off, info, warning, error/);
    expect(problem({ rules: { 'egress-blocks-dns': { level: 'fatal' } } })).toMatch(/rules\.egress-blocks-dns\.level: must be one of off, info, warning, error/);
    expect(problem({ rules: { 'egress-blocks-dns': 2 } })).toMatch(/rules\.egress-blocks-dns/);
  });

  it('options that are not a mapping', () => {
    expect(problem({ rules: { 'egress-blocks-dns': { options: [1] } } })).toMatch(/rules\.egress-blocks-dns\.options: must be object/);
  });

  it('an unknown top-level key', () => {
    expect(problem({ rule: { 'egress-blocks-dns': 'off' } })).toBe("cfg.yaml: (top level): unknown setting 'rule'");
  });

  it('an unknown cluster fact', () => {
    expect(problem({ cluster: { podCidr: '10.0.0.0/8' } })).toBe("cfg.yaml: cluster: unknown setting 'podCidr'");
  });

  it('a nodePortRange that is not FROM-TO', () => {
    for (const nodePortRange of ['30000', '30000:32767', 'a-b', '30000-']) {
      expect(problem({ cluster: { nodePortRange } })).toMatch(/^cfg\.yaml: cluster\.nodePortRange: must match pattern/);
    }
    expect(problem({ cluster: { nodePortRange: 30000 } })).toMatch(/cluster\.nodePortRange: must be string/);
  });

  // BUG (src/lint/config.ts, CONFIG_SCHEMA / resolveConfig): nodePortRange is checked only against
  // the pattern ^\d+-\d+$, so `32767-30000` resolves to { from: 32767, to: 30000 }, a range that
  // holds no port, instead of a ConfigError.
  it('a nodePortRange whose bounds are reversed', () => {
    expect(() => resolveConfig({ cluster: { nodePortRange: '32767-30000' } }, 'cfg.yaml')).toThrow(ConfigError);
  });

  // BUG (same place): bounds beyond 65535 pass too: `30000-99999` resolves to { from: 30000, to: 99999 }.
  it('a nodePortRange beyond the port numbers', () => {
    expect(() => resolveConfig({ cluster: { nodePortRange: '30000-99999' } }, 'cfg.yaml')).toThrow(ConfigError);
  });

  it('bad values of the other settings', () => {
    expect(problem({ ignore: 'generated/**' })).toBe('cfg.yaml: ignore: must be array');
    expect(problem({ ignore: [1] })).toBe('cfg.yaml: ignore.0: must be string');
    expect(problem({ rules: ['egress-blocks-dns'] })).toBe('cfg.yaml: rules: must be object');
    expect(problem({ cluster: { maxPodsPerNode: 0 } })).toBe('cfg.yaml: cluster.maxPodsPerNode: must be >= 1');
    expect(problem({ cluster: { podCIDR: ['10.0.0.0/8', 'fd00::/8', '10.1.0.0/16'] } })).toMatch(/cluster\.podCIDR: must NOT have more than 2 items/);
    expect(problem({ cluster: { dnsSelector: { podSelector: { app: 1 } } } })).toMatch(/cluster\.dnsSelector\.podSelector\.app: must be string/);
  });

  it('lists every problem once, without the internal anyOf noise', () => {
    const message = problem({ foo: 1, ignore: 'x', rules: { a: 'warn' } });
    expect(message).toMatch(/unknown setting 'foo'/);
    expect(message).toMatch(/ignore: must be array/);
    expect(message).toMatch(/rules\.a: must be one of/);
    expect(message).not.toMatch(/anyOf|must match a schema in anyOf/);
    const parts = message.replace(/^cfg\.yaml: /, '').split('; ');
    expect(new Set(parts).size).toBe(parts.length);
  });

  it('says `configuration` when there is no file name', () => {
    expect(configError(() => resolveConfig({ foo: 1 }, undefined))).toBe("configuration: (top level): unknown setting 'foo'");
  });

  it('the precompiled validator in dist/ agrees with CONFIG_SCHEMA (npm run build first)', () => {
    const require = createRequire(path.join(ROOT, 'package.json'));
    const precompiled = (require(path.join(ROOT, 'dist', 'generated', 'validators', `${CONFIG_VALIDATOR}.cjs`)) as { validate: (value: unknown) => boolean }).validate;
    expect(typeof precompiled).toBe('function');
    const { Ajv } = require('ajv') as typeof import('ajv');
    const compiled = new Ajv({ allErrors: true, strict: false }).compile(CONFIG_SCHEMA);
    const samples: unknown[] = [
      {}, { rules: { a: 'off' } }, { rules: { a: { level: 'info', options: { x: 1 } } } }, { rules: { a: 'warn' } }, { foo: 1 },
      { ignore: ['x'] }, { ignore: 'x' }, { cluster: { nodePortRange: '1-2' } }, { cluster: { nodePortRange: '1' } },
      { cluster: { podCIDR: '10.0.0.0/8' } }, { cluster: { podCIDR: ['a', 'b', 'c'] } }, { cluster: { maxPodsPerNode: 0 } }, [], null,
    ];
    for (const sample of samples) expect([sample, precompiled(sample)]).toEqual([sample, compiled(sample)]);
  });
});

describe('cluster facts', () => {
  const problem = (raw: unknown) => configError(() => resolveConfig(raw, 'cfg.yaml'));

  it('leave unstated address facts undefined (the address plan supplies the defaults and says so)', () => {
    const { cluster } = resolveConfig({}, undefined);
    expect(cluster.maxPodsPerNode).toBeUndefined();
    expect(cluster.nodePortRange).toBeUndefined();
    expect(cluster.origins).toEqual({});
    expect(cluster.dns).toEqual({ namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } });
    expect(cluster.podCIDR).toBeUndefined();
    expect(cluster.serviceCIDR).toBeUndefined();
    expect(cluster.cni).toBeUndefined();
    expect(resolveConfig({ cluster: {} }, undefined).cluster).toEqual(cluster);
  });

  it('turn a CIDR string into a list, and keep lists', () => {
    const { cluster } = resolveConfig({ cluster: { podCIDR: '10.244.0.0/16', serviceCIDR: ['10.96.0.0/12', 'fd00:10:96::/112'] } }, undefined);
    expect(cluster.podCIDR).toEqual(['10.244.0.0/16']);
    expect(cluster.serviceCIDR).toEqual(['10.96.0.0/12', 'fd00:10:96::/112']);
  });

  it('take every configured value, the CNI in lower case', () => {
    const { cluster } = resolveConfig({
      cluster: { nodeCIDRMaskSize: 24, nodes: 3, maxNodes: 10, maxPodsPerNode: 250, nodePortRange: '20000-22767', cni: 'Cilium' },
    }, undefined);
    expect(cluster).toMatchObject({ nodeCIDRMaskSize: { ipv4: 24 }, nodes: 3, maxNodes: 10, maxPodsPerNode: 250, nodePortRange: { from: 20000, to: 22767 }, cni: 'cilium' });
    expect(Object.keys(cluster.origins).sort()).toEqual(['maxNodes', 'maxPodsPerNode', 'nodeCIDRMaskSize', 'nodePortRange', 'nodes']);
    expect(cluster.origins.nodes).toEqual({ kind: 'config', path: ['cluster', 'nodes'] });
  });

  it('read a mask size above 32 as IPv6, and take the per-family form', () => {
    expect(resolveConfig({ cluster: { nodeCIDRMaskSize: 64 } }, undefined).cluster.nodeCIDRMaskSize).toEqual({ ipv6: 64 });
    expect(resolveConfig({ cluster: { nodeCIDRMaskSize: { ipv4: 25, ipv6: 80 } } }, undefined).cluster.nodeCIDRMaskSize).toEqual({ ipv4: 25, ipv6: 80 });
    expect(problem({ cluster: { nodeCIDRMaskSize: { ipv4: 33 } } })).toMatch(/cluster\.nodeCIDRMaskSize\.ipv4: must be <= 32/);
  });

  it('reject a malformed CIDR or two ranges of one family, naming the line in the file', () => {
    expect(problem({ cluster: { podCIDR: '10.244.0/16' } })).toMatch(/^cfg\.yaml: cluster\.podCIDR: '10\.244\.0\/16' is not a valid CIDR/);
    expect(problem({ cluster: { serviceCIDR: ['10.96.0.0/12', '10.100.0.0/16'] } })).toMatch(/one IPv4 and one IPv6 range, not two IPv4 ranges/);
    const root = tree({ '.k8snet.yaml': 'cluster:\n  podCIDR:\n    - 10.244.0.0/16\n    - fd00::/300\n' });
    expect(configError(() => loadConfig(path.join(root, '.k8snet.yaml')))).toBe(
      `${path.join(root, '.k8snet.yaml')}:4:7: cluster.podCIDR: 'fd00::/300' has prefix length '300', outside 0-128 for IPv6`,
    );
  });

  it('name the line of a schema problem when read from a file', () => {
    const root = tree({ '.k8snet.yaml': 'rules:\n  egress-blocks-dns: warn\n' });
    expect(configError(() => loadConfig(path.join(root, '.k8snet.yaml')))).toMatch(/\.k8snet\.yaml:2:3: rules\.egress-blocks-dns: must be one of/);
  });

  it('record where each stated fact is, so findings can point at it', () => {
    const root = tree({ '.k8snet.yaml': '# plan\ncluster:\n  podCIDR: 10.244.0.0/16\n  nodes: 12\n' });
    const config = loadConfig(path.join(root, '.k8snet.yaml'));
    const origin = config.cluster.origins.podCIDR;
    expect(origin?.kind).toBe('config');
    if (origin?.kind !== 'config' || !origin.object) throw new Error('expected a located origin');
    expect(locateField(origin.object.origin, origin.path)).toMatchObject({ line: 3, column: 3 });
  });
});

describe('withClusterOverrides (--pod-cidr, --service-cidr, --nodes, --max-nodes, --max-pods)', () => {
  const base = resolveConfig({ cluster: { podCIDR: '10.244.0.0/16', nodes: 3 } }, undefined);

  it('replaces stated facts and records the flag as their origin', () => {
    const { cluster } = withClusterOverrides(base, { podCIDR: ['10.0.0.0/14', 'fd00::/48'], maxPodsPerNode: 64 });
    expect(cluster.podCIDR).toEqual(['10.0.0.0/14', 'fd00::/48']);
    expect(cluster.maxPodsPerNode).toBe(64);
    expect(cluster.nodes).toBe(3);
    expect(cluster.origins.podCIDR).toEqual({ kind: 'flag', flag: '--pod-cidr' });
    expect(cluster.origins.maxPodsPerNode).toEqual({ kind: 'flag', flag: '--max-pods' });
    expect(cluster.origins.nodes).toEqual({ kind: 'config', path: ['cluster', 'nodes'] });
    expect(base.cluster.podCIDR).toEqual(['10.244.0.0/16']);
  });

  it('rejects a malformed range with the flag in the message', () => {
    expect(configError(() => withClusterOverrides(base, { serviceCIDR: ['10.96.0.0'] }))).toMatch(/^--service-cidr: '10\.96\.0\.0' is not a CIDR: it has no prefix length/);
    expect(configError(() => withClusterOverrides(base, { podCIDR: ['fd00::/48', 'fd01::/48'] }))).toMatch(/^--pod-cidr: a dual-stack pair needs one IPv4 and one IPv6 range/);
  });

  it('fill the DNS selector field by field', () => {
    expect(resolveConfig({ cluster: { dnsSelector: { namespace: 'dns' } } }, undefined).cluster.dns)
      .toEqual({ namespace: 'dns', podLabels: { 'k8s-app': 'kube-dns' } });
    expect(resolveConfig({ cluster: { dnsSelector: { podSelector: { app: 'coredns' } } } }, undefined).cluster.dns)
      .toEqual({ namespace: 'kube-system', podLabels: { app: 'coredns' } });
  });

  it('do not change the shared defaults', () => {
    resolveConfig({ cluster: { maxPodsPerNode: 5, dnsSelector: { namespace: 'x' } } }, undefined);
    expect(DEFAULT_CLUSTER_FACTS.maxPodsPerNode).toBeUndefined();
    expect(DEFAULT_CLUSTER_FACTS.origins).toEqual({});
    expect(DEFAULT_CLUSTER_FACTS.dns.namespace).toBe('kube-system');
  });
});

describe('withRuleOverrides (--rule ID=LEVEL)', () => {
  const base = resolveConfig({ rules: { 'workload-not-isolated': { level: 'info', options: { x: 1 } }, 'policy-shadowed': 'warning' } }, 'cfg.yaml');

  it('sets levels, keeps options, and leaves the configuration it was given alone', () => {
    const config = withRuleOverrides(base, ['egress-blocks-dns=off', 'workload-not-isolated=error', 'policy-shadowed=info']);
    expect(config.rules).toEqual({
      'workload-not-isolated': { level: 'error', options: { x: 1 } },
      'policy-shadowed': { level: 'info' },
      'egress-blocks-dns': { level: 'off' },
    });
    expect(config.file).toBe('cfg.yaml');
    expect(config.cluster).toBe(base.cluster);
    expect(base.rules['workload-not-isolated']).toEqual({ level: 'info', options: { x: 1 } });
    expect(base.rules).not.toHaveProperty('egress-blocks-dns');
  });

  it('lets the last of repeated overrides win', () => {
    expect(withRuleOverrides(base, ['egress-blocks-dns=off', 'egress-blocks-dns=warning']).rules['egress-blocks-dns']).toEqual({ level: 'warning' });
  });

  it('returns the configuration unchanged without overrides', () => {
    expect(withRuleOverrides(base, [])).toEqual(base);
  });

  it('rejects anything but ID=off|info|warning|error', () => {
    for (const bad of ['egress-blocks-dns', 'egress-blocks-dns=', '=off', 'egress-blocks-dns=warn', 'egress-blocks-dns=OFF', 'Egress-Blocks-DNS=off',
      'egress-blocks-dns:off', 'egress-blocks-dns = off', 'egress-blocks-dns=off=on', 'a,b=off']) {
      expect(configError(() => withRuleOverrides(base, [bad]))).toBe(`--rule ${bad}: expected ID=off|info|warning|error`);
    }
  });
});

describe('globMatcher', () => {
  const matches = (globs: string[], file: string) => globMatcher(globs)(file);

  it('matches nothing without globs', () => {
    expect(matches([], 'a.yaml')).toBe(false);
  });

  it('`*` stays within one path segment', () => {
    expect(matches(['generated/*.yaml'], 'generated/a.yaml')).toBe(true);
    expect(matches(['generated/*.yaml'], 'generated/sub/a.yaml')).toBe(false);
    expect(matches(['generated/*.yaml'], 'generated/a.json')).toBe(false);
    expect(matches(['*.json'], 'deep/down/checkout.json')).toBe(true);
  });

  it('`**` crosses folders, including none', () => {
    expect(matches(['**/generated/**'], 'generated/a.yaml')).toBe(true);
    expect(matches(['**/generated/**'], 'fixtures/x/generated/y/z.yaml')).toBe(true);
    expect(matches(['**/generated/**'], 'fixtures/generatedx/a.yaml')).toBe(false);
    expect(matches(['a/**/b.yaml'], 'a/b.yaml')).toBe(true);
    expect(matches(['a/**/b.yaml'], 'a/x/y/b.yaml')).toBe(true);
    expect(matches(['vendor/**'], 'vendor/chart/templates/x.yaml')).toBe(true);
    expect(matches(['**'], 'anything/at/all.yaml')).toBe(true);
  });

  // BUG (src/lint/config.ts, globMatcher): `**/` becomes `.*` with no folder boundary after it,
  // so `**/secret.yaml` also matches `top-secret.yaml` and `a/**/b.yaml` matches `a/xb.yaml`:
  // `ignore` hides findings in files it was not meant to.
  it('`**/` matches whole folder names only', () => {
    expect(matches(['**/secret.yaml'], 'manifests/top-secret.yaml')).toBe(false);
    expect(matches(['a/**/b.yaml'], 'a/xb.yaml')).toBe(false);
  });

  it('`?` is exactly one character other than /', () => {
    expect(matches(['file?.yaml'], 'file1.yaml')).toBe(true);
    expect(matches(['file?.yaml'], 'file10.yaml')).toBe(false);
    expect(matches(['file?.yaml'], 'file.yaml')).toBe(false);
    expect(matches(['a?b.yaml'], 'a/b.yaml')).toBe(false);
  });

  it('takes other characters literally', () => {
    expect(matches(['a.yaml'], 'axyaml')).toBe(false);
    expect(matches(['a[1].yaml'], 'a[1].yaml')).toBe(true);
    expect(matches(['a[1].yaml'], 'a1.yaml')).toBe(false);
    expect(matches(['(x)+.yaml'], '(x)+.yaml')).toBe(true);
  });

  it('matches whole segments, at any depth, and a folder name covers its files', () => {
    expect(matches(['generated'], 'generated/a.yaml')).toBe(true);
    expect(matches(['generated'], 'x/generated/a.yaml')).toBe(true);
    expect(matches(['generated'], 'x/notgenerated/a.yaml')).toBe(false);
    expect(matches(['demo/monitoring'], 'fixtures/demo/monitoring/grafana.yaml')).toBe(true);
  });

  it('ignores a ./ prefix and backslashes in the file paths', () => {
    expect(matches(['generated/**'], './generated/a.yaml')).toBe(true);
    expect(matches(['generated/*.yaml'], 'generated\\a.yaml')).toBe(true);
    expect(matches(['*.yaml'], '.\\a.yaml')).toBe(true);
  });

  // BUG (src/lint/config.ts, globMatcher): the `./` prefix is stripped from file paths but not from
  // the globs, so `ignore: ["./generated/**"]` (a natural way to write a path relative to the
  // repository) never matches anything, whether the file is given as `generated/a.yaml` or
  // `./generated/a.yaml`.
  it('ignores a ./ prefix in the globs', () => {
    expect(matches(['./generated/**'], 'generated/a.yaml')).toBe(true);
    expect(matches(['./generated/**'], './generated/a.yaml')).toBe(true);
  });

  it('matches when any glob does', () => {
    const matcher = globMatcher(['nothing/**', '*.json']);
    expect(matcher('x/checkout.json')).toBe(true);
    expect(matcher('x/checkout.yaml')).toBe(false);
  });
});
