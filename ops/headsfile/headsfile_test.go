package headsfile_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/ops/headsfile"
)

const note1 = "civicflow tree head v1\n7\nq0Yc=\n2026-12-04T16:00:00Z\n\n— civicflow 2Uu1==\n"

func TestEncode_writes_one_note_on_one_line_and_Decode_reads_it_back(t *testing.T) {
	for _, n := range []string{note1, "a\\nb\n\nc\\\\\n", "\\", "ä\xff\n\n"} {
		line := headsfile.Encode([]byte(n))
		if strings.Contains(line, "\n") {
			t.Fatalf("%q encodes with a line break: %q", n, line)
		}
		back, err := headsfile.Decode(line)
		if err != nil || string(back) != n {
			t.Fatalf("%q → %q → %q, %v", n, line, back, err)
		}
	}
}

func TestParse_names_the_bad_line(t *testing.T) {
	good := headsfile.Encode([]byte(note1)) + "\n"
	tests := []struct {
		name, data, want string
		heads            int
	}{
		{"two_notes_and_a_blank_line", good + "\n" + good, "", 2},
		{"an_unknown_escape", good + `civicflow\tx` + "\n", `line 2: an unknown escape`, 1},
		{"a_line_without_signatures", good + "just text\n", "line 2: not a signed note", 1},
		{"a_last_line_cut_short", good + good[:20], "line 2: the last line has no end", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			heads, err := headsfile.Parse([]byte(tc.data))
			if len(heads) != tc.heads || (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("%d heads, %v; want %d and %q", len(heads), err, tc.heads, tc.want)
			}
		})
	}
}

func TestFile_appends_lines_and_reads_the_last(t *testing.T) {
	ctx := context.Background()
	f := headsfile.New(filepath.Join(t.TempDir(), "keys", "seal.heads"))
	if last, err := f.Last(ctx); last != nil || err != nil {
		t.Fatalf("a missing file: %q, %v", last, err)
	}
	second := strings.Replace(note1, "\n7\n", "\n9\n", 1)
	for _, n := range []string{note1, second} {
		if err := f.Append(ctx, []byte(n)); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(f.String())
	if strings.Count(string(b), "\n") != 2 {
		t.Fatalf("the file has %d lines, want 2:\n%s", strings.Count(string(b), "\n"), b)
	}
	if last, err := f.Last(ctx); err != nil || string(last) != second {
		t.Fatalf("last: %q, %v", last, err)
	}
}
