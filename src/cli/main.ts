import { Command, CommanderError, Option } from 'commander';
import { EXIT_USAGE, UsageError, shouldColor, type GlobalOptions } from './context.js';
import { escapeText } from '../report/escape/text.js';

const VERSION = '0.1.0';

function globalOptions(program: Command): GlobalOptions {
  const options = program.opts<{ color: boolean; debug: boolean; namespace: string }>();
  // A namespace name is an RFC 1123 label; '' or 'Shop' would silently match nothing.
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(options.namespace)) {
    throw new UsageError(`--namespace '${options.namespace}': a namespace name is 1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit`);
  }
  return { color: shouldColor(process.stdout, options.color, process.env), debug: options.debug, namespace: options.namespace };
}

const PATHS_HELP = 'manifest files or folders (searched recursively for *.yaml, *.yml, *.json; files that are not manifests are skipped); - reads standard input';

/**
 * Builds the commander program. Command modules are imported only when their command runs,
 * so `--help` and `--version` load nothing heavy.
 */
export function buildProgram(setExitCode: (code: number) => void, argv?: readonly string[]): Command {
  const defines = commandsToDefine(argv);
  const program = new Command('k8snet')
    .description('Lint Kubernetes network manifests and answer who can reach whom, exactly as NetworkPolicy defines it.')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--no-color', 'never colour the output (NO_COLOR is honoured too)')
    .option('--debug', 'show stack traces of internal errors', false)
    .option('-n, --namespace <name>', 'namespace of objects that name none', 'default')
    .showHelpAfterError('(run k8snet --help for usage)')
    .configureHelp({ sortSubcommands: false })
    // Before the subcommands are added: commander copies these settings to each of them.
    .exitOverride()
    // Commander's error messages quote the arguments, which may hold anything: escaped, as every
    // message on standard error is (its help text, written with writeErr, is k8snet's own).
    .configureOutput({ writeErr: (text) => process.stderr.write(text), outputError: (text, write) => write(escapeMessage(text)) });

  if (defines('lint')) {
    program
      .command('lint')
      .description('report problems in the network setup of the manifests, each with file:line:col, why it matters and how to fix it')
      .argument('[paths...]', PATHS_HELP, ['.'])
      .addOption(new Option('-f, --format <format>', 'output format').choices(['stylish', 'json', 'sarif', 'github', 'junit']).default('stylish'))
      .option('-c, --config <file>', 'configuration file (default: the nearest .k8snet.yaml from the current folder up)')
      .option('-r, --rule <id=level>', 'set a rule to off, info, warning or error (repeatable)', collect, [])
      .option('--context <path>', 'also load this path (repeatable) to resolve selectors, reporting findings only in the given paths (with --new-from-rev: every new finding)', collect, [])
      .option('--new-from-rev <rev>', 'report only findings the working tree has and git revision REV did not (the same paths read at REV), wherever they are')
      .option('-o, --output <file>', 'write the report to a file')
      .addOption(new Option('--fail-on <severity>', 'lowest severity that makes the run fail (exit 1)').choices(['error', 'warning', 'info']).default('error'))
      .option('--max-warnings <count>', 'fail when there are more warnings than this', parseCount)
      .option('--verbose', 'show why each finding matters and how to fix it, and list the files skipped because they are not Kubernetes manifests', false)
      .option('--max-repeats <count>', 'list at most this many findings of one rule in one file and count the rest (0 lists all)', parseCount, 100)
      .addOption(new Option('--host-network-pods <mode>', 'how the network plugin treats hostNetwork pods: node (outside NetworkPolicy; most plugins) or pod').choices(['node', 'pod']).default('node'))
      .addHelpText('after', '\nExit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input errors.\nExamples: helm template ./chart | k8snet lint -\n          k8snet lint --new-from-rev origin/main .   (what a pull request adds)')
      .action(async (paths: string[], options, command: Command) => {
        const { runLint } = await import('./commands/lint.js');
        setExitCode(await runLint(paths, options, globalOptions(command.parent!)));
      });
  }

  if (defines('can-reach')) {
    program
      .command('can-reach')
      .description('answer whether SRC can reach DST (and on which ports), with the policy rules that decide it')
      .argument('<src>', 'ns/name, ns/Kind/name, ns/label=value,... (prefixed keys too: ns/app.kubernetes.io/name=web), svc:ns/name, ip:ADDRESS (a ClusterIP stands for its Service), dns (cluster DNS), internet, kube-apiserver (the API server, behind svc:default/kubernetes), node:NAME (the host namespace of a node) or fqdn:NAME (a DNS name outside the cluster)')
      .argument('<dst>', 'same forms as SRC')
      .argument('[paths...]', PATHS_HELP, ['.'])
      .addOption(new Option('--host-network-pods <mode>', 'how the network plugin treats hostNetwork pods: node (their traffic is node traffic, outside NetworkPolicy; most plugins) or pod (policies apply to them as to other pods)').choices(['node', 'pod']).default('node'))
      .option('-p, --port <port>', 'port and protocol to ask about: 80, 80/TCP, 53/UDP, 9090/SCTP (default: all ports)')
      .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
      .option('--all-files', 'parse every file, not only those that mention the two namespaces or a cluster-wide policy (and report all their problems)', false)
      .option('-c, --config <file>', 'configuration file (default: the nearest .k8snet.yaml from the current folder up)')
      .option('--verbose', 'list the files skipped because they are not Kubernetes manifests', false)
      .addHelpText('after', '\nExit codes: 0 reachable, 1 not reachable, 2 usage or input errors.\nExample: k8snet can-reach shop/frontend svc:shop/cart --port 8080 manifests/')
      .action(async (source: string, destination: string, paths: string[], options, command: Command) => {
        const { runCanReach } = await import('./commands/can-reach.js');
        setExitCode(await runCanReach(source, destination, paths, options, globalOptions(command.parent!)));
      });
  }

  if (defines('matrix')) {
    program
      .command('matrix')
      .description('print every allowed connection between workloads and external address ranges')
      .argument('[paths...]', PATHS_HELP, ['.'])
      .addOption(new Option('-f, --format <format>', 'output format').choices(['txt', 'json', 'csv', 'md', 'dot', 'mermaid']).default('txt'))
      .option('-o, --output <file>', 'write the matrix to a file')
      .option('--focus-workload <workload>', 'only connections from or to this workload (ns/name or ns/name[Kind])')
      .option('--no-ingress-controller', 'leave out what Ingresses and Routes expose')
      .option('-c, --config <file>', 'configuration file (default: the nearest .k8snet.yaml from the current folder up)')
      .option('--verbose', 'list the files skipped because they are not Kubernetes manifests', false)
      .addOption(new Option('--host-network-pods <mode>', 'how the network plugin treats hostNetwork pods: node (their traffic is node traffic, outside NetworkPolicy; most plugins) or pod (policies apply to them as to other pods)').choices(['node', 'pod']).default('node'))
      .addHelpText('after', '\nThe txt format is line-compatible with np-guard netpol-analyzer: src => dst : connections.')
      .action(async (paths: string[], options, command: Command) => {
        const { runMatrix } = await import('./commands/matrix.js');
        setExitCode(await runMatrix(paths, options, globalOptions(command.parent!)));
      });
  }

  if (defines('explain')) {
    program
      .command('explain')
      .description('list the policies that select a workload and the ingress and egress it ends up with')
      .argument('<workload>', 'ns/name or ns/Kind/name')
      .argument('[paths...]', PATHS_HELP, ['.'])
      .addOption(new Option('--host-network-pods <mode>', 'how the network plugin treats hostNetwork pods: node (their traffic is node traffic, outside NetworkPolicy; most plugins) or pod (policies apply to them as to other pods)').choices(['node', 'pod']).default('node'))
      .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
      .option('-c, --config <file>', 'configuration file (default: the nearest .k8snet.yaml from the current folder up)')
      .option('--verbose', 'list the files skipped because they are not Kubernetes manifests', false)
      .action(async (workload: string, paths: string[], options, command: Command) => {
        const { runExplain } = await import('./commands/explain.js');
        setExitCode(await runExplain(workload, paths, options, globalOptions(command.parent!)));
      });
  }

  if (defines('diff')) {
    program
      .command('diff')
      .description('print the connections a change opens, closes or alters between OLD and NEW manifests')
      .argument('[old]', 'manifests before the change: a file, a folder or - (with --git: the PATH to compare, . by default)')
      .argument('[new]', 'manifests after the change: a file, a folder or -')
      .option('--git <range>', 'compare PATH between two git revisions, REV1..REV2, read with git (no checkout); REV.. compares REV with the working tree')
      .addOption(new Option('-f, --format <format>', 'output format').choices(['txt', 'json', 'md', 'csv', 'dot', 'mermaid']).default('txt'))
      .option('-o, --output <file>', 'write the diff to a file')
      .addOption(new Option('--fail-on <gate>', 'exit 1 when the change does this (repeatable)')
        .choices(['added-any', 'added-external-ingress', 'added-external-egress', 'changed-any', 'removed-any']).argParser(collectGate).default([]))
      .addOption(new Option('--host-network-pods <mode>', 'how the network plugin treats hostNetwork pods: node or pod').choices(['node', 'pod']).default('node'))
      .option('-c, --config <file>', 'configuration file (default: the nearest .k8snet.yaml from the current folder up)')
      .option('--verbose', 'list the files skipped because they are not Kubernetes manifests', false)
      .addHelpText('after', '\nLines: + opened, - closed, ~ changed ports.\nExamples: k8snet diff base/ pr/ --format md --fail-on added-external-ingress\n          k8snet diff --git origin/main..HEAD manifests/')
      .action(async (oldPath: string | undefined, newPath: string | undefined, options, command: Command) => {
        const { runDiff } = await import('./commands/diff.js');
        setExitCode(await runDiff(oldPath, newPath, options, globalOptions(command.parent!)));
      });
  }

  if (defines('graph')) {
    program
      .command('graph')
      .description('draw the paths requests take: clients → Ingress/Route or Gateway listener → route → Service, or a load balancer, NodePort or hostPort → workload, with the policies that allow or block each hop')
      .argument('[paths...]', PATHS_HELP, ['.'])
      .addOption(new Option('-f, --format <format>', 'output format').choices(['mermaid', 'dot']).default('mermaid'))
      .option('-o, --output <file>', 'write the graph to a file')
      .option('--focus <workload>', 'only the paths to one workload (ns/name or ns/name[Kind])')
      .option('--collapse-above <count>', 'draw a namespace with more nodes than this as one node', parseCount, 40)
      .option('-c, --config <file>', 'configuration file (default: the nearest .k8snet.yaml from the current folder up)')
      .option('--verbose', 'list the files skipped because they are not Kubernetes manifests', false)
      .addOption(new Option('--host-network-pods <mode>', 'how the network plugin treats hostNetwork pods: node or pod').choices(['node', 'pod']).default('node'))
      .addHelpText('after', '\nMermaid renders in GitHub Markdown; DOT renders with Graphviz: k8snet graph -f dot manifests/ | dot -Tpng -o paths.png')
      .action(async (paths: string[], options, command: Command) => {
        const { runGraph } = await import('./commands/graph.js');
        setExitCode(await runGraph(paths, options, globalOptions(command.parent!)));
      });
  }

  if (defines('ipam')) {
    program
      .command('ipam')
      .description('print the cluster\'s address plan: pod, Service and node-port ranges, what they hold, what the manifests ask of them, and the headroom')
      .argument('[paths...]', PATHS_HELP, ['.'])
      .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
      .option('-c, --config <file>', 'configuration file (default: the nearest .k8snet.yaml from the current folder up)')
      .option('--verbose', 'list the files skipped because they are not Kubernetes manifests', false)
      .addHelpText('after', '\nFacts come from the flags, then .k8snet.yaml (cluster:), then the manifests (kubeadm ClusterConfiguration, kind Cluster,\n'
        + 'KubeletConfiguration, Node, ServiceCIDR, Calico IPPool, CiliumNode, cilium-config), then Kubernetes\' defaults.\n'
        + 'Exit codes: 0 the plan holds, 1 an address error (a full range, a refused address), 2 usage or input errors.\n'
        + 'Example: k8snet ipam --pod-cidr 10.244.0.0/16 --nodes 40 manifests/')
      .action(async (paths: string[], options, command: Command) => {
        const { runIpam } = await import('./commands/ipam.js');
        setExitCode(await runIpam(paths, options, globalOptions(command.parent!)));
      });
  }

  if (defines('rules')) {
    program
      .command('rules')
      .description('list the checks k8snet runs, or print the documentation of one')
      .argument('[id]', 'a check id')
      .action(async (id: string | undefined, _options, command: Command) => {
        const { runRules } = await import('./commands/rules.js');
        setExitCode(await runRules(id, globalOptions(command.parent!)));
      });
  }

  if (defines('inspect')) {
    program
      .command('inspect')
      .description('load the manifests and print what the resource graph holds (counts, namespaces, input problems)')
      .argument('[paths...]', PATHS_HELP, ['.'])
      .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
      .option('-c, --config <file>', 'configuration file (default: the nearest .k8snet.yaml from the current folder up)')
      .option('--verbose', 'list the files skipped because they are not Kubernetes manifests', false)
      .action(async (paths: string[], options, command: Command) => {
        const { runInspect } = await import('./commands/inspect.js');
        setExitCode(await runInspect(paths, options, globalOptions(command.parent!)));
      });
  }

  // Both commands that judge the address plan take its facts from the command line too.
  for (const command of program.commands.filter((entry) => entry.name() === 'lint' || entry.name() === 'ipam')) {
    for (const option of addressFactOptions()) command.addOption(option);
  }
  return program;
}

