package demo

import (
	"fmt"

	"github.com/civicflow/civicflow/workflows/engine"
)

// tplLeipzig is Leipzig's training series "Ko-kreative Projektentwicklung zum Gemeinwohl".
const tplLeipzig = "leipzig-kokreative-projektentwicklung"

// The six modules of the series with their venue.
var leipzigModules = []struct{ task, title, place string }{
	{"module_1_freedom_of_thought", "Modul 1: Freiheit im Denken (ganztägig)", "Westwerk, Karl-Heine-Straße 85"},
	{"module_2_idea_forge", "Modul 2: Ideenschmiede", "Technisches Rathaus, Prager Straße 118, Raum 2.104"},
	{"module_3_strength_of_networks", "Modul 3: Die Stärke von Netzwerken", "WiQ-Quartiersladen, Georg-Schwarz-Straße 20"},
	{"module_4_project_time_management", "Modul 4: Projekt- und Zeitmanagement in Netzwerken", "Technisches Rathaus, Prager Straße 118, Raum 2.104"},
	{"module_5_communication", "Modul 5: Erfolgreiche in-/externe Kommunikation", "Technisches Rathaus, Prager Straße 118, Raum 2.104"},
	{"module_6_results_next_steps", "Modul 6: Ergebnisse und wie weiter (ganztägig)", "Westwerk, Karl-Heine-Straße 85"},
}

// loesungsteamStadtgruen is a solution team of Leipzig's training series, now developing its
// project with coaching partners: participants 1–5 are the team, 6–8 its coaching partners.
func loesungsteamStadtgruen() *proc {
	p := newProc(1, "leipzig", tplLeipzig, 3, engine.OpenProcess{
		Title: "Ko-kreative Projektentwicklung {year}, Lösungsteam Stadtgrün", Programme: "RISE Cities – Wir im Quartier"})
	// preparation
	p.after(2).task("announce_series", "Ausschreibung im Fortbildungsprogramm {year} des Personalamts (Kurs „Ko-kreative Projektentwicklung“)")
	p.after(7).register("administration", "administration", "administration", "administration", "administration")
	p.team("stadtgruen", "loesungsteam", "Lösungsteam Stadtgrün", 1, 2, 3, 4, 5)
	p.after(2).task("register_staff", "Anmeldeliste: 17 Mitarbeitende aus neun Ämtern, davon fünf im Lösungsteam Stadtgrün")
	p.after(6).task("form_solution_teams", "Teamliste: Lösungsteams Stadtgrün, Bürgeramt digital und Sichere Schulwege")
	p.after(4).task("outline_projects", "Projektskizze „Grüne Höfe Lindenau“: Hinterhöfe gemeinsam mit Eigentümer:innen und Nachbarschaft entsiegeln und begrünen")
	p.after(2).approve("personnel_office", "Freistellung für 4,5 Fortbildungstage bewilligt")
	p.after(5).advance()
	// training series: a module every two weeks
	for i, m := range leipzigModules {
		id := fmt.Sprintf("modul%d", i+1)
		p.after(1).meet(meeting{ID: id, Format: "training", Title: m.title, Place: m.place, In: 12, At: "09:00"}, 17-i%3, "")
		p.task(m.task, "Modulprotokoll und Teilnahmeliste vom {date}")
		moduleAttendance(p, id, i)
		if i == 1 {
			p.contribute("idee-hoefe", id, 1, "Projektidee", "Grüne Höfe Lindenau: In einem Pilotblock fünf Hinterhöfe entsiegeln, mit Hochbeeten und Regenwassertonnen – die Nachbarschaft pflegt, die Stadt berät und fördert.")
			p.contribute("idee-patenschaft", id, 3, "Projektidee", "Baumpatenschaften für die Straßenbäume vor den Höfen, mit Gießkalender per Messenger.")
		}
	}
	p.after(4).advance()
	// project development with coaching partners from the WiQ network
	p.after(5).register("citizens", "politics", "business")
	p.role("coach", 6, 7, 8)
	p.coach("stadtgruen", 6)
	p.after(2).task("match_coaching_partners", "Zuordnung: Coachingpartner des Lösungsteams Stadtgrün aus Bürgerschaft (Hofeigentum), Stadtrat und Wohnungsgenossenschaft")
	p.after(3).meet(meeting{ID: "coaching1", Format: "consulting", Title: "Coaching 1: Eigentümer:innen gewinnen",
		Place: "WiQ-Quartiersladen, Georg-Schwarz-Straße 20", In: 14, At: "16:00"}, 8, "Ansprache-Leitfaden für Eigentümer:innen entworfen")
	p.contribute("coaching-genossenschaft", "coaching1", 8, "Kooperation", "Die Genossenschaft stellt zwei Höfe in der Lützner Straße als Pilot zur Verfügung und übernimmt die Entsiegelungskosten zur Hälfte.")
	p.after(10).task("project_plan", "Projekt- und Zeitplan „Grüne Höfe Lindenau“, Stand {date}")
	p.after(20).meet(meeting{ID: "coaching2", Format: "consulting", Title: "Coaching 2: Förderung und Pflegevereinbarung",
		Place: "Neues Rathaus, Raum 124", In: 14, At: "15:00"}, 7, "Fördermöglichkeiten aus dem Hofprogramm geprüft, Mustervereinbarung zur Pflege")
	p.after(2).task("hold_coaching", "Coachingprotokolle vom {date}")
	p.after(25).meet(meeting{ID: "hofwerkstatt", Format: "workshop", Title: "Hofwerkstatt mit Nachbarschaft und Eigentümer:innen",
		Place: "Innenhof Lützner Straße 112", In: 14, At: "15:00"}, 34, "Planung der Pilothöfe mit Modellen vor Ort")
	p.contribute("hof-nachbarin", "hofwerkstatt", 6, "Gestaltung", "Bitte einen Sitzplatz im Schatten und Platz für die Fahrräder, die jetzt im Hausflur stehen.")
	p.contribute("hof-anonym", "hofwerkstatt", 0, "Pflege", "Gießdienst reihum über eine Liste im Hausflur, dann bleibt es nicht an zwei Leuten hängen.")
	p.at(272).schedule(meeting{ID: "coaching3", Format: "consulting", Title: "Coaching 3: Öffentlichkeitsarbeit für die Pilothöfe",
		Place: "WiQ-Quartiersladen, Georg-Schwarz-Straße 20", In: 28, At: "16:00"})
	return p
}

// moduleAttendance records who of the Lösungsteam attended module i (0-based): participant 4 was
// on leave for modules 3 and 5 and gets no certificate (five of six needed); after the first and
// the last module three members rate it.
func moduleAttendance(p *proc, session string, i int) {
	attended := []int{1, 2, 3, 4, 5}
	if i == 2 || i == 4 {
		attended = []int{1, 2, 3, 5}
	}
	p.attend(session, attended...)
	if i == 0 || i == len(leipzigModules)-1 {
		p.feedback(session, 1, map[string]int{"nutzen": 5, "methoden": 4}, "Der Perspektivwechsel hat unserem Team sehr geholfen.")
		p.feedback(session, 2, map[string]int{"nutzen": 4, "methoden": 4}, "")
		p.feedback(session, 3, map[string]int{"nutzen": 4 - i%2, "methoden": 5}, "Mehr Zeit für die Projektarbeit im Team wäre gut.")
	}
}
