package demo

import (
	"fmt"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
)

// tplEWS is the template of one site of a round of the Entwicklungswerkstatt.
const tplEWS = "ews-engagementstrategie"

// The stages of the EWS template, as indexes for play.
const (
	ewsApplication = iota
	ewsConference
	ewsSeries
	ewsDecision
	ewsImplementation
)

// ews is one site of round three. The sites share the round's calendar: the conference on day
// 63 and six workshops five weeks apart, hosted in turn by the sites; each council decides on
// its own day.
type ews struct {
	n              int
	tenant, town   string
	stop, k        int
	fast           bool   // the site drafts its strategy after the fourth workshop
	Team           string // the development team, for the naming letter
	Actors         string // local actors (group letters) involved from the forum on
	Stocktaking    string
	Questions      string
	Contributions  []contribution // at the local engagement forum
	Strategy       string         // the strategy in a sentence
	Council        string         // "Rat der Stadt Ahlen", "Kreistag"
	Votes          *process.Votes
	Measures       []plan
	then           func(p *proc)
	forumPlace     string
	forumAttendees int
}

// The round's workshops: title, host and the day of the session.
var ewsWorkshops = []struct {
	id, title, place string
	day              int
}{
	{"w1", "Workshop 1: Anerkennungskultur und Engagementförderung", "Bezirksregierung Arnsberg, Seibertzstraße 1, Arnsberg", 98},
	{"w2", "Workshop 2: Hauptamt und Ehrenamt – Rollen klären", "Rathaus Ahlen, Westenmauer 10", 133},
	{"w3", "Workshop 3: Engagement sichtbar machen – Freiwilligenagentur und Ehrenamtsbörse", "Kreishaus Siegen, Koblenzer Straße 73", 168},
	{"w4", "Workshop 4: Die Engagementstrategie schreiben – Leitbild, Ziele, Maßnahmen", "Rathaus Menden, Neumarkt 5", 203},
	{"w5", "Workshop 5: Politik gewinnen – die Strategie in den Rat bringen", "Rathaus Bergkamen, Rathausplatz 1", 238},
	{"w6", "Workshop 6: Verstetigung nach dem Durchgang", "Kreishaus Olpe, Westfälische Straße 75", 273},
}

func (e ews) script() *proc {
	p := newProc(e.n, e.tenant, tplEWS, 4+e.n%5, engine.OpenProcess{Title: "Engagementstrategie " + e.town, Programme: "EWS Runde 3"})
	play(p, e.stages(), nil, e.stop, e.k)
	if e.then != nil {
		e.then(p)
	}
	return p
}

// afterWorkshop moves the site's script to the day after the programme recorded its attendance at
// a workshop of the round: the workshops are the programme's shared sessions (programme.go), held
// once for all sites, not sessions of the site's process.
func (p *proc) afterWorkshop(i int) *proc { return p.at(ewsWorkshops[i].day + 3) }

// consulting is expert consulting between the workshops, by phone or on site.
func (p *proc) consulting(id string, day int, onSite bool) {
	m := meeting{ID: id, Format: "consulting", Title: "Fachliche Beratung durch das KSI (Telefon und E-Mail)", Online: true, In: 10, At: "14:00"}
	if onSite {
		m.Title, m.Place, m.Online = "Fachliche Beratung vor Ort", "Rathaus, Besprechungsraum", false
	}
	p.at(day - 10).schedule(m)
	p.at(day+1).hold(id, 2, "")
}

