import { describe, expect, it } from 'vitest'
import type { BuiltCircuit } from './buildCircuit.ts'
import { defaultVerifierName, renameVerifierContract, VerifierNameError } from './setupArtifacts.ts'

const source = '// SPDX\npragma solidity >=0.7.0 <0.9.0;\n\ncontract Groth16Verifier {\n    function verifyProof() public view returns (bool) {}\n}\n'

describe('renameVerifierContract', () => {
  it('behavior: renames only the contract declaration', () => {
    expect(renameVerifierContract(source, 'MembershipVerifier')).toBe(source.replace('contract Groth16Verifier', 'contract MembershipVerifier'))
  })

  it('error: a name that is not a Solidity identifier', () => {
    expect(() => renameVerifierContract(source, 'Bad-Name')).toThrow(VerifierNameError)
    expect(() => renameVerifierContract(source, '9Verifier')).toThrow(VerifierNameError)
  })
})

describe('defaultVerifierName', () => {
  it('behavior: PascalCase of the circuit name plus Verifier', () => {
    const named = (name: string): BuiltCircuit => ({ spec: { name } }) as BuiltCircuit
    expect(defaultVerifierName(named('fixture_chain'))).toBe('FixtureChainVerifier')
    expect(defaultVerifierName(named('batch_test'))).toBe('BatchTestVerifier')
    expect(defaultVerifierName(named('MerkleMembership'))).toBe('MerkleMembershipVerifier')
  })
})
