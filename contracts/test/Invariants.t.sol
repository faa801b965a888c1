// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ZkPerp} from "../src/ZkPerp.sol";
import {MockQuoteToken} from "../src/test-tokens/MockQuoteToken.sol";
import {BatchHeader, Proof, StoredBatchInfo} from "../src/types/ZkPerpTypes.sol";
import {Vm} from "./base/Vm.sol";
import {CommitmentCheckingVerifierDouble} from "./helpers/BatchVerifierDoubles.sol";
import {ZkPerpFixture} from "./helpers/ZkPerpFixture.sol";

/// @notice Drives ZkPerp with random deposits, forced-withdrawal requests, batches (priority records in queue order,
/// forced withdrawals paying up to their request, plus withdrawals within the proven collateral), pulls, exodus and
/// refunds; ghost variables record what the contract must never do.
contract ZkPerpHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    uint256 internal constant MASK = (1 << 253) - 1;
    uint256 internal constant KEY_X = 5299619240641551281634865583518297030282874472190772894086521144482721001553;
    uint256 internal constant KEY_Y = 16950150798460657717958625567821834550301663161624707787222815936182638968203;

    ZkPerp internal immutable perp;
    MockQuoteToken internal immutable token;
    CommitmentCheckingVerifierDouble internal immutable verifier;
    address internal immutable operator;
    uint256 internal immutable slots;

    StoredBatchInfo public last;
    bytes[] internal queued; // records, by priority index
    address[3] internal users = [address(0x1001), address(0x1002), address(0x1003)];

    uint256 public ghostVerifiedBatches;
    bool public ghostRootChangedWithoutProof;
    bool public ghostExodusSeen;
    bool public ghostExodusReverted;

    constructor(ZkPerp perp_, MockQuoteToken token_, CommitmentCheckingVerifierDouble verifier_, address operator_,
        StoredBatchInfo memory genesis, uint256 slots_) {
        perp = perp_;
        token = token_;
        verifier = verifier_;
        operator = operator_;
        last = genesis;
        slots = slots_;
    }

    function _observe() internal {
        if (ghostExodusSeen && !perp.exodusActive()) ghostExodusReverted = true;
        if (perp.exodusActive()) ghostExodusSeen = true;
    }

    function deposit(uint256 userSeed, uint256 amount, bool topUp) external {
        if (perp.exodusActive()) return;
        address user = users[userSeed % 3];
        amount = 1 + amount % 1e12;
        token.mint(user, amount);
        vm.startPrank(user);
        token.approve(address(perp), amount);
        uint32 next = perp.nextAccountIndex();
        if (topUp) {
            uint32 index = uint32(userSeed % next);
            perp.depositTo(index, amount);
            queued.push(bytes.concat(bytes1(0x01), bytes1(0), bytes3(uint24(index)), bytes7(uint56(amount)), bytes20(user)));
        } else if (next < 8) { // the L1 range of a depth-2 tree is [2, 8)
            perp.depositNewAccount(user, KEY_X, KEY_Y, 0, amount);
            queued.push(bytes.concat(bytes1(0x02), bytes1(0), bytes3(uint24(next)), bytes7(uint56(amount)), bytes20(user),
                bytes32(0x8b7d2d877a253c4b7733e1b91f05e0fcedf96bd11c2e572549b2a0f703727925)));
        }
        vm.stopPrank();
        _observe();
    }

    function requestForcedWithdrawal(uint256 userSeed, uint256 amount) external {
        if (perp.exodusActive()) return;
        uint32 next = perp.nextAccountIndex();
        if (next <= 2) return;
        address user = users[userSeed % 3];
        uint32 index = uint32(2 + userSeed % (next - 2));
        amount = amount % 1e12;
        vm.prank(user);
        perp.requestForcedWithdrawal(index, amount);
        // `withdrawn` (bytes 4..12) is filled in when a batch processes it.
        queued.push(bytes.concat(bytes1(0x05), bytes3(uint24(index)), bytes8(0), bytes20(user), bytes8(uint64(amount)),
            bytes24(0)));
        _observe();
    }

    /// @dev A copy of a queued forced-withdrawal record paying min(requested, budget); returns it and the amount.
    function _forcedRecord(bytes memory queuedRecord, uint256 budget) internal pure returns (bytes memory record, uint256 paid) {
        record = bytes.concat(queuedRecord);
        uint256 requested;
        assembly {
            requested := shr(192, mload(add(record, 64)))
        }
        paid = requested < budget ? requested : budget;
        for (uint256 i = 0; i < 8; ++i) {
            record[4 + i] = bytes1(uint8(paid >> (8 * (7 - i))));
        }
    }

    function submitBatch(uint256 priorityCount, uint256 withdrawAmount, bool validProof) external {
        if (perp.exodusActive()) return;
        uint256 head = perp.priorityHead();
        uint256 pending = queued.length - head;
        priorityCount = pending == 0 ? 0 : priorityCount % (pending + 1);
        bytes memory pubdata;
        uint256 chunks;
        uint256 deposited;
        uint256 forcedPaid;
        for (uint256 i = 0; i < priorityCount; ++i) {
            bytes memory record = queued[head + i];
            if (chunks + record.length / 32 > slots - 2) break; // room for the 2-chunk withdrawal
            if (record[0] == 0x05) {
                uint256 paid;
                (record, paid) = _forcedRecord(record, perp.provenCollateral() + deposited - forcedPaid);
                forcedPaid += paid;
            } else {
                deposited += uint56(bytes7(bytes32(record) << 40));
            }
            pubdata = bytes.concat(pubdata, record);
            chunks += record.length / 32;
        }
        uint256 available = perp.provenCollateral() + deposited - forcedPaid;
        withdrawAmount = available == 0 ? 0 : withdrawAmount % (available + 1);
        if (withdrawAmount != 0) {
            pubdata = bytes.concat(pubdata, bytes1(0x04), bytes3(uint24(2)), bytes8(uint64(withdrawAmount)), bytes20(users[withdrawAmount % 3]),
                bytes4(uint32(withdrawAmount)), bytes28(0));
        }
        BatchHeader memory header = BatchHeader(last.batchNumber + 1, uint64(block.timestamp), bytes32(uint256(keccak256(pubdata)) % 1e70));
        bytes memory padded = new bytes(slots * 32);
        for (uint256 i = 0; i < pubdata.length; ++i) padded[i] = pubdata[i];
        uint256 commitment = uint256(sha256(abi.encodePacked(last.stateRoot, header.newStateRoot, header.timestamp, padded))) & MASK;
        verifier.expect(validProof ? commitment : commitment ^ 1, 1);
        Proof memory proof;
        proof.a[0] = 1;
        bytes32 before = perp.lastBatchHash();
        vm.prank(operator);
        try perp.submitBatch(last, header, pubdata, proof) {
            ghostVerifiedBatches++;
            last = StoredBatchInfo(header.batchNumber, header.timestamp, header.newStateRoot, commitment);
            if (!validProof) ghostRootChangedWithoutProof = true;
        } catch {
            if (perp.lastBatchHash() != before) ghostRootChangedWithoutProof = true;
        }
        _observe();
    }

    function withdraw(uint256 userSeed) external {
        address user = users[userSeed % 3];
        if (perp.pendingWithdrawals(user) == 0) return;
        vm.prank(user);
        perp.withdraw(user);
        _observe();
    }

    function warpAndActivate(uint256 seconds_) external {
        vm.warp(block.timestamp + seconds_ % 5 days);
        try perp.activateExodus() {} catch {}
        _observe();
    }

    function refund(uint256 indexSeed) external {
        if (!perp.exodusActive() || queued.length == 0) return;
        uint256 index = indexSeed % queued.length;
        try perp.refundDeposit(uint64(index), queued[index]) {} catch {}
        _observe();
    }
}

contract ZkPerpInvariantTest is ZkPerpFixture {
    ZkPerpHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new ZkPerpHandler(perp, token, verifier, OPERATOR, lastBatch, BATCH_SLOTS);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function invariant_balanceCoversLiabilities() public view {
        assertTrue(
            token.balanceOf(address(perp))
                >= uint256(perp.totalPendingWithdrawals()) + perp.totalUnprocessedDeposits() + perp.provenCollateral(),
            "balance >= pending withdrawals + unprocessed deposits + proven collateral"
        );
    }

    function invariant_rootMovesOnlyThroughVerifiedProof() public view {
        assertFalse(handler.ghostRootChangedWithoutProof(), "root changed without a verified proof");
        assertEq(perp.lastBatchNumber(), handler.ghostVerifiedBatches(), "batches == verified proofs");
    }

    function invariant_exodusIsIrreversible() public view {
        assertFalse(handler.ghostExodusReverted(), "exodus reverted");
    }
}
