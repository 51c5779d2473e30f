// Code generated - DO NOT EDIT.
// This file is a generated binding and any manual changes will be lost.

package abi

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/event"
)

// Reference imports to suppress errors if they are not otherwise used.
var (
	_ = errors.New
	_ = big.NewInt
	_ = strings.NewReader
	_ = ethereum.NotFound
	_ = bind.Bind
	_ = common.Big1
	_ = types.BloomLookup
	_ = event.NewSubscription
	_ = abi.ConvertType
	_ = time.Tick
	_ = context.Background
)

// NodeRegistryAccountability is an auto generated low-level Go binding around an user-defined struct.
type NodeRegistryAccountability struct {
	ReportWindow     uint64
	OfflineThreshold uint64
	ReportDeadline   uint64
	JailPeriod       uint64
	SlashBps         uint16
	CommitteeSize    uint32
	SlashSink        common.Address
}

// NodeRegistryNode is an auto generated low-level Go binding around an user-defined struct.
type NodeRegistryNode struct {
	Id             common.Address
	Operator       common.Address
	PubKey         []byte
	Multiaddrs     []string
	Metadata       string
	Stake          *big.Int
	Role           uint8
	Status         uint8
	RegisteredAt   uint64
	WithdrawableAt uint64
	ActiveSince    uint64
	JailedUntil    uint64
}

