// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBatchVerifier} from "../../src/interfaces/IBatchVerifier.sol";

/// @notice TEST DOUBLE, never deployed outside forge tests: stands in for the batch circuit's Groth16 verifier,
/// which does not exist yet. It accepts exactly one (public input, proof tag) pair the test configures, so a
/// batch whose recomputed commitment differs by one bit (swapped pubdata byte, another old root, another
/// timestamp) or whose proof differs is rejected, as the real verifier would reject it.
contract CommitmentCheckingVerifierDouble is IBatchVerifier {
    uint256 public expectedCommitment;
    uint256 public expectedProofTag;
    uint256 public calls;

    function expect(uint256 commitment, uint256 proofTag) external {
        expectedCommitment = commitment;
        expectedProofTag = proofTag;
    }

    function verifyProof(uint256[2] calldata a, uint256[2][2] calldata, uint256[2] calldata, uint256[1] calldata input)
        external
        view
        returns (bool)
    {
        return input[0] == expectedCommitment && a[0] == expectedProofTag;
    }
}
