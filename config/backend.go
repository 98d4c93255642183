package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// renamedKeys maps keys of earlier releases to the keys that replaced them: [Load] refuses the
// old name (in the file and as an environment variable) with an error that names the new one.
var renamedKeys = map[string]string{
	"store.driver": "store.backend",
}

// errRenamed is the problem reported for a renamed key.
func errRenamed(key string) error {
	return fmt.Errorf("was renamed to %s (%s); use that key instead", renamedKeys[key], EnvVar(renamedKeys[key]))
}

// renamedEnv reports whether name is the environment variable of a renamed key, and that key.
func renamedEnv(name string) (string, bool) {
	for old := range renamedKeys {
		if EnvVar(old) == name {
			return old, true
		}
	}
	return "", false
}

// schemaIdent is what store.postgres.schema may be: an SQL identifier that needs no quoting.
var schemaIdent = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// validateBackends checks the settings of the chosen backend; the others' are not read.
func (s Store) validateBackends(check func(key string, err error)) {
	pg := s.Postgres
	if !schemaIdent.MatchString(pg.Schema) {
		check("store.postgres.schema", fmt.Errorf("%q is not a lower-case SQL identifier (letters, digits, _; at most 63, not starting with a digit)", pg.Schema))
	}
	switch s.Backend {
	case "postgres":
		check("store.postgres.url", connURL(pg.URL, `store.backend is "postgres"`, "postgres", "postgresql"))
	case "eventstoredb":
		es := s.EventStoreDB
		check("store.eventstoredb.url", connURL(es.URL, `store.backend is "eventstoredb"`, "esdb", "esdb+discover"))
		if err := oneOf(es.Companion, companions); err != nil {
			check("store.eventstoredb.companion", fmt.Errorf("%w (where the vault, snapshots, checkpoints, seals and read models are kept beside EventStoreDB's events)", err))
		}
		if es.Companion == "postgres" {
			check("store.postgres.url", connURL(pg.URL, `store.eventstoredb.companion is "postgres"`, "postgres", "postgresql"))
		}
	}
}

// companions are the values of store.eventstoredb.companion: the stores that keep everything
// but the events beside EventStoreDB.
var companions = []string{"sqlite", "postgres"}

// connURL checks a connection string, required when the condition when holds. The value is
// never repeated in the problem: it may hold a password.
func connURL(raw, when string, schemes ...string) error {
	if strings.TrimSpace(raw) == "" {
		return fmt.Errorf("must be set when %s", when)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("is not a URL (the value is not shown: it may hold a password)")
	}
	for _, s := range schemes {
		if u.Scheme == s {
			if u.Host == "" {
				return fmt.Errorf("names no host (%s://HOST…)", s)
			}
			return nil
		}
	}
	return fmt.Errorf("must start with %s:// (the value is not shown: it may hold a password)", strings.Join(schemes, ":// or "))
}
