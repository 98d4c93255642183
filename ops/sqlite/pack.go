package sqlite

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/google/uuid"
)

// packFields are the JSON field names of the events' payloads (domain/process, domain/programme,
// domain/template), the most frequent last. Never change this list: the packed data of format 2
// bodies refers to its names by number (TestPackFields_are_stable); other names need a new body
// format.
const packFields = `abstain action adopted advance_roles anchor approvals approved_by attendance auto_advance
back_to baseline body certificates coached contact contact_email contact_name contribution coordinator ct dates de
deadlines decision derived_from direction due email en end ended_at entered escalate_days expr feedback
feedback_questions formats from_version gates indicators late lead left max_sites min min_attended min_days model next
no notice_days on_suspend optional organisation outcome own_formats own_groups owner participants persons plain_text
process_roles programme progress ratings received_at remind_days required result roles scale site stage_mapping stages
stakeholder_groups start stated_by status subject summary target target_days tasks team_kinds template_id
template_version to to_version topic unmet url votes yes approval calendar days description duration_minutes ends_at
evidence group hash id indicator max notes online person place process rrule source task template template_hash
time_zone unit deadline format kind legal_basis measure note role text value version name team tenant date session
participant key stage reason title at by`

// The bytes of packed data that are no JSON text (JSON has no raw byte below 0x20).
const (
	packNear      = 0x00 // the last 10 bytes of a UUID follow; its first 6 are the event ID's
	packUUID      = 0x01 // 16 bytes of a UUID follow
	packTime      = 0x02 // a time follows, its distance in nanoseconds from recorded-at as a signed varint
	packShort     = 0x03 // 0x03–0x1e: the field name packNames[len-1-(b-packShort)], written `"name":`
	packLong      = 0x1f // a byte n follows: the field name packNames[n], written `"name":`
	packShortLast = 0x1e
)

// packNames are the names of packFields in order; packCodes maps each `"name":` to its code.
var packNames, packCodes = func() ([]string, map[string][]byte) {
	names := strings.Fields(packFields)
	codes := map[string][]byte{}
	for i, n := range names {
		if back := len(names) - 1 - i; back <= packShortLast-packShort {
			codes[n] = []byte{packShort + byte(back)}
		} else {
			codes[n] = []byte{packLong, byte(i)}
		}
	}
	return names, codes
}()

// packFieldsSum is the SHA-256 of packFields as names, pinned by TestPackFields_are_stable.
func packFieldsSum() string {
	return fmt.Sprintf("%x", sha256.Sum256([]byte(strings.Join(packNames, " "))))
}

// packData packs an event's data (format 2): every UUID in canonical text becomes packUUID and its
// 16 bytes (packNear and 10 when its first 6 are near, the event ID's), every time in RFC 3339 as Go writes a UTC time packTime and its distance from
// recordedAt, every `"name":` of a known field name its code. ok is false when packing saves
// nothing or the data holds a byte below 0x20 (JSON never does).
func packData(d []byte, recordedAt int64, near []byte) ([]byte, bool) {
	if len(d) < 8 {
		return nil, false
	}
	for _, c := range d {
		if c < 0x20 {
			return nil, false
		}
	}
	out := make([]byte, 0, len(d))
	last := 0
	for i := 0; i < len(d); {
		if u, ok := uuidAt(d, i); ok {
			if bytes.Equal(u[:idShared], near) {
				out = append(append(append(out, d[last:i]...), packNear), u[idShared:]...)
			} else {
				out = append(append(append(out, d[last:i]...), packUUID), u[:]...)
			}
			i += 36
			last = i
			continue
		}
		if t, n, ok := timeAt(d, i); ok {
			out = binary.AppendVarint(append(append(out, d[last:i]...), packTime), t-recordedAt)
			i += n
			last = i
			continue
		}
		if code, n := fieldAt(d, i); n > 0 {
			out = append(append(out, d[last:i]...), code...)
			i += n
			last = i
			continue
		}
		i++
	}
	out = append(out, d[last:]...)
	if len(out) >= len(d) {
		return nil, false
	}
	return out, true
}

