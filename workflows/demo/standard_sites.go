package demo

import "github.com/civicflow/civicflow/domain/process"

// The EWS sites' processes on the default template.

var spielflaechenBergkamen = standard{
	n: 19, tenant: "bergkamen", title: "Spielflächenkonzept Bergkamen 2030", programme: "Kinderfreundliche Kommune",
	open: 255, stop: tender, k: 3,
	Subject:      "Fortschreibung des Spielflächenkonzepts für alle Stadtteile",
	Scope:        "Entscheidungsspielraum: Prioritäten der Sanierung und neue Standorte; Unterhaltungsbudget ist gesetzt",
	Facilitation: "Interne Moderation durch das Jugendamt mit Unterstützung des Kinder- und Jugendparlaments",
	Call:         "Aufruf im Amtsblatt der Stadt Bergkamen vom {date} und an allen Schulen",
}

var dorfgemeinschaftshausWelschenEnnest = standard{
	n: 20, tenant: "kirchhundem", title: "Dorfgemeinschaftshaus Welschen Ennest", programme: "Dorferneuerung",
	open: 268, stop: tender, k: 2,
	Subject:      "Umbau der alten Schule in Welschen Ennest zum Dorfgemeinschaftshaus",
	Scope:        "Entscheidungsspielraum: Raumprogramm und Betreibermodell; Fördersatz 65 % aus der Dorferneuerung",
	Facilitation: "Externe Moderation über das Regionalmanagement, um die Vereine gleichberechtigt einzubinden",
}

var ortskernSenden = standard{
	n: 21, tenant: "senden", title: "Ortskernentwicklung Senden: Bürgerwerkstatt Herrenstraße", programme: "ISEK Senden",
	open: 40, stop: execution, k: 3,
	Subject:      "Umgestaltung der Herrenstraße und des Kirchplatzes im Ortskern",
	Scope:        "Entscheidungsspielraum: Gestaltung, Begrünung, Parken; Städtebauförderung bis 2028",
	Facilitation: "Externe Moderation durch das ISEK-Planungsbüro",
	Call:         "Bekanntmachung im Amtsblatt der Gemeinde Senden vom {date}",
	Team:         "Fachbereich Planen und Bauen (2), Wirtschaftsförderung (1), Planungsbüro (2)",
	Analysis:     "Akteurslandkarte: Werbegemeinschaft, Kirchengemeinde St. Laurentius, Anwohnende, Seniorenbeirat, Schulen",
	Design:       "Prozessdesign: zwei Bürgerwerkstätten, Befragung der Gewerbetreibenden, Ortsbegehung",
	Budget:       "Zeit- und Kostenplan: 12 Wochen, 15.000 € aus dem ISEK-Budget",
	Comms:        "Kommunikationsplan: Plakate im Ortskern, Westfälische Nachrichten, Website der Gemeinde",
	Approval:     "Freigegeben durch die Fachbereichsleitung Planen und Bauen",
	First:        "cccccbbbzpa",
	Rest:         "cccccbzzpa",
	Sessions: []gathering{
		{meeting: meeting{ID: "werkstatt1", Format: "workshop", Title: "1. Bürgerwerkstatt Herrenstraße",
			Place: "Bürgerhaus Senden, Großer Saal", In: 14}, Attendance: 58,
			Notes: "Stärken-Schwächen-Analyse an Stelltafeln",
			Contributions: []contribution{
				{By: 2, Topic: "Parken", Text: "Kurzzeitparkplätze vor den Geschäften erhalten, dafür Dauerparker auf den Parkplatz am Schloss verlagern."},
				{By: 9, Topic: "Barrierefreiheit", Text: "Das Kopfsteinpflaster am Kirchplatz ist mit dem Rollator kaum zu schaffen."},
			}},
		{meeting: meeting{ID: "befragung", Format: "survey", Title: "Befragung der Gewerbetreibenden im Ortskern", Online: true, In: 21}, Attendance: 47},
	},
	then: func(p *proc) {
		p.at(232).suspend("Kommunalwahl: Die Bürgerwerkstatt ruht bis zur konstituierenden Sitzung des neu gewählten Rates.")
	},
}

