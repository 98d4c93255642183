package runner_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/projections/projectiontest"
	"github.com/civicflow/civicflow/projections/runner"
)

const first = "0190a000-0000-7000-8000-000000000001"

func checked(t *testing.T, b *projectiontest.Backend) func(process string) error {
	t.Helper()
	projectiontest.Append(t, b.Log, b.Clock, history)
	projectiontest.CatchUpOn(t, b, all()...)
	return func(process string) error {
		scratch, discard, err := b.Scratch()
		if err != nil {
			t.Fatal(err)
		}
		defer discard()
		for _, p := range all() {
			res, err := runner.Check(context.Background(), runner.CheckConfig{Store: b.Log, Live: b.ReadDB, Scratch: scratch, Dialect: b.Dialect, Process: process}, p)
			if err != nil {
				return err
			}
			if res.Tables == 0 || res.Events == 0 {
				t.Fatalf("%s compared nothing: %+v", p.Name(), res)
			}
		}
		return nil
	}
}

func TestCheckPassesForReadModelsBuiltFromTheLog(t *testing.T) {
	projectiontest.Backends(t, func(t *testing.T, b *projectiontest.Backend) {
		check := checked(t, b)
		for _, process := range []string{"", first} {
			if err := check(process); err != nil {
				t.Fatalf("process %q: %v", process, err)
			}
		}
	})
}

func TestCheckNamesTheFirstDifference(t *testing.T) {
	cases := []struct {
		name    string
		tamper  string
		process string
		want    []string // in the error
	}{
		{"changed_value", `UPDATE process_overview_v1_process SET title = 'Gefälscht' WHERE id = '` + first + `'`, "",
			[]string{"process_overview_v1_process", "id=\"" + first + "\"", "column title", `stored "Gefälscht"`}},
		{"changed_value_of_the_process", `UPDATE audit_timeline_v1_chunk SET entries = replace(entries, ',.', 'mallory,.') WHERE process = '` + first + `'`, first,
			[]string{"audit_timeline_v1_chunk", "chunk=0", "column entries", `stored line 1: "`, `mallory,.`}},
		{"deleted_row", `DELETE FROM process_overview_v1_process WHERE id = '` + first + `'`, "",
			[]string{"process_overview_v1_process", "row is missing"}},
		{"added_row", `INSERT INTO audit_timeline_v1_chunk (process, chunk, tenant, first, last, last_at, last_actor, last_type, entries) VALUES ('x', 0, 'leipzig', 0, 0, 0, '', '', '')`, "",
			[]string{"audit_timeline_v1_chunk", `process="x", chunk=0`, "does not produce"}},
		{"dropped_table", `DROP TABLE process_overview_v1_measure`, "",
			[]string{"process_overview_v1_measure", "the table does not have the read model's columns"}},
		{"extra_table", `CREATE TABLE process_overview_v1_extra (x TEXT)`, "",
			[]string{"process_overview_v1_extra", "not part of the read model"}},
		{"checkpoint_moved", `UPDATE projection_checkpoints SET position = '5' WHERE name = 'process_overview'`, "",
			[]string{"checkpoint 5"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel() // each case on backends of its own
			projectiontest.Backends(t, func(t *testing.T, b *projectiontest.Backend) {
				check := checked(t, b)
				if _, err := b.DB.Exec(c.tamper); err != nil {
					t.Fatal(err)
				}
				err := check(c.process)
				var m *runner.Mismatch
				if !errors.As(err, &m) || !errors.Is(err, runner.ErrMismatch) {
					t.Fatalf("err = %v, want a *Mismatch", err)
				}
				for _, w := range c.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("%q does not name %q", err, w)
					}
				}
			})
		})
	}
}

func TestCheckOfOneProcessIgnoresOtherProcessesRows(t *testing.T) {
	projectiontest.Backends(t, func(t *testing.T, b *projectiontest.Backend) {
		check := checked(t, b)
		if _, err := b.DB.Exec(`UPDATE process_overview_v1_process SET title = 'Gefälscht' WHERE id <> ?`, first); err != nil {
			t.Fatal(err)
		}
		if err := check(first); err != nil {
			t.Fatalf("check of %s: %v", first, err)
		}
		if err := check(""); !errors.Is(err, runner.ErrMismatch) {
			t.Fatalf("whole check: %v, want a mismatch", err)
		}
	})
}

func TestCheckOfAReadModelNotBuiltIsErrNotBuilt(t *testing.T) {
	s, _ := projectiontest.Open(t, t.TempDir())
	scratch, err := sqlite.OpenScratch()
	if err != nil {
		t.Fatal(err)
	}
	defer scratch.Close()
	_, err = runner.Check(context.Background(), runner.CheckConfig{Store: s, Live: s.ProjectionReadDB(), Scratch: scratch}, all()[0])
	if !errors.Is(err, runner.ErrNotBuilt) {
		t.Fatalf("err = %v, want ErrNotBuilt", err)
	}
}
