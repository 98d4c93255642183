package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
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

// appendLine appends l with facts as one line of a chunk row, relative to prev, the line before
// it in the chunk (the zero line for a chunk's first): the position and the time as their
// distances from prev's, the actor and the type, each empty when it is prev's, the facts, and a
// newline. Actor and type are written as they are when they hold only plain characters (see
// plainField), else as JSON strings; a type "process.x" is written ".x"; facts are the JSON array
// of appendFacts, or nothing for none. JSON text holds no raw newline, so a chunk's lines are
// split at newlines. (Version 4 wrote each line as a JSON array: 76 bytes for a contribution;
// version 5 absolute fields: 57; version 6 about 17.)
func appendLine(b []byte, l, prev line, facts []any) ([]byte, error) {
	b = strconv.AppendInt(b, l.position-prev.position, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, l.at-prev.at, 10)
	b = append(b, ',')
	first := prev.typ == "" // event types are never empty
	if first || l.actor != prev.actor {
		b = appendField(b, l.actor)
	}
	b = append(b, ',')
	switch rest, ok := strings.CutPrefix(l.typ, processTypes); {
	case !first && l.typ == prev.typ:
	case ok && plainField(rest):
		b = append(append(b, '.'), rest...)
	default:
		b = appendField(b, l.typ)
	}
	b = append(b, ',')
	if len(facts) > 0 {
		var err error
		if b, err = appendFacts(b, facts); err != nil {
			return nil, err
		}
	}
	return append(b, '\n'), nil
}

// processTypes is the prefix that a line writes as ".".
const processTypes = "process."

// appendField appends s as it is when plain, else as a JSON string.
func appendField(b []byte, s string) []byte {
	if plainField(s) {
		return append(b, s...)
	}
	return appendString(b, s)
}

// plainField reports whether s can stand in a line unquoted: not empty, not starting with "." (a
// shortened type) and only letters, digits and "_.-@:+/".
func plainField(s string) bool {
	if s == "" || s[0] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_.-@:+/", c) >= 0) {
			return false
		}
	}
	return true
}

// parseLines reads the lines of a chunk row that appendLine wrote.
func parseLines(entries []byte) ([]line, error) {
	var lines []line
	var prev line
	for len(entries) > 0 {
		text, rest, ok := bytes.Cut(entries, []byte{'\n'})
		if !ok {
			return nil, fmt.Errorf("audit: stored entry %q: no line end", text)
		}
		entries = rest
		l, err := parseLine(text, prev)
		if err != nil {
			return nil, fmt.Errorf("audit: stored entry %q: %w", text, err)
		}
		lines = append(lines, l)
		prev = l
	}
	return lines, nil
}

// parseLine reads one line of appendLine that follows prev.
func parseLine(text []byte, prev line) (line, error) {
	var l line
	var err error
	for i, n := range []*int64{&l.position, &l.at} {
		num, rest, ok := bytes.Cut(text, []byte{','})
		if !ok {
			return l, fmt.Errorf("field %d: no comma after it", i+1)
		}
		if *n, err = strconv.ParseInt(string(num), 10, 64); err != nil {
			return l, fmt.Errorf("field %d: %w", i+1, err)
		}
		text = rest
	}
	l.position += prev.position
	l.at += prev.at
	var quoted bool
	for i, s := range []*string{&l.actor, &l.typ} {
		if *s, quoted, text, err = parseField(text); err != nil {
			return l, fmt.Errorf("field %d: %w", i+3, err)
		}
		if *s == "" && !quoted {
			if prev.typ == "" {
				return l, fmt.Errorf("field %d: empty in a chunk's first line", i+3)
			}
			*s = []string{prev.actor, prev.typ}[i]
		} else if rest, ok := strings.CutPrefix(l.typ, "."); i == 1 && ok && !quoted {
			l.typ = processTypes + rest
		}
	}
	if len(text) > 0 {
		if !json.Valid(text) || text[0] != '[' {
			return l, fmt.Errorf("field 5: not a JSON array")
		}
		l.facts = text
	}
	return l, nil
}

// parseField reads a field of appendField (or an empty one) and the comma after it; it returns
// whether the field was a JSON string, and the rest.
func parseField(text []byte) (string, bool, []byte, error) {
	if len(text) > 0 && text[0] == '"' {
		end := 1
		for end < len(text) && text[end] != '"' {
			if text[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(text) {
			return "", false, nil, fmt.Errorf("an unterminated string")
		}
		var s string
		if err := json.Unmarshal(text[:end+1], &s); err != nil {
			return "", false, nil, err
		}
		text = text[end+1:]
		if len(text) == 0 || text[0] != ',' {
			return "", false, nil, fmt.Errorf("no comma after a string")
		}
		return s, true, text[1:], nil
	}
	field, rest, ok := bytes.Cut(text, []byte{','})
	if !ok || len(field) > 0 && !plainField(string(field)) && (field[0] != '.' || !plainField(string(field[1:]))) {
		return "", false, nil, fmt.Errorf("%q is neither plain nor a string", field)
	}
	return string(field), false, rest, nil
}