var hasslinghausen = standard{
	n: 22, tenant: "sprockhoevel", title: "Dorfentwicklung Haßlinghausen", programme: "Integriertes Entwicklungskonzept",
	open: 200, stop: conception, k: 4,
	Subject:      "Entwicklung der Ortsmitte Haßlinghausen rund um den Marktplatz",
	Scope:        "Entscheidungsspielraum: Nutzungen des Marktplatzes und Verkehrsführung; Nahversorgung bleibt",
	Facilitation: "Interne Moderation durch die Stabsstelle Stadtentwicklung",
	Call:         "Aufruf im Amtsblatt der Stadt Sprockhövel vom {date}",
	Team:         "Stabsstelle Stadtentwicklung (2), Tiefbau (1), Ortsvorsteherin (1)",
	Analysis:     "Akteurslandkarte: Einzelhandel, Vereine, Heimatverein, Schulen, Pendlerinnen und Pendler",
	Design:       "Prozessdesign: Marktplatzfest mit Beteiligungsstand, Online-Dialog, Planspiel zur Verkehrsführung",
	Budget:       "Zeit- und Kostenplan: 10 Wochen, 9.800 €",
	Comms:        "Kommunikationsplan: Stadtspiegel, Instagram, Plakate an Bushaltestellen",
}

var mobilitaetFinnentrop = standard{
	n: 23, tenant: "finnentrop", title: "Mobilitätskonzept Finnentrop 2035", programme: "Klimaschutz im ländlichen Raum",
	open: 30, enter: []int{0, 0, 225}, stop: followUp, k: 3,
	Subject:      "Mobilitätskonzept für die Gemeinde mit ihren 39 Ortsteilen",
	Scope:        "Entscheidungsspielraum: Maßnahmenprioritäten für Bürgerbus, Radwege und Mobilstationen",
	Facilitation: "Externe Moderation durch das Gutachterbüro, Verwaltung begleitet",
	Call:         "Aufruf im Amtsblatt der Gemeinde Finnentrop vom {date} und über die Ortsvorsteher",
	Team:         "Bauamt (2), Klimaschutzmanagement (1), Gutachterbüro (2)",
	Analysis:     "Akteurslandkarte: Ortsvorsteher, Bürgerbusverein, Schulen, Pendlerinnen, Unternehmen im Gewerbegebiet",
	Design:       "Prozessdesign: Online-Befragung, drei Ortsteilwerkstätten, Online-Dialog zum Entwurf",
	Budget:       "Zeit- und Kostenplan: 16 Wochen, 21.000 € (Förderung Kommunalrichtlinie)",
	Comms:        "Kommunikationsplan: Amtsblatt, Sauerlandkurier, Aushänge in allen Ortsteilen",
	Approval:     "Freigegeben durch den Bürgermeister als Leiter der Verwaltung",
	First:        "ccccccbbzaap",
	Rest:         "ccccccbzzps",
	Sessions: []gathering{
		{meeting: meeting{ID: "befragung", Format: "survey", Title: "Online-Befragung zum Mobilitätsverhalten", Online: true, In: 21}, Attendance: 734,
			Notes: "734 ausgefüllte Fragebögen",
			Contributions: []contribution{
				{Topic: "Bürgerbus", Text: "Der Bürgerbus sollte auch samstags fahren, damit man ohne Auto zum Markt nach Finnentrop kommt."},
			}},
		{meeting: meeting{ID: "werkstatt-bamenohl", Format: "workshop", Title: "Ortsteilwerkstatt Bamenohl",
			Place: "Schützenhalle Bamenohl", In: 12}, Attendance: 38,
			Contributions: []contribution{
				{By: 3, Topic: "Radweg", Text: "Ein sicherer Radweg entlang der Lenne nach Lenhausen fehlt – die Bundesstraße ist zu gefährlich."},
				{By: 7, Topic: "Mobilstation", Text: "Am Bahnhof Finnentrop eine Mobilstation mit E-Bike-Verleih und überdachten Radständern."},
			}},
		{meeting: meeting{ID: "werkstatt-schoenholthausen", Format: "workshop", Title: "Ortsteilwerkstatt Schönholthausen",
			Place: "Dorfgemeinschaftshaus Schönholthausen", In: 10}, Attendance: 27,
			Contributions: []contribution{
				{By: 14, Topic: "Mitfahren", Text: "Eine Mitfahrbank an der Kirche, so wie in den Nachbarorten."},
			}},
		{meeting: meeting{ID: "online", Format: "online_dialogue", Title: "Online-Dialog zum Entwurf des Mobilitätskonzepts", Online: true, In: 21}, Attendance: 156},
	},
	Evaluation:    "Auswertungsbericht: 734 Fragebögen, 96 Hinweise aus den Werkstätten, 61 Kommentare zum Entwurf",
	Documentation: "https://beteiligung.example.org/finnentrop/mobilitaetskonzept",
	Feedback:      "Rückmeldung an die Ortsvorsteher und im Amtsblatt",
	Result: result{Title: "Mobilitätskonzept Finnentrop 2035 (Entwurf nach Beteiligung)",
		Summary: "Zwölf Maßnahmen: Bürgerbus am Samstag, Lennetal-Radweg, Mobilstation am Bahnhof, fünf Mitfahrbänke.",
		URL:     "https://beteiligung.example.org/finnentrop/mobilitaetskonzept/ergebnis"},
	Decision: decision{Subject: "Ratsbeschluss vom {date}: Mobilitätskonzept Finnentrop 2035", Model: "council_resolution",
		Outcome: "Das Mobilitätskonzept wird beschlossen; die Verwaltung legt jährlich einen Umsetzungsbericht vor",
		Votes:   &process.Votes{Yes: 29, No: 3, Abstain: 2}},
}