/** The commands, in the order help lists them. */
const COMMAND_NAMES: ReadonlySet<string> = new Set(['lint', 'can-reach', 'matrix', 'explain', 'diff', 'graph', 'ipam', 'rules', 'inspect']);

/**
 * Which commands buildProgram defines for a run on `argv`: only the one it runs, when the words
 * before it are surely global options (defining every command, with its options and help texts,
 * was a third of what `--version` executed); every command otherwise (help, a mistyped command,
 * anything unusual before the command), so commander sees the whole program whenever it could
 * need it; none for `--version`. Without `argv` (tests), every command.
 */
function commandsToDefine(argv: readonly string[] | undefined): (name: string) => boolean {
  const every = () => true;
  if (!argv) return every;
  const words = argv.slice(2);
  for (let index = 0; index < words.length; index++) {
    const word = words[index];
    if (word === '--no-color' || word === '--debug' || /^--namespace=./.test(word) || /^-n./.test(word)) continue;
    if (word === '-n' || word === '--namespace') {
      index++;
      continue;
    }
    // Commander prints the version as it reads the option, before any command runs.
    if (word === '-V' || word === '--version') return () => false;
    if (word.startsWith('-') || !COMMAND_NAMES.has(word)) return every;
    return (name) => name === word;
  }
  return every;
}

