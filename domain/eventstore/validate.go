package eventstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Limits on input that every store enforces.
const (
	// MaxStreamLength is the longest stream name, in bytes.
	MaxStreamLength = 256
	// MaxTypeLength is the longest event type name, in bytes.
	MaxTypeLength = 128
	// MaxMetadataFieldLength is the longest value of one metadata field, in bytes.
	MaxMetadataFieldLength = 256
	// MaxEventsPerAppend is the most events one append may carry.
	MaxEventsPerAppend = 10000
	// DefaultMaxEventBytes is the default size limit of one event (data plus metadata): 1 MiB.
	DefaultMaxEventBytes = 1 << 20
)

// isWireName reports whether an event type is a wire name: dot-separated words, each a lower-case
// letter followed by lower-case letters, digits and '_' (the regular expression
// ^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$). It is written out because every appended event is
// checked: a regexp's shared matcher cache showed up as lock contention with 64 appenders.
func isWireName(s string) bool {
	wordStart := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			wordStart = false
		case (c >= '0' && c <= '9') || c == '_':
			if wordStart {
				return false
			}
		case c == '.':
			if wordStart {
				return false
			}
			wordStart = true
		default:
			return false
		}
	}
	return !wordStart
}

// ValidateStream checks a stream name: not empty, at most MaxStreamLength bytes, UTF-8 without
// control characters, and not starting with "$" (reserved for the store's own streams).
func ValidateStream(stream string) error {
	switch {
	case stream == "":
		return &InputError{Field: "stream", Problem: "is empty"}
	case len(stream) > MaxStreamLength:
		return &InputError{Field: "stream", Problem: fmt.Sprintf("is %d bytes long, more than the limit of %d", len(stream), MaxStreamLength)}
	case !utf8.ValidString(stream):
		return &InputError{Field: "stream", Problem: "is not valid UTF-8"}
	case hasControl(stream):
		return &InputError{Field: "stream", Problem: "contains a control character"}
	case stream[0] == '$':
		return &InputError{Field: "stream", Problem: `starts with "$", which is reserved`}
	}
	return nil
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}

// ValidateAppend checks an append and returns the events as they will be stored: the data
// compacted to canonical JSON without insignificant white space. maxEventBytes limits the size of
// one event's data plus metadata (DefaultMaxEventBytes when 0). Nothing is written when it fails.
func ValidateAppend(stream string, expected ExpectedVersion, events []EventData, maxEventBytes int) ([]EventData, error) {
	if err := ValidateStream(stream); err != nil {
		return nil, err
	}
	if v, ok := expected.IsExact(); ok && v < 0 {
		return nil, &InputError{Field: "expected_version", Problem: fmt.Sprintf("%d is negative", v)}
	}
	if len(events) == 0 {
		return nil, &InputError{Field: "events", Problem: "is empty: an append needs at least one event"}
	}
	if len(events) > MaxEventsPerAppend {
		return nil, &InputError{Field: "events", Problem: fmt.Sprintf("has %d events, more than the limit of %d", len(events), MaxEventsPerAppend)}
	}
	if maxEventBytes <= 0 {
		maxEventBytes = DefaultMaxEventBytes
	}
	out := make([]EventData, len(events))
	seen := make(map[uuid.UUID]int, len(events))
	for i, e := range events {
		if j, dup := seen[e.ID]; dup {
			return nil, &InputError{Field: fmt.Sprintf("events[%d].id", i), Problem: fmt.Sprintf("repeats the ID of events[%d]", j)}
		}
		seen[e.ID] = i
		norm, err := validateEvent(i, e, maxEventBytes)
		if err != nil {
			return nil, err
		}
		out[i] = norm
	}
	return out, nil
}

