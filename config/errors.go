package config

import (
	"errors"
	"fmt"
)

// ErrUnknownKey is wrapped by the errors [Load] returns for a key in the
// configuration file, or a CIVICFLOW_ environment variable, that names no
// configuration key. Check for it with [errors.Is].
var ErrUnknownKey = errors.New("unknown configuration key")

// KeyError reports a problem with the value of one configuration key.
// [Config.Validate] and [Load] return them joined with [errors.Join]; find one
// with [errors.As].
type KeyError struct {
	// Key is the full dotted key, e.g. "store.sqlite.path".
	Key string
	// Source says where the value came from: "file civicflow.yaml",
	// "env CIVICFLOW_STORE_SQLITE_PATH" or "flag --db". It is empty for
	// defaults and in errors from [Config.Validate].
	Source string
	// Err is the problem.
	Err error
}

// Error formats the problem as "key: problem" or, when the source is known,
// "key (from source): problem".
func (e *KeyError) Error() string {
	if e.Source == "" {
		return fmt.Sprintf("%s: %v", e.Key, e.Err)
	}
	return fmt.Sprintf("%s (from %s): %v", e.Key, e.Source, e.Err)
}

// Unwrap returns the problem.
func (e *KeyError) Unwrap() error { return e.Err }

// unjoin returns the errors joined in err (by [errors.Join] or by an
// fmt.Errorf with several %w), recursively; any other error is returned as
// the only element.
func unjoin(err error) []error {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range j.Unwrap() {
		out = append(out, unjoin(e)...)
	}
	return out
}