var buergerparkAhlen = standard{
	n: 24, tenant: "ahlen", title: "Bürgerpark Ahlen Süd/Ost", programme: "Soziale Stadt Ahlen Süd/Ost",
	open: 10, enter: []int{0, 0, 0, 190}, stop: implementation, k: 1,
	Subject:      "Anlage eines Bürgerparks auf der Brache an der Berliner Straße",
	Scope:        "Entscheidungsspielraum: Nutzungen, Spiel- und Sportangebote, Gemeinschaftsflächen; Fläche und Förderrahmen stehen fest",
	Facilitation: "Interne Moderation durch das Quartiersmanagement Süd/Ost",
	Call:         "Aufruf im Amtsblatt der Stadt Ahlen vom {date} und im Stadtteilbüro",
	Team:         "Stadtplanung (1), Grünflächen (1), Quartiersmanagement (2)",
	Analysis:     "Akteurslandkarte: Familien, Seniorinnen, Moscheegemeinde, Sportverein, Grundschule, Zechensiedlung",
	Design:       "Prozessdesign: Stadtteilfest mit Beteiligungsstand, zwei Planungswerkstätten, Kinderbeteiligung",
	Budget:       "Zeit- und Kostenplan: 14 Wochen, 12.500 €",
	Comms:        "Kommunikationsplan: Flyer auf Deutsch, Türkisch und Arabisch, Ahlener Zeitung, Stadtteilbüro",
	Approval:     "Freigegeben durch den Fachbereich Stadtentwicklung",
	First:        "cccccczzzyab",
	Rest:         "ccccccyyzpab",
	Sessions: []gathering{
		{meeting: meeting{ID: "fest", Format: "information_event", Title: "Stadtteilfest Süd/Ost mit Beteiligungsstand",
			Place: "Brache Berliner Straße", In: 18, At: "14:00"}, Attendance: 310,
			Contributions: []contribution{
				{By: 2, Topic: "Treffpunkt", Text: "Ein Grillplatz und lange Tische, an denen sich Familien aus der Nachbarschaft treffen können."},
				{Topic: "Kinder", Text: "Die Kinder wünschen sich einen Bolzplatz und einen Wasserspielplatz (Ergebnis der Malaktion)."},
			}},
		{meeting: meeting{ID: "werkstatt", Format: "workshop", Title: "Planungswerkstatt Bürgerpark",
			Place: "Bürgerzentrum Schuhfabrik, Saal", In: 16}, Attendance: 44,
			Contributions: []contribution{
				{By: 10, Topic: "Senioren", Text: "Schattige Sitzplätze mit Blick auf den Spielplatz, damit Großeltern dabei sein können."},
				{By: 11, Topic: "Sport", Text: "Ein Bewegungsparcours für alle Generationen statt eines zweiten Fußballfelds."},
			}},
	},
	Evaluation:    "Auswertungsbericht: 148 Beiträge, Nutzungsprogramm mit drei Zonen",
	Documentation: "https://beteiligung.example.org/ahlen/buergerpark",
	Feedback:      "Ergebnisfest im Stadtteilbüro und Rückmeldeschreiben",
	Result: result{Title: "Nutzungsprogramm Bürgerpark Süd/Ost",
		Summary: "Drei Zonen: Familien- und Grillbereich, Bewegungsparcours, Wasserspielplatz.",
		URL:     "https://beteiligung.example.org/ahlen/buergerpark/ergebnis"},
	Decision: decision{Subject: "Beschluss des Ausschusses für Stadtentwicklung vom {date}", Model: "majority",
		Outcome: "Das Nutzungsprogramm wird der Entwurfsplanung zugrunde gelegt", Votes: &process.Votes{Yes: 15, No: 0, Abstain: 2}},
	Measures: []plan{
		{Title: "Entwurfs- und Ausführungsplanung Bürgerpark", Owner: "Fachbereich Grünflächen", Due: 120,
			Reports: []report{{30, 40, "in_progress", "Entwurfsplanung im Stadtteilbüro ausgestellt"}, {75, 70, "in_progress", "Ausführungsplanung in Arbeit"}}},
		{Title: "Wasserspielplatz", Owner: "Fachbereich Grünflächen", Due: 240,
			Reports: []report{{60, 10, "blocked", "Zuwendungsbescheid für den Wasserspielplatz steht noch aus"}}},
	},
}