const GATES = ['added-any', 'added-external-ingress', 'added-external-egress', 'changed-any', 'removed-any'];

function collectGate(value: string, previous: string[]): string[] {
  if (!GATES.includes(value)) throw new UsageError(`--fail-on ${value}: use one of ${GATES.join(', ')}`);
  return [...previous, value];
}

/** The address facts `lint` and `ipam` take from the command line, over .k8snet.yaml. */
function addressFactOptions(): Option[] {
  return [
    new Option('--pod-cidr <cidr>', 'the cluster\'s pod range; repeat or comma-separate for dual-stack').argParser(collectList).default(undefined),
    new Option('--service-cidr <cidr>', 'the cluster\'s Service range; repeat or comma-separate for dual-stack').argParser(collectList).default(undefined),
    new Option('--nodes <count>', 'how many nodes the cluster has').argParser(countOf('--nodes', 0)),
    new Option('--max-nodes <count>', 'how many nodes the cluster may grow to').argParser(countOf('--max-nodes', 0)),
    new Option('--max-pods <count>', 'the kubelet\'s maxPods on every node').argParser(countOf('--max-pods', 1)),
  ];
}

function collectList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((entry) => entry.trim()).filter(Boolean)];
}

/** A parser of a whole-number flag at least `minimum`, whose errors name the flag. */
function countOf(flag: string, minimum: number): (value: string) => number {
  return (value) => {
    const count = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(count) || count < minimum) throw new UsageError(`${flag} ${value}: expected a whole number${minimum > 0 ? ` of at least ${minimum}` : ''}`);
    return count;
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new UsageError(`'${value}' is not a whole number`);
  return Number(value);
}

