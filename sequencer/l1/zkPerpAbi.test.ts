import { describe, expect, it } from 'vitest'
import { type AbiFunction, type AbiParameter, toFunctionSelector } from 'viem'
import { readArtifact } from '../../scripts/chain/deploy.ts'
import { zkPerpAbi } from './zkPerpAbi.ts'

type Parameter = AbiParameter & { readonly indexed?: boolean }
type Item = { readonly type: string; readonly name?: string; readonly inputs?: readonly Parameter[]; readonly outputs?: readonly Parameter[]; readonly stateMutability?: string }

/** Full type of a parameter (tuples spelled out), its name (the code reads event args by name) and indexed flag. */
function describeParameter(parameter: Parameter): string {
  const components = 'components' in parameter ? `(${(parameter.components as readonly Parameter[]).map(describeParameter).join(',')})` : ''
  return `${parameter.type}${components}${parameter.indexed === true ? ' indexed' : ''} ${parameter.name ?? ''}`
}

/** Two items are the same interface iff these strings are equal. */
function describeItem(item: Item): string {
  const inputs = (item.inputs ?? []).map(describeParameter).join(', ')
  const outputs = item.type === 'function' ? ` -> (${(item.outputs ?? []).map((output) => output.type).join(',')}) ${item.stateMutability}` : ''
  return `${item.type} ${item.name}(${inputs})${outputs}`
}

describe('zkPerpAbi', () => {
  const artifact = readArtifact('ZkPerp').abi

  it('behavior: every function and event matches the compiled contract exactly', () => {
    const compiled = new Set(artifact.map((item) => describeItem(item as Item)))
    for (const item of zkPerpAbi) {
      if (item.type === 'error') continue
      expect(compiled.has(describeItem(item as Item)), describeItem(item as Item)).toBe(true)
    }
  })

  it('behavior: holds every custom error of the contract, so any revert decodes', () => {
    const ours = zkPerpAbi.filter((item) => item.type === 'error').map((item) => describeItem(item as Item)).sort()
    const theirs = artifact.filter((item) => item.type === 'error').map((item) => describeItem(item as Item)).sort()
    expect(ours).toEqual(theirs)
  })

  it('behavior: submitBatch has the selector the contract dispatches on', () => {
    const compiled = artifact.find((item) => item.type === 'function' && item.name === 'submitBatch') as AbiFunction | undefined
    const ours = zkPerpAbi.find((item) => item.type === 'function' && item.name === 'submitBatch') as AbiFunction | undefined
    expect(compiled).toBeDefined()
    expect(toFunctionSelector(ours!)).toBe(toFunctionSelector(compiled!))
  })
})
