import type { Chain } from 'viem'

/** A minimal viem chain description for an RPC endpoint and its chain id (anvil, a devnet, or a real network). */
export function chainFor(rpcUrl: string, chainId: number): Chain {
  return {
    id: chainId,
    name: `chain-${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  }
}
