package engine_test

import (
	"errors"
	"testing"

	"github.com/civicflow/civicflow/workflows/engine"
)

// A command ID that comes back with another request (Meta.Request) is refused, also after a
// restart (the request is recorded with the command's events); the same request is a duplicate.
func TestCommandID_reused_with_another_request_is_refused_durably(t *testing.T) {
	h := newHarness(t)
	id := h.open(standard, "Spielplatz")
	m := h.meta(member)
	m.Request = "sha256:aaaa"
	if _, err := h.engine.Do(h.ctx, m, id, engine.NoExpectation, engine.CompleteTask{Task: "define_subject", Evidence: "Vermerk"}); err != nil {
		t.Fatal(err)
	}
	open := h.meta(lead)
	open.Request = "sha256:open"
	opened, err := h.engine.Open(h.ctx, open, engine.OpenProcess{Template: standard, Title: "Radweg"})
	if err != nil {
		t.Fatal(err)
	}
	for _, restarted := range []bool{false, true} {
		if restarted {
			h.engine = newEngine(t, h) // nothing cached: only the log remembers
		}
		before := len(events(t, h, id))
		other := m
		other.Request = "sha256:bbbb"
		_, err := h.engine.Do(h.ctx, other, id, engine.NoExpectation, engine.CompleteTask{Task: "define_subject", Evidence: "anderer Vermerk"})
		var reused *engine.IdempotencyKeyError
		if !errors.As(err, &reused) || !errors.Is(err, engine.ErrIdempotencyKeyReused) {
			t.Fatalf("restarted=%v: another request under the same command ID: %v", restarted, err)
		}
		if after := len(events(t, h, id)); after != before {
			t.Fatalf("restarted=%v: %d events written", restarted, after-before)
		}
		again, err := h.engine.Do(h.ctx, m, id, engine.NoExpectation, engine.CompleteTask{Task: "define_subject", Evidence: "Vermerk"})
		if err != nil || !again.Duplicate {
			t.Fatalf("restarted=%v: the same request again: %+v %v", restarted, again, err)
		}
		otherOpen := open
		otherOpen.Request = "sha256:other-open"
		if _, err := h.engine.Open(h.ctx, otherOpen, engine.OpenProcess{Template: standard, Title: "Fußweg"}); !errors.Is(err, engine.ErrIdempotencyKeyReused) {
			t.Fatalf("restarted=%v: another open under the same command ID: %v", restarted, err)
		}
		if res, err := h.engine.Open(h.ctx, open, engine.OpenProcess{Template: standard, Title: "Radweg"}); err != nil || !res.Duplicate || res.Process != opened.Process {
			t.Fatalf("restarted=%v: the same open again: %+v %v", restarted, res, err)
		}
	}
	t.Run("a_caller_without_a_request_is_not_compared", func(t *testing.T) {
		plain := m
		plain.Request = ""
		if res, err := h.engine.Do(h.ctx, plain, id, engine.NoExpectation, engine.Advance{}); err != nil || !res.Duplicate {
			t.Fatalf("%+v %v", res, err)
		}
	})
}
