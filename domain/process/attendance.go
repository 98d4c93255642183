package process

import (
	"fmt"
	"slices"

	"github.com/civicflow/civicflow/domain/template"
)

// The actions of attendance and feedback.
const (
	ActRecordAttendance Action = "record_attendance"
	ActGiveFeedback     Action = "give_feedback"
)

func init() {
	roles[ActRecordAttendance] = workers
	roles[ActGiveFeedback] = workers
}

// RecordAttendance records which registered participants attended a held session, replacing
// what was recorded for it before. The session's attendance number is not changed.
func (p *Process) RecordAttendance(m Meta, session string, participants []string) error {
	if err := p.check(m, ActRecordAttendance); err != nil {
		return err
	}
	s, ok := p.Sessions[session]
	switch {
	case !ok:
		return invalid("session", "%q is not scheduled", session)
	case !s.Held:
		return refuse("session_not_held", "Die Veranstaltung hat noch nicht stattgefunden / the session has not been held")
	case len(participants) > 10_000:
		return invalid("participants", "%d, more than 10000", len(participants))
	}
	for i, x := range participants {
		if _, ok := p.Participants[x]; !ok {
			return invalid("participants", "%q is not registered", x)
		}
		if slices.Contains(participants[:i], x) {
			return invalid("participants", "%q is named twice", x)
		}
	}
	p.record(m, AttendanceRecorded{Session: session, Participants: slices.Clone(participants)})
	return nil
}

// Attended returns the held sessions of a format (any format when "") the participant attended,
// by date.
func (p *Process) Attended(participant, format string) []Session {
	var out []Session
	for key, xs := range p.Collab.Attendance {
		s := p.Sessions[key]
		if s.Held && (format == "" || s.Format == format) && slices.Contains(xs, participant) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b Session) int { return a.Date.Compare(b.Date) })
	return out
}

// CertificateRecord is what a certificate of attendance states.
type CertificateRecord struct {
	Certificate template.Certificate
	Participant Participant
	// Attended are the series' sessions the participant attended; Held are all held ones.
	Attended []Session
	Held     int
}

// Certificate returns the certificate of attendance of a series for a participant, refused (rule
// not_enough_sessions) unless they attended at least the certificate's minimum of its sessions.
func (p *Process) Certificate(tpl template.Template, key, participant string) (CertificateRecord, error) {
	c, ok := tpl.Certificate(key)
	if !ok {
		return CertificateRecord{}, invalid("certificate", "%q is not a certificate of template %s", key, tpl.ID)
	}
	x, ok := p.Participants[participant]
	if !ok {
		return CertificateRecord{}, invalid("participant", "%q is not registered", participant)
	}
	rec := CertificateRecord{Certificate: c, Participant: x, Attended: p.Attended(participant, c.Format)}
	for _, s := range p.Sessions {
		if s.Held && s.Format == c.Format {
			rec.Held++
		}
	}
	if len(rec.Attended) < c.MinAttended {
		return rec, refuse("not_enough_sessions", fmt.Sprintf("%d von mindestens %d Terminen besucht / %d of at least %d sessions attended",
			len(rec.Attended), c.MinAttended, len(rec.Attended), c.MinAttended))
	}
	return rec, nil
}

// GiveFeedback records a participant's feedback on a held session: ratings of the template's
// questions (1 to the question's scale) and optional text, sealed with the participant's key.
// A participant gives feedback on a session once.
func (p *Process) GiveFeedback(m Meta, tpl template.Template, f FeedbackGiven) error {
	if err := p.check(m, ActGiveFeedback); err != nil {
		return err
	}
	_, exists := p.Collab.Feedback[f.Feedback]
	if err := p.newID("feedback", f.Feedback, exists); err != nil {
		return err
	}
	if s, ok := p.Sessions[f.Session]; !ok || !s.Held {
		return invalid("session", "%q is not a held session", f.Session)
	}
	if _, ok := p.Participants[f.Participant]; !ok {
		return invalid("participant", "%q is not registered", f.Participant)
	}
	for _, g := range p.Collab.Feedback {
		if g.Session == f.Session && g.Participant == f.Participant {
			return refuse("feedback_given", "Rückmeldung zu dieser Veranstaltung liegt bereits vor / feedback on this session was given")
		}
	}
	for q, r := range f.Ratings {
		question, ok := tpl.FeedbackQuestion(q)
		switch {
		case !ok:
			return invalid("ratings", "%q is not a feedback question of template %s", q, tpl.ID)
		case r < 1 || r > question.Scale:
			return invalid("ratings", "%s: %d is not between 1 and %d", q, r, question.Scale)
		}
	}
	if len(f.Ratings) == 0 && f.Text.IsZero() {
		return invalid("ratings", "give at least one rating or a text")
	}
	p.record(m, f)
	return nil
}

func (p *Process) feedbackFacts(tpl template.Template) FeedbackFacts {
	f := FeedbackFacts{Average: map[string]float64{}}
	sums, counts := map[string]int{}, map[string]int{}
	for _, g := range p.Collab.Feedback {
		f.Count++
		for q, r := range g.Ratings {
			sums[q] += r
			counts[q]++
		}
	}
	for _, q := range tpl.FeedbackQuestions {
		f.Average[q.Key] = 0
		if counts[q.Key] > 0 {
			f.Average[q.Key] = float64(sums[q.Key]) / float64(counts[q.Key])
		}
	}
	return f
}
