package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// The model of the event log for porcupine: its state is the global log as text, one line
// "stream id" per event in position order (a string, so that states compare with ==).

type opKind int

const (
	opAppend opKind = iota
	opReadStream
	opReadAll
)

// logInput is an operation: an append of one event with an expected version (-1: Any), or a read.
type logInput struct {
	kind     opKind
	stream   string
	expected int64
	id       string
}

// logOutput is its answer: an append's result or conflict (with the actual version), a read's
// event IDs in order, as "stream id" lines.
type logOutput struct {
	conflict bool
	version  int64
	position uint64
	actual   int64
	events   string
}

func streamEvents(log, stream string) (lines []string) {
	for _, l := range strings.Split(log, "\n") {
		if strings.HasPrefix(l, stream+" ") {
			lines = append(lines, l)
		}
	}
	return lines
}

// logModel is the sequential specification: an append with a matching (or Any) expected version
// adds the event at the next version and the next global position, else it is a conflict naming
// the stream's version; a stream read returns the stream's events, a global read every event, in
// order.
var logModel = porcupine.Model{
	Init: func() any { return "" },
	Step: func(state, input, output any) (bool, any) {
		log, in, out := state.(string), input.(logInput), output.(logOutput)
		switch in.kind {
		case opAppend:
			version := int64(len(streamEvents(log, in.stream)))
			if in.expected >= 0 && in.expected != version {
				return out.conflict && out.actual == version, log
			}
			size := uint64(strings.Count(log, "\n"))
			ok := !out.conflict && out.version == version+1 && out.position == size+1
			return ok, log + in.stream + " " + in.id + "\n"
		case opReadStream:
			return out.events == strings.Join(streamEvents(log, in.stream), "\n"), log
		default:
			return out.events == strings.TrimSuffix(log, "\n"), log
		}
	},
	DescribeOperation: func(input, output any) string {
		in, out := input.(logInput), output.(logOutput)
		switch in.kind {
		case opAppend:
			return fmt.Sprintf("append %s@%d %s -> v%d p%d conflict=%v(%d)", in.stream, in.expected, in.id, out.version, out.position, out.conflict, out.actual)
		case opReadStream:
			return fmt.Sprintf("read %s -> %q", in.stream, out.events)
		}
		return fmt.Sprintf("read all -> %q", out.events)
	},
}

// RunLinearizable checks with porcupine that the store behaves as one atomic log: clients append
// to two streams with expected versions (often stale, so some conflict) and read the streams and
// the global log concurrently; the recorded history of calls, answers and their times must have
// a sequential order, within each operation's interval, that the model accepts (versions, global
// positions contiguous from 1 and every read's events). newStores returns one or more stores on
// one empty log (several: as several instances share one database); client i uses store i mod n.
func RunLinearizable(t *testing.T, newStores func(t *testing.T) []eventstore.Store) {
	t.Run("model_refuses_a_read_that_misses_a_completed_append", func(t *testing.T) {
		history := []porcupine.Operation{
			{ClientId: 0, Input: logInput{kind: opAppend, stream: "a", expected: 0, id: "e1"}, Call: 0, Output: logOutput{version: 1, position: 1}, Return: 10},
			{ClientId: 1, Input: logInput{kind: opReadAll}, Call: 20, Output: logOutput{events: ""}, Return: 30},
		}
		if porcupine.CheckOperations(logModel, history) {
			t.Fatal("the model accepts a stale read after a completed append: the check could not fail")
		}
	})
	for round := range 3 {
		t.Run(fmt.Sprintf("concurrent_appends_and_reads_%d", round), func(t *testing.T) {
			history := recordHistory(t, newStores(t), 6, 14)
			appended := 0
			for _, op := range history {
				if in, out := op.Input.(logInput), op.Output.(logOutput); in.kind == opAppend && !out.conflict {
					appended++
				}
			}
			if appended < 5 {
				t.Fatalf("only %d of %d operations appended: the history tests little", appended, len(history))
			}
			res, info := porcupine.CheckOperationsVerbose(logModel, history, 60*time.Second)
			if res != porcupine.Ok {
				path := t.TempDir() + "/history.html"
				_ = porcupine.VisualizePath(logModel, info, path)
				t.Fatalf("the history of %d operations is %v (visualisation: %s)", len(history), res, path)
			}
		})
	}
}

// recordHistory runs clients × ops operations concurrently against the stores and records them.
func recordHistory(t *testing.T, stores []eventstore.Store, clients, ops int) []porcupine.Operation {
	prefix := "lin" + strings.ReplaceAll(uuid.NewString()[:8], "-", "") + "-"
	start := time.Now()
	var mu sync.Mutex
	var history []porcupine.Operation
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), uint64(start.UnixNano())))
			s := stores[c%len(stores)]
			seen := map[string]int64{}
			for range ops {
				in := nextInput(rng, prefix, seen)
				call := time.Since(start).Nanoseconds()
				out, err := apply(ctxFor(t), s, prefix, in, seen)
				ret := time.Since(start).Nanoseconds()
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				history = append(history, porcupine.Operation{ClientId: c, Input: in, Call: call, Output: out, Return: ret})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return history
}

func nextInput(rng *rand.Rand, prefix string, seen map[string]int64) logInput {
	stream := prefix + []string{"a", "b"}[rng.IntN(2)]
	switch r := rng.IntN(10); {
	case r < 5:
		expected := seen[stream]
		if r == 0 {
			expected = -1
		}
		return logInput{kind: opAppend, stream: stream, expected: expected, id: uuid.NewString()[:8]}
	case r < 8:
		return logInput{kind: opReadStream, stream: stream}
	default:
		return logInput{kind: opReadAll}
	}
}

// apply runs one operation; an append's event carries the input's id in its data.
func apply(ctx context.Context, s eventstore.Store, prefix string, in logInput, seen map[string]int64) (logOutput, error) {
	switch in.kind {
	case opAppend:
		exp := eventstore.Any
		if in.expected >= 0 {
			exp = eventstore.Exact(in.expected)
		}
		e := eventstore.EventData{ID: eventstore.NewEventID(), Type: "test.happened", SchemaVersion: 1, Data: fmt.Appendf(nil, `{"id":%q}`, in.id)}
		res, err := s.Append(ctx, in.stream, exp, e)
		var ce *eventstore.ConcurrencyError
		if errors.As(err, &ce) {
			seen[in.stream] = ce.Actual
			return logOutput{conflict: true, actual: ce.Actual}, nil
		}
		if err != nil {
			return logOutput{}, err
		}
		seen[in.stream] = res.Version
		return logOutput{version: res.Version, position: res.Position.Commit()}, nil
	case opReadStream:
		evs, err := s.ReadStream(ctx, in.stream, eventstore.ReadStreamOptions{})
		return logOutput{events: lines(evs)}, err
	}
	evs, err := s.ReadAll(ctx, eventstore.ReadAllOptions{Limit: 10000, Filter: eventstore.Filter{StreamPrefixes: []string{prefix}}})
	return logOutput{events: lines(evs)}, err
}

// lines writes events as the model's "stream id" lines.
func lines(evs []eventstore.Event) string {
	out := make([]string, len(evs))
	for i, e := range evs {
		id := strings.TrimSuffix(strings.TrimPrefix(string(e.Data), `{"id":"`), `"}`)
		out[i] = e.Stream + " " + id
	}
	return strings.Join(slices.Clip(out), "\n")
}