// fieldAt returns the code of the known field name written `"name":` at d[i:], and its length.
func fieldAt(d []byte, i int) ([]byte, int) {
	if d[i] != '"' {
		return nil, 0
	}
	end := bytes.IndexByte(d[i+1:min(len(d), i+32)], '"')
	if end < 0 || i+end+2 >= len(d) || d[i+end+2] != ':' {
		return nil, 0
	}
	code, ok := packCodes[string(d[i+1:i+1+end])]
	if !ok {
		return nil, 0
	}
	return code, end + 3
}

// uuidAt reports the UUID in canonical text at d[i:], if there is one.
func uuidAt(d []byte, i int) (uuid.UUID, bool) {
	if i+36 > len(d) || d[i+8] != '-' || d[i+13] != '-' {
		return uuid.UUID{}, false
	}
	return canonicalUUID(d[i : i+36])
}

// timeAt reports the time at d[i:] and its length, if one is written there exactly as
// formatTime writes it (so that unpacking gives back the same bytes).
func timeAt(d []byte, i int) (int64, int, bool) {
	if i+20 > len(d) || d[i+4] != '-' || d[i+7] != '-' || d[i+10] != 'T' || d[i+13] != ':' || d[i+16] != ':' {
		return 0, 0, false
	}
	n := 19
	if d[i+n] == '.' {
		n++
		for i+n < len(d) && n < 30 && '0' <= d[i+n] && d[i+n] <= '9' {
			n++
		}
	}
	if i+n >= len(d) || d[i+n] != 'Z' {
		return 0, 0, false
	}
	n++
	s := string(d[i : i+n])
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, 0, false
	}
	ns := t.UnixNano()
	if formatTime(ns) != s {
		return 0, 0, false
	}
	return ns, n, true
}

func formatTime(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }

// unpackData reverses packData.
func unpackData(b []byte, recordedAt int64, near []byte) ([]byte, error) {
	out := make([]byte, 0, len(b)+len(b)/2)
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] >= 0x20 {
			i++
		}
		out = append(out, b[:i]...)
		if i == len(b) {
			break
		}
		c := b[i]
		b = b[i+1:]
		switch {
		case c == packNear:
			if len(b) < 16-idShared {
				return nil, fmt.Errorf("%w: packed data: a UUID cut short", eventstore.ErrMalformedRecord)
			}
			var u uuid.UUID
			copy(u[:], near)
			copy(u[idShared:], b)
			out = append(out, u.String()...)
			b = b[16-idShared:]
		case c == packUUID:
			if len(b) < 16 {
				return nil, fmt.Errorf("%w: packed data: a UUID cut short", eventstore.ErrMalformedRecord)
			}
			out = append(out, uuid.UUID(b[:16]).String()...)
			b = b[16:]
		case c == packTime:
			delta, k := binary.Varint(b)
			if k <= 0 {
				return nil, fmt.Errorf("%w: packed data: a time cut short", eventstore.ErrMalformedRecord)
			}
			out = append(out, formatTime(recordedAt+delta)...)
			b = b[k:]
		case c == packLong:
			if len(b) < 1 || int(b[0]) >= len(packNames) {
				return nil, fmt.Errorf("%w: packed data: an unknown field name", eventstore.ErrMalformedRecord)
			}
			out = append(append(append(out, '"'), packNames[b[0]]...), '"', ':')
			b = b[1:]
		case c >= packShort && c <= packShortLast:
			out = append(append(append(out, '"'), packNames[len(packNames)-1-int(c-packShort)]...), '"', ':')
		default:
			return nil, fmt.Errorf("%w: packed data: byte %#x", eventstore.ErrMalformedRecord, c)
		}
	}
	return out, nil
}
