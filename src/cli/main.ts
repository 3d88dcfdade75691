// `edgeplane` CLI entry: dispatches subcommands (dev; agent and token arrive with the node agent).
import { parseArgs, UsageError } from './args';
import { runDev } from './dev';
import { runNode, runToken } from './token';
import { AGENT_BOOLEANS, AGENT_USAGE, runAgent } from './agent';
import { runUser } from './user';

const USAGE = `usage: edgeplane <command> [flags]

commands:
  dev      run a local control plane over https
           --port N (8787; 0 picks a free port)  --state DIR (.edgeplane)  --agents N (2)
           --runtime process|podman|docker|fake (process)
           --partitions N (4)  --history-revisions N (10000)  --service-cidr CIDR (127.96.0.0/16)
           --scheduler-strategy least-allocated|most-allocated  --node-monitor-grace-period 50s
           --default-toleration-seconds 300  --event-ttl 1h
           --horizontal-pod-autoscaler-sync-period 15s
${AGENT_USAGE}  token    join tokens for node agents (admin kubeconfig: --kubeconfig, $KUBECONFIG or .edgeplane/kubeconfig)
           create [--ttl 24h] [--trust pin|system] [--allow-takeover]   list   revoke ID
  node     revoke NODE   revoke a node's credential (it gets 401 from then on)
  user     create NAME [--group G]... [--ttl 720h] [--out FILE]   prints a kubeconfig for a new
           user token (RBAC decides what it may do); list; revoke NAME (its tokens get 401)
`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  // `edgeplane dev --help` must print this, not start a cluster.
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  switch (command) {
    case 'dev':
      return runDev(parseArgs(rest));
    case 'agent':
      return runAgent(parseArgs(rest, AGENT_BOOLEANS));
    case 'token':
      return runToken(parseArgs(argv));
    case 'node':
      return runNode(parseArgs(argv));
    case 'user':
      return runUser(argv);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`edgeplane: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(`edgeplane: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
