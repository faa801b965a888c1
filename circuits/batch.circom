pragma circom 2.2.3;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/sha256/sha256.circom";
include "./lib/AccountCache.circom";
include "./lib/ApplyAccountChange.circom";
include "./lib/ApplyTransactionSlot.circom";

// Statement (circuits/STATEMENTS.md): given the public `commitment`, the prover knows oldStateRoot, newStateRoot,
// batchTimestamp T, N·32 bytes of pubdata and a witness for each slot such that
//   commitment = sha256(oldStateRoot ‖ newStateRoot ‖ T[8] ‖ pubdata) mod 2^253, and
//   opening K distinct accounts into the account cache, applying the N slots (ApplyTransactionSlot) to the cache and
//   the markets, writing the cache back (CommitAccountCache) and then the end-of-batch credit (fees to account 1, penalties to
//   account 0, each a funding-settling touch) to the state committed by oldStateRoot gives newStateRoot.
// The signing domain H(CHAIN_ID, rollup) is a circuit constant: the rollup address is given as four 40-bit limbs,
// most significant first (template parameters are machine integers).
template BatchStateTransition(N, ACCOUNT_DEPTH, ORDER_DEPTH, M, K, CHAIN_ID, ROLLUP_0, ROLLUP_1, ROLLUP_2, ROLLUP_3) {
    assert(N >= 1 && K >= 1);
    var F = ACCOUNT_CACHE_FIELDS(M);
    signal input oldStateRoot;                 // state root before the batch
    signal input newStateRoot;                 // state root after the batch
    signal input batchTimestamp;               // T, unix seconds < 2^32
    signal input pubdata[N][256];              // N chunks, bit 0 = MSB of byte 0
    signal input accountsRoot;                 // accounts root before the batch
    // Markets before the batch (§2.4), and their fixed parameters.
    signal input oraclePrice[M];
    signal input oracleTime[M];
    signal input fundingIndex[M];
    signal input lastFundingTime[M];
    signal input openInterest[M];
    signal input marketParameters[M][13];      // imf, mmf, fraction, band, penalty, full, backstop, taker, maker, clamp, interval, maxAge, cap
    signal input oracleKey[M][2];
    // Slots.
    signal input txType[N];
    signal input market[N];
    signal input size[N];
    signal input price[N];
    signal input amount[N];
    signal input timestamp[N];
    signal input ratePpm[N];
    signal input address[N];
    signal input takerIsBuy[N];
    signal input isNewAccount[N];
    signal input isNewTarget[N];
    signal input accountIndex[N][2];
    signal input cacheSelect[N][2][K];
    signal input publicKey[N][2][2];
    signal input owner[N][2];
    signal input collateral[N][2];
    signal input mode[N][2];
    signal input positionSize[N][2][M];
    signal input fundingIndexAtLastSettle[N][2][M];
    signal input ordersRoot[N][2];
    signal input orderSize[N][2];
    signal input limitPrice[N][2];
    signal input expiry[N][2];
    signal input reduceOnly[N][2];
    signal input storageId[N][2];
    signal input oldSlotStorageId[N][2];
    signal input oldSlotFilled[N][2];
    signal input slotSiblings[N][2][ORDER_DEPTH][3];
    signal input signatureR8[N][2][2];
    signal input signatureS[N][2];
    signal input publicKeyRoot[N][2][2];
    signal input signatureR8Root[N][2][2];
    // The account cache: K distinct accounts in increasing index order, as opened, and their write-back paths.
    signal input cacheInitial[K][F];
    signal input cacheSiblings[K][ACCOUNT_DEPTH][3];
    // End-of-batch credit: account 1 (fees), then account 0 (penalties).
    signal input creditSiblings[2][ACCOUNT_DEPTH][3];
    signal input creditPublicKey[2][2];
    signal input creditOwner[2];
    signal input creditCollateral[2];
    signal input creditMode[2];
    signal input creditPositionSize[2][M];
    signal input creditFundingIndexAtLastSettle[2][M];
    signal input creditOrdersRoot[2];
    signal output commitment;                  // the single public signal

    // ---- constants: domain and the empty orders root
    signal domain <== Poseidon(2)([CHAIN_ID, ((ROLLUP_0 * (1 << 40) + ROLLUP_1) * (1 << 40) + ROLLUP_2) * (1 << 40) + ROLLUP_3]);
    signal emptyNodes[ORDER_DEPTH + 1];
    emptyNodes[0] <== 0;
    for (var level = 0; level < ORDER_DEPTH; level++) {
        emptyNodes[level + 1] <== Poseidon(4)([emptyNodes[level], emptyNodes[level], emptyNodes[level], emptyNodes[level]]);
    }

    // ---- markets: parameter bounds the slot arithmetic relies on, and the old state root
    signal paramsHash[M];
    signal oracleKeyHash[M];
    for (var m = 0; m < M; m++) {
        for (var k = 0; k < 9; k++) _ <== Num2Bits(14)(marketParameters[m][k]);   // basis points < 2^14
        _ <== Num2Bits(20)(marketParameters[m][9]);                               // funding clamp (ppm)
        _ <== Num2Bits(32)(marketParameters[m][10] - 1);                          // funding interval ≥ 1
        _ <== Num2Bits(32)(marketParameters[m][11]);                              // max oracle age
        _ <== Num2Bits(40)(marketParameters[m][12]);                              // open-interest cap
        oracleKeyHash[m] <== Poseidon(2)(oracleKey[m]);
        paramsHash[m] <== Poseidon(14)([
            marketParameters[m][0], marketParameters[m][1], marketParameters[m][2], marketParameters[m][3],
            marketParameters[m][4], marketParameters[m][5], marketParameters[m][6], marketParameters[m][7],
            marketParameters[m][8], marketParameters[m][9], marketParameters[m][10], marketParameters[m][11],
            marketParameters[m][12], oracleKeyHash[m]
        ]);
    }
    signal oldMarketLeaves[M];
    for (var m = 0; m < M; m++) {
        oldMarketLeaves[m] <== Poseidon(6)([oraclePrice[m], oracleTime[m], fundingIndex[m], lastFundingTime[m], openInterest[m], paramsHash[m]]);
    }
    signal oldMarketsHash <== Poseidon(M)(oldMarketLeaves);
    signal computedOldStateRoot <== Poseidon(2)([accountsRoot, oldMarketsHash]);
    oldStateRoot === computedOldStateRoot;
    _ <== Num2Bits(32)(batchTimestamp);

    // ---- pubdata bits are bits
    for (var i = 0; i < N; i++) {
        for (var b = 0; b < 256; b++) pubdata[i][b] * (pubdata[i][b] - 1) === 0;
    }

    // ---- slots
    component slots[N];
    for (var i = 0; i < N; i++) {
        slots[i] = ApplyTransactionSlot(ACCOUNT_DEPTH, ORDER_DEPTH, M, K);
        if (i == 0) {
            slots[i].cacheIn <== cacheInitial;
            slots[i].oraclePriceIn <== oraclePrice;
            slots[i].oracleTimeIn <== oracleTime;
            slots[i].openInterestIn <== openInterest;
            slots[i].fundingIndexIn <== fundingIndex;
            slots[i].lastFundingTimeIn <== lastFundingTime;
            slots[i].feesIn <== 0;
            slots[i].penaltiesIn <== 0;
            slots[i].isContinuation <== 0;
        } else {
            slots[i].cacheIn <== slots[i - 1].cacheOut;
            slots[i].oraclePriceIn <== slots[i - 1].oraclePriceOut;
            slots[i].oracleTimeIn <== slots[i - 1].oracleTimeOut;
            slots[i].openInterestIn <== slots[i - 1].openInterestOut;
            slots[i].fundingIndexIn <== slots[i - 1].fundingIndexOut;
            slots[i].lastFundingTimeIn <== slots[i - 1].lastFundingTimeOut;
            slots[i].feesIn <== slots[i - 1].feesOut;
            slots[i].penaltiesIn <== slots[i - 1].penaltiesOut;
            slots[i].isContinuation <== slots[i - 1].isTwoChunk;
        }
        slots[i].batchTimestamp <== batchTimestamp;
        slots[i].domain <== domain;
        slots[i].emptyOrdersRoot <== emptyNodes[ORDER_DEPTH];
        for (var m = 0; m < M; m++) {
            slots[i].imfBps[m] <== marketParameters[m][0];
            slots[i].mmfBps[m] <== marketParameters[m][1];
            slots[i].liquidationFractionBps[m] <== marketParameters[m][2];
            slots[i].liquidationBandBps[m] <== marketParameters[m][3];
            slots[i].liquidationPenaltyBps[m] <== marketParameters[m][4];
            slots[i].fullLiquidationBps[m] <== marketParameters[m][5];
            slots[i].backstopBps[m] <== marketParameters[m][6];
            slots[i].takerFeeBps[m] <== marketParameters[m][7];
            slots[i].makerFeeBps[m] <== marketParameters[m][8];
            slots[i].maxOracleAgeSeconds[m] <== marketParameters[m][11];
            slots[i].openInterestCap[m] <== marketParameters[m][12];
            slots[i].fundingClampPpm[m] <== marketParameters[m][9];
            slots[i].fundingIntervalSeconds[m] <== marketParameters[m][10];
        }
        slots[i].oracleKey <== oracleKey;
        slots[i].chunk <== pubdata[i];
        if (i + 1 < N) {
            slots[i].nextChunk <== pubdata[i + 1];
        } else {
            for (var b = 0; b < 256; b++) slots[i].nextChunk[b] <== 0;
        }
        slots[i].txType <== txType[i];
        slots[i].market <== market[i];
        slots[i].size <== size[i];
        slots[i].price <== price[i];
        slots[i].amount <== amount[i];
        slots[i].timestamp <== timestamp[i];
        slots[i].ratePpm <== ratePpm[i];
        slots[i].address <== address[i];
        slots[i].takerIsBuy <== takerIsBuy[i];
        slots[i].isNewAccount <== isNewAccount[i];
        slots[i].isNewTarget <== isNewTarget[i];
        slots[i].accountIndex <== accountIndex[i];
        slots[i].cacheSelect <== cacheSelect[i];
        slots[i].publicKey <== publicKey[i];
        slots[i].owner <== owner[i];
        slots[i].collateral <== collateral[i];
        slots[i].mode <== mode[i];
        slots[i].positionSize <== positionSize[i];
        slots[i].fundingIndexAtLastSettle <== fundingIndexAtLastSettle[i];
        slots[i].ordersRoot <== ordersRoot[i];
        slots[i].orderSize <== orderSize[i];
        slots[i].limitPrice <== limitPrice[i];
        slots[i].expiry <== expiry[i];
        slots[i].reduceOnly <== reduceOnly[i];
        slots[i].storageId <== storageId[i];
        slots[i].oldSlotStorageId <== oldSlotStorageId[i];
        slots[i].oldSlotFilled <== oldSlotFilled[i];
        slots[i].slotSiblings <== slotSiblings[i];
        slots[i].signatureR8 <== signatureR8[i];
        slots[i].signatureS <== signatureS[i];
        slots[i].publicKeyRoot <== publicKeyRoot[i];
        slots[i].signatureR8Root <== signatureR8Root[i];
    }
    slots[N - 1].isTwoChunk === 0;

    // ---- the account cache written back
    signal accountsRootAfterSlots <== CommitAccountCache(K, ACCOUNT_DEPTH, M)(accountsRoot, cacheInitial, slots[N - 1].cacheOut, cacheSiblings);

    // ---- end-of-batch credit: account 1 += fees, then account 0 += penalties
    component credits[2];
    signal creditRoots[3];
    creditRoots[0] <== accountsRootAfterSlots;
    for (var c = 0; c < 2; c++) {
        credits[c] = ApplyAccountChange(ACCOUNT_DEPTH, M);
        credits[c].enabled <== 1;
        credits[c].isOldEmpty <== 0;
        credits[c].isNewEmpty <== 0;
        credits[c].accountsRootIn <== creditRoots[c];
        credits[c].accountIndex <== 1 - c;
        credits[c].accountSiblings <== creditSiblings[c];
        credits[c].publicKey <== creditPublicKey[c];
        credits[c].owner <== creditOwner[c];
        credits[c].collateral <== creditCollateral[c];
        credits[c].mode <== creditMode[c];
        credits[c].size <== creditPositionSize[c];
        credits[c].fundingIndexAtLastSettle <== creditFundingIndexAtLastSettle[c];
        credits[c].ordersRootBefore <== creditOrdersRoot[c];
        credits[c].ordersRootAfter <== creditOrdersRoot[c];
        for (var m = 0; m < M; m++) credits[c].marketSelect[m] <== m == 0 ? 1 : 0;
        if (c == 0) {
            credits[c].deltaCollateral <== slots[N - 1].feesOut;
        } else {
            credits[c].deltaCollateral <== slots[N - 1].penaltiesOut;
        }
        credits[c].deltaSize <== 0;
        for (var m = 0; m < M; m++) credits[c].positionShift[m] <== 0;
        credits[c].fundingIndex <== slots[N - 1].fundingIndexOut;
        credits[c].oraclePrice <== slots[N - 1].oraclePriceOut;
        for (var m = 0; m < M; m++) credits[c].imfBps[m] <== marketParameters[m][0];
        creditRoots[c + 1] <== credits[c].accountsRootOut;
    }

    // ---- new state root
    signal newMarketLeaves[M];
    for (var m = 0; m < M; m++) {
        newMarketLeaves[m] <== Poseidon(6)([
            slots[N - 1].oraclePriceOut[m], slots[N - 1].oracleTimeOut[m], slots[N - 1].fundingIndexOut[m], slots[N - 1].lastFundingTimeOut[m],
            slots[N - 1].openInterestOut[m], paramsHash[m]
        ]);
    }
    signal newMarketsHash <== Poseidon(M)(newMarketLeaves);
    signal computedNewStateRoot <== Poseidon(2)([creditRoots[2], newMarketsHash]);
    newStateRoot === computedNewStateRoot;

    // ---- commitment = sha256(oldStateRoot[32] ‖ newStateRoot[32] ‖ T[8] ‖ pubdata) & (2^253 − 1)
    var HEADER_BITS = 256 + 256 + 64;
    component sha = Sha256(HEADER_BITS + N * 256);
    signal oldRootBits[254] <== Num2Bits_strict()(oldStateRoot);
    signal newRootBits[254] <== Num2Bits_strict()(newStateRoot);
    signal timestampBits[64] <== Num2Bits(64)(batchTimestamp);
    for (var b = 0; b < 256; b++) {
        // big-endian: message bit b is bit (255 − b) of the 256-bit integer
        if (b < 2) {
            sha.in[b] <== 0;
            sha.in[256 + b] <== 0;
        } else {
            sha.in[b] <== oldRootBits[255 - b];
            sha.in[256 + b] <== newRootBits[255 - b];
        }
    }
    for (var b = 0; b < 64; b++) sha.in[512 + b] <== timestampBits[63 - b];
    for (var i = 0; i < N; i++) {
        for (var b = 0; b < 256; b++) sha.in[HEADER_BITS + 256 * i + b] <== pubdata[i][b];
    }
    var digest = 0;
    for (var b = 3; b < 256; b++) digest += sha.out[b] * (1 << (255 - b));
    commitment <== digest;
}
