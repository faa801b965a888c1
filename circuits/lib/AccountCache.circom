pragma circom 2.2.3;

include "circomlib/circuits/bitify.circom";
include "./ComputeAccountLeaf.circom";
include "./ComputeQuaternaryMerkleUpdate.circom";
include "./RequireNonNegativeIfEnabled.circom";
include "./RequireSignedRange.circom";

// The batch account cache (circuits/STATEMENTS.md, "Account cache"). Every account a batch touches is opened from
// the accounts tree once, as one of K entries; slots read and write entries by one-hot selection, and after the
// last slot every entry is written back with one Merkle update. A slot then pays K-wide selections instead of a
// Merkle path and two leaf hashes per account write.
//
// An entry is F = 8 + 2M field elements:
//   0 index, 1 isEmpty, 2 publicKeyX, 3 publicKeyY, 4 owner, 5 collateral, 6 mode,
//   7 … 6+M sizes, 7+M … 6+2M fundingIndexAtLastSettle, 7+2M ordersRoot.
// An empty entry (isEmpty = 1) stands for leaf 0; its other fields are ignored.
function ACCOUNT_CACHE_FIELDS(M) {
    return 8 + 2 * M;
}

// The entry `select` picks (all zero when `enabled` = 0: then `value` is all zero).
// NOTE: `enabled` boolean.
template ReadAccountCache(K, F) {
    signal input enabled;            // boolean: 1 = exactly one entry is selected
    signal input select[K];          // one-hot when enabled, all zero otherwise
    signal input entries[K][F];      // the cache before this access
    signal output value[F];          // the selected entry

    var count = 0;
    for (var k = 0; k < K; k++) {
        select[k] * (select[k] - 1) === 0;
        count += select[k];
    }
    count === enabled;
    signal terms[K][F];
    for (var f = 0; f < F; f++) {
        var sum = 0;
        for (var k = 0; k < K; k++) {
            terms[k][f] <== select[k] * entries[k][f];
            sum += terms[k][f];
        }
        value[f] <== sum;
    }
}

// Replace fields 1 … F−1 of the selected entry (`read` is its current value, from ReadAccountCache with the same
// `select`) by `written`; the index (field 0) never changes. With no entry selected the cache passes through.
template WriteAccountCache(K, F) {
    signal input select[K];          // as given to ReadAccountCache (boolean, at most one 1)
    signal input entries[K][F];      // the cache before the write
    signal input read[F];            // the selected entry before the write
    signal input written[F];         // its new value (field 0 ignored)
    signal output entriesOut[K][F];  // the cache after

    signal changes[K][F];
    for (var k = 0; k < K; k++) {
        entriesOut[k][0] <== entries[k][0];
        for (var f = 1; f < F; f++) {
            changes[k][f] <== select[k] * (written[f] - read[f]);
            entriesOut[k][f] <== entries[k][f] + changes[k][f];
        }
    }
}

// Opens every entry from the accounts tree and writes it back: entry k's `initial` value is the leaf at its index
// under the root before the batch, and its `final` value replaces it. Indices strictly increase, so the K entries
// are K distinct accounts and each entry's leaf under the running root is still its leaf before the batch.
//
// Range checks on `initial`: isEmpty boolean, sizes 41-bit and funding indices 64-bit signed, so the position
// words of the opened leaf have one preimage. `final` values were written by slots from range-checked values (or
// are `initial`).
template CommitAccountCache(K, ACCOUNT_DEPTH, M) {
    var F = ACCOUNT_CACHE_FIELDS(M);
    signal input accountsRootIn;                  // accounts root before the batch
    signal input initial[K][F];                   // the entries as opened
    signal input final[K][F];                     // the entries after the last slot
    signal input siblings[K][ACCOUNT_DEPTH][3];   // entry k's path after entries 0 … k−1 are written back
    signal output accountsRootOut;                // accounts root after the write-back

    component initialLeaves[K];
    component finalLeaves[K];
    signal openedLeaf[K];
    signal writtenLeaf[K];
    signal roots[K + 1];
    roots[0] <== accountsRootIn;
    for (var k = 0; k < K; k++) {
        initial[k][1] * (initial[k][1] - 1) === 0;
        for (var m = 0; m < M; m++) {
            _ <== RequireSignedRange(41)(initial[k][7 + m]);
            _ <== RequireSignedRange(64)(initial[k][7 + M + m]);
        }
        if (k > 0) RequireNonNegativeIfEnabled(2 * ACCOUNT_DEPTH)(1, initial[k][0] - initial[k - 1][0] - 1);

        initialLeaves[k] = ComputeAccountLeaf(M);
        finalLeaves[k] = ComputeAccountLeaf(M);
        initialLeaves[k].publicKey <== [initial[k][2], initial[k][3]];
        finalLeaves[k].publicKey <== [final[k][2], final[k][3]];
        initialLeaves[k].owner <== initial[k][4];
        finalLeaves[k].owner <== final[k][4];
        initialLeaves[k].collateral <== initial[k][5];
        finalLeaves[k].collateral <== final[k][5];
        initialLeaves[k].mode <== initial[k][6];
        finalLeaves[k].mode <== final[k][6];
        for (var m = 0; m < M; m++) {
            initialLeaves[k].size[m] <== initial[k][7 + m];
            finalLeaves[k].size[m] <== final[k][7 + m];
            initialLeaves[k].fundingIndexAtLastSettle[m] <== initial[k][7 + M + m];
            finalLeaves[k].fundingIndexAtLastSettle[m] <== final[k][7 + M + m];
        }
        initialLeaves[k].ordersRoot <== initial[k][7 + 2 * M];
        finalLeaves[k].ordersRoot <== final[k][7 + 2 * M];
        openedLeaf[k] <== (1 - initial[k][1]) * initialLeaves[k].leaf;
        writtenLeaf[k] <== (1 - final[k][1]) * finalLeaves[k].leaf;
        // final[k][0] is initial[k][0]: WriteAccountCache never changes an index.
        roots[k + 1] <== ComputeQuaternaryMerkleUpdate(ACCOUNT_DEPTH)(1, roots[k], openedLeaf[k], writtenLeaf[k], initial[k][0], siblings[k]);
    }
    accountsRootOut <== roots[K];
}
