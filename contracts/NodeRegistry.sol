// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title NodeRegistry
/// @notice The on-chain membership of a validator network. An operator stakes at
/// least `minStake` to register a node key; the node key's Ethereum address is the
/// node ID, its public key is the node's libp2p identity and the key that signs its
/// gossip. Every state change emits an event so that daemons follow the registry by
/// events and never poll per node.
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
        Withdrawn
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

    // secp256k1n / 2: signatures with a higher s are malleable duplicates.
    uint256 private constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    // ---------------------------------------------------------------- state

    address public admin;
    uint256 public immutable minStake;
    uint64 public immutable unbondingPeriod;

    mapping(address => Node) private nodes;
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
        Role role
    );
    event AddrsUpdated(address indexed id, string[] multiaddrs);
    event MetadataUpdated(address indexed id, string metadata);
    event StakeAdded(address indexed id, uint256 amount, uint256 stake);
    event ExitRequested(address indexed id, uint64 withdrawableAt);
    event Withdrawn(address indexed id, address indexed operator, uint256 amount);
    event RoleChanged(address indexed id, Role role);
    event AdminChanged(address indexed previousAdmin, address indexed newAdmin);

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

    constructor(address admin_, uint256 minStake_, uint64 unbondingPeriod_) {
        if (admin_ == address(0)) revert ZeroAddress();
        if (minStake_ == 0) revert ZeroAmount();
        admin = admin_;
        minStake = minStake_;
        unbondingPeriod = unbondingPeriod_;
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
        active.push(id);
        activeSlot[id] = active.length;

        emit NodeRegistered(id, msg.sender, pubKey, multiaddrs, metadata, msg.value, Role.Validator);
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
    /// `unbondingPeriod` seconds.
    function requestExit(address id) external onlyOperator(id) {
        Node storage n = nodes[id];
        if (n.status != Status.Active) revert NotActive(id);
        uint64 at = uint64(block.timestamp) + unbondingPeriod;
        n.status = Status.Exiting;
        n.withdrawableAt = at;
        _removeActive(id);
        emit ExitRequested(id, at);
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
