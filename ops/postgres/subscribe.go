package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// subscribePage is how many events a subscription reads at once.
const subscribePage = 512

// notifier wakes waiting subscribers when the writer commits.
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

func newNotifier() *notifier { return &notifier{ch: make(chan struct{})} }

// wait returns a channel that is closed at the next broadcast.
func (n *notifier) wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}

func (n *notifier) broadcast() {
	n.mu.Lock()
	defer n.mu.Unlock()
	close(n.ch)
	n.ch = make(chan struct{})
}

// Subscribe starts a catch-up subscription; see eventstore.Store. It reads pages of the log after
// its position; when it has caught up it waits for this Store's next commit or another instance's
// announced one (Config.Peers), and polls every PollInterval for commits it was not told of. Positions become visible in order (see the
// package comment), so reading "after the last delivered position" never skips an event.
func (s *Store) Subscribe(ctx context.Context, opts eventstore.SubscribeOptions) (eventstore.Subscription, error) {
	if err := eventstore.ValidateFilter(opts.Filter); err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	return &subscription{store: s, after: opts.After, filter: opts.Filter, stop: make(chan struct{})}, nil
}

type subscription struct {
	store  *Store
	after  eventstore.Position
	filter eventstore.Filter
	buf    []eventstore.Event
	stop   chan struct{}
	once   sync.Once
}

// Next returns the next event, waiting for one to be committed when the history is exhausted.
func (sub *subscription) Next(ctx context.Context) (eventstore.Event, error) {
	poll := time.NewTimer(time.Hour)
	defer poll.Stop()
	for len(sub.buf) == 0 {
		select {
		case <-sub.stop:
			return eventstore.Event{}, eventstore.ErrClosed
		case <-sub.store.quit:
			return eventstore.Event{}, eventstore.ErrClosed
		default:
		}
		woken := sub.store.notify.wait() // before reading, so no commit is missed
		events, err := sub.store.ReadAll(ctx, eventstore.ReadAllOptions{After: sub.after, Limit: subscribePage, Filter: sub.filter})
		if err != nil {
			if ctx.Err() != nil {
				return eventstore.Event{}, ctx.Err()
			}
			return eventstore.Event{}, err
		}
		if len(events) > 0 {
			sub.buf = events
			break
		}
		poll.Reset(sub.store.cfg.PollInterval)
		select {
		case <-ctx.Done():
			return eventstore.Event{}, ctx.Err()
		case <-sub.stop:
			return eventstore.Event{}, eventstore.ErrClosed
		case <-sub.store.quit:
			return eventstore.Event{}, eventstore.ErrClosed
		case <-woken:
		case <-poll.C:
		}
	}
	e := sub.buf[0]
	sub.buf = sub.buf[1:]
	sub.after = e.Position
	return e, nil
}

// Close ends the subscription.
func (sub *subscription) Close() error {
	sub.once.Do(func() { close(sub.stop) })
	return nil
}
