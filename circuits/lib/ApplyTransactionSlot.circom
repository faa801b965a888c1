pragma circom 2.2.3;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/compconstant.circom";
include "circomlib/circuits/multiplexer.circom";
include "circomlib/circuits/poseidon.circom";
include "./AccountCache.circom";
include "./ComputeCeilDivision.circom";
include "./ComputeFloorDivision.circom";
include "./ComputeSignedFloorDivision.circom";
include "./RequireNonNegativeIfEnabled.circom";
include "./RequireStrictEdDSAPoseidon.circom";
include "./SettleAndChangeAccount.circom";
include "./UpdateOrderSlot.circom";

// One universal batch slot (circuits/STATEMENTS.md): every slot runs the same gadgets (two account writes through
// the batch account cache, two order-slot writes, two signature checks, the market updates and its 32-byte pubdata chunk) and the tx type
// selects which rules bind. Types: 0 noop (or the continuation of a 2-chunk record), 1 deposit top-up,
// 2 deposit creating an account (2 chunks), 3 trade, 4 withdraw (2 chunks), 5 forced withdrawal (2 chunks),
// 6 transfer, 7 oracle update, 8 funding update, 9 tiered liquidation, 10 backstop, 11 auto-deleveraging. Any
// other type code is refused.
//
// Side 0 is the deposit, withdrawing, forced-withdrawal, transfer-source, trade-taker, liquidated or backstopped
// account, or the insurance fund in an auto-deleveraging; side 1 the trade or liquidation maker, the transfer
// target, the insurance fund in a backstop or the deleveraged counterparty. Signature 0 is the taker's order, the
// withdraw or transfer message or the oracle's price message; signature 1 the maker's order. Order slot 0 is the
// taker's order or the slot a withdraw or transfer consumes; order slot 1 the maker's order.
template ApplyTransactionSlot(ACCOUNT_DEPTH, ORDER_DEPTH, M, K) {
    var F = ACCOUNT_CACHE_FIELDS(M);
    // ---- state entering and leaving the slot
    signal input cacheIn[K][F];            // the batch account cache before the slot (AccountCache.circom)
    signal input oraclePriceIn[M];         // market oracle prices before
    signal input oracleTimeIn[M];          // market oracle timestamps before
    signal input fundingIndexIn[M];        // market funding indices before
    signal input lastFundingTimeIn[M];     // market last funding times before
    signal input openInterestIn[M];        // market open interest before
    signal input feesIn;                   // batch fee accumulator before
    signal input penaltiesIn;              // batch penalty accumulator before
    signal output cacheOut[K][F];          // the account cache after
    signal output oraclePriceOut[M];       // oracle prices after
    signal output oracleTimeOut[M];        // oracle timestamps after
    signal output openInterestOut[M];      // open interest after
    signal output fundingIndexOut[M];      // funding indices after
    signal output lastFundingTimeOut[M];   // last funding times after
    signal output feesOut;                 // fee accumulator after
    signal output penaltiesOut;            // penalty accumulator after
    // ---- batch constants
    signal input batchTimestamp;           // T, < 2^32 (checked by the batch)
    signal input domain;                   // H(chainId, rollupAddress), a circuit constant
    signal input imfBps[M];                // per market (bound by paramsHash, < 2^14)
    signal input mmfBps[M];                // per market (< 2^14)
    signal input liquidationFractionBps[M]; // per market (< 2^14)
    signal input liquidationBandBps[M];    // per market (< 2^14)
    signal input liquidationPenaltyBps[M]; // per market (< 2^14)
    signal input fullLiquidationBps[M];    // per market (< 2^14)
    signal input backstopBps[M];           // per market (< 2^14)
    signal input takerFeeBps[M];           // per market (< 2^14)
    signal input makerFeeBps[M];           // per market (< 2^14)
    signal input maxOracleAgeSeconds[M];   // per market (< 2^32)
    signal input openInterestCap[M];       // per market (< 2^40)
    signal input fundingClampPpm[M];       // per market (≤ 10^6, < 2^20)
    signal input fundingIntervalSeconds[M]; // per market (in [1, 2^32))
    signal input oracleKey[M][2];          // per market oracle public key
    signal input emptyOrdersRoot;          // root of an order-slot tree with every slot empty (batch-computed)
    // ---- pubdata
    signal input chunk[256];               // this slot's 32 pubdata bytes, bit 0 = MSB of byte 0 (boolean, batch-checked)
    signal input nextChunk[256];           // the next slot's chunk (zeros after the last slot)
    signal input isContinuation;           // 1 iff the previous slot's record spills into this chunk
    signal output isTwoChunk;              // 1 iff this slot's record takes the next chunk too
    // ---- the tx
    signal input txType;                   // pubdata type code (§6)
    signal input market;                   // market index (< M)
    signal input size;                     // trade: fill size in lots
    signal input price;                    // trade: fill price; oracle update: new price
    signal input amount;                   // deposit, withdraw or transfer amount; forced withdrawal: the amount withdrawn;
                                           // backstop: the account's settled collateral (signed); ADL: the cover
    signal input timestamp;                // oracle or funding update timestamp
    signal input ratePpm;                  // funding update: the signed rate in parts per million
    signal input address;                  // deposit: owner (new account) or depositor (top-up); forced: requester; withdraw: to
    signal input takerIsBuy;               // trade: 1 iff the taker buys; liquidation, ADL: 1 iff side 0 buys (closes a short)
    signal input isNewAccount;             // the side-0 leaf before is empty (deposit creating it; forced withdrawal of an empty index)
    signal input isNewTarget;              // the side-1 leaf before is empty (a transfer creating its target)
    // ---- per side (0: deposit account / taker, 1: maker)
    signal input accountIndex[2];          // the index of the cache entry the side selects (0 when disabled)
    signal input cacheSelect[2][K];        // one-hot over the cache entries when the side is enabled, else zero
    signal input publicKey[2][2];
    signal input owner[2];
    signal input collateral[2];
    signal input mode[2];
    signal input positionSize[2][M];
    signal input fundingIndexAtLastSettle[2][M];
    signal input ordersRoot[2];
    // ---- per order (0: taker, 1: maker)
    signal input orderSize[2];
    signal input limitPrice[2];
    signal input expiry[2];                // order expiry; withdraw or transfer: validUntil (side 0)
    signal input reduceOnly[2];
    signal input storageId[2];             // order storage id; withdraw or transfer: the consumed id (side 0)
    signal input oldSlotStorageId[2];
    signal input oldSlotFilled[2];
    signal input slotSiblings[2][ORDER_DEPTH][3];
    // ---- signatures (0: taker order or oracle price, 1: maker order)
    signal input signatureR8[2][2];
    signal input signatureS[2];
    signal input publicKeyRoot[2][2];      // hint: (8^-1 mod l)·A
    signal input signatureR8Root[2][2];    // hint: (8^-1 mod l)·R8

    // ================= tx type
    component type = Decoder(12);
    type.inp <== txType;
    type.success === 1;
    signal isNoop <== type.out[0];
    signal isTopUp <== type.out[1];
    signal isDepositNew <== type.out[2];
    signal isTrade <== type.out[3];
    signal isWithdraw <== type.out[4];
    signal isForced <== type.out[5];
    signal isTransfer <== type.out[6];
    signal isOracle <== type.out[7];
    signal isFunding <== type.out[8];
    signal isLiquidation <== type.out[9];
    signal isBackstop <== type.out[10];
    signal isDeleverage <== type.out[11];
    isContinuation * (1 - isNoop) === 0;
    signal isDeposit <== isTopUp + isDepositNew;
    signal isSpend <== isWithdraw + isTransfer;  // L2-signed, takes collateral out of side 0 (§5.3, §5.4)
    signal isClose <== isLiquidation + isDeleverage;  // side 0 closes (part of) a position against side 1
    signal isFill <== isTrade + isLiquidation;   // side 1 fills a signed resting order
    signal isPositionMove <== isFill + isDeleverage;  // the selected market's positions change by ±size
    isTwoChunk <== isDepositNew + isForced + isWithdraw;
    // An empty side-0 leaf: always for a new-account deposit, by the prover's claim for a forced withdrawal (the
    // cache entry, opened against the accounts root, proves it), never otherwise.
    isNewAccount * (1 - isNewAccount) === 0;
    isDepositNew * (1 - isNewAccount) === 0;
    isNewAccount * (1 - isDepositNew - isForced) === 0;
    isNewTarget * (1 - isNewTarget) === 0;
    isNewTarget * (1 - isTransfer) === 0;
    takerIsBuy * (1 - takerIsBuy) === 0;
    reduceOnly[0] * (1 - reduceOnly[0]) === 0;
    reduceOnly[1] * (1 - reduceOnly[1]) === 0;

    component marketSelect = Decoder(M);
    marketSelect.inp <== market;
    marketSelect.success === 1;

    // Per-market values of the selected market.
    signal selectTerms[17][M];
    var oracleTime = 0;
    var oraclePrice = 0;
    var maxAge = 0;
    var openInterest = 0;
    var cap = 0;
    var takerFee = 0;
    var makerFee = 0;
    var oracleKeyX = 0;
    var oracleKeyY = 0;
    var fundingIndexSelected = 0;
    var lastFundingTimeSelected = 0;
    var clamp = 0;
    var interval = 0;
    var mmfSelected = 0;
    var fractionSelected = 0;
    var bandSelected = 0;
    var penaltySelected = 0;
    for (var m = 0; m < M; m++) {
        selectTerms[0][m] <== marketSelect.out[m] * oracleTimeIn[m];
        selectTerms[1][m] <== marketSelect.out[m] * oraclePriceIn[m];
        selectTerms[2][m] <== marketSelect.out[m] * maxOracleAgeSeconds[m];
        selectTerms[3][m] <== marketSelect.out[m] * openInterestIn[m];
        selectTerms[4][m] <== marketSelect.out[m] * openInterestCap[m];
        selectTerms[5][m] <== marketSelect.out[m] * takerFeeBps[m];
        selectTerms[6][m] <== marketSelect.out[m] * makerFeeBps[m];
        selectTerms[7][m] <== marketSelect.out[m] * oracleKey[m][0];
        selectTerms[8][m] <== marketSelect.out[m] * oracleKey[m][1];
        oracleTime += selectTerms[0][m];
        oraclePrice += selectTerms[1][m];
        maxAge += selectTerms[2][m];
        openInterest += selectTerms[3][m];
        cap += selectTerms[4][m];
        takerFee += selectTerms[5][m];
        makerFee += selectTerms[6][m];
        oracleKeyX += selectTerms[7][m];
        oracleKeyY += selectTerms[8][m];
        selectTerms[9][m] <== marketSelect.out[m] * fundingIndexIn[m];
        selectTerms[10][m] <== marketSelect.out[m] * lastFundingTimeIn[m];
        selectTerms[11][m] <== marketSelect.out[m] * fundingClampPpm[m];
        selectTerms[12][m] <== marketSelect.out[m] * fundingIntervalSeconds[m];
        fundingIndexSelected += selectTerms[9][m];
        lastFundingTimeSelected += selectTerms[10][m];
        clamp += selectTerms[11][m];
        interval += selectTerms[12][m];
        selectTerms[13][m] <== marketSelect.out[m] * mmfBps[m];
        selectTerms[14][m] <== marketSelect.out[m] * liquidationFractionBps[m];
        selectTerms[15][m] <== marketSelect.out[m] * liquidationBandBps[m];
        selectTerms[16][m] <== marketSelect.out[m] * liquidationPenaltyBps[m];
        mmfSelected += selectTerms[13][m];
        fractionSelected += selectTerms[14][m];
        bandSelected += selectTerms[15][m];
        penaltySelected += selectTerms[16][m];
    }

    // ================= pubdata chunk: bytes as linear combinations of the (boolean) bits
    var chunkByte[32];
    var nextByte[32];
    for (var j = 0; j < 32; j++) {
        chunkByte[j] = 0;
        nextByte[j] = 0;
        for (var k = 0; k < 8; k++) {
            chunkByte[j] += chunk[8 * j + k] * (1 << (7 - k));
            nextByte[j] += nextChunk[8 * j + k] * (1 << (7 - k));
        }
    }
    var allBits = 0;
    for (var b = 0; b < 256; b++) allBits += chunk[b];
    // A plain noop chunk is all zero; a continuation chunk is constrained by the previous slot.
    (isNoop - isContinuation) * allBits === 0;
    (1 - isContinuation) * (chunkByte[0] - txType) === 0;

    var accountField = 0;   // bytes [2, 5) (deposits) — 3-byte account index
    var amountField = 0;    // bytes [5, 12)
    var addressField = 0;   // bytes [12, 32)
    for (var j = 2; j < 5; j++) accountField = accountField * 256 + chunkByte[j];
    for (var j = 5; j < 12; j++) amountField = amountField * 256 + chunkByte[j];
    for (var j = 12; j < 32; j++) addressField = addressField * 256 + chunkByte[j];
    isDeposit * (accountField - accountIndex[0]) === 0;
    isDeposit * (amountField - amount) === 0;
    (isDeposit + isForced + isWithdraw) * (addressField - address) === 0;
    isTopUp * chunkByte[1] === 0;
    isDepositNew * (chunkByte[1] - mode[0]) === 0;

    // Trade: market[1] flags[2] taker[3..6) maker[6..9) size[9..14) price[14..20) takerSid[20..24) makerSid[24..28).
    // Liquidation: the same with flags bit 0 = full, the liquidated account as taker, the maker's storage id at
    // [20..24) and zeros from byte 24.
    var takerField = 0;
    var makerField = 0;
    var sizeField = 0;
    var tradePriceField = 0;
    var takerSidField = 0;
    var makerSidField = 0;
    for (var j = 3; j < 6; j++) takerField = takerField * 256 + chunkByte[j];
    for (var j = 6; j < 9; j++) makerField = makerField * 256 + chunkByte[j];
    for (var j = 9; j < 14; j++) sizeField = sizeField * 256 + chunkByte[j];
    for (var j = 14; j < 20; j++) tradePriceField = tradePriceField * 256 + chunkByte[j];
    for (var j = 20; j < 24; j++) takerSidField = takerSidField * 256 + chunkByte[j];
    for (var j = 24; j < 28; j++) makerSidField = makerSidField * 256 + chunkByte[j];
    var tradeUnused = 0;
    for (var k = 0; k < 7; k++) tradeUnused += chunk[16 + k];  // flags bits 7..1
    for (var b = 224; b < 256; b++) tradeUnused += chunk[b];   // bytes 28..31
    isFill * (chunkByte[1] - market) === 0;
    isFill * tradeUnused === 0;
    isFill * (takerField - accountIndex[0]) === 0;
    isFill * (makerField - accountIndex[1]) === 0;
    isFill * (sizeField - size) === 0;
    isFill * (tradePriceField - price) === 0;
    isTrade * (chunk[23] - takerIsBuy) === 0;
    isTrade * (takerSidField - storageId[0]) === 0;
    isTrade * (makerSidField - storageId[1]) === 0;
    isLiquidation * (takerSidField - storageId[1]) === 0;
    isLiquidation * makerSidField === 0;
    // The full flag (chunk[23]) of a liquidation is bound by the tier rule below.

    // Oracle update: market[1] price[2..8) timestamp[8..12)
    var oraclePriceField = 0;
    var timestampField = 0;
    var oracleUnused = 0;
    for (var j = 2; j < 8; j++) oraclePriceField = oraclePriceField * 256 + chunkByte[j];
    for (var j = 8; j < 12; j++) timestampField = timestampField * 256 + chunkByte[j];
    for (var b = 96; b < 256; b++) oracleUnused += chunk[b];
    isOracle * (chunkByte[1] - market) === 0;
    isOracle * (oraclePriceField - price) === 0;
    isOracle * (timestampField - timestamp) === 0;
    isOracle * oracleUnused === 0;

    // Funding update: market[1] ratePpm[2..6) (int32, two's complement) timestamp[6..10), then zeros.
    var rateField = 0;
    var fundingTimestampField = 0;
    var fundingUnused = 0;
    for (var j = 2; j < 6; j++) rateField = rateField * 256 + chunkByte[j];
    for (var j = 6; j < 10; j++) fundingTimestampField = fundingTimestampField * 256 + chunkByte[j];
    for (var b = 80; b < 256; b++) fundingUnused += chunk[b];
    isFunding * (chunkByte[1] - market) === 0;
    isFunding * (rateField - chunk[16] * (1 << 32) - ratePpm) === 0;  // bit 16 = sign bit of byte 2
    isFunding * (fundingTimestampField - timestamp) === 0;
    isFunding * fundingUnused === 0;

    // Withdraw and forced withdrawal share the first chunk: account[1..4) amount[4..12) to/requester[12..32); the
    // amount is < 2^63 (its top bit is 0). Second chunk, withdraw: storageId[32..36); forced: requestedAmount[32..40)
    // (< 2^63 too); then zeros.
    var exitAccountField = 0;
    var exitAmountField = 0;
    var requestedField = 0;
    var withdrawSidField = 0;
    var forcedUnused = nextChunk[0];
    var withdrawUnused = 0;
    for (var j = 1; j < 4; j++) exitAccountField = exitAccountField * 256 + chunkByte[j];
    for (var j = 4; j < 12; j++) exitAmountField = exitAmountField * 256 + chunkByte[j];
    for (var j = 0; j < 8; j++) requestedField = requestedField * 256 + nextByte[j];
    for (var j = 0; j < 4; j++) withdrawSidField = withdrawSidField * 256 + nextByte[j];
    for (var b = 64; b < 256; b++) forcedUnused += nextChunk[b];
    for (var b = 32; b < 256; b++) withdrawUnused += nextChunk[b];
    signal isExit <== isForced + isWithdraw;
    isExit * (exitAccountField - accountIndex[0]) === 0;
    isExit * (exitAmountField - amount) === 0;
    isExit * chunk[32] === 0;
    isForced * forcedUnused === 0;
    isWithdraw * (withdrawSidField - storageId[0]) === 0;
    isWithdraw * withdrawUnused === 0;
    signal requestedAmount <== isForced * requestedField;

    // Backstop: account[1..4), then zeros.
    var backstopUnused = 0;
    for (var b = 32; b < 256; b++) backstopUnused += chunk[b];
    isBackstop * (exitAccountField - accountIndex[0]) === 0;
    isBackstop * backstopUnused === 0;

    // Auto-deleveraging: market[1] counterparty[2..5) size[5..10), then zeros.
    var deleverageSizeField = 0;
    var deleverageUnused = 0;
    for (var j = 5; j < 10; j++) deleverageSizeField = deleverageSizeField * 256 + chunkByte[j];
    for (var b = 80; b < 256; b++) deleverageUnused += chunk[b];
    isDeleverage * (chunkByte[1] - market) === 0;
    isDeleverage * (accountField - accountIndex[1]) === 0;
    isDeleverage * (deleverageSizeField - size) === 0;
    isDeleverage * deleverageUnused === 0;

    // Transfer: targetMode[1] from[2..5) to[5..8) amount[8..16) (< 2^63) storageId[16..20), then zeros.
    var fromField = 0;
    var toField = 0;
    var transferAmountField = 0;
    var transferSidField = 0;
    var transferUnused = chunk[64];
    for (var j = 2; j < 5; j++) fromField = fromField * 256 + chunkByte[j];
    for (var j = 5; j < 8; j++) toField = toField * 256 + chunkByte[j];
    for (var j = 8; j < 16; j++) transferAmountField = transferAmountField * 256 + chunkByte[j];
    for (var j = 16; j < 20; j++) transferSidField = transferSidField * 256 + chunkByte[j];
    for (var b = 160; b < 256; b++) transferUnused += chunk[b];
    isTransfer * (chunkByte[1] - mode[1]) === 0;
    isTransfer * (fromField - accountIndex[0]) === 0;
    isTransfer * (toField - accountIndex[1]) === 0;
    isTransfer * (transferAmountField - amount) === 0;
    isTransfer * (transferSidField - storageId[0]) === 0;
    isTransfer * transferUnused === 0;

    // Deposit creating an account: the next chunk is circomlibjs's packPoint(key): y little-endian, sign of x in
    // the top bit (x > (p − 1)/2). Canonical bits (Num2Bits_strict) so y + p cannot stand in for y.
    signal keyX <== isDepositNew * publicKey[0][0];
    signal keyY <== isDepositNew * publicKey[0][1];
    signal keyYBits[254] <== Num2Bits_strict()(keyY);
    signal keyXBits[254] <== Num2Bits_strict()(keyX);
    component keyXSign = CompConstant(10944121435919637611123202872628637544274182200208017171849102093287904247808);
    for (var b = 0; b < 254; b++) keyXSign.in[b] <== keyXBits[b];
    for (var b = 0; b < 256; b++) {
        var byteIndex = b \ 8;
        var bitIndex = 8 * byteIndex + 7 - (b % 8);
        if (bitIndex == 255) {
            isDepositNew * (nextChunk[b] - keyXSign.out) === 0;
        } else if (bitIndex == 254) {
            isDepositNew * nextChunk[b] === 0;
        } else {
            isDepositNew * (nextChunk[b] - keyYBits[bitIndex]) === 0;
        }
    }
    // The new key is on the curve (a point off it would not survive packing).
    signal keyX2 <== keyX * keyX;
    signal keyY2 <== keyY * keyY;
    signal keyX2Y2 <== keyX2 * keyY2;
    isDepositNew * (168700 * keyX2 + keyY2 - 1 - 168696 * keyX2Y2) === 0;

    // ================= deposit rules
    RequireNonNegativeIfEnabled(56)(isDeposit, amount - 1);  // 0 < amount (< 2^56 by its 7 pubdata bytes)
    // New account: index in the L1 range [2, 2^(2·ACCOUNT_DEPTH − 1)), empty leaf, fresh preimage.
    RequireNonNegativeIfEnabled(2 * ACCOUNT_DEPTH)(isDepositNew, accountIndex[0] - 2);
    RequireNonNegativeIfEnabled(2 * ACCOUNT_DEPTH)(isDepositNew, (1 << (2 * ACCOUNT_DEPTH - 1)) - 1 - accountIndex[0]);
    RequireNonNegativeIfEnabled(8)(isDepositNew, M - mode[0]);
    isDepositNew * collateral[0] === 0;
    isDepositNew * (owner[0] - address) === 0;
    isDepositNew * (ordersRoot[0] - emptyOrdersRoot) === 0;
    for (var m = 0; m < M; m++) isDepositNew * positionSize[0][m] === 0;

    // ================= fills and position moves (trade, liquidation, auto-deleveraging)
    signal isSideEnabled[2];
    isSideEnabled[0] <== isDeposit + isTrade + isForced + isSpend + isLiquidation + isBackstop + isDeleverage;
    isSideEnabled[1] <== isFill + isTransfer + isBackstop + isDeleverage;
    RequireNonNegativeIfEnabled(40)(isPositionMove, size - 1);   // 0 < size (< 2^40 by pubdata)
    RequireNonNegativeIfEnabled(48)(isTrade + isOracle + isLiquidation, price - 1); // 0 < price (< 2^48 by pubdata)
    signal isSameAccount <== IsEqual()(accountIndex);
    (isFill + isTransfer) * isSameAccount === 0;
    // Oracle fresh for fills, deleveraging and funding updates: oracleTime ≤ T and T − oracleTime ≤ maxAge.
    signal needsFreshOracle <== isTrade + isFunding + isClose;
    RequireNonNegativeIfEnabled(32)(needsFreshOracle, batchTimestamp - oracleTime);
    RequireNonNegativeIfEnabled(33)(needsFreshOracle, maxAge - (batchTimestamp - oracleTime));
    // The insurance fund is side 1 of a backstop and side 0 of an auto-deleveraging (§5.9, §5.10).
    isBackstop * accountIndex[1] === 0;
    isDeleverage * accountIndex[0] === 0;

    signal isBuy[2];
    isBuy[0] <== takerIsBuy;
    isBuy[1] <== 1 - takerIsBuy;
    signal takerSignedSize <== (2 * takerIsBuy - 1) * size;
    signal fillNotional <== size * price;
    // One division serves the taker's fee (trade) and the liquidation penalty before its cap: they never coexist.
    signal takerFeeRate <== isTrade * takerFee;
    signal takerChargeRate <== takerFeeRate + isLiquidation * penaltySelected;
    signal takerCharge <== ComputeFloorDivision(102, 10000)(fillNotional * takerChargeRate);
    signal takerFeeAmount <== isTrade * takerCharge;
    signal rawPenalty <== takerCharge - takerFeeAmount;
    signal makerNotional <== isFill * fillNotional;
    signal makerFeeAmount <== ComputeFloorDivision(102, 10000)(makerNotional * makerFee);
    signal tradeCash <== takerSignedSize * price;
    signal deltaCollateral[2];
    signal deltaSize[2];
    signal positionShift[2][M];
    signal gatedTradeCash <== isPositionMove * tradeCash;
    // `amount` moves in (+) or out (−) of each side: deposits in; withdrawals, transfers, the penalty and the
    // backstopped collateral out of side 0; transfers and the backstopped collateral into side 1; the ADL cover
    // from the counterparty (side 1) to the insurance fund (side 0).
    signal amountIn[2];
    amountIn[0] <== (isDeposit - isForced - isSpend - isLiquidation - isBackstop + isDeleverage) * amount;
    amountIn[1] <== (isTransfer + isBackstop - isDeleverage) * amount;
    deltaCollateral[0] <== amountIn[0] - gatedTradeCash - takerFeeAmount;
    deltaCollateral[1] <== amountIn[1] + gatedTradeCash - makerFeeAmount;
    deltaSize[0] <== isPositionMove * takerSignedSize;
    deltaSize[1] <== -deltaSize[0];
    for (var m = 0; m < M; m++) {
        positionShift[1][m] <== isBackstop * positionSize[0][m];
        positionShift[0][m] <== -positionShift[1][m];
    }
    feesOut <== feesIn + takerFeeAmount + makerFeeAmount;

    signal messages[2];
    signal orderHashes[2];
    signal ordersRootAfter[2];
    component accounts[2];
    component reads[2];
    component writes[2];
    signal caches[3][K][F];
    caches[0] <== cacheIn;
    signal isOldEmpty[2];
    signal isNewEmpty[2];
    isOldEmpty[0] <== isNewAccount;
    isOldEmpty[1] <== isNewTarget;
    isNewEmpty[0] <== isForced * isNewAccount;
    isNewEmpty[1] <== 0;
    // An opened side: its preimage inputs are the cached account (an empty leaf's are the tx rules' to constrain).
    signal isOpened[2];
    signal written[2][F];
    signal reducing[2];
    signal reducingBuy[2];
    signal isNewPositive[2];
    signal marginAlternative[2];
    signal marginFails[2];
    signal longBefore[2];
    signal longAfter[2];
    signal modeProduct[2];
    signal reduceOnlyViolated[2];
    // Side s fills a signed order: the taker of a trade (side 0), the maker of a trade or a liquidation (side 1).
    signal isOrderSide[2];
    isOrderSide[0] <== isTrade;
    isOrderSide[1] <== isFill;
    // Side 0's order slot is an order's (trade) or the id a withdraw or transfer consumes; side 1's the maker's.
    signal isSlotEnabled[2];
    isSlotEnabled[0] <== isTrade + isSpend;
    isSlotEnabled[1] <== isFill;
    // Sides that must be user accounts (index ≥ 2).
    signal isUserSide[2];
    isUserSide[0] <== isTrade + isSpend + isLiquidation + isBackstop;
    isUserSide[1] <== isFill + isDeleverage;
    for (var s = 0; s < 2; s++) {
        // Order fields within §1: size < 2^40, 0 < limit < 2^48, expiry < 2^32 (dummies 0 pass when disabled).
        _ <== Num2Bits(40)(orderSize[s]);
        _ <== Num2Bits(48)(limitPrice[s]);
        _ <== Num2Bits(32)(expiry[s]);
        RequireNonNegativeIfEnabled(48)(isOrderSide[s], limitPrice[s] - 1);
        RequireNonNegativeIfEnabled(2 * ACCOUNT_DEPTH)(isUserSide[s], accountIndex[s] - 2);
        RequireNonNegativeIfEnabled(32)(isSlotEnabled[s], expiry[s] - batchTimestamp);          // T ≤ expiry (validUntil)
        // Limit: a buyer pays at most its limit, a seller receives at least its limit.
        RequireNonNegativeIfEnabled(48)(isOrderSide[s], (2 * isBuy[s] - 1) * (limitPrice[s] - price));
        // Isolated accounts trade only their market: mode = 0 or mode = 1 + market.
        modeProduct[s] <== mode[s] * (mode[s] - 1 - market);
        isOrderSide[s] * modeProduct[s] === 0;

        // H(domain, order word): the fields packed low bits first (docs/protocol.md §3). Injective because every
        // field is range-checked in this slot, whether or not the order is used: tag 1; flags < 4 (booleans);
        // market < M ≤ 16 (the decoder); accountIndex < 4^ACCOUNT_DEPTH ≤ 2^24 (a cache entry's index, bounded by its write-back path); size < 2^40,
        // limitPrice < 2^48 and expiry < 2^32 (above); storageId < 2^32 (UpdateOrderSlot).
        orderHashes[s] <== Poseidon(2)([
            domain,
            1 + (isBuy[s] + 2 * reduceOnly[s]) * (1 << 8) + market * (1 << 10) + accountIndex[s] * (1 << 18)
                + orderSize[s] * (1 << 42) + limitPrice[s] * (1 << 82) + storageId[s] * (1 << 130) + expiry[s] * (1 << 162)
        ]);
        ordersRootAfter[s] <== UpdateOrderSlot(ORDER_DEPTH)(
            isSlotEnabled[s], s == 0 ? isSpend : 0, ordersRoot[s], storageId[s], orderSize[s], isOrderSide[s] * size,
            oldSlotStorageId[s], oldSlotFilled[s], slotSiblings[s]
        );

        // Read the side's account from the cache: the selected entry's index, emptiness and preimage.
        reads[s] = ReadAccountCache(K, F);
        reads[s].enabled <== isSideEnabled[s];
        reads[s].select <== cacheSelect[s];
        reads[s].entries <== caches[s];
        accountIndex[s] === reads[s].value[0];
        isSideEnabled[s] * (reads[s].value[1] - isOldEmpty[s]) === 0;
        isOpened[s] <== isSideEnabled[s] * (1 - isOldEmpty[s]);
        isOpened[s] * (publicKey[s][0] - reads[s].value[2]) === 0;
        isOpened[s] * (publicKey[s][1] - reads[s].value[3]) === 0;
        isOpened[s] * (owner[s] - reads[s].value[4]) === 0;
        isOpened[s] * (collateral[s] - reads[s].value[5]) === 0;
        isOpened[s] * (mode[s] - reads[s].value[6]) === 0;
        for (var m = 0; m < M; m++) {
            isOpened[s] * (positionSize[s][m] - reads[s].value[7 + m]) === 0;
            isOpened[s] * (fundingIndexAtLastSettle[s][m] - reads[s].value[7 + M + m]) === 0;
        }
        isOpened[s] * (ordersRoot[s] - reads[s].value[7 + 2 * M]) === 0;

        accounts[s] = SettleAndChangeAccount(M);
        accounts[s].enabled <== isSideEnabled[s];
        accounts[s].collateral <== collateral[s];
        accounts[s].size <== positionSize[s];
        accounts[s].fundingIndexAtLastSettle <== fundingIndexAtLastSettle[s];
        accounts[s].marketSelect <== marketSelect.out;
        accounts[s].deltaCollateral <== deltaCollateral[s];
        accounts[s].deltaSize <== deltaSize[s];
        accounts[s].positionShift <== positionShift[s];
        accounts[s].fundingIndex <== fundingIndexIn;
        accounts[s].oraclePrice <== oraclePriceIn;
        accounts[s].imfBps <== imfBps;

        // Write the account back, settled at the current funding indices.
        written[s][0] <== reads[s].value[0];
        written[s][1] <== isNewEmpty[s];
        written[s][2] <== publicKey[s][0];
        written[s][3] <== publicKey[s][1];
        written[s][4] <== owner[s];
        written[s][5] <== accounts[s].newCollateral;
        written[s][6] <== mode[s];
        for (var m = 0; m < M; m++) {
            written[s][7 + m] <== accounts[s].sizesAfter[m];
            written[s][7 + M + m] <== fundingIndexIn[m];
        }
        written[s][7 + 2 * M] <== ordersRootAfter[s];
        writes[s] = WriteAccountCache(K, F);
        writes[s].select <== cacheSelect[s];
        writes[s].entries <== caches[s];
        writes[s].read <== reads[s].value;
        writes[s].written <== written[s];
        caches[s + 1] <== writes[s].entriesOut;

        // Reducing only (the fill is nonzero): a buy leaves size ≤ 0, a sell leaves size ≥ 0.
        isNewPositive[s] <== accounts[s].isNewSizeNonNegative * (1 - accounts[s].isNewSizeZero);
        reducingBuy[s] <== isBuy[s] * (1 - isNewPositive[s]);
        reducing[s] <== reducingBuy[s] + (1 - isBuy[s]) * accounts[s].isNewSizeNonNegative;
        reduceOnlyViolated[s] <== reduceOnly[s] * (1 - reducing[s]);
        isOrderSide[s] * reduceOnlyViolated[s] === 0;
        // Margin after fees: initial margin, or reducing only with equity ≥ 0.
        marginAlternative[s] <== reducing[s] * accounts[s].isEquityNonNegative;
        marginFails[s] <== (1 - accounts[s].passesInitialMargin) * (1 - marginAlternative[s]);
        isOrderSide[s] * marginFails[s] === 0;
        // Auto-deleveraging only closes: neither position grows or flips.
        isDeleverage * (1 - reducing[s]) === 0;

        longBefore[s] <== accounts[s].oldSize * accounts[s].isOldSizeNonNegative;
        longAfter[s] <== accounts[s].newSize * accounts[s].isNewSizeNonNegative;
    }
    cacheOut <== caches[2];

    // Open interest (Σ long sizes) after the fill; above the cap only if it does not increase. A backstop leaves it
    // unchanged (§5.9: positions change hands).
    signal openInterestAfter <== openInterest + isPositionMove * (longAfter[0] + longAfter[1] - longBefore[0] - longBefore[1]);
    _ <== Num2Bits(41)(openInterestAfter);
    _ <== Num2Bits(41)(cap);
    signal isIncrease <== LessThan(41)([openInterest, openInterestAfter]);
    signal isWithinCap <== LessEqThan(41)([openInterestAfter, cap]);
    signal isOverCap <== isIncrease * (1 - isWithinCap);
    isPositionMove * isOverCap === 0;

    // ================= forced withdrawal rules (docs/protocol.md §5.5)
    // withdrawn = min(requested, free collateral, collateral + MAX_COLLATERAL) when the account exists and the
    // requester is its owner, else 0. `free` is never computed: withdrawn ≤ free is the initial-margin test after
    // the withdrawal, and withdrawn ≥ free (when below the other bounds) is "one unit more would fail it".
    signal isOwner <== IsEqual()([owner[0], address]);
    signal isForcedExisting <== isForced * (1 - isNewAccount);
    signal isEligible <== isForcedExisting * isOwner;
    (isForced - isEligible) * amount === 0;
    RequireNonNegativeIfEnabled(64)(isForced, requestedAmount - amount);
    signal isNothingWithdrawn <== IsZero()(amount);
    signal eligibleWithdrawing <== isEligible * (1 - isNothingWithdrawn);
    eligibleWithdrawing * (1 - accounts[0].passesInitialMargin) === 0;
    var MAX_COLLATERAL = (1 << 63) - 1;
    // newCollateral ≥ −MAX_COLLATERAL holds for every write (SettleAndChangeAccount).
    signal isFullRequest <== IsEqual()([amount, requestedAmount]);
    signal hasMarginForMore <== RequireSignedRange(112)(accounts[0].marginSlack - 10000);
    signal isAtCollateralFloor <== IsEqual()([accounts[0].newCollateral, -MAX_COLLATERAL]);
    signal shortOfRequest <== isEligible * (1 - isFullRequest);
    signal shortWithMargin <== shortOfRequest * hasMarginForMore;
    shortWithMargin * (1 - isAtCollateralFloor) === 0;

    // ================= withdraw and transfer rules (docs/protocol.md §5.3, §5.4)
    // The source: an existing user account (isNewAccount = 0, index ≥ 2: above), its slot consumed, its key's
    // signature, T ≤ validUntil, 0 < amount, a fresh oracle in every market it holds a position in, and after the
    // debit initial margin with equity ≥ 0.
    RequireNonNegativeIfEnabled(64)(isSpend, amount - 1);
    isSpend * (1 - accounts[0].passesInitialMargin) === 0;
    isSpend * (1 - accounts[0].isEquityNonNegative) === 0;
    // (The fresh-oracle rule binds a backstop too.)
    signal isPositionZero[M];
    signal needsFreshPositionOracle[M];
    for (var m = 0; m < M; m++) {
        isPositionZero[m] <== IsZero()(positionSize[0][m]);
        needsFreshPositionOracle[m] <== (isSpend + isBackstop) * (1 - isPositionZero[m]);
        RequireNonNegativeIfEnabled(32)(needsFreshPositionOracle[m], batchTimestamp - oracleTimeIn[m]);
        RequireNonNegativeIfEnabled(33)(needsFreshPositionOracle[m], maxOracleAgeSeconds[m] - (batchTimestamp - oracleTimeIn[m]));
    }
    // The target: the source's owner and the signed mode (pubdata byte 1, above). An empty target lies in the
    // L2-created range, gets a valid mode and is created with the source's key, no collateral, no positions and no
    // orders; its new leaf is settled at the current funding indices (the cache write).
    isTransfer * (owner[1] - owner[0]) === 0;
    RequireNonNegativeIfEnabled(2 * ACCOUNT_DEPTH)(isNewTarget, accountIndex[1] - (1 << (2 * ACCOUNT_DEPTH - 1)));
    RequireNonNegativeIfEnabled(8)(isNewTarget, M - mode[1]);
    isNewTarget * (publicKey[1][0] - publicKey[0][0]) === 0;
    isNewTarget * (publicKey[1][1] - publicKey[0][1]) === 0;
    isNewTarget * collateral[1] === 0;
    isNewTarget * (ordersRoot[1] - emptyOrdersRoot) === 0;
    for (var m = 0; m < M; m++) isNewTarget * positionSize[1][m] === 0;

    // ================= liquidation, backstop and auto-deleveraging rules (docs/protocol.md §5.8–§5.10)
    // Side 0's account settled, before the change: maintenance and second-threshold slacks, cross-multiplied by
    // 10,000 (equity·10,000 − Σ notional_m·rate_m). The second threshold is the full-liquidation rate for a
    // liquidation and the backstop rate for a backstop; equity < 0 always fails both.
    signal fullThresholdTerms[M];
    signal thresholdBps[M];
    signal maintenanceTerms[M];
    signal thresholdTerms[M];
    var maintenanceRequirement = 0;
    var thresholdRequirement = 0;
    var sideNotional = 0;
    for (var m = 0; m < M; m++) {
        fullThresholdTerms[m] <== isLiquidation * fullLiquidationBps[m];
        thresholdBps[m] <== fullThresholdTerms[m] + isBackstop * backstopBps[m];
        maintenanceTerms[m] <== accounts[0].oldNotional[m] * mmfBps[m];
        thresholdTerms[m] <== accounts[0].oldNotional[m] * thresholdBps[m];
        maintenanceRequirement += maintenanceTerms[m];
        thresholdRequirement += thresholdTerms[m];
        sideNotional += accounts[0].oldNotional[m];
    }
    signal maintenanceSlack <== accounts[0].settledEquity * 10000 - maintenanceRequirement;
    signal isMaintained <== RequireSignedRange(112)(maintenanceSlack);
    signal passesThreshold <== RequireSignedRange(112)(accounts[0].settledEquity * 10000 - thresholdRequirement);
    // Side 0's equity after closing `size` at `price` (before any penalty): a buy of s at price gains s·(oracle − price).
    signal closeGain <== takerSignedSize * (oraclePrice - price);
    signal closeEquity <== accounts[0].settledEquity + closeGain;
    signal isCloseEquityNonNegative <== RequireSignedRange(96)(closeEquity);

    // Liquidation: side 0 holds a position in the market and is below maintenance; it closes toward zero (buys
    // iff short) at the maker's exact limit, within the band: |price − oracle|·10,000 ≤ oracle·bandBps.
    signal isOldSizeZero <== IsZero()(accounts[0].oldSize);
    isLiquidation * isOldSizeZero === 0;
    isLiquidation * isMaintained === 0;
    isClose * (takerIsBuy + accounts[0].isOldSizeNonNegative - 1) === 0;
    isLiquidation * (price - limitPrice[1]) === 0;
    signal bandWidth <== oraclePrice * bandSelected;
    RequireNonNegativeIfEnabled(64)(isLiquidation, bandWidth - (price - oraclePrice) * 10000);
    RequireNonNegativeIfEnabled(64)(isLiquidation, bandWidth + (price - oraclePrice) * 10000);
    // Tier: partial = min(|size_m|, ceilDiv(|size_m|·fractionBps, 10,000)); the whole position (full = 1) when the
    // account fails the full-liquidation threshold, or would still fail maintenance after closing the partial size
    // at `price`: that moves its equity by ±partial·(price − oracle) (a long sells: +) and releases
    // partial·oracle·mmfBps of requirement.
    signal oldAbsoluteSize <== (2 * accounts[0].isOldSizeNonNegative - 1) * accounts[0].oldSize;
    signal partialCeiling <== ComputeFloorDivision(55, 10000)(oldAbsoluteSize * fractionSelected + 9999);
    signal isPartialBelowPosition <== LessThan(42)([partialCeiling, oldAbsoluteSize]);
    signal partialSize <== oldAbsoluteSize + isPartialBelowPosition * (partialCeiling - oldAbsoluteSize);
    signal closeSpread <== (2 * accounts[0].isOldSizeNonNegative - 1) * (price - oraclePrice);
    signal releasedRate <== oraclePrice * mmfSelected;
    signal partialSlackChange <== partialSize * (closeSpread * 10000 + releasedRate);
    signal passesAfterPartial <== RequireSignedRange(112)(maintenanceSlack + partialSlackChange);
    signal isPartialEnough <== passesThreshold * passesAfterPartial;
    signal fullExcess <== (1 - isPartialEnough) * (oldAbsoluteSize - partialSize);
    isLiquidation * (size - partialSize - fullExcess) === 0;
    isLiquidation * (chunk[23] + isPartialEnough - 1) === 0;
    // Penalty (the hint `amount`): min(floorDiv(size·price·penaltyBps, 10,000), max(0, equity after the close)).
    signal penaltyCap <== isCloseEquityNonNegative * closeEquity;
    signal isRawPenaltyBelowCap <== LessThan(102)([rawPenalty, penaltyCap]);
    signal penalty <== penaltyCap + isRawPenaltyBelowCap * (rawPenalty - penaltyCap);
    isLiquidation * (amount - penalty) === 0;
    penaltiesOut <== penaltiesIn + isLiquidation * amount;

    // Backstop: side 0 (a user account) fails the backstop threshold; its settled collateral (the hint `amount`,
    // pinned by its new collateral being 0) and all its positions (positionShift) move to the insurance fund.
    isBackstop * passesThreshold === 0;
    isBackstop * accounts[0].newCollateral === 0;
    isBackstop * market === 0;

    // Auto-deleveraging: the insurance fund (side 0) has equity E < 0 (closing at the oracle price leaves
    // closeEquity = E); both sides close `size` at the oracle price (reducing only, above); the counterparty keeps
    // equity ≥ 0 after paying the cover (the hint `amount`) = ceilDiv(−E·size·oracle, Σ_k |insurance.size_k|·oracle_k).
    // The protocol's min(−E, cover) is the quotient itself: size·oracle ≤ |insurance.size_m|·oracle ≤ the divisor.
    isDeleverage * (price - oraclePrice) === 0;
    isDeleverage * isCloseEquityNonNegative === 0;
    isDeleverage * (1 - accounts[1].isEquityNonNegative) === 0;
    signal deficitShare <== -closeEquity * size;
    signal coverNumerator <== isDeleverage * deficitShare;
    signal cover <== ComputeCeilDivision(96, 92)(coverNumerator * oraclePrice, sideNotional + 1 - isDeleverage);
    isDeleverage * (amount - cover) === 0;

    // ================= oracle update rules
    RequireNonNegativeIfEnabled(32)(isOracle, timestamp - oracleTime - 1);  // strictly increasing
    RequireNonNegativeIfEnabled(32)(isOracle, batchTimestamp - timestamp);  // not in the future

    // ================= funding update rules (docs/protocol.md §5.7)
    // |rate| ≤ clamp; lastFundingTime + interval ≤ timestamp ≤ T; the index moves by
    // floorDiv(rate · oraclePrice · (timestamp − lastFundingTime), 10^6 · interval).
    RequireNonNegativeIfEnabled(21)(isFunding, clamp - ratePpm);
    RequireNonNegativeIfEnabled(21)(isFunding, clamp + ratePpm);
    RequireNonNegativeIfEnabled(32)(isFunding, timestamp - lastFundingTimeSelected - interval);
    RequireNonNegativeIfEnabled(32)(isFunding, batchTimestamp - timestamp);
    signal elapsed <== isFunding * (timestamp - lastFundingTimeSelected);
    signal ratePrice <== ratePpm * oraclePrice;
    signal fundingNumerator <== ratePrice * elapsed;                 // |·| < 2^20 · 2^48 · 2^32 = 2^100
    signal fundingDelta <== ComputeSignedFloorDivision(101, 52)(fundingNumerator, 1000000 * interval);
    signal newFundingIndex <== fundingIndexSelected + fundingDelta;
    _ <== RequireSignedRange(64)(newFundingIndex);

    // ================= market updates
    signal priceChanges[M];
    signal openInterestChanges[M];
    signal fundingChanges[M];
    for (var m = 0; m < M; m++) {
        fundingChanges[m] <== isFunding * marketSelect.out[m];
        fundingIndexOut[m] <== fundingIndexIn[m] + marketSelect.out[m] * fundingDelta;
        lastFundingTimeOut[m] <== lastFundingTimeIn[m] + fundingChanges[m] * (timestamp - lastFundingTimeIn[m]);
        priceChanges[m] <== isOracle * marketSelect.out[m];
        oraclePriceOut[m] <== oraclePriceIn[m] + priceChanges[m] * (price - oraclePriceIn[m]);
        oracleTimeOut[m] <== oracleTimeIn[m] + priceChanges[m] * (timestamp - oracleTimeIn[m]);
        openInterestChanges[m] <== marketSelect.out[m] * (openInterestAfter - openInterestIn[m]);
        openInterestOut[m] <== openInterestIn[m] + openInterestChanges[m];
    }

    // ================= signatures
    signal oracleMessage <== Poseidon(5)([4, domain, market, price, timestamp]);
    signal withdrawMessage <== Poseidon(7)([2, domain, accountIndex[0], amount, address, storageId[0], expiry[0]]);
    signal transferMessage <== Poseidon(8)([3, domain, accountIndex[0], accountIndex[1], amount, mode[1], storageId[0], expiry[0]]);
    signal oracleMessageTerm <== isOracle * (oracleMessage - orderHashes[0]);
    signal withdrawMessageTerm <== isWithdraw * (withdrawMessage - orderHashes[0]);
    signal transferMessageTerm <== isTransfer * (transferMessage - orderHashes[0]);
    messages[0] <== orderHashes[0] + oracleMessageTerm + withdrawMessageTerm + transferMessageTerm;
    messages[1] <== orderHashes[1];
    signal signingKey[2][2];
    signingKey[0][0] <== publicKey[0][0] + isOracle * (oracleKeyX - publicKey[0][0]);
    signingKey[0][1] <== publicKey[0][1] + isOracle * (oracleKeyY - publicKey[0][1]);
    signingKey[1] <== publicKey[1];
    signal isSignatureEnabled[2];
    isSignatureEnabled[0] <== isTrade + isOracle + isSpend;
    isSignatureEnabled[1] <== isFill;
    for (var s = 0; s < 2; s++) {
        RequireStrictEdDSAPoseidon()(
            isSignatureEnabled[s], signingKey[s], signatureR8[s], signatureS[s], messages[s],
            publicKeyRoot[s], signatureR8Root[s]
        );
    }
}