// NodeRegistryMetaData contains all meta data concerning the NodeRegistry contract.
var NodeRegistryMetaData = &bind.MetaData{
	ABI: "[{\"inputs\":[{\"internalType\":\"address\",\"name\":\"admin_\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"minStake_\",\"type\":\"uint256\"},{\"internalType\":\"uint64\",\"name\":\"unbondingPeriod_\",\"type\":\"uint64\"},{\"components\":[{\"internalType\":\"uint64\",\"name\":\"reportWindow\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"offlineThreshold\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"reportDeadline\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"jailPeriod\",\"type\":\"uint64\"},{\"internalType\":\"uint16\",\"name\":\"slashBps\",\"type\":\"uint16\"},{\"internalType\":\"uint32\",\"name\":\"committeeSize\",\"type\":\"uint32\"},{\"internalType\":\"address\",\"name\":\"slashSink\",\"type\":\"address\"}],\"internalType\":\"structNodeRegistry.Accountability\",\"name\":\"acc\",\"type\":\"tuple\"}],\"stateMutability\":\"nonpayable\",\"type\":\"constructor\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"},{\"internalType\":\"uint64\",\"name\":\"window\",\"type\":\"uint64\"}],\"name\":\"AlreadyReported\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"attester\",\"type\":\"address\"}],\"name\":\"AttesterNotActive\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"attester\",\"type\":\"address\"},{\"internalType\":\"uint64\",\"name\":\"activeSince\",\"type\":\"uint64\"}],\"name\":\"AttesterTooNew\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"index\",\"type\":\"uint256\"}],\"name\":\"AttestersNotSorted\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"attester\",\"type\":\"address\"}],\"name\":\"BadAttestation\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"string\",\"name\":\"name\",\"type\":\"string\"}],\"name\":\"BadParameter\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"BadProof\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"BadPubKey\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"index\",\"type\":\"uint256\"}],\"name\":\"EmptyMultiaddr\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"}],\"name\":\"KeyAlreadyRegistered\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"LengthMismatch\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"length\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"maximum\",\"type\":\"uint256\"}],\"name\":\"MetadataTooLong\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"index\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"length\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"maximum\",\"type\":\"uint256\"}],\"name\":\"MultiaddrTooLong\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"NoMultiaddrs\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"}],\"name\":\"NoObservers\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"}],\"name\":\"NotActive\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"caller\",\"type\":\"address\"}],\"name\":\"NotAdmin\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"}],\"name\":\"NotExiting\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"attester\",\"type\":\"address\"}],\"name\":\"NotInCommittee\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"}],\"name\":\"NotJailed\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"caller\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"operator\",\"type\":\"address\"}],\"name\":\"NotOperator\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"attester\",\"type\":\"address\"},{\"internalType\":\"uint64\",\"name\":\"offlineSeconds\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"window\",\"type\":\"uint64\"}],\"name\":\"OfflineAboveWindow\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"attester\",\"type\":\"address\"},{\"internalType\":\"uint64\",\"name\":\"offlineSeconds\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"threshold\",\"type\":\"uint64\"}],\"name\":\"OfflineBelowThreshold\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"limit\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"maximum\",\"type\":\"uint256\"}],\"name\":\"PageTooLarge\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"attesters\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"quorum\",\"type\":\"uint256\"}],\"name\":\"QuorumNotReached\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"Reentrancy\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"attester\",\"type\":\"address\"}],\"name\":\"SelfAttestation\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"sent\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"minimum\",\"type\":\"uint256\"}],\"name\":\"StakeTooLow\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"withdrawableAt\",\"type\":\"uint64\"}],\"name\":\"StillBonded\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"jailedUntil\",\"type\":\"uint64\"}],\"name\":\"StillJailed\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"count\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"maximum\",\"type\":\"uint256\"}],\"name\":\"TooManyMultiaddrs\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"TransferFailed\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"}],\"name\":\"UnknownNode\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"window\",\"type\":\"uint64\"},{\"internalType\":\"uint256\",\"name\":\"endsAt\",\"type\":\"uint256\"}],\"name\":\"WindowNotOver\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"window\",\"type\":\"uint64\"},{\"internalType\":\"uint256\",\"name\":\"deadline\",\"type\":\"uint256\"}],\"name\":\"WindowTooOld\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ZeroAddress\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ZeroAmount\",\"type\":\"error\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"string[]\",\"name\":\"multiaddrs\",\"type\":\"string[]\"}],\"name\":\"AddrsUpdated\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"previousAdmin\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"newAdmin\",\"type\":\"address\"}],\"name\":\"AdminChanged\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint64\",\"name\":\"withdrawableAt\",\"type\":\"uint64\"}],\"name\":\"ExitRequested\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint64\",\"name\":\"window\",\"type\":\"uint64\"},{\"indexed\":false,\"internalType\":\"uint64\",\"name\":\"jailedUntil\",\"type\":\"uint64\"}],\"name\":\"Jailed\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"string\",\"name\":\"metadata\",\"type\":\"string\"}],\"name\":\"MetadataUpdated\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"operator\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"bytes\",\"name\":\"pubKey\",\"type\":\"bytes\"},{\"indexed\":false,\"internalType\":\"string[]\",\"name\":\"multiaddrs\",\"type\":\"string[]\"},{\"indexed\":false,\"internalType\":\"string\",\"name\":\"metadata\",\"type\":\"string\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"stake\",\"type\":\"uint256\"},{\"indexed\":false,\"internalType\":\"enumNodeRegistry.Role\",\"name\":\"role\",\"type\":\"uint8\"},{\"indexed\":false,\"internalType\":\"uint64\",\"name\":\"activeSince\",\"type\":\"uint64\"}],\"name\":\"NodeRegistered\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"window\",\"type\":\"uint64\"},{\"indexed\":false,\"internalType\":\"address\",\"name\":\"reporter\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"attesters\",\"type\":\"uint256\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"quorum\",\"type\":\"uint256\"}],\"name\":\"OfflineReported\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"enumNodeRegistry.Role\",\"name\":\"role\",\"type\":\"uint8\"}],\"name\":\"RoleChanged\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"SlashSwept\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"stake\",\"type\":\"uint256\"}],\"name\":\"Slashed\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"stake\",\"type\":\"uint256\"}],\"name\":\"StakeAdded\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"operator\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"bytes\",\"name\":\"pubKey\",\"type\":\"bytes\"},{\"indexed\":false,\"internalType\":\"string[]\",\"name\":\"multiaddrs\",\"type\":\"string[]\"},{\"indexed\":false,\"internalType\":\"string\",\"name\":\"metadata\",\"type\":\"string\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"stake\",\"type\":\"uint256\"},{\"indexed\":false,\"internalType\":\"enumNodeRegistry.Role\",\"name\":\"role\",\"type\":\"uint8\"},{\"indexed\":false,\"internalType\":\"uint64\",\"name\":\"registeredAt\",\"type\":\"uint64\"},{\"indexed\":false,\"internalType\":\"uint64\",\"name\":\"activeSince\",\"type\":\"uint64\"}],\"name\":\"Unjailed\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"operator\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"Withdrawn\",\"type\":\"event\"},{\"inputs\":[],\"name\":\"ATTEST_DOMAIN\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"COMMITTEE_DOMAIN\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"MAX_BPS\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"MAX_METADATA_LENGTH\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"MAX_MULTIADDRS\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"MAX_MULTIADDR_LENGTH\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"MAX_PAGE\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"POP_DOMAIN\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"PUBKEY_LENGTH\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"}],\"name\":\"addStake\",\"outputs\":[],\"stateMutability\":\"payable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"admin\",\"outputs\":[{\"internalType\":\"address\",\"name\":\"\",\"type\":\"address\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"},{\"internalType\":\"uint64\",\"name\":\"window\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"offlineSeconds\",\"type\":\"uint64\"}],\"name\":\"attestDigest\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"committeeSize\",\"outputs\":[{\"internalType\":\"uint32\",\"name\":\"\",\"type\":\"uint32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"}],\"name\":\"getNode\",\"outputs\":[{\"components\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"operator\",\"type\":\"address\"},{\"internalType\":\"bytes\",\"name\":\"pubKey\",\"type\":\"bytes\"},{\"internalType\":\"string[]\",\"name\":\"multiaddrs\",\"type\":\"string[]\"},{\"internalType\":\"string\",\"name\":\"metadata\",\"type\":\"string\"},{\"internalType\":\"uint256\",\"name\":\"stake\",\"type\":\"uint256\"},{\"internalType\":\"enumNodeRegistry.Role\",\"name\":\"role\",\"type\":\"uint8\"},{\"internalType\":\"enumNodeRegistry.Status\",\"name\":\"status\",\"type\":\"uint8\"},{\"internalType\":\"uint64\",\"name\":\"registeredAt\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"withdrawableAt\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"activeSince\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"jailedUntil\",\"type\":\"uint64\"}],\"internalType\":\"structNodeRegistry.Node\",\"name\":\"\",\"type\":\"tuple\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"offset\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"limit\",\"type\":\"uint256\"}],\"name\":\"getNodes\",\"outputs\":[{\"components\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"operator\",\"type\":\"address\"},{\"internalType\":\"bytes\",\"name\":\"pubKey\",\"type\":\"bytes\"},{\"internalType\":\"string[]\",\"name\":\"multiaddrs\",\"type\":\"string[]\"},{\"internalType\":\"string\",\"name\":\"metadata\",\"type\":\"string\"},{\"internalType\":\"uint256\",\"name\":\"stake\",\"type\":\"uint256\"},{\"internalType\":\"enumNodeRegistry.Role\",\"name\":\"role\",\"type\":\"uint8\"},{\"internalType\":\"enumNodeRegistry.Status\",\"name\":\"status\",\"type\":\"uint8\"},{\"internalType\":\"uint64\",\"name\":\"registeredAt\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"withdrawableAt\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"activeSince\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"jailedUntil\",\"type\":\"uint64\"}],\"internalType\":\"structNodeRegistry.Node[]\",\"name\":\"page\",\"type\":\"tuple[]\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"},{\"internalType\":\"uint64\",\"name\":\"window\",\"type\":\"uint64\"},{\"internalType\":\"address\",\"name\":\"observer\",\"type\":\"address\"}],\"name\":\"inCommittee\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"}],\"name\":\"isActive\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"},{\"internalType\":\"uint64\",\"name\":\"window\",\"type\":\"uint64\"}],\"name\":\"isReported\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"jailPeriod\",\"outputs\":[{\"internalType\":\"uint64\",\"name\":\"\",\"type\":\"uint64\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"minStake\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"nodeCount\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"offlineThreshold\",\"outputs\":[{\"internalType\":\"uint64\",\"name\":\"\",\"type\":\"uint64\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"operator\",\"type\":\"address\"}],\"name\":\"popDigest\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"quorum\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"observers\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"committee\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"needed\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes\",\"name\":\"pubKey\",\"type\":\"bytes\"},{\"internalType\":\"string[]\",\"name\":\"multiaddrs\",\"type\":\"string[]\"},{\"internalType\":\"string\",\"name\":\"metadata\",\"type\":\"string\"},{\"internalType\":\"bytes\",\"name\":\"popSignature\",\"type\":\"bytes\"}],\"name\":\"register\",\"outputs\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"}],\"stateMutability\":\"payable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"reportDeadline\",\"outputs\":[{\"internalType\":\"uint64\",\"name\":\"\",\"type\":\"uint64\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"},{\"internalType\":\"uint64\",\"name\":\"window\",\"type\":\"uint64\"},{\"internalType\":\"address[]\",\"name\":\"attesters\",\"type\":\"address[]\"},{\"internalType\":\"uint64[]\",\"name\":\"offlineSeconds\",\"type\":\"uint64[]\"},{\"internalType\":\"bytes[]\",\"name\":\"signatures\",\"type\":\"bytes[]\"}],\"name\":\"reportOffline\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"reportWindow\",\"outputs\":[{\"internalType\":\"uint64\",\"name\":\"\",\"type\":\"uint64\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"}],\"name\":\"requestExit\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"},{\"internalType\":\"enumNodeRegistry.Role\",\"name\":\"role\",\"type\":\"uint8\"}],\"name\":\"setRole\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"slashBps\",\"outputs\":[{\"internalType\":\"uint16\",\"name\":\"\",\"type\":\"uint16\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"slashSink\",\"outputs\":[{\"internalType\":\"address\",\"name\":\"\",\"type\":\"address\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"slashedPending\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"sweepSlashed\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"newAdmin\",\"type\":\"address\"}],\"name\":\"transferAdmin\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"unbondingPeriod\",\"outputs\":[{\"internalType\":\"uint64\",\"name\":\"\",\"type\":\"uint64\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"}],\"name\":\"unjail\",\"outputs\":[],\"stateMutability\":\"payable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"},{\"internalType\":\"string[]\",\"name\":\"multiaddrs\",\"type\":\"string[]\"}],\"name\":\"updateAddrs\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"},{\"internalType\":\"string\",\"name\":\"metadata\",\"type\":\"string\"}],\"name\":\"updateMetadata\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"t\",\"type\":\"uint64\"}],\"name\":\"windowAt\",\"outputs\":[{\"internalType\":\"uint64\",\"name\":\"\",\"type\":\"uint64\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"id\",\"type\":\"address\"}],\"name\":\"withdraw\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"}]",
	Bin: "0x6101a06040526001600655348015610015575f5ffd5b506040516146d63803806146d68339810160408190526100349161037e565b6001600160a01b03841661005b5760405163d92e233d60e01b815260040160405180910390fd5b825f0361007b57604051631f2a200560e01b815260040160405180910390fd5b80516001600160401b03165f036100c95760405163e70e701560e01b815260206004820152600c60248201526b7265706f727457696e646f7760a01b60448201526064015b60405180910390fd5b60208101516001600160401b031615806100fb5750805f01516001600160401b031681602001516001600160401b0316115b1561013c5760405163e70e701560e01b815260206004820152601060248201526f1bd9999b1a5b99551a1c995cda1bdb1960821b60448201526064016100c0565b80604001516001600160401b03165f0361018a5760405163e70e701560e01b815260206004820152600e60248201526d7265706f7274446561646c696e6560901b60448201526064016100c0565b612710816080015161ffff1611156101d05760405163e70e701560e01b8152602060048201526008602482015267736c61736842707360c01b60448201526064016100c0565b8060a0015163ffffffff165f0361021a5760405163e70e701560e01b815260206004820152600d60248201526c636f6d6d697474656553697a6560981b60448201526064016100c0565b5f816080015161ffff1611801561023c575060c08101516001600160a01b0316155b156102765760405163e70e701560e01b8152602060048201526009602482015268736c61736853696e6b60b81b60448201526064016100c0565b5f80546001600160a01b0319166001600160a01b03868116918217835560808681526001600160401b0386811660a09081528651821660c09081526020880151831660e0526040808901518416610100526060890151909316610120529287015161ffff166101405286015163ffffffff16610160529085015190911661018052519091907f7e644d79422f17c01e4894b5f4f588d331ebfa28653d42ae832dc59e38c9798f908290a350505050610477565b80516001600160a01b038116811461033f575f5ffd5b919050565b80516001600160401b038116811461033f575f5ffd5b805161ffff8116811461033f575f5ffd5b805163ffffffff8116811461033f575f5ffd5b5f5f5f5f848603610140811215610393575f5ffd5b61039c86610329565b9450602086015193506103b160408701610344565b925060e0605f19820112156103c4575f5ffd5b5060405160e081016001600160401b03811182821017156103f357634e487b7160e01b5f52604160045260245ffd5b60405261040260608701610344565b815261041060808701610344565b602082015261042160a08701610344565b604082015261043260c08701610344565b606082015261044360e0870161035a565b6080820152610455610100870161036b565b60a08201526104676101208701610329565b60c0820152939692955090935050565b60805160a05160c05160e05161010051610120516101405161016051610180516141526105845f395f818161075901528181611cc90152611d2201525f8181610619015281816110e90152818161111701528181612874015281816128a701528181612f6f015261302601525f818161031c015261196201525f818161055701526119cb01525f818161025201528181612b060152612b4101525f81816106f30152818161319d015261320301525f8181610726015281816110ad01528181612a6501528181612a9e01528181613232015261329801525f818161059f015261127e01525f81816103f7015281816114c70152818161150301528181611e3e0152611e7901526141525ff3fe60806040526004361061023d575f3560e01c806369fc09b911610134578063c5d862b3116100b3578063dcb6777911610078578063dcb67779146107cd578063e47c746814610800578063e8868e9f1461081f578063ee879d3914610834578063f851a44014610849578063fd967f4714610867575f5ffd5b8063c5d862b3146106e2578063d57b480414610715578063d93319be14610748578063d9384f381461077b578063da38d498146107ae575f5ffd5b80639cf4364b116100f95780639cf4364b146106085780639d209048146106505780639f8a13d71461067c578063a4d55d1d1461069b578063ab46e917146106af575f5ffd5b806369fc09b9146105795780636cf6d6751461058e5780636da49b83146105c157806375829def146105d55780638c50d529146105f4575f5ffd5b8063375b3c0a116101c0578063628b6ae211610185578063628b6ae21461048957806362ced90f146104e857806364b6fdcc146104fc578063653b41d91461051b578063660f5c1714610546575f5ffd5b8063375b3c0a146103e6578063449ecfe61461041957806351cff8d91461042c57806352c0324f1461044b578063571c3e601461046a575f5ffd5b806310767904116102065780631076790414610351578063146ce75f146103645780631703a0181461038357806321175e92146103b257806328cb1e38146103c7575f5ffd5b80622c2ab114610241578063035c057e14610291578063038d67e8146102b257806303a71456146102de5780630681e6511461030b575b5f5ffd5b34801561024c575f5ffd5b506102747f000000000000000000000000000000000000000000000000000000000000000081565b6040516001600160401b0390911681526020015b60405180910390f35b34801561029c575f5ffd5b506102b06102ab3660046135b0565b61087c565b005b3480156102bd575f5ffd5b506102d16102cc3660046135fe565b610a5a565b6040516102889190613803565b3480156102e9575f5ffd5b506102fd6102f8366004613866565b610e93565b604051908152602001610288565b348015610316575f5ffd5b5061033e7f000000000000000000000000000000000000000000000000000000000000000081565b60405161ffff9091168152602001610288565b6102b061035f366004613866565b610efc565b34801561036f575f5ffd5b5061027461037e366004613895565b6110a7565b34801561038e575f5ffd5b506103976110d2565b60408051938452602084019290925290820152606001610288565b3480156103bd575f5ffd5b506102fd60015481565b3480156103d2575f5ffd5b506102b06103e1366004613866565b611144565b3480156103f1575f5ffd5b506102fd7f000000000000000000000000000000000000000000000000000000000000000081565b6102b0610427366004613866565b61136f565b348015610437575f5ffd5b506102b0610446366004613866565b611658565b348015610456575f5ffd5b506102b06104653660046138ae565b6118a3565b348015610475575f5ffd5b506102b061048436600461396a565b611b32565b348015610494575f5ffd5b506104d86104a33660046139a2565b6001600160a01b0382165f9081526003602090815260408083206001600160401b038516845290915290205460ff1692915050565b6040519015158152602001610288565b3480156104f3575f5ffd5b506102b0611c71565b348015610507575f5ffd5b506102fd6105163660046139d3565b611db8565b61052e610529366004613a50565b611e3b565b6040516001600160a01b039091168152602001610288565b348015610551575f5ffd5b506102747f000000000000000000000000000000000000000000000000000000000000000081565b348015610584575f5ffd5b506102fd6103e881565b348015610599575f5ffd5b506102747f000000000000000000000000000000000000000000000000000000000000000081565b3480156105cc575f5ffd5b506004546102fd565b3480156105e0575f5ffd5b506102b06105ef366004613866565b6121c2565b3480156105ff575f5ffd5b506102fd600881565b348015610613575f5ffd5b5061063b7f000000000000000000000000000000000000000000000000000000000000000081565b60405163ffffffff9091168152602001610288565b34801561065b575f5ffd5b5061066f61066a366004613866565b61226e565b6040516102889190613b06565b348015610687575f5ffd5b506104d8610696366004613866565b612567565b3480156106a6575f5ffd5b506102fd604081565b3480156106ba575f5ffd5b506102fd7f4447ebd607388e80741853d40424a5178fe8c3953f2f44e462e9b71420e16c5481565b3480156106ed575f5ffd5b506102747f000000000000000000000000000000000000000000000000000000000000000081565b348015610720575f5ffd5b506102747f000000000000000000000000000000000000000000000000000000000000000081565b348015610753575f5ffd5b5061052e7f000000000000000000000000000000000000000000000000000000000000000081565b348015610786575f5ffd5b506102fd7fdfba94a4af864fcfa5bb0b0705df772a597f124163669a6e5034e1d457649e3e81565b3480156107b9575f5ffd5b506102b06107c8366004613b18565b6125a5565b3480156107d8575f5ffd5b506102fd7f6eededf46b06ab7daa82350901baccb392927ba5bce799797d512f4c3cc985ba81565b34801561080b575f5ffd5b506104d861081a366004613b59565b612722565b34801561082a575f5ffd5b506102fd61040081565b34801561083f575f5ffd5b506102fd61010081565b348015610854575f5ffd5b505f5461052e906001600160a01b031681565b348015610872575f5ffd5b506102fd61271081565b6001600160a01b0383165f90815260026020526040812084916006820154610100900460ff1660048111156108b3576108b36136a6565b036108e15760405163f517438960e01b81526001600160a01b03831660048201526024015b60405180910390fd5b60018101546001600160a01b031633146109255760018101546040516311ce341560e21b81523360048201526001600160a01b0390911660248201526044016108d8565b60016001600160a01b0386165f90815260026020526040902060060154610100900460ff16600481111561095b5761095b6136a6565b1461098457604051634022bc5560e01b81526001600160a01b03861660048201526024016108d8565b61098e8484612761565b6001600160a01b0385165f908152600260205260408120906109b490600383019061344c565b5f5b84811015610a0e57816003018686838181106109d4576109d4613b90565b90506020028101906109e69190613ba4565b82546001810184555f938452602090932090920191610a059183613c7d565b506001016109b6565b50856001600160a01b03167f74de0646ecc0a3ee68128c0add31b4e7fffc678d03fd1e0380512a6ef7c1e15f8686604051610a4a929190613de6565b60405180910390a2505050505050565b60606103e8821115610a8a576040516324120e2560e21b8152600481018390526103e860248201526044016108d8565b600454808410610acd57604080515f8082526020820190925290610ac4565b610ab161346a565b815260200190600190039081610aa95790505b50915050610e8d565b5f610ad88486613e0d565b905081811115610ae55750805b610aef8582613e20565b6001600160401b03811115610b0657610b06613be6565b604051908082528060200260200182016040528015610b3f57816020015b610b2c61346a565b815260200190600190039081610b245790505b509250845b81811015610e895760025f60048381548110610b6257610b62613b90565b5f9182526020808320909101546001600160a01b0390811684528382019490945260409283019091208251610180810184528154851681526001820154909416918401919091526002810180549192840191610bbd90613bfa565b80601f0160208091040260200160405190810160405280929190818152602001828054610be990613bfa565b8015610c345780601f10610c0b57610100808354040283529160200191610c34565b820191905f5260205f20905b815481529060010190602001808311610c1757829003601f168201915b5050505050815260200160038201805480602002602001604051908101604052809291908181526020015f905b82821015610d09578382905f5260205f20018054610c7e90613bfa565b80601f0160208091040260200160405190810160405280929190818152602001828054610caa90613bfa565b8015610cf55780601f10610ccc57610100808354040283529160200191610cf5565b820191905f5260205f20905b815481529060010190602001808311610cd857829003601f168201915b505050505081526020019060010190610c61565b505050508152602001600482018054610d2190613bfa565b80601f0160208091040260200160405190810160405280929190818152602001828054610d4d90613bfa565b8015610d985780601f10610d6f57610100808354040283529160200191610d98565b820191905f5260205f20905b815481529060010190602001808311610d7b57829003601f168201915b505050918352505060058201546020820152600682015460409091019060ff166001811115610dc957610dc96136a6565b6001811115610dda57610dda6136a6565b81526020016006820160019054906101000a900460ff166004811115610e0257610e026136a6565b6004811115610e1357610e136136a6565b815260068201546001600160401b0362010000820481166020840152600160501b820481166040840152600160901b9091048116606083015260079092015490911660809091015284610e668884613e20565b81518110610e7657610e76613b90565b6020908102919091010152600101610b44565b5050505b92915050565b604080517f6eededf46b06ab7daa82350901baccb392927ba5bce799797d512f4c3cc985ba602082015246918101919091523060608201526001600160a01b03821660808201525f9060a001604051602081830303815290604052805190602001209050919050565b6001600160a01b0381165f90815260026020526040812082916006820154610100900460ff166004811115610f3357610f336136a6565b03610f5c5760405163f517438960e01b81526001600160a01b03831660048201526024016108d8565b60018101546001600160a01b03163314610fa05760018101546040516311ce341560e21b81523360048201526001600160a01b0390911660248201526044016108d8565b60016001600160a01b0384165f90815260026020526040902060060154610100900460ff166004811115610fd657610fd66136a6565b14610fff57604051634022bc5560e01b81526001600160a01b03841660048201526024016108d8565b345f0361101f57604051631f2a200560e01b815260040160405180910390fd5b6001600160a01b0383165f90815260026020526040812060050154611045903490613e0d565b6001600160a01b0385165f81815260026020908152604091829020600501849055815134815290810184905292935090917f270d6dd254edd1d985c81cf7861b8f28fb06b6d719df04d90464034d43412440910160405180910390a250505050565b5f610e8d7f000000000000000000000000000000000000000000000000000000000000000083613e47565b5f5f5f6110dd612847565b909350905063ffffffff7f0000000000000000000000000000000000000000000000000000000000000000168311611115578261113d565b7f000000000000000000000000000000000000000000000000000000000000000063ffffffff165b9150909192565b6001600160a01b0381165f90815260026020526040812082916006820154610100900460ff16600481111561117b5761117b6136a6565b036111a45760405163f517438960e01b81526001600160a01b03831660048201526024016108d8565b60018101546001600160a01b031633146111e85760018101546040516311ce341560e21b81523360048201526001600160a01b0390911660248201526044016108d8565b6001600160a01b0383165f9081526002602052604081209060046006830154610100900460ff166004811115611220576112206136a6565b14905060016006830154610100900460ff166004811115611243576112436136a6565b1415801561124f575080155b1561127857604051634022bc5560e01b81526001600160a01b03861660048201526024016108d8565b5f6112a37f000000000000000000000000000000000000000000000000000000000000000042613e74565b90508180156112c1575060078301546001600160401b038083169116115b156112d6575060078201546001600160401b03165b6006830180546001600160401b038316600160501b0271ffffffffffffffff0000000000000000ff00199091161761020017905560078301805467ffffffffffffffff191690558161132b5761132b866128f8565b6040516001600160401b03821681526001600160a01b038716907f12af565fbdd53c6be7b24b4d08750ab523585c012527663059a728d6bf640d5190602001610a4a565b6001600160a01b0381165f90815260026020526040812082916006820154610100900460ff1660048111156113a6576113a66136a6565b036113cf5760405163f517438960e01b81526001600160a01b03831660048201526024016108d8565b60018101546001600160a01b031633146114135760018101546040516311ce341560e21b81523360048201526001600160a01b0390911660248201526044016108d8565b6001600160a01b0383165f90815260026020526040902060046006820154610100900460ff16600481111561144a5761144a6136a6565b1461147357604051634940fde960e11b81526001600160a01b03851660048201526024016108d8565b60078101546001600160401b03164210156114b2576007810154604051639c52043f60e01b81526001600160401b0390911660048201526024016108d8565b5f3482600501546114c39190613e0d565b90507f000000000000000000000000000000000000000000000000000000000000000081101561152f5760405163829f116360e01b8152600481018290527f000000000000000000000000000000000000000000000000000000000000000060248201526044016108d8565b600582810182905560068301805460078501805467ffffffffffffffff19169055426001600160401b03908116600160901b90810279ffffffffffffffff00000000000000000000000000000000ff00199093169290921761010017835560048054600181810183557f8a35acfbc15ff81a39ae7d344fd709f28e8600b4aa8c65c6b64bfe7fe36bd19b90910180546001600160a01b038d81166001600160a01b0319909216821790925583545f82815260209990995260409889902055918901549554965195169590947f81250cdf4d52a35ba209c982e16633e0852bf120ccecbc220c5ff56b541c5836946116499460028b019460038c0194908c01938b9360ff831693620100008404811693919091041690613f11565b60405180910390a35050505050565b60065460011461167b5760405163558a1e0360e11b815260040160405180910390fd5b600260068190556001600160a01b0382165f9081526020919091526040812082916006820154610100900460ff1660048111156116ba576116ba6136a6565b036116e35760405163f517438960e01b81526001600160a01b03831660048201526024016108d8565b60018101546001600160a01b031633146117275760018101546040516311ce341560e21b81523360048201526001600160a01b0390911660248201526044016108d8565b6001600160a01b0383165f908152600260208190526040909120906006820154610100900460ff166004811115611760576117606136a6565b146117895760405163b4ddacd360e01b81526001600160a01b03851660048201526024016108d8565b6006810154600160501b90046001600160401b03164210156117d557600681015460405163669c898b60e11b8152600160501b9091046001600160401b031660048201526024016108d8565b6005810180545f90915560068201805461ff00191661030017905560408051828152905133916001600160a01b038816917fd1c19fbcd4551a5edfb66d43d2e337c04837afda3482b42bdf569a8fccdae5fb9181900360200190a36040515f90339083908381818185875af1925050503d805f811461186f576040519150601f19603f3d011682016040523d82523d5f602084013e611874565b606091505b5050905080611896576040516312171d8360e31b815260040160405180910390fd5b5050600160065550505050565b6006546001146118c65760405163558a1e0360e11b815260040160405180910390fd5b600260065584831415806118da5750848114155b156118fb576040516001621398b960e31b0319815260040160405180910390fd5b5f61190c89898989898989896129f7565b6001600160a01b038a165f8181526003602090815260408083206001600160401b038e1684528252808320805460ff1916600117905592825260029052908120600581015492935091612710906119889061ffff7f00000000000000000000000000000000000000000000000000000000000000001690613fd0565b6119929190613fe7565b905080826005015f8282546119a79190613e20565b925050819055508060015f8282546119bf9190613e0d565b909155505f90506119f07f000000000000000000000000000000000000000000000000000000000000000042613e74565b60068401805461ff00191661040017905560078401805467ffffffffffffffff19166001600160401b0383161790559050611a2a8c6128f8565b60408051338152602081018b90529081018590526001600160401b038c16906001600160a01b038e16907f16d2b5422bc061927d15d2c16849b400903dbc360f51b707721e9c14f6bb445e9060600160405180910390a38b6001600160a01b03167f45a371af55b0726877a30f464edc14db5879ab096590bacce682cf6c18223596838560050154604051611ac9929190918252602082015260400190565b60405180910390a2604080516001600160401b03808e168252831660208201526001600160a01b038e16917f937dd0cbfcd17e637a8afc36b690ce6f7220b0c0c464d69b3b45c4c69e2d7883910160405180910390a25050600160065550505050505050505050565b5f546001600160a01b03163314611b5e57604051630bd4212160e11b81523360048201526024016108d8565b6001600160a01b0382165f908152600260205260408120906006820154610100900460ff166004811115611b9457611b946136a6565b03611bbd5760405163f517438960e01b81526001600160a01b03841660048201526024016108d8565b60016006820154610100900460ff166004811115611bdd57611bdd6136a6565b14611c0657604051634022bc5560e01b81526001600160a01b03841660048201526024016108d8565b60068101805483919060ff191660018381811115611c2657611c266136a6565b0217905550826001600160a01b03167f3cdc6ed770815602e888513518c6a3c86c2238544ea0e0086d6647e30b387afe83604051611c649190613ffa565b60405180910390a2505050565b600654600114611c945760405163558a1e0360e11b815260040160405180910390fd5b60026006556001545f819003611cbd57604051631f2a200560e01b815260040160405180910390fd5b5f6001556040518181527f00000000000000000000000000000000000000000000000000000000000000006001600160a01b0316907f0c8f6875eef908dc340632d7c54a78c288b672d6fb82c36897b9ac10cc33a94f9060200160405180910390a25f7f00000000000000000000000000000000000000000000000000000000000000006001600160a01b0316826040515f6040518083038185875af1925050503d805f8114611d88576040519150601f19603f3d011682016040523d82523d5f602084013e611d8d565b606091505b5050905080611daf576040516312171d8360e31b815260040160405180910390fd5b50506001600655565b604080517f4447ebd607388e80741853d40424a5178fe8c3953f2f44e462e9b71420e16c54602082015246918101919091523060608201526001600160a01b03841660808201526001600160401b0380841660a0830152821660c08201525f9060e0016040516020818303038152906040528051906020012090505b9392505050565b5f7f0000000000000000000000000000000000000000000000000000000000000000341015611ea55760405163829f116360e01b81523460048201527f000000000000000000000000000000000000000000000000000000000000000060248201526044016108d8565b60408814611ec6576040516347b2a39960e11b815260040160405180910390fd5b8888604051611ed6929190614008565b60405190819003902090505f6001600160a01b0382165f90815260026020526040902060060154610100900460ff166004811115611f1657611f166136a6565b14611f3f57604051634f2034ad60e11b81526001600160a01b03821660048201526024016108d8565b806001600160a01b0316611f5c611f5533610e93565b8585612db2565b6001600160a01b031614611f8357604051637ca55c7760e01b815260040160405180910390fd5b611f8d8787612761565b611f978585612f3a565b6001600160a01b0381165f81815260026020819052604090912080546001600160a01b0319908116909317815560018101805490931633179092558101611fdf8a8c83613c7d565b505f5b8781101561203a578160030189898381811061200057612000613b90565b90506020028101906120129190613ba4565b82546001810184555f9384526020909320909201916120319183613c7d565b50600101611fe2565b506004810161204a868883613c7d565b503460058201556006810180545f919060ff191660018302179055506006810180546001919061ff001916610100830217905550438160060160026101000a8154816001600160401b0302191690836001600160401b03160217905550428160060160126101000a8154816001600160401b0302191690836001600160401b03160217905550600482908060018154018082558091505060019003905f5260205f20015f9091909190916101000a8154816001600160a01b0302191690836001600160a01b0316021790555060048054905060055f846001600160a01b03166001600160a01b031681526020019081526020015f2081905550336001600160a01b0316826001600160a01b03167f83f632de0c56524a223446dcedb61b0e8fa3f327e871269be6cbfc5fb7b5ee708c8c8c8c8c8c345f8b60060160129054906101000a90046001600160401b03166040516121ad99989796959493929190614017565b60405180910390a35098975050505050505050565b5f546001600160a01b031633146121ee57604051630bd4212160e11b81523360048201526024016108d8565b6001600160a01b0381166122155760405163d92e233d60e01b815260040160405180910390fd5b5f80546040516001600160a01b03808516939216917f7e644d79422f17c01e4894b5f4f588d331ebfa28653d42ae832dc59e38c9798f91a35f80546001600160a01b0319166001600160a01b0392909216919091179055565b61227661346a565b6001600160a01b038083165f90815260026020818152604092839020835161018081018552815486168152600182015490951691850191909152908101805491928401916122c390613bfa565b80601f01602080910402602001604051908101604052809291908181526020018280546122ef90613bfa565b801561233a5780601f106123115761010080835404028352916020019161233a565b820191905f5260205f20905b81548152906001019060200180831161231d57829003601f168201915b5050505050815260200160038201805480602002602001604051908101604052809291908181526020015f905b8282101561240f578382905f5260205f2001805461238490613bfa565b80601f01602080910402602001604051908101604052809291908181526020018280546123b090613bfa565b80156123fb5780601f106123d2576101008083540402835291602001916123fb565b820191905f5260205f20905b8154815290600101906020018083116123de57829003601f168201915b505050505081526020019060010190612367565b50505050815260200160048201805461242790613bfa565b80601f016020809104026020016040519081016040528092919081815260200182805461245390613bfa565b801561249e5780601f106124755761010080835404028352916020019161249e565b820191905f5260205f20905b81548152906001019060200180831161248157829003601f168201915b505050918352505060058201546020820152600682015460409091019060ff1660018111156124cf576124cf6136a6565b60018111156124e0576124e06136a6565b81526020016006820160019054906101000a900460ff166004811115612508576125086136a6565b6004811115612519576125196136a6565b815260068201546001600160401b0362010000820481166020840152600160501b820481166040840152600160901b9091048116606083015260079092015490911660809091015292915050565b5f60016001600160a01b0383165f90815260026020526040902060060154610100900460ff16600481111561259e5761259e6136a6565b1492915050565b6001600160a01b0383165f90815260026020526040812084916006820154610100900460ff1660048111156125dc576125dc6136a6565b036126055760405163f517438960e01b81526001600160a01b03831660048201526024016108d8565b60018101546001600160a01b031633146126495760018101546040516311ce341560e21b81523360048201526001600160a01b0390911660248201526044016108d8565b60016001600160a01b0386165f90815260026020526040902060060154610100900460ff16600481111561267f5761267f6136a6565b146126a857604051634022bc5560e01b81526001600160a01b03861660048201526024016108d8565b6126b28484612f3a565b6001600160a01b0385165f9081526002602052604090206004016126d7848683613c7d565b50846001600160a01b03167f2013570c343af8ab14a9778150e381a0fda34ed6368127a95fd5e7210cbec5bf8585604051612713929190614085565b60405180910390a25050505050565b5f5f61272c612847565b509050846001600160a01b0316836001600160a01b031614158015612758575061275885858584612f6c565b95945050505050565b5f819003612782576040516314780b8760e21b815260040160405180910390fd5b60088111156127ae57604051633f84d4f360e11b815260048101829052600860248201526044016108d8565b5f5b81811015612842575f8383838181106127cb576127cb613b90565b90506020028101906127dd9190613ba4565b90509050805f036128045760405163100a13e160e31b8152600481018390526024016108d8565b61010081111561283957604051636725b92160e01b8152600481018390526024810182905261010060448201526064016108d8565b506001016127b0565b505050565b5f5f6002600480549050101561286057505f9160019150565b60045461286f90600190613e20565b91505f7f000000000000000000000000000000000000000000000000000000000000000063ffffffff1683116128a557826128cd565b7f000000000000000000000000000000000000000000000000000000000000000063ffffffff165b905060036128dc826002613fd0565b6128e69190613fe7565b6128f1906001613e0d565b9150509091565b6001600160a01b0381165f908152600560205260409020546004548082146129a6575f6004612928600184613e20565b8154811061293857612938613b90565b5f918252602090912001546001600160a01b0316905080600461295c600186613e20565b8154811061296c5761296c613b90565b5f91825260208083209190910180546001600160a01b0319166001600160a01b039485161790559290911681526005909152604090208290555b60048054806129b7576129b7614098565b5f828152602080822083015f1990810180546001600160a01b03191690559092019092556001600160a01b03949094168152600590935250506040812055565b5f60016001600160a01b038a165f90815260026020526040902060060154610100900460ff166004811115612a2e57612a2e6136a6565b14612a5757604051634022bc5560e01b81526001600160a01b038a1660048201526024016108d8565b5f612a8e6001600160401b037f00000000000000000000000000000000000000000000000000000000000000008116908b16613fd0565b90505f612ac46001600160401b037f00000000000000000000000000000000000000000000000000000000000000001683613e0d565b905080421015612af957604051630a54a29560e11b81526001600160401b038b166004820152602481018290526044016108d8565b612b2c6001600160401b037f00000000000000000000000000000000000000000000000000000000000000001682613e0d565b421115612b915789612b676001600160401b037f00000000000000000000000000000000000000000000000000000000000000001683613e0d565b604051638eafec2f60e01b81526001600160401b03909216600483015260248201526044016108d8565b6001600160a01b038b165f9081526003602090815260408083206001600160401b038e16845290915290205460ff1615612bf857604051630e881bb960e01b81526001600160a01b038c1660048201526001600160401b038b1660248201526044016108d8565b5f612c01612847565b945090505f819003612c31576040516306884b4f60e11b81526001600160a01b038d1660048201526024016108d8565b604080516080810182526001600160a01b038e1681526001600160401b038d166020820152908101849052606081018290525f805b8b811015612d7557816001600160a01b03168d8d83818110612c8a57612c8a613b90565b9050602002016020810190612c9f9190613866565b6001600160a01b031611612cc95760405163145ba44960e01b8152600481018290526024016108d8565b8c8c82818110612cdb57612cdb613b90565b9050602002016020810190612cf09190613866565b9150612d6d838e8e84818110612d0857612d08613b90565b9050602002016020810190612d1d9190613866565b8d8d85818110612d2f57612d2f613b90565b9050602002016020810190612d449190613895565b8c8c86818110612d5657612d56613b90565b9050602002810190612d689190613ba4565b61305d565b600101612c66565b50858b1015612da157604051631a88566160e21b8152600481018c9052602481018790526044016108d8565b505050505098975050505050505050565b5f60418214612dd457604051637ca55c7760e01b815260040160405180910390fd5b5f612de260208285876140ac565b612deb916140d3565b90505f612dfc6040602086886140ac565b612e05916140d3565b90505f85856040818110612e1b57612e1b613b90565b919091013560f81c915050601b811015612e3d57612e3a601b826140f0565b90505b8060ff16601b14158015612e5557508060ff16601c14155b15612e7357604051637ca55c7760e01b815260040160405180910390fd5b6fa2a8918ca85bafe22016d0b997e4df60600160ff1b03821115612eaa57604051637ca55c7760e01b815260040160405180910390fd5b604080515f808252602082018084528a905260ff841692820192909252606081018590526080810184905260019060a0016020604051602081039080840390855afa158015612efb573d5f5f3e3d5ffd5b5050604051601f1901519150506001600160a01b038116612f2f57604051637ca55c7760e01b815260040160405180910390fd5b979650505050505050565b610400811115612f6857604051634d82db5360e11b81526004810182905261040060248201526044016108d8565b5050565b5f7f000000000000000000000000000000000000000000000000000000000000000063ffffffff168211612fa257506001613055565b604080517fdfba94a4af864fcfa5bb0b0705df772a597f124163669a6e5034e1d457649e3e602082015246918101919091523060608201526001600160a01b0380871660808301526001600160401b03861660a0830152841660c08201525f9060e00160408051601f198184030181529190528051602090910120905063ffffffff7f0000000000000000000000000000000000000000000000000000000000000000166130508483614109565b109150505b949350505050565b845f01516001600160a01b0316846001600160a01b03160361309d5760405163dd17678b60e01b81526001600160a01b03851660048201526024016108d8565b6001600160a01b0384165f90815260026020526040902060016006820154610100900460ff1660048111156130d4576130d46136a6565b146130fd576040516311790dcf60e11b81526001600160a01b03861660048201526024016108d8565b60408601516006820154600160901b90046001600160401b0316111561315c576006810154604051631440dc0b60e31b81526001600160a01b0387166004820152600160901b9091046001600160401b031660248201526044016108d8565b613173865f01518760200151878960600151612f6c565b61319b57604051631c14903760e11b81526001600160a01b03861660048201526024016108d8565b7f00000000000000000000000000000000000000000000000000000000000000006001600160401b0316846001600160401b03161015613230576040516319dcf95360e11b81526001600160a01b03861660048201526001600160401b0380861660248301527f00000000000000000000000000000000000000000000000000000000000000001660448201526064016108d8565b7f00000000000000000000000000000000000000000000000000000000000000006001600160401b0316846001600160401b031611156132c557604051631e89f6ef60e11b81526001600160a01b03861660048201526001600160401b0380861660248301527f00000000000000000000000000000000000000000000000000000000000000001660448201526064016108d8565b846001600160a01b03166132eb6132e4885f0151896020015188611db8565b8585613325565b6001600160a01b03161461331d576040516340cd048360e01b81526001600160a01b03861660048201526024016108d8565b505050505050565b5f6041821461333557505f611e34565b5f61334360208285876140ac565b61334c916140d3565b90505f61335d6040602086886140ac565b613366916140d3565b90505f8585604081811061337c5761337c613b90565b919091013560f81c915050601b81101561339e5761339b601b826140f0565b90505b8060ff16601b141580156133b657508060ff16601c14155b806133d657506fa2a8918ca85bafe22016d0b997e4df60600160ff1b0382115b156133e6575f9350505050611e34565b604080515f81526020810180835289905260ff831691810191909152606081018490526080810183905260019060a0016020604051602081039080840390855afa158015613436573d5f5f3e3d5ffd5b5050604051601f19015198975050505050505050565b5080545f8255905f5260205f209081019061346791906134e8565b50565b6040518061018001604052805f6001600160a01b031681526020015f6001600160a01b031681526020016060815260200160608152602001606081526020015f81526020015f60018111156134c1576134c16136a6565b81526020015f81525f60208201819052604082018190526060820181905260809091015290565b80821115613504575f6134fb8282613508565b506001016134e8565b5090565b50805461351490613bfa565b5f825580601f10613523575050565b601f0160209004905f5260205f209081019061346791905b80821115613504575f815560010161353b565b80356001600160a01b0381168114613564575f5ffd5b919050565b5f5f83601f840112613579575f5ffd5b5081356001600160401b0381111561358f575f5ffd5b6020830191508360208260051b85010111156135a9575f5ffd5b9250929050565b5f5f5f604084860312156135c2575f5ffd5b6135cb8461354e565b925060208401356001600160401b038111156135e5575f5ffd5b6135f186828701613569565b9497909650939450505050565b5f5f6040838503121561360f575f5ffd5b50508035926020909101359150565b5f81518084528060208401602086015e5f602082860101526020601f19601f83011685010191505092915050565b5f82825180855260208501945060208160051b830101602085015f5b8381101561369a57601f1985840301885261368483835161361e565b6020988901989093509190910190600101613668565b50909695505050505050565b634e487b7160e01b5f52602160045260245ffd5b600281106136ca576136ca6136a6565b9052565b600581106136ca576136ca6136a6565b80516001600160a01b031682525f602082015161370660208501826001600160a01b03169052565b506040820151610180604085015261372261018085018261361e565b90506060830151848203606086015261373b828261364c565b91505060808301518482036080860152613755828261361e565b91505060a083015160a085015260c083015161377460c08601826136ba565b5060e083015161378760e08601826136ce565b506101008301516137a46101008601826001600160401b03169052565b506101208301516137c16101208601826001600160401b03169052565b506101408301516137de6101408601826001600160401b03169052565b506101608301516137fb6101608601826001600160401b03169052565b509392505050565b5f602082016020835280845180835260408501915060408160051b8601019250602086015f5b8281101561385a57603f198786030184526138458583516136de565b94506020938401939190910190600101613829565b50929695505050505050565b5f60208284031215613876575f5ffd5b611e348261354e565b80356001600160401b0381168114613564575f5ffd5b5f602082840312156138a5575f5ffd5b611e348261387f565b5f5f5f5f5f5f5f5f60a0898b0312156138c5575f5ffd5b6138ce8961354e565b97506138dc60208a0161387f565b965060408901356001600160401b038111156138f6575f5ffd5b6139028b828c01613569565b90975095505060608901356001600160401b03811115613920575f5ffd5b61392c8b828c01613569565b90955093505060808901356001600160401b0381111561394a575f5ffd5b6139568b828c01613569565b999c989b5096995094979396929594505050565b5f5f6040838503121561397b575f5ffd5b6139848361354e565b9150602083013560028110613997575f5ffd5b809150509250929050565b5f5f604083850312156139b3575f5ffd5b6139bc8361354e565b91506139ca6020840161387f565b90509250929050565b5f5f5f606084860312156139e5575f5ffd5b6139ee8461354e565b92506139fc6020850161387f565b9150613a0a6040850161387f565b90509250925092565b5f5f83601f840112613a23575f5ffd5b5081356001600160401b03811115613a39575f5ffd5b6020830191508360208285010111156135a9575f5ffd5b5f5f5f5f5f5f5f5f6080898b031215613a67575f5ffd5b88356001600160401b03811115613a7c575f5ffd5b613a888b828c01613a13565b90995097505060208901356001600160401b03811115613aa6575f5ffd5b613ab28b828c01613569565b90975095505060408901356001600160401b03811115613ad0575f5ffd5b613adc8b828c01613a13565b90955093505060608901356001600160401b03811115613afa575f5ffd5b6139568b828c01613a13565b602081525f611e3460208301846136de565b5f5f5f60408486031215613b2a575f5ffd5b613b338461354e565b925060208401356001600160401b03811115613b4d575f5ffd5b6135f186828701613a13565b5f5f5f60608486031215613b6b575f5ffd5b613b748461354e565b9250613b826020850161387f565b9150613a0a6040850161354e565b634e487b7160e01b5f52603260045260245ffd5b5f5f8335601e19843603018112613bb9575f5ffd5b8301803591506001600160401b03821115613bd2575f5ffd5b6020019150368190038213156135a9575f5ffd5b634e487b7160e01b5f52604160045260245ffd5b600181811c90821680613c0e57607f821691505b602082108103613c2c57634e487b7160e01b5f52602260045260245ffd5b50919050565b601f82111561284257805f5260205f20601f840160051c81016020851015613c575750805b601f840160051c820191505b81811015613c76575f8155600101613c63565b5050505050565b6001600160401b03831115613c9457613c94613be6565b613ca883613ca28354613bfa565b83613c32565b5f601f841160018114613cd9575f8515613cc25750838201355b5f19600387901b1c1916600186901b178355613c76565b5f83815260208120601f198716915b82811015613d085786850135825560209485019460019092019101613ce8565b5086821015613d24575f1960f88860031b161c19848701351681555b505060018560011b0183555050505050565b81835281816020850137505f828201602090810191909152601f909101601f19169091010190565b5f8383855260208501945060208460051b820101835f5b8681101561369a57838303601f19018852813536879003601e19018112613d9a575f5ffd5b86016020810190356001600160401b03811115613db5575f5ffd5b803603821315613dc3575f5ffd5b613dce858284613d36565b60209a8b019a90955093909301925050600101613d75565b602081525f613055602083018486613d5e565b634e487b7160e01b5f52601160045260245ffd5b80820180821115610e8d57610e8d613df9565b81810381811115610e8d57610e8d613df9565b634e487b7160e01b5f52601260045260245ffd5b5f6001600160401b03831680613e5f57613e5f613e33565b806001600160401b0384160491505092915050565b6001600160401b038181168382160190811115610e8d57610e8d613df9565b5f8154613e9f81613bfa565b808552600182168015613eb95760018114613ed557610e89565b60ff1983166020870152602082151560051b8701019350610e89565b845f5260205f205f5b83811015613f005781546020828a010152600182019150602081019050613ede565b870160200194505050505092915050565b60e081525f613f2360e083018a613e93565b828103602084015280895480835260208301915060208160051b8401018b5f5260205f205f5b83811015613f7957858303601f19018552613f648383613e93565b60209590950194925060019182019101613f49565b50508581036040870152613f8d818c613e93565b945050505050856060830152613fa660808301866136ba565b6001600160401b03841660a08301526001600160401b03831660c083015298975050505050505050565b8082028115828204841417610e8d57610e8d613df9565b5f82613ff557613ff5613e33565b500490565b60208101610e8d82846136ba565b818382375f9101908152919050565b60c081525f61402a60c083018b8d613d36565b828103602084015261403d818a8c613d5e565b9050828103604084015261405281888a613d36565b91505084606083015261406860808301856136ba565b6001600160401b03831660a08301529a9950505050505050505050565b602081525f613055602083018486613d36565b634e487b7160e01b5f52603160045260245ffd5b5f5f858511156140ba575f5ffd5b838611156140c6575f5ffd5b5050820193919092039150565b80356020831015610e8d575f19602084900360031b1b1692915050565b60ff8181168382160190811115610e8d57610e8d613df9565b5f8261411757614117613e33565b50069056fea2646970667358221220c380e793057a8c851f58c8db3392e34468c80f1e4bf04dea00b83be863ebdee464736f6c634300081e0033",
}

