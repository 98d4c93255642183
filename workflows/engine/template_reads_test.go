package engine_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/gate"
)

// templateReads counts the reads of template streams through the store.
type templateReads struct {
	eventstore.Store
	n atomic.Int64
}

func (s *templateReads) ReadStream(ctx context.Context, stream string, opts eventstore.ReadStreamOptions) ([]eventstore.Event, error) {
	if strings.HasPrefix(stream, "template-") {
		s.n.Add(1)
	}
	return s.Store.ReadStream(ctx, stream, opts)
}

// A command takes its process's published template version from the cache once it was read:
// the version never changes, so its stream is not read again for every command (issue 16).
func TestCommands_read_a_published_template_version_once(t *testing.T) {
	h := newHarness(t)
	g, err := gate.New()
	if err != nil {
		t.Fatal(err)
	}
	reads := &templateReads{Store: h.store}
	eng, err := engine.New(engine.Config{Store: reads, Vault: h.store.Vault(), Gates: g, Clock: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	h.engine = eng // the harness published the seed templates
	id := h.open("beteiligung-standard", "Radweg")
	h.do(lead, id, &engine.RecordContribution{Topic: "Radweg", Text: "eins"})
	before := reads.n.Load()
	for range 20 {
		h.do(lead, id, &engine.RecordContribution{Topic: "Radweg", Text: "noch eins"})
	}
	if got := reads.n.Load() - before; got != 0 {
		t.Fatalf("20 commands read the template's stream %d times; want 0 (the version is cached)", got)
	}
	if got := h.state(id).Contributions; got != 21 {
		t.Fatalf("contributions = %d, want 21", got)
	}
}
