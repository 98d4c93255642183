package report

import (
	"context"
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/programme"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/seal"
)

// ProgrammeFormat names the JSON form of a programme's report; VerifyProgramme refuses any other.
const ProgrammeFormat = "civicflow programme audit report v1"

// WithheldNote says in the report what it leaves out and what its offline check then covers.
const WithheldNote = "Anwesenheitsereignisse nennen Personen-IDs, Ereignisse der Standorte deren Benutzer:innen: ihr Datensatz fehlt im Bericht, " +
	"es stehen nur Position, Vorgänger-Hash und Ketten-Hash darin, als Urheber nur der Mandant; die Prüfung deckt sie über die Hash-Kette und die " +
	"Siegel-Nachweise ab, nicht ihren Inhalt. Anwesenheit erscheint nur als Zahl je Standort. / " +
	"Attendance events name person IDs, the member sites' events their users: their record is left out, only position, previous hash and chain " +
	"hash are given, and as author only the tenant; the offline check covers them through the hash chain and the seal's inclusion proofs, " +
	"not their content. Attendance appears only as a count per site."

// ProgrammeReport is a programme's audit report: what the programme is, its member sites with
// their stage and figures, its shared sessions with attendance counted per site, its indicators,
// its events told as sentences, and the evidence of its stream. It holds no personal data and no
// person IDs (see WithheldNote).
type ProgrammeReport struct {
	Format      string    `json:"format"`
	RequestedBy string    `json:"requested_by,omitempty"`
	AsOf        time.Time `json:"as_of"`
	// Programme is the programme as its coordinators see it (engine.ProgrammeView); derived from
	// the member processes' streams too, so the offline check does not cover it.
	Programme engine.ProgrammeView `json:"programme"`
	// Timeline tells the programme stream's events; VerifyProgramme derives it again.
	Timeline []Entry `json:"timeline"`
	Withheld string  `json:"withheld"`
	Seal     *Seal   `json:"seal,omitempty"`
	// Evidence is every event of the programme's stream, from version 1.
	Evidence     []ProgrammeEvidence `json:"evidence"`
	Verification Verification        `json:"verification"`
}

// ProgrammeEvidence is one event of the programme's stream; Withheld ones have no Record.
type ProgrammeEvidence struct {
	Evidence
	Withheld bool `json:"withheld,omitempty"`
}

// withholds reports whether a report of the programme of the coordinating tenant leaves an
// event's record out: attendance and feedback name person IDs (feedback also carries sealed
// text), a member site's event its users.
func withholds(ev eventstore.Event, tenant string) bool {
	return ev.Type == programme.AttendanceRecorded{}.Type() || ev.Type == programme.FeedbackGiven{}.Type() || ev.Metadata.Tenant != tenant
}

// BuildProgramme makes the audit report of a programme whose view the caller loaded (and so
// decided who may read it): it reads the programme's stream, tells its events, adds the evidence
// with inclusion proofs in the latest seal and verifies the whole with verifier (nil: the seal's
// signature is not checked).
func BuildProgramme(ctx context.Context, src Sources, view engine.ProgrammeView, asOf time.Time, verifier note.Verifier) (*ProgrammeReport, error) {
	events, err := readAll(ctx, src.Store, engine.ProgrammeStreamOf(view.ID))
	if err != nil {
		return nil, err
	}
	r := &ProgrammeReport{Format: ProgrammeFormat, AsOf: asOf.UTC(), Programme: view, Withheld: WithheldNote, Timeline: []Entry{}}
	var head seal.Head
	if r.Seal, head, err = latestSeal(ctx, src.Heads); err != nil {
		return nil, err
	}
	prev := eventstore.Hash{}
	for _, ev := range events {
		entry, err := programmeEntry(ev, view.Tenant)
		if err != nil {
			return nil, err
		}
		e, err := evidence(src.Hashes, ev, prev, head)
		if err != nil {
			return nil, err
		}
		pe := ProgrammeEvidence{Evidence: e}
		if withholds(ev, view.Tenant) {
			pe.Record, pe.Withheld = nil, true
		}
		r.Timeline, r.Evidence, prev = append(r.Timeline, entry), append(r.Evidence, pe), ev.Hash
	}
	r.Verification = VerifyProgramme(r, verifier)
	return r, nil
}

