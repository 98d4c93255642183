package main

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/civicflow/civicflow/ops/httpapi"
)

// safeWriter writes what the client prints from a server so that it cannot steer the terminal:
// control characters other than tab and line feed (ESC, CR, BEL, NUL, C1 …) and bidirectional
// overrides and isolates are written as \uXXXX (which also keeps --json output valid JSON), and
// bytes that are not UTF-8 as U+FFFD. The server refuses them in text fields; this holds for
// whatever a server (an older one, or not ours) sends anyway.
type safeWriter struct {
	w    io.Writer
	tail []byte // the start of a character split between two writes
}

// terminalSafe wraps w in a safeWriter (once).
func terminalSafe(w io.Writer) io.Writer {
	if _, ok := w.(*safeWriter); ok {
		return w
	}
	return &safeWriter{w: w}
}

func (s *safeWriter) Write(p []byte) (int, error) {
	buf := append(s.tail, p...)
	var out strings.Builder
	i := 0
	for i < len(buf) && utf8.FullRune(buf[i:]) {
		r, size := utf8.DecodeRune(buf[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			out.WriteRune(utf8.RuneError)
		case r != '\t' && r != '\n' && httpapi.ControlOrBidi(r):
			fmt.Fprintf(&out, "\\u%04x", r)
		default:
			out.WriteRune(r)
		}
	}
	s.tail = append([]byte(nil), buf[i:]...)
	if _, err := io.WriteString(s.w, out.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// oneLine escapes a server's value for one cell of a table: tab and line feed too, so that a value
// cannot forge a column or a row.
func oneLine(s string) string {
	return strings.NewReplacer("\t", `\t`, "\n", `\n`).Replace(s)
}
