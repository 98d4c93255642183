package demo

import (
	"slices"
	"time"

	"github.com/civicflow/civicflow/workflows/engine"
)

// PersonalData returns the personal data and free texts the demo's processes record: the names,
// e-mail addresses and person IDs of participants, the names and e-mail addresses of
// organisations' contacts, and the texts of
// contributions and feedback, each once, sorted. Tests of an output that must carry none of them
// (the open-data export) look for every one.
func PersonalData() []string {
	t0 := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	r := &runner{t0: t0, now: t0, clock: func() time.Time { return t0 }, advance: func(time.Duration) {}}
	var out []string
	for _, p := range script() {
		for _, s := range p.steps {
			if s.cmd == nil {
				continue
			}
			switch c := s.cmd(r).(type) {
			case engine.RegisterParticipant:
				out = append(out, c.Name, c.Email, c.Person)
			case engine.RecordContribution:
				out = append(out, c.Text)
			case engine.JoinOrganisation:
				out = append(out, c.ContactName, c.ContactEmail)
			case engine.GiveFeedback:
				out = append(out, c.Text)
			}
		}
	}
	out = slices.DeleteFunc(out, func(s string) bool { return s == "" })
	slices.Sort(out)
	return slices.Compact(out)
}
