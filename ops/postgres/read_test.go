package postgres_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/postgres"
)

// TestRead_decodes_the_text_format_as_the_binary_one reads the same log through a store whose
// connections use the simple protocol (every column in the text format, so the reads scan instead
// of taking the raw binary values) and compares every event with what the default store reads.
func TestRead_decodes_the_text_format_as_the_binary_one(t *testing.T) {
	ctx := context.Background()
	s := open(t, postgres.Config{})
	for i := range 30 {
		e := benchEvent()
		e.Data = []byte(fmt.Sprintf(`{"n":%d}`, i))
		if _, err := s.Append(ctx, fmt.Sprintf("process-%d", i%4), eventstore.Any, e); err != nil {
			t.Fatal(err)
		}
	}
	text, err := postgres.New(ctx, postgres.Config{URL: s.URL() + "&default_query_exec_mode=simple_protocol", Schema: s.Schema()})
	if err != nil {
		t.Fatal(err)
	}
	defer text.Close()
	for _, read := range []struct {
		name string
		run  func(st *postgres.Store) ([]eventstore.Event, error)
	}{
		{"all", func(st *postgres.Store) ([]eventstore.Event, error) {
			return st.ReadAll(ctx, eventstore.ReadAllOptions{After: eventstore.SequencePosition(3), Limit: 20})
		}},
		{"stream", func(st *postgres.Store) ([]eventstore.Event, error) {
			return st.ReadStream(ctx, "process-2", eventstore.ReadStreamOptions{From: 1})
		}},
	} {
		t.Run(read.name, func(t *testing.T) {
			want, err := read.run(s)
			if err != nil {
				t.Fatal(err)
			}
			got, err := read.run(text)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 || !reflect.DeepEqual(got, want) {
				t.Fatalf("text format read %d events %+v,\nbinary %d %+v", len(got), got, len(want), want)
			}
		})
	}
}
