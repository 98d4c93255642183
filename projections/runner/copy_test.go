package runner_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/projections/projectiontest"
	"github.com/civicflow/civicflow/projections/runner"
)

// newRows is a read model with a row per event, added with Inserter.AddNew in a rebuild pass
// (Add elsewhere), then counted by an update and a query queued after it; its failAt-th batch
// also queues an insert that the database refuses (two rows with one key), once, and makes no
// query, so that on PostgreSQL the refusal comes when the page's last statements run.
type newRows struct {
	calls, failAt *int
	counts        *[]string // what each batch's query saw that it should not have
}

type newRowsKey struct{}

func (p newRows) Name() string              { return "new_rows" }
func (p newRows) Version() int              { return 1 }
func (p newRows) Filter() eventstore.Filter { return eventstore.Filter{} }
func (p newRows) Schema(t runner.Tables) []string {
	return []string{t.Q(`CREATE TABLE {row} (pos TEXT PRIMARY KEY, type TEXT NOT NULL, seen INTEGER NOT NULL DEFAULT 0)`)}
}

func (p newRows) Apply(ctx context.Context, tx *sql.Tx, t runner.Tables, e eventstore.Event) error {
	return p.ApplyBatch(ctx, tx, t, []eventstore.Event{e})
}

func (p newRows) ApplyBatch(ctx context.Context, tx *sql.Tx, t runner.Tables, events []eventstore.Event) error {
	written, pass := runner.Pass(ctx, newRowsKey{}, func() *int { return new(int) })
	s := runner.NewStmts(ctx, tx, t)
	defer s.Close()
	*p.calls++
	if *p.calls == *p.failAt {
		if err := s.Exec(`INSERT INTO {row} (pos, type) VALUES ('dup', 'x'), ('dup', 'x')`); err != nil {
			return err
		}
	}
	in := runner.NewInserter(s, `INSERT INTO {row} (pos, type) VALUES`, 2, 3).
		OnConflict(`ON CONFLICT (pos) DO UPDATE SET type = excluded.type`)
	for _, e := range events {
		add := in.Add
		if pass {
			add = in.AddNew
		}
		if err := add(e.Position.String(), e.Type); err != nil {
			return err
		}
	}
	if err := in.Flush(); err != nil {
		return err
	}
	for _, e := range events {
		if err := s.Exec(`UPDATE {row} SET seen = seen + 1 WHERE pos = ?`, e.Position.String()); err != nil {
			return err
		}
	}
	if !pass || *p.calls == *p.failAt {
		return nil // the refused insert goes with the page's last statements
	}
	*written += len(events)
	var n, seen int
	if _, err := s.QueryRow(`SELECT count(*), coalesce(sum(seen), 0) FROM {row}`, nil, &n, &seen); err != nil {
		return err
	}
	if n != *written || seen != *written {
		*p.counts = append(*p.counts, fmt.Sprintf("batch %d: %d rows seen %d times, want %d", *p.calls, n, seen, *written))
	}
	return nil
}

// messages is a log handler that keeps the messages logged.
type messages struct {
	mu   sync.Mutex
	msgs []string
}

func (h *messages) Enabled(context.Context, slog.Level) bool { return true }
func (h *messages) Handle(_ context.Context, rec slog.Record) error {
	h.mu.Lock()
	h.msgs = append(h.msgs, rec.Message)
	h.mu.Unlock()
	return nil
}
func (h *messages) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *messages) WithGroup(string) slog.Handler      { return h }

func (h *messages) has(prefix string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range h.msgs {
		if strings.HasPrefix(m, prefix) {
			return true
		}
	}
	return false
}

// Rows a rebuild adds as new (on PostgreSQL: copied) are in their table for the statements and
// queries of the page that follow them, in every part and page; and a page whose statements the
// server refuses after the next page was applied beside it (on PostgreSQL) is applied again with
// that next page, one after the other: each event's row once, counted once.
func TestRebuildAddsNewRowsBeforeWhatFollowsThemAndRedoesAFailedPage(t *testing.T) {
	// Pages of ten parts (a fifth of their size, from a fifth of the events): the tenth batch is
	// the first page's last.
	shrink := runner.ShrinkPages(t)
	for _, c := range []struct {
		name   string
		failAt int
	}{{"without_failure", 0}, {"refused_at_the_end_of_the_first_page", 10}} {
		t.Run(c.name, func(t *testing.T) {
			projectiontest.Backends(t, func(t *testing.T, b *projectiontest.Backend) {
				projectiontest.Append(t, b.Log, b.Clock, history)
				appendInterleaved(t, b.Log, 5, 10_500/shrink)
				var calls int
				var counts []string
				failAt := c.failAt
				p := newRows{calls: &calls, failAt: &failAt, counts: &counts}
				logs := &messages{}
				r, err := runner.New(runner.Config{Store: b.Log, DB: b.DB, Dialect: b.Dialect, Projections: []runner.Projection{p},
					Logger: slog.New(logs), Backoff: time.Millisecond})
				if err != nil {
					t.Fatal(err)
				}
				if err := r.RebuildAll(context.Background()); err != nil {
					t.Fatal(err)
				}
				if len(counts) > 0 {
					t.Fatalf("queries in the rebuild saw rows missing or counted wrongly: %v", counts)
				}
				events := countEvents(t, b.Log)
				tables, _, err := runner.Active(context.Background(), b.ReadDB, p.Name())
				if err != nil {
					t.Fatal(err)
				}
				var n, seen, once int
				if err := b.ReadDB.QueryRow(tables.Q(`SELECT count(*), sum(seen), sum(CASE WHEN seen = 1 THEN 1 ELSE 0 END) FROM {row}`)).Scan(&n, &seen, &once); err != nil {
					t.Fatal(err)
				}
				if n != events || seen != events || once != events {
					t.Fatalf("%d rows seen %d times, %d of them once; want %d each", n, seen, once, events)
				}
				if c.failAt == 0 {
					return
				}
				if !logs.has("projection rebuild page failed") {
					t.Fatalf("the refused page was not retried: %q", logs.msgs)
				}
				if b.Dialect == runner.PostgreSQL && !logs.has("projection rebuild page failed; applying the pages again one by one") {
					t.Fatalf("the refused page was not applied again after the pages in flight settled: %q", logs.msgs)
				}
			})
		})
	}
}