// NodeRegistryABI is the input ABI used to generate the binding from.
// Deprecated: Use NodeRegistryMetaData.ABI instead.
var NodeRegistryABI = NodeRegistryMetaData.ABI

// NodeRegistryBin is the compiled bytecode used for deploying new contracts.
// Deprecated: Use NodeRegistryMetaData.Bin instead.
var NodeRegistryBin = NodeRegistryMetaData.Bin

// DeployNodeRegistry deploys a new Ethereum contract, binding an instance of NodeRegistry to it.
func DeployNodeRegistry(auth *bind.TransactOpts, backend bind.ContractBackend, admin_ common.Address, minStake_ *big.Int, unbondingPeriod_ uint64, acc NodeRegistryAccountability) (common.Address, *types.Transaction, *NodeRegistry, error) {
	parsed, err := NodeRegistryMetaData.GetAbi()
	if err != nil {
		return common.Address{}, nil, nil, err
	}
	if parsed == nil {
		return common.Address{}, nil, nil, errors.New("GetABI returned nil")
	}

	address, tx, contract, err := bind.DeployContract(auth, *parsed, common.FromHex(NodeRegistryBin), backend, admin_, minStake_, unbondingPeriod_, acc)
	if err != nil {
		return common.Address{}, nil, nil, err
	}
	return address, tx, &NodeRegistry{NodeRegistryCaller: NodeRegistryCaller{contract: contract}, NodeRegistryTransactor: NodeRegistryTransactor{contract: contract}, NodeRegistryFilterer: NodeRegistryFilterer{contract: contract}}, nil
}

// NodeRegistry is an auto generated Go binding around an Ethereum contract.
type NodeRegistry struct {
	NodeRegistryCaller     // Read-only binding to the contract
	NodeRegistryTransactor // Write-only binding to the contract
	NodeRegistryFilterer   // Log filterer for contract events
}

// NodeRegistryCaller is an auto generated read-only Go binding around an Ethereum contract.
type NodeRegistryCaller struct {
	contract *bind.BoundContract // Generic contract wrapper for the low level calls
}

// NodeRegistryTransactor is an auto generated write-only Go binding around an Ethereum contract.
type NodeRegistryTransactor struct {
	contract *bind.BoundContract // Generic contract wrapper for the low level calls
}

// NodeRegistryFilterer is an auto generated log filtering Go binding around an Ethereum contract events.
type NodeRegistryFilterer struct {
	contract *bind.BoundContract // Generic contract wrapper for the low level calls
}

// NodeRegistrySession is an auto generated Go binding around an Ethereum contract,
// with pre-set call and transact options.
type NodeRegistrySession struct {
	Contract     *NodeRegistry     // Generic contract binding to set the session for
	CallOpts     bind.CallOpts     // Call options to use throughout this session
	TransactOpts bind.TransactOpts // Transaction auth options to use throughout this session
}

// NodeRegistryCallerSession is an auto generated read-only Go binding around an Ethereum contract,
// with pre-set call options.
type NodeRegistryCallerSession struct {
	Contract *NodeRegistryCaller // Generic contract caller binding to set the session for
	CallOpts bind.CallOpts       // Call options to use throughout this session
}

// NodeRegistryTransactorSession is an auto generated write-only Go binding around an Ethereum contract,
// with pre-set transact options.
type NodeRegistryTransactorSession struct {
	Contract     *NodeRegistryTransactor // Generic contract transactor binding to set the session for
	TransactOpts bind.TransactOpts       // Transaction auth options to use throughout this session
}

// NodeRegistryRaw is an auto generated low-level Go binding around an Ethereum contract.
type NodeRegistryRaw struct {
	Contract *NodeRegistry // Generic contract binding to access the raw methods on
}

// NodeRegistryCallerRaw is an auto generated low-level read-only Go binding around an Ethereum contract.
type NodeRegistryCallerRaw struct {
	Contract *NodeRegistryCaller // Generic read-only contract binding to access the raw methods on
}

// NodeRegistryTransactorRaw is an auto generated low-level write-only Go binding around an Ethereum contract.
type NodeRegistryTransactorRaw struct {
	Contract *NodeRegistryTransactor // Generic write-only contract binding to access the raw methods on
}

// NewNodeRegistry creates a new instance of NodeRegistry, bound to a specific deployed contract.
func NewNodeRegistry(address common.Address, backend bind.ContractBackend) (*NodeRegistry, error) {
	contract, err := bindNodeRegistry(address, backend, backend, backend)
	if err != nil {
		return nil, err
	}
	return &NodeRegistry{NodeRegistryCaller: NodeRegistryCaller{contract: contract}, NodeRegistryTransactor: NodeRegistryTransactor{contract: contract}, NodeRegistryFilterer: NodeRegistryFilterer{contract: contract}}, nil
}

// NewNodeRegistryCaller creates a new read-only instance of NodeRegistry, bound to a specific deployed contract.
func NewNodeRegistryCaller(address common.Address, caller bind.ContractCaller) (*NodeRegistryCaller, error) {
	contract, err := bindNodeRegistry(address, caller, nil, nil)
	if err != nil {
		return nil, err
	}
	return &NodeRegistryCaller{contract: contract}, nil
}

// NewNodeRegistryTransactor creates a new write-only instance of NodeRegistry, bound to a specific deployed contract.
func NewNodeRegistryTransactor(address common.Address, transactor bind.ContractTransactor) (*NodeRegistryTransactor, error) {
	contract, err := bindNodeRegistry(address, nil, transactor, nil)
	if err != nil {
		return nil, err
	}
	return &NodeRegistryTransactor{contract: contract}, nil
}

// NewNodeRegistryFilterer creates a new log filterer instance of NodeRegistry, bound to a specific deployed contract.
func NewNodeRegistryFilterer(address common.Address, filterer bind.ContractFilterer) (*NodeRegistryFilterer, error) {
	contract, err := bindNodeRegistry(address, nil, nil, filterer)
	if err != nil {
		return nil, err
	}
	return &NodeRegistryFilterer{contract: contract}, nil
}

// bindNodeRegistry binds a generic wrapper to an already deployed contract.
func bindNodeRegistry(address common.Address, caller bind.ContractCaller, transactor bind.ContractTransactor, filterer bind.ContractFilterer) (*bind.BoundContract, error) {
	parsed, err := NodeRegistryMetaData.GetAbi()
	if err != nil {
		return nil, err
	}
	return bind.NewBoundContract(address, *parsed, caller, transactor, filterer), nil
}

// Call invokes the (constant) contract method with params as input values and
// sets the output to result. The result type might be a single field for simple
// returns, a slice of interfaces for anonymous returns and a struct for named
// returns.
func (_NodeRegistry *NodeRegistryRaw) Call(opts *bind.CallOpts, result *[]interface{}, method string, params ...interface{}) error {
	return _NodeRegistry.Contract.NodeRegistryCaller.contract.Call(opts, result, method, params...)
}

// Transfer initiates a plain transaction to move funds to the contract, calling
// its default method if one is available.
func (_NodeRegistry *NodeRegistryRaw) Transfer(opts *bind.TransactOpts) (*types.Transaction, error) {
	return _NodeRegistry.Contract.NodeRegistryTransactor.contract.Transfer(opts)
}

// Transact invokes the (paid) contract method with params as input values.
func (_NodeRegistry *NodeRegistryRaw) Transact(opts *bind.TransactOpts, method string, params ...interface{}) (*types.Transaction, error) {
	return _NodeRegistry.Contract.NodeRegistryTransactor.contract.Transact(opts, method, params...)
}

// Call invokes the (constant) contract method with params as input values and
// sets the output to result. The result type might be a single field for simple
// returns, a slice of interfaces for anonymous returns and a struct for named
// returns.
func (_NodeRegistry *NodeRegistryCallerRaw) Call(opts *bind.CallOpts, result *[]interface{}, method string, params ...interface{}) error {
	return _NodeRegistry.Contract.contract.Call(opts, result, method, params...)
}

// Transfer initiates a plain transaction to move funds to the contract, calling
// its default method if one is available.
func (_NodeRegistry *NodeRegistryTransactorRaw) Transfer(opts *bind.TransactOpts) (*types.Transaction, error) {
	return _NodeRegistry.Contract.contract.Transfer(opts)
}

// Transact invokes the (paid) contract method with params as input values.
func (_NodeRegistry *NodeRegistryTransactorRaw) Transact(opts *bind.TransactOpts, method string, params ...interface{}) (*types.Transaction, error) {
	return _NodeRegistry.Contract.contract.Transact(opts, method, params...)
}

// ATTESTDOMAIN is a free data retrieval call binding the contract method 0xab46e917.
//
// Solidity: function ATTEST_DOMAIN() view returns(bytes32)
func (_NodeRegistry *NodeRegistryCaller) ATTESTDOMAIN(opts *bind.CallOpts) ([32]byte, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "ATTEST_DOMAIN")

	if err != nil {
		return *new([32]byte), err
	}

	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)

	return out0, err

}

// ATTESTDOMAIN is a free data retrieval call binding the contract method 0xab46e917.
//
// Solidity: function ATTEST_DOMAIN() view returns(bytes32)
func (_NodeRegistry *NodeRegistrySession) ATTESTDOMAIN() ([32]byte, error) {
	return _NodeRegistry.Contract.ATTESTDOMAIN(&_NodeRegistry.CallOpts)
}

// ATTESTDOMAIN is a free data retrieval call binding the contract method 0xab46e917.
//
// Solidity: function ATTEST_DOMAIN() view returns(bytes32)
func (_NodeRegistry *NodeRegistryCallerSession) ATTESTDOMAIN() ([32]byte, error) {
	return _NodeRegistry.Contract.ATTESTDOMAIN(&_NodeRegistry.CallOpts)
}

// COMMITTEEDOMAIN is a free data retrieval call binding the contract method 0xd9384f38.
//
// Solidity: function COMMITTEE_DOMAIN() view returns(bytes32)
func (_NodeRegistry *NodeRegistryCaller) COMMITTEEDOMAIN(opts *bind.CallOpts) ([32]byte, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "COMMITTEE_DOMAIN")

	if err != nil {
		return *new([32]byte), err
	}

	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)

	return out0, err

}

// COMMITTEEDOMAIN is a free data retrieval call binding the contract method 0xd9384f38.
//
// Solidity: function COMMITTEE_DOMAIN() view returns(bytes32)
func (_NodeRegistry *NodeRegistrySession) COMMITTEEDOMAIN() ([32]byte, error) {
	return _NodeRegistry.Contract.COMMITTEEDOMAIN(&_NodeRegistry.CallOpts)
}

// COMMITTEEDOMAIN is a free data retrieval call binding the contract method 0xd9384f38.
//
// Solidity: function COMMITTEE_DOMAIN() view returns(bytes32)
func (_NodeRegistry *NodeRegistryCallerSession) COMMITTEEDOMAIN() ([32]byte, error) {
	return _NodeRegistry.Contract.COMMITTEEDOMAIN(&_NodeRegistry.CallOpts)
}

// MAXBPS is a free data retrieval call binding the contract method 0xfd967f47.
//
// Solidity: function MAX_BPS() view returns(uint256)
func (_NodeRegistry *NodeRegistryCaller) MAXBPS(opts *bind.CallOpts) (*big.Int, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "MAX_BPS")

	if err != nil {
		return *new(*big.Int), err
	}

	out0 := *abi.ConvertType(out[0], new(*big.Int)).(**big.Int)

	return out0, err

}

// MAXBPS is a free data retrieval call binding the contract method 0xfd967f47.
//
// Solidity: function MAX_BPS() view returns(uint256)
func (_NodeRegistry *NodeRegistrySession) MAXBPS() (*big.Int, error) {
	return _NodeRegistry.Contract.MAXBPS(&_NodeRegistry.CallOpts)
}

// MAXBPS is a free data retrieval call binding the contract method 0xfd967f47.
//
// Solidity: function MAX_BPS() view returns(uint256)
func (_NodeRegistry *NodeRegistryCallerSession) MAXBPS() (*big.Int, error) {
	return _NodeRegistry.Contract.MAXBPS(&_NodeRegistry.CallOpts)
}

// MAXMETADATALENGTH is a free data retrieval call binding the contract method 0xe8868e9f.
//
// Solidity: function MAX_METADATA_LENGTH() view returns(uint256)
func (_NodeRegistry *NodeRegistryCaller) MAXMETADATALENGTH(opts *bind.CallOpts) (*big.Int, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "MAX_METADATA_LENGTH")

	if err != nil {
		return *new(*big.Int), err
	}

	out0 := *abi.ConvertType(out[0], new(*big.Int)).(**big.Int)

	return out0, err

}

// MAXMETADATALENGTH is a free data retrieval call binding the contract method 0xe8868e9f.
//
// Solidity: function MAX_METADATA_LENGTH() view returns(uint256)
func (_NodeRegistry *NodeRegistrySession) MAXMETADATALENGTH() (*big.Int, error) {
	return _NodeRegistry.Contract.MAXMETADATALENGTH(&_NodeRegistry.CallOpts)
}

// MAXMETADATALENGTH is a free data retrieval call binding the contract method 0xe8868e9f.
//
// Solidity: function MAX_METADATA_LENGTH() view returns(uint256)
func (_NodeRegistry *NodeRegistryCallerSession) MAXMETADATALENGTH() (*big.Int, error) {
	return _NodeRegistry.Contract.MAXMETADATALENGTH(&_NodeRegistry.CallOpts)
}

// MAXMULTIADDRS is a free data retrieval call binding the contract method 0x8c50d529.
//
// Solidity: function MAX_MULTIADDRS() view returns(uint256)
func (_NodeRegistry *NodeRegistryCaller) MAXMULTIADDRS(opts *bind.CallOpts) (*big.Int, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "MAX_MULTIADDRS")

	if err != nil {
		return *new(*big.Int), err
	}

	out0 := *abi.ConvertType(out[0], new(*big.Int)).(**big.Int)

	return out0, err

}

// MAXMULTIADDRS is a free data retrieval call binding the contract method 0x8c50d529.
//
// Solidity: function MAX_MULTIADDRS() view returns(uint256)
func (_NodeRegistry *NodeRegistrySession) MAXMULTIADDRS() (*big.Int, error) {
	return _NodeRegistry.Contract.MAXMULTIADDRS(&_NodeRegistry.CallOpts)
}

