package accountability

import (
	"time"

	"validator/internal/settings"
)

// Section is the [accountability] section of validator.toml: whether this
// node attests peers offline and whether its operator sends the reports.
type Section struct {
	Enabled bool `toml:"enabled" comment:"Sign offline attestations from this node's evidence and keep and count those of others (the registry's report windows)."`
	Submit  bool `toml:"submit" comment:"Send offline reports to the registry when a quorum has attested (costs gas), from accountability.keystore's account."`
	// Keystore is the account reports are sent from; empty means
	// keys.operator_keystore.
	Keystore string            `toml:"keystore" path:"true" comment:"go-ethereum V3 keystore of the account that pays for reports (any funded account: the registry does not care who sends a report); empty: keys.operator_keystore. Its passphrase is keys.passphrase_file's (or VALIDATOR_KEYS_PASSPHRASE)."`
	Backoff  settings.Duration `toml:"backoff" comment:"The r-th attester in a report's submission order waits r times this after a quorum is seen before it sends the report itself."`
	Settle   settings.Duration `toml:"settle" comment:"Wait this long after a report window ends before attesting it, so the window's evidence is written (at least liveness.summary_interval)."`
	MaxGas   uint64            `toml:"max_gas" comment:"Gas cap of one report transaction: a report whose estimate is higher is not sent (the next attester in order sends it)."`
}

// DefaultSection holds the defaults of [accountability]: attest, do not
// submit.
func DefaultSection() Section {
	return Section{
		Enabled: true,
		Backoff: settings.Duration(30 * time.Second),
		Settle:  settings.Duration(2 * time.Minute),
		MaxGas:  3_000_000,
	}
}

// Problems reports every invalid value of [accountability] under its dotted
// key. accountability.settle is bounded by liveness.summary_interval, which
// the loader checks.
func (s Section) Problems() settings.Problems {
	var ps settings.Problems
	def := DefaultSection()
	ps.Positive("accountability.backoff", s.Backoff, def.Backoff)
	ps.Positive("accountability.settle", s.Settle, def.Settle)
	if s.MaxGas < 100_000 {
		ps.Add("accountability.max_gas", "%d is below what any report costs; write e.g. %d (a quorum of 86 attesters costs about 1.4M gas)", s.MaxGas, def.MaxGas)
	}
	return ps
}
