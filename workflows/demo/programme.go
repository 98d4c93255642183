package demo

import (
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/engine"
)

// The EWS round three as a programme of its own (domain/programme), coordinated by the KSI: the
// ten site processes join it, and the Fachtagung and the six workshops are held once for all
// sites, each site recording which of its two development team members attended.

// ksi is the coordinating organisation's tenant.
var ksi = Tenant{"ksi", "Katholisch-Soziales Institut (KSI), Träger der EWS"}

// programmeN numbers the programme's steps ("demo/27/…").
const programmeN = 27

// programmeCommand is a step on the programme: opening it, or a command on it.
type programmeCommand struct {
	open *engine.OpenProgramme
	cmd  engine.ProgrammeCommand
}

// ewsProgrammeID is the programme's ID: the engine derives it from the KSI and the open step.
var ewsProgrammeID = engine.ProgrammeID(ksi.Key, fmt.Sprintf("demo/%02d/programme-open", programmeN))

// ewsProgramme writes the programme's script.
func ewsProgramme() *proc {
	p := &proc{n: programmeN, tenant: ksi.Key, day: 30, names: map[string]bool{}, counts: map[string]int{}, sessions: map[string]*session{}}
	p.onProgramme("programme-open", template.RoleCoordinator, "", func(r *runner) programmeCommand {
		return programmeCommand{open: &engine.OpenProgramme{Title: "EWS Runde 3", Coordinator: ksi.Name + " mit der Bezirksregierung Arnsberg",
			Template: tplEWS, Start: r.dayDate(35), End: r.dayDate(35 + 365), MaxSites: 10}}
	})
	p.onProgramme("indicator-strategien", template.RoleCoordinator, "", func(r *runner) programmeCommand {
		return programmeCommand{cmd: engine.DeclareProgrammeIndicator{DeclareIndicator: engine.DeclareIndicator{Indicator: "standorte_mit_strategie",
			NameDe: "Standorte mit beschlossener Engagementstrategie", NameEn: "sites with an adopted civic engagement strategy", Unit: "Standorte",
			Direction: "increase", BaselineDate: r.dayDate(35), BaselineSource: "Beginn der Runde", TargetValue: 10, TargetDate: r.dayDate(35 + 365)}}}
	})
	p.at(38)
	for _, site := range ewsSites {
		siteID := uuid.NewSHA1(openSpace, []byte(site.tenant+"\x00"+fmt.Sprintf("demo/%02d/open", site.n)))
		town := site.town
		p.onProgramme("join-"+site.tenant, template.RoleLead, site.tenant, func(*runner) programmeCommand {
			return programmeCommand{cmd: engine.JoinProgramme{Process: siteID.String(), Site: town}}
		})
	}
	p.sharedSession(meeting{ID: "fachtagung", Format: "conference", Title: "Fachtagung „Zukunftsfaktor Bürgerengagement“ – Auftakt der EWS Runde 3",
		Place: "Bezirksregierung Arnsberg, Seibertzstraße 1, Arnsberg", In: 20, At: "09:30"}, 43)
	for i, w := range ewsWorkshops {
		p.sharedSession(meeting{ID: w.id, Format: "workshop", Title: w.title, Place: w.place, In: 14, At: "10:00"}, w.day-14)
		if i == 4 { // around the fifth workshop the first councils decide
			p.at(241).strategies("kreis-siegen-wittgenstein", template.RoleLead, 2, "Meldung an das KSI nach dem Kreistagsbeschluss")
			p.at(245).strategies("", template.RoleCoordinator, 3, "Ratsbeschlüsse der Standorte, Stand {date}")
		}
	}
	return p
}

// strategies records the shared indicator's value, by a site (tenant) or the KSI ("").
func (p *proc) strategies(tenant, role string, n float64, source string) {
	day := p.day
	p.onProgramme(p.numbered("value-strategien"), role, tenant, func(r *runner) programmeCommand {
		return programmeCommand{cmd: engine.RecordProgrammeIndicatorValue{RecordIndicatorValue: engine.RecordIndicatorValue{
			Indicator: "standorte_mit_strategie", Value: n, Date: r.dayDate(day), Source: r.text(source)}}}
	})
}

// onProgramme adds a step on the programme, issued by the user in role of tenant (the KSI when "").
func (p *proc) onProgramme(name, role, tenant string, cmd func(*runner) programmeCommand) {
	s := p.add(name, role, nil)
	s.tenant, s.programme = tenant, cmd
}

// sharedSession schedules a session for all sites on day, holds it the day after its date and
// lets each site record its development team's attendance (Kirchhundem, suspended from day 150,
// misses what follows).
func (p *proc) sharedSession(m meeting, day int) {
	p.at(day)
	s := &session{day: day + m.In, m: m, held: true}
	p.onProgramme("schedule-"+m.ID, template.RoleCoordinator, "", func(r *runner) programmeCommand {
		return programmeCommand{cmd: engine.ScheduleProgrammeSession{Session: m.ID, Title: m.Title, Format: m.Format, Date: r.sessionDate(s),
			DurationMinutes: 360, Place: m.Place}}
	})
	p.at(s.day + 1)
	p.onProgramme("hold-"+m.ID, template.RoleCoordinator, "", func(*runner) programmeCommand {
		return programmeCommand{cmd: engine.HoldProgrammeSession{Session: m.ID, Notes: "Entwicklungsteams der Standorte; Dokumentation im Lernquellenpool"}}
	})
	p.after(1)
	for _, site := range ewsSites {
		if site.tenant == "kirchhundem" && p.day > 150 {
			continue
		}
		team := []string{participant(site.tenant, site.n, 1).ID, participant(site.tenant, site.n, 2).ID}
		p.onProgramme("attend-"+m.ID+"-"+site.tenant, template.RoleMember, site.tenant, func(*runner) programmeCommand {
			return programmeCommand{cmd: engine.RecordProgrammeAttendance{Session: m.ID, Persons: team}}
		})
	}
}

// runProgramme issues a programme step.
func (r *runner) runProgramme(s *step, m process.Meta) error {
	c := s.programme(r)
	var err error
	if c.open != nil {
		var res engine.ProgrammeResult
		res, err = r.eng.OpenProgramme(r.ctx, m, *c.open)
		if err == nil && res.Programme != ewsProgrammeID {
			err = fmt.Errorf("the engine gave programme ID %s, the demo expected %s", res.Programme, ewsProgrammeID)
		}
	} else {
		_, err = r.eng.DoProgramme(r.ctx, m, ewsProgrammeID, engine.NoExpectation, c.cmd)
	}
	if err != nil {
		return fmt.Errorf("demo: programme EWS Runde 3, step %s by %s of %s: %w", s.name, s.role, m.Actor.Tenant, err)
	}
	return nil
}

// programmeVersion returns the programme's version, 0 before it is opened.
func (r *runner) programmeVersion() (int64, error) {
	p, err := r.eng.LoadProgramme(r.ctx, reader, ewsProgrammeID)
	if errors.Is(err, process.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return p.Version, nil
}
