package runner_test

import (
	"context"
	"database/sql"
	"sync/atomic"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/projections/projectiontest"
	"github.com/civicflow/civicflow/projections/runner"
)

// deriving is a read model that derives a value from each event through runner.Remember (the
// count of derivations in derived) and keeps it, so that the sharing can be seen.
type deriving struct {
	name    string
	derived *atomic.Int64
}

type derivedKey struct{ pos eventstore.Position }

func (d deriving) Name() string              { return d.name }
func (d deriving) Version() int              { return 1 }
func (d deriving) Filter() eventstore.Filter { return eventstore.Filter{} }
func (d deriving) Schema(t runner.Tables) []string {
	return []string{t.Q(`CREATE TABLE {value} (position TEXT PRIMARY KEY, value TEXT NOT NULL)`)}
}

func (d deriving) Apply(ctx context.Context, tx *sql.Tx, t runner.Tables, e eventstore.Event) error {
	v, err := runner.Remember(ctx, derivedKey{e.Position}, func() (string, error) {
		d.derived.Add(1)
		return e.Type, nil
	})
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, t.Q(`INSERT INTO {value} (position, value) VALUES (?, ?)`), e.Position.String(), v)
	return err
}

// The read models applying the same rebuild page share what they Remember: each event's value is
// derived once for all three, not once each. Outside a rebuild page it is derived every time.
func TestRememberSharesOnePagesDerivationsBetweenReadModels(t *testing.T) {
	s, clock := projectiontest.Open(t, t.TempDir())
	projectiontest.Append(t, s, clock, history)
	head, err := s.ReadAll(context.Background(), eventstore.ReadAllOptions{Limit: 100_000})
	if err != nil {
		t.Fatal(err)
	}
	derived := &atomic.Int64{}
	ps := []runner.Projection{deriving{"a", derived}, deriving{"b", derived}, deriving{"c", derived}}
	r, err := runner.New(runner.Config{Store: s, DB: s.ProjectionDB(), Projections: ps})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.RebuildAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := derived.Load(), int64(len(head)); got != want {
		t.Fatalf("%d derivations for %d events and three read models, want one per event", got, want)
	}
	calls := 0
	for range 2 {
		if _, err := runner.Remember(context.Background(), derivedKey{}, func() (int, error) { calls++; return calls, nil }); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 2 {
		t.Fatalf("outside a page: %d calls for two, want each derived", calls)
	}
}