// MAXMULTIADDRS is a free data retrieval call binding the contract method 0x8c50d529.
//
// Solidity: function MAX_MULTIADDRS() view returns(uint256)
func (_NodeRegistry *NodeRegistryCallerSession) MAXMULTIADDRS() (*big.Int, error) {
	return _NodeRegistry.Contract.MAXMULTIADDRS(&_NodeRegistry.CallOpts)
}

// MAXMULTIADDRLENGTH is a free data retrieval call binding the contract method 0xee879d39.
//
// Solidity: function MAX_MULTIADDR_LENGTH() view returns(uint256)
func (_NodeRegistry *NodeRegistryCaller) MAXMULTIADDRLENGTH(opts *bind.CallOpts) (*big.Int, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "MAX_MULTIADDR_LENGTH")

	if err != nil {
		return *new(*big.Int), err
	}

	out0 := *abi.ConvertType(out[0], new(*big.Int)).(**big.Int)

	return out0, err

}

// MAXMULTIADDRLENGTH is a free data retrieval call binding the contract method 0xee879d39.
//
// Solidity: function MAX_MULTIADDR_LENGTH() view returns(uint256)
func (_NodeRegistry *NodeRegistrySession) MAXMULTIADDRLENGTH() (*big.Int, error) {
	return _NodeRegistry.Contract.MAXMULTIADDRLENGTH(&_NodeRegistry.CallOpts)
}

// MAXMULTIADDRLENGTH is a free data retrieval call binding the contract method 0xee879d39.
//
// Solidity: function MAX_MULTIADDR_LENGTH() view returns(uint256)
func (_NodeRegistry *NodeRegistryCallerSession) MAXMULTIADDRLENGTH() (*big.Int, error) {
	return _NodeRegistry.Contract.MAXMULTIADDRLENGTH(&_NodeRegistry.CallOpts)
}

// MAXPAGE is a free data retrieval call binding the contract method 0x69fc09b9.
//
// Solidity: function MAX_PAGE() view returns(uint256)
func (_NodeRegistry *NodeRegistryCaller) MAXPAGE(opts *bind.CallOpts) (*big.Int, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "MAX_PAGE")

	if err != nil {
		return *new(*big.Int), err
	}

	out0 := *abi.ConvertType(out[0], new(*big.Int)).(**big.Int)

	return out0, err

}

// MAXPAGE is a free data retrieval call binding the contract method 0x69fc09b9.
//
// Solidity: function MAX_PAGE() view returns(uint256)
func (_NodeRegistry *NodeRegistrySession) MAXPAGE() (*big.Int, error) {
	return _NodeRegistry.Contract.MAXPAGE(&_NodeRegistry.CallOpts)
}

// MAXPAGE is a free data retrieval call binding the contract method 0x69fc09b9.
//
// Solidity: function MAX_PAGE() view returns(uint256)
func (_NodeRegistry *NodeRegistryCallerSession) MAXPAGE() (*big.Int, error) {
	return _NodeRegistry.Contract.MAXPAGE(&_NodeRegistry.CallOpts)
}

// POPDOMAIN is a free data retrieval call binding the contract method 0xdcb67779.
//
// Solidity: function POP_DOMAIN() view returns(bytes32)
func (_NodeRegistry *NodeRegistryCaller) POPDOMAIN(opts *bind.CallOpts) ([32]byte, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "POP_DOMAIN")

	if err != nil {
		return *new([32]byte), err
	}

	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)

	return out0, err

}

// POPDOMAIN is a free data retrieval call binding the contract method 0xdcb67779.
//
// Solidity: function POP_DOMAIN() view returns(bytes32)
func (_NodeRegistry *NodeRegistrySession) POPDOMAIN() ([32]byte, error) {
	return _NodeRegistry.Contract.POPDOMAIN(&_NodeRegistry.CallOpts)
}

// POPDOMAIN is a free data retrieval call binding the contract method 0xdcb67779.
//
// Solidity: function POP_DOMAIN() view returns(bytes32)
func (_NodeRegistry *NodeRegistryCallerSession) POPDOMAIN() ([32]byte, error) {
	return _NodeRegistry.Contract.POPDOMAIN(&_NodeRegistry.CallOpts)
}

// PUBKEYLENGTH is a free data retrieval call binding the contract method 0xa4d55d1d.
//
// Solidity: function PUBKEY_LENGTH() view returns(uint256)
func (_NodeRegistry *NodeRegistryCaller) PUBKEYLENGTH(opts *bind.CallOpts) (*big.Int, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "PUBKEY_LENGTH")

	if err != nil {
		return *new(*big.Int), err
	}

	out0 := *abi.ConvertType(out[0], new(*big.Int)).(**big.Int)

	return out0, err

}

// PUBKEYLENGTH is a free data retrieval call binding the contract method 0xa4d55d1d.
//
// Solidity: function PUBKEY_LENGTH() view returns(uint256)
func (_NodeRegistry *NodeRegistrySession) PUBKEYLENGTH() (*big.Int, error) {
	return _NodeRegistry.Contract.PUBKEYLENGTH(&_NodeRegistry.CallOpts)
}

// PUBKEYLENGTH is a free data retrieval call binding the contract method 0xa4d55d1d.
//
// Solidity: function PUBKEY_LENGTH() view returns(uint256)
func (_NodeRegistry *NodeRegistryCallerSession) PUBKEYLENGTH() (*big.Int, error) {
	return _NodeRegistry.Contract.PUBKEYLENGTH(&_NodeRegistry.CallOpts)
}

// Admin is a free data retrieval call binding the contract method 0xf851a440.
//
// Solidity: function admin() view returns(address)
func (_NodeRegistry *NodeRegistryCaller) Admin(opts *bind.CallOpts) (common.Address, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "admin")

	if err != nil {
		return *new(common.Address), err
	}

	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)

	return out0, err

}

// Admin is a free data retrieval call binding the contract method 0xf851a440.
//
// Solidity: function admin() view returns(address)
func (_NodeRegistry *NodeRegistrySession) Admin() (common.Address, error) {
	return _NodeRegistry.Contract.Admin(&_NodeRegistry.CallOpts)
}

// Admin is a free data retrieval call binding the contract method 0xf851a440.
//
// Solidity: function admin() view returns(address)
func (_NodeRegistry *NodeRegistryCallerSession) Admin() (common.Address, error) {
	return _NodeRegistry.Contract.Admin(&_NodeRegistry.CallOpts)
}

// AttestDigest is a free data retrieval call binding the contract method 0x64b6fdcc.
//
// Solidity: function attestDigest(address id, uint64 window, uint64 offlineSeconds) view returns(bytes32)
func (_NodeRegistry *NodeRegistryCaller) AttestDigest(opts *bind.CallOpts, id common.Address, window uint64, offlineSeconds uint64) ([32]byte, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "attestDigest", id, window, offlineSeconds)

	if err != nil {
		return *new([32]byte), err
	}

	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)

	return out0, err

}

// AttestDigest is a free data retrieval call binding the contract method 0x64b6fdcc.
//
// Solidity: function attestDigest(address id, uint64 window, uint64 offlineSeconds) view returns(bytes32)
func (_NodeRegistry *NodeRegistrySession) AttestDigest(id common.Address, window uint64, offlineSeconds uint64) ([32]byte, error) {
	return _NodeRegistry.Contract.AttestDigest(&_NodeRegistry.CallOpts, id, window, offlineSeconds)
}

// AttestDigest is a free data retrieval call binding the contract method 0x64b6fdcc.
//
// Solidity: function attestDigest(address id, uint64 window, uint64 offlineSeconds) view returns(bytes32)
func (_NodeRegistry *NodeRegistryCallerSession) AttestDigest(id common.Address, window uint64, offlineSeconds uint64) ([32]byte, error) {
	return _NodeRegistry.Contract.AttestDigest(&_NodeRegistry.CallOpts, id, window, offlineSeconds)
}

// CommitteeSize is a free data retrieval call binding the contract method 0x9cf4364b.
//
// Solidity: function committeeSize() view returns(uint32)
func (_NodeRegistry *NodeRegistryCaller) CommitteeSize(opts *bind.CallOpts) (uint32, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "committeeSize")

	if err != nil {
		return *new(uint32), err
	}

	out0 := *abi.ConvertType(out[0], new(uint32)).(*uint32)

	return out0, err

}

// CommitteeSize is a free data retrieval call binding the contract method 0x9cf4364b.
//
// Solidity: function committeeSize() view returns(uint32)
func (_NodeRegistry *NodeRegistrySession) CommitteeSize() (uint32, error) {
	return _NodeRegistry.Contract.CommitteeSize(&_NodeRegistry.CallOpts)
}

// CommitteeSize is a free data retrieval call binding the contract method 0x9cf4364b.
//
// Solidity: function committeeSize() view returns(uint32)
func (_NodeRegistry *NodeRegistryCallerSession) CommitteeSize() (uint32, error) {
	return _NodeRegistry.Contract.CommitteeSize(&_NodeRegistry.CallOpts)
}

// GetNode is a free data retrieval call binding the contract method 0x9d209048.
//
// Solidity: function getNode(address id) view returns((address,address,bytes,string[],string,uint256,uint8,uint8,uint64,uint64,uint64,uint64))
func (_NodeRegistry *NodeRegistryCaller) GetNode(opts *bind.CallOpts, id common.Address) (NodeRegistryNode, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "getNode", id)

	if err != nil {
		return *new(NodeRegistryNode), err
	}

	out0 := *abi.ConvertType(out[0], new(NodeRegistryNode)).(*NodeRegistryNode)

	return out0, err

}

// GetNode is a free data retrieval call binding the contract method 0x9d209048.
//
// Solidity: function getNode(address id) view returns((address,address,bytes,string[],string,uint256,uint8,uint8,uint64,uint64,uint64,uint64))
func (_NodeRegistry *NodeRegistrySession) GetNode(id common.Address) (NodeRegistryNode, error) {
	return _NodeRegistry.Contract.GetNode(&_NodeRegistry.CallOpts, id)
}

// GetNode is a free data retrieval call binding the contract method 0x9d209048.
//
// Solidity: function getNode(address id) view returns((address,address,bytes,string[],string,uint256,uint8,uint8,uint64,uint64,uint64,uint64))
func (_NodeRegistry *NodeRegistryCallerSession) GetNode(id common.Address) (NodeRegistryNode, error) {
	return _NodeRegistry.Contract.GetNode(&_NodeRegistry.CallOpts, id)
}

// GetNodes is a free data retrieval call binding the contract method 0x038d67e8.
//
// Solidity: function getNodes(uint256 offset, uint256 limit) view returns((address,address,bytes,string[],string,uint256,uint8,uint8,uint64,uint64,uint64,uint64)[] page)
func (_NodeRegistry *NodeRegistryCaller) GetNodes(opts *bind.CallOpts, offset *big.Int, limit *big.Int) ([]NodeRegistryNode, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "getNodes", offset, limit)

	if err != nil {
		return *new([]NodeRegistryNode), err
	}

	out0 := *abi.ConvertType(out[0], new([]NodeRegistryNode)).(*[]NodeRegistryNode)

	return out0, err

}

// GetNodes is a free data retrieval call binding the contract method 0x038d67e8.
//
// Solidity: function getNodes(uint256 offset, uint256 limit) view returns((address,address,bytes,string[],string,uint256,uint8,uint8,uint64,uint64,uint64,uint64)[] page)
func (_NodeRegistry *NodeRegistrySession) GetNodes(offset *big.Int, limit *big.Int) ([]NodeRegistryNode, error) {
	return _NodeRegistry.Contract.GetNodes(&_NodeRegistry.CallOpts, offset, limit)
}

// GetNodes is a free data retrieval call binding the contract method 0x038d67e8.
//
// Solidity: function getNodes(uint256 offset, uint256 limit) view returns((address,address,bytes,string[],string,uint256,uint8,uint8,uint64,uint64,uint64,uint64)[] page)
func (_NodeRegistry *NodeRegistryCallerSession) GetNodes(offset *big.Int, limit *big.Int) ([]NodeRegistryNode, error) {
	return _NodeRegistry.Contract.GetNodes(&_NodeRegistry.CallOpts, offset, limit)
}

// InCommittee is a free data retrieval call binding the contract method 0xe47c7468.
//
// Solidity: function inCommittee(address id, uint64 window, address observer) view returns(bool)
func (_NodeRegistry *NodeRegistryCaller) InCommittee(opts *bind.CallOpts, id common.Address, window uint64, observer common.Address) (bool, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "inCommittee", id, window, observer)

	if err != nil {
		return *new(bool), err
	}

	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)

	return out0, err

}

// InCommittee is a free data retrieval call binding the contract method 0xe47c7468.
//
// Solidity: function inCommittee(address id, uint64 window, address observer) view returns(bool)
func (_NodeRegistry *NodeRegistrySession) InCommittee(id common.Address, window uint64, observer common.Address) (bool, error) {
	return _NodeRegistry.Contract.InCommittee(&_NodeRegistry.CallOpts, id, window, observer)
}

// InCommittee is a free data retrieval call binding the contract method 0xe47c7468.
//
// Solidity: function inCommittee(address id, uint64 window, address observer) view returns(bool)
func (_NodeRegistry *NodeRegistryCallerSession) InCommittee(id common.Address, window uint64, observer common.Address) (bool, error) {
	return _NodeRegistry.Contract.InCommittee(&_NodeRegistry.CallOpts, id, window, observer)
}

// IsActive is a free data retrieval call binding the contract method 0x9f8a13d7.
//
// Solidity: function isActive(address id) view returns(bool)
func (_NodeRegistry *NodeRegistryCaller) IsActive(opts *bind.CallOpts, id common.Address) (bool, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "isActive", id)

	if err != nil {
		return *new(bool), err
	}

	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)

	return out0, err

}

// IsActive is a free data retrieval call binding the contract method 0x9f8a13d7.
//
// Solidity: function isActive(address id) view returns(bool)
func (_NodeRegistry *NodeRegistrySession) IsActive(id common.Address) (bool, error) {
	return _NodeRegistry.Contract.IsActive(&_NodeRegistry.CallOpts, id)
}

// IsActive is a free data retrieval call binding the contract method 0x9f8a13d7.
//
// Solidity: function isActive(address id) view returns(bool)
func (_NodeRegistry *NodeRegistryCallerSession) IsActive(id common.Address) (bool, error) {
	return _NodeRegistry.Contract.IsActive(&_NodeRegistry.CallOpts, id)
}

// IsReported is a free data retrieval call binding the contract method 0x628b6ae2.
//
// Solidity: function isReported(address id, uint64 window) view returns(bool)
func (_NodeRegistry *NodeRegistryCaller) IsReported(opts *bind.CallOpts, id common.Address, window uint64) (bool, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "isReported", id, window)

	if err != nil {
		return *new(bool), err
	}

	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)

	return out0, err

}

// IsReported is a free data retrieval call binding the contract method 0x628b6ae2.
//
// Solidity: function isReported(address id, uint64 window) view returns(bool)
func (_NodeRegistry *NodeRegistrySession) IsReported(id common.Address, window uint64) (bool, error) {
	return _NodeRegistry.Contract.IsReported(&_NodeRegistry.CallOpts, id, window)
}

// IsReported is a free data retrieval call binding the contract method 0x628b6ae2.
//
// Solidity: function isReported(address id, uint64 window) view returns(bool)
func (_NodeRegistry *NodeRegistryCallerSession) IsReported(id common.Address, window uint64) (bool, error) {
	return _NodeRegistry.Contract.IsReported(&_NodeRegistry.CallOpts, id, window)
}

// JailPeriod is a free data retrieval call binding the contract method 0x660f5c17.
//
// Solidity: function jailPeriod() view returns(uint64)
func (_NodeRegistry *NodeRegistryCaller) JailPeriod(opts *bind.CallOpts) (uint64, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "jailPeriod")

	if err != nil {
		return *new(uint64), err
	}

	out0 := *abi.ConvertType(out[0], new(uint64)).(*uint64)

	return out0, err

}

// JailPeriod is a free data retrieval call binding the contract method 0x660f5c17.
//
// Solidity: function jailPeriod() view returns(uint64)
func (_NodeRegistry *NodeRegistrySession) JailPeriod() (uint64, error) {
	return _NodeRegistry.Contract.JailPeriod(&_NodeRegistry.CallOpts)
}

// JailPeriod is a free data retrieval call binding the contract method 0x660f5c17.
//
// Solidity: function jailPeriod() view returns(uint64)
func (_NodeRegistry *NodeRegistryCallerSession) JailPeriod() (uint64, error) {
	return _NodeRegistry.Contract.JailPeriod(&_NodeRegistry.CallOpts)
}

// MinStake is a free data retrieval call binding the contract method 0x375b3c0a.
//
// Solidity: function minStake() view returns(uint256)
func (_NodeRegistry *NodeRegistryCaller) MinStake(opts *bind.CallOpts) (*big.Int, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "minStake")

	if err != nil {
		return *new(*big.Int), err
	}

	out0 := *abi.ConvertType(out[0], new(*big.Int)).(**big.Int)

	return out0, err

}

// MinStake is a free data retrieval call binding the contract method 0x375b3c0a.
//
// Solidity: function minStake() view returns(uint256)
func (_NodeRegistry *NodeRegistrySession) MinStake() (*big.Int, error) {
	return _NodeRegistry.Contract.MinStake(&_NodeRegistry.CallOpts)
}

// MinStake is a free data retrieval call binding the contract method 0x375b3c0a.
//
// Solidity: function minStake() view returns(uint256)
func (_NodeRegistry *NodeRegistryCallerSession) MinStake() (*big.Int, error) {
	return _NodeRegistry.Contract.MinStake(&_NodeRegistry.CallOpts)
}

// NodeCount is a free data retrieval call binding the contract method 0x6da49b83.
//
// Solidity: function nodeCount() view returns(uint256)
func (_NodeRegistry *NodeRegistryCaller) NodeCount(opts *bind.CallOpts) (*big.Int, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "nodeCount")

	if err != nil {
		return *new(*big.Int), err
	}

	out0 := *abi.ConvertType(out[0], new(*big.Int)).(**big.Int)

	return out0, err

}

// NodeCount is a free data retrieval call binding the contract method 0x6da49b83.
//
// Solidity: function nodeCount() view returns(uint256)
func (_NodeRegistry *NodeRegistrySession) NodeCount() (*big.Int, error) {
	return _NodeRegistry.Contract.NodeCount(&_NodeRegistry.CallOpts)
}

// NodeCount is a free data retrieval call binding the contract method 0x6da49b83.
//
// Solidity: function nodeCount() view returns(uint256)
func (_NodeRegistry *NodeRegistryCallerSession) NodeCount() (*big.Int, error) {
	return _NodeRegistry.Contract.NodeCount(&_NodeRegistry.CallOpts)
}

// OfflineThreshold is a free data retrieval call binding the contract method 0xc5d862b3.
//
// Solidity: function offlineThreshold() view returns(uint64)
func (_NodeRegistry *NodeRegistryCaller) OfflineThreshold(opts *bind.CallOpts) (uint64, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "offlineThreshold")

	if err != nil {
		return *new(uint64), err
	}

	out0 := *abi.ConvertType(out[0], new(uint64)).(*uint64)

	return out0, err

}

// OfflineThreshold is a free data retrieval call binding the contract method 0xc5d862b3.
//
// Solidity: function offlineThreshold() view returns(uint64)
func (_NodeRegistry *NodeRegistrySession) OfflineThreshold() (uint64, error) {
	return _NodeRegistry.Contract.OfflineThreshold(&_NodeRegistry.CallOpts)
}

// OfflineThreshold is a free data retrieval call binding the contract method 0xc5d862b3.
//
// Solidity: function offlineThreshold() view returns(uint64)
func (_NodeRegistry *NodeRegistryCallerSession) OfflineThreshold() (uint64, error) {
	return _NodeRegistry.Contract.OfflineThreshold(&_NodeRegistry.CallOpts)
}

// PopDigest is a free data retrieval call binding the contract method 0x03a71456.
//
// Solidity: function popDigest(address operator) view returns(bytes32)
func (_NodeRegistry *NodeRegistryCaller) PopDigest(opts *bind.CallOpts, operator common.Address) ([32]byte, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "popDigest", operator)

	if err != nil {
		return *new([32]byte), err
	}

	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)

	return out0, err

}

// PopDigest is a free data retrieval call binding the contract method 0x03a71456.
//
// Solidity: function popDigest(address operator) view returns(bytes32)
func (_NodeRegistry *NodeRegistrySession) PopDigest(operator common.Address) ([32]byte, error) {
	return _NodeRegistry.Contract.PopDigest(&_NodeRegistry.CallOpts, operator)
}

// PopDigest is a free data retrieval call binding the contract method 0x03a71456.
//
// Solidity: function popDigest(address operator) view returns(bytes32)
func (_NodeRegistry *NodeRegistryCallerSession) PopDigest(operator common.Address) ([32]byte, error) {
	return _NodeRegistry.Contract.PopDigest(&_NodeRegistry.CallOpts, operator)
}

// Quorum is a free data retrieval call binding the contract method 0x1703a018.
//
// Solidity: function quorum() view returns(uint256 observers, uint256 committee, uint256 needed)
func (_NodeRegistry *NodeRegistryCaller) Quorum(opts *bind.CallOpts) (struct {
	Observers *big.Int
	Committee *big.Int
	Needed    *big.Int
}, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "quorum")

	outstruct := new(struct {
		Observers *big.Int
		Committee *big.Int
		Needed    *big.Int
	})
	if err != nil {
		return *outstruct, err
	}

	outstruct.Observers = *abi.ConvertType(out[0], new(*big.Int)).(**big.Int)
	outstruct.Committee = *abi.ConvertType(out[1], new(*big.Int)).(**big.Int)
	outstruct.Needed = *abi.ConvertType(out[2], new(*big.Int)).(**big.Int)

	return *outstruct, err

}

// Quorum is a free data retrieval call binding the contract method 0x1703a018.
//
// Solidity: function quorum() view returns(uint256 observers, uint256 committee, uint256 needed)
func (_NodeRegistry *NodeRegistrySession) Quorum() (struct {
	Observers *big.Int
	Committee *big.Int
	Needed    *big.Int
}, error) {
	return _NodeRegistry.Contract.Quorum(&_NodeRegistry.CallOpts)
}

// Quorum is a free data retrieval call binding the contract method 0x1703a018.
//
// Solidity: function quorum() view returns(uint256 observers, uint256 committee, uint256 needed)
func (_NodeRegistry *NodeRegistryCallerSession) Quorum() (struct {
	Observers *big.Int
	Committee *big.Int
	Needed    *big.Int
}, error) {
	return _NodeRegistry.Contract.Quorum(&_NodeRegistry.CallOpts)
}

