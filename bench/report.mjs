/** The bench's Markdown report, from the JSON results (bench/run.mjs). */
import { renderWatch } from './watch.mjs';

const s = (ms) => (ms / 1000).toFixed(2);
const int = (n) => Math.round(n).toLocaleString('en-US');
/** Calls as billed, and the HTTP round trips they took when batches made them fewer. */
const calls = (r) => (r ? `${int(r.rpc.total)}${r.rpc.roundTrips !== undefined && r.rpc.roundTrips !== r.rpc.total ? ` (${int(r.rpc.roundTrips)} round trips)` : ''}` : '—');
const secs = (r) => (r ? s(r.wallMs) : '—');
/** A run's credits, with its unpriced calls when the table misses a method (results without credits: —). */
const credits = (r) => (r?.credits ? `${int(r.credits.total)}${r.credits.unpricedCalls > 0 ? ` (+${int(r.credits.unpricedCalls)} unpriced calls)` : ''}` : '—');
const methods = (r) =>
  Object.entries(r.rpc.byMethod)
    .sort((a, b) => b[1] - a[1])
    .map(([m, n]) => `${m} ${n}`)
    .join(', ');

/** Markdown: machine, per-size table, strategies, cache, analysis, targets met or missed. */
export function renderMarkdown(res) {
  const m = res.machine;
  const lines = [];
  lines.push(`## Bench results (${res.startedAt.slice(0, 16).replace('T', ' ')} UTC)`, '');
  lines.push(
    `Machine: ${m.nproc} × ${m.cpu}, ${m.ramGiB} GiB RAM, Node ${m.node}, anvil ${m.anvil}; load average at start ${m.loadAverage}` +
      ` (timings are wall-clock and move with the load; trace, floor and block-scan trace: best of ${res.repeat ?? 1} interleaved runs).`,
    '',
  );
  const pt = res.priceTable;
  if (pt) {
    lines.push(
      `Credits: the runs' calls priced in ${pt.provider} ${pt.unit} (table read ${pt.read}, ${pt.source}; data/price-tables/${pt.file}); ` +
        'a batch costs the sum of its members, so batching saves round trips, not credits.',
      '',
    );
  }
  lines.push(
    '| addresses | transfers discovered | blocks | trace s | floor s (strategy) | trace/floor | RPC calls trace / floor (round trips where fewer) | credits trace / floor | credits trace/floor | stored/s | peak RSS MiB trace / floor | ms per 1k transfers |',
    '|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const z of res.sizes) {
    const fl = z.floorStrategy === 'block' ? z.runs.floorBlock : z.runs.floorAddress;
    lines.push(
      `| ${int(z.chain.addresses)} | ${int(z.discovered.count)} | ${int(z.chain.head)} | ${secs(z.runs.trace)} | ${s(z.floorMs)} (${z.floorStrategy}) | ${z.ratio.toFixed(2)}× | ${calls(z.runs.trace)} / ${calls(fl)} | ${credits(z.runs.trace)} / ${credits(fl)} | ${z.creditRatio === undefined ? '—' : `${z.creditRatio.toFixed(2)}×`} | ${int(z.storedPerSecond)} | ${z.runs.trace.peakRssMiB} / ${fl.peakRssMiB} | ${(z.msPerDiscovered * 1000).toFixed(0)} |`,
    );
  }
  lines.push('', '**Strategies** (wall s / RPC calls / credits; the same transfer set in every run, checked by count and hash):', '');
  lines.push('| addresses | trace auto | trace per-address | trace block-scan | floor per-address | floor block-scan |', '|---:|---|---|---|---|---|');
  const pair = (r) => (r ? `${s(r.wallMs)} s / ${int(r.rpc.total)}${r.credits ? ` / ${credits(r)}` : ''}` : 'not run');
  for (const z of res.sizes) {
    lines.push(
      `| ${int(z.chain.addresses)} | ${pair(z.runs.trace)} | ${pair(z.runs.traceAddress)} | ${pair(z.runs.traceBlock)} | ${pair(z.runs.floorAddress)} | ${pair(z.runs.floorBlock)} |`,
    );
  }
  const cross = crossover(res);
  if (cross) lines.push('', cross);
  lines.push('', '**Second run** (same database, cache):', '');
  lines.push('| addresses | RPC calls first → second | share | wall s first → second |', '|---:|---|---:|---|');
  for (const z of res.sizes) {
    lines.push(
      `| ${int(z.chain.addresses)} | ${int(z.runs.trace.rpc.total)} → ${int(z.runs.traceCached.rpc.total)} | ${(z.cachedCallShare * 100).toFixed(2)} % | ${secs(z.runs.trace)} → ${secs(z.runs.traceCached)} |`,
    );
  }
  lines.push('', 'Calls by method (trace, first run):', '');
  for (const z of res.sizes) lines.push(`- ${int(z.chain.addresses)}: ${methods(z.runs.trace)}`);
  const a = res.analysis;
  // CPU time beside wall time (older results have none): on a shared machine the wall clock counts other processes too.
  const cpu = (ms) => (ms === undefined ? '' : ` (CPU ${s(ms)} s)`);
  lines.push('', `**Ingest and analysis** (synthetic graph of ${int(a.edges)} edges, ${int(a.addresses)} addresses, built in SQLite directly):`, '');
  lines.push(...renderIngest(a));
  lines.push(
    `- attribution (attributeInStore, as \`hoptrace report\`): ${s(a.attribution.ms)} s${cpu(a.attribution.cpuMs)} — ${a.attribution.seeds} seeds, ${a.attribution.hops} hops, ${int(a.attribution.taintedTransfers)} tainted transfers, ${a.attribution.venuesReached} venues reached`,
  );
  lines.push(
    `- paths (pathsInStore, as \`hoptrace path\`): ${a.paths.targets} searches up to ${a.paths.maxHops} hops in ${s(a.paths.ms)} s${cpu(a.paths.cpuMs)} (${a.paths.found} reachable, ${int(a.paths.paths)} simple paths)`,
  );
  lines.push(`- analysis total ${s(a.analysisMs)} s${cpu(a.analysisCpuMs)}, peak RSS ${a.peakRssMiB} MiB${a.digest ? `; results digest ${a.digest}` : ''}`);
  if (res.deposits) lines.push('', ...renderDeposits(res.deposits));
  if (res.watch) lines.push('', ...renderWatch(res.watch));
  lines.push('', '**Targets**', '');
  lines.push(...targets(res).map((t) => `- ${t}`));
  return lines.join('\n') + '\n';
}

