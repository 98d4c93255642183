package esdb

import (
	"errors"
	"fmt"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// revision maps an expected version to EventStoreDB's expected revision: Any, NoStream and
// StreamExists to theirs, Exact(v) to revision v-1 (versions count from 1, revisions from 0) and
// Exact(0) to NoStream.
func revision(expected eventstore.ExpectedVersion) esdb.ExpectedRevision {
	if v, ok := expected.IsExact(); ok {
		if v == 0 {
			return esdb.NoStream{}
		}
		return esdb.StreamRevision{Value: uint64(v - 1)}
	}
	switch {
	case expected.IsNoStream():
		return esdb.NoStream{}
	case expected.IsStreamExists():
		return esdb.StreamExists{}
	}
	return esdb.Any{}
}

// exactAt is the expected revision of an append to a stream whose version is head: the chain
// needs the head's hash, so every append names the exact revision it read.
func exactAt(head int64) esdb.ExpectedRevision {
	return revision(eventstore.Exact(head))
}

// errConflict means the server found the stream at another revision than the append named.
var errConflict = errors.New("esdb: wrong expected revision")

// translate maps an error of the client to civicflow's: a wrong expected revision to
// errConflict, a missing stream to errNotFound, a deleted stream and everything else wrapped
// with what was done. It calls esdb.FromError on the raw error: its ok is false for every
// non-nil error, and it matches *esdb.Error only unwrapped.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	if e, ok := esdb.FromError(err); !ok && e != nil {
		switch e.Code() {
		case esdb.ErrorCodeWrongExpectedVersion:
			return errConflict
		case esdb.ErrorCodeResourceNotFound:
			return errNotFound
		case esdb.ErrorCodeStreamDeleted:
			return fmt.Errorf("esdb: %s: the stream was deleted outside civicflow: %w", op, err)
		}
	}
	var e *esdb.Error
	if errors.As(err, &e) && e.Code() == esdb.ErrorCodeWrongExpectedVersion {
		return errConflict
	}
	if errors.As(err, &e) && e.Code() == esdb.ErrorCodeResourceNotFound {
		return errNotFound
	}
	return fmt.Errorf("esdb: %s: %w", op, err)
}

// errNotFound means a stream has no events.
var errNotFound = errors.New("esdb: stream not found")
