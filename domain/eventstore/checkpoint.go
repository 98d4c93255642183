package eventstore

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// MaxCheckpointNameLength is the longest name of a consumer's checkpoint, in bytes.
const MaxCheckpointNameLength = 200

// ValidateCheckpointName checks the name a consumer's checkpoint is saved under: not empty, valid
// UTF-8, at most MaxCheckpointNameLength bytes. Its error is an *InputError.
func ValidateCheckpointName(name string) error {
	switch {
	case name == "":
		return &InputError{Field: "checkpoint name", Problem: "is empty"}
	case len(name) > MaxCheckpointNameLength:
		return &InputError{Field: "checkpoint name", Problem: fmt.Sprintf("is %d bytes long, more than the limit of %d", len(name), MaxCheckpointNameLength)}
	case !utf8.ValidString(name):
		return &InputError{Field: "checkpoint name", Problem: "is not valid UTF-8"}
	}
	return nil
}

// ErrCheckpointBackwards means a Save would have moved a consumer's checkpoint to an earlier
// position. The error is a *CheckpointError.
var ErrCheckpointBackwards = errors.New("eventstore: checkpoint would move backwards")

// CheckpointError reports a refused Save: the checkpoint is already further than the position given.
type CheckpointError struct {
	// Name is the checkpoint's name.
	Name string
	// Saved is the position the checkpoint holds.
	Saved Position
	// Given is the earlier position that Save was asked to store.
	Given Position
}

func (e *CheckpointError) Error() string {
	return fmt.Sprintf("eventstore: checkpoint %q is at position %s; refusing to move it back to %s", e.Name, e.Saved, e.Given)
}

// Unwrap returns ErrCheckpointBackwards.
func (e *CheckpointError) Unwrap() error { return ErrCheckpointBackwards }
