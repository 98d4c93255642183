package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/report"
)

func TestBuild_sums_up_attendance_indicators_and_decision_bodies_and_verifies(t *testing.T) {
	f := newFixture(t)
	day := f.clock.Now()
	f.do(member, engine.ScheduleSession{Session: "w1", Title: "Radwerkstatt", Format: "workshop", Date: day, Place: "Plagwitz", DurationMinutes: 180})
	f.do(member, engine.HoldSession{Session: "w1", Attendance: 14})
	f.do(member, engine.RecordAttendance{Session: "w1", Participants: []string{"t1", "t2"}})
	f.do(lead, engine.DeclareIndicator{Indicator: "radanteil", NameDe: "Radverkehrsanteil", NameEn: "cycling share", Unit: "%", Direction: "increase",
		BaselineValue: 18, BaselineDate: day.AddDate(-1, 0, 0), BaselineSource: "SrV 2023", TargetValue: 25, TargetDate: day.AddDate(3, 0, 0)})
	f.do(member, engine.RecordIndicatorValue{Indicator: "radanteil", Value: 19.5, Date: day, Source: "Zählstelle Karl-Heine-Straße"})
	f.do(lead, engine.RecordDecision{Subject: "Radweg beschlossen", Model: "council_resolution", Outcome: "beschlossen", Body: "council", Adopted: true})
	r := f.build()
	if !r.Verification.OK {
		t.Fatalf("verification %+v", r.Verification)
	}
	e := r.Evaluation
	if e == nil || len(e.Attendance) != 1 || e.Attendance[0].Persons != 2 || len(e.Indicators) != 1 || e.Indicators[0].Latest.Value != 19.5 ||
		e.Indicators[0].Reached || e.Indicators[0].Values != 1 {
		t.Fatalf("evaluation %+v", e)
	}
	if d := r.Decisions[len(r.Decisions)-1]; d.Body != "council" || !d.Adopted {
		t.Fatalf("decision %+v", d)
	}
	var html, js bytes.Buffer
	if err := r.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Auswertung", "Radwerkstatt", "Radverkehrsanteil", "19.5 %", "council (angenommen"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("the HTML report lacks %q", want)
		}
	}
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	back, err := report.ReadJSON(&js)
	if err != nil {
		t.Fatal(err)
	}
	if v := report.Verify(back, f.verifier); !v.OK {
		t.Fatalf("the report read back does not verify: %+v", v)
	}
	back.Evaluation.Attendance[0].Persons = 99
	if v := report.Verify(back, f.verifier); v.OK {
		t.Fatal("a changed evaluation verifies")
	}
	if strings.Contains(html.String(), "Kuno") || strings.Contains(html.String(), "Waltraud") {
		t.Fatal("a name in the report")
	}
}
