// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/// @notice Calls a circomlibjs-generated Poseidon contract (`poseidon(uint256[n]) returns (uint256)`).
library Poseidon {
    error PoseidonHashFailed(address hasher, uint256 arity);

    /// @notice Poseidon of `inputs` through `hasher`, a contract generated for exactly `inputs.length` inputs.
    /// @dev The static-array argument is the array's words, so the calldata is built in place: the selector is
    /// written over the tail of the length word and the length is restored after the call.
    function hash(address hasher, uint256[] memory inputs) internal view returns (uint256 result) {
        uint256 arity = inputs.length;
        bytes4 selector = bytes4(keccak256(abi.encodePacked("poseidon(uint256[", Strings.toString(arity), "])")));
        bool ok;
        assembly ("memory-safe") {
            mstore(inputs, shr(224, selector))
            ok := staticcall(gas(), hasher, add(inputs, 28), add(4, mul(32, arity)), 0, 32)
            ok := and(ok, eq(returndatasize(), 32))
            result := mload(0)
            mstore(inputs, arity)
        }
        if (!ok) revert PoseidonHashFailed(hasher, arity);
    }

    function hash2(address hasher, uint256 a, uint256 b) internal view returns (uint256) {
        uint256[] memory inputs = new uint256[](2);
        inputs[0] = a;
        inputs[1] = b;
        return hash(hasher, inputs);
    }
}
