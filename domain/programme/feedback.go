package programme

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
)

// FeedbackGiven is a person's feedback on a held shared session: a rating per feedback question
// of the site's template and optional text, sealed with the person's key (personal data, erased
// with the person). Person is the tenant-scoped person ID, Tenant the person's site.
type FeedbackGiven struct {
	Feedback string         `json:"feedback"`
	Session  string         `json:"session"`
	Tenant   string         `json:"tenant"`
	Person   string         `json:"person"`
	Ratings  map[string]int `json:"ratings,omitempty"`
	Text     process.Sealed `json:"text,omitzero"`
	By       string         `json:"by"`
}

// Type returns "programme.feedback_given".
func (FeedbackGiven) Type() string { return "programme.feedback_given" }

func init() { register[FeedbackGiven](1) }

// GiveFeedback records the feedback of a person of the actor's site on a held shared session they
// attended: ratings of the questions (1 to each question's scale; questions are the site's
// template's) and optional text, already sealed. Administrators, leads and members of a member
// site record it; a person gives feedback on a session once.
func (p *Programme) GiveFeedback(m process.Meta, questions []template.FeedbackQuestion, f FeedbackGiven) error {
	if err := p.site(m, "give feedback on a programme session"); err != nil {
		return err
	}
	if err := process.CheckText("feedback", f.Feedback, true, 100); err != nil {
		return err
	}
	if _, exists := p.Feedback[f.Feedback]; exists {
		return process.Refuse("duplicate_id", "feedback "+f.Feedback+" ist bereits vergeben / is already used")
	}
	s, ok := p.Sessions[f.Session]
	switch {
	case !ok || !s.Held:
		return process.Invalid("session", "%q is not a held shared session", f.Session)
	case !strings.HasPrefix(f.Person, m.Actor.Tenant+":"):
		return process.Invalid("person", "is not a person of tenant %s", m.Actor.Tenant)
	case !slices.Contains(s.Attendance[m.Actor.Tenant], f.Person):
		return process.Refuse("not_attended", "Die Person hat laut Anwesenheitsliste nicht teilgenommen / the person did not attend, by the attendance record")
	}
	for _, g := range p.Feedback {
		if g.Session == f.Session && g.Person == f.Person {
			return process.Refuse("feedback_given", "Rückmeldung zu dieser Veranstaltung liegt bereits vor / feedback on this session was given")
		}
	}
	if err := checkRatings(questions, f.Ratings); err != nil {
		return err
	}
	if len(f.Ratings) == 0 && f.Text.IsZero() {
		return process.Invalid("ratings", "give at least one rating or a text")
	}
	f.Tenant, f.By, f.Ratings = m.Actor.Tenant, m.Actor.User, maps.Clone(f.Ratings)
	p.record(m, f)
	return nil
}

func checkRatings(questions []template.FeedbackQuestion, ratings map[string]int) error {
	for _, q := range slices.Sorted(maps.Keys(ratings)) {
		i := slices.IndexFunc(questions, func(x template.FeedbackQuestion) bool { return x.Key == q })
		switch r := ratings[q]; {
		case i < 0:
			return process.Invalid("ratings", "%q is not a feedback question of the site's template", q)
		case r < 1 || r > questions[i].Scale:
			return process.Invalid("ratings", "%s: %d is not between 1 and %d", q, r, questions[i].Scale)
		}
	}
	return nil
}

// FeedbackSummary aggregates the feedback on a shared session: how many gave it (in all and per
// site) and each question's mean rating with the number of ratings. It holds no text and no
// person.
type FeedbackSummary struct {
	Count     int                       `json:"count"`
	BySite    map[string]int            `json:"by_site"`
	Questions map[string]QuestionRating `json:"questions"`
}

// QuestionRating is a question's mean rating over Count ratings.
type QuestionRating struct {
	Count int     `json:"count"`
	Mean  float64 `json:"mean"`
}

// FeedbackOn returns the aggregate of the feedback on a session.
func (p *Programme) FeedbackOn(session string) FeedbackSummary {
	sum := FeedbackSummary{BySite: map[string]int{}, Questions: map[string]QuestionRating{}}
	totals := map[string]int{}
	for _, f := range p.Feedback {
		if f.Session != session {
			continue
		}
		sum.Count++
		sum.BySite[f.Tenant]++
		for q, r := range f.Ratings {
			x := sum.Questions[q]
			x.Count++
			totals[q] += r
			sum.Questions[q] = x
		}
	}
	for q, x := range sum.Questions {
		x.Mean = float64(totals[q]) / float64(x.Count)
		sum.Questions[q] = x
	}
	return sum
}

// String tells the summary in one line, e.g. "3 Rückmeldungen / 3 responses; useful 4.33 (3)".
func (s FeedbackSummary) String() string {
	out := fmt.Sprintf("%d Rückmeldungen / %d responses", s.Count, s.Count)
	for _, q := range slices.Sorted(maps.Keys(s.Questions)) {
		out += fmt.Sprintf("; %s %.2f (%d)", q, s.Questions[q].Mean, s.Questions[q].Count)
	}
	return out
}
