// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice The generated Groth16 verifier of the batch circuit (snarkjs template shape, one public input: the
/// batch commitment). It returns false on an invalid proof; the caller reverts.
interface IBatchVerifier {
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[1] calldata publicInputs
    ) external view returns (bool);
}
