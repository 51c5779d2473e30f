// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title NodeRegistry
/// @notice The on-chain membership of a validator network. An operator stakes at
/// least `minStake` to register a node key; the node key's Ethereum address is the
/// node ID, its public key is the node's libp2p identity and the key that signs its
/// gossip. Every state change emits an event so that daemons follow the registry by
/// events and never poll per node.
///
/// Accountability: time is cut into fixed report windows of `reportWindow` seconds
/// (window w covers [w * reportWindow, (w + 1) * reportWindow)). Once a window is
/// over, anyone may submit a report that a node was offline in it, carrying
/// attestations signed by the node keys of active registered observers, each over
/// `attestDigest(node, window, offlineSeconds)`. The report is accepted when more than
/// two thirds of the node's committee for that window attest at least
/// `offlineThreshold` offline seconds. The committee is every other active node
/// while there are at most `committeeSize` of them, and otherwise a sortition of
/// expected size `committeeSize`, so that a report's gas stays bounded at any network
/// size. An accepted report jails the node (it leaves the active set at once) and
/// slashes `slashBps` of its stake to `slashSink`; its operator may `unjail` it after
/// `jailPeriod` seconds. Slowness is never reportable: only offline seconds count.
contract NodeRegistry {
    // ---------------------------------------------------------------- types

    enum Role {
        Validator,
        Coordinator
    }

    enum Status {
        None,
        Active,
        Exiting,
        Withdrawn,
        Jailed
    }

    struct Node {
        address id;
        address operator;
        bytes pubKey;
        string[] multiaddrs;
        string metadata;
        uint256 stake;
        Role role;
        Status status;
        uint64 registeredAt;
        uint64 withdrawableAt;
        uint64 activeSince; // timestamp of the block that last made the node active
        uint64 jailedUntil; // while jailed: when the operator may unjail
    }

    /// @notice The accountability parameters, fixed at deploy.
    struct Accountability {
        uint64 reportWindow; // seconds per report window
        uint64 offlineThreshold; // offline seconds in a window that make a node reportable
        uint64 reportDeadline; // seconds after a window's end during which it may be reported
        uint64 jailPeriod; // seconds a jailed node stays out before its operator may unjail
        uint16 slashBps; // share of the stake slashed per accepted report, in basis points
        uint32 committeeSize; // observers per report window whose attestations count
        address slashSink; // where slashed stake goes (sweepSlashed)
    }

    // ---------------------------------------------------------------- bounds

    /// @notice Domain tag of the proof of possession. The node key signs
    /// keccak256(abi.encode(POP_DOMAIN, block.chainid, address(this), operator)).
    bytes32 public constant POP_DOMAIN = keccak256("validator.NodeRegistry.register.v1");
    uint256 public constant PUBKEY_LENGTH = 64;
    uint256 public constant MAX_MULTIADDRS = 8;
    uint256 public constant MAX_MULTIADDR_LENGTH = 256;
    uint256 public constant MAX_METADATA_LENGTH = 1024;
    uint256 public constant MAX_PAGE = 1000;

    /// @notice Domain tag of an offline attestation. An observer's node key signs
    /// keccak256(abi.encode(ATTEST_DOMAIN, block.chainid, address(this), node, window,
    /// offlineSeconds)).
    bytes32 public constant ATTEST_DOMAIN = keccak256("validator.NodeRegistry.offline.v1");
    /// @notice Domain tag of the committee sortition.
    bytes32 public constant COMMITTEE_DOMAIN = keccak256("validator.NodeRegistry.committee.v1");
    uint256 public constant MAX_BPS = 10000;

    // secp256k1n / 2: signatures with a higher s are malleable duplicates.
    uint256 private constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    // ---------------------------------------------------------------- state

    address public admin;
    uint256 public immutable minStake;
    uint64 public immutable unbondingPeriod;

    uint64 public immutable reportWindow;
    uint64 public immutable offlineThreshold;
    uint64 public immutable reportDeadline;
    uint64 public immutable jailPeriod;
    uint16 public immutable slashBps;
    uint32 public immutable committeeSize;
    address public immutable slashSink;

    /// @notice Slashed stake not yet sent to `slashSink`.
    uint256 public slashedPending;

    mapping(address => Node) private nodes;
    mapping(address => mapping(uint64 => bool)) private reported; // node => window => reported
    address[] private active;
    mapping(address => uint256) private activeSlot; // index in `active` plus one
    uint256 private locked = 1;

    // ---------------------------------------------------------------- events

    event NodeRegistered(
        address indexed id,
        address indexed operator,
        bytes pubKey,
        string[] multiaddrs,
        string metadata,
        uint256 stake,
        Role role,
        uint64 activeSince
    );
    event AddrsUpdated(address indexed id, string[] multiaddrs);
    event MetadataUpdated(address indexed id, string metadata);
    event StakeAdded(address indexed id, uint256 amount, uint256 stake);
    event ExitRequested(address indexed id, uint64 withdrawableAt);
    event Withdrawn(address indexed id, address indexed operator, uint256 amount);
    event RoleChanged(address indexed id, Role role);
    event AdminChanged(address indexed previousAdmin, address indexed newAdmin);
    event OfflineReported(address indexed id, uint64 indexed window, address reporter, uint256 attesters, uint256 quorum);
    event Slashed(address indexed id, uint256 amount, uint256 stake);
    event Jailed(address indexed id, uint64 window, uint64 jailedUntil);
    /// @notice A jailed node is back in the active set; carries what a follower of
    /// the active set needs, as NodeRegistered does.
    event Unjailed(
        address indexed id,
        address indexed operator,
        bytes pubKey,
        string[] multiaddrs,
        string metadata,
        uint256 stake,
        Role role,
        uint64 registeredAt,
        uint64 activeSince
    );
    event SlashSwept(address indexed to, uint256 amount);

    // ---------------------------------------------------------------- errors

    error StakeTooLow(uint256 sent, uint256 minimum);
    error BadPubKey();
    error BadProof();
    error KeyAlreadyRegistered(address id);
    error NoMultiaddrs();
    error TooManyMultiaddrs(uint256 count, uint256 maximum);
    error EmptyMultiaddr(uint256 index);
    error MultiaddrTooLong(uint256 index, uint256 length, uint256 maximum);
    error MetadataTooLong(uint256 length, uint256 maximum);
    error UnknownNode(address id);
    error NotOperator(address caller, address operator);
    error NotAdmin(address caller);
    error NotActive(address id);
    error NotExiting(address id);
    error StillBonded(uint64 withdrawableAt);
    error ZeroAmount();
    error ZeroAddress();
    error TransferFailed();
    error Reentrancy();
    error PageTooLarge(uint256 limit, uint256 maximum);
    error BadParameter(string name);
    error WindowNotOver(uint64 window, uint256 endsAt);
    error WindowTooOld(uint64 window, uint256 deadline);
    error AlreadyReported(address id, uint64 window);
    error NoObservers(address id);
    error AttestersNotSorted(uint256 index);
    error LengthMismatch();
    error SelfAttestation(address attester);
    error AttesterNotActive(address attester);
    error AttesterTooNew(address attester, uint64 activeSince);
    error NotInCommittee(address attester);
    error OfflineBelowThreshold(address attester, uint64 offlineSeconds, uint64 threshold);
    error OfflineAboveWindow(address attester, uint64 offlineSeconds, uint64 window);
    error BadAttestation(address attester);
    error QuorumNotReached(uint256 attesters, uint256 quorum);
    error NotJailed(address id);
    error StillJailed(uint64 jailedUntil);

    // ---------------------------------------------------------------- modifiers

    modifier onlyAdmin() {
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        _;
    }

    modifier onlyOperator(address id) {
        Node storage n = nodes[id];
        if (n.status == Status.None) revert UnknownNode(id);
        if (msg.sender != n.operator) revert NotOperator(msg.sender, n.operator);
        _;
    }

    modifier nonReentrant() {
        if (locked != 1) revert Reentrancy();
        locked = 2;
        _;
        locked = 1;
    }

    constructor(address admin_, uint256 minStake_, uint64 unbondingPeriod_, Accountability memory acc) {
        if (admin_ == address(0)) revert ZeroAddress();
        if (minStake_ == 0) revert ZeroAmount();
        if (acc.reportWindow == 0) revert BadParameter("reportWindow");
        if (acc.offlineThreshold == 0 || acc.offlineThreshold > acc.reportWindow) revert BadParameter("offlineThreshold");
        if (acc.reportDeadline == 0) revert BadParameter("reportDeadline");
        if (acc.slashBps > MAX_BPS) revert BadParameter("slashBps");
        if (acc.committeeSize == 0) revert BadParameter("committeeSize");
        if (acc.slashBps > 0 && acc.slashSink == address(0)) revert BadParameter("slashSink");
        admin = admin_;
        minStake = minStake_;
        unbondingPeriod = unbondingPeriod_;
        reportWindow = acc.reportWindow;
        offlineThreshold = acc.offlineThreshold;
        reportDeadline = acc.reportDeadline;
        jailPeriod = acc.jailPeriod;
        slashBps = acc.slashBps;
        committeeSize = acc.committeeSize;
        slashSink = acc.slashSink;
        emit AdminChanged(address(0), admin_);
    }

    // ---------------------------------------------------------------- operator

    /// @notice Registers the node whose uncompressed secp256k1 public key (64 bytes,
    /// no 0x04 prefix) is `pubKey`, staking `msg.value`. `popSignature` is the node
    /// key's 65-byte [r || s || v] signature over `popDigest(msg.sender)`.
    function register(
        bytes calldata pubKey,
        string[] calldata multiaddrs,
        string calldata metadata,
        bytes calldata popSignature
    ) external payable returns (address id) {
        if (msg.value < minStake) revert StakeTooLow(msg.value, minStake);
        if (pubKey.length != PUBKEY_LENGTH) revert BadPubKey();
        id = address(uint160(uint256(keccak256(pubKey))));
        if (nodes[id].status != Status.None) revert KeyAlreadyRegistered(id);
        if (_recover(popDigest(msg.sender), popSignature) != id) revert BadProof();
        _checkAddrs(multiaddrs);
        _checkMetadata(metadata);

        Node storage n = nodes[id];
        n.id = id;
        n.operator = msg.sender;
        n.pubKey = pubKey;
        for (uint256 i = 0; i < multiaddrs.length; i++) {
            n.multiaddrs.push(multiaddrs[i]);
        }
        n.metadata = metadata;
        n.stake = msg.value;
        n.role = Role.Validator;
        n.status = Status.Active;
        n.registeredAt = uint64(block.number);
        n.activeSince = uint64(block.timestamp);
        active.push(id);
        activeSlot[id] = active.length;

        emit NodeRegistered(id, msg.sender, pubKey, multiaddrs, metadata, msg.value, Role.Validator, n.activeSince);
    }

    function updateAddrs(address id, string[] calldata multiaddrs) external onlyOperator(id) {
        if (nodes[id].status != Status.Active) revert NotActive(id);
        _checkAddrs(multiaddrs);
        Node storage n = nodes[id];
        delete n.multiaddrs;
        for (uint256 i = 0; i < multiaddrs.length; i++) {
            n.multiaddrs.push(multiaddrs[i]);
        }
        emit AddrsUpdated(id, multiaddrs);
    }

    function updateMetadata(address id, string calldata metadata) external onlyOperator(id) {
        if (nodes[id].status != Status.Active) revert NotActive(id);
        _checkMetadata(metadata);
        nodes[id].metadata = metadata;
        emit MetadataUpdated(id, metadata);
    }

    function addStake(address id) external payable onlyOperator(id) {
        if (nodes[id].status != Status.Active) revert NotActive(id);
        if (msg.value == 0) revert ZeroAmount();
        uint256 total = nodes[id].stake + msg.value;
        nodes[id].stake = total;
        emit StakeAdded(id, msg.value, total);
    }

    /// @notice Leaves the active set at once; the stake can be withdrawn after
    /// `unbondingPeriod` seconds. A jailed node may exit too; its stake is
    /// withdrawable no earlier than the end of its jail period.
    function requestExit(address id) external onlyOperator(id) {
        Node storage n = nodes[id];
        bool jailed = n.status == Status.Jailed;
        if (n.status != Status.Active && !jailed) revert NotActive(id);
        uint64 at = uint64(block.timestamp) + unbondingPeriod;
        if (jailed && n.jailedUntil > at) at = n.jailedUntil;
        n.status = Status.Exiting;
        n.withdrawableAt = at;
        n.jailedUntil = 0;
        if (!jailed) _removeActive(id);
        emit ExitRequested(id, at);
    }

    /// @notice Returns a jailed node to the active set once its jail period is
    /// over. `msg.value` tops up the stake, which must be at least `minStake`.
    function unjail(address id) external payable onlyOperator(id) {
        Node storage n = nodes[id];
        if (n.status != Status.Jailed) revert NotJailed(id);
        if (block.timestamp < n.jailedUntil) revert StillJailed(n.jailedUntil);
        uint256 total = n.stake + msg.value;
        if (total < minStake) revert StakeTooLow(total, minStake);
        n.stake = total;
        n.status = Status.Active;
        n.jailedUntil = 0;
        n.activeSince = uint64(block.timestamp);
        active.push(id);
        activeSlot[id] = active.length;
        emit Unjailed(id, n.operator, n.pubKey, n.multiaddrs, n.metadata, total, n.role, n.registeredAt, n.activeSince);
    }

    // ---------------------------------------------------------------- accountability

    /// @notice Reports `id` offline in `window`. `attesters` must be strictly
    /// ascending; `offlineSeconds[i]` is what attester i saw and `signatures[i]` its
    /// node key's 65-byte [r || s || v] signature over
    /// `attestDigest(id, window, offlineSeconds[i])`. Every attester must be active
    /// now and since before the window began, in the node's committee for the
    /// window, and attest at least `offlineThreshold` seconds; more than two thirds
    /// of the committee must attest. The node is jailed and slashed.
    function reportOffline(
        address id,
        uint64 window,
        address[] calldata attesters,
        uint64[] calldata offlineSeconds,
        bytes[] calldata signatures
    ) external nonReentrant {
        if (attesters.length != offlineSeconds.length || attesters.length != signatures.length) {
            revert LengthMismatch();
        }
        uint256 needed = _verifyReport(id, window, attesters, offlineSeconds, signatures);
        reported[id][window] = true;
        Node storage n = nodes[id];
        uint256 slash = (n.stake * slashBps) / MAX_BPS;
        n.stake -= slash;
        slashedPending += slash;
        uint64 until = uint64(block.timestamp) + jailPeriod;
        n.status = Status.Jailed;
        n.jailedUntil = until;
        _removeActive(id);
        emit OfflineReported(id, window, msg.sender, attesters.length, needed);
        emit Slashed(id, slash, n.stake);
        emit Jailed(id, window, until);
    }

    /// @notice Sends the slashed stake to `slashSink`. Anyone may call it.
    function sweepSlashed() external nonReentrant {
        uint256 amount = slashedPending;
        if (amount == 0) revert ZeroAmount();
        slashedPending = 0;
        emit SlashSwept(slashSink, amount);
        (bool ok, ) = payable(slashSink).call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    function withdraw(address id) external nonReentrant onlyOperator(id) {
        Node storage n = nodes[id];
        if (n.status != Status.Exiting) revert NotExiting(id);
        if (block.timestamp < n.withdrawableAt) revert StillBonded(n.withdrawableAt);
        uint256 amount = n.stake;
        n.stake = 0;
        n.status = Status.Withdrawn;
        emit Withdrawn(id, msg.sender, amount);
        (bool ok, ) = payable(msg.sender).call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    // ---------------------------------------------------------------- admin

    function setRole(address id, Role role) external onlyAdmin {
        Node storage n = nodes[id];
        if (n.status == Status.None) revert UnknownNode(id);
        if (n.status != Status.Active) revert NotActive(id);
        n.role = role;
        emit RoleChanged(id, role);
    }

    function transferAdmin(address newAdmin) external onlyAdmin {
        if (newAdmin == address(0)) revert ZeroAddress();
        emit AdminChanged(admin, newAdmin);
        admin = newAdmin;
    }

    // ---------------------------------------------------------------- views

    /// @notice The digest the node key signs to prove possession when `operator`
    /// registers it on this registry and chain.
    function popDigest(address operator) public view returns (bytes32) {
        return keccak256(abi.encode(POP_DOMAIN, block.chainid, address(this), operator));
    }

    /// @notice The digest an observer's node key signs to attest that `id` was
    /// offline `offlineSeconds` seconds in `window`.
    function attestDigest(address id, uint64 window, uint64 offlineSeconds) public view returns (bytes32) {
        return keccak256(abi.encode(ATTEST_DOMAIN, block.chainid, address(this), id, window, offlineSeconds));
    }

    /// @notice The report window that contains timestamp `t`.
    function windowAt(uint64 t) external view returns (uint64) {
        return t / reportWindow;
    }

    /// @notice With the active set as it is now: how many observers a report
    /// about an active node has (every active node but the reported one), the
    /// committee's nominal size, and how many attestations it needs.
    function quorum() external view returns (uint256 observers, uint256 committee, uint256 needed) {
        (observers, needed) = _quorum();
        committee = observers > committeeSize ? committeeSize : observers;
    }

    /// @notice Whether `observer` is in `id`'s committee for `window`, with the
    /// active set as it is now.
    function inCommittee(address id, uint64 window, address observer) external view returns (bool) {
        (uint256 observers, ) = _quorum();
        return observer != id && _inCommittee(id, window, observer, observers);
    }

    /// @notice Whether `id` has been reported offline in `window`.
    function isReported(address id, uint64 window) external view returns (bool) {
        return reported[id][window];
    }

    /// @notice Number of active nodes.
    function nodeCount() external view returns (uint256) {
        return active.length;
    }

    /// @notice Active nodes [offset, offset+limit), with all fields. Order is stable
    /// within a block; read every page at the same block number.
    function getNodes(uint256 offset, uint256 limit) external view returns (Node[] memory page) {
        if (limit > MAX_PAGE) revert PageTooLarge(limit, MAX_PAGE);
        uint256 total = active.length;
        if (offset >= total) return new Node[](0);
        uint256 end = offset + limit;
        if (end > total) end = total;
        page = new Node[](end - offset);
        for (uint256 i = offset; i < end; i++) {
            page[i - offset] = nodes[active[i]];
        }
    }

    /// @notice Any node ever registered, whatever its status; status None if unknown.
    function getNode(address id) external view returns (Node memory) {
        return nodes[id];
    }

    function isActive(address id) external view returns (bool) {
        return nodes[id].status == Status.Active;
    }

    // ---------------------------------------------------------------- internal

    function _checkAddrs(string[] calldata multiaddrs) private pure {
        if (multiaddrs.length == 0) revert NoMultiaddrs();
        if (multiaddrs.length > MAX_MULTIADDRS) revert TooManyMultiaddrs(multiaddrs.length, MAX_MULTIADDRS);
        for (uint256 i = 0; i < multiaddrs.length; i++) {
            uint256 l = bytes(multiaddrs[i]).length;
            if (l == 0) revert EmptyMultiaddr(i);
            if (l > MAX_MULTIADDR_LENGTH) revert MultiaddrTooLong(i, l, MAX_MULTIADDR_LENGTH);
        }
    }

    function _checkMetadata(string calldata metadata) private pure {
        if (bytes(metadata).length > MAX_METADATA_LENGTH) {
            revert MetadataTooLong(bytes(metadata).length, MAX_METADATA_LENGTH);
        }
    }

    function _removeActive(address id) private {
        uint256 slot = activeSlot[id];
        uint256 last = active.length;
        if (slot != last) {
            address moved = active[last - 1];
            active[slot - 1] = moved;
            activeSlot[moved] = slot;
        }
        active.pop();
        delete activeSlot[id];
    }

    // Observers of a report are the active nodes but the reported one (which must be
    // active). The committee is all of them up to committeeSize, else a sortition of
    // expected size committeeSize; more than two thirds of its nominal size must attest.
    function _quorum() private view returns (uint256 observers, uint256 needed) {
        if (active.length < 2) return (0, 1);
        observers = active.length - 1;
        uint256 c = observers > committeeSize ? committeeSize : observers;
        needed = (2 * c) / 3 + 1;
    }

    function _inCommittee(address id, uint64 window, address observer, uint256 observers) private view returns (bool) {
        if (observers <= committeeSize) return true;
        uint256 h = uint256(keccak256(abi.encode(COMMITTEE_DOMAIN, block.chainid, address(this), id, window, observer)));
        return h % observers < committeeSize;
    }

    // Checks a report's node, window and attestations; returns the quorum it met.
    function _verifyReport(
        address id,
        uint64 window,
        address[] calldata attesters,
        uint64[] calldata offlineSeconds,
        bytes[] calldata signatures
    ) private view returns (uint256 needed) {
        if (nodes[id].status != Status.Active) revert NotActive(id);
        uint256 start = uint256(window) * reportWindow;
        uint256 end = start + reportWindow;
        if (block.timestamp < end) revert WindowNotOver(window, end);
        if (block.timestamp > end + reportDeadline) revert WindowTooOld(window, end + reportDeadline);
        if (reported[id][window]) revert AlreadyReported(id, window);
        uint256 observers;
        (observers, needed) = _quorum();
        if (observers == 0) revert NoObservers(id);
        Report memory r = Report(id, window, start, observers);
        address prev = address(0);
        for (uint256 i = 0; i < attesters.length; i++) {
            if (attesters[i] <= prev) revert AttestersNotSorted(i);
            prev = attesters[i];
            _checkAttestation(r, attesters[i], offlineSeconds[i], signatures[i]);
        }
        if (attesters.length < needed) revert QuorumNotReached(attesters.length, needed);
    }

    // A report being checked: kept in memory to spare the stack.
    struct Report {
        address id;
        uint64 window;
        uint256 start;
        uint256 observers;
    }

    function _checkAttestation(Report memory r, address a, uint64 off, bytes calldata sig) private view {
        if (a == r.id) revert SelfAttestation(a);
        Node storage o = nodes[a];
        if (o.status != Status.Active) revert AttesterNotActive(a);
        if (o.activeSince > r.start) revert AttesterTooNew(a, o.activeSince);
        if (!_inCommittee(r.id, r.window, a, r.observers)) revert NotInCommittee(a);
        if (off < offlineThreshold) revert OfflineBelowThreshold(a, off, offlineThreshold);
        if (off > reportWindow) revert OfflineAboveWindow(a, off, reportWindow);
        if (_recoverAttestation(attestDigest(r.id, r.window, off), sig) != a) revert BadAttestation(a);
    }

    function _recoverAttestation(bytes32 digest, bytes calldata sig) private pure returns (address) {
        if (sig.length != 65) return address(0);
        bytes32 r = bytes32(sig[0:32]);
        bytes32 s = bytes32(sig[32:64]);
        uint8 v = uint8(sig[64]);
        if (v < 27) v += 27;
        if ((v != 27 && v != 28) || uint256(s) > HALF_N) return address(0);
        return ecrecover(digest, v, r, s);
    }

    function _recover(bytes32 digest, bytes calldata sig) private pure returns (address) {
        if (sig.length != 65) revert BadProof();
        bytes32 r = bytes32(sig[0:32]);
        bytes32 s = bytes32(sig[32:64]);
        uint8 v = uint8(sig[64]);
        if (v < 27) v += 27;
        if (v != 27 && v != 28) revert BadProof();
        if (uint256(s) > HALF_N) revert BadProof();
        address signer = ecrecover(digest, v, r, s);
        if (signer == address(0)) revert BadProof();
        return signer;
    }
}
