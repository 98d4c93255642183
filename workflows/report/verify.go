package report

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/seal"
)

// Verify checks a report on its own, without the database: the seal's signature with verifier
// (nil: not checked, and said so), every evidence record against its chain hash and its
// predecessor, the process's stream complete from version 1, every inclusion proof against the
// seal's root, and that the content is exactly what its evidence derives. Events after the seal
// are checked by their chain only and counted as Unsealed, not as problems: whoever relies on a
// report decides whether that is enough. Every problem names what and where.
func Verify(r *Report, verifier note.Verifier) Verification {
	v := verification{}
	if r.Format != Format {
		v.problem("format %q is not %q", r.Format, Format)
		return v.result()
	}
	head, sealed := v.head(r.Seal, verifier)
	m := v.evidence(r.Evidence, head, sealed)
	if len(v.Problems) == 0 {
		v.content(r.Content, m)
	}
	return v.result()
}

type verification struct{ Verification }

func (v *verification) problem(format string, args ...any) {
	v.Problems = append(v.Problems, fmt.Sprintf(format, args...))
}

func (v *verification) result() Verification {
	v.OK = len(v.Problems) == 0
	return v.Verification
}

// head opens the seal: with the verifier when there is one, else only parsed.
func (v *verification) head(s *Seal, verifier note.Verifier) (seal.Head, bool) {
	if s == nil {
		return seal.Head{}, false
	}
	var h seal.Head
	var err error
	if verifier != nil {
		h, err = seal.OpenHead([]byte(s.Signed), verifier)
		v.Key = verifier.Name()
	} else {
		h, err = seal.ReadHead([]byte(s.Signed))
	}
	if err != nil {
		v.problem("seal: the signed tree head does not verify: %v", err)
		return seal.Head{}, false
	}
	if h.Size != s.Size || hex.EncodeToString(h.Root[:]) != s.Root || !h.Time.Equal(s.Time) {
		v.problem("seal: size, root or time differ from the signed tree head")
	}
	return h, true
}

// evidence checks every record and proof and returns the events they hold.
func (v *verification) evidence(all []Evidence, head seal.Head, sealed bool) Material {
	var m Material
	last := map[string]eventstore.Event{}
	for i, e := range all {
		where := fmt.Sprintf("evidence %d (%s version %d)", i+1, e.Stream, e.Version)
		ev, ok := v.record(where, e)
		if !ok {
			continue
		}
		v.Events++
		if before, seen := last[ev.Stream]; seen && before.Version+1 == ev.Version && before.Hash.String() != e.Prev {
			v.problem("%s: its predecessor's hash is not the one before it in the report: the chain is broken", where)
		}
		last[ev.Stream] = ev
		switch {
		case strings.HasPrefix(ev.Stream, "process-"):
			if len(m.Process) > 0 && m.Process[0].Stream != ev.Stream || int64(len(m.Process))+1 != ev.Version {
				v.problem("%s: the process's events are not complete and in order from version 1", where)
			}
			if ev.Version == 1 && e.Prev != (eventstore.Hash{}).String() {
				v.problem("%s: the first event of a stream chains from zero", where)
			}
			m.Process = append(m.Process, ev)
		case strings.HasPrefix(ev.Stream, "template-"):
			m.Templates = append(m.Templates, ev)
		case strings.HasPrefix(ev.Stream, "person-") && ev.Type == engine.TypePersonErased:
			m.Erasures = append(m.Erasures, ev)
		default:
			v.problem("%s: not an event a report is made of", where)
		}
		if sealed {
			v.proof(where, e, ev, head)
		}
	}
	v.Unsealed = v.Events - v.Sealed
	if len(m.Process) == 0 && len(v.Problems) == 0 {
		v.problem("evidence: no events of the process")
	}
	return m
}

