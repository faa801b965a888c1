pragma circom 2.2.3;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/poseidon.circom";
include "./ComputeQuaternaryChildren.circom";

// One leaf write in a sparse quaternary Poseidon Merkle tree (docs/protocol.md §2.1): the old leaf and the new leaf
// share one path (`index`, `siblings`), so proving that `oldLeaf` sits at `index` under `oldRoot` and computing
// `newRoot` from `newLeaf` on the same siblings is exactly "replace the leaf at index, touch nothing else".
//
// With `enabled` = 0 nothing is proven and newRoot = oldRoot (a universal slot that does not use this write).
//
// NOTE: `enabled` must be boolean. `index` is range-checked to [0, 4^DEPTH), so a position has one encoding.
template ComputeQuaternaryMerkleUpdate(DEPTH) {
    assert(DEPTH >= 1 && 2 * DEPTH <= 252);
    signal input enabled;            // boolean: 1 = perform the write
    signal input oldRoot;            // the root before the write (checked when enabled)
    signal input oldLeaf;            // the leaf at index before the write (0 = empty)
    signal input newLeaf;            // the leaf written
    signal input index;              // the leaf position, 0 <= index < 4^DEPTH
    signal input siblings[DEPTH][3]; // per level from the leaves up: the three other children, in child order
    signal output newRoot;           // the root after the write (= oldRoot when disabled)

    signal indexBits[2 * DEPTH] <== Num2Bits(2 * DEPTH)(index);

    signal oldNodes[DEPTH + 1];
    signal newNodes[DEPTH + 1];
    oldNodes[0] <== oldLeaf;
    newNodes[0] <== newLeaf;
    for (var level = 0; level < DEPTH; level++) {
        oldNodes[level + 1] <== Poseidon(4)(
            ComputeQuaternaryChildren()(oldNodes[level], siblings[level], [indexBits[2 * level], indexBits[2 * level + 1]])
        );
        newNodes[level + 1] <== Poseidon(4)(
            ComputeQuaternaryChildren()(newNodes[level], siblings[level], [indexBits[2 * level], indexBits[2 * level + 1]])
        );
    }
    enabled * (oldNodes[DEPTH] - oldRoot) === 0;
    newRoot <== oldRoot + enabled * (newNodes[DEPTH] - oldRoot);
}
