package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/messaging"
)

// CheckpointFeatures describes the adapter's checkpoints.
type CheckpointFeatures struct {
	// Backwards is the error (errors.Is) of a Save that would move a checkpoint back. Required.
	Backwards error
}

// RunCheckpoints runs the conformance suite of messaging.CheckpointStore: positions saved under
// names, never moved back, bad names refused, concurrent saves keep the furthest.
func RunCheckpoints(t *testing.T, newStore func(t *testing.T) messaging.CheckpointStore, f CheckpointFeatures) {
	if f.Backwards == nil {
		t.Fatal("storetest: CheckpointFeatures.Backwards is required")
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, c messaging.CheckpointStore, f CheckpointFeatures)
	}{
		{"load_start_when_nothing_is_saved", testCheckpointStart},
		{"round_trip_positions_of_one_and_two_parts", testCheckpointRoundTrip},
		{"refuse_to_move_backwards", testCheckpointBackwards},
		{"validate_the_name", testCheckpointName},
		{"concurrent_saves_keep_the_furthest", testCheckpointConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t), f) })
	}
}

func name() string { return "group-" + uuid.NewString() + "/topic" }

func testCheckpointStart(t *testing.T, c messaging.CheckpointStore, _ CheckpointFeatures) {
	if pos, err := c.Load(ctxFor(t), name()); err != nil || pos != eventstore.Start {
		t.Fatalf("Load = %v, %v; want Start", pos, err)
	}
}

func testCheckpointRoundTrip(t *testing.T, c messaging.CheckpointStore, _ CheckpointFeatures) {
	want := map[string]eventstore.Position{
		name():                       eventstore.SequencePosition(42),
		name():                       eventstore.NewPosition(7, 3),
		"projection/α-und-" + name(): eventstore.SequencePosition(1),
		name():                       eventstore.NewPosition(1<<64-1, 1<<64-2),
	}
	for n, pos := range want {
		if err := c.Save(ctxFor(t), n, pos); err != nil {
			t.Fatalf("Save(%q, %v): %v", n, pos, err)
		}
	}
	for n, pos := range want {
		if got, err := c.Load(ctxFor(t), n); err != nil || got != pos {
			t.Errorf("Load(%q) = %v, %v; want %v", n, got, err, pos)
		}
	}
}

func testCheckpointBackwards(t *testing.T, c messaging.CheckpointStore, f CheckpointFeatures) {
	n := name()
	steps := []struct {
		name    string
		pos     eventstore.Position
		refused bool
	}{
		{"first", eventstore.SequencePosition(10), false},
		{"same_again", eventstore.SequencePosition(10), false},
		{"forwards", eventstore.SequencePosition(11), false},
		{"backwards", eventstore.SequencePosition(5), true},
		{"to_the_start", eventstore.Start, true},
		{"same_commit_earlier_prepare", eventstore.NewPosition(11, 10), true},
		{"same_commit_later_prepare", eventstore.NewPosition(11, 12), false},
		{"forwards_after_a_refusal", eventstore.SequencePosition(12), false},
	}
	saved := eventstore.Start
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			err := c.Save(ctxFor(t), n, st.pos)
			switch {
			case !st.refused && err != nil:
				t.Fatal(err)
			case !st.refused:
				saved = st.pos
			case !errors.Is(err, f.Backwards):
				t.Fatalf("Save(%v) over %v = %v; want %v", st.pos, saved, err, f.Backwards)
			case !strings.Contains(err.Error(), saved.String()) || !strings.Contains(err.Error(), st.pos.String()):
				t.Errorf("error %q does not name the saved %v and the given %v", err, saved, st.pos)
			}
			if got, err := c.Load(ctxFor(t), n); err != nil || got != saved {
				t.Fatalf("Load = %v, %v; want %v", got, err, saved)
			}
		})
	}
}

func testCheckpointName(t *testing.T, c messaging.CheckpointStore, _ CheckpointFeatures) {
	cases := []struct{ name, checkpoint string }{
		{"empty", ""},
		{"too_long", strings.Repeat("x", eventstore.MaxCheckpointNameLength+1)},
		{"not_utf8", "group/\xff"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var input *eventstore.InputError
			if err := c.Save(ctxFor(t), tc.checkpoint, eventstore.SequencePosition(1)); !errors.As(err, &input) || input.Field != "checkpoint name" {
				t.Errorf("Save = %v; want an InputError naming the checkpoint name", err)
			}
			if _, err := c.Load(ctxFor(t), tc.checkpoint); !errors.As(err, &input) {
				t.Errorf("Load = %v; want an InputError", err)
			}
		})
	}
	if err := c.Save(ctxFor(t), strings.Repeat("x", eventstore.MaxCheckpointNameLength), eventstore.SequencePosition(1)); err != nil {
		t.Errorf("a name of the longest length: %v", err)
	}
}

func testCheckpointConcurrent(t *testing.T, c messaging.CheckpointStore, f CheckpointFeatures) {
	n := name()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 25 {
				pos := eventstore.SequencePosition(uint64(i*8 + w + 1))
				if err := c.Save(ctxFor(t), n, pos); err != nil && !errors.Is(err, f.Backwards) {
					t.Error(fmt.Errorf("save %v: %w", pos, err))
					return
				}
			}
		})
	}
	wg.Wait()
	if got, err := c.Load(ctxFor(t), n); err != nil || got != eventstore.SequencePosition(200) {
		t.Fatalf("Load = %v, %v; want the furthest, 200", got, err)
	}
}
