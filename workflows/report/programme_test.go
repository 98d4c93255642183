package report_test

import (
	"strings"
	"testing"

	"github.com/civicflow/civicflow/workflows/report"
)

func TestVerifyProgramme_refuses_reports_it_cannot_check(t *testing.T) {
	for _, c := range []struct {
		name string
		r    report.ProgrammeReport
		want string
	}{
		{"refuses_the_process_report_format", report.ProgrammeReport{Format: report.Format}, "format"},
		{"refuses_a_report_without_events", report.ProgrammeReport{Format: report.ProgrammeFormat}, "no events of the programme"},
		{"refuses_a_timeline_longer_than_its_evidence", report.ProgrammeReport{Format: report.ProgrammeFormat, Timeline: []report.Entry{{Version: 1}}}, "1 entries for 0 events"},
		{"refuses_evidence_that_does_not_start_at_version_1", report.ProgrammeReport{Format: report.ProgrammeFormat, Timeline: []report.Entry{{Version: 2}},
			Evidence: []report.ProgrammeEvidence{{Evidence: report.Evidence{Stream: "programme-x", Version: 2}}}}, "not version 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := report.VerifyProgramme(&c.r, nil)
			if v.OK || !strings.Contains(strings.Join(v.Problems, "\n"), c.want) {
				t.Fatalf("%+v, want a problem with %q", v, c.want)
			}
		})
	}
}
