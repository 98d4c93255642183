package lease

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// shared runs the leases on PostgreSQL: connect, hold what can be taken, and after the
// connection failed, begin again (every lease was lost with the session).
func (m *Manager) shared(ctx context.Context) error {
	scope := hash32("civicflow/" + m.cfg.Scope)
	for {
		conn, err := m.connect(ctx)
		if err == nil {
			err = m.hold(ctx, conn, scope)
		}
		if ctx.Err() != nil {
			return nil
		}
		m.cfg.Logger.Warn("lease: no session with PostgreSQL; every lease of this instance is released, trying again", "instance", m.cfg.Instance, "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(m.cfg.Interval):
		}
	}
}

// connect opens the lease session: a connection of its own, named in pg_stat_activity, whose TCP
// keepalive lets the server end it (and release its locks) about 8 s after this machine or its
// network fails. A dead process's socket is closed by its kernel, which ends the session at once.
func (m *Manager) connect(ctx context.Context) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(m.cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("lease: URL: %w", err)
	}
	for k, v := range map[string]string{"application_name": "civicflow lease " + m.cfg.Instance,
		"tcp_keepalives_idle": "5", "tcp_keepalives_interval": "1", "tcp_keepalives_count": "3"} {
		cfg.RuntimeParams[k] = v
	}
	cctx, cancel := context.WithTimeout(ctx, max(5*time.Second, m.cfg.Interval))
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("lease: connect: %w", err)
	}
	return conn, nil
}

// hold runs rounds every Interval/2 on conn until ctx ends (then the works stop and the leases are
// released) or a round fails (then the works stop: the session and its locks are gone, or soon
// will be, and nothing is done under them any more).
func (m *Manager) hold(ctx context.Context, conn *pgx.Conn, scope int32) error {
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), m.cfg.Interval)
		defer cancel()
		conn.Close(cctx)
	}()
	tick := time.NewTicker(m.cfg.Interval / 2)
	defer tick.Stop()
	for {
		if err := m.round(ctx, conn, scope); err != nil && ctx.Err() == nil {
			m.stopAll(ErrLost)
			return err
		}
		select {
		case <-ctx.Done():
			m.stopAll(context.Cause(ctx))
			rctx, cancel := context.WithTimeout(context.Background(), m.cfg.Interval)
			defer cancel()
			_, err := conn.Exec(rctx, `SELECT pg_advisory_unlock_all()`) // else closing the session releases them
			return err
		case <-tick.C:
		}
	}
}

// round releases the leases whose work failed, tries to take those it lacks (which checks the
// session too), and starts the works whose grace has passed. A round trip slower than Interval
// fails it.
func (m *Manager) round(ctx context.Context, conn *pgx.Conn, scope int32) error {
	now := time.Now()
	var release, want []int32
	for _, l := range m.leases {
		if m.reap(l, now) {
			release = append(release, l.key)
			l.taken = false
		}
		if !l.taken && !now.Before(l.after) {
			want = append(want, l.key)
		}
	}
	qctx, cancel := context.WithTimeout(ctx, m.cfg.Interval)
	defer cancel()
	if len(release) > 0 {
		if _, err := conn.Exec(qctx, `SELECT pg_advisory_unlock($1, k) FROM unnest($2::int4[]) k`, scope, release); err != nil {
			return fmt.Errorf("lease: release: %w", err)
		}
	}
	got, err := m.try(qctx, conn, scope, want)
	if err != nil {
		return err
	}
	for _, l := range m.leases {
		if got[l.key] {
			l.taken, l.start = true, now.Add(2*m.cfg.Interval)
			m.cfg.Logger.Info("lease: taken; the work starts after the grace", "lease", l.name, "instance", m.cfg.Instance, "grace", 2*m.cfg.Interval)
		}
		if l.taken && l.cancel == nil && !now.Before(l.start) {
			m.startWork(ctx, l)
		}
	}
	return nil
}

// try takes the leases of keys that are free, in one round trip; without keys it checks the
// session.
func (m *Manager) try(ctx context.Context, conn *pgx.Conn, scope int32, keys []int32) (map[int32]bool, error) {
	if len(keys) == 0 {
		if err := conn.Ping(ctx); err != nil {
			return nil, fmt.Errorf("lease: check the session: %w", err)
		}
		return nil, nil
	}
	rows, err := conn.Query(ctx, `SELECT k, pg_try_advisory_lock($1, k) FROM unnest($2::int4[]) k`, scope, keys)
	if err != nil {
		return nil, fmt.Errorf("lease: take: %w", err)
	}
	got := map[int32]bool{}
	var k int32
	var ok bool
	_, err = pgx.ForEachRow(rows, []any{&k, &ok}, func() error {
		got[k] = ok
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lease: take: %w", err)
	}
	return got, nil
}