// programmeEntry tells one programme event in German and English, without person IDs; a member
// site's event names its tenant as the actor, not its user.
func programmeEntry(ev eventstore.Event, tenant string) (Entry, error) {
	payload, err := programme.Decode(ev.Type, ev.SchemaVersion, ev.Data)
	if err != nil {
		return Entry{}, fmt.Errorf("report: %s v%d: %w", ev.Stream, ev.Version, err)
	}
	de, en := programmeSentence(payload)
	actor := ev.Metadata.Actor
	if ev.Metadata.Tenant != tenant {
		actor = ev.Metadata.Tenant
	}
	return Entry{Version: ev.Version, Position: ev.Position.String(), RecordedAt: ev.RecordedAt.UTC(), Actor: actor,
		Type: ev.Type, De: de, En: en, Hash: ev.Hash.String()}, nil
}

func programmeSentence(p programme.Payload) (string, string) {
	day := func(t time.Time) string { return t.UTC().Format("2006-01-02") }
	switch e := p.(type) {
	case programme.Opened:
		return fmt.Sprintf("Programm „%s“ eröffnet; Koordination %s (Mandant %s), %s bis %s, höchstens %d Standorte.", e.Title, e.Coordinator, e.Tenant, day(e.Start), day(e.End), e.MaxSites),
			fmt.Sprintf("Programme “%s” opened; coordinated by %s (tenant %s), %s to %s, at most %d sites.", e.Title, e.Coordinator, e.Tenant, day(e.Start), day(e.End), e.MaxSites)
	case programme.ProcessJoined:
		return fmt.Sprintf("Standort %s (Mandant %s) tritt mit Prozess %s bei.", e.Site, e.Tenant, e.Process),
			fmt.Sprintf("Site %s (tenant %s) joins with process %s.", e.Site, e.Tenant, e.Process)
	case programme.ProcessLeft:
		return fmt.Sprintf("Prozess %s scheidet aus: %s", e.Process, e.Reason), fmt.Sprintf("Process %s leaves: %s", e.Process, e.Reason)
	case programme.SessionScheduled:
		de, en := fmt.Sprintf("Gemeinsame Sitzung %s „%s“ (%s) geplant für %s.", e.Session, e.Title, e.Format, day(e.Date)),
			fmt.Sprintf("Shared session %s “%s” (%s) scheduled for %s.", e.Session, e.Title, e.Format, day(e.Date))
		if e.RRule != "" {
			de, en = de+" Wiederholung: "+e.RRule+".", en+" Recurrence: "+e.RRule+"."
		}
		return de, en
	case programme.SessionHeld:
		return fmt.Sprintf("Gemeinsame Sitzung %s abgehalten.", e.Session), fmt.Sprintf("Shared session %s held.", e.Session)
	case programme.AttendanceRecorded:
		return fmt.Sprintf("Anwesenheit bei Sitzung %s für Mandant %s erfasst: %d Personen.", e.Session, e.Tenant, len(e.Persons)),
			fmt.Sprintf("Attendance at session %s recorded for tenant %s: %d persons.", e.Session, e.Tenant, len(e.Persons))
	case programme.FeedbackGiven:
		text := map[bool][2]string{true: {", mit Text", ", with text"}}[!e.Text.IsZero()]
		return fmt.Sprintf("Rückmeldung zu Sitzung %s für Mandant %s erfasst: %d Bewertungen%s.", e.Session, e.Tenant, len(e.Ratings), text[0]),
			fmt.Sprintf("Feedback on session %s recorded for tenant %s: %d ratings%s.", e.Session, e.Tenant, len(e.Ratings), text[1])
	case programme.IndicatorDeclared:
		i := e.Indicator
		return fmt.Sprintf("Indikator %s („%s“) erklärt: Ausgangswert %g %s, Ziel %g %s.", i.Key, i.Name.De, i.Baseline.Value, i.Unit, i.Target.Value, i.Unit),
			fmt.Sprintf("Indicator %s (“%s”) declared: baseline %g %s, target %g %s.", i.Key, i.Name.En, i.Baseline.Value, i.Unit, i.Target.Value, i.Unit)
	case programme.IndicatorValueRecorded:
		return fmt.Sprintf("Wert %g für Indikator %s vom %s erfasst (Mandant %s, Quelle %s).", e.Value, e.Indicator, day(e.Date), e.Tenant, e.Source),
			fmt.Sprintf("Value %g of indicator %s on %s recorded (tenant %s, source %s).", e.Value, e.Indicator, day(e.Date), e.Tenant, e.Source)
	}
	return "Ereignis " + p.Type(), "Event " + p.Type()
}

