package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// ReadStream reads one stream's events; see eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, stream string, opts eventstore.ReadStreamOptions) ([]eventstore.Event, error) {
	if err := eventstore.ValidateReadStream(stream, opts); err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	limit := any(nil) // NULL: no limit
	if opts.Limit > 0 {
		limit = opts.Limit
	}
	q := `SELECT position, record, hash FROM events WHERE stream = $1 AND version >= $2 ORDER BY version LIMIT $3`
	from := opts.From
	if opts.Direction == eventstore.Backwards {
		q = `SELECT position, record, hash FROM events WHERE stream = $1 AND version <= $2 ORDER BY version DESC LIMIT $3`
		if from == 0 {
			from = 1<<62 - 1
		}
	}
	rows, err := s.pool.Query(ctx, q, stream, from, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: read stream %q: %w", stream, err)
	}
	return rowsOf(rows, opts.Limit)
}

// ReadAll reads the global log; see eventstore.Store.
func (s *Store) ReadAll(ctx context.Context, opts eventstore.ReadAllOptions) ([]eventstore.Event, error) {
	if err := eventstore.ValidateReadAll(opts); err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	limit := opts.Limit
	if limit == 0 {
		limit = eventstore.DefaultReadAllLimit
	}
	q, args := readAllQuery(opts, limit)
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: read all: %w", err)
	}
	return rowsOf(rows, limit)
}

// readAllQuery is the query of one page of the global log. Whole categories (prefixes with one
// "-", at the end) seek the index events_category_position, several merged in position order by
// the planner's Merge Append; other prefixes compare names.
func readAllQuery(opts eventstore.ReadAllOptions, limit int) (string, []any) {
	args := []any{int64(opts.After.Commit()), limit}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	types := ""
	if len(opts.Filter.EventTypes) > 0 {
		types = ` AND type = ANY(` + arg(opts.Filter.EventTypes) + `)`
	}
	page := func(where string) string {
		return `SELECT position, record, hash FROM events WHERE position > $1` + where + types + ` ORDER BY position LIMIT $2`
	}
	prefixes := opts.Filter.StreamPrefixes
	if isCategories(prefixes) {
		parts := make([]string, len(prefixes))
		for i, c := range prefixes {
			parts[i] = `(` + page(` AND category = `+arg(c)) + `)`
		}
		if len(parts) == 1 {
			return parts[0], args
		}
		return strings.Join(parts, ` UNION ALL `) + ` ORDER BY position LIMIT $2`, args
	}
	where := ""
	if len(prefixes) > 0 {
		conds := make([]string, len(prefixes))
		for i, p := range prefixes {
			conds[i] = `starts_with(stream, ` + arg(p) + `)`
		}
		where = ` AND (` + strings.Join(conds, ` OR `) + `)`
	}
	return page(where), args
}

// isCategories reports whether every prefix is a whole category ("token-").
func isCategories(prefixes []string) bool {
	if len(prefixes) == 0 {
		return false
	}
	for _, p := range prefixes {
		if strings.IndexByte(p, '-') != len(p)-1 {
			return false
		}
	}
	return true
}
