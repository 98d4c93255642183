package report_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/report"
)

// TestBuild_lists_skipped_periods_and_late_letters runs a land-use plan whose publication is cut
// short with a reason and which receives a late letter; the report lists both and verifies.
func TestBuild_lists_skipped_periods_and_late_letters(t *testing.T) {
	f := newFixture(t)
	tv, err := f.engine.Template(f.ctx, "bauleitplanung", 0)
	if err != nil {
		t.Fatal(err)
	}
	tv.Template.Description.De += " (Fassung 2)"
	if _, err := f.engine.PublishTemplate(f.ctx, process.Meta{Actor: process.Actor{User: "root", Tenant: "*", Role: "administrator", Installation: true}, CommandID: "v2"}, tv.Template); err != nil {
		t.Fatal(err)
	}
	res, err := f.engine.Open(f.ctx, process.Meta{Actor: lead, CommandID: "open-bplan"}, engine.OpenProcess{Template: "bauleitplanung", Title: "Bebauungsplan Nr. 9"})
	if err != nil {
		t.Fatal(err)
	}
	f.id = res.Process
	start := f.clock.Now()
	f.do(member, engine.ScheduleSession{Session: "e1", Title: "Erörterung", Format: "public_hearing", Date: start, Place: "Rathaus"})
	f.do(member, engine.HoldSession{Session: "e1", Attendance: 9})
	for _, k := range []string{"inform_public", "inform_authorities", "document_early_comments"} {
		f.do(member, engine.CompleteTask{Task: k, Evidence: "Akte"})
	}
	f.do(lead, engine.Advance{})
	for _, k := range []string{"prepare_draft", "publication_resolution", "announce"} {
		f.do(member, engine.CompleteTask{Task: k, Evidence: "Akte"})
	}
	f.do(lead, engine.SetDate{Date: "announced_at", Value: start})
	f.clock.advance(10)
	f.do(lead, engine.Advance{})
	f.clock.advance(5)
	f.do(admin, engine.Migrate{ToVersion: 1, StageMapping: map[string]string{"publication": "examination"},
		Reason: "Fassung 2 zurückgezogen", OverrideReason: "Veröffentlichung wird wiederholt"})
	f.clock.advance(40)
	f.do(member, engine.RecordContribution{Text: "Einwendung", ReceivedAt: f.clock.Now().Add(-time.Hour)})
	r := f.build()
	if !r.Verification.OK {
		t.Fatalf("verification %+v", r.Verification)
	}
	var got []string
	for _, p := range r.Periods {
		got = append(got, p.Kind+":"+p.Deadline+":"+p.Action+":"+p.Reason)
	}
	want := "overridden:publication_month:migrate:Veröffentlichung wird wiederholt overridden:publication_30_days:migrate:Veröffentlichung wird wiederholt late:publication_month::"
	if strings.Join(got, " ") != want {
		t.Fatalf("periods %q\nwant     %q", strings.Join(got, " "), want)
	}
	back := "ines hat das Verfahren von Vorlagenversion 2 zurück auf die ältere Version 1 umgestellt"
	if !slices.ContainsFunc(r.Timeline, func(e report.Entry) bool { return strings.HasPrefix(e.De, back) }) {
		t.Errorf("the timeline does not tell the migration backwards")
	}
	var html bytes.Buffer
	if err := r.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), "verspätet eingegangen") {
		t.Error("the HTML report does not show the late letter")
	}
}
