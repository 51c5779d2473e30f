package store

import (
	"validator/internal/settings"
)

// Section is the [store] section of validator.toml. A field tagged path:"true"
// is a filesystem path, which the loader resolves against the config file's
// directory.
type Section struct {
	DataDir   string            `toml:"data_dir" path:"true" comment:"Data directory; the Badger store lives in <data_dir>/db."`
	Retention settings.Duration `toml:"retention" comment:"Keep evidence this long."`
}

// DefaultSection holds the defaults of [store].
func DefaultSection() Section {
	return Section{DataDir: "data", Retention: settings.Duration(DefaultRetention)}
}

// Options are Open's options from the section (Open takes DataDir itself).
func (s Section) Options() []Option {
	return []Option{WithRetention(s.Retention.D())}
}

// Problems reports every invalid value of [store] under its dotted key.
func (s Section) Problems() settings.Problems {
	var ps settings.Problems
	def := DefaultSection()
	if s.DataDir == "" {
		ps.Add("store.data_dir", "must be set to a directory, such as %q", def.DataDir)
	}
	ps.Positive("store.retention", s.Retention, def.Retention)
	return ps
}
