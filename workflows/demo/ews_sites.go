package demo

import "github.com/civicflow/civicflow/domain/process"

// The ten sites of round three of the EWS.
var ewsSites = []ews{
	{n: 6, tenant: "ahlen", town: "Ahlen", stop: ewsImplementation, k: 1, fast: true,
		Team:        "Koordinierungsstelle Ehrenamt im Fachbereich Jugend, Soziales und Integration und Stabsstelle Bürgerengagement",
		Stocktaking: "Bestandsaufnahme: 214 Vereine, zwei Stadtteilbüros, keine zentrale Anlaufstelle für Engagierte",
		Questions:   "Wie erreichen wir Engagierte mit Zuwanderungsgeschichte? Wie entlasten wir Vereinsvorstände?",
		Actors:      "zzzzccpp", forumPlace: "Bürgerzentrum Schuhfabrik, Ahlen", forumAttendees: 64,
		Contributions: []contribution{
			{By: 3, Topic: "Vereine", Text: "Die Vorstandsarbeit frisst uns auf – eine Beratung zu Satzung, Datenschutz und Förderanträgen würde vielen Vereinen helfen."},
			{By: 5, Topic: "Vielfalt", Text: "Die Moscheegemeinden und Kulturvereine engagieren sich längst, werden aber bei Ehrungen nie gesehen."},
		},
		Strategy: "Freiwilligenagentur als zentrale Anlaufstelle, Ehrenamtskarte, Vereinsberatung und eine Anerkennungskultur, die alle Communities einschließt",
		Council:  "Rates der Stadt Ahlen", Votes: &process.Votes{Yes: 38, No: 0, Abstain: 4},
		Measures: []plan{
			{Title: "Freiwilligenagentur im Bürgerzentrum Schuhfabrik eröffnen", Owner: "Stabsstelle Bürgerengagement", Due: 120,
				Reports: []report{{8, 25, "in_progress", "Räume und Stelle gesichert"}, {25, 45, "in_progress", "Ehrenamtsbörse online"}}},
			{Title: "Ehrenamtskarte NRW einführen", Owner: "Fachbereich Jugend, Soziales und Integration", Due: 200,
				Reports: []report{{15, 30, "in_progress", "Kooperationsvereinbarung mit dem Land unterzeichnet"}}},
			{Title: "Vereinsberatung zu Satzung, Datenschutz und Fördermitteln", Owner: "Koordinierungsstelle Ehrenamt", Due: 300},
		}},
	{n: 7, tenant: "bad-berleburg", town: "Bad Berleburg", stop: ewsSeries, k: 9,
		Team:        "Fachbereich Bürgerdienste und Fachbereich Stadtentwicklung, Tourismus",
		Stocktaking: "Bestandsaufnahme: Engagement getragen von Dorfgemeinschaften in 23 Ortschaften, Nachwuchssorgen bei Feuerwehr und Vereinen",
		Questions:   "Wie gewinnen wir Jüngere für die Dorfgemeinschaften? Wie bündeln wir die Kräfte der Ortschaften?",
		Actors:      "zzzccp", forumPlace: "Bürgerhaus am Markt, Bad Berleburg", forumAttendees: 47,
		Contributions: []contribution{
			{By: 4, Topic: "Dörfer", Text: "Jedes Dorf braucht eine feste Ansprechperson in der Verwaltung, nicht jedes Mal eine andere Stelle."},
			{Topic: "Jugend", Text: "Projektbezogenes Engagement ermöglichen: Junge Leute helfen beim Dorffest, wollen aber nicht gleich in den Vorstand."},
		},
		Strategy: "Dorfpaten in der Verwaltung, projektbezogenes Engagement für Jüngere und ein Netzwerk der Ortschaften"},
	{n: 8, tenant: "bergkamen", town: "Bergkamen", stop: ewsDecision, k: 4, fast: true,
		Team:        "Stabsstelle Bürgerbeteiligung und Jugendamt (Kinder- und Jugendförderung)",
		Stocktaking: "Bestandsaufnahme: starke Sportvereine, wenige Angebote in den Stadtteilen Weddinghofen und Oberaden, Freiwilligenzentrale im Aufbau",
		Questions:   "Wie stärken wir Engagement in den Stadtteilen? Wie binden wir Unternehmen ein?",
		Actors:      "zzzcbp", forumPlace: "Treffpunkt Bergkamen, Lessingstraße 2", forumAttendees: 52,
		Contributions: []contribution{
			{By: 7, Topic: "Unternehmen", Text: "Wir würden Mitarbeitende für Aktionstage freistellen, wenn es eine Stelle gibt, die Einsätze vermittelt."},
			{By: 3, Topic: "Stadtteile", Text: "In Oberaden fehlt ein Treffpunkt, an dem sich Initiativen ohne Miete treffen können."},
		},
		Strategy: "Freiwilligenzentrale mit Stadtteilsprechstunden, Corporate Volunteering mit örtlichen Unternehmen, kostenfreie Treffpunkte",
		Council:  "Rates der Stadt Bergkamen", Votes: &process.Votes{Yes: 36, No: 2, Abstain: 1}},
	{n: 9, tenant: "finnentrop", town: "Finnentrop", stop: ewsSeries, k: 9,
		Team:        "Fachbereich Bürgerservice und Schule, Sport, Kultur",
		Stocktaking: "Bestandsaufnahme: Schützenvereine und Musikvereine als Rückgrat, Bürgerbusverein, kaum Angebote für Neubürger",
		Questions:   "Wie heißen wir Neubürgerinnen und Neubürger willkommen? Wie unterstützen wir den Bürgerbusverein?",
		Actors:      "zzzcp", forumPlace: "Festhalle Finnentrop", forumAttendees: 39,
		Contributions: []contribution{
			{By: 5, Topic: "Neubürger", Text: "Ein Willkommensbrief mit den Vereinen im Ort und einem Ansprechpartner wäre ein guter Anfang."},
		},
		Strategy: "Willkommenskultur für Neubürger, Unterstützung von Mobilitäts- und Nachbarschaftsinitiativen, Vereinsnetzwerk"},
	{n: 10, tenant: "kirchhundem", town: "Kirchhundem", stop: ewsConference, k: 2,
		Team: "Hauptamt und Fachbereich Soziales",
		then: func(p *proc) {
			p.at(120).task("stocktaking", "Bestandsaufnahme (Entwurf): 126 Vereine in 36 Ortschaften; Befragung der Ortsvorsteher läuft")
			p.reopen("stocktaking", "Die Befragung der Ortsvorsteher ist noch nicht ausgewertet; die Bestandsaufnahme wird vervollständigt.")
			p.at(150).suspend("Haushaltssperre: Reisen und Freistellungen für die EWS sind bis zur Genehmigung des Nachtragshaushalts ausgesetzt.")
			p.at(199).resume()
			p.at(280).schedule(meeting{ID: "beratung-vor-ort", Format: "consulting", Title: "Fachliche Beratung vor Ort zur Bestandsaufnahme",
				Place: "Rathaus Kirchhundem, Besprechungsraum", In: 14, At: "10:00"})
		}},
	{n: 11, tenant: "menden", town: "Menden", stop: ewsSeries, k: 9,
		Team:        "Stabsstelle Ehrenamt und Fachbereich Jugend, Schule und Sport",
		Stocktaking: "Bestandsaufnahme: Ehrenamtsbörse vorhanden, wenig Vernetzung zwischen Sport, Kultur und Sozialem",
		Questions:   "Wie vernetzen wir die Engagementbereiche? Welche Rolle spielt die Ehrenamtsbörse künftig?",
		Actors:      "zzzzcpb", forumPlace: "Rathaus Menden, Ratssaal", forumAttendees: 71,
		Contributions: []contribution{
			{By: 4, Topic: "Vernetzung", Text: "Ein jährlicher Ehrenamtsmarkt, auf dem sich Sport, Kultur und Soziales gegenseitig kennenlernen."},
			{By: 7, Topic: "Qualifizierung", Text: "Kostenlose Fortbildungen für Übungsleiter und Vorstände, gemeinsam mit der Volkshochschule."},
		},
		Strategy: "Ehrenamtsmarkt, gemeinsame Qualifizierung mit der VHS und eine weiterentwickelte Ehrenamtsbörse"},
	{n: 12, tenant: "kreis-olpe", town: "Kreis Olpe", stop: ewsSeries, k: 5,
		Team:        "Stabsstelle Demografie und Ehrenamt und Jugendamt des Kreises",
		Stocktaking: "Bestandsaufnahme: sieben Kommunen mit eigener Engagementförderung, kreisweite Ehrenamtskarte",
		Questions:   "Was leistet der Kreis, was die Kommunen? Wie koordinieren wir die sieben Städte und Gemeinden?",
		Actors:      "zzzpa", forumPlace: "Kreishaus Olpe, Westfälische Straße 75", forumAttendees: 44,
		Contributions: []contribution{
			{By: 6, Topic: "Arbeitsteilung", Text: "Der Kreis sollte Qualifizierung und Öffentlichkeitsarbeit übernehmen, die Kommunen die Beratung vor Ort."},
		},
		Strategy: "Arbeitsteilung von Kreis und Kommunen, kreisweite Qualifizierung und Öffentlichkeitsarbeit",
		then: func(p *proc) {
			p.at(192).suspend("Personalwechsel im Entwicklungsteam: Die Stelle in der Stabsstelle Demografie und Ehrenamt wird neu besetzt.")
		}},
	{n: 13, tenant: "senden", town: "Senden", stop: ewsConference, k: 2,
		Team: "Fachbereich Familie, Bildung und Soziales und Bürgermeisterbüro",
		then: func(p *proc) {
			p.at(140).back("application", "Ein Mitglied des Entwicklungsteams hat die Verwaltung verlassen; das Team wird neu benannt.")
			p.after(1).withdraw(2, "Wechsel zu einem anderen Arbeitgeber")
			p.reopen("name_development_team", "Das Entwicklungsteam wird neu besetzt.")
			p.at(160).register("administration")
			p.after(1).task("name_development_team", "Benennungsschreiben vom {date}: neu besetztes Entwicklungsteam")
		}},
	{n: 14, tenant: "kreis-siegen-wittgenstein", town: "Kreis Siegen-Wittgenstein", stop: ewsImplementation, k: -1, fast: true,
		Team:        "Referat Ehrenamt und Bürgerschaftliches Engagement und Kreisjugendamt",
		Stocktaking: "Bestandsaufnahme: elf Kommunen, Freiwilligenzentrale in Siegen, ländliche Räume ohne Anlaufstelle",
		Questions:   "Wie erreichen wir die Wittgensteiner Dörfer? Wie würdigt der Kreis Engagement sichtbar?",
		Actors:      "zzzcps", forumPlace: "Kreishaus Siegen, Koblenzer Straße 73", forumAttendees: 83,
		Contributions: []contribution{
			{By: 8, Topic: "Forschung", Text: "Die Universität Siegen kann die Strategie wissenschaftlich begleiten und Wirkungen messen."},
			{By: 3, Topic: "Land", Text: "Mobile Sprechstunden in den Dörfern statt Beratung nur in Siegen."},
		},
		Strategy: "Kreisweites Engagementportal, mobile Beratung in den Dörfern, Anerkennung durch den Landrat, wissenschaftliche Begleitung",
		Council:  "Kreistags Siegen-Wittgenstein", Votes: &process.Votes{Yes: 52, No: 4, Abstain: 2},
		Measures: []plan{
			{Title: "Engagementportal des Kreises freischalten", Owner: "Referat Ehrenamt", Due: 30,
				Reports: []report{{6, 60, "in_progress", "Portal im Testbetrieb"}, {20, 100, "done", "Portal freigeschaltet"}}},
			{Title: "Mobile Engagementberatung in Wittgenstein", Owner: "Referat Ehrenamt", Due: 30,
				Reports: []report{{12, 50, "in_progress", "Erste Sprechstunden in Bad Laasphe und Erndtebrück"}, {25, 100, "done", "Regelangebot in sechs Orten"}}},
			{Title: "Anerkennungsabend des Landrats", Owner: "Büro des Landrats", Due: 30,
				Reports: []report{{18, 100, "done", "Anerkennungsabend mit 240 Gästen"}}},
		}},
	{n: 15, tenant: "sprockhoevel", town: "Sprockhövel", stop: ewsDecision, k: 1, fast: true,
		Team:        "Fachbereich Soziales, Jugend und Senioren und Stabsstelle Bürgermeister",
		Stocktaking: "Bestandsaufnahme: Seniorennetzwerke in Haßlinghausen und Niedersprockhövel, Flüchtlingshilfe, Heimatvereine",
		Questions:   "Wie verstetigen wir die Flüchtlingshilfe? Wie verbinden wir die Ortsteile?",
		Actors:      "zzzcpa", forumPlace: "Glückauf-Halle, Haßlinghausen", forumAttendees: 41,
		Contributions: []contribution{
			{By: 4, Topic: "Flüchtlingshilfe", Text: "Aus der Flüchtlingshilfe sind Patenschaften entstanden – die brauchen eine feste Koordination."},
		},
		Strategy: "Koordination der Patenschaften, Netzwerk der Ortsteile, Engagementfonds für kleine Projekte",
		Council:  "Rates der Stadt Sprockhövel", Votes: &process.Votes{Yes: 30, No: 2, Abstain: 2}},
}
