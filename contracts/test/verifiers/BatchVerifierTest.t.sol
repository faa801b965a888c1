// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {TestBase} from "../base/TestBase.sol";
import {BatchVerifierTest} from "../../src/verifiers/BatchVerifierTest.sol";

/// @notice The generated verifier of BatchStateTransition at the `test` size against the committed real proofs
/// (contracts/test/fixtures/batchTest.json, written by scripts/circuit/generateBatchFixtures.ts).
contract BatchVerifierTestTest is TestBase {
    /// @dev BN254 scalar field modulus: public inputs must be below it.
    uint256 internal constant SCALAR_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @dev BN254 base field modulus: negating a point's y keeps it on the curve.
    uint256 internal constant BASE_MODULUS =
        21888242871839275222246405745257275088696311157297823662689037894645226208583;

    struct Groth16Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
    }

    BatchVerifierTest internal verifier;
    string internal fixture;

    function setUp() public override {
        verifier = new BatchVerifierTest();
        fixture = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/fixtures/batchTest.json"));
    }

    function test_verifyProof_AcceptsEveryFixtureBatch() public view {
        for (uint256 batch = 1; batch <= 2; ++batch) {
            assertTrue(_verify(_proof(batch), _commitment(batch)), "fixture proof rejected");
        }
    }

    function test_verifyProof_RejectsTamperedCommitment() public view {
        assertFalse(_verify(_proof(1), _commitment(1) ^ 1), "commitment with a flipped bit accepted");
        assertFalse(_verify(_proof(2), _commitment(2) + 1), "commitment + 1 accepted");
    }

    function test_verifyProof_RejectsAnotherBatchsCommitment() public view {
        assertFalse(_verify(_proof(1), _commitment(2)), "batch 1 proof accepted for batch 2");
        assertFalse(_verify(_proof(2), _commitment(1)), "batch 2 proof accepted for batch 1");
    }

    /// @notice commitment + r is the same field element; the verifier must refuse the alias, not reduce it.
    function test_verifyProof_RejectsCommitmentPlusFieldModulus() public view {
        assertFalse(_verify(_proof(1), _commitment(1) + SCALAR_MODULUS), "aliased input accepted");
    }

    function test_verifyProof_RejectsNegatedA() public view {
        Groth16Proof memory proof = _proof(1);
        proof.a[1] = BASE_MODULUS - proof.a[1];
        assertFalse(_verify(proof, _commitment(1)), "negated A accepted");
    }

    function testFuzz_verifyProof_RejectsAnyOtherCommitment(uint256 commitment) public view {
        vm.assume(commitment != _commitment(1));
        assertFalse(_verify(_proof(1), commitment), "other commitment accepted");
    }

    function _verify(Groth16Proof memory proof, uint256 commitment) internal view returns (bool) {
        return verifier.verifyProof(proof.a, proof.b, proof.c, [commitment]);
    }

    function _key(uint256 batch, string memory field) internal pure returns (string memory) {
        return string.concat(".batches[", Strings.toString(batch - 1), "].", field);
    }

    function _commitment(uint256 batch) internal view returns (uint256) {
        return vm.parseJsonUint(fixture, _key(batch, "commitment"));
    }

    function _proof(uint256 batch) internal view returns (Groth16Proof memory proof) {
        proof.a = _pair(_key(batch, "proof.a"));
        proof.b[0] = _pair(_key(batch, "proof.b[0]"));
        proof.b[1] = _pair(_key(batch, "proof.b[1]"));
        proof.c = _pair(_key(batch, "proof.c"));
    }

    function _pair(string memory key) internal view returns (uint256[2] memory pair) {
        uint256[] memory values = vm.parseJsonUintArray(fixture, key);
        assertEq(values.length, 2, key);
        pair[0] = values[0];
        pair[1] = values[1];
    }
}
