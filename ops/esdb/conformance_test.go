package esdb_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/eventstore/eventstoretest"
	"github.com/civicflow/civicflow/ops/esdb"
)

// TestConformance runs the conformance suite against the EventStoreDB server that
// CIVICFLOW_TEST_ESDB_URL names (esdb://127.0.0.1:2113?tls=false for a local insecure node). No
// EventStoreDB server can be installed on this project's machines, so it is skipped without one,
// in CI too; the mapping tests in this package run everywhere.
func TestConformance(t *testing.T) {
	url := os.Getenv("CIVICFLOW_TEST_ESDB_URL")
	if url == "" {
		t.Skip("CIVICFLOW_TEST_ESDB_URL is not set: no EventStoreDB server to run the conformance suite against " +
			"(start one, e.g. EventStoreDB 23.10 with --insecure, and set CIVICFLOW_TEST_ESDB_URL=esdb://127.0.0.1:2113?tls=false)")
	}
	eventstoretest.Run(t, func(t *testing.T, clock func() time.Time) eventstore.Store {
		s, err := esdb.New(context.Background(), esdb.Config{URL: url, Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}, eventstoretest.Features{IdempotentAny: false, GlobalEventIDs: false})
}

// TestHead_is_the_last_append runs against the server CIVICFLOW_TEST_ESDB_URL names (skipped
// without one, as TestConformance): after each append the head is that append's position.
func TestHead_is_the_last_append(t *testing.T) {
	url := os.Getenv("CIVICFLOW_TEST_ESDB_URL")
	if url == "" {
		t.Skip("CIVICFLOW_TEST_ESDB_URL is not set: no EventStoreDB server (see TestConformance)")
	}
	ctx := context.Background()
	s, err := esdb.New(ctx, esdb.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	stream := "headtest-" + eventstore.NewEventID().String()
	for i := range 3 {
		res, err := s.Append(ctx, stream, eventstore.Exact(int64(i)),
			eventstore.EventData{ID: eventstore.NewEventID(), Type: "test.happened", SchemaVersion: 1, Data: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		if head, err := s.Head(ctx); err != nil || head != res.Position {
			t.Fatalf("head after append %d = %v, %v; want %v", i+1, head, err, res.Position)
		}
	}
}
