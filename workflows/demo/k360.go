package demo

import "github.com/civicflow/civicflow/workflows/engine"

// tplK360 is "Kommune 360°": cooperative work in the youth welfare committee.
const tplK360 = "kommune-360-ausschussarbeit"

// zielsystemJugendhilfe is the youth welfare committee of the Kreis Siegen-Wittgenstein building
// an impact-oriented goal system, now in its working group's workshops. Participants 1–3 are
// the youth welfare office, 4–7 independent providers, 8–10 members of the committee.
func zielsystemJugendhilfe() *proc {
	p := newProc(16, "kreis-siegen-wittgenstein", tplK360, 15, engine.OpenProcess{
		Title: "Wirkungsorientiertes Zielsystem im Jugendhilfeausschuss", Programme: "Kommune 360°"})
	// mandate
	p.after(5).task("committee_mandate", "Auszug aus der Niederschrift des Jugendhilfeausschusses vom {date}, TOP 6: Auftrag zur Entwicklung eines Zielsystems")
	p.after(5).register(groups("aaazzzzppp")...)
	p.after(5).task("reform_requirements", "Übersicht der Anforderungen aus dem Kinder- und Jugendstärkungsgesetz (inklusive Lösung, Beteiligung, Ombudsstellen)")
	p.after(3).task("form_working_group", "Besetzungsliste: Kreisjugendamt (3), Diakonie, Caritas, AWO und Kreisjugendring (je 1), drei Ausschussmitglieder")
	p.after(5).approve("youth_office_head", "Arbeitsauftrag und Besetzung freigegeben, Leitung des Kreisjugendamts")
	p.after(4).advance()
	// change of perspective
	p.after(3).meet(meeting{ID: "planspiel", Format: "planning_game", Title: "Planspiel „Schlotterbrück“: Jugendhilfeplanung mit strategischen Zielen",
		Place: "Kreishaus Siegen, Sitzungssaal", In: 21, At: "09:00"}, 26, "Rollentausch: Verwaltung spielt Träger, Politik spielt Verwaltung")
	p.contribute("planspiel-1", "planspiel", 5, "Perspektivwechsel", "Als „Verwaltung“ habe ich erst verstanden, wie viele Berichte wir von den Trägern verlangen, ohne sie je auszuwerten.")
	p.contribute("planspiel-2", "planspiel", 9, "Ziele", "Im Spiel hatten wir endlich Ziele, über die wir streiten konnten, statt über einzelne Haushaltsstellen.")
	p.after(3).task("planning_game", "Auswertung des Planspiels mit den Erkenntnissen der drei Akteursgruppen")
	p.after(2).meet(meeting{ID: "schreibwerkstatt", Format: "writing_workshop", Title: "Schreibwerkstatt: „Mir sind die Hände gebunden“ – Narrative der integrierten agilen Planung",
		Place: "Kulturhaus Lÿz, St.-Johann-Straße 18, Siegen", In: 21, At: "14:00"}, 19, "Erzählungen aus den Fluren gesammelt, umgeschrieben und vorgelesen")
	p.contribute("narrativ-1", "schreibwerkstatt", 2, "Narrativ", "Aus „Das haben wir immer so gemacht“ wurde „Das haben wir so gemacht, bis wir etwas Besseres gefunden haben“.")
	p.contribute("narrativ-2", "schreibwerkstatt", 0, "Narrativ", "„Mir sind die Hände gebunden“ heißt oft: Ich weiß nicht, wer entscheiden darf. Das Zielsystem soll das klären.")
	p.after(2).task("writing_workshop", "Sammlung der bearbeiteten Erzählungen")
	p.after(9).task("success_factors", "Gelingensfaktoren: gemeinsame Ziele vor Maßnahmen, Träger früh beteiligen, Kennzahlen sparsam wählen")
	p.after(5).advance()
	// goal system
	p.after(9).meet(meeting{ID: "ag1", Format: "workshop", Title: "Arbeitsgruppe Zielsystem: strategische Ziele",
		Place: "Kreishaus Siegen, Raum 301", In: 21, At: "13:00"}, 11, "Fünf strategische Ziele im Entwurf")
	p.after(8).task("strategic_goals", "Zielkatalog (Entwurf) mit fünf strategischen Zielen, u. a. „Alle jungen Menschen finden einen Weg in Ausbildung oder Studium“")
	p.after(10).meet(meeting{ID: "ag2", Format: "workshop", Title: "Arbeitsgruppe Zielsystem: Wirkungsziele und Kennzahlen",
		Place: "Haus der Diakonie, Siegen", In: 21, At: "13:00"}, 10, "Wirkungsziele zu zwei strategischen Zielen, Kennzahlen-Steckbriefe")
	p.contribute("kennzahl-1", "ag2", 6, "Kennzahlen", "Wir sollten nicht die Zahl der Beratungen messen, sondern ob die Jugendlichen nach einem Jahr noch in ihrer Ausbildung sind.")
	p.after(13).task("impact_indicators", "Kennzahlenset (Entwurf) mit 14 Kennzahlen")
	p.value("anschluss_ausbildung", 73.5, "Schulabgangsstatistik des Kreises, Abgangsjahrgang 2025")
	p.value("hilfen_beendet_planmaessig", 60.2, "Jugendhilfestatistik (IT.NRW), erstes Halbjahr")
	p.value("inobhutnahmen", 29.4, "Jugendhilfestatistik (IT.NRW), erstes Halbjahr")
	p.after(35).task("provider_feedback", "Stellungnahmen der Arbeitsgemeinschaft nach § 78 SGB VIII vom {date}")
	p.at(268).schedule(meeting{ID: "ag3", Format: "workshop", Title: "Arbeitsgruppe Zielsystem: Verbindung mit der SGB-VIII-Reform",
		Place: "Kreishaus Siegen, Raum 301", In: 30, At: "13:00"})
	return p
}
