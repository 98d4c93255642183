package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// The timeline keeps each event's facts (see facts) instead of its two sentences, which are
// rendered when the timeline is read: a few bytes instead of two sentences per event. Facts are
// stored as a JSON array: a string as a JSON string, an int as a number, a Title as an array of
// its German and English text. No facts are stored as NULL.

// appendFacts appends the JSON array of facts to b; nil for no facts.
func appendFacts(b []byte, facts []any) ([]byte, error) {
	if len(facts) == 0 {
		return nil, nil
	}
	b = append(b, '[')
	for i, f := range facts {
		if i > 0 {
			b = append(b, ',')
		}
		switch v := f.(type) {
		case string:
			b = appendString(b, v)
		case int:
			b = strconv.AppendInt(b, int64(v), 10)
		case Title:
			b = append(b, '[')
			b = appendString(b, v.De)
			b = append(b, ',')
			b = appendString(b, v.En)
			b = append(b, ']')
		default:
			return nil, fmt.Errorf("audit: fact of type %T", f)
		}
	}
	return append(b, ']'), nil
}

// appendString appends s as a JSON string: quotes, backslashes and control characters escaped,
// invalid UTF-8 replaced by U+FFFD as encoding/json does.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\ufffd"...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// parseFacts reads the facts appendFacts stored; NULL (nil) is none.
func parseFacts(stored []byte) ([]any, error) {
	if stored == nil {
		return nil, nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(stored, &raw); err != nil {
		return nil, fmt.Errorf("audit: stored facts: %w", err)
	}
	facts := make([]any, len(raw))
	for i, r := range raw {
		var err error
		switch {
		case len(r) > 0 && r[0] == '"':
			var s string
			err = json.Unmarshal(r, &s)
			facts[i] = s
		case len(r) > 0 && r[0] == '[':
			var t [2]string
			err = json.Unmarshal(r, &t)
			facts[i] = Title{De: t[0], En: t[1]}
		default:
			facts[i], err = strconv.Atoi(string(r))
		}
		if err != nil {
			return nil, fmt.Errorf("audit: stored fact %s: %w", r, err)
		}
	}
	return facts, nil
}

// line is one entry as a chunk row keeps it: the event's global position (its commit number),
// when the store recorded it (Unix nanoseconds, UTC), the actor and the event type; the facts
// are stored beside them.
type line struct {
	position, at int64
	actor, typ   string
	facts        []byte // the JSON array of appendFacts; nil for none
}

// appendLine appends l with facts as one line of a chunk row: the JSON array
// [position, at, "actor", "type", facts-or-null] and a newline. JSON text holds no raw newline, so
// a chunk's lines are split at newlines.
func appendLine(b []byte, l line, facts []any) ([]byte, error) {
	b = append(b, '[')
	b = strconv.AppendInt(b, l.position, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, l.at, 10)
	b = append(b, ',')
	b = appendString(b, l.actor)
	b = append(b, ',')
	b = appendString(b, l.typ)
	b = append(b, ',')
	if len(facts) == 0 {
		b = append(b, "null"...)
	} else {
		var err error
		if b, err = appendFacts(b, facts); err != nil {
			return nil, err
		}
	}
	return append(b, ']', '\n'), nil
}

// parseLines reads the lines of a chunk row that appendLine wrote.
func parseLines(entries []byte) ([]line, error) {
	var lines []line
	for len(entries) > 0 {
		text, rest, ok := bytes.Cut(entries, []byte{'\n'})
		if !ok {
			return nil, fmt.Errorf("audit: stored entry %q: no line end", text)
		}
		entries = rest
		var fields []json.RawMessage
		if err := json.Unmarshal(text, &fields); err != nil || len(fields) != 5 {
			return nil, fmt.Errorf("audit: stored entry %q: not an array of five fields (%v)", text, err)
		}
		var l line
		for i, dest := range []any{&l.position, &l.at, &l.actor, &l.typ} {
			if err := json.Unmarshal(fields[i], dest); err != nil {
				return nil, fmt.Errorf("audit: stored entry %q: field %d: %w", text, i+1, err)
			}
		}
		if f := fields[4]; string(f) != "null" {
			l.facts = f
		}
		lines = append(lines, l)
	}
	return lines, nil
}
