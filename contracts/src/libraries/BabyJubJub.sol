// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice The twisted Edwards curve BabyJubJub over the BN254 scalar field (circomlib parameters).
library BabyJubJub {
    /// @dev The BN254 scalar field modulus p (= BabyJubJub base field).
    uint256 internal constant FIELD_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant A = 168700;
    uint256 internal constant D = 168696;

    /// @notice Whether (x, y) are canonical field elements with `a·x² + y² = 1 + d·x²·y²`.
    function isOnCurve(uint256 x, uint256 y) internal pure returns (bool) {
        if (x >= FIELD_MODULUS || y >= FIELD_MODULUS) return false;
        uint256 xx = mulmod(x, x, FIELD_MODULUS);
        uint256 yy = mulmod(y, y, FIELD_MODULUS);
        uint256 left = addmod(mulmod(A, xx, FIELD_MODULUS), yy, FIELD_MODULUS);
        uint256 right = addmod(1, mulmod(D, mulmod(xx, yy, FIELD_MODULUS), FIELD_MODULUS), FIELD_MODULUS);
        return left == right;
    }

    /// @notice circomlibjs `babyJub.packPoint`: y as 32 little-endian bytes, bit 7 of the last byte set when x is
    /// "negative" (x > (p − 1) / 2).
    function pack(uint256 x, uint256 y) internal pure returns (bytes32 packed) {
        uint256 v = y;
        // Byte reversal of a 256-bit word.
        v = ((v & 0x00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF) << 8)
            | ((v >> 8) & 0x00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF);
        v = ((v & 0x0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF) << 16)
            | ((v >> 16) & 0x0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF);
        v = ((v & 0x00000000FFFFFFFF00000000FFFFFFFF00000000FFFFFFFF00000000FFFFFFFF) << 32)
            | ((v >> 32) & 0x00000000FFFFFFFF00000000FFFFFFFF00000000FFFFFFFF00000000FFFFFFFF);
        v = ((v & 0x0000000000000000FFFFFFFFFFFFFFFF0000000000000000FFFFFFFFFFFFFFFF) << 64)
            | ((v >> 64) & 0x0000000000000000FFFFFFFFFFFFFFFF0000000000000000FFFFFFFFFFFFFFFF);
        v = (v << 128) | (v >> 128);
        if (x > FIELD_MODULUS >> 1) v |= 0x80;
        packed = bytes32(v);
    }
}