func validateEvent(i int, e EventData, maxEventBytes int) (EventData, error) {
	field := func(name string) string { return fmt.Sprintf("events[%d].%s", i, name) }
	switch {
	case e.ID == uuid.Nil:
		return e, &InputError{Field: field("id"), Problem: "is not set (the nil UUID)"}
	case e.Type == "":
		return e, &InputError{Field: field("type"), Problem: "is empty"}
	case len(e.Type) > MaxTypeLength:
		return e, &InputError{Field: field("type"), Problem: fmt.Sprintf("is longer than %d bytes", MaxTypeLength)}
	case !isWireName(e.Type):
		return e, &InputError{Field: field("type"), Problem: fmt.Sprintf("%q is not a registered wire name like \"process.stage_completed\" (lower case, digits, '_' and '.')", e.Type)}
	case e.SchemaVersion < 1:
		return e, &InputError{Field: field("schema_version"), Problem: fmt.Sprintf("%d is less than 1", e.SchemaVersion)}
	case len(e.Data) == 0:
		return e, &InputError{Field: field("data"), Problem: "is empty: a JSON document is required"}
	}
	if err := validateMetadata(field("metadata"), e.Metadata); err != nil {
		return e, err
	}
	if size := len(e.Data) + metadataSize(e.Metadata); size > maxEventBytes {
		return e, &InputError{Field: field("data"), Problem: fmt.Sprintf("the event is %d bytes, more than the limit of %d", size, maxEventBytes)}
	}
	var buf bytes.Buffer
	buf.Grow(len(e.Data))
	if err := json.Compact(&buf, e.Data); err != nil {
		return e, &InputError{Field: field("data"), Problem: "is not valid JSON: " + err.Error()}
	}
	e.Data = buf.Bytes()
	return e, nil
}

func metadataFields(m Metadata) [5]struct{ name, value string } {
	return [5]struct{ name, value string }{
		{"tenant", m.Tenant}, {"actor", m.Actor}, {"correlation_id", m.CorrelationID},
		{"causation_id", m.CausationID}, {"command_id", m.CommandID},
	}
}

func validateMetadata(prefix string, m Metadata) error {
	for _, f := range metadataFields(m) {
		switch {
		case len(f.value) > MaxMetadataFieldLength:
			return &InputError{Field: prefix + "." + f.name, Problem: fmt.Sprintf("is longer than %d bytes", MaxMetadataFieldLength)}
		case !utf8.ValidString(f.value):
			return &InputError{Field: prefix + "." + f.name, Problem: "is not valid UTF-8"}
		}
	}
	return nil
}

func metadataSize(m Metadata) int {
	return len(m.Tenant) + len(m.Actor) + len(m.CorrelationID) + len(m.CausationID) + len(m.CommandID)
}

// ValidateReadStream checks the arguments of a stream read.
func ValidateReadStream(stream string, opts ReadStreamOptions) error {
	if err := ValidateStream(stream); err != nil {
		return err
	}
	switch {
	case opts.From < 0:
		return &InputError{Field: "from", Problem: fmt.Sprintf("version %d is negative", opts.From)}
	case opts.Limit < 0:
		return &InputError{Field: "limit", Problem: fmt.Sprintf("%d is negative", opts.Limit)}
	case opts.Direction != Forwards && opts.Direction != Backwards:
		return &InputError{Field: "direction", Problem: fmt.Sprintf("%d is neither forwards nor backwards", opts.Direction)}
	}
	return nil
}

// ValidateReadAll checks the arguments of a global read.
func ValidateReadAll(opts ReadAllOptions) error {
	if opts.Limit < 0 {
		return &InputError{Field: "limit", Problem: fmt.Sprintf("%d is negative", opts.Limit)}
	}
	return ValidateFilter(opts.Filter)
}

// ValidateFilter checks a filter: no empty prefix or type.
func ValidateFilter(f Filter) error {
	for i, p := range f.StreamPrefixes {
		if p == "" {
			return &InputError{Field: fmt.Sprintf("filter.stream_prefixes[%d]", i), Problem: "is empty"}
		}
	}
	for i, t := range f.EventTypes {
		if t == "" {
			return &InputError{Field: fmt.Sprintf("filter.event_types[%d]", i), Problem: "is empty"}
		}
	}
	return nil
}