/**
 * Escapes commander's message line by line: a line may hold anything the user typed, and the
 * line breaks are commander's own (`unknown option '--cni'` then `(Did you mean --config?)`).
 */
function escapeMessage(text: string): string {
  return text.split('\n').map(escapeText).join('\n');
}

/** Writes to a stream whose own failure has nowhere to be reported. */
function writeQuietly(stream: NodeJS.WriteStream, text: string): void {
  try {
    stream.write(text);
  } catch {
    // Standard error is gone too: the exit code is all that is left to say it.
  }
}

/** Runs the CLI on `argv` and returns the exit code; the only place errors are turned into text. */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  }, argv);
  // `k8snet matrix | head` closes the pipe early: stop quietly, as Unix tools do. Any other
  // failure to write (a full disk, `> /dev/full`) is said in one line: the output is incomplete.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(exitCode);
    writeQuietly(process.stderr, `k8snet: writing to standard output failed (${error.code ?? error.message}): the output is incomplete\n`);
    process.exit(EXIT_USAGE);
  });
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    process.exit(error.code === 'EPIPE' ? exitCode : EXIT_USAGE);
  });
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`k8snet: ${escapeText(error.message)}\n`);
      return EXIT_USAGE;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`k8snet: internal error: ${escapeText(message)}\n`);
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack.split('\n').map(escapeText).join('\n')}\n`);
    else process.stderr.write('Run again with --debug for details, and please report it.\n');
    return EXIT_USAGE;
  }
}
