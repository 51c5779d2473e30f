// Package settings holds what every package's section of validator.toml
// shares: the Duration type the file spells "5s", and Problems, the invalid
// values a section reports under their dotted keys
// ("network.max_connections: 1 must be at least 2, such as 64").
//
// Each package owns its section (a struct with toml and comment tags), the
// section's defaults and its Problems; node/ composes the sections into the
// file's schema and loads it.
package settings

import (
	"encoding"
	"errors"
	"fmt"
	"time"
)

// Duration is a time.Duration written as "5s" in TOML.
type Duration time.Duration

// D is the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

var (
	_ encoding.TextMarshaler   = Duration(0)
	_ encoding.TextUnmarshaler = (*Duration)(nil)
)

// Problem is one invalid value: Key is its dotted config key
// ("chain.registry", "network.listen_addrs[1]"), Msg says what is wrong and
// what to write instead.
type Problem struct{ Key, Msg string }

func (p Problem) String() string { return p.Key + ": " + p.Msg }

// Problems are a section's invalid values, in the order found.
type Problems []Problem

// Add records a problem with key, its message formatted as by fmt.Sprintf.
func (ps *Problems) Add(key, format string, args ...any) {
	*ps = append(*ps, Problem{key, fmt.Sprintf(format, args...)})
}

// Positive records a problem unless d is above zero; example is a good value
// (usually the default).
func (ps *Problems) Positive(key string, d, example Duration) {
	if d <= 0 {
		ps.Add(key, "%q must be a positive duration such as %q", d.String(), example.String())
	}
}

// Err joins the problems into one error, one "key: msg" line each; nil when
// there are none.
func (ps Problems) Err() error {
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = errors.New(p.String())
	}
	return errors.Join(errs...)
}