// VerifyProgramme checks a programme's report on its own: the seal's signature with verifier
// (nil: not checked), the stream complete from version 1 with each event's previous hash the
// chain hash before it, every included record against its chain hash, every inclusion proof, and
// every timeline entry of an included record derived again from it. Withheld records are covered
// by the chain and the proofs only; the programme view (member figures) is not covered.
func VerifyProgramme(r *ProgrammeReport, verifier note.Verifier) Verification {
	v := verification{}
	if r.Format != ProgrammeFormat {
		v.problem("format %q is not %q", r.Format, ProgrammeFormat)
		return v.result()
	}
	head, sealed := v.head(r.Seal, verifier)
	if len(r.Timeline) != len(r.Evidence) {
		v.problem("timeline: %d entries for %d events", len(r.Timeline), len(r.Evidence))
		return v.result()
	}
	prev := eventstore.Hash{}.String()
	for i, e := range r.Evidence {
		where := fmt.Sprintf("evidence %d (%s v%d)", i, e.Stream, e.Version)
		v.Events++
		if e.Version != int64(i+1) || !strings.HasPrefix(e.Stream, "programme-") || e.Stream != r.Evidence[0].Stream {
			v.problem("%s: not version %d of the programme's stream", where, i+1)
			continue
		}
		if e.Prev != prev {
			v.problem("%s: its previous hash is not the chain hash before it: the chain is broken", where)
		}
		prev = e.Hash
		ev, ok := v.programmeEvent(where, e, r.Timeline[i], r.Programme.Tenant)
		if ok && sealed {
			v.proof(where, e.Evidence, ev, head)
		}
	}
	v.Unsealed = v.Events - v.Sealed
	if len(r.Evidence) == 0 {
		v.problem("evidence: no events of the programme")
	} else if r.Evidence[0].Stream != engine.ProgrammeStreamOf(r.Programme.ID) {
		v.problem("evidence: the stream is not programme %s's", r.Programme.ID)
	}
	return v.result()
}

// programmeEvent checks one event: a withheld one by its hashes and position, an included one by
// its record, and its timeline entry.
func (v *verification) programmeEvent(where string, e ProgrammeEvidence, entry Entry, tenant string) (eventstore.Event, bool) {
	if e.Withheld {
		pos, err := eventstore.ParsePosition(e.Position)
		hash, err2 := parseHash(e.Hash)
		if err != nil || err2 != nil || len(e.Record) > 0 || entry.Hash != e.Hash || entry.Position != e.Position {
			v.problem("%s: a withheld event with a record, a bad position or hash, or an entry of another event", where)
			return eventstore.Event{}, false
		}
		return eventstore.Event{Stream: e.Stream, Version: e.Version, Position: pos, Hash: hash}, true
	}
	ev, ok := v.record(where, e.Evidence)
	if !ok {
		return ev, false
	}
	if withholds(ev, tenant) {
		v.problem("%s: a record that names persons or a site's users is in the report", where)
	}
	want, err := programmeEntry(ev, tenant)
	if err != nil {
		v.problem("%s: %v", where, err)
		return ev, false
	}
	if want != entry {
		v.problem("timeline v%d: does not match its event: %q, not %q", e.Version, entry.En, want.En)
	}
	return ev, true
}