/** Where per-address and block scan cross, from the trace runs of the smallest size that ran both. */
function crossover(res) {
  const z = res.sizes.find((x) => x.runs.traceAddress && x.runs.traceBlock);
  if (!z) return null;
  const perAddress = z.runs.traceAddress.wallMs / z.chain.addresses;
  const block = z.runs.traceBlock.wallMs;
  const n = block / perAddress;
  return (
    `Crossover: per-address costs ${perAddress.toFixed(1)} ms per address on this chain (${z.chain.head} blocks), a block scan ` +
    `${s(block)} s whatever the number of addresses, so per-address is cheaper below about ${int(n)} addresses ` +
    `(from the ${int(z.chain.addresses)}-address runs; the chain length, not the size, sets the block scan's cost).`
  );
}

const pct = (x) => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);

/** The deposit-detection section: precision and recall per level, counts per kind, the venue-beside check. */
/** The ingest lines of an analysis result (bench/analysis.mjs), also all that `--only ingest` prints. */
export function renderIngest(a) {
  // CPU time and bytes written beside the rate (older results have neither): on a shared machine the wall
  // clock counts other processes too, the bytes written do not.
  const extra = (r) =>
    [r.cpuMs === undefined ? null : `CPU ${(r.cpuMs / 1000).toFixed(2)} s`, r.writtenMiB == null ? null : `${int(r.writtenMiB)} MiB written`]
      .filter(Boolean).join(', ');
  const more = (r) => (extra(r) ? ` (${extra(r)})` : '');
  const lines = [`- ingest through Store.commit (batches of ${int(a.ingestStore.batch)}): ${int(a.ingestStore.perSecond)} transfers/s${more(a.ingestStore)}`];
  if (a.ingestRaw) {
    lines.push(`- ingest raw (the store's tables without the Store: ids from memory, 100k-row transactions): ${int(a.ingestRaw.perSecond)} transfers/s${more(a.ingestRaw)}`);
  }
  if (a.ingestRawBare) {
    lines.push(`- ingest raw into the same tables without any index (ids from memory, batches of ${int(a.ingestStore.batch)}, 100 rows per statement: the ceiling for these rows without the indexes the reads need): ${int(a.ingestRawBare.perSecond)} transfers/s${more(a.ingestRawBare)}`);
  }
  if (a.ingestRawText) {
    lines.push(`- ingest raw into the schema before integer ids (text columns, WITHOUT ROWID; for comparison): ${int(a.ingestRawText.perSecond)} transfers/s`);
  }
  return lines;
}

