pragma circom 2.2.3;

include "circomlib/circuits/poseidon.circom";

// accountLeaf = H(publicKeyX, publicKeyY, owner, collateral, mode, positionsHash, ordersRoot) with
// positionsHash = H(word_0, …, word_{M−1}), word_m = (size_m + 2^40)·2^64 + (fundingIndexAtLastSettle_m + 2^63)
// (docs/protocol.md §2.2).
//
// NOTE: the packing is injective only for |size| ≤ 2^40 and |fundingIndexAtLastSettle| ≤ 2^63: the caller must
// range-check sizes (41-bit signed) and funding indices (64-bit signed) it did not take from a trusted source.
template ComputeAccountLeaf(M) {
    assert(M >= 1 && M <= 16);
    signal input publicKey[2];                // the L2 key (x, y)
    signal input owner;                       // L1 address as an integer
    signal input collateral;                  // signed quote balance (field element)
    signal input mode;                        // 0 = cross, 1 + m = isolated to market m
    signal input size[M];                     // signed position sizes in lots
    signal input fundingIndexAtLastSettle[M]; // signed funding index at the last settlement
    signal input ordersRoot;                  // root of the account's order-slot tree
    signal output positionsHash;              // H(word_0, …, word_{M−1})
    signal output leaf;                       // the account leaf

    signal words[M];
    for (var m = 0; m < M; m++) {
        words[m] <== (size[m] + (1 << 40)) * (1 << 64) + fundingIndexAtLastSettle[m] + (1 << 63);
    }
    positionsHash <== Poseidon(M)(words);
    leaf <== Poseidon(7)([publicKey[0], publicKey[1], owner, collateral, mode, positionsHash, ordersRoot]);
}
