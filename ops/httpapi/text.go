package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ControlOrBidi reports whether r is a character that must not reach a terminal or a page
// unescaped: a C0 control (U+0000–U+001F), DEL, a C1 control (U+0080–U+009F), or a
// bidirectional embedding, override or isolate (U+202A–U+202E, U+2066–U+2069), which can make
// text read differently from what it is. Tab and line feed are C0 controls too: multi-line fields
// allow them (see multiLine).
func ControlOrBidi(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// multiLine names the fields whose text may span lines: they allow tab and line feed (never
// carriage return). Every other text field is one line. A bilingual text ({"de": …, "en": …})
// counts as the field that holds it.
var multiLine = map[string]bool{
	"description": true, // template and stage descriptions
	"evidence":    true, // complete_task
	"note":        true, // grant_approval, report_progress
	"notes":       true, // hold_session
	"reason":      true, // reopen_task, revoke_approval, go_back, withdraw, suspend, cancel, migrate, retire
	"text":        true, // record_contribution
	"summary":     true, // publish_result
	"outcome":     true, // record_decision
	"expr":        true, // a template's gate expression
}

// isMultiLine reports whether the field at path allows tab and line feed.
func isMultiLine(path []string) bool {
	for i := len(path) - 1; i >= 0; i-- {
		s := path[i]
		if s == "de" || s == "en" || strings.Trim(s, "0123456789") == "" {
			continue
		}
		return multiLine[s]
	}
	return false
}

// fieldName joins a path with dots; a control or bidi character in a key is written as \uXXXX,
// so that a problem never echoes one.
func fieldName(path []string) string {
	var b strings.Builder
	for i, seg := range path {
		if i > 0 {
			b.WriteByte('.')
		}
		for _, r := range seg {
			if ControlOrBidi(r) {
				fmt.Fprintf(&b, "\\u%04x", r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// checkText refuses a control or bidi character in the text at path (400 control_character);
// multi allows tab and line feed.
func checkText(path []string, s string, multi bool) error {
	for i, r := range s {
		if !ControlOrBidi(r) || (multi && (r == '\t' || r == '\n')) {
			continue
		}
		field := fieldName(path)
		p := problem(http.StatusBadRequest, "control_character", fmt.Sprintf(
			"%s: Steuer- oder Richtungszeichen U+%04X an Byte %d ist nicht erlaubt (Zeilenumbruch und Tabulator nur in mehrzeiligen Feldern) / "+
				"control or bidirectional character U+%04X at byte %d is not allowed (line feed and tab only in multi-line fields)", field, r, i, r, i))
		p.Field = field
		return p
	}
	return nil
}

// checkJSON checks a JSON body before it is decoded: valid UTF-8 (400 invalid_utf8), no object
// with a key twice (400 duplicate_key), no control or bidi character in a key or a string
// (400 control_character, see checkText). Each problem names the field as a dotted path
// ("stage_mapping.tender", array elements by index). Malformed JSON passes: the strict decoder
// that follows reports it.
func checkJSON(body []byte) error {
	if !utf8.Valid(body) {
		return problem(http.StatusBadRequest, "invalid_utf8", "Der Inhalt ist kein gültiges UTF-8 / the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // the end, or malformed: the decoder says what is wrong
		}
		var top *frame
		if n := len(stack); n > 0 {
			top = stack[n-1]
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				stack = append(stack, &frame{object: d == '{', keys: map[string]bool{}, path: top.valuePath()})
			default:
				stack = stack[:len(stack)-1]
				if n := len(stack); n > 0 {
					stack[n-1].next()
				}
			}
			continue
		}
		if err := top.take(tok); err != nil {
			return err
		}
	}
}

// frame is an object or array being read, at path.
type frame struct {
	object bool
	path   []string
	keys   map[string]bool
	key    string // the current key, once read
	hasKey bool
	index  int
}

// valuePath is the path of the value being read in f (nil at the top).
func (f *frame) valuePath() []string {
	if f == nil {
		return nil
	}
	seg := strconv.Itoa(f.index)
	if f.object {
		seg = f.key
	}
	return append(append([]string(nil), f.path...), seg)
}

// take reads a scalar token: a key or a value.
func (f *frame) take(tok json.Token) error {
	if f != nil && f.object && !f.hasKey {
		key := tok.(string) // the decoder allows only strings as keys
		path := append(append([]string(nil), f.path...), key)
		if f.keys[key] {
			p := problem(http.StatusBadRequest, "duplicate_key", fmt.Sprintf("%s: der Schlüssel steht zweimal im Objekt / the key appears twice in the object", fieldName(path)))
			p.Field = fieldName(path)
			return p
		}
		f.keys[key], f.key, f.hasKey = true, key, true
		return checkText(path, key, false)
	}
	if s, ok := tok.(string); ok {
		path := f.valuePath()
		if err := checkText(path, s, isMultiLine(path)); err != nil {
			return err
		}
	}
	f.next()
	return nil
}

// next moves on after a value.
func (f *frame) next() {
	if f == nil {
		return
	}
	if f.object {
		f.hasKey = false
	} else {
		f.index++
	}
}

// checkDecoded applies checkJSON's text rule to a value decoded from another format (a template
// uploaded as YAML, whose escapes such as "\e" or "\u202E" yield control characters only when
// parsed): the fields are named by their JSON names.
func checkDecoded(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return checkJSON(b)
}