// ReportDeadline is a free data retrieval call binding the contract method 0x002c2ab1.
//
// Solidity: function reportDeadline() view returns(uint64)
func (_NodeRegistry *NodeRegistryCaller) ReportDeadline(opts *bind.CallOpts) (uint64, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "reportDeadline")

	if err != nil {
		return *new(uint64), err
	}

	out0 := *abi.ConvertType(out[0], new(uint64)).(*uint64)

	return out0, err

}

// ReportDeadline is a free data retrieval call binding the contract method 0x002c2ab1.
//
// Solidity: function reportDeadline() view returns(uint64)
func (_NodeRegistry *NodeRegistrySession) ReportDeadline() (uint64, error) {
	return _NodeRegistry.Contract.ReportDeadline(&_NodeRegistry.CallOpts)
}

// ReportDeadline is a free data retrieval call binding the contract method 0x002c2ab1.
//
// Solidity: function reportDeadline() view returns(uint64)
func (_NodeRegistry *NodeRegistryCallerSession) ReportDeadline() (uint64, error) {
	return _NodeRegistry.Contract.ReportDeadline(&_NodeRegistry.CallOpts)
}

// ReportWindow is a free data retrieval call binding the contract method 0xd57b4804.
//
// Solidity: function reportWindow() view returns(uint64)
func (_NodeRegistry *NodeRegistryCaller) ReportWindow(opts *bind.CallOpts) (uint64, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "reportWindow")

	if err != nil {
		return *new(uint64), err
	}

	out0 := *abi.ConvertType(out[0], new(uint64)).(*uint64)

	return out0, err

}

// ReportWindow is a free data retrieval call binding the contract method 0xd57b4804.
//
// Solidity: function reportWindow() view returns(uint64)
func (_NodeRegistry *NodeRegistrySession) ReportWindow() (uint64, error) {
	return _NodeRegistry.Contract.ReportWindow(&_NodeRegistry.CallOpts)
}

// ReportWindow is a free data retrieval call binding the contract method 0xd57b4804.
//
// Solidity: function reportWindow() view returns(uint64)
func (_NodeRegistry *NodeRegistryCallerSession) ReportWindow() (uint64, error) {
	return _NodeRegistry.Contract.ReportWindow(&_NodeRegistry.CallOpts)
}

// SlashBps is a free data retrieval call binding the contract method 0x0681e651.
//
// Solidity: function slashBps() view returns(uint16)
func (_NodeRegistry *NodeRegistryCaller) SlashBps(opts *bind.CallOpts) (uint16, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "slashBps")

	if err != nil {
		return *new(uint16), err
	}

	out0 := *abi.ConvertType(out[0], new(uint16)).(*uint16)

	return out0, err

}

// SlashBps is a free data retrieval call binding the contract method 0x0681e651.
//
// Solidity: function slashBps() view returns(uint16)
func (_NodeRegistry *NodeRegistrySession) SlashBps() (uint16, error) {
	return _NodeRegistry.Contract.SlashBps(&_NodeRegistry.CallOpts)
}

// SlashBps is a free data retrieval call binding the contract method 0x0681e651.
//
// Solidity: function slashBps() view returns(uint16)
func (_NodeRegistry *NodeRegistryCallerSession) SlashBps() (uint16, error) {
	return _NodeRegistry.Contract.SlashBps(&_NodeRegistry.CallOpts)
}

// SlashSink is a free data retrieval call binding the contract method 0xd93319be.
//
// Solidity: function slashSink() view returns(address)
func (_NodeRegistry *NodeRegistryCaller) SlashSink(opts *bind.CallOpts) (common.Address, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "slashSink")

	if err != nil {
		return *new(common.Address), err
	}

	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)

	return out0, err

}

// SlashSink is a free data retrieval call binding the contract method 0xd93319be.
//
// Solidity: function slashSink() view returns(address)
func (_NodeRegistry *NodeRegistrySession) SlashSink() (common.Address, error) {
	return _NodeRegistry.Contract.SlashSink(&_NodeRegistry.CallOpts)
}

// SlashSink is a free data retrieval call binding the contract method 0xd93319be.
//
// Solidity: function slashSink() view returns(address)
func (_NodeRegistry *NodeRegistryCallerSession) SlashSink() (common.Address, error) {
	return _NodeRegistry.Contract.SlashSink(&_NodeRegistry.CallOpts)
}

// SlashedPending is a free data retrieval call binding the contract method 0x21175e92.
//
// Solidity: function slashedPending() view returns(uint256)
func (_NodeRegistry *NodeRegistryCaller) SlashedPending(opts *bind.CallOpts) (*big.Int, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "slashedPending")

	if err != nil {
		return *new(*big.Int), err
	}

	out0 := *abi.ConvertType(out[0], new(*big.Int)).(**big.Int)

	return out0, err

}

// SlashedPending is a free data retrieval call binding the contract method 0x21175e92.
//
// Solidity: function slashedPending() view returns(uint256)
func (_NodeRegistry *NodeRegistrySession) SlashedPending() (*big.Int, error) {
	return _NodeRegistry.Contract.SlashedPending(&_NodeRegistry.CallOpts)
}

// SlashedPending is a free data retrieval call binding the contract method 0x21175e92.
//
// Solidity: function slashedPending() view returns(uint256)
func (_NodeRegistry *NodeRegistryCallerSession) SlashedPending() (*big.Int, error) {
	return _NodeRegistry.Contract.SlashedPending(&_NodeRegistry.CallOpts)
}

// UnbondingPeriod is a free data retrieval call binding the contract method 0x6cf6d675.
//
// Solidity: function unbondingPeriod() view returns(uint64)
func (_NodeRegistry *NodeRegistryCaller) UnbondingPeriod(opts *bind.CallOpts) (uint64, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "unbondingPeriod")

	if err != nil {
		return *new(uint64), err
	}

	out0 := *abi.ConvertType(out[0], new(uint64)).(*uint64)

	return out0, err

}

// UnbondingPeriod is a free data retrieval call binding the contract method 0x6cf6d675.
//
// Solidity: function unbondingPeriod() view returns(uint64)
func (_NodeRegistry *NodeRegistrySession) UnbondingPeriod() (uint64, error) {
	return _NodeRegistry.Contract.UnbondingPeriod(&_NodeRegistry.CallOpts)
}

// UnbondingPeriod is a free data retrieval call binding the contract method 0x6cf6d675.
//
// Solidity: function unbondingPeriod() view returns(uint64)
func (_NodeRegistry *NodeRegistryCallerSession) UnbondingPeriod() (uint64, error) {
	return _NodeRegistry.Contract.UnbondingPeriod(&_NodeRegistry.CallOpts)
}

// WindowAt is a free data retrieval call binding the contract method 0x146ce75f.
//
// Solidity: function windowAt(uint64 t) view returns(uint64)
func (_NodeRegistry *NodeRegistryCaller) WindowAt(opts *bind.CallOpts, t uint64) (uint64, error) {
	var out []interface{}
	err := _NodeRegistry.contract.Call(opts, &out, "windowAt", t)

	if err != nil {
		return *new(uint64), err
	}

	out0 := *abi.ConvertType(out[0], new(uint64)).(*uint64)

	return out0, err

}

// WindowAt is a free data retrieval call binding the contract method 0x146ce75f.
//
// Solidity: function windowAt(uint64 t) view returns(uint64)
func (_NodeRegistry *NodeRegistrySession) WindowAt(t uint64) (uint64, error) {
	return _NodeRegistry.Contract.WindowAt(&_NodeRegistry.CallOpts, t)
}

// WindowAt is a free data retrieval call binding the contract method 0x146ce75f.
//
// Solidity: function windowAt(uint64 t) view returns(uint64)
func (_NodeRegistry *NodeRegistryCallerSession) WindowAt(t uint64) (uint64, error) {
	return _NodeRegistry.Contract.WindowAt(&_NodeRegistry.CallOpts, t)
}

// AddStake is a paid mutator transaction binding the contract method 0x10767904.
//
// Solidity: function addStake(address id) payable returns()
func (_NodeRegistry *NodeRegistryTransactor) AddStake(opts *bind.TransactOpts, id common.Address) (*types.Transaction, error) {
	return _NodeRegistry.contract.Transact(opts, "addStake", id)
}

// AddStake is a paid mutator transaction binding the contract method 0x10767904.
//
// Solidity: function addStake(address id) payable returns()
func (_NodeRegistry *NodeRegistrySession) AddStake(id common.Address) (*types.Transaction, error) {
	return _NodeRegistry.Contract.AddStake(&_NodeRegistry.TransactOpts, id)
}

// AddStake is a paid mutator transaction binding the contract method 0x10767904.
//
// Solidity: function addStake(address id) payable returns()
func (_NodeRegistry *NodeRegistryTransactorSession) AddStake(id common.Address) (*types.Transaction, error) {
	return _NodeRegistry.Contract.AddStake(&_NodeRegistry.TransactOpts, id)
}

// Register is a paid mutator transaction binding the contract method 0x653b41d9.
//
// Solidity: function register(bytes pubKey, string[] multiaddrs, string metadata, bytes popSignature) payable returns(address id)
func (_NodeRegistry *NodeRegistryTransactor) Register(opts *bind.TransactOpts, pubKey []byte, multiaddrs []string, metadata string, popSignature []byte) (*types.Transaction, error) {
	return _NodeRegistry.contract.Transact(opts, "register", pubKey, multiaddrs, metadata, popSignature)
}

// Register is a paid mutator transaction binding the contract method 0x653b41d9.
//
// Solidity: function register(bytes pubKey, string[] multiaddrs, string metadata, bytes popSignature) payable returns(address id)
func (_NodeRegistry *NodeRegistrySession) Register(pubKey []byte, multiaddrs []string, metadata string, popSignature []byte) (*types.Transaction, error) {
	return _NodeRegistry.Contract.Register(&_NodeRegistry.TransactOpts, pubKey, multiaddrs, metadata, popSignature)
}

// Register is a paid mutator transaction binding the contract method 0x653b41d9.
//
// Solidity: function register(bytes pubKey, string[] multiaddrs, string metadata, bytes popSignature) payable returns(address id)
func (_NodeRegistry *NodeRegistryTransactorSession) Register(pubKey []byte, multiaddrs []string, metadata string, popSignature []byte) (*types.Transaction, error) {
	return _NodeRegistry.Contract.Register(&_NodeRegistry.TransactOpts, pubKey, multiaddrs, metadata, popSignature)
}

// ReportOffline is a paid mutator transaction binding the contract method 0x52c0324f.
//
// Solidity: function reportOffline(address id, uint64 window, address[] attesters, uint64[] offlineSeconds, bytes[] signatures) returns()
func (_NodeRegistry *NodeRegistryTransactor) ReportOffline(opts *bind.TransactOpts, id common.Address, window uint64, attesters []common.Address, offlineSeconds []uint64, signatures [][]byte) (*types.Transaction, error) {
	return _NodeRegistry.contract.Transact(opts, "reportOffline", id, window, attesters, offlineSeconds, signatures)
}

// ReportOffline is a paid mutator transaction binding the contract method 0x52c0324f.
//
// Solidity: function reportOffline(address id, uint64 window, address[] attesters, uint64[] offlineSeconds, bytes[] signatures) returns()
func (_NodeRegistry *NodeRegistrySession) ReportOffline(id common.Address, window uint64, attesters []common.Address, offlineSeconds []uint64, signatures [][]byte) (*types.Transaction, error) {
	return _NodeRegistry.Contract.ReportOffline(&_NodeRegistry.TransactOpts, id, window, attesters, offlineSeconds, signatures)
}

// ReportOffline is a paid mutator transaction binding the contract method 0x52c0324f.
//
// Solidity: function reportOffline(address id, uint64 window, address[] attesters, uint64[] offlineSeconds, bytes[] signatures) returns()
func (_NodeRegistry *NodeRegistryTransactorSession) ReportOffline(id common.Address, window uint64, attesters []common.Address, offlineSeconds []uint64, signatures [][]byte) (*types.Transaction, error) {
	return _NodeRegistry.Contract.ReportOffline(&_NodeRegistry.TransactOpts, id, window, attesters, offlineSeconds, signatures)
}

// RequestExit is a paid mutator transaction binding the contract method 0x28cb1e38.
//
// Solidity: function requestExit(address id) returns()
func (_NodeRegistry *NodeRegistryTransactor) RequestExit(opts *bind.TransactOpts, id common.Address) (*types.Transaction, error) {
	return _NodeRegistry.contract.Transact(opts, "requestExit", id)
}

// RequestExit is a paid mutator transaction binding the contract method 0x28cb1e38.
//
// Solidity: function requestExit(address id) returns()
func (_NodeRegistry *NodeRegistrySession) RequestExit(id common.Address) (*types.Transaction, error) {
	return _NodeRegistry.Contract.RequestExit(&_NodeRegistry.TransactOpts, id)
}

// RequestExit is a paid mutator transaction binding the contract method 0x28cb1e38.
//
// Solidity: function requestExit(address id) returns()
func (_NodeRegistry *NodeRegistryTransactorSession) RequestExit(id common.Address) (*types.Transaction, error) {
	return _NodeRegistry.Contract.RequestExit(&_NodeRegistry.TransactOpts, id)
}

// SetRole is a paid mutator transaction binding the contract method 0x571c3e60.
//
// Solidity: function setRole(address id, uint8 role) returns()
func (_NodeRegistry *NodeRegistryTransactor) SetRole(opts *bind.TransactOpts, id common.Address, role uint8) (*types.Transaction, error) {
	return _NodeRegistry.contract.Transact(opts, "setRole", id, role)
}

// SetRole is a paid mutator transaction binding the contract method 0x571c3e60.
//
// Solidity: function setRole(address id, uint8 role) returns()
func (_NodeRegistry *NodeRegistrySession) SetRole(id common.Address, role uint8) (*types.Transaction, error) {
	return _NodeRegistry.Contract.SetRole(&_NodeRegistry.TransactOpts, id, role)
}

// SetRole is a paid mutator transaction binding the contract method 0x571c3e60.
//
// Solidity: function setRole(address id, uint8 role) returns()
func (_NodeRegistry *NodeRegistryTransactorSession) SetRole(id common.Address, role uint8) (*types.Transaction, error) {
	return _NodeRegistry.Contract.SetRole(&_NodeRegistry.TransactOpts, id, role)
}

// SweepSlashed is a paid mutator transaction binding the contract method 0x62ced90f.
//
// Solidity: function sweepSlashed() returns()
func (_NodeRegistry *NodeRegistryTransactor) SweepSlashed(opts *bind.TransactOpts) (*types.Transaction, error) {
	return _NodeRegistry.contract.Transact(opts, "sweepSlashed")
}

// SweepSlashed is a paid mutator transaction binding the contract method 0x62ced90f.
//
// Solidity: function sweepSlashed() returns()
func (_NodeRegistry *NodeRegistrySession) SweepSlashed() (*types.Transaction, error) {
	return _NodeRegistry.Contract.SweepSlashed(&_NodeRegistry.TransactOpts)
}

// SweepSlashed is a paid mutator transaction binding the contract method 0x62ced90f.
//
// Solidity: function sweepSlashed() returns()
func (_NodeRegistry *NodeRegistryTransactorSession) SweepSlashed() (*types.Transaction, error) {
	return _NodeRegistry.Contract.SweepSlashed(&_NodeRegistry.TransactOpts)
}

// TransferAdmin is a paid mutator transaction binding the contract method 0x75829def.
//
// Solidity: function transferAdmin(address newAdmin) returns()
func (_NodeRegistry *NodeRegistryTransactor) TransferAdmin(opts *bind.TransactOpts, newAdmin common.Address) (*types.Transaction, error) {
	return _NodeRegistry.contract.Transact(opts, "transferAdmin", newAdmin)
}

// TransferAdmin is a paid mutator transaction binding the contract method 0x75829def.
//
// Solidity: function transferAdmin(address newAdmin) returns()
func (_NodeRegistry *NodeRegistrySession) TransferAdmin(newAdmin common.Address) (*types.Transaction, error) {
	return _NodeRegistry.Contract.TransferAdmin(&_NodeRegistry.TransactOpts, newAdmin)
}

// TransferAdmin is a paid mutator transaction binding the contract method 0x75829def.
//
// Solidity: function transferAdmin(address newAdmin) returns()
func (_NodeRegistry *NodeRegistryTransactorSession) TransferAdmin(newAdmin common.Address) (*types.Transaction, error) {
	return _NodeRegistry.Contract.TransferAdmin(&_NodeRegistry.TransactOpts, newAdmin)
}

// Unjail is a paid mutator transaction binding the contract method 0x449ecfe6.
//
// Solidity: function unjail(address id) payable returns()
func (_NodeRegistry *NodeRegistryTransactor) Unjail(opts *bind.TransactOpts, id common.Address) (*types.Transaction, error) {
	return _NodeRegistry.contract.Transact(opts, "unjail", id)
}

// Unjail is a paid mutator transaction binding the contract method 0x449ecfe6.
//
// Solidity: function unjail(address id) payable returns()
func (_NodeRegistry *NodeRegistrySession) Unjail(id common.Address) (*types.Transaction, error) {
	return _NodeRegistry.Contract.Unjail(&_NodeRegistry.TransactOpts, id)
}

// Unjail is a paid mutator transaction binding the contract method 0x449ecfe6.
//
// Solidity: function unjail(address id) payable returns()
func (_NodeRegistry *NodeRegistryTransactorSession) Unjail(id common.Address) (*types.Transaction, error) {
	return _NodeRegistry.Contract.Unjail(&_NodeRegistry.TransactOpts, id)
}

// UpdateAddrs is a paid mutator transaction binding the contract method 0x035c057e.
//
// Solidity: function updateAddrs(address id, string[] multiaddrs) returns()
func (_NodeRegistry *NodeRegistryTransactor) UpdateAddrs(opts *bind.TransactOpts, id common.Address, multiaddrs []string) (*types.Transaction, error) {
	return _NodeRegistry.contract.Transact(opts, "updateAddrs", id, multiaddrs)
}

// UpdateAddrs is a paid mutator transaction binding the contract method 0x035c057e.
//
// Solidity: function updateAddrs(address id, string[] multiaddrs) returns()
func (_NodeRegistry *NodeRegistrySession) UpdateAddrs(id common.Address, multiaddrs []string) (*types.Transaction, error) {
	return _NodeRegistry.Contract.UpdateAddrs(&_NodeRegistry.TransactOpts, id, multiaddrs)
}

// UpdateAddrs is a paid mutator transaction binding the contract method 0x035c057e.
//
// Solidity: function updateAddrs(address id, string[] multiaddrs) returns()
func (_NodeRegistry *NodeRegistryTransactorSession) UpdateAddrs(id common.Address, multiaddrs []string) (*types.Transaction, error) {
	return _NodeRegistry.Contract.UpdateAddrs(&_NodeRegistry.TransactOpts, id, multiaddrs)
}

// UpdateMetadata is a paid mutator transaction binding the contract method 0xda38d498.
//
// Solidity: function updateMetadata(address id, string metadata) returns()
func (_NodeRegistry *NodeRegistryTransactor) UpdateMetadata(opts *bind.TransactOpts, id common.Address, metadata string) (*types.Transaction, error) {
	return _NodeRegistry.contract.Transact(opts, "updateMetadata", id, metadata)
}

// UpdateMetadata is a paid mutator transaction binding the contract method 0xda38d498.
//
// Solidity: function updateMetadata(address id, string metadata) returns()
func (_NodeRegistry *NodeRegistrySession) UpdateMetadata(id common.Address, metadata string) (*types.Transaction, error) {
	return _NodeRegistry.Contract.UpdateMetadata(&_NodeRegistry.TransactOpts, id, metadata)
}

// UpdateMetadata is a paid mutator transaction binding the contract method 0xda38d498.
//
// Solidity: function updateMetadata(address id, string metadata) returns()
func (_NodeRegistry *NodeRegistryTransactorSession) UpdateMetadata(id common.Address, metadata string) (*types.Transaction, error) {
	return _NodeRegistry.Contract.UpdateMetadata(&_NodeRegistry.TransactOpts, id, metadata)
}

// Withdraw is a paid mutator transaction binding the contract method 0x51cff8d9.
//
// Solidity: function withdraw(address id) returns()
func (_NodeRegistry *NodeRegistryTransactor) Withdraw(opts *bind.TransactOpts, id common.Address) (*types.Transaction, error) {
	return _NodeRegistry.contract.Transact(opts, "withdraw", id)
}

// Withdraw is a paid mutator transaction binding the contract method 0x51cff8d9.
//
// Solidity: function withdraw(address id) returns()
func (_NodeRegistry *NodeRegistrySession) Withdraw(id common.Address) (*types.Transaction, error) {
	return _NodeRegistry.Contract.Withdraw(&_NodeRegistry.TransactOpts, id)
}

// Withdraw is a paid mutator transaction binding the contract method 0x51cff8d9.
//
// Solidity: function withdraw(address id) returns()
func (_NodeRegistry *NodeRegistryTransactorSession) Withdraw(id common.Address) (*types.Transaction, error) {
	return _NodeRegistry.Contract.Withdraw(&_NodeRegistry.TransactOpts, id)
}

// NodeRegistryAddrsUpdatedIterator is returned from FilterAddrsUpdated and is used to iterate over the raw logs and unpacked data for AddrsUpdated events raised by the NodeRegistry contract.
type NodeRegistryAddrsUpdatedIterator struct {
	Event *NodeRegistryAddrsUpdated // Event containing the contract specifics and raw log

	contract *bind.BoundContract // Generic contract to use for unpacking event data
	event    string              // Event name to use for unpacking event data

	logs chan types.Log        // Log channel receiving the found contract events
	sub  ethereum.Subscription // Subscription for errors, completion and termination
	done bool                  // Whether the subscription completed delivering logs
	fail error                 // Occurred error to stop iteration
}

// Next advances the iterator to the subsequent event, returning whether there
// are any more events found. In case of a retrieval or parsing error, false is
// returned and Error() can be queried for the exact failure.
func (it *NodeRegistryAddrsUpdatedIterator) Next() bool {
	// If the iterator failed, stop iterating
	if it.fail != nil {
		return false
	}
	// If the iterator completed, deliver directly whatever's available
	if it.done {
		select {
		case log := <-it.logs:
			it.Event = new(NodeRegistryAddrsUpdated)
			if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
				it.fail = err
				return false
			}
			it.Event.Raw = log
			return true

		default:
			return false
		}
	}
	// Iterator still in progress, wait for either a data or an error event
	select {
	case log := <-it.logs:
		it.Event = new(NodeRegistryAddrsUpdated)
		if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
			it.fail = err
			return false
		}
		it.Event.Raw = log
		return true

	case err := <-it.sub.Err():
		it.done = true
		it.fail = err
		return it.Next()
	}
}

