package engine

import (
	"context"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/programme"
)

// GiveProgrammeFeedback records the feedback of a person of the actor's site on a held shared
// session they attended: ratings of the feedback questions of the site process's template and
// optional text, sealed with the person's key (erasing the person erases it).
type GiveProgrammeFeedback struct {
	Feedback string         `json:"feedback,omitempty"`
	Session  string         `json:"session"`
	Person   string         `json:"person"`
	Ratings  map[string]int `json:"ratings,omitempty"`
	Text     string         `json:"text,omitempty"`
}

// Name names the command.
func (GiveProgrammeFeedback) Name() string { return "give_feedback" }

func (c GiveProgrammeFeedback) runProgramme(ctx context.Context, e *Engine, m process.Meta, p *programme.Programme) error {
	if !p.Sees(m.Actor) {
		return process.ErrNotFound
	}
	if c.Person == "" {
		return &process.InvalidError{Field: "person", Problem: "is required"}
	}
	member, ok := p.MemberOf(m.Actor.Tenant)
	if !ok { // the programme names the rule
		return p.GiveFeedback(m, nil, programme.FeedbackGiven{Feedback: newIDIfEmpty(c.Feedback), Session: c.Session, Ratings: c.Ratings})
	}
	pid, err := uuid.Parse(member.Process)
	if err != nil {
		return err
	}
	site, err := e.Load(ctx, m.Actor, pid)
	if err != nil {
		return err
	}
	tpl, err := e.templateOf(ctx, site)
	if err != nil {
		return err
	}
	f := programme.FeedbackGiven{Feedback: newIDIfEmpty(c.Feedback), Session: c.Session, Person: PersonID(m.Actor.Tenant, c.Person), Ratings: c.Ratings}
	if c.Text != "" {
		if err := process.CheckText("text", c.Text, false, 10_000); err != nil {
			return err
		}
		if _, erased, err := e.Erasure(ctx, f.Person); err != nil {
			return err
		} else if erased {
			return &process.InvalidError{Field: "person", Problem: "wurde gelöscht (Art. 17 DSGVO) / was erased (Art. 17 GDPR)"}
		}
		if f.Text, err = e.cfg.Vault.Seal(ctx, f.Person, c.Text); err != nil {
			return err
		}
	}
	return p.GiveFeedback(m, tpl.FeedbackQuestions, f)
}