// record decodes one evidence record and checks it against its chain hash.
func (v *verification) record(where string, e Evidence) (eventstore.Event, bool) {
	ev, err := eventstore.DecodeRecord(e.Record)
	if err != nil {
		v.problem("%s: the record is damaged: %v", where, err)
		return ev, false
	}
	pos, err := eventstore.ParsePosition(e.Position)
	if err != nil || pos.Commit() == 0 {
		v.problem("%s: bad position %q", where, e.Position)
		return ev, false
	}
	prev, err1 := parseHash(e.Prev)
	hash, err2 := parseHash(e.Hash)
	if err1 != nil || err2 != nil {
		v.problem("%s: a hash is not 64 hexadecimal digits", where)
		return ev, false
	}
	if ev.Stream != e.Stream || ev.Version != e.Version {
		v.problem("%s: the record is of %s version %d", where, ev.Stream, ev.Version)
		return ev, false
	}
	if eventstore.ChainHash(prev, e.Record) != hash {
		v.problem("%s: the record does not match its chain hash: the event was changed", where)
		return ev, false
	}
	ev.Position, ev.Hash = pos, hash
	return ev, true
}

// proof checks that the event is a leaf of the sealed tree, or counts it as not yet sealed.
func (v *verification) proof(where string, e Evidence, ev eventstore.Event, head seal.Head) {
	leaf := int64(ev.Position.Commit()) - 1
	if leaf >= head.Size {
		if len(e.Proof) > 0 {
			v.problem("%s: a proof for an event the seal does not cover", where)
		}
		return
	}
	proof := make(tlog.RecordProof, 0, len(e.Proof))
	for _, s := range e.Proof {
		h, err := parseHash(s)
		if err != nil {
			v.problem("%s: the inclusion proof is damaged", where)
			return
		}
		proof = append(proof, tlog.Hash(h))
	}
	if err := tlog.CheckRecord(proof, head.Size, head.Root, leaf, tlog.RecordHash(seal.LeafData(ev))); err != nil {
		v.problem("%s: not included in the sealed log of %d events: %v", where, head.Size, err)
		return
	}
	v.Sealed++
}

// content derives the content from the evidence again and compares it, section by section.
func (v *verification) content(got Content, m Material) {
	want, err := Derive(m, got.AsOf)
	if err != nil {
		v.problem("content: the evidence does not derive a report: %v", err)
		return
	}
	for _, s := range []struct {
		name      string
		got, want any
	}{
		{"process", got.Process, want.Process}, {"templates", got.Templates, want.Templates},
		{"stages", got.Stages, want.Stages}, {"deadlines", got.Deadlines, want.Deadlines}, {"periods", got.Periods, want.Periods},
		{"approvals", got.Approvals, want.Approvals}, {"decisions", got.Decisions, want.Decisions},
		{"participants", got.Participants, want.Participants}, {"erasures", got.Erasures, want.Erasures},
		{"timeline", got.Timeline, want.Timeline}, {"evaluation", got.Evaluation, want.Evaluation},
	} {
		switch row := differs(s.got, s.want); {
		case row > 0:
			v.problem("%s, row %d: does not match what the evidence says", s.name, row)
		case row == 0:
			v.problem("%s: does not match what the evidence says", s.name)
		}
	}
}

// differs compares two sections as JSON: -1 when equal, else the first differing row of a list
// (from 1), or 0.
func differs(got, want any) int {
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(want)
	if bytes.Equal(a, b) {
		return -1
	}
	var rowsA, rowsB []json.RawMessage
	if json.Unmarshal(a, &rowsA) != nil || json.Unmarshal(b, &rowsB) != nil {
		return 0
	}
	for i := range max(len(rowsA), len(rowsB)) {
		if i >= len(rowsA) || i >= len(rowsB) || !bytes.Equal(rowsA[i], rowsB[i]) {
			return i + 1
		}
	}
	return 0
}

func parseHash(s string) (eventstore.Hash, error) {
	var h eventstore.Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("report: bad hash %q", s)
	}
	copy(h[:], b)
	return h, nil
}
