package report_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/gate"
	"github.com/civicflow/civicflow/workflows/report"
	"github.com/civicflow/civicflow/workflows/seal"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(days int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Duration(days) * 24 * time.Hour)
}

var (
	admin  = process.Actor{User: "ines", Tenant: "leipzig", Role: "administrator"}
	lead   = process.Actor{User: "anna", Tenant: "leipzig", Role: "lead"}
	member = process.Actor{User: "ben", Tenant: "leipzig", Role: "member"}
)

// fixture is a store with one process of the standard template that met the tender's target,
// missed the conception's and is overdue in execution, with an approval, a decision and an
// erased participant, sealed.
type fixture struct {
	t        *testing.T
	ctx      context.Context
	store    *sqlite.Store
	engine   *engine.Engine
	clock    *clock
	id       uuid.UUID
	sealer   *seal.Sealer
	verifier note.Verifier
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), clock: &clock{now: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)}}
	var err error
	f.store, err = sqlite.New(f.ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "db"), Clock: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.store.Close() })
	g, _ := gate.New()
	f.engine, err = engine.New(engine.Config{Store: f.store, Vault: f.store.Vault(), Gates: g, Clock: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.engine.PublishSeeds(f.ctx, process.Meta{Actor: process.Actor{User: "root", Tenant: "*", Role: "administrator", Installation: true}}); err != nil {
		t.Fatal(err)
	}
	skey, vkey, _ := seal.GenerateKey("civicflow-test")
	signer, _ := note.NewSigner(skey)
	f.verifier, _ = note.NewVerifier(vkey)
	f.sealer, err = seal.New(seal.Config{Store: f.store, Tiles: f.store.MerkleTiles(), Seals: f.store.Seals(), Signer: signer, Clock: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.engine.Open(f.ctx, process.Meta{Actor: lead, CommandID: "open"}, engine.OpenProcess{Template: "beteiligung-standard", Title: "Radweg Karl-Heine-Straße"})
	if err != nil {
		t.Fatal(err)
	}
	f.id = res.Process
	for _, task := range []string{"define_subject", "choose_facilitation", "publish_call", "select_team"} {
		f.do(member, engine.CompleteTask{Task: task, Evidence: "Akte"})
	}
	f.clock.advance(31) // target 42: met
	f.do(lead, engine.Advance{})
	for _, task := range []string{"stakeholder_analysis", "choose_formats", "schedule_budget"} {
		f.do(member, engine.CompleteTask{Task: task, Evidence: "Akte"})
	}
	f.do(admin, engine.GrantApproval{Approval: "department_head", Note: "passt"})
	f.clock.advance(70) // target 56: missed
	f.do(lead, engine.Advance{})
	f.do(member, engine.RegisterParticipant{Participant: "t1", Person: "7f3c1a2e-0000-4000-8000-000000007731", Group: "citizens", Name: "Waltraud Quastenberg", Email: "waltraud.quastenberg@example.org"})
	f.do(member, engine.RegisterParticipant{Participant: "t2", Person: "7f3c1a2e-0000-4000-8000-000000007732", Group: "business", Name: "Kuno Brettschneider"})
	f.do(lead, engine.RecordDecision{Subject: "Radweg auf der Fahrbahn", Model: "majority", Outcome: "angenommen", Votes: &process.Votes{Yes: 12, No: 3, Abstain: 1}})
	f.do(lead, engine.DefineMeasure{Measure: "m1", Title: "Radweg markieren"})
	f.do(lead, engine.ReportProgress{Measure: "m1", Progress: 30, Status: "in_progress"})
	f.clock.advance(2)
	if err := f.engine.ErasePerson(f.ctx, process.Meta{Actor: admin, CommandID: "erase"}, "7f3c1a2e-0000-4000-8000-000000007731"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.sealer.Seal(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.clock.advance(100) // execution (target 90) is overdue by now
	return f
}

func (f *fixture) do(a process.Actor, cmd engine.Command) {
	f.t.Helper()
	if _, err := f.engine.Do(f.ctx, process.Meta{Actor: a, CommandID: uuid.NewString()}, f.id, engine.NoExpectation, cmd); err != nil {
		f.t.Fatalf("%T: %v", cmd, err)
	}
}

func (f *fixture) build() *report.Report {
	f.t.Helper()
	r, err := report.Build(f.ctx, report.Sources{Store: f.store, Heads: f.store.Seals(), Hashes: seal.TileHashes(f.store.MerkleTiles())}, f.id, f.clock.Now(), f.verifier)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

const notice = "gelöscht am 2025-06-14 von administrator (Art. 17 DSGVO) / erased on 2025-06-14 by administrator (Art. 17 GDPR)"

func TestBuild_tells_stages_deadlines_approvals_decisions_and_erasures_and_verifies(t *testing.T) {
	f := newFixture(t)
	r := f.build()
	if v := r.Verification; !v.OK || v.Sealed != v.Events || v.Unsealed != 0 || v.Key != "civicflow-test" {
		t.Fatalf("verification %+v, want OK with every event sealed and the key checked", v)
	}
	var outcomes []string
	for _, s := range r.Stages {
		outcomes = append(outcomes, s.Stage+"="+s.Outcome)
	}
	if got, want := strings.Join(outcomes, " "), "tender=met conception=missed execution=overdue"; got != want {
		t.Fatalf("stages %s, want %s", got, want)
	}
	if s := r.Stages[0]; s.Days != 31 || s.TargetDays != 42 || s.Left == nil {
		t.Fatalf("tender stay %+v", s)
	}
	if len(r.Approvals) != 1 || r.Approvals[0].By != "ines" || r.Approvals[0].Action != "granted" || r.Approvals[0].Title.De == "department_head" {
		t.Fatalf("approvals %+v", r.Approvals)
	}
	if len(r.Decisions) != 1 || r.Decisions[0].Votes != "12 yes, 3 no, 1 abstain" || r.Decisions[0].By != "anna" {
		t.Fatalf("decisions %+v", r.Decisions)
	}
	if len(r.Erasures) != 1 || r.Erasures[0].Notice != notice || strings.Join(r.Erasures[0].Participants, ",") != "t1" {
		t.Fatalf("erasures %+v, want %q for t1", r.Erasures, notice)
	}
	if p := r.Participants; len(p) != 2 || p[0].Erased != notice || p[1].Erased != "" {
		t.Fatalf("participants %+v", p)
	}
	if r.Process.TemplateID != "beteiligung-standard" || r.Process.TemplateVersion != 1 || len(r.Templates) != 1 || r.Templates[0].Hash == "" {
		t.Fatalf("template %s v%d, versions %+v", r.Process.TemplateID, r.Process.TemplateVersion, r.Templates)
	}
	if len(r.Timeline) != int(r.Process.Version) || !strings.Contains(r.Timeline[0].De, "eröffnet") || !strings.Contains(r.Timeline[0].En, "opened") {
		t.Fatalf("timeline %+v", r.Timeline[0])
	}
	progress := "anna hat für die Maßnahme „Radweg markieren“ einen Fortschritt von 30 % gemeldet (in_progress)."
	if !slices.ContainsFunc(r.Timeline, func(e report.Entry) bool { return e.De == progress }) {
		t.Fatalf("the timeline does not name the measure by its title: want %q in %+v", progress, r.Timeline)
	}
}

func TestBuild_counts_events_after_the_seal_as_unsealed(t *testing.T) {
	f := newFixture(t)
	f.do(lead, engine.RecordDecision{Subject: "Nachtrag", Model: "consent", Outcome: "ja"})
	v := f.build().Verification
	if !v.OK || v.Unsealed != 1 || v.Sealed != v.Events-1 {
		t.Fatalf("verification %+v, want OK with one event unsealed", v)
	}
}

func TestReports_hold_no_personal_data(t *testing.T) {
	f := newFixture(t)
	r := f.build()
	var outs [3]bytes.Buffer
	for i, write := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return r.WriteJSON(b) },
		func(b *bytes.Buffer) error { return r.WriteHTML(b) },
		func(b *bytes.Buffer) error { return r.WriteCSV(b) },
	} {
		if err := write(&outs[i]); err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"Waltraud", "Quastenberg", "waltraud.quastenberg@example.org", "Kuno", "Brettschneider"} {
			if strings.Contains(outs[i].String(), secret) {
				t.Fatalf("form %d holds %q", i, secret)
			}
		}
	}
	if !strings.Contains(outs[1].String(), "erased on 2025-06-14 by administrator (Art. 17 GDPR)") {
		t.Fatal("the HTML form does not show the erasure notice")
	}
}

func TestWriteHTML_is_self_contained_and_prints(t *testing.T) {
	var b bytes.Buffer
	if err := newFixture(t).build().WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	page := strings.ToLower(b.String())
	for _, bad := range []string{"<script", "http://", "https://", "<link", "<img", "src=", "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Fatalf("the page contains %q", bad)
		}
	}
	for _, want := range []string{"@media print", "<caption>", `scope="col"`, "überfällig / overdue", "verfehlt / missed", "eingehalten / met", "prüfergebnis / <span lang=\"en\">verification", "keine abweichung"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the page lacks %q", want)
		}
	}
}

func TestWriteCSV_has_one_row_per_event(t *testing.T) {
	r := newFixture(t).build()
	var b bytes.Buffer
	if err := r.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != len(r.Timeline)+1 || lines[0] != strings.Join(report.CSVHeader, ",") {
		t.Fatalf("%d lines, header %q", len(lines), lines[0])
	}
}

// tamper changes one thing in a report's JSON form.
type tamper struct {
	name, want string
	change     func(m map[string]any)
}

func evidenceAt(m map[string]any, i int) map[string]any {
	return m["evidence"].([]any)[i].(map[string]any)
}

// flip changes one character of a string field, keeping it well-formed where it is hex.
func flip(s string) string {
	b := []byte(s)
	i := len(b) / 2
	if b[i] == '0' {
		b[i] = '1'
	} else {
		b[i] = '0'
	}
	return string(b)
}

func TestVerify_fails_and_names_the_problem_after_any_change(t *testing.T) {
	f := newFixture(t)
	var b bytes.Buffer
	if err := f.build().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	cases := []tamper{
		{"event_payload", "evidence 4 (process-", func(m map[string]any) {
			e := evidenceAt(m, 3)
			rec, _ := base64.StdEncoding.DecodeString(e["record"].(string))
			rec = bytes.Replace(rec, []byte("Akte"), []byte("Akta"), 1)
			e["record"] = base64.StdEncoding.EncodeToString(rec)
		}},
		{"chain_hash", "the record does not match its chain hash", func(m map[string]any) {
			e := evidenceAt(m, 2)
			e["hash"] = flip(e["hash"].(string))
		}},
		{"proof", "not included in the sealed log", func(m map[string]any) {
			e := evidenceAt(m, 1)
			p := e["proof"].([]any)
			p[0] = flip(p[0].(string))
		}},
		{"head_signature", "seal: the signed tree head does not verify", func(m map[string]any) {
			s := m["seal"].(map[string]any)
			s["signed"] = strings.Replace(s["signed"].(string), "civicflow tree head v1\n", "civicflow tree head v1\n1", 1)
		}},
		{"removed_event", "not complete and in order", func(m map[string]any) {
			ev := m["evidence"].([]any)
			m["evidence"] = append(ev[:4:4], ev[5:]...)
		}},
		{"timeline_text", "timeline, row 2: does not match", func(m map[string]any) {
			row := m["timeline"].([]any)[1].(map[string]any)
			row["de"] = "niemand hat etwas getan"
		}},
		{"stage_outcome", "stages, row 2", func(m map[string]any) {
			m["stages"].([]any)[1].(map[string]any)["outcome"] = "met"
		}},
		{"erasure_notice", "erasures, row 1", func(m map[string]any) {
			m["erasures"].([]any)[0].(map[string]any)["notice"] = "nicht gelöscht"
		}},
		{"format", "format", func(m map[string]any) { m["format"] = "something else" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(b.Bytes(), &m); err != nil {
				t.Fatal(err)
			}
			c.change(m)
			changed, _ := json.Marshal(m)
			r, err := report.ReadJSON(bytes.NewReader(changed))
			if err != nil {
				t.Fatal(err)
			}
			v := report.Verify(r, f.verifier)
			if v.OK || !strings.Contains(strings.Join(v.Problems, "\n"), c.want) {
				t.Fatalf("verification %+v, want a problem with %q", v, c.want)
			}
		})
	}
	t.Run("unchanged", func(t *testing.T) {
		r, err := report.ReadJSON(bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if v := report.Verify(r, f.verifier); !v.OK {
			t.Fatalf("the unchanged report does not verify: %v", v.Problems)
		}
	})
	t.Run("another_key", func(t *testing.T) {
		_, vkey, _ := seal.GenerateKey("civicflow-test")
		other, _ := note.NewVerifier(vkey)
		r, _ := report.ReadJSON(bytes.NewReader(b.Bytes()))
		if v := report.Verify(r, other); v.OK {
			t.Fatal("a report verifies with another key")
		}
	})
}
