import type { Command } from 'commander';
import { parseLabelChainOption } from '../labels/catalog.js';
import { EVM_ANY } from '../labels/chains.js';
import { seedsByIncident } from '../labels/seedSummary.js';
import { parseTierFilter } from '../labels/tiers.js';
import { renderSeedSummary, seedSummaryJson } from '../report/labels.js';
import { UsageError } from '../errors.js';
import { writeOut } from './output.js';
import { colorOption, outputStyle } from './shared.js';

interface SeedsCliOptions {
  incident?: string;
  tier?: string;
  chain?: string;
  json?: boolean;
  color: boolean;
}

/**
 * `hoptrace seeds`: the bundled seeds grouped by incident, with counts per attribution tier and chain and
 * the sources they rest on; with `--incident`, the addresses too. `--json` always holds the addresses
 * (`jq -r '.[].addresses[].address'`) and every source.
 */
export function registerSeedsCommand(program: Command): void {
  program
    .command('seeds')
    .description('list the bundled seed addresses by incident, with their attribution tiers and sources')
    .option('--incident <name>', 'one incident (bybit, ronin, …; lazarus or all = every one): lists its addresses')
    .option('--tier <tier>', 'only seeds of this tier: official (OFAC and FBI), official:OFAC, official:FBI, label:Etherscan, researcher')
    .option('--chain <name>', 'only seeds that apply on this chain (ethereum, bsc, …), one per address as a trace takes them')
    .option('--json', 'print JSON')
    .addOption(colorOption())
    .action((o: SeedsCliOptions) => {
      const tiers = o.tier === undefined ? undefined : parseTierFilter(o.tier);
      const chain = o.chain === undefined ? undefined : parseLabelChainOption(o.chain);
      if (chain === EVM_ANY) throw new UsageError('--chain evm is a row marker, not a chain: name the chain to trace on (ethereum, bsc, …).');
      const query = { incident: o.incident, tiers, labelChain: chain };
      if (o.json) {
        writeOut(seedSummaryJson(seedsByIncident({ ...query, withSeeds: true })), { kind: 'json' });
        return;
      }
      const groups = seedsByIncident(query);
      const { color } = outputStyle(o);
      writeOut(renderSeedSummary(groups, { color, maxSources: groups.length === 1 ? 10 : 3 }), { kind: 'text', color });
    });
}
