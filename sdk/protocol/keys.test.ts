import { concat, encodeAbiParameters, keccak256, recoverAddress, toBytes, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { derivePublicKey } from '../crypto/eddsa.ts'
import { deriveL2Key, deriveL2PrivateKey, l2KeyTypedData } from './keys.ts'

// Anvil's first default account: a fixed, public test key.
const account = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const chainId = 31337n
const rollupAddress = '0x5FbDB2315678afecb367f032d93F642f64180aa3' as const

/** The §3 EIP-712 digest, assembled by hand from the spec's type string (independent of viem's typed-data code). */
function specDigest(chain: bigint, rollup: `0x${string}`): `0x${string}` {
  const domainTypeHash = keccak256(toBytes('EIP712Domain(string name,string version)'))
  const domainSeparator = keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes32' }],
      [domainTypeHash, keccak256(toBytes('zkperp')), keccak256(toBytes('1'))],
    ),
  )
  const typeHash = keccak256(toBytes('ZkPerpKey(string purpose,uint256 chainId,address rollup)'))
  const structHash = keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }, { type: 'address' }],
      [typeHash, keccak256(toBytes('zkperp L2 key v1')), chain, rollup],
    ),
  )
  return keccak256(concat(['0x1901', domainSeparator, structHash]))
}

describe('deriveL2Key', () => {
  it('default: keccak256 of the wallet’s signature over the §3 EIP-712 message', async () => {
    const { privateKey, publicKey } = await deriveL2Key({ account, chainId, rollupAddress })
    const walletSignature = await account.signTypedData(l2KeyTypedData({ chainId, rollupAddress }))
    expect(await recoverAddress({ hash: specDigest(chainId, rollupAddress), signature: walletSignature })).toBe(account.address)
    expect(toHex(privateKey)).toBe(keccak256(walletSignature))
    expect(privateKey.length).toBe(32)
    expect(publicKey).toEqual(derivePublicKey(privateKey))
  })

  it('behavior: deterministic for a wallet, distinct per chain and per rollup', async () => {
    const first = await deriveL2Key({ account, chainId, rollupAddress })
    const again = await deriveL2Key({ account, chainId, rollupAddress })
    expect(again.privateKey).toEqual(first.privateKey)
    const otherChain = await deriveL2Key({ account, chainId: 1n, rollupAddress })
    const otherRollup = await deriveL2Key({ account, chainId, rollupAddress: '0x5FbDB2315678afecb367f032d93F642f64180aa4' })
    const sameRollupLowercase = await deriveL2Key({ account, chainId, rollupAddress: '0x5fbdb2315678afecb367f032d93f642f64180aa3' })
    expect(sameRollupLowercase.privateKey).toEqual(first.privateKey)
    expect(otherChain.privateKey).not.toEqual(first.privateKey)
    expect(otherRollup.privateKey).not.toEqual(first.privateKey)
  })
})

describe('deriveL2PrivateKey', () => {
  it('behavior: a recovery id of 0/1 gives the same key as v = 27/28', async () => {
    const walletSignature = await account.signTypedData(l2KeyTypedData({ chainId, rollupAddress }))
    const bytes = toBytes(walletSignature)
    const v = bytes[64]!
    expect(v === 27 || v === 28).toBe(true)
    bytes[64] = v - 27
    expect(deriveL2PrivateKey(toHex(bytes))).toEqual(deriveL2PrivateKey(walletSignature))
  })

  it('error: not 65 bytes', () => {
    expect(() => deriveL2PrivateKey(`0x${'11'.repeat(64)}`)).toThrowError(
      expect.objectContaining({ code: 'BYTE_LENGTH_INVALID', details: { what: 'wallet signature', length: 64, expected: 65 } }),
    )
    expect(() => deriveL2PrivateKey('0xzz' as `0x${string}`)).toThrowError(expect.objectContaining({ code: 'BYTE_LENGTH_INVALID' }))
  })
})
