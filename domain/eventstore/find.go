package eventstore

import (
	"crypto/sha256"
	"fmt"
	"strconv"

	"github.com/google/uuid"
)

// MaxFindIDs is the most event IDs one Find may ask about.
const MaxFindIDs = 256

// ValidateFind checks the arguments of Store.Find: a valid stream name and between 1 and
// MaxFindIDs IDs, none of them nil.
func ValidateFind(stream string, ids []uuid.UUID) error {
	if err := ValidateStream(stream); err != nil {
		return err
	}
	if len(ids) == 0 {
		return &InputError{Field: "ids", Problem: "is empty: name at least one event ID"}
	}
	if len(ids) > MaxFindIDs {
		return &InputError{Field: "ids", Problem: fmt.Sprintf("has %d IDs, more than the limit of %d", len(ids), MaxFindIDs)}
	}
	for i, id := range ids {
		if id == uuid.Nil {
			return &InputError{Field: fmt.Sprintf("ids[%d]", i), Problem: "is not set (the nil UUID)"}
		}
	}
	return nil
}

// commandEventDomain separates command event IDs from any other SHA-256 use.
const commandEventDomain = "civicflow/command-event-id/v1\x00"

// CommandEventID derives the ID of the i-th event (from 0) that the command with commandID
// records in stream. The same stream, command and index always give the same ID, so a retried
// append is recognised, and whether a command was handled is answered by Find from the store's
// event-ID index, however long ago it was. When the command ID is a UUIDv7, the event ID is a
// UUIDv7 with the command ID's time (its first 48 bits), so that IDs of commands made close in
// time lie close together in the index; otherwise it is a UUIDv8 of hash bits only.
func CommandEventID(stream, commandID string, i int) uuid.UUID {
	h := sha256.New()
	h.Write([]byte(commandEventDomain))
	h.Write([]byte(stream))
	h.Write([]byte{0})
	h.Write([]byte(commandID))
	h.Write([]byte{0})
	h.Write(strconv.AppendInt(nil, int64(i), 10))
	var id uuid.UUID
	copy(id[:], h.Sum(nil))
	version := byte(0x80)
	if c, err := uuid.Parse(commandID); err == nil && c.Version() == 7 && len(commandID) == 36 {
		copy(id[:6], c[:6])
		version = 0x70
	}
	id[6] = version | id[6]&0x0f
	id[8] = 0x80 | id[8]&0x3f // RFC 9562 variant
	return id
}
