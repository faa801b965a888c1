// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {TestBase} from "../base/TestBase.sol";
import {MembershipVerifier} from "../../src/verifiers/MembershipVerifier.sol";

/// @notice The generated verifier of the smoke circuit MerkleMembership(4) against the committed TS fixture
/// (contracts/test/fixtures/membership.json, written by scripts/smoke/generateFixtures.ts).
contract MembershipVerifierTest is TestBase {
    /// @dev BN254 scalar field modulus: public inputs must be below it.
    uint256 internal constant SCALAR_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    struct Groth16Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
    }

    MembershipVerifier internal verifier;
    string internal fixture;

    function setUp() public override {
        verifier = new MembershipVerifier();
        fixture = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/fixtures/membership.json"));
    }

    function test_verifyProof_AcceptsFixtureProof() public view {
        assertTrue(_verify(_readProof(".proof"), _readPair(".publicInputs")), "fixture proof rejected");
    }

    function test_verifyProof_RejectsTamperedProof() public view {
        assertFalse(_verify(_readProof(".tampered.proof"), _readPair(".publicInputs")), "tampered proof accepted");
    }

    function test_verifyProof_RejectsTamperedPublicInput() public view {
        assertFalse(_verify(_readProof(".proof"), _readPair(".tampered.publicInputs")), "tampered input accepted");
    }

    function test_verifyProof_RejectsSwappedPublicInputs() public view {
        uint256[2] memory inputs = _readPair(".publicInputs");
        (inputs[0], inputs[1]) = (inputs[1], inputs[0]);
        assertFalse(_verify(_readProof(".proof"), inputs), "swapped inputs accepted");
    }

    /// @notice leaf + r is the same field element; the verifier must refuse the alias, not reduce it.
    function test_verifyProof_RejectsPublicInputPlusFieldModulus() public view {
        uint256[2] memory inputs = _readPair(".publicInputs");
        inputs[1] += SCALAR_MODULUS;
        assertFalse(_verify(_readProof(".proof"), inputs), "aliased input accepted");
    }

    function testFuzz_verifyProof_RejectsAnyOtherLeaf(uint256 leaf) public view {
        uint256[2] memory inputs = _readPair(".publicInputs");
        vm.assume(leaf != inputs[1]);
        inputs[1] = leaf;
        assertFalse(_verify(_readProof(".proof"), inputs), "other leaf accepted");
    }

    function _verify(Groth16Proof memory proof, uint256[2] memory inputs) internal view returns (bool) {
        return verifier.verifyProof(proof.a, proof.b, proof.c, inputs);
    }

    function _readProof(string memory key) internal view returns (Groth16Proof memory proof) {
        proof.a = _readPair(string.concat(key, ".a"));
        proof.b[0] = _readPair(string.concat(key, ".b[0]"));
        proof.b[1] = _readPair(string.concat(key, ".b[1]"));
        proof.c = _readPair(string.concat(key, ".c"));
    }

    function _readPair(string memory key) internal view returns (uint256[2] memory pair) {
        uint256[] memory values = vm.parseJsonUintArray(fixture, key);
        assertEq(values.length, 2, key);
        pair[0] = values[0];
        pair[1] = values[1];
    }
}