var radverkehrOlpe = standard{
	n: 25, tenant: "kreis-olpe", title: "Radverkehrskonzept Kreis Olpe", programme: "Klimaschutzkonzept Kreis Olpe",
	open: 0, stop: implementation, k: -1,
	Subject:      "Kreisweites Radverkehrskonzept für Alltagswege zwischen den sieben Städten und Gemeinden",
	Scope:        "Entscheidungsspielraum: Netzprioritäten und Lückenschlüsse; Baulastträgerschaft bleibt bei Kreis, Kommunen und Land",
	Facilitation: "Externe Moderation durch das Planungsbüro des Konzepts, Verwaltung moderiert die Kommunalrunden",
	Call:         "Bekanntmachung im Amtsblatt des Kreises Olpe vom {date}",
	Team:         "Straßenbauamt (2), Klimaschutzmanagement (1), Planungsbüro (2)",
	Analysis:     "Akteurslandkarte: sieben Kommunen, ADFC, Schulen, Tourismusverband, Unternehmen, Kreistagsfraktionen",
	Design:       "Prozessdesign: Online-Mängelmelder, Kommunalrunden, Radtour mit der Politik, Online-Dialog zum Netzentwurf",
	Budget:       "Zeit- und Kostenplan: 18 Wochen, 34.000 € (gefördert)",
	Comms:        "Kommunikationsplan: Pressearbeit, Radtour, Plakate an Schulen",
	Approval:     "Freigegeben durch den Kreisdirektor",
	First:        "ccccccpppzab",
	Rest:         "ccccccbzzsaa",
	Sessions: []gathering{
		{meeting: meeting{ID: "maengelmelder", Format: "online_dialogue", Title: "Online-Mängelmelder Radverkehr", Online: true, In: 28}, Attendance: 612,
			Contributions: []contribution{
				{By: 1, Topic: "Lückenschluss", Text: "Zwischen Olpe und Wenden fehlt ein durchgehender Radweg, man muss auf die B 54 ausweichen."},
				{By: 5, Topic: "Schulweg", Text: "Am Schulzentrum Attendorn fehlen sichere Abstellanlagen und eine Querungshilfe."},
			}},
		{meeting: meeting{ID: "radtour", Format: "workshop", Title: "Radtour mit Kreistag und Bürgermeistern",
			Place: "Start: Kreishaus Olpe, Westfälische Straße 75", In: 14, At: "14:00"}, Attendance: 41},
		{meeting: meeting{ID: "netz", Format: "online_dialogue", Title: "Online-Dialog zum Netzentwurf", Online: true, In: 21}, Attendance: 287,
			Contributions: []contribution{
				{By: 17, Topic: "Tourismus", Text: "Die Verbindung zum Biggesee sollte im Alltagsnetz liegen, nicht nur als Freizeitroute."},
			}},
	},
	Evaluation:    "Auswertungsbericht: 1.046 Hinweise im Mängelmelder, 84 Kommentare zum Netzentwurf",
	Documentation: "https://beteiligung.example.org/kreis-olpe/radverkehrskonzept",
	Feedback:      "Rückmeldung an alle Meldenden per E-Mail und im Kreisportal",
	Result: result{Title: "Radverkehrskonzept Kreis Olpe: Zielnetz und Maßnahmenliste",
		Summary: "Zielnetz von 310 km, 48 Maßnahmen in drei Prioritätsstufen.",
		URL:     "https://beteiligung.example.org/kreis-olpe/radverkehrskonzept/ergebnis"},
	Decision: decision{Subject: "Kreistagsbeschluss vom {date}: Radverkehrskonzept Kreis Olpe", Model: "council_resolution",
		Outcome: "Das Radverkehrskonzept wird beschlossen; die Maßnahmen der Priorität 1 werden in den Haushalt aufgenommen",
		Votes:   &process.Votes{Yes: 41, No: 4, Abstain: 3}},
	Measures: []plan{
		{Title: "Beschilderung des Alltagsnetzes (Priorität 1)", Owner: "Straßenbauamt", Due: 70,
			Reports: []report{{20, 50, "in_progress", "Beschilderung Olpe–Drolshagen montiert"}, {55, 100, "done", "Alle Wegweiser montiert"}}},
		{Title: "Fahrradabstellanlagen an fünf Schulzentren", Owner: "Schulverwaltungsamt", Due: 80,
			Reports: []report{{30, 60, "in_progress", "Drei Anlagen aufgestellt"}, {65, 100, "done", "Alle fünf Anlagen in Betrieb"}}},
		{Title: "Förderantrag Lückenschluss Olpe–Wenden", Owner: "Straßenbauamt", Due: 60,
			Reports: []report{{40, 100, "done", "Förderantrag eingereicht und bewilligt"}}},
	},
}

var freibadBadBerleburg = standard{
	n: 26, tenant: "bad-berleburg", title: "Sanierung Freibad Bad Berleburg", programme: "Sportstättenentwicklung",
	open: 100, stop: tender, k: 2,
	Subject:      "Beteiligung zur Sanierung und Zukunft des Freibads",
	Scope:        "Entscheidungsspielraum: Angebot und Betriebsform nach der Sanierung",
	Facilitation: "Interne Moderation durch die Bäderverwaltung mit dem Förderverein",
	then: func(p *proc) {
		p.at(130).cancel("Der Rat hat am {date} beschlossen, die Sanierung im Rahmen des Haushaltssicherungskonzepts zurückzustellen; die Beteiligung wird eingestellt.")
	},
}
