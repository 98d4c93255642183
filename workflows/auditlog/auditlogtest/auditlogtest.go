// Package auditlogtest helps test what records auditors' reads: a store that refuses to record
// them, and the records of a tenant.
package auditlogtest

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/workflows/auditlog"
)

// ErrRefused is what a Refusing store's appends to audit streams fail with.
var ErrRefused = errors.New("auditlogtest: audit stream not writable")

// Refusing wraps store: appends to "audit-…" streams fail with ErrRefused, everything else
// passes through.
func Refusing(store eventstore.Store) eventstore.Store { return refusing{store} }

type refusing struct{ eventstore.Store }

func (s refusing) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if strings.HasPrefix(stream, auditlog.Stream("")) {
		return eventstore.AppendResult{}, ErrRefused
	}
	return s.Store.Append(ctx, stream, expected, events...)
}

// Accesses returns the audit.accessed events of tenant, oldest first; any other event in the
// stream fails the test.
func Accesses(tb testing.TB, store eventstore.Store, tenant string) []auditlog.Accessed {
	tb.Helper()
	events, err := store.ReadStream(context.Background(), auditlog.Stream(tenant), eventstore.ReadStreamOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	out := make([]auditlog.Accessed, 0, len(events))
	for _, ev := range events {
		if ev.Type != auditlog.Type || ev.SchemaVersion != auditlog.SchemaVersion {
			tb.Fatalf("unexpected event %s v%d in %s", ev.Type, ev.SchemaVersion, ev.Stream)
		}
		var a auditlog.Accessed
		if err := json.Unmarshal(ev.Data, &a); err != nil {
			tb.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}
