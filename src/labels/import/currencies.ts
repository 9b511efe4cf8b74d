/**
 * Currency and network codes of the exchange formats (GraphSense TagPack `currency` / `network`, the OFAC
 * "Digital Currency Address - XXX" feature types) mapped to hoptrace label chains. Only EVM chains are
 * here: any other code (XBT, BTC, TRX, XMR, …) names a chain hoptrace does not trace, and its entries
 * are skipped and counted, not refused.
 */
const CHAIN_BY_CODE: ReadonlyMap<string, string> = new Map([
  ['ETH', 'ethereum'],
  ['ETHEREUM', 'ethereum'],
  ['BSC', 'bsc'],
  ['BNB', 'bsc'],
  ['POLYGON', 'polygon'],
  ['MATIC', 'polygon'],
  ['POL', 'polygon'],
  ['ARB', 'arbitrum'],
  ['ARBITRUM', 'arbitrum'],
  ['OP', 'optimism'],
  ['OPTIMISM', 'optimism'],
  ['AVAX', 'avalanche'],
  ['AVALANCHE', 'avalanche'],
  ['FTM', 'fantom'],
  ['FANTOM', 'fantom'],
  ['BASE', 'base'],
  ['GNOSIS', 'gnosis'],
  ['XDAI', 'gnosis'],
  ['ETC', 'ethereum-classic'],
]);

/**
 * Stablecoin codes that name a token, not a chain. OFAC writes "Digital Currency Address - USDT" for
 * both Tron (`T…`) and Ethereum (`0x…`) addresses; a `0x` one is taken as Ethereum, where these tokens
 * were first issued, and the rest are skipped as non-EVM.
 */
const TOKEN_CODES: ReadonlySet<string> = new Set(['USDT', 'USDC']);

/**
 * The label chain of a currency or network code for an address, or null when the code is not an EVM
 * chain (or a token code with a non-`0x` address).
 *
 * @example evmChainOf('BSC', '0x…') // 'bsc'
 * @example evmChainOf('USDT', 'TXyz…') // null
 */
export function evmChainOf(code: string, address: string): string | null {
  const c = code.trim().toUpperCase();
  const chain = CHAIN_BY_CODE.get(c);
  if (chain !== undefined) return chain;
  if (TOKEN_CODES.has(c) && /^0x/i.test(address.trim())) return 'ethereum';
  return null;
}
