pragma circom 2.2.3;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/poseidon.circom";
include "./ComputeQuaternaryChildren.circom";

// The root of a sparse quaternary Poseidon Merkle tree of DEPTH levels reached from `leaf` at `index`.
//
// Tree convention (shared with the TS reference and the sdk): node = Poseidon(c0, c1, c2, c3) with circomlib's
// parameters; empty leaf = 0; empty subtree hashes E0 = 0, E(k+1) = Poseidon(Ek, Ek, Ek, Ek). The index is written
// in base 4 and its least significant digit selects the child at the bottom level (level 0 = leaves).
//
// NOTE: the caller must compare `root` with the root it trusts (see MerkleMembership); this template only computes.
// `index` is range-checked to [0, 4^DEPTH) by Num2Bits, so one leaf position has exactly one index encoding.
template ComputeQuaternaryMerkleRoot(DEPTH) {
    assert(DEPTH >= 1);
    // 2*DEPTH index bits must stay far below the field size for Num2Bits to be a sound range check.
    assert(2 * DEPTH <= 252);

    signal input leaf;               // the leaf value (a hash of the leaf preimage; 0 for an empty leaf)
    signal input index;              // the leaf position, 0 <= index < 4^DEPTH
    signal input siblings[DEPTH][3]; // per level from the leaves up: the three other children, in child order
    signal output root;              // the tree root computed from the path

    // Path digits: digit at level l = bits[2l] + 2*bits[2l+1], each in 0..3 because the bits are boolean.
    signal indexBits[2 * DEPTH] <== Num2Bits(2 * DEPTH)(index);

    signal nodes[DEPTH + 1];
    signal children[DEPTH][4];
    nodes[0] <== leaf;
    for (var level = 0; level < DEPTH; level++) {
        children[level] <== ComputeQuaternaryChildren()(
            nodes[level],
            siblings[level],
            [indexBits[2 * level], indexBits[2 * level + 1]]
        );
        nodes[level + 1] <== Poseidon(4)(children[level]);
    }
    root <== nodes[DEPTH];
}