// Error returns any retrieval or parsing error occurred during filtering.
func (it *NodeRegistryAddrsUpdatedIterator) Error() error {
	return it.fail
}

// Close terminates the iteration process, releasing any pending underlying
// resources.
func (it *NodeRegistryAddrsUpdatedIterator) Close() error {
	it.sub.Unsubscribe()
	return nil
}

// NodeRegistryAddrsUpdated represents a AddrsUpdated event raised by the NodeRegistry contract.
type NodeRegistryAddrsUpdated struct {
	Id         common.Address
	Multiaddrs []string
	Raw        types.Log // Blockchain specific contextual infos
}

// FilterAddrsUpdated is a free log retrieval operation binding the contract event 0x74de0646ecc0a3ee68128c0add31b4e7fffc678d03fd1e0380512a6ef7c1e15f.
//
// Solidity: event AddrsUpdated(address indexed id, string[] multiaddrs)
func (_NodeRegistry *NodeRegistryFilterer) FilterAddrsUpdated(opts *bind.FilterOpts, id []common.Address) (*NodeRegistryAddrsUpdatedIterator, error) {

	var idRule []interface{}
	for _, idItem := range id {
		idRule = append(idRule, idItem)
	}

	logs, sub, err := _NodeRegistry.contract.FilterLogs(opts, "AddrsUpdated", idRule)
	if err != nil {
		return nil, err
	}
	return &NodeRegistryAddrsUpdatedIterator{contract: _NodeRegistry.contract, event: "AddrsUpdated", logs: logs, sub: sub}, nil
}

// WatchAddrsUpdated is a free log subscription operation binding the contract event 0x74de0646ecc0a3ee68128c0add31b4e7fffc678d03fd1e0380512a6ef7c1e15f.
//
// Solidity: event AddrsUpdated(address indexed id, string[] multiaddrs)
func (_NodeRegistry *NodeRegistryFilterer) WatchAddrsUpdated(opts *bind.WatchOpts, sink chan<- *NodeRegistryAddrsUpdated, id []common.Address) (event.Subscription, error) {

	var idRule []interface{}
	for _, idItem := range id {
		idRule = append(idRule, idItem)
	}

	logs, sub, err := _NodeRegistry.contract.WatchLogs(opts, "AddrsUpdated", idRule)
	if err != nil {
		return nil, err
	}
	return event.NewSubscription(func(quit <-chan struct{}) error {
		defer sub.Unsubscribe()
		for {
			select {
			case log := <-logs:
				// New log arrived, parse the event and forward to the user
				event := new(NodeRegistryAddrsUpdated)
				if err := _NodeRegistry.contract.UnpackLog(event, "AddrsUpdated", log); err != nil {
					// If the signature doesn't match, skip this log.
					if errors.Is(err, bind.ErrEventSignatureMismatch) {
						continue
					}
					return err
				}
				event.Raw = log

				select {
				case sink <- event:
				case err := <-sub.Err():
					return err
				case <-quit:
					return nil
				}
			case err := <-sub.Err():
				return err
			case <-quit:
				return nil
			}
		}
	}), nil
}

// ParseAddrsUpdated is a log parse operation binding the contract event 0x74de0646ecc0a3ee68128c0add31b4e7fffc678d03fd1e0380512a6ef7c1e15f.
//
// Solidity: event AddrsUpdated(address indexed id, string[] multiaddrs)
func (_NodeRegistry *NodeRegistryFilterer) ParseAddrsUpdated(log types.Log) (*NodeRegistryAddrsUpdated, error) {
	event := new(NodeRegistryAddrsUpdated)
	if err := _NodeRegistry.contract.UnpackLog(event, "AddrsUpdated", log); err != nil {
		return nil, err
	}
	event.Raw = log
	return event, nil
}

// NodeRegistryAdminChangedIterator is returned from FilterAdminChanged and is used to iterate over the raw logs and unpacked data for AdminChanged events raised by the NodeRegistry contract.
type NodeRegistryAdminChangedIterator struct {
	Event *NodeRegistryAdminChanged // Event containing the contract specifics and raw log

	contract *bind.BoundContract // Generic contract to use for unpacking event data
	event    string              // Event name to use for unpacking event data

	logs chan types.Log        // Log channel receiving the found contract events
	sub  ethereum.Subscription // Subscription for errors, completion and termination
	done bool                  // Whether the subscription completed delivering logs
	fail error                 // Occurred error to stop iteration
}

// Next advances the iterator to the subsequent event, returning whether there
// are any more events found. In case of a retrieval or parsing error, false is
// returned and Error() can be queried for the exact failure.
func (it *NodeRegistryAdminChangedIterator) Next() bool {
	// If the iterator failed, stop iterating
	if it.fail != nil {
		return false
	}
	// If the iterator completed, deliver directly whatever's available
	if it.done {
		select {
		case log := <-it.logs:
			it.Event = new(NodeRegistryAdminChanged)
			if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
				it.fail = err
				return false
			}
			it.Event.Raw = log
			return true

		default:
			return false
		}
	}
	// Iterator still in progress, wait for either a data or an error event
	select {
	case log := <-it.logs:
		it.Event = new(NodeRegistryAdminChanged)
		if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
			it.fail = err
			return false
		}
		it.Event.Raw = log
		return true

	case err := <-it.sub.Err():
		it.done = true
		it.fail = err
		return it.Next()
	}
}

// Error returns any retrieval or parsing error occurred during filtering.
func (it *NodeRegistryAdminChangedIterator) Error() error {
	return it.fail
}

// Close terminates the iteration process, releasing any pending underlying
// resources.
func (it *NodeRegistryAdminChangedIterator) Close() error {
	it.sub.Unsubscribe()
	return nil
}

// NodeRegistryAdminChanged represents a AdminChanged event raised by the NodeRegistry contract.
type NodeRegistryAdminChanged struct {
	PreviousAdmin common.Address
	NewAdmin      common.Address
	Raw           types.Log // Blockchain specific contextual infos
}

// FilterAdminChanged is a free log retrieval operation binding the contract event 0x7e644d79422f17c01e4894b5f4f588d331ebfa28653d42ae832dc59e38c9798f.
//
// Solidity: event AdminChanged(address indexed previousAdmin, address indexed newAdmin)
func (_NodeRegistry *NodeRegistryFilterer) FilterAdminChanged(opts *bind.FilterOpts, previousAdmin []common.Address, newAdmin []common.Address) (*NodeRegistryAdminChangedIterator, error) {

	var previousAdminRule []interface{}
	for _, previousAdminItem := range previousAdmin {
		previousAdminRule = append(previousAdminRule, previousAdminItem)
	}
	var newAdminRule []interface{}
	for _, newAdminItem := range newAdmin {
		newAdminRule = append(newAdminRule, newAdminItem)
	}

	logs, sub, err := _NodeRegistry.contract.FilterLogs(opts, "AdminChanged", previousAdminRule, newAdminRule)
	if err != nil {
		return nil, err
	}
	return &NodeRegistryAdminChangedIterator{contract: _NodeRegistry.contract, event: "AdminChanged", logs: logs, sub: sub}, nil
}

// WatchAdminChanged is a free log subscription operation binding the contract event 0x7e644d79422f17c01e4894b5f4f588d331ebfa28653d42ae832dc59e38c9798f.
//
// Solidity: event AdminChanged(address indexed previousAdmin, address indexed newAdmin)
func (_NodeRegistry *NodeRegistryFilterer) WatchAdminChanged(opts *bind.WatchOpts, sink chan<- *NodeRegistryAdminChanged, previousAdmin []common.Address, newAdmin []common.Address) (event.Subscription, error) {

	var previousAdminRule []interface{}
	for _, previousAdminItem := range previousAdmin {
		previousAdminRule = append(previousAdminRule, previousAdminItem)
	}
	var newAdminRule []interface{}
	for _, newAdminItem := range newAdmin {
		newAdminRule = append(newAdminRule, newAdminItem)
	}

	logs, sub, err := _NodeRegistry.contract.WatchLogs(opts, "AdminChanged", previousAdminRule, newAdminRule)
	if err != nil {
		return nil, err
	}
	return event.NewSubscription(func(quit <-chan struct{}) error {
		defer sub.Unsubscribe()
		for {
			select {
			case log := <-logs:
				// New log arrived, parse the event and forward to the user
				event := new(NodeRegistryAdminChanged)
				if err := _NodeRegistry.contract.UnpackLog(event, "AdminChanged", log); err != nil {
					// If the signature doesn't match, skip this log.
					if errors.Is(err, bind.ErrEventSignatureMismatch) {
						continue
					}
					return err
				}
				event.Raw = log

				select {
				case sink <- event:
				case err := <-sub.Err():
					return err
				case <-quit:
					return nil
				}
			case err := <-sub.Err():
				return err
			case <-quit:
				return nil
			}
		}
	}), nil
}

// ParseAdminChanged is a log parse operation binding the contract event 0x7e644d79422f17c01e4894b5f4f588d331ebfa28653d42ae832dc59e38c9798f.
//
// Solidity: event AdminChanged(address indexed previousAdmin, address indexed newAdmin)
func (_NodeRegistry *NodeRegistryFilterer) ParseAdminChanged(log types.Log) (*NodeRegistryAdminChanged, error) {
	event := new(NodeRegistryAdminChanged)
	if err := _NodeRegistry.contract.UnpackLog(event, "AdminChanged", log); err != nil {
		return nil, err
	}
	event.Raw = log
	return event, nil
}

// NodeRegistryExitRequestedIterator is returned from FilterExitRequested and is used to iterate over the raw logs and unpacked data for ExitRequested events raised by the NodeRegistry contract.
type NodeRegistryExitRequestedIterator struct {
	Event *NodeRegistryExitRequested // Event containing the contract specifics and raw log

	contract *bind.BoundContract // Generic contract to use for unpacking event data
	event    string              // Event name to use for unpacking event data

	logs chan types.Log        // Log channel receiving the found contract events
	sub  ethereum.Subscription // Subscription for errors, completion and termination
	done bool                  // Whether the subscription completed delivering logs
	fail error                 // Occurred error to stop iteration
}

// Next advances the iterator to the subsequent event, returning whether there
// are any more events found. In case of a retrieval or parsing error, false is
// returned and Error() can be queried for the exact failure.
func (it *NodeRegistryExitRequestedIterator) Next() bool {
	// If the iterator failed, stop iterating
	if it.fail != nil {
		return false
	}
	// If the iterator completed, deliver directly whatever's available
	if it.done {
		select {
		case log := <-it.logs:
			it.Event = new(NodeRegistryExitRequested)
			if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
				it.fail = err
				return false
			}
			it.Event.Raw = log
			return true

		default:
			return false
		}
	}
	// Iterator still in progress, wait for either a data or an error event
	select {
	case log := <-it.logs:
		it.Event = new(NodeRegistryExitRequested)
		if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
			it.fail = err
			return false
		}
		it.Event.Raw = log
		return true

	case err := <-it.sub.Err():
		it.done = true
		it.fail = err
		return it.Next()
	}
}

// Error returns any retrieval or parsing error occurred during filtering.
func (it *NodeRegistryExitRequestedIterator) Error() error {
	return it.fail
}

// Close terminates the iteration process, releasing any pending underlying
// resources.
func (it *NodeRegistryExitRequestedIterator) Close() error {
	it.sub.Unsubscribe()
	return nil
}

// NodeRegistryExitRequested represents a ExitRequested event raised by the NodeRegistry contract.
type NodeRegistryExitRequested struct {
	Id             common.Address
	WithdrawableAt uint64
	Raw            types.Log // Blockchain specific contextual infos
}

// FilterExitRequested is a free log retrieval operation binding the contract event 0x12af565fbdd53c6be7b24b4d08750ab523585c012527663059a728d6bf640d51.
//
// Solidity: event ExitRequested(address indexed id, uint64 withdrawableAt)
func (_NodeRegistry *NodeRegistryFilterer) FilterExitRequested(opts *bind.FilterOpts, id []common.Address) (*NodeRegistryExitRequestedIterator, error) {

	var idRule []interface{}
	for _, idItem := range id {
		idRule = append(idRule, idItem)
	}

	logs, sub, err := _NodeRegistry.contract.FilterLogs(opts, "ExitRequested", idRule)
	if err != nil {
		return nil, err
	}
	return &NodeRegistryExitRequestedIterator{contract: _NodeRegistry.contract, event: "ExitRequested", logs: logs, sub: sub}, nil
}

// WatchExitRequested is a free log subscription operation binding the contract event 0x12af565fbdd53c6be7b24b4d08750ab523585c012527663059a728d6bf640d51.
//
// Solidity: event ExitRequested(address indexed id, uint64 withdrawableAt)
func (_NodeRegistry *NodeRegistryFilterer) WatchExitRequested(opts *bind.WatchOpts, sink chan<- *NodeRegistryExitRequested, id []common.Address) (event.Subscription, error) {

	var idRule []interface{}
	for _, idItem := range id {
		idRule = append(idRule, idItem)
	}

	logs, sub, err := _NodeRegistry.contract.WatchLogs(opts, "ExitRequested", idRule)
	if err != nil {
		return nil, err
	}
	return event.NewSubscription(func(quit <-chan struct{}) error {
		defer sub.Unsubscribe()
		for {
			select {
			case log := <-logs:
				// New log arrived, parse the event and forward to the user
				event := new(NodeRegistryExitRequested)
				if err := _NodeRegistry.contract.UnpackLog(event, "ExitRequested", log); err != nil {
					// If the signature doesn't match, skip this log.
					if errors.Is(err, bind.ErrEventSignatureMismatch) {
						continue
					}
					return err
				}
				event.Raw = log

				select {
				case sink <- event:
				case err := <-sub.Err():
					return err
				case <-quit:
					return nil
				}
			case err := <-sub.Err():
				return err
			case <-quit:
				return nil
			}
		}
	}), nil
}

// ParseExitRequested is a log parse operation binding the contract event 0x12af565fbdd53c6be7b24b4d08750ab523585c012527663059a728d6bf640d51.
//
// Solidity: event ExitRequested(address indexed id, uint64 withdrawableAt)
func (_NodeRegistry *NodeRegistryFilterer) ParseExitRequested(log types.Log) (*NodeRegistryExitRequested, error) {
	event := new(NodeRegistryExitRequested)
	if err := _NodeRegistry.contract.UnpackLog(event, "ExitRequested", log); err != nil {
		return nil, err
	}
	event.Raw = log
	return event, nil
}

// NodeRegistryJailedIterator is returned from FilterJailed and is used to iterate over the raw logs and unpacked data for Jailed events raised by the NodeRegistry contract.
type NodeRegistryJailedIterator struct {
	Event *NodeRegistryJailed // Event containing the contract specifics and raw log

	contract *bind.BoundContract // Generic contract to use for unpacking event data
	event    string              // Event name to use for unpacking event data

	logs chan types.Log        // Log channel receiving the found contract events
	sub  ethereum.Subscription // Subscription for errors, completion and termination
	done bool                  // Whether the subscription completed delivering logs
	fail error                 // Occurred error to stop iteration
}

// Next advances the iterator to the subsequent event, returning whether there
// are any more events found. In case of a retrieval or parsing error, false is
// returned and Error() can be queried for the exact failure.
func (it *NodeRegistryJailedIterator) Next() bool {
	// If the iterator failed, stop iterating
	if it.fail != nil {
		return false
	}
	// If the iterator completed, deliver directly whatever's available
	if it.done {
		select {
		case log := <-it.logs:
			it.Event = new(NodeRegistryJailed)
			if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
				it.fail = err
				return false
			}
			it.Event.Raw = log
			return true

		default:
			return false
		}
	}
	// Iterator still in progress, wait for either a data or an error event
	select {
	case log := <-it.logs:
		it.Event = new(NodeRegistryJailed)
		if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
			it.fail = err
			return false
		}
		it.Event.Raw = log
		return true

	case err := <-it.sub.Err():
		it.done = true
		it.fail = err
		return it.Next()
	}
}

// Error returns any retrieval or parsing error occurred during filtering.
func (it *NodeRegistryJailedIterator) Error() error {
	return it.fail
}

// Close terminates the iteration process, releasing any pending underlying
// resources.
func (it *NodeRegistryJailedIterator) Close() error {
	it.sub.Unsubscribe()
	return nil
}

// NodeRegistryJailed represents a Jailed event raised by the NodeRegistry contract.
type NodeRegistryJailed struct {
	Id          common.Address
	Window      uint64
	JailedUntil uint64
	Raw         types.Log // Blockchain specific contextual infos
}

// FilterJailed is a free log retrieval operation binding the contract event 0x937dd0cbfcd17e637a8afc36b690ce6f7220b0c0c464d69b3b45c4c69e2d7883.
//
// Solidity: event Jailed(address indexed id, uint64 window, uint64 jailedUntil)
func (_NodeRegistry *NodeRegistryFilterer) FilterJailed(opts *bind.FilterOpts, id []common.Address) (*NodeRegistryJailedIterator, error) {

	var idRule []interface{}
	for _, idItem := range id {
		idRule = append(idRule, idItem)
	}

	logs, sub, err := _NodeRegistry.contract.FilterLogs(opts, "Jailed", idRule)
	if err != nil {
		return nil, err
	}
	return &NodeRegistryJailedIterator{contract: _NodeRegistry.contract, event: "Jailed", logs: logs, sub: sub}, nil
}

// WatchJailed is a free log subscription operation binding the contract event 0x937dd0cbfcd17e637a8afc36b690ce6f7220b0c0c464d69b3b45c4c69e2d7883.
//
// Solidity: event Jailed(address indexed id, uint64 window, uint64 jailedUntil)
func (_NodeRegistry *NodeRegistryFilterer) WatchJailed(opts *bind.WatchOpts, sink chan<- *NodeRegistryJailed, id []common.Address) (event.Subscription, error) {

	var idRule []interface{}
	for _, idItem := range id {
		idRule = append(idRule, idItem)
	}

	logs, sub, err := _NodeRegistry.contract.WatchLogs(opts, "Jailed", idRule)
	if err != nil {
		return nil, err
	}
	return event.NewSubscription(func(quit <-chan struct{}) error {
		defer sub.Unsubscribe()
		for {
			select {
			case log := <-logs:
				// New log arrived, parse the event and forward to the user
				event := new(NodeRegistryJailed)
				if err := _NodeRegistry.contract.UnpackLog(event, "Jailed", log); err != nil {
					// If the signature doesn't match, skip this log.
					if errors.Is(err, bind.ErrEventSignatureMismatch) {
						continue
					}
					return err
				}
				event.Raw = log

				select {
				case sink <- event:
				case err := <-sub.Err():
					return err
				case <-quit:
					return nil
				}
			case err := <-sub.Err():
				return err
			case <-quit:
				return nil
			}
		}
	}), nil
}

// ParseJailed is a log parse operation binding the contract event 0x937dd0cbfcd17e637a8afc36b690ce6f7220b0c0c464d69b3b45c4c69e2d7883.
//
// Solidity: event Jailed(address indexed id, uint64 window, uint64 jailedUntil)
func (_NodeRegistry *NodeRegistryFilterer) ParseJailed(log types.Log) (*NodeRegistryJailed, error) {
	event := new(NodeRegistryJailed)
	if err := _NodeRegistry.contract.UnpackLog(event, "Jailed", log); err != nil {
		return nil, err
	}
	event.Raw = log
	return event, nil
}

// NodeRegistryMetadataUpdatedIterator is returned from FilterMetadataUpdated and is used to iterate over the raw logs and unpacked data for MetadataUpdated events raised by the NodeRegistry contract.
type NodeRegistryMetadataUpdatedIterator struct {
	Event *NodeRegistryMetadataUpdated // Event containing the contract specifics and raw log

	contract *bind.BoundContract // Generic contract to use for unpacking event data
	event    string              // Event name to use for unpacking event data

	logs chan types.Log        // Log channel receiving the found contract events
	sub  ethereum.Subscription // Subscription for errors, completion and termination
	done bool                  // Whether the subscription completed delivering logs
	fail error                 // Occurred error to stop iteration
}

// Next advances the iterator to the subsequent event, returning whether there
// are any more events found. In case of a retrieval or parsing error, false is
// returned and Error() can be queried for the exact failure.
func (it *NodeRegistryMetadataUpdatedIterator) Next() bool {
	// If the iterator failed, stop iterating
	if it.fail != nil {
		return false
	}
	// If the iterator completed, deliver directly whatever's available
	if it.done {
		select {
		case log := <-it.logs:
			it.Event = new(NodeRegistryMetadataUpdated)
			if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
				it.fail = err
				return false
			}
			it.Event.Raw = log
			return true

		default:
			return false
		}
	}
	// Iterator still in progress, wait for either a data or an error event
	select {
	case log := <-it.logs:
		it.Event = new(NodeRegistryMetadataUpdated)
		if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
			it.fail = err
			return false
		}
		it.Event.Raw = log
		return true

	case err := <-it.sub.Err():
		it.done = true
		it.fail = err
		return it.Next()
	}
}

// Error returns any retrieval or parsing error occurred during filtering.
func (it *NodeRegistryMetadataUpdatedIterator) Error() error {
	return it.fail
}

// Close terminates the iteration process, releasing any pending underlying
// resources.
func (it *NodeRegistryMetadataUpdatedIterator) Close() error {
	it.sub.Unsubscribe()
	return nil
}

// NodeRegistryMetadataUpdated represents a MetadataUpdated event raised by the NodeRegistry contract.
type NodeRegistryMetadataUpdated struct {
	Id       common.Address
	Metadata string
	Raw      types.Log // Blockchain specific contextual infos
}

// FilterMetadataUpdated is a free log retrieval operation binding the contract event 0x2013570c343af8ab14a9778150e381a0fda34ed6368127a95fd5e7210cbec5bf.
//
// Solidity: event MetadataUpdated(address indexed id, string metadata)
func (_NodeRegistry *NodeRegistryFilterer) FilterMetadataUpdated(opts *bind.FilterOpts, id []common.Address) (*NodeRegistryMetadataUpdatedIterator, error) {

	var idRule []interface{}
	for _, idItem := range id {
		idRule = append(idRule, idItem)
	}

	logs, sub, err := _NodeRegistry.contract.FilterLogs(opts, "MetadataUpdated", idRule)
	if err != nil {
		return nil, err
	}
	return &NodeRegistryMetadataUpdatedIterator{contract: _NodeRegistry.contract, event: "MetadataUpdated", logs: logs, sub: sub}, nil
}

