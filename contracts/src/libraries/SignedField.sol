// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice Signed integers as BN254 field elements (negative x is p − |x|) and the position word of §2.2.
library SignedField {
    uint256 internal constant FIELD_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @dev `x mod p` for |x| < p.
    function toField(int256 x) internal pure returns (uint256) {
        return x >= 0 ? uint256(x) : FIELD_MODULUS - uint256(-x);
    }

    /// @notice `word = (size + 2^40) · 2^64 + (fundingIndexAtLastSettle + 2^63)`; the caller checks the bounds.
    function positionWord(int256 size, int256 fundingIndexAtLastSettle) internal pure returns (uint256) {
        return (uint256(size + (1 << 40)) << 64) + uint256(fundingIndexAtLastSettle + (1 << 63));
    }

    /// @notice Whether |x| < 2^bits.
    function fitsSigned(int256 x, uint256 bits) internal pure returns (bool) {
        int256 bound = int256(1 << bits);
        return x > -bound && x < bound;
    }
}
