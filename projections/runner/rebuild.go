package runner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// rebuildPage is how many events a rebuild applies in one transaction (in parts of readPage).
// Larger pages mean fewer commits; each transaction holds the database's write lock, so appends
// wait for it. A variable only so that tests can shrink it with readPage (export_test.go).
var rebuildPage = 10_000

// Rebuild builds the named read model afresh from the log beside the running build, catches it
// up and switches readers to it atomically (see RebuildAll).
func (r *Runner) Rebuild(ctx context.Context, name string) error {
	return r.RebuildAll(ctx, name)
}

// RebuildAll builds the named read models (without names: every one) afresh in one pass over
// the log, beside their running builds, and switches readers to all of them atomically.
//
// The new builds' tables are created without their secondary indexes (CREATE INDEX statements of
// the Schema) while the first pages are read, filled page by page — while one page is applied,
// the next is read, and on PostgreSQL the page before is written (see pageLoader) — with each
// page's changes and every build's checkpoint in one transaction, then indexed. Last, one
// transaction, which holds the database's write lock so that no event is appended in between,
// applies the events that came meanwhile and activates the new builds in projection_versions;
// then the old builds' tables are dropped. A runner following an old build notices the switch at
// its next batch and follows the new one. A rebuild that stops half-way leaves inactive tables
// behind, which the next rebuild drops.
func (r *Runner) RebuildAll(ctx context.Context, names ...string) error {
	ps, err := r.pick(names)
	if err != nil {
		return err
	}
	if err := ensureMeta(ctx, r.cfg.DB, r.cfg.Dialect); err != nil {
		return err
	}
	builds := make([]*newBuild, len(ps))
	for i, p := range ps {
		builds[i] = &newBuild{p: p, pass: newPassState()}
	}
	filter := union(ps)
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The first pages are read and prepared while the new tables are made (on PostgreSQL, the
	// first page is applied meanwhile too).
	pages := r.readAhead(rctx, builds, filter, eventstore.Start)
	tables, err := r.startBuilds(ctx, builds)
	if err != nil {
		return err
	}
	var pos eventstore.Position
	err = withConnPragma(ctx, r.cfg.DB, r.cfg.Dialect, "wal_autocheckpoint", bulkAutocheckpoint, func() (err error) {
		pos, err = r.bulkLoad(ctx, builds, pages, tables)
		return err
	})
	if err := errors.Join(err, tables()); err != nil {
		return err
	}
	cancel()
	var indexed []*newBuild
	for _, b := range builds {
		if len(b.indexes) > 0 {
			indexed = append(indexed, b)
		}
	}
	err = r.inBuildTxs(ctx, indexed, func(tx *sql.Tx, builds []*newBuild) error {
		// CREATE INDEX sorts the rows in memory up to the page cache's size and in temporary
		// files beyond: a larger cache for the while keeps the sort of a large table in memory.
		return withPragma(ctx, tx, r.cfg.Dialect, "cache_size", indexCacheSize, func() error {
			for _, b := range builds {
				for _, s := range b.indexes {
					if _, err := tx.ExecContext(ctx, r.cfg.Dialect.Schema(s)); err != nil {
						return fmt.Errorf("runner: index %s: %w", b.t, err)
					}
				}
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	return r.switchTo(ctx, builds, filter, pos)
}

// pick returns the named read models, every one without names.
func (r *Runner) pick(names []string) ([]Projection, error) {
	if len(names) == 0 {
		return r.cfg.Projections, nil
	}
	var ps []Projection
	seen := map[string]bool{}
	for _, n := range names {
		p, ok := r.byKey[n]
		if !ok {
			return nil, fmt.Errorf("runner: no read model named %q", n)
		}
		if !seen[n] {
			ps = append(ps, p)
		}
		seen[n] = true
	}
	return ps, nil
}

// newBuild is a build being made by a rebuild.
type newBuild struct {
	p         Projection
	old, next int
	t         Tables
	indexes   []string            // CREATE INDEX statements, run after the bulk load
	last      eventstore.Position // the last event applied
	pass      *PassState          // what the read model keeps across pages; nil after a failed page
}

// startBuilds numbers the next build of each of builds (one after the active one) and creates
// its tables with an empty checkpoint (inBuildTxs), keeping their index statements for later.
// Tables of every build but the active one (left by an interrupted rebuild) are dropped first.
// It returns a function that waits until the tables are made and reports why not: on
// PostgreSQL they are made in the background while the first page is applied (its statements
// wait for them, see pageLoader), elsewhere before startBuilds returns.
func (r *Runner) startBuilds(ctx context.Context, builds []*newBuild) (func() error, error) {
	err := inTx(ctx, r.cfg.DB, func(tx *sql.Tx) error {
		for _, b := range builds {
			old, _, err := activeBuild(ctx, tx, b.p.Name())
			if err != nil {
				return err
			}
			b.old, b.next, b.t = old, old+1, TablesOf(b.p.Name(), old+1)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	create := func() error {
		return r.inBuildTxs(ctx, builds, func(tx *sql.Tx, builds []*newBuild) error {
			for _, b := range builds {
				if err := r.startBuild(ctx, tx, b); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if r.cfg.Dialect != PostgreSQL {
		err := create()
		return func() error { return err }, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		err = create()
	}()
	return func() error {
		<-done
		return err
	}, nil
}

// inBuildTxs runs fn for builds in transactions that need not be durable when they commit
// (inBulkTx): on PostgreSQL one for each build, all at once, each on a connection of its own, so
// that the server's waits overlap (creating a table or an index creates files and syncs the new
// index to the disk: 10–40 ms each on a loaded machine); on SQLite, which has one writer, one for
// all.
func (r *Runner) inBuildTxs(ctx context.Context, builds []*newBuild, fn func(*sql.Tx, []*newBuild) error) error {
	if r.cfg.Dialect != PostgreSQL {
		return inBulkTx(ctx, r.cfg.DB, r.cfg.Dialect, func(tx *sql.Tx) error { return fn(tx, builds) })
	}
	errs := make(chan error, len(builds))
	for _, b := range builds {
		go func() {
			errs <- inBulkTx(ctx, r.cfg.DB, r.cfg.Dialect, func(tx *sql.Tx) error { return fn(tx, []*newBuild{b}) })
		}()
	}
	var err error
	for range builds {
		err = errors.Join(err, <-errs)
	}
	return err
}

// startBuild creates b's tables in tx (see startBuilds), after checking that b.old is still the
// active build.
func (r *Runner) startBuild(ctx context.Context, tx *sql.Tx, b *newBuild) error {
	p := b.p
	if active, _, err := activeBuild(ctx, tx, p.Name()); err != nil {
		return err
	} else if active != b.old {
		return fmt.Errorf("runner: %s: another rebuild activated build %d meanwhile", p.Name(), active)
	}
	if err := dropOthers(ctx, tx, r.cfg.Dialect, p.Name(), b.old); err != nil {
		return err
	}
	b.indexes = b.indexes[:0]
	for _, s := range p.Schema(b.t) {
		if isIndex(s) {
			b.indexes = append(b.indexes, s)
			continue
		}
		if _, err := tx.ExecContext(ctx, r.cfg.Dialect.Schema(s)); err != nil {
			return fmt.Errorf("runner: create tables of %s: %w", b.t, err)
		}
	}
	return saveCheckpoint(ctx, tx, p.Name(), b.next, eventstore.Start)
}

// isIndex reports whether a schema statement creates a non-unique index, which a rebuild builds
// after loading the rows (one sort instead of a tree insert per row).
func isIndex(stmt string) bool {
	f := strings.Fields(stmt)
	return len(f) >= 2 && strings.EqualFold(f[0], "CREATE") && strings.EqualFold(f[1], "INDEX")
}

// union is a filter that selects every event one of ps needs (maybe more).
func union(ps []Projection) eventstore.Filter {
	var f eventstore.Filter
	seen := map[string]bool{}
	for _, p := range ps {
		pf := p.Filter()
		if len(pf.StreamPrefixes) == 0 || len(pf.EventTypes) > 0 {
			return eventstore.Filter{} // not expressible as one filter: read everything
		}
		for _, s := range pf.StreamPrefixes {
			if !seen[s] {
				f.StreamPrefixes = append(f.StreamPrefixes, s)
			}
			seen[s] = true
		}
	}
	return f
}

// bulkAutocheckpoint is how many pages the write-ahead log may hold before a commit of the bulk
// load checkpoints it into the database file (PRAGMA wal_autocheckpoint; SQLite's default is
// 1,000 pages, 4 MiB). Each checkpoint waits for two syncs of the disk, on the bulk load's path;
// fewer, larger ones cost less. Measured with 1,000,000 events: the commits took 1.1–2.1 s of a
// 4.2–5.0 s bulk load at 1,000 pages, 0.56–1.0 s of 3.3–4.0 s at 5,000, 0.49–0.59 s of 4.0–4.2 s
// at 10,000 (whose larger log slows the reads beside it). The log ends at ~25 MiB either way.
const bulkAutocheckpoint = "5000"

// indexCacheSize is the page cache (PRAGMA cache_size: negative is KiB) while a rebuild creates
// its indexes, 64 MiB, used only as far as the sort needs it. Measured: 200,000 timeline entries
// indexed in 0.32 s instead of 0.53 s with SQLite's default of 2 MiB.
const indexCacheSize = "-65536"

// readPage is how many events a rebuild asks the store for at once, and applies as one part of a
// page: each read model in turn goes over the same part while it is still in the CPU's cache,
// instead of over the whole page. Measured with 1,000,000 events: parts of 250 and 500 were
// slower (more statements per event), 1,000 and 2,000 about equal, whole pages of 10,000 ~15 %
// slower. A variable only so that tests can shrink it (export_test.go).
var readPage = 1000

// page is a part of the log read ahead of its application, in parts of up to readPage events.
type page struct {
	parts       []part
	first, last eventstore.Position
	events      int
	err         error
}

// part is a part of a page: its events, the events each filter selects from them (by filterKey),
// and what the read models derived from them ahead of the transaction (their Prepare), to
// Remember.
type part struct {
	events     []eventstore.Event
	selections map[string][]eventstore.Event
	memo       memo
}

// preparePart selects each build's events and lets the read models that are Preparers derive
// what they need from them.
func preparePart(ctx context.Context, builds []*newBuild, events []eventstore.Event) part {
	pt := part{events: events, selections: map[string][]eventstore.Event{}, memo: memo{}}
	mctx := context.WithValue(ctx, memoKey{}, pt.memo)
	for _, b := range builds {
		key := filterKey(b.p.Filter())
		mine, ok := pt.selections[key]
		if !ok {
			mine = selected(b.p.Filter(), events)
			pt.selections[key] = mine
		}
		if pr, ok := b.p.(Preparer); ok && len(mine) > 0 {
			pr.Prepare(mctx, mine)
		}
	}
	return pt
}

// filterKey names a filter, so that builds with the same filter share one selection.
func filterKey(f eventstore.Filter) string {
	return strings.Join(f.StreamPrefixes, "\x00") + "\x01" + strings.Join(f.EventTypes, "\x00")
}

// readAhead reads the log after pos into the returned channel in pages of up to rebuildPage
// events, each part prepared for builds (preparePart), until the log ends, reading fails or ctx
// ends. Reading, preparing and applying (the caller) are three stages with a few parts or pages
// between them, so that whichever has work keeps a core busy while another waits.
func (r *Runner) readAhead(ctx context.Context, builds []*newBuild, filter eventstore.Filter, pos eventstore.Position) <-chan page {
	type read struct {
		events []eventstore.Event
		err    error
	}
	reads := make(chan read, 4)
	go func() {
		defer close(reads)
		for {
			events, err := r.cfg.Store.ReadAll(ctx, eventstore.ReadAllOptions{After: pos, Limit: readPage, Filter: filter})
			select {
			case reads <- read{events, err}:
			case <-ctx.Done():
				return
			}
			if err != nil || len(events) < readPage {
				return
			}
			pos = events[len(events)-1].Position
		}
	}()
	pages := make(chan page, 2)
	go func() {
		defer close(pages)
		var pg page
		send := func() bool {
			select {
			case pages <- pg:
				pg = page{}
				return true
			case <-ctx.Done():
				return false
			}
		}
		for rd := range reads {
			if rd.err != nil {
				pg.err = rd.err
				send()
				return
			}
			if len(rd.events) > 0 {
				if pg.events == 0 {
					pg.first = rd.events[0].Position
				}
				pg.last, pg.events = rd.events[len(rd.events)-1].Position, pg.events+len(rd.events)
				pg.parts = append(pg.parts, preparePart(ctx, builds, rd.events))
			}
			if pg.events >= rebuildPage && !send() {
				return
			}
		}
		if pg.events > 0 {
			send()
		}
	}()
	return pages
}

// bulkLoad applies the pages read ahead (readAhead) to the new builds in log order (see
// pageLoader) and returns the position read up to; nothing runs in the builds' tables before
// tables reports them made.
func (r *Runner) bulkLoad(ctx context.Context, builds []*newBuild, pages <-chan page, tables func() error) (eventstore.Position, error) {
	l, err := newPageLoader(ctx, r, builds, tables)
	if err != nil {
		return eventstore.Start, err
	}
	defer l.close()
	for pg := range pages {
		if pg.err != nil {
			return l.pos, pg.err
		}
		if pg.events == 0 {
			break
		}
		if err := l.load(ctx, pg); err != nil {
			return l.pos, err
		}
	}
	if err := l.finish(ctx); err != nil {
		return l.pos, err
	}
	return l.pos, ctx.Err()
}

// applyPageWithRetry applies a page on pc until it commits: a failed attempt is rolled back whole
// and retried with backoff, never skipped. It gives up only when ctx ends. The page commits
// without waiting for the database to make it durable where the dialect can (bulkPage): the
// new builds are read by nobody until the switch, whose commit waits for everything committed
// before it, and a rebuild interrupted by a crash is not resumed but made again. On a connection
// that pipelines, that setting goes with the page's statements.
func (r *Runner) applyPageWithRetry(ctx context.Context, pc *pageConn, builds []*newBuild, pg page) error {
	wait := r.cfg.Backoff
	for attempt := 1; ; attempt++ {
		err := inPageTx(ctx, pc.db, builds, func(tx *sql.Tx) error {
			pipe := pc.pipes(ctx)
			if q := r.cfg.Dialect.bulkPage(); q != "" && pipe.exec != nil {
				pipe.first = []Statement{{Query: q}}
			} else if err := bulkSetting(ctx, tx, r.cfg.Dialect); err != nil {
				return err
			}
			return applyPage(ctx, tx, builds, pg.parts, pipe)
		})
		if err == nil || ctx.Err() != nil {
			return err
		}
		r.cfg.Logger.Warn("projection rebuild page failed; retrying", "from", pg.first.String(),
			"events", pg.events, "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, r.cfg.MaxBackoff)
	}
}

// inPageTx runs fn in a transaction and puts the builds' last positions back when it fails; the
// builds' pass states are dropped then, as they may hold what the transaction wrote.
func inPageTx(ctx context.Context, db DB, builds []*newBuild, fn func(*sql.Tx) error) error {
	lasts := make([]eventstore.Position, len(builds))
	for i, b := range builds {
		lasts[i] = b.last
	}
	err := inTx(ctx, db, fn)
	if err != nil {
		for i, b := range builds {
			b.last, b.pass = lasts[i], nil
		}
	}
	return err
}

// applyPage applies a prepared page inside tx: part by part, to each build the events its filter
// selects, with what the read models derived from the part to Remember, each build's pass
// state, and statements prepared once for the page (queued for pipe.exec after pipe.first, and
// new rows copied with pipe.copy, where they are not nil); then it saves every build's checkpoint.
func applyPage(ctx context.Context, tx *sql.Tx, builds []*newBuild, parts []part, pipe pipes) (err error) {
	ctx, stmts, closeStmts := withStmtCache(ctx, tx, pipe)
	defer func() { err = errors.Join(err, closeStmts()) }()
	if err := applyParts(ctx, tx, builds, parts); err != nil {
		return err
	}
	if pipe.exec != nil {
		// The checkpoints go with the page's last statements: one round trip.
		for _, b := range builds {
			stmts.queue = append(stmts.queue, checkpointStatement(b.p.Name(), b.next, b.last))
		}
		if err := stmts.flush(); err != nil {
			return fmt.Errorf("runner: rebuild page: %w", err)
		}
		return nil
	}
	for _, b := range builds {
		if err := saveCheckpoint(ctx, tx, b.p.Name(), b.next, b.last); err != nil {
			return err
		}
	}
	return nil
}

// applyParts applies the parts of a page inside tx: part by part, to each build the events its
// filter selects, with what the read models derived from the part to Remember and each build's
// pass state.
func applyParts(ctx context.Context, tx *sql.Tx, builds []*newBuild, parts []part) error {
	for _, pt := range parts {
		mctx := context.WithValue(ctx, memoKey{}, pt.memo)
		for _, b := range builds {
			mine := pt.selections[filterKey(b.p.Filter())]
			if len(mine) == 0 {
				continue
			}
			if err := applyInOrder(withPass(mctx, b.pass), tx, b.p, b.t, b.last, mine); err != nil {
				return err
			}
			b.last = mine[len(mine)-1].Position
		}
	}
	return nil
}

// selected returns the events f selects: events itself when it selects all.
func selected(f eventstore.Filter, events []eventstore.Event) []eventstore.Event {
	for i, e := range events {
		if f.Matches(e.Stream, e.Type) {
			continue
		}
		mine := append(make([]eventstore.Event, 0, len(events)), events[:i]...)
		for _, e := range events[i+1:] {
			if f.Matches(e.Stream, e.Type) {
				mine = append(mine, e)
			}
		}
		return mine
	}
	return events
}

// switchTo applies what the new builds still lack and activates them, in one transaction.
func (r *Runner) switchTo(ctx context.Context, builds []*newBuild, filter eventstore.Filter, pos eventstore.Position) error {
	err := inPageTx(ctx, r.cfg.DB, builds, func(tx *sql.Tx) error {
		for _, b := range builds {
			if active, _, err := activeBuild(ctx, tx, b.p.Name()); err != nil {
				return err
			} else if active != b.old {
				return fmt.Errorf("runner: %s: another rebuild activated build %d meanwhile", b.p.Name(), active)
			}
		}
		for {
			events, err := r.cfg.Store.ReadAll(ctx, eventstore.ReadAllOptions{After: pos, Limit: readPage, Filter: filter})
			if err != nil {
				return err
			}
			if len(events) == 0 {
				break
			}
			if err := applyPage(ctx, tx, builds, []part{preparePart(ctx, builds, events)}, pipes{}); err != nil {
				return err
			}
			pos = events[len(events)-1].Position
		}
		for _, b := range builds {
			if err := activate(ctx, tx, b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, b := range builds {
		r.moveTo(b.p.Name(), b.last)
		r.cfg.Logger.Info("projection switched", "projection", b.p.Name(), "build", b.next, "position", b.last.String())
	}
	return r.dropOld(ctx, builds)
}

// activate makes b the active build and forgets the old one's checkpoint; its tables are dropped
// after the switch (dropOld).
func activate(ctx context.Context, tx *sql.Tx, b *newBuild) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO projection_versions (name, active_version, code_version, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET active_version = excluded.active_version, code_version = excluded.code_version, updated_at = excluded.updated_at`,
		b.p.Name(), b.next, b.p.Version(), time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
		return fmt.Errorf("runner: activate %s v%d: %w", b.p.Name(), b.next, err)
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM projection_checkpoints WHERE name = ? AND version = ?`, b.p.Name(), b.old)
	return err
}

// dropOld drops the tables of the builds the switch replaced, which need not hold up the switch
// nor wait for the disk (inBulkTx): on PostgreSQL in one transaction, on SQLite each build in a
// transaction of its own, as each holds the write lock. A build left behind by a crash here is
// dropped by the next rebuild.
func (r *Runner) dropOld(ctx context.Context, builds []*newBuild) error {
	var old []Tables
	for _, b := range builds {
		if b.old != 0 {
			old = append(old, TablesOf(b.p.Name(), b.old))
		}
	}
	drop := func(ts ...Tables) error {
		return inBulkTx(ctx, r.cfg.DB, r.cfg.Dialect, func(tx *sql.Tx) error {
			for _, t := range ts {
				if err := dropBuild(ctx, tx, r.cfg.Dialect, t); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if r.cfg.Dialect == PostgreSQL {
		return drop(old...)
	}
	for _, t := range old {
		if err := drop(t); err != nil {
			return err
		}
	}
	return nil
}

// dropOthers drops the tables of every build of the named read model but keep.
func dropOthers(ctx context.Context, tx *sql.Tx, d Dialect, name string, keep int) error {
	prefix := name + "_v"
	rows, err := tx.QueryContext(ctx, d.TablesQuery(), len(prefix), prefix)
	if err != nil {
		return fmt.Errorf("runner: list tables of %s: %w", name, err)
	}
	builds := map[int]bool{}
	for rows.Next() {
		var table string
		if err := rows.Scan(&table); err != nil {
			rows.Close()
			return err
		}
		num, _, ok := strings.Cut(strings.TrimPrefix(table, prefix), "_")
		if n, err := strconv.Atoi(num); ok && err == nil && n != keep {
			builds[n] = true
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for n := range builds {
		if err := dropBuild(ctx, tx, d, TablesOf(name, n)); err != nil {
			return err
		}
	}
	return nil
}

// inBulkTx runs fn in a transaction of a rebuild that need not be durable when it commits
// (bulkSetting): one before the switch, whose tables nobody reads yet and which a crash makes
// the next rebuild start afresh, or one dropping what the next rebuild would drop too. The
// switch's own commit waits for the disk, and with it for every transaction committed before.
func inBulkTx(ctx context.Context, db DB, d Dialect, fn func(*sql.Tx) error) error {
	return inTx(ctx, db, func(tx *sql.Tx) error {
		if err := bulkSetting(ctx, tx, d); err != nil {
			return err
		}
		return fn(tx)
	})
}

// bulkSetting runs the dialect's bulkPage statement in tx, if it has one.
func bulkSetting(ctx context.Context, tx *sql.Tx, d Dialect) error {
	q := d.bulkPage()
	if q == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("runner: %s: %w", q, err)
	}
	return nil
}