// WatchMetadataUpdated is a free log subscription operation binding the contract event 0x2013570c343af8ab14a9778150e381a0fda34ed6368127a95fd5e7210cbec5bf.
//
// Solidity: event MetadataUpdated(address indexed id, string metadata)
func (_NodeRegistry *NodeRegistryFilterer) WatchMetadataUpdated(opts *bind.WatchOpts, sink chan<- *NodeRegistryMetadataUpdated, id []common.Address) (event.Subscription, error) {

	var idRule []interface{}
	for _, idItem := range id {
		idRule = append(idRule, idItem)
	}

	logs, sub, err := _NodeRegistry.contract.WatchLogs(opts, "MetadataUpdated", idRule)
	if err != nil {
		return nil, err
	}
	return event.NewSubscription(func(quit <-chan struct{}) error {
		defer sub.Unsubscribe()
		for {
			select {
			case log := <-logs:
				// New log arrived, parse the event and forward to the user
				event := new(NodeRegistryMetadataUpdated)
				if err := _NodeRegistry.contract.UnpackLog(event, "MetadataUpdated", log); err != nil {
					// If the signature doesn't match, skip this log.
					if errors.Is(err, bind.ErrEventSignatureMismatch) {
						continue
					}
					return err
				}
				event.Raw = log

				select {
				case sink <- event:
				case err := <-sub.Err():
					return err
				case <-quit:
					return nil
				}
			case err := <-sub.Err():
				return err
			case <-quit:
				return nil
			}
		}
	}), nil
}

// ParseMetadataUpdated is a log parse operation binding the contract event 0x2013570c343af8ab14a9778150e381a0fda34ed6368127a95fd5e7210cbec5bf.
//
// Solidity: event MetadataUpdated(address indexed id, string metadata)
func (_NodeRegistry *NodeRegistryFilterer) ParseMetadataUpdated(log types.Log) (*NodeRegistryMetadataUpdated, error) {
	event := new(NodeRegistryMetadataUpdated)
	if err := _NodeRegistry.contract.UnpackLog(event, "MetadataUpdated", log); err != nil {
		return nil, err
	}
	event.Raw = log
	return event, nil
}

// NodeRegistryNodeRegisteredIterator is returned from FilterNodeRegistered and is used to iterate over the raw logs and unpacked data for NodeRegistered events raised by the NodeRegistry contract.
type NodeRegistryNodeRegisteredIterator struct {
	Event *NodeRegistryNodeRegistered // Event containing the contract specifics and raw log

	contract *bind.BoundContract // Generic contract to use for unpacking event data
	event    string              // Event name to use for unpacking event data

	logs chan types.Log        // Log channel receiving the found contract events
	sub  ethereum.Subscription // Subscription for errors, completion and termination
	done bool                  // Whether the subscription completed delivering logs
	fail error                 // Occurred error to stop iteration
}

// Next advances the iterator to the subsequent event, returning whether there
// are any more events found. In case of a retrieval or parsing error, false is
// returned and Error() can be queried for the exact failure.
func (it *NodeRegistryNodeRegisteredIterator) Next() bool {
	// If the iterator failed, stop iterating
	if it.fail != nil {
		return false
	}
	// If the iterator completed, deliver directly whatever's available
	if it.done {
		select {
		case log := <-it.logs:
			it.Event = new(NodeRegistryNodeRegistered)
			if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
				it.fail = err
				return false
			}
			it.Event.Raw = log
			return true

		default:
			return false
		}
	}
	// Iterator still in progress, wait for either a data or an error event
	select {
	case log := <-it.logs:
		it.Event = new(NodeRegistryNodeRegistered)
		if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
			it.fail = err
			return false
		}
		it.Event.Raw = log
		return true

	case err := <-it.sub.Err():
		it.done = true
		it.fail = err
		return it.Next()
	}
}

// Error returns any retrieval or parsing error occurred during filtering.
func (it *NodeRegistryNodeRegisteredIterator) Error() error {
	return it.fail
}

// Close terminates the iteration process, releasing any pending underlying
// resources.
func (it *NodeRegistryNodeRegisteredIterator) Close() error {
	it.sub.Unsubscribe()
	return nil
}

// NodeRegistryNodeRegistered represents a NodeRegistered event raised by the NodeRegistry contract.
type NodeRegistryNodeRegistered struct {
	Id          common.Address
	Operator    common.Address
	PubKey      []byte
	Multiaddrs  []string
	Metadata    string
	Stake       *big.Int
	Role        uint8
	ActiveSince uint64
	Raw         types.Log // Blockchain specific contextual infos
}

// FilterNodeRegistered is a free log retrieval operation binding the contract event 0x83f632de0c56524a223446dcedb61b0e8fa3f327e871269be6cbfc5fb7b5ee70.
//
// Solidity: event NodeRegistered(address indexed id, address indexed operator, bytes pubKey, string[] multiaddrs, string metadata, uint256 stake, uint8 role, uint64 activeSince)
func (_NodeRegistry *NodeRegistryFilterer) FilterNodeRegistered(opts *bind.FilterOpts, id []common.Address, operator []common.Address) (*NodeRegistryNodeRegisteredIterator, error) {

	var idRule []interface{}
	for _, idItem := range id {
		idRule = append(idRule, idItem)
	}
	var operatorRule []interface{}
	for _, operatorItem := range operator {
		operatorRule = append(operatorRule, operatorItem)
	}

	logs, sub, err := _NodeRegistry.contract.FilterLogs(opts, "NodeRegistered", idRule, operatorRule)
	if err != nil {
		return nil, err
	}
	return &NodeRegistryNodeRegisteredIterator{contract: _NodeRegistry.contract, event: "NodeRegistered", logs: logs, sub: sub}, nil
}

// WatchNodeRegistered is a free log subscription operation binding the contract event 0x83f632de0c56524a223446dcedb61b0e8fa3f327e871269be6cbfc5fb7b5ee70.
//
// Solidity: event NodeRegistered(address indexed id, address indexed operator, bytes pubKey, string[] multiaddrs, string metadata, uint256 stake, uint8 role, uint64 activeSince)
func (_NodeRegistry *NodeRegistryFilterer) WatchNodeRegistered(opts *bind.WatchOpts, sink chan<- *NodeRegistryNodeRegistered, id []common.Address, operator []common.Address) (event.Subscription, error) {

	var idRule []interface{}
	for _, idItem := range id {
		idRule = append(idRule, idItem)
	}
	var operatorRule []interface{}
	for _, operatorItem := range operator {
		operatorRule = append(operatorRule, operatorItem)
	}

	logs, sub, err := _NodeRegistry.contract.WatchLogs(opts, "NodeRegistered", idRule, operatorRule)
	if err != nil {
		return nil, err
	}
	return event.NewSubscription(func(quit <-chan struct{}) error {
		defer sub.Unsubscribe()
		for {
			select {
			case log := <-logs:
				// New log arrived, parse the event and forward to the user
				event := new(NodeRegistryNodeRegistered)
				if err := _NodeRegistry.contract.UnpackLog(event, "NodeRegistered", log); err != nil {
					// If the signature doesn't match, skip this log.
					if errors.Is(err, bind.ErrEventSignatureMismatch) {
						continue
					}
					return err
				}
				event.Raw = log

				select {
				case sink <- event:
				case err := <-sub.Err():
					return err
				case <-quit:
					return nil
				}
			case err := <-sub.Err():
				return err
			case <-quit:
				return nil
			}
		}
	}), nil
}

// ParseNodeRegistered is a log parse operation binding the contract event 0x83f632de0c56524a223446dcedb61b0e8fa3f327e871269be6cbfc5fb7b5ee70.
//
// Solidity: event NodeRegistered(address indexed id, address indexed operator, bytes pubKey, string[] multiaddrs, string metadata, uint256 stake, uint8 role, uint64 activeSince)
func (_NodeRegistry *NodeRegistryFilterer) ParseNodeRegistered(log types.Log) (*NodeRegistryNodeRegistered, error) {
	event := new(NodeRegistryNodeRegistered)
	if err := _NodeRegistry.contract.UnpackLog(event, "NodeRegistered", log); err != nil {
		return nil, err
	}
	event.Raw = log
	return event, nil
}

// NodeRegistryOfflineReportedIterator is returned from FilterOfflineReported and is used to iterate over the raw logs and unpacked data for OfflineReported events raised by the NodeRegistry contract.
type NodeRegistryOfflineReportedIterator struct {
	Event *NodeRegistryOfflineReported // Event containing the contract specifics and raw log

	contract *bind.BoundContract // Generic contract to use for unpacking event data
	event    string              // Event name to use for unpacking event data

	logs chan types.Log        // Log channel receiving the found contract events
	sub  ethereum.Subscription // Subscription for errors, completion and termination
	done bool                  // Whether the subscription completed delivering logs
	fail error                 // Occurred error to stop iteration
}

// Next advances the iterator to the subsequent event, returning whether there
// are any more events found. In case of a retrieval or parsing error, false is
// returned and Error() can be queried for the exact failure.
func (it *NodeRegistryOfflineReportedIterator) Next() bool {
	// If the iterator failed, stop iterating
	if it.fail != nil {
		return false
	}
	// If the iterator completed, deliver directly whatever's available
	if it.done {
		select {
		case log := <-it.logs:
			it.Event = new(NodeRegistryOfflineReported)
			if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
				it.fail = err
				return false
			}
			it.Event.Raw = log
			return true

		default:
			return false
		}
	}
	// Iterator still in progress, wait for either a data or an error event
	select {
	case log := <-it.logs:
		it.Event = new(NodeRegistryOfflineReported)
		if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
			it.fail = err
			return false
		}
		it.Event.Raw = log
		return true

	case err := <-it.sub.Err():
		it.done = true
		it.fail = err
		return it.Next()
	}
}

// Error returns any retrieval or parsing error occurred during filtering.
func (it *NodeRegistryOfflineReportedIterator) Error() error {
	return it.fail
}

// Close terminates the iteration process, releasing any pending underlying
// resources.
func (it *NodeRegistryOfflineReportedIterator) Close() error {
	it.sub.Unsubscribe()
	return nil
}

// NodeRegistryOfflineReported represents a OfflineReported event raised by the NodeRegistry contract.
type NodeRegistryOfflineReported struct {
	Id        common.Address
	Window    uint64
	Reporter  common.Address
	Attesters *big.Int
	Quorum    *big.Int
	Raw       types.Log // Blockchain specific contextual infos
}

// FilterOfflineReported is a free log retrieval operation binding the contract event 0x16d2b5422bc061927d15d2c16849b400903dbc360f51b707721e9c14f6bb445e.
//
// Solidity: event OfflineReported(address indexed id, uint64 indexed window, address reporter, uint256 attesters, uint256 quorum)
func (_NodeRegistry *NodeRegistryFilterer) FilterOfflineReported(opts *bind.FilterOpts, id []common.Address, window []uint64) (*NodeRegistryOfflineReportedIterator, error) {

	var idRule []interface{}
	for _, idItem := range id {
		idRule = append(idRule, idItem)
	}
	var windowRule []interface{}
	for _, windowItem := range window {
		windowRule = append(windowRule, windowItem)
	}

	logs, sub, err := _NodeRegistry.contract.FilterLogs(opts, "OfflineReported", idRule, windowRule)
	if err != nil {
		return nil, err
	}
	return &NodeRegistryOfflineReportedIterator{contract: _NodeRegistry.contract, event: "OfflineReported", logs: logs, sub: sub}, nil
}

// WatchOfflineReported is a free log subscription operation binding the contract event 0x16d2b5422bc061927d15d2c16849b400903dbc360f51b707721e9c14f6bb445e.
//
// Solidity: event OfflineReported(address indexed id, uint64 indexed window, address reporter, uint256 attesters, uint256 quorum)
func (_NodeRegistry *NodeRegistryFilterer) WatchOfflineReported(opts *bind.WatchOpts, sink chan<- *NodeRegistryOfflineReported, id []common.Address, window []uint64) (event.Subscription, error) {

	var idRule []interface{}
	for _, idItem := range id {
		idRule = append(idRule, idItem)
	}
	var windowRule []interface{}
	for _, windowItem := range window {
		windowRule = append(windowRule, windowItem)
	}

	logs, sub, err := _NodeRegistry.contract.WatchLogs(opts, "OfflineReported", idRule, windowRule)
	if err != nil {
		return nil, err
	}
	return event.NewSubscription(func(quit <-chan struct{}) error {
		defer sub.Unsubscribe()
		for {
			select {
			case log := <-logs:
				// New log arrived, parse the event and forward to the user
				event := new(NodeRegistryOfflineReported)
				if err := _NodeRegistry.contract.UnpackLog(event, "OfflineReported", log); err != nil {
					// If the signature doesn't match, skip this log.
					if errors.Is(err, bind.ErrEventSignatureMismatch) {
						continue
					}
					return err
				}
				event.Raw = log

				select {
				case sink <- event:
				case err := <-sub.Err():
					return err
				case <-quit:
					return nil
				}
			case err := <-sub.Err():
				return err
			case <-quit:
				return nil
			}
		}
	}), nil
}

// ParseOfflineReported is a log parse operation binding the contract event 0x16d2b5422bc061927d15d2c16849b400903dbc360f51b707721e9c14f6bb445e.
//
// Solidity: event OfflineReported(address indexed id, uint64 indexed window, address reporter, uint256 attesters, uint256 quorum)
func (_NodeRegistry *NodeRegistryFilterer) ParseOfflineReported(log types.Log) (*NodeRegistryOfflineReported, error) {
	event := new(NodeRegistryOfflineReported)
	if err := _NodeRegistry.contract.UnpackLog(event, "OfflineReported", log); err != nil {
		return nil, err
	}
	event.Raw = log
	return event, nil
}

// NodeRegistryRoleChangedIterator is returned from FilterRoleChanged and is used to iterate over the raw logs and unpacked data for RoleChanged events raised by the NodeRegistry contract.
type NodeRegistryRoleChangedIterator struct {
	Event *NodeRegistryRoleChanged // Event containing the contract specifics and raw log

	contract *bind.BoundContract // Generic contract to use for unpacking event data
	event    string              // Event name to use for unpacking event data

	logs chan types.Log        // Log channel receiving the found contract events
	sub  ethereum.Subscription // Subscription for errors, completion and termination
	done bool                  // Whether the subscription completed delivering logs
	fail error                 // Occurred error to stop iteration
}

// Next advances the iterator to the subsequent event, returning whether there
// are any more events found. In case of a retrieval or parsing error, false is
// returned and Error() can be queried for the exact failure.
func (it *NodeRegistryRoleChangedIterator) Next() bool {
	// If the iterator failed, stop iterating
	if it.fail != nil {
		return false
	}
	// If the iterator completed, deliver directly whatever's available
	if it.done {
		select {
		case log := <-it.logs:
			it.Event = new(NodeRegistryRoleChanged)
			if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
				it.fail = err
				return false
			}
			it.Event.Raw = log
			return true

		default:
			return false
		}
	}
	// Iterator still in progress, wait for either a data or an error event
	select {
	case log := <-it.logs:
		it.Event = new(NodeRegistryRoleChanged)
		if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
			it.fail = err
			return false
		}
		it.Event.Raw = log
		return true

	case err := <-it.sub.Err():
		it.done = true
		it.fail = err
		return it.Next()
	}
}

// Error returns any retrieval or parsing error occurred during filtering.
func (it *NodeRegistryRoleChangedIterator) Error() error {
	return it.fail
}

// Close terminates the iteration process, releasing any pending underlying
// resources.
func (it *NodeRegistryRoleChangedIterator) Close() error {
	it.sub.Unsubscribe()
	return nil
}

// NodeRegistryRoleChanged represents a RoleChanged event raised by the NodeRegistry contract.
type NodeRegistryRoleChanged struct {
	Id   common.Address
	Role uint8
	Raw  types.Log // Blockchain specific contextual infos
}

// FilterRoleChanged is a free log retrieval operation binding the contract event 0x3cdc6ed770815602e888513518c6a3c86c2238544ea0e0086d6647e30b387afe.
//
// Solidity: event RoleChanged(address indexed id, uint8 role)
func (_NodeRegistry *NodeRegistryFilterer) FilterRoleChanged(opts *bind.FilterOpts, id []common.Address) (*NodeRegistryRoleChangedIterator, error) {

	var idRule []interface{}
	for _, idItem := range id {
		idRule = append(idRule, idItem)
	}

	logs, sub, err := _NodeRegistry.contract.FilterLogs(opts, "RoleChanged", idRule)
	if err != nil {
		return nil, err
	}
	return &NodeRegistryRoleChangedIterator{contract: _NodeRegistry.contract, event: "RoleChanged", logs: logs, sub: sub}, nil
}

// WatchRoleChanged is a free log subscription operation binding the contract event 0x3cdc6ed770815602e888513518c6a3c86c2238544ea0e0086d6647e30b387afe.
//
// Solidity: event RoleChanged(address indexed id, uint8 role)
func (_NodeRegistry *NodeRegistryFilterer) WatchRoleChanged(opts *bind.WatchOpts, sink chan<- *NodeRegistryRoleChanged, id []common.Address) (event.Subscription, error) {

	var idRule []interface{}
	for _, idItem := range id {
		idRule = append(idRule, idItem)
	}

	logs, sub, err := _NodeRegistry.contract.WatchLogs(opts, "RoleChanged", idRule)
	if err != nil {
		return nil, err
	}
	return event.NewSubscription(func(quit <-chan struct{}) error {
		defer sub.Unsubscribe()
		for {
			select {
			case log := <-logs:
				// New log arrived, parse the event and forward to the user
				event := new(NodeRegistryRoleChanged)
				if err := _NodeRegistry.contract.UnpackLog(event, "RoleChanged", log); err != nil {
					// If the signature doesn't match, skip this log.
					if errors.Is(err, bind.ErrEventSignatureMismatch) {
						continue
					}
					return err
				}
				event.Raw = log

				select {
				case sink <- event:
				case err := <-sub.Err():
					return err
				case <-quit:
					return nil
				}
			case err := <-sub.Err():
				return err
			case <-quit:
				return nil
			}
		}
	}), nil
}

// ParseRoleChanged is a log parse operation binding the contract event 0x3cdc6ed770815602e888513518c6a3c86c2238544ea0e0086d6647e30b387afe.
//
// Solidity: event RoleChanged(address indexed id, uint8 role)
func (_NodeRegistry *NodeRegistryFilterer) ParseRoleChanged(log types.Log) (*NodeRegistryRoleChanged, error) {
	event := new(NodeRegistryRoleChanged)
	if err := _NodeRegistry.contract.UnpackLog(event, "RoleChanged", log); err != nil {
		return nil, err
	}
	event.Raw = log
	return event, nil
}

// NodeRegistrySlashSweptIterator is returned from FilterSlashSwept and is used to iterate over the raw logs and unpacked data for SlashSwept events raised by the NodeRegistry contract.
type NodeRegistrySlashSweptIterator struct {
	Event *NodeRegistrySlashSwept // Event containing the contract specifics and raw log

	contract *bind.BoundContract // Generic contract to use for unpacking event data
	event    string              // Event name to use for unpacking event data

	logs chan types.Log        // Log channel receiving the found contract events
	sub  ethereum.Subscription // Subscription for errors, completion and termination
	done bool                  // Whether the subscription completed delivering logs
	fail error                 // Occurred error to stop iteration
}

// Next advances the iterator to the subsequent event, returning whether there
// are any more events found. In case of a retrieval or parsing error, false is
// returned and Error() can be queried for the exact failure.
func (it *NodeRegistrySlashSweptIterator) Next() bool {
	// If the iterator failed, stop iterating
	if it.fail != nil {
		return false
	}
	// If the iterator completed, deliver directly whatever's available
	if it.done {
		select {
		case log := <-it.logs:
			it.Event = new(NodeRegistrySlashSwept)
			if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
				it.fail = err
				return false
			}
			it.Event.Raw = log
			return true

		default:
			return false
		}
	}
	// Iterator still in progress, wait for either a data or an error event
	select {
	case log := <-it.logs:
		it.Event = new(NodeRegistrySlashSwept)
		if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
			it.fail = err
			return false
		}
		it.Event.Raw = log
		return true

	case err := <-it.sub.Err():
		it.done = true
		it.fail = err
		return it.Next()
	}
}

// Error returns any retrieval or parsing error occurred during filtering.
func (it *NodeRegistrySlashSweptIterator) Error() error {
	return it.fail
}

// Close terminates the iteration process, releasing any pending underlying
// resources.
func (it *NodeRegistrySlashSweptIterator) Close() error {
	it.sub.Unsubscribe()
	return nil
}

// NodeRegistrySlashSwept represents a SlashSwept event raised by the NodeRegistry contract.
type NodeRegistrySlashSwept struct {
	To     common.Address
	Amount *big.Int
	Raw    types.Log // Blockchain specific contextual infos
}

// FilterSlashSwept is a free log retrieval operation binding the contract event 0x0c8f6875eef908dc340632d7c54a78c288b672d6fb82c36897b9ac10cc33a94f.
//
// Solidity: event SlashSwept(address indexed to, uint256 amount)
func (_NodeRegistry *NodeRegistryFilterer) FilterSlashSwept(opts *bind.FilterOpts, to []common.Address) (*NodeRegistrySlashSweptIterator, error) {

	var toRule []interface{}
	for _, toItem := range to {
		toRule = append(toRule, toItem)
	}

	logs, sub, err := _NodeRegistry.contract.FilterLogs(opts, "SlashSwept", toRule)
	if err != nil {
		return nil, err
	}
	return &NodeRegistrySlashSweptIterator{contract: _NodeRegistry.contract, event: "SlashSwept", logs: logs, sub: sub}, nil
}

// WatchSlashSwept is a free log subscription operation binding the contract event 0x0c8f6875eef908dc340632d7c54a78c288b672d6fb82c36897b9ac10cc33a94f.
//
// Solidity: event SlashSwept(address indexed to, uint256 amount)
func (_NodeRegistry *NodeRegistryFilterer) WatchSlashSwept(opts *bind.WatchOpts, sink chan<- *NodeRegistrySlashSwept, to []common.Address) (event.Subscription, error) {

	var toRule []interface{}
	for _, toItem := range to {
		toRule = append(toRule, toItem)
	}

	logs, sub, err := _NodeRegistry.contract.WatchLogs(opts, "SlashSwept", toRule)
	if err != nil {
		return nil, err
	}
	return event.NewSubscription(func(quit <-chan struct{}) error {
		defer sub.Unsubscribe()
		for {
			select {
			case log := <-logs:
				// New log arrived, parse the event and forward to the user
				event := new(NodeRegistrySlashSwept)
				if err := _NodeRegistry.contract.UnpackLog(event, "SlashSwept", log); err != nil {
					// If the signature doesn't match, skip this log.
					if errors.Is(err, bind.ErrEventSignatureMismatch) {
						continue
					}
					return err
				}
				event.Raw = log

				select {
				case sink <- event:
				case err := <-sub.Err():
					return err
				case <-quit:
					return nil
				}
			case err := <-sub.Err():
				return err
			case <-quit:
				return nil
			}
		}
	}), nil
}