func (e ews) stages() [][]act {
	return [][]act{
		{ // application
			func(p *proc) {
				p.after(2).task("submit_application", "Bewerbung mit Interessenbekundung der Verwaltungsspitze")
			},
			func(p *proc) {
				p.at(35).task("admission", "Zusageschreiben des KSI vom {date}: einer von zehn Projektstandorten")
			},
			func(p *proc) {
				p.at(36).register("administration", "administration")
				p.team("et", "entwicklungsteam", "Entwicklungsteam "+e.town, 1, 2)
				p.after(1).task("name_development_team", "Benennungsschreiben: "+e.Team)
			},
			func(p *proc) {
				p.at(39).approve("head_of_administration", "Teilnahme freigegeben, Freistellung des Entwicklungsteams zugesagt")
			},
			func(p *proc) { p.at(42).advance() },
		},
		{ // conference
			// The Fachtagung is the programme's (programme.go), held once on day 63 for all sites,
			// each recording its development team's attendance on day 65.
			func(p *proc) { p.at(64) },
			func(p *proc) { p.at(66).task("attend_conference", "Teilnahmebestätigung und Tagungsdokumentation") },
			func(p *proc) { p.at(75).task("stocktaking", e.Stocktaking) },
			func(p *proc) { p.at(80).task("first_questions", e.Questions) },
			func(p *proc) { p.at(84).advance() },
		},
		e.workshopActs(),
		{ // strategy decision (fast sites)
			func(p *proc) {
				p.at(215).task("finalise_strategy", "Strategiepapier „Engagementstrategie "+e.town+"“: "+e.Strategy)
			},
			func(p *proc) { p.at(222).task("council_submission", "Beschlussvorlage zur Sitzung des "+e.Council) },
			func(p *proc) {
				p.at(226).approve("administration_board", "Beschlussvorlage im Verwaltungsvorstand beraten und freigegeben")
			},
			func(p *proc) {
				p.at(230+2*(e.n%7)).decideBy(decision{Subject: "Beschluss des " + e.Council + " vom {date}: Engagementstrategie " + e.town,
					Model: "council_resolution", Outcome: "Die Engagementstrategie wird beschlossen; die Verwaltung berichtet jährlich über die Umsetzung",
					Votes: e.Votes}, "beschluss", "council", true)
			},
			func(p *proc) {
				p.at(245).publish("strategie", "Engagementstrategie "+e.town, e.Strategy, "https://beteiligung.example.org/"+e.tenant+"/engagementstrategie")
				p.task("publish_strategy", "https://beteiligung.example.org/"+e.tenant+"/engagementstrategie")
			},
			func(p *proc) {
				p.at(250).task("share_with_round", "Beitrag zur Abschlussdokumentation der EWS Runde 3")
			},
			func(p *proc) { p.at(252).advance() },
		},
		{ // implementation
			func(p *proc) {
				p.at(256).carryOut(e.Measures, "define_measures", "Maßnahmenplan zur Engagementstrategie", "report_progress", "Fortschrittsbericht an den Ausschuss")
			},
			func(p *proc) { p.after(2).complete() },
		},
	}
}

// workshopActs is the workshop series: the round's workshops, consulting in between and the local
// engagement forum; fast sites draft their strategy after the fourth workshop and advance.
func (e ews) workshopActs() []act {
	acts := []act{
		func(p *proc) {
			p.afterWorkshop(0).task("choose_workshop_topics", "Themenvorschläge des Entwicklungsteams für die Workshops 2 bis 6")
		},
		func(p *proc) { p.consulting("beratung1", 115, false) },
		func(p *proc) {
			p.afterWorkshop(1).task("learning_resources", "Genutzte Lernquellen: Praxisleitfaden Engagementstrategie, Beispiele aus Runde 1 und 2")
		},
		func(p *proc) {
			p.at(140).register(groups(e.Actors)...)
			p.schedule(meeting{ID: "forum", Format: "workshop", Title: "Engagementforum " + e.town, Place: e.forumPlace, In: 13})
			p.at(154).hold("forum", e.forumAttendees, "Vereine, Initiativen und Politik diskutieren die Eckpunkte der Strategie")
			for i, c := range e.Contributions {
				p.contribute(fmt.Sprintf("forum-c%d", i+1), "forum", c.By, c.Topic, c.Text)
			}
			p.after(2).task("involve_local_actors", "Dokumentation des Engagementforums")
		},
		func(p *proc) {
			p.consulting("beratung2", 185, true)
			p.after(1).task("consulting_between_workshops", "Beratungsprotokolle (Telefon, E-Mail, vor Ort)")
			p.task("peer_consulting", "Protokoll der kollegialen Beratung im dritten Workshop")
		},
		func(p *proc) { p.afterWorkshop(3) }, // the programme's workshop 4
	}
	if e.fast {
		return append(acts,
			func(p *proc) { p.at(206).task("draft_strategy", "Strategieentwurf: "+e.Strategy) },
			func(p *proc) { p.at(210).advance() },
		)
	}
	return append(acts,
		func(p *proc) { p.afterWorkshop(4) }, // the programme's workshop 5
		func(p *proc) { p.consulting("beratung3", 252, false) },
		func(p *proc) { p.afterWorkshop(5) }, // the programme's workshop 6
		func(p *proc) { p.at(280).task("draft_strategy", "Strategieentwurf: "+e.Strategy) },
		func(p *proc) { p.at(283).advance() },
	)
}
