package main

import (
	"bufio"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"validator/chain"
	"validator/node"
	"validator/p2p"
)

const passphraseEnv = "VALIDATOR_KEYS_PASSPHRASE"

func loadNodeKey(path string) (*ecdsa.PrivateKey, error) {
	k, err := crypto.LoadECDSA(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("node key %s not found: create one with `validator init` or set keys.node_key", path)
		}
		return nil, fmt.Errorf("load node key %s: %w", path, err)
	}
	return k, nil
}

// passphrase comes from keys.passphrase_file, then VALIDATOR_KEYS_PASSPHRASE,
// then a prompt on the terminal.
func passphrase(file string, confirm bool, errOut io.Writer) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("read passphrase file: %w", err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	if p, ok := os.LookupEnv(passphraseEnv); ok {
		return p, nil
	}
	if !term.IsTerminal(int(os.Stdin.Fd())) {
		// Piped input: one line.
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", fmt.Errorf("no passphrase: set keys.passphrase_file or %s, or run on a terminal", passphraseEnv)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	fmt.Fprint(errOut, "Keystore passphrase: ")
	p, err := term.ReadPassword(int(os.Stdin.Fd()))
	fmt.Fprintln(errOut)
	if err != nil {
		return "", err
	}
	if confirm {
		fmt.Fprint(errOut, "Repeat passphrase: ")
		q, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(errOut)
		if err != nil {
			return "", err
		}
		if string(p) != string(q) {
			return "", errors.New("passphrases differ")
		}
	}
	return string(p), nil
}

// loadReporter loads the account that sends offline reports:
// accountability.keystore, or the operator keystore.
func loadReporter(cfg node.Config, errOut io.Writer) (*chain.Signer, error) {
	ks := cfg.Accountability.Keystore
	if ks == "" {
		return loadOperator(cfg, errOut)
	}
	if _, err := os.Stat(ks); err != nil {
		return nil, fmt.Errorf("accountability keystore %s: %w (set accountability.keystore to a go-ethereum V3 keystore, or leave it empty to send reports from keys.operator_keystore)", ks, err)
	}
	pass, err := passphrase(cfg.Keys.PassphraseFile, false, errOut)
	if err != nil {
		return nil, err
	}
	return chain.LoadKeystore(ks, pass)
}

func loadOperator(cfg node.Config, errOut io.Writer) (*chain.Signer, error) {
	if _, err := os.Stat(cfg.Keys.OperatorKeystore); err != nil {
		return nil, fmt.Errorf("operator keystore %s: %w (create one with `validator init` or set keys.operator_keystore)", cfg.Keys.OperatorKeystore, err)
	}
	pass, err := passphrase(cfg.Keys.PassphraseFile, false, errOut)
	if err != nil {
		return nil, err
	}
	return chain.LoadKeystore(cfg.Keys.OperatorKeystore, pass)
}

func cmdInit(cctx *cli.Context) error {
	out, errOut := cctx.App.Writer, cctx.App.ErrWriter
	dir, passFile, operatorHex, force := cctx.String("dir"), cctx.String("passphrase-file"), cctx.String("operator-key"), cctx.Bool("force")
	p2pPort, apiPort := cctx.Int("p2p-port"), cctx.Int("api-port")
	for name, p := range map[string]int{"--p2p-port": p2pPort, "--api-port": apiPort} {
		if p < 1 || p > 65535 {
			return usagef("%s %d: want a port between 1 and 65535", name, p)
		}
	}
	cfg := node.DefaultConfig()
	cfg.Network.ListenAddrs = []string{fmt.Sprintf("/ip4/0.0.0.0/udp/%d/quic-v1", p2pPort), fmt.Sprintf("/ip4/0.0.0.0/tcp/%d", p2pPort)}
	cfg.API.Listen = fmt.Sprintf("127.0.0.1:%d", apiPort)
	if passFile != "" {
		// Absolute: relative paths in the file are relative to its directory,
		// not to where init ran.
		abs, err := filepath.Abs(passFile)
		if err != nil {
			return err
		}
		cfg.Keys.PassphraseFile = abs
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	paths := map[string]string{"node": filepath.Join(dir, "node.key"), "operator": filepath.Join(dir, "operator.json"), "config": filepath.Join(dir, "validator.toml")}
	if !force {
		for _, p := range paths {
			if _, err := os.Stat(p); err == nil {
				return fmt.Errorf("%s exists: refusing to overwrite keys (use --force, and keep a backup)", p)
			}
		}
	}
	nodeKey, err := crypto.GenerateKey()
	if err != nil {
		return err
	}
	if err := crypto.SaveECDSA(paths["node"], nodeKey); err != nil {
		return fmt.Errorf("write node key: %w", err)
	}
	opKey, err := crypto.GenerateKey()
	if operatorHex != "" {
		opKey, err = crypto.HexToECDSA(strings.TrimPrefix(operatorHex, "0x"))
	}
	if err != nil {
		return fmt.Errorf("operator key: %w", err)
	}
	pass, err := passphrase(passFile, true, errOut)
	if err != nil {
		return err
	}
	id, err := uuid.NewRandom()
	if err != nil {
		return err
	}
	ks, err := keystore.EncryptKey(&keystore.Key{Id: id, Address: crypto.PubkeyToAddress(opKey.PublicKey), PrivateKey: opKey}, pass, keystore.StandardScryptN, keystore.StandardScryptP)
	if err != nil {
		return fmt.Errorf("encrypt operator keystore: %w", err)
	}
	if err := os.WriteFile(paths["operator"], ks, 0o600); err != nil {
		return err
	}
	f, err := os.OpenFile(paths["config"], os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if err := node.WriteConfig(f, cfg); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	ident, err := p2p.NewIdentity(nodeKey)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "node key:      %s\n  node ID:     %s\n  peer ID:     %s\n", paths["node"], ident.NodeID, ident.PeerID)
	fmt.Fprintf(out, "operator:      %s\n  address:     %s\n", paths["operator"], crypto.PubkeyToAddress(opKey.PublicKey))
	fmt.Fprintf(out, "config:        %s\n", paths["config"])
	op := crypto.PubkeyToAddress(opKey.PublicKey)
	fmt.Fprintf(out, "  p2p:         UDP and TCP %d (open both in the firewall)\n  api:         %s\n", p2pPort, cfg.API.Listen)
	fmt.Fprintf(out, "\nNext, on the devnet (validator devnet running; elsewhere add --network/--config for your chain and\nuse the public IP address other validators reach this host on instead of 127.0.0.1):\n")
	fmt.Fprintf(out, "  validator devnet fund --to %s --eth 33\n", op)
	fmt.Fprintf(out, "  validator register --config %s --stake 32 --addr /ip4/127.0.0.1/udp/%d/quic-v1 --addr /ip4/127.0.0.1/tcp/%d\n", paths["config"], p2pPort, p2pPort)
	fmt.Fprintf(out, "  validator start --config %s\n", paths["config"])
	if passFile == "" {
		fmt.Fprintf(out, "(register asks for the keystore passphrase: set keys.passphrase_file or %s to skip the prompt)\n", passphraseEnv)
	}
	return nil
}

// The ports `validator init` writes: above the devnet's ranges (p2p 9000+i,
// API 7400+i for up to 64 validators), so a node made by init runs next to a
// devnet on the same host.
const (
	initP2PPort = 9100
	initAPIPort = 7500
)
