/**
 * L2 key derivation (docs/protocol.md §3): the wallet signs a fixed EIP-712 message, and the 32-byte L2 EdDSA private
 * key is keccak256 of the 65 signature bytes. RFC 6979 wallets sign deterministically, so the same wallet always
 * re-derives the same key and the user keeps no second secret.
 */
import { getAddress, hexToBytes, isHex, keccak256, type Hex, type LocalAccount } from 'viem'
import { derivePublicKey } from '../crypto/eddsa.ts'
import { ByteLengthError } from './errors.ts'
import type { PublicKey } from './types.ts'

export const L2_KEY_PURPOSE = 'zkperp L2 key v1'

export const L2_KEY_TYPES = {
  ZkPerpKey: [
    { name: 'purpose', type: 'string' },
    { name: 'chainId', type: 'uint256' },
    { name: 'rollup', type: 'address' },
  ],
} as const

export type L2KeyTypedDataParameters = { readonly chainId: bigint; readonly rollupAddress: Hex }

/** The EIP-712 typed data the wallet signs: domain `{ name: 'zkperp', version: '1' }`, type `ZkPerpKey`. */
export function l2KeyTypedData({ chainId, rollupAddress }: L2KeyTypedDataParameters) {
  return {
    domain: { name: 'zkperp', version: '1' },
    types: L2_KEY_TYPES,
    primaryType: 'ZkPerpKey',
    // The encoding ignores letter case; normalising spares callers viem's checksum check on mixed-case input.
    message: { purpose: L2_KEY_PURPOSE, chainId, rollup: getAddress(rollupAddress.toLowerCase()) },
  } as const
}

/**
 * keccak256 of the 65-byte wallet signature r ‖ s ‖ v. A `v` of 0 or 1 (some wallets' recovery id) is normalised
 * to 27 or 28 first, so the same signature always gives the same key. Throws BYTE_LENGTH_INVALID for another length.
 */
export function deriveL2PrivateKey(walletSignature: Hex): Uint8Array {
  if (!isHex(walletSignature, { strict: true })) throw new ByteLengthError('wallet signature (not hex)', String(walletSignature).length, 65)
  const bytes = hexToBytes(walletSignature)
  if (bytes.length !== 65) throw new ByteLengthError('wallet signature', bytes.length, 65)
  if (bytes[64]! < 27) bytes[64] = bytes[64]! + 27
  return hexToBytes(keccak256(bytes))
}

export type DeriveL2KeyParameters = {
  /** Any account that signs EIP-712 typed data (a viem LocalAccount, e.g. `privateKeyToAccount`). */
  readonly account: Pick<LocalAccount, 'signTypedData'>
  readonly chainId: bigint
  readonly rollupAddress: Hex
}

export type DeriveL2KeyReturnType = { readonly privateKey: Uint8Array; readonly publicKey: PublicKey }

export async function deriveL2Key({ account, chainId, rollupAddress }: DeriveL2KeyParameters): Promise<DeriveL2KeyReturnType> {
  const walletSignature = await account.signTypedData(l2KeyTypedData({ chainId, rollupAddress }))
  const privateKey = deriveL2PrivateKey(walletSignature)
  return { privateKey, publicKey: derivePublicKey(privateKey) }
}