// ParseSlashSwept is a log parse operation binding the contract event 0x0c8f6875eef908dc340632d7c54a78c288b672d6fb82c36897b9ac10cc33a94f.
//
// Solidity: event SlashSwept(address indexed to, uint256 amount)
func (_NodeRegistry *NodeRegistryFilterer) ParseSlashSwept(log types.Log) (*NodeRegistrySlashSwept, error) {
	event := new(NodeRegistrySlashSwept)
	if err := _NodeRegistry.contract.UnpackLog(event, "SlashSwept", log); err != nil {
		return nil, err
	}
	event.Raw = log
	return event, nil
}

// NodeRegistrySlashedIterator is returned from FilterSlashed and is used to iterate over the raw logs and unpacked data for Slashed events raised by the NodeRegistry contract.
type NodeRegistrySlashedIterator struct {
	Event *NodeRegistrySlashed // Event containing the contract specifics and raw log

	contract *bind.BoundContract // Generic contract to use for unpacking event data
	event    string              // Event name to use for unpacking event data

	logs chan types.Log        // Log channel receiving the found contract events
	sub  ethereum.Subscription // Subscription for errors, completion and termination
	done bool                  // Whether the subscription completed delivering logs
	fail error                 // Occurred error to stop iteration
}

// Next advances the iterator to the subsequent event, returning whether there
// are any more events found. In case of a retrieval or parsing error, false is
// returned and Error() can be queried for the exact failure.
func (it *NodeRegistrySlashedIterator) Next() bool {
	// If the iterator failed, stop iterating
	if it.fail != nil {
		return false
	}
	// If the iterator completed, deliver directly whatever's available
	if it.done {
		select {
		case log := <-it.logs:
			it.Event = new(NodeRegistrySlashed)
			if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
				it.fail = err
				return false
			}
			it.Event.Raw = log
			return true

		default:
			return false
		}
	}
	// Iterator still in progress, wait for either a data or an error event
	select {
	case log := <-it.logs:
		it.Event = new(NodeRegistrySlashed)
		if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
			it.fail = err
			return false
		}
		it.Event.Raw = log
		return true

	case err := <-it.sub.Err():
		it.done = true
		it.fail = err
		return it.Next()
	}
}

// Error returns any retrieval or parsing error occurred during filtering.
func (it *NodeRegistrySlashedIterator) Error() error {
	return it.fail
}

// Close terminates the iteration process, releasing any pending underlying
// resources.
func (it *NodeRegistrySlashedIterator) Close() error {
	it.sub.Unsubscribe()
	return nil
}

// NodeRegistrySlashed represents a Slashed event raised by the NodeRegistry contract.
type NodeRegistrySlashed struct {
	Id     common.Address
	Amount *big.Int
	Stake  *big.Int
	Raw    types.Log // Blockchain specific contextual infos
}

// FilterSlashed is a free log retrieval operation binding the contract event 0x45a371af55b0726877a30f464edc14db5879ab096590bacce682cf6c18223596.
//
// Solidity: event Slashed(address indexed id, uint256 amount, uint256 stake)
func (_NodeRegistry *NodeRegistryFilterer) FilterSlashed(opts *bind.FilterOpts, id []common.Address) (*NodeRegistrySlashedIterator, error) {

	var idRule []interface{}
	for _, idItem := range id {
		idRule = append(idRule, idItem)
	}

	logs, sub, err := _NodeRegistry.contract.FilterLogs(opts, "Slashed", idRule)
	if err != nil {
		return nil, err
	}
	return &NodeRegistrySlashedIterator{contract: _NodeRegistry.contract, event: "Slashed", logs: logs, sub: sub}, nil
}

// WatchSlashed is a free log subscription operation binding the contract event 0x45a371af55b0726877a30f464edc14db5879ab096590bacce682cf6c18223596.
//
// Solidity: event Slashed(address indexed id, uint256 amount, uint256 stake)
func (_NodeRegistry *NodeRegistryFilterer) WatchSlashed(opts *bind.WatchOpts, sink chan<- *NodeRegistrySlashed, id []common.Address) (event.Subscription, error) {

	var idRule []interface{}
	for _, idItem := range id {
		idRule = append(idRule, idItem)
	}

	logs, sub, err := _NodeRegistry.contract.WatchLogs(opts, "Slashed", idRule)
	if err != nil {
		return nil, err
	}
	return event.NewSubscription(func(quit <-chan struct{}) error {
		defer sub.Unsubscribe()
		for {
			select {
			case log := <-logs:
				// New log arrived, parse the event and forward to the user
				event := new(NodeRegistrySlashed)
				if err := _NodeRegistry.contract.UnpackLog(event, "Slashed", log); err != nil {
					// If the signature doesn't match, skip this log.
					if errors.Is(err, bind.ErrEventSignatureMismatch) {
						continue
					}
					return err
				}
				event.Raw = log

				select {
				case sink <- event:
				case err := <-sub.Err():
					return err
				case <-quit:
					return nil
				}
			case err := <-sub.Err():
				return err
			case <-quit:
				return nil
			}
		}
	}), nil
}

// ParseSlashed is a log parse operation binding the contract event 0x45a371af55b0726877a30f464edc14db5879ab096590bacce682cf6c18223596.
//
// Solidity: event Slashed(address indexed id, uint256 amount, uint256 stake)
func (_NodeRegistry *NodeRegistryFilterer) ParseSlashed(log types.Log) (*NodeRegistrySlashed, error) {
	event := new(NodeRegistrySlashed)
	if err := _NodeRegistry.contract.UnpackLog(event, "Slashed", log); err != nil {
		return nil, err
	}
	event.Raw = log
	return event, nil
}

// NodeRegistryStakeAddedIterator is returned from FilterStakeAdded and is used to iterate over the raw logs and unpacked data for StakeAdded events raised by the NodeRegistry contract.
type NodeRegistryStakeAddedIterator struct {
	Event *NodeRegistryStakeAdded // Event containing the contract specifics and raw log

	contract *bind.BoundContract // Generic contract to use for unpacking event data
	event    string              // Event name to use for unpacking event data

	logs chan types.Log        // Log channel receiving the found contract events
	sub  ethereum.Subscription // Subscription for errors, completion and termination
	done bool                  // Whether the subscription completed delivering logs
	fail error                 // Occurred error to stop iteration
}

// Next advances the iterator to the subsequent event, returning whether there
// are any more events found. In case of a retrieval or parsing error, false is
// returned and Error() can be queried for the exact failure.
func (it *NodeRegistryStakeAddedIterator) Next() bool {
	// If the iterator failed, stop iterating
	if it.fail != nil {
		return false
	}
	// If the iterator completed, deliver directly whatever's available
	if it.done {
		select {
		case log := <-it.logs:
			it.Event = new(NodeRegistryStakeAdded)
			if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
				it.fail = err
				return false
			}
			it.Event.Raw = log
			return true

		default:
			return false
		}
	}
	// Iterator still in progress, wait for either a data or an error event
	select {
	case log := <-it.logs:
		it.Event = new(NodeRegistryStakeAdded)
		if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
			it.fail = err
			return false
		}
		it.Event.Raw = log
		return true

	case err := <-it.sub.Err():
		it.done = true
		it.fail = err
		return it.Next()
	}
}

// Error returns any retrieval or parsing error occurred during filtering.
func (it *NodeRegistryStakeAddedIterator) Error() error {
	return it.fail
}

// Close terminates the iteration process, releasing any pending underlying
// resources.
func (it *NodeRegistryStakeAddedIterator) Close() error {
	it.sub.Unsubscribe()
	return nil
}

// NodeRegistryStakeAdded represents a StakeAdded event raised by the NodeRegistry contract.
type NodeRegistryStakeAdded struct {
	Id     common.Address
	Amount *big.Int
	Stake  *big.Int
	Raw    types.Log // Blockchain specific contextual infos
}

// FilterStakeAdded is a free log retrieval operation binding the contract event 0x270d6dd254edd1d985c81cf7861b8f28fb06b6d719df04d90464034d43412440.
//
// Solidity: event StakeAdded(address indexed id, uint256 amount, uint256 stake)
func (_NodeRegistry *NodeRegistryFilterer) FilterStakeAdded(opts *bind.FilterOpts, id []common.Address) (*NodeRegistryStakeAddedIterator, error) {

	var idRule []interface{}
	for _, idItem := range id {
		idRule = append(idRule, idItem)
	}

	logs, sub, err := _NodeRegistry.contract.FilterLogs(opts, "StakeAdded", idRule)
	if err != nil {
		return nil, err
	}
	return &NodeRegistryStakeAddedIterator{contract: _NodeRegistry.contract, event: "StakeAdded", logs: logs, sub: sub}, nil
}

// WatchStakeAdded is a free log subscription operation binding the contract event 0x270d6dd254edd1d985c81cf7861b8f28fb06b6d719df04d90464034d43412440.
//
// Solidity: event StakeAdded(address indexed id, uint256 amount, uint256 stake)
func (_NodeRegistry *NodeRegistryFilterer) WatchStakeAdded(opts *bind.WatchOpts, sink chan<- *NodeRegistryStakeAdded, id []common.Address) (event.Subscription, error) {

	var idRule []interface{}
	for _, idItem := range id {
		idRule = append(idRule, idItem)
	}

	logs, sub, err := _NodeRegistry.contract.WatchLogs(opts, "StakeAdded", idRule)
	if err != nil {
		return nil, err
	}
	return event.NewSubscription(func(quit <-chan struct{}) error {
		defer sub.Unsubscribe()
		for {
			select {
			case log := <-logs:
				// New log arrived, parse the event and forward to the user
				event := new(NodeRegistryStakeAdded)
				if err := _NodeRegistry.contract.UnpackLog(event, "StakeAdded", log); err != nil {
					// If the signature doesn't match, skip this log.
					if errors.Is(err, bind.ErrEventSignatureMismatch) {
						continue
					}
					return err
				}
				event.Raw = log

				select {
				case sink <- event:
				case err := <-sub.Err():
					return err
				case <-quit:
					return nil
				}
			case err := <-sub.Err():
				return err
			case <-quit:
				return nil
			}
		}
	}), nil
}

// ParseStakeAdded is a log parse operation binding the contract event 0x270d6dd254edd1d985c81cf7861b8f28fb06b6d719df04d90464034d43412440.
//
// Solidity: event StakeAdded(address indexed id, uint256 amount, uint256 stake)
func (_NodeRegistry *NodeRegistryFilterer) ParseStakeAdded(log types.Log) (*NodeRegistryStakeAdded, error) {
	event := new(NodeRegistryStakeAdded)
	if err := _NodeRegistry.contract.UnpackLog(event, "StakeAdded", log); err != nil {
		return nil, err
	}
	event.Raw = log
	return event, nil
}

// NodeRegistryUnjailedIterator is returned from FilterUnjailed and is used to iterate over the raw logs and unpacked data for Unjailed events raised by the NodeRegistry contract.
type NodeRegistryUnjailedIterator struct {
	Event *NodeRegistryUnjailed // Event containing the contract specifics and raw log

	contract *bind.BoundContract // Generic contract to use for unpacking event data
	event    string              // Event name to use for unpacking event data

	logs chan types.Log        // Log channel receiving the found contract events
	sub  ethereum.Subscription // Subscription for errors, completion and termination
	done bool                  // Whether the subscription completed delivering logs
	fail error                 // Occurred error to stop iteration
}

// Next advances the iterator to the subsequent event, returning whether there
// are any more events found. In case of a retrieval or parsing error, false is
// returned and Error() can be queried for the exact failure.
func (it *NodeRegistryUnjailedIterator) Next() bool {
	// If the iterator failed, stop iterating
	if it.fail != nil {
		return false
	}
	// If the iterator completed, deliver directly whatever's available
	if it.done {
		select {
		case log := <-it.logs:
			it.Event = new(NodeRegistryUnjailed)
			if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
				it.fail = err
				return false
			}
			it.Event.Raw = log
			return true

		default:
			return false
		}
	}
	// Iterator still in progress, wait for either a data or an error event
	select {
	case log := <-it.logs:
		it.Event = new(NodeRegistryUnjailed)
		if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
			it.fail = err
			return false
		}
		it.Event.Raw = log
		return true

	case err := <-it.sub.Err():
		it.done = true
		it.fail = err
		return it.Next()
	}
}

// Error returns any retrieval or parsing error occurred during filtering.
func (it *NodeRegistryUnjailedIterator) Error() error {
	return it.fail
}

// Close terminates the iteration process, releasing any pending underlying
// resources.
func (it *NodeRegistryUnjailedIterator) Close() error {
	it.sub.Unsubscribe()
	return nil
}

// NodeRegistryUnjailed represents a Unjailed event raised by the NodeRegistry contract.
type NodeRegistryUnjailed struct {
	Id           common.Address
	Operator     common.Address
	PubKey       []byte
	Multiaddrs   []string
	Metadata     string
	Stake        *big.Int
	Role         uint8
	RegisteredAt uint64
	ActiveSince  uint64
	Raw          types.Log // Blockchain specific contextual infos
}

// FilterUnjailed is a free log retrieval operation binding the contract event 0x81250cdf4d52a35ba209c982e16633e0852bf120ccecbc220c5ff56b541c5836.
//
// Solidity: event Unjailed(address indexed id, address indexed operator, bytes pubKey, string[] multiaddrs, string metadata, uint256 stake, uint8 role, uint64 registeredAt, uint64 activeSince)
func (_NodeRegistry *NodeRegistryFilterer) FilterUnjailed(opts *bind.FilterOpts, id []common.Address, operator []common.Address) (*NodeRegistryUnjailedIterator, error) {

	var idRule []interface{}
	for _, idItem := range id {
		idRule = append(idRule, idItem)
	}
	var operatorRule []interface{}
	for _, operatorItem := range operator {
		operatorRule = append(operatorRule, operatorItem)
	}

	logs, sub, err := _NodeRegistry.contract.FilterLogs(opts, "Unjailed", idRule, operatorRule)
	if err != nil {
		return nil, err
	}
	return &NodeRegistryUnjailedIterator{contract: _NodeRegistry.contract, event: "Unjailed", logs: logs, sub: sub}, nil
}

// WatchUnjailed is a free log subscription operation binding the contract event 0x81250cdf4d52a35ba209c982e16633e0852bf120ccecbc220c5ff56b541c5836.
//
// Solidity: event Unjailed(address indexed id, address indexed operator, bytes pubKey, string[] multiaddrs, string metadata, uint256 stake, uint8 role, uint64 registeredAt, uint64 activeSince)
func (_NodeRegistry *NodeRegistryFilterer) WatchUnjailed(opts *bind.WatchOpts, sink chan<- *NodeRegistryUnjailed, id []common.Address, operator []common.Address) (event.Subscription, error) {

	var idRule []interface{}
	for _, idItem := range id {
		idRule = append(idRule, idItem)
	}
	var operatorRule []interface{}
	for _, operatorItem := range operator {
		operatorRule = append(operatorRule, operatorItem)
	}

	logs, sub, err := _NodeRegistry.contract.WatchLogs(opts, "Unjailed", idRule, operatorRule)
	if err != nil {
		return nil, err
	}
	return event.NewSubscription(func(quit <-chan struct{}) error {
		defer sub.Unsubscribe()
		for {
			select {
			case log := <-logs:
				// New log arrived, parse the event and forward to the user
				event := new(NodeRegistryUnjailed)
				if err := _NodeRegistry.contract.UnpackLog(event, "Unjailed", log); err != nil {
					// If the signature doesn't match, skip this log.
					if errors.Is(err, bind.ErrEventSignatureMismatch) {
						continue
					}
					return err
				}
				event.Raw = log

				select {
				case sink <- event:
				case err := <-sub.Err():
					return err
				case <-quit:
					return nil
				}
			case err := <-sub.Err():
				return err
			case <-quit:
				return nil
			}
		}
	}), nil
}

// ParseUnjailed is a log parse operation binding the contract event 0x81250cdf4d52a35ba209c982e16633e0852bf120ccecbc220c5ff56b541c5836.
//
// Solidity: event Unjailed(address indexed id, address indexed operator, bytes pubKey, string[] multiaddrs, string metadata, uint256 stake, uint8 role, uint64 registeredAt, uint64 activeSince)
func (_NodeRegistry *NodeRegistryFilterer) ParseUnjailed(log types.Log) (*NodeRegistryUnjailed, error) {
	event := new(NodeRegistryUnjailed)
	if err := _NodeRegistry.contract.UnpackLog(event, "Unjailed", log); err != nil {
		return nil, err
	}
	event.Raw = log
	return event, nil
}

// NodeRegistryWithdrawnIterator is returned from FilterWithdrawn and is used to iterate over the raw logs and unpacked data for Withdrawn events raised by the NodeRegistry contract.
type NodeRegistryWithdrawnIterator struct {
	Event *NodeRegistryWithdrawn // Event containing the contract specifics and raw log

	contract *bind.BoundContract // Generic contract to use for unpacking event data
	event    string              // Event name to use for unpacking event data

	logs chan types.Log        // Log channel receiving the found contract events
	sub  ethereum.Subscription // Subscription for errors, completion and termination
	done bool                  // Whether the subscription completed delivering logs
	fail error                 // Occurred error to stop iteration
}

// Next advances the iterator to the subsequent event, returning whether there
// are any more events found. In case of a retrieval or parsing error, false is
// returned and Error() can be queried for the exact failure.
func (it *NodeRegistryWithdrawnIterator) Next() bool {
	// If the iterator failed, stop iterating
	if it.fail != nil {
		return false
	}
	// If the iterator completed, deliver directly whatever's available
	if it.done {
		select {
		case log := <-it.logs:
			it.Event = new(NodeRegistryWithdrawn)
			if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
				it.fail = err
				return false
			}
			it.Event.Raw = log
			return true

		default:
			return false
		}
	}
	// Iterator still in progress, wait for either a data or an error event
	select {
	case log := <-it.logs:
		it.Event = new(NodeRegistryWithdrawn)
		if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
			it.fail = err
			return false
		}
		it.Event.Raw = log
		return true

	case err := <-it.sub.Err():
		it.done = true
		it.fail = err
		return it.Next()
	}
}

// Error returns any retrieval or parsing error occurred during filtering.
func (it *NodeRegistryWithdrawnIterator) Error() error {
	return it.fail
}

// Close terminates the iteration process, releasing any pending underlying
// resources.
func (it *NodeRegistryWithdrawnIterator) Close() error {
	it.sub.Unsubscribe()
	return nil
}

// NodeRegistryWithdrawn represents a Withdrawn event raised by the NodeRegistry contract.
type NodeRegistryWithdrawn struct {
	Id       common.Address
	Operator common.Address
	Amount   *big.Int
	Raw      types.Log // Blockchain specific contextual infos
}

// FilterWithdrawn is a free log retrieval operation binding the contract event 0xd1c19fbcd4551a5edfb66d43d2e337c04837afda3482b42bdf569a8fccdae5fb.
//
// Solidity: event Withdrawn(address indexed id, address indexed operator, uint256 amount)
func (_NodeRegistry *NodeRegistryFilterer) FilterWithdrawn(opts *bind.FilterOpts, id []common.Address, operator []common.Address) (*NodeRegistryWithdrawnIterator, error) {

	var idRule []interface{}
	for _, idItem := range id {
		idRule = append(idRule, idItem)
	}
	var operatorRule []interface{}
	for _, operatorItem := range operator {
		operatorRule = append(operatorRule, operatorItem)
	}

	logs, sub, err := _NodeRegistry.contract.FilterLogs(opts, "Withdrawn", idRule, operatorRule)
	if err != nil {
		return nil, err
	}
	return &NodeRegistryWithdrawnIterator{contract: _NodeRegistry.contract, event: "Withdrawn", logs: logs, sub: sub}, nil
}

// WatchWithdrawn is a free log subscription operation binding the contract event 0xd1c19fbcd4551a5edfb66d43d2e337c04837afda3482b42bdf569a8fccdae5fb.
//
// Solidity: event Withdrawn(address indexed id, address indexed operator, uint256 amount)
func (_NodeRegistry *NodeRegistryFilterer) WatchWithdrawn(opts *bind.WatchOpts, sink chan<- *NodeRegistryWithdrawn, id []common.Address, operator []common.Address) (event.Subscription, error) {

	var idRule []interface{}
	for _, idItem := range id {
		idRule = append(idRule, idItem)
	}
	var operatorRule []interface{}
	for _, operatorItem := range operator {
		operatorRule = append(operatorRule, operatorItem)
	}

	logs, sub, err := _NodeRegistry.contract.WatchLogs(opts, "Withdrawn", idRule, operatorRule)
	if err != nil {
		return nil, err
	}
	return event.NewSubscription(func(quit <-chan struct{}) error {
		defer sub.Unsubscribe()
		for {
			select {
			case log := <-logs:
				// New log arrived, parse the event and forward to the user
				event := new(NodeRegistryWithdrawn)
				if err := _NodeRegistry.contract.UnpackLog(event, "Withdrawn", log); err != nil {
					// If the signature doesn't match, skip this log.
					if errors.Is(err, bind.ErrEventSignatureMismatch) {
						continue
					}
					return err
				}
				event.Raw = log

				select {
				case sink <- event:
				case err := <-sub.Err():
					return err
				case <-quit:
					return nil
				}
			case err := <-sub.Err():
				return err
			case <-quit:
				return nil
			}
		}
	}), nil
}

// ParseWithdrawn is a log parse operation binding the contract event 0xd1c19fbcd4551a5edfb66d43d2e337c04837afda3482b42bdf569a8fccdae5fb.
//
// Solidity: event Withdrawn(address indexed id, address indexed operator, uint256 amount)
func (_NodeRegistry *NodeRegistryFilterer) ParseWithdrawn(log types.Log) (*NodeRegistryWithdrawn, error) {
	event := new(NodeRegistryWithdrawn)
	if err := _NodeRegistry.contract.UnpackLog(event, "Withdrawn", log); err != nil {
		return nil, err
	}
	event.Raw = log
	return event, nil
}
