// Test entry for `edgeplane agent` (runAgent with this process's arguments), so tests need no CLI dispatcher.
import { AGENT_BOOLEANS, runAgent } from '../../src/cli/agent';
import { parseArgs } from '../../src/cli/args';

runAgent(parseArgs(process.argv.slice(2), AGENT_BOOLEANS)).catch((err: unknown) => {
  console.error(`edgeplane agent: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
