// Package headsfile keeps signed tree heads (workflows/seal) in a file outside the database:
// append-only, one signed note per line. A note has several lines; on its line each newline is
// written as the two characters `\n` and each backslash as `\\` (no other escape exists), so a
// line is exactly one note and a note is exactly one line. The file is the sealer's
// seal.Witness, and auditors keep copies of it (GET /api/v1/audit/heads).
//
//	f := headsfile.New("/etc/civicflow/seal.heads")
//	_ = f.Append(ctx, signed)              // one line, synced to disk
//	heads, err := headsfile.Read(path)     // every note, in file order
package headsfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Encode returns the line of a signed note (without the line's end).
func Encode(signed []byte) string {
	var b strings.Builder
	for _, c := range signed {
		switch c {
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Decode returns the signed note of a line written by Encode.
func Decode(line string) ([]byte, error) {
	out := make([]byte, 0, len(line))
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\r' || c == '\n':
			return nil, errors.New("a line break inside the line")
		case c != '\\':
			out = append(out, c)
		case i+1 < len(line) && line[i+1] == 'n':
			out, i = append(out, '\n'), i+1
		case i+1 < len(line) && line[i+1] == '\\':
			out, i = append(out, '\\'), i+1
		default:
			return nil, fmt.Errorf("an unknown escape at byte %d (only \\n and \\\\ exist)", i+1)
		}
	}
	return out, nil
}

// Parse returns the notes of a heads file's content, in order. Empty lines are skipped; a line
// that is not an encoded note, or a last line without its end (a write cut short), is an error
// naming the line.
func Parse(data []byte) ([][]byte, error) {
	var out [][]byte
	lines := bytes.Split(data, []byte("\n"))
	for i, line := range lines {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if i == len(lines)-1 {
			return out, fmt.Errorf("line %d: the last line has no end: its write was cut short", i+1)
		}
		note, err := Decode(string(line))
		if err == nil && !bytes.Contains(note, []byte("\n\n")) {
			err = errors.New("not a signed note (no blank line before the signatures)")
		}
		if err != nil {
			return out, fmt.Errorf("line %d: %w", i+1, err)
		}
		out = append(out, note)
	}
	return out, nil
}

// Read returns every note of the heads file at path, in order.
func Read(path string) ([][]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	heads, err := Parse(b)
	if err != nil {
		return heads, fmt.Errorf("%s: %w", path, err)
	}
	return heads, nil
}

// File is a heads file. It is a seal.Witness.
type File struct {
	path string
}

// New returns the heads file at path (created by the first Append).
func New(path string) *File { return &File{path: path} }

// String is the file's path.
func (f *File) String() string { return f.path }

// All returns every note, in order; none when the file does not exist yet.
func (f *File) All(context.Context) ([][]byte, error) {
	heads, err := Read(f.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return heads, err
}

// Last returns the last note, nil when the file does not exist or is empty.
func (f *File) Last(ctx context.Context) ([]byte, error) {
	heads, err := f.All(ctx)
	if err != nil || len(heads) == 0 {
		return nil, err
	}
	return heads[len(heads)-1], nil
}

// Append writes the note as one line at the end of the file (creating it and its directory;
// mode 0644: heads are public) and syncs it to disk.
func (f *File) Append(_ context.Context, signed []byte) error {
	if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
		return err
	}
	fd, err := os.OpenFile(f.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := fd.WriteString(Encode(signed) + "\n"); err != nil {
		fd.Close()
		return err
	}
	if err := fd.Sync(); err != nil {
		fd.Close()
		return err
	}
	return fd.Close()
}
