pragma circom 2.2.3;

include "../lib/ComputeQuaternaryMerkleRoot.circom";

// Statement: given public `root` and `leaf`, the prover knows an `index` < 4^DEPTH and `siblings` such that the
// quaternary Poseidon Merkle path from `leaf` at `index` reaches `root`.
//
// The toolchain smoke circuit: it runs through compile, dev setup, prove, verify in TS, the generated Solidity
// verifier under forge and on anvil. Two public inputs (rather than one hash of both) so the verifier, the fixture
// and the tamper tests cover more than one public signal, and because the exodus exit needs both values on L1.
//
// NOTE: the caller must check that `root` is a root it trusts and that `leaf` is the hash of the preimage it
// cares about; the index stays private, so this proves membership, not position.
template MerkleMembership(DEPTH) {
    signal input root;               // public: the tree root the membership is claimed against
    signal input leaf;               // public: the leaf value claimed to be in the tree
    signal input index;              // private: the leaf position, 0 <= index < 4^DEPTH
    signal input siblings[DEPTH][3]; // private: per level from the leaves up, the three other children in order

    signal computedRoot <== ComputeQuaternaryMerkleRoot(DEPTH)(leaf, index, siblings);
    computedRoot === root;
}
