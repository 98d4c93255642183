package demo

import "github.com/civicflow/civicflow/workflows/engine"

// tplWirken is "Gemeinsam wirken" (Collective Impact).
const tplWirken = "gemeinsam-wirken"

// buendnisAusbildung is a cross-sector partnership for vocational training in Menden, now in
// coordinated action. Participants 1–4 are companies, 5–7 civil society, 8–9 the administration.
// Its last step is the demo's last: a progress report on the demo's last working day.
func buendnisAusbildung() *proc {
	p := newProc(17, "menden", tplWirken, 8, engine.OpenProcess{Title: "Bündnis für Ausbildung Menden", Programme: "Gemeinsam wirken"})
	// partnership
	p.after(4).task("describe_issue", "Problembeschreibung: Im letzten Ausbildungsjahr blieben in Menden 96 Ausbildungsstellen unbesetzt, zugleich 71 Bewerberinnen und Bewerber unversorgt (Ausbildungsmarktbilanz der Agentur für Arbeit)")
	p.after(6).task("map_actors", "Akteurslandkarte: Industriebetriebe, Handwerk, Kreishandwerkerschaft, Berufskolleg, Jugendmigrationsdienst, Kolpingwerk, Jobcenter, Stadt")
	p.after(4).task("practice_seminar", "Teilnahmebestätigung Praxisseminar „Gemeinsam wirken“ für Kommunen (3WIN e.V., Köln)")
	p.after(3).register(groups("bbbbzzzaa")...)
	p.organisation("jobcenter", "Jobcenter Märkischer Kreis, Standort Menden", "administration", 9)
	p.organisation("joblinge", "JOBLINGE gAG Ruhr", "civil_society", 6)
	p.organisation("kreishandwerkerschaft", "Kreishandwerkerschaft Hellweg-Lippe", "business", 1)
	p.organisation("berufskolleg", "Berufskolleg Menden", "administration", 0)
	p.after(5).task("contact_companies", "Gesprächsnotizen mit zwölf Unternehmen, Interessenbekundungen von vier Unternehmen")
	p.after(10).task("clarify_dilemmas", "Vermerk: Rollen und Interessen der Partner, Umgang mit Konkurrenz um Auszubildende")
	p.after(5).advance()
	// backbone
	p.after(10).task("choose_backbone_organisation", "Vereinbarung mit dem Bildungsbüro der Stadt Menden als Backbone-Organisation")
	p.after(11).task("backbone_resources", "Finanzierungsplan: halbe Stelle im Bildungsbüro, Ko-Finanzierung durch vier Unternehmen und die Sparkasse")
	p.organisation("bildungsbuero", "Bildungsbüro der Stadt Menden (Backbone)", "administration", 8)
	p.role("backbone", 8)
	p.role("steering_group", 1, 2, 5, 6, 8, 9)
	p.role("speaker", 2, 5)
	p.after(6).task("steering_group", "Lenkungskreis mit je zwei Vertretungen aus Wirtschaft, Zivilgesellschaft und Verwaltung; Geschäftsordnung vom {date}")
	p.after(4).approve("administration_head", "Mitwirkung der Stadt und Ko-Finanzierung durch den Bürgermeister freigegeben")
	p.after(4).advance()
	// common agenda
	p.after(2).meet(meeting{ID: "agenda", Format: "workshop", Title: "Agenda-Workshop der Bündnispartner",
		Place: "Berufskolleg Menden, Aula", In: 18, At: "14:00"}, 23, "Problemverständnis und Zielbild „Kein Abschluss ohne Anschluss in Menden“")
	p.contribute("agenda-1", "agenda", 2, "Betriebe", "Wir finden Bewerber nur noch über Praktika – ohne Kontakt in der Schulzeit kommt niemand zu uns.")
	p.contribute("agenda-2", "agenda", 6, "Jugendliche", "Viele Jugendliche mit Fluchtgeschichte brauchen Sprachförderung parallel zur Ausbildung, sonst brechen sie ab.")
	p.after(3).task("shared_understanding", "Workshopdokumentation vom {date}")
	p.after(10).task("joint_goals", "Agenda-Papier: drei gemeinsame Ziele bis 2028")
	p.after(10).decide("agenda", "Gemeinsame Agenda „Kein Abschluss ohne Anschluss in Menden“", "consent",
		"Alle neun Partner tragen die Agenda mit; kein schwerwiegender Einwand", nil)
	p.after(5).task("cooperation_agreement", "Kooperationsvereinbarung, unterzeichnet am {date} im Rathaus")
	p.after(3).advance()
	// shared measurement
	p.after(7).task("define_indicators", "Indikatorenset: unbesetzte Ausbildungsstellen, unversorgte Bewerber, Abbruchquote im ersten Jahr, Praktika je Abschlussklasse")
	p.after(10).task("data_agreement", "Vereinbarung zum Datenaustausch mit Agentur für Arbeit, Jobcenter und Schulen (nur aggregierte Daten)")
	p.after(2).meet(meeting{ID: "befragung", Format: "survey", Title: "Befragung der Abschlussklassen zu Berufswünschen und Praktika",
		Place: "Alle weiterführenden Schulen in Menden", In: 14, At: "08:00"}, 412, "412 Fragebögen aus 19 Abschlussklassen")
	p.after(8).task("baseline", "Baseline-Bericht mit den Ausgangswerten")
	p.value("praktika_je_klasse", 7, "Befragung der Abschlussklassen")
	p.after(5).publish("baseline", "Indikatoren und Ausgangswerte des Bündnisses", "Vier Indikatoren mit Ausgangswerten; jährliche Fortschreibung durch das Bildungsbüro", "https://beteiligung.example.org/menden/buendnis-ausbildung/baseline")
	p.after(5).advance()
	// collective action
	p.after(5).meet(meeting{ID: "partner2", Format: "workshop", Title: "Partnertreffen: Aktivitäten abstimmen",
		Place: "Sparkasse Menden, Konferenzraum", In: 14, At: "16:00"}, 18, "Jede Organisation übernimmt, was sie am besten kann")
	p.after(5).measure("m1", "Ausbildungsbotschafterinnen und -botschafter in allen Abschlussklassen", "Kreishandwerkerschaft und Berufskolleg", 150)
	p.measure("m2", "Gemeinsame Praktikumsbörse der Mendener Unternehmen", "Bildungsbüro (Backbone)", 120)
	p.measure("m3", "Azubi-Speed-Dating im Berufskolleg", "Berufskolleg Menden", 40)
	p.task("mutually_reinforcing_activities", "Aktivitätenplan mit Zuständigkeiten je Partner")
	p.at(225).schedule(meeting{ID: "partner3", Format: "workshop", Title: "Partnertreffen: Zwischenstand und Kommunikation",
		Place: "Rathaus Menden, Ratssaal", In: 14, At: "16:00"})
	p.at(240).hold("partner3", 21, "Zwischenstand der Aktivitäten, Kommunikationsplan verabschiedet")
	p.task("continuous_communication", "Kommunikationsplan und Protokolle der Partnertreffen")
	p.at(244).progress("m1", 30, "in_progress", "Botschafter in acht von 19 Abschlussklassen")
	p.at(249).progress("m3", 100, "done", "Speed-Dating mit 26 Betrieben und 180 Jugendlichen")
	p.at(269).progress("m2", 40, "in_progress", "Börse mit 64 Praktikumsplätzen online")
	p.at(276).value("unbesetzte_stellen", 81, "Ausbildungsmarktbilanz der Agentur für Arbeit, Zwischenstand")
	p.value("unversorgte_bewerber", 52, "Ausbildungsmarktbilanz der Agentur für Arbeit, Zwischenstand")
	p.value("praktika_je_klasse", 11, "Praktikumsbörse des Bildungsbüros")
	p.at(280).task("backbone_coordination", "Tätigkeitsbericht der Backbone-Organisation, Stand {date}")
	p.at(lastDay).progress("m1", 55, "in_progress", "Botschafter in elf von 19 Abschlussklassen")
	return p
}