export function renderDeposits(d) {
  const lines = [];
  lines.push(
    `**Deposit detection** (generated chain, scale ${d.scale}${d.seed ? `, seed ${d.seed}` : ''}: ${int(d.chain.addresses)} addresses, ${int(d.chain.transactions)} transactions, ` +
      `${d.deposits} true deposit addresses, ${d.decoys} decoys; one ${d.chain.hops}-hop trace from the seeds through runTrace: ` +
      `${s(d.trace.wallMs)} s, ${int(d.trace.rpcCalls)} RPC calls, ${d.trace.sweepLookups} sweep lookups, ${d.claims} addresses claimed as deposit addresses):`,
    '',
  );
  lines.push('| confidence | claims | true | false | missed | precision | recall |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const [name, l] of Object.entries(d.levels)) {
    lines.push(`| ${name} | ${l.tp + l.fp} | ${l.tp} | ${l.fp} | ${l.fn} | ${pct(l.precision)} | ${pct(l.recall)} |`);
  }
  lines.push('', '| kind | truth | n | high | medium | low | not claimed | TP / FP / FN |', '|---|---|---:|---:|---:|---:|---:|---|');
  const order = Object.entries(d.kinds).sort(([, a], [, b]) => (a.truth === b.truth ? 0 : a.truth === 'deposit' ? -1 : 1));
  for (const [kind, k] of order) {
    lines.push(`| ${kind} | ${k.truth} | ${k.n} | ${k.high} | ${k.medium} | ${k.low} | ${k.none} | ${k.tp} / ${k.fp} / ${k.fn} |`);
  }
  const b = d.beside;
  lines.push(
    '',
    `Decoys that forward everything into a labelled venue within the trace's hops: ${b.checked}; claimed as deposit addresses ${b.claimed}, ` +
      `of which ${b.withoutVenue} without a hit for the labelled venue they paid (${b.beyondHops} more lie at the last hop, their venue beyond the walk).`,
  );
  return lines;
}

function depositTargets(d) {
  const t = d.targets;
  const met = (x) => (x.met ? 'met' : 'missed');
  return [
    `deposit detection at \`high\`: precision ${pct(t.highPrecision.value)} (goal ≥ 95 %) — ${met(t.highPrecision)}; recall ${pct(t.highRecall.value)} (goal ≥ 80 %) — ${met(t.highRecall)}`,
    `no decoy that forwards everything into a labelled venue claimed without that venue as a hit: ${t.venueBeside.value} of ${d.beside.claimed} claimed without it — ${met(t.venueBeside)}`,
  ];
}

function targets(res) {
  const out = [];
  if (res.deposits) out.push(...depositTargets(res.deposits));
  const worst = res.sizes.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  out.push(
    `trace within 1.2× of the floor: ${res.sizes.map((z) => `${z.ratio.toFixed(2)}× at ${int(z.chain.addresses)}`).join(', ')} — ${worst.ratio <= 1.2 ? 'met' : `missed by ${((worst.ratio / 1.2 - 1) * 100).toFixed(0)} % at ${int(worst.chain.addresses)}`}`,
  );
  const priced = res.sizes.filter((z) => z.creditRatio !== undefined);
  if (priced.length > 0) {
    const dearest = priced.reduce((a, b) => (b.creditRatio > a.creditRatio ? b : a));
    out.push(
      `credits within 1.3× of the floor's (${res.priceTable.provider} ${res.priceTable.unit}, table read ${res.priceTable.read}): ` +
        `${priced.map((z) => `${z.creditRatio.toFixed(2)}× at ${int(z.chain.addresses)} (${credits(z.runs.trace)} / ${int(z.floorCredits)})`).join(', ')} — ` +
        `${dearest.creditRatio <= 1.3 ? 'met' : `missed by ${((dearest.creditRatio / 1.3 - 1) * 100).toFixed(0)} % at ${int(dearest.chain.addresses)}`}`,
    );
  }
  const maxShare = Math.max(...res.sizes.map((z) => z.cachedCallShare));
  out.push(`second run ≤ 2 % of the first run's calls: worst ${(maxShare * 100).toFixed(2)} % — ${maxShare <= 0.02 ? 'met' : 'missed'}`);
  const a = res.analysis;
  out.push(
    `ingest ≥ 250,000 transfers/s (through Store.commit): ${int(a.ingestStore.perSecond)}/s — ${a.ingestStore.perSecond >= 250_000 ? 'met' : `missed, ${(250_000 / a.ingestStore.perSecond).toFixed(1)}× short (raw SQLite ${int(a.ingestRaw.perSecond)}/s)`}`,
  );
  out.push(
    `analysis of ${int(a.edges)} edges < 10 s and < 2 GiB: ${s(a.analysisMs)} s, ${a.peakRssMiB} MiB — ${a.analysisMs < 10_000 && a.peakRssMiB < 2048 ? 'met' : 'missed'}${a.edges < 1_000_000 ? ' (not the 1M-edge size: --quick or --edges)' : ''}`,
  );
  if (res.sizes.length > 1) {
    const per = res.sizes.map((z) => `${(z.msPerDiscovered * 1000).toFixed(0)} ms per 1k transfers at ${int(z.chain.addresses)}`);
    const first = res.sizes[0];
    const last = res.sizes[res.sizes.length - 1];
    const growth = last.msPerDiscovered / first.msPerDiscovered;
    out.push(
      `linear in transfers: ${per.join(', ')} — the cost per transfer ${growth <= 1.2 ? 'does not grow' : `grows ${growth.toFixed(1)}×`} from the smallest to the largest size (${growth <= 1.2 ? 'met' : 'missed'})`,
    );
  }
  return out;
}
