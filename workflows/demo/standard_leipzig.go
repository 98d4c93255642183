package demo

import "github.com/civicflow/civicflow/domain/process"

// Leipzig's processes on the default template.

var spielplatzLindenauerMarkt = standard{
	n: 2, tenant: "leipzig", title: "Beteiligung Spielplatz Lindenauer Markt", programme: "Spielraumkonzept Leipzig",
	open: 20, enter: []int{0, 0, 200}, stop: followUp, k: 2,
	Subject:      "Neugestaltung des Spielplatzes am Lindenauer Markt (ca. 2.400 m²)",
	Scope:        "Entscheidungsspielraum: Spielgeräte, Wasserspiel, Sitz- und Schattenbereiche; Standort und Budget (420.000 €) stehen fest",
	Facilitation: "Externe Moderation: Planungsbüro mit Erfahrung in Kinder- und Jugendbeteiligung, Vergabe nach Angebotsvergleich",
	Call:         "Aufruf im Leipziger Amtsblatt vom {date}, auf leipzig.de und per Aushang am Lindenauer Markt",
	Team:         "Amt für Stadtgrün und Gewässer (2), Kinder- und Jugendbüro (1), Quartiersmanagement Leipziger Westen (1)",
	Analysis:     "Akteurslandkarte: Kitas und Grundschule am Markt, Elternrat, Quartiersmanagement, Stadtbezirksbeirat Alt-West, Anwohnende",
	Design:       "Prozessdesign: Informationsabend, Spielplatzwerkstatt mit Kindern, Online-Dialog, Planungswerkstatt zu zwei Entwurfsvarianten",
	Budget:       "Zeit- und Kostenplan: Beteiligung 14 Wochen, 18.500 € für Moderation, Material und Übersetzungen",
	Comms:        "Kommunikationsplan: Plakate in Kitas, mehrsprachige Flyer (Deutsch, Arabisch, Ukrainisch), Social Media der Stadt",
	Approval:     "Konzept und Kostenplan freigegeben, Amtsleitung Stadtgrün und Gewässer",
	First:        "cccccczzpaab",
	Rest:         "ccccccczzpsa",
	Sessions: []gathering{
		{meeting: meeting{ID: "info", Format: "information_event", Title: "Informationsabend zum Spielplatz Lindenauer Markt",
			Place: "Stadtteilzentrum Lindenau, Saal", In: 14}, Attendance: 46,
			Notes: "Vorstellung von Rahmen, Budget und Zeitplan; Fragen zu Bäumen und Lärmschutz",
			Contributions: []contribution{
				{By: 1, Topic: "Wasserspiel", Text: "Bitte einen Wasserspielbereich mit Pumpe und Matschtisch – im Sommer gibt es im ganzen Viertel keinen schattigen Ort zum Spielen."},
				{Topic: "Sicherheit", Text: "Der Zaun zur Straße sollte höher werden, kleine Kinder laufen sonst direkt auf die Fahrbahn."},
			}},
		{meeting: meeting{ID: "kinder", Format: "workshop", Title: "Spielplatzwerkstatt mit Kindern",
			Place: "Turnhalle der Grundschule am Lindenauer Markt", In: 10, At: "10:00"}, Attendance: 28,
			Notes: "Kinder der Klassen 2 bis 4 bauen Modelle und stimmen mit Klebepunkten ab",
			Contributions: []contribution{
				{Topic: "Kinderwünsche", Text: "Kletterturm mit Rutsche, eine Nestschaukel für mehrere Kinder und ein Versteck unter den Bäumen (Ergebnis der Klebepunkt-Abstimmung)."},
			}},
		{meeting: meeting{ID: "online", Format: "online_dialogue", Title: "Online-Dialog: Ideen für den Spielplatz",
			Online: true, In: 21}, Attendance: 213,
			Notes: "Drei Wochen Laufzeit, 164 Beiträge und 1.020 Bewertungen",
			Contributions: []contribution{
				{By: 4, Topic: "Inklusion", Text: "Eine rollstuhlgerechte Karussellplatte und unterfahrbare Sandtische, damit auch mein Sohn mitspielen kann."},
				{By: 6, Topic: "Aufenthalt", Text: "Mehr Bänke mit Rückenlehne am Rand für Großeltern, dazu ein Trinkbrunnen."},
				{Topic: "Pflege", Text: "Den Sand häufiger wechseln und am Wochenende reinigen – montags liegen oft Scherben."},
			}},
		{meeting: meeting{ID: "werkstatt", Format: "workshop", Title: "Planungswerkstatt: zwei Entwurfsvarianten",
			Place: "Stadtteilzentrum Lindenau, Saal", In: 14}, Attendance: 31,
			Notes: "Variantenvergleich an Modell und Plänen, Priorisierung in Kleingruppen",
			Contributions: []contribution{
				{By: 2, Topic: "Entwurf", Text: "Variante B mit dem Wasserspiel in der Mitte und dem Kletterbereich unter den Linden wird klar bevorzugt."},
			}},
	},
	Evaluation:    "Auswertungsbericht: 187 Beiträge in 9 Themenclustern; Variante B mit Wasserspiel und inklusivem Karussell als Vorzugsvariante",
	Documentation: "https://beteiligung.example.org/leipzig/spielplatz-lindenauer-markt",
	Feedback:      "Rückmeldeschreiben an alle Beteiligten und Ergebnisplakat am Bauzaun",
	Result: result{Title: "Vorzugsvariante B: Wasserspiel, Kletterbereich und inklusive Spielangebote",
		Summary: "Die Beteiligung empfiehlt Variante B; dazu Schattenplätze, Trinkbrunnen und höhere Einfriedung zur Straße.",
		URL:     "https://beteiligung.example.org/leipzig/spielplatz-lindenauer-markt/ergebnis"},
	Decision: decision{Subject: "Beschluss des Stadtbezirksbeirats Alt-West vom {date} zur Vorzugsvariante", Model: "majority",
		Outcome: "Vorzugsvariante B wird der Ausführungsplanung zugrunde gelegt", Votes: &process.Votes{Yes: 9, No: 1, Abstain: 1}},
	then: func(p *proc) {
		p.at(276).schedule(meeting{ID: "beirat", Format: "information_event", Title: "Vorstellung der Ergebnisse im Stadtbezirksbeirat Alt-West",
			Place: "Stadtteilzentrum Lindenau, Saal", In: 20})
	},
}

var parkbogenOst = standard{
	n: 3, tenant: "leipzig", title: "Bürgerbeteiligung Parkbogen Ost", programme: "Grüner Ring Leipzig",
	open: 2, stop: implementation, k: 1,
	Subject:      "Gestaltung des Parkbogens Ost auf der ehemaligen Bahntrasse zwischen Jonasstraße und Hermann-Liebmann-Straße",
	Scope:        "Entscheidungsspielraum: Nutzungen, Aufenthaltsorte und Beleuchtung; Trassenführung ist durch den Förderbescheid festgelegt",
	Facilitation: "Interne Moderation durch das Team Bürgerbeteiligung im Stadtplanungsamt, Fachbeiträge durch das Amt für Stadtgrün und Gewässer",
	Call:         "Aufruf im Leipziger Amtsblatt vom {date} und im Beteiligungsportal",
	Team:         "Stadtplanungsamt (2), Amt für Stadtgrün und Gewässer (1), Verkehrs- und Tiefbauamt (1)",
	Analysis:     "Akteurslandkarte: Anwohnende in Volkmarsdorf und Anger-Crottendorf, Gewerbe an der Eisenbahnstraße, Gemeinschaftsgärten, Radverbände",
	Design:       "Prozessdesign: Auftaktveranstaltung, Trassenspaziergang, Online-Dialog und ein Bürgerrat aus 24 zufällig ausgewählten Personen",
	Budget:       "Zeit- und Kostenplan: 20 Wochen, 32.000 € (Bürgerrat, Losverfahren, Dokumentation)",
	Comms:        "Kommunikationsplan: Postwurfsendung an 9.000 Haushalte, Aushänge, Pressegespräch",
	Approval:     "Freigegeben durch die Amtsleitung des Stadtplanungsamts",
	First:        "cccccccbbzza",
	Rest:         "ccccccpszzba",
	Sessions: []gathering{
		{meeting: meeting{ID: "auftakt", Format: "information_event", Title: "Auftaktveranstaltung Parkbogen Ost",
			Place: "Pöge-Haus, Hedwigstraße 20", In: 14}, Attendance: 120,
			Notes: "Vorstellung des Förderprojekts und des Beteiligungsablaufs",
			Contributions: []contribution{
				{By: 1, Topic: "Radverkehr", Text: "Der Parkbogen muss breit genug sein, damit Radfahrende und Fußgänger sich nicht in die Quere kommen – getrennte Spuren wären ideal."},
				{By: 8, Topic: "Gewerbe", Text: "Wir Händler an der Eisenbahnstraße wünschen uns Zugänge mit Wegweisern, damit der Park auch Kundschaft bringt."},
			}},
		{meeting: meeting{ID: "spaziergang", Format: "workshop", Title: "Trassenspaziergang mit Stationen",
			Place: "Treffpunkt Jonasstraße, Zugang zur Bahntrasse", In: 9, At: "15:00"}, Attendance: 64,
			Notes: "Fünf Stationen, Ideen auf Karten gesammelt",
			Contributions: []contribution{
				{By: 3, Topic: "Natur", Text: "Die Birken und Robinien auf der Brache sollen stehen bleiben – hier brüten Vögel."},
				{Topic: "Sicherheit", Text: "Unter der Brücke ist es abends dunkel; Beleuchtung mit Bewegungsmeldern wurde mehrfach gewünscht."},
			}},
		{meeting: meeting{ID: "online", Format: "online_dialogue", Title: "Online-Dialog Parkbogen Ost", Online: true, In: 28}, Attendance: 486,
			Notes: "Kartenbasierter Dialog, 312 Beiträge",
			Contributions: []contribution{
				{By: 15, Topic: "Urban Gardening", Text: "Auf der Fläche an der Eisenbahnstraße wäre Platz für einen Gemeinschaftsgarten mit Hochbeeten."},
			}},
		{meeting: meeting{ID: "buergerrat", Format: "citizen_council", Title: "Bürgerrat Parkbogen Ost (zwei Sitzungstage)",
			Place: "Neues Rathaus, Festsaal", In: 14, At: "09:30"}, Attendance: 24,
			Notes: "Empfehlungen zu Wegebau, Beleuchtung und Gemeinschaftsgarten einstimmig verabschiedet",
			Contributions: []contribution{
				{Topic: "Empfehlung", Text: "Der Bürgerrat empfiehlt, zuerst den Wegebau im 1. Bauabschnitt umzusetzen und die Beleuchtung insektenfreundlich zu planen."},
			}},
	},
	Evaluation:    "Auswertungsbericht: 412 Beiträge, Empfehlungen des Bürgerrats mit Stellungnahmen der Fachämter",
	Documentation: "https://beteiligung.example.org/leipzig/parkbogen-ost",
	Feedback:      "Rückmeldeveranstaltung und Schreiben an die Mitglieder des Bürgerrats",
	Result: result{Title: "Empfehlungen des Bürgerrats Parkbogen Ost",
		Summary: "Wegebau zuerst, insektenfreundliche Beleuchtung, Erhalt des Gehölzbestands, Gemeinschaftsgarten an der Eisenbahnstraße.",
		URL:     "https://beteiligung.example.org/leipzig/parkbogen-ost/empfehlungen"},
	Decision: decision{Subject: "Ratsbeschluss vom {date}: Bau- und Finanzierungsbeschluss Parkbogen Ost, 1. Bauabschnitt", Model: "council_resolution",
		Outcome: "Beschlossen mit den Empfehlungen des Bürgerrats als Planungsgrundlage", Votes: &process.Votes{Yes: 52, No: 9, Abstain: 4}},
	Measures: []plan{
		{Title: "1. Bauabschnitt: Wegebau zwischen Jonasstraße und Hermann-Liebmann-Straße", Owner: "Amt für Stadtgrün und Gewässer", Due: 100,
			Reports: []report{{20, 30, "in_progress", "Bauauftrag vergeben, Baubeginn erfolgt"}, {55, 75, "in_progress", "Tragschicht fertig, Deckschicht folgt"}, {85, 100, "done", "Abnahme am {date}, Weg freigegeben"}}},
		{Title: "Insektenfreundliche Beleuchtung und Sitzgelegenheiten", Owner: "Verkehrs- und Tiefbauamt", Due: 200,
			Reports: []report{{40, 20, "in_progress", "Leuchtenmodell ausgewählt"}, {80, 60, "in_progress", "Kabeltrasse verlegt"}}},
		{Title: "Gemeinschaftsgarten an der Eisenbahnstraße", Owner: "Amt für Stadtgrün und Gewässer mit Gartenverein", Due: 300},
	},
}

var stadtteilparkRabet = standard{
	n: 4, tenant: "leipzig", title: "Neugestaltung Stadtteilpark Rabet", programme: "Stadtumbau Leipziger Osten",
	open: 150, stop: execution, k: 3,
	Subject:      "Neugestaltung des Nordteils des Stadtteilparks Rabet",
	Scope:        "Entscheidungsspielraum: Wegeführung, Sport- und Spielflächen, Treffpunkte; Baumbestand bleibt erhalten",
	Facilitation: "Externe Moderation, da mehrsprachige Formate und aufsuchende Beteiligung nötig sind",
	Call:         "Ausschreibung der Moderation auf der Vergabeplattform vom {date}",
	Team:         "Amt für Stadtgrün und Gewässer (2), Quartiersmanagement Leipziger Osten (1), Jugendamt (1)",
	Analysis:     "Akteurslandkarte: Jugendliche, Familien, Sportvereine, migrantische Vereine, Polizeiposten, Anwohnende",
	Design:       "Prozessdesign: aufsuchende Beteiligung im Park, Jugendworkshop, Online-Dialog mehrsprachig, Planungswerkstatt",
	Budget:       "Zeit- und Kostenplan: 16 Wochen, 26.000 €",
	Comms:        "Kommunikationsplan: Infostand im Park, Flyer in sechs Sprachen, Kooperation mit dem Offenen Freizeittreff",
	Approval:     "Freigegeben durch die Amtsleitung Stadtgrün und Gewässer",
	First:        "ccccyyzzab",
	Rest:         "ccccyyzzpa",
	Sessions: []gathering{
		{meeting: meeting{ID: "park", Format: "workshop", Title: "Parkgespräche: aufsuchende Beteiligung im Rabet",
			Place: "Stadtteilpark Rabet, Infostand am Spielplatz", In: 12, At: "16:00"}, Attendance: 85,
			Notes: "Drei Nachmittage mit Dolmetschenden, Ideen auf einer großen Parkkarte",
			Contributions: []contribution{
				{By: 5, Topic: "Jugend", Text: "Wir brauchen einen Basketballplatz mit Flutlicht und einen überdachten Treffpunkt, wo wir nicht weggeschickt werden."},
				{Topic: "Sauberkeit", Text: "Mehr Mülleimer und öffentliche Toiletten – die nächste ist am Bahnhof."},
			}},
		{meeting: meeting{ID: "jugend", Format: "workshop", Title: "Jugendworkshop Rabet",
			Place: "Offener Freizeittreff Rabet", In: 14, At: "17:00"}, Attendance: 22,
			Notes: "Jugendliche entwerfen den Sport- und Treffbereich",
			Contributions: []contribution{
				{By: 6, Topic: "Sport", Text: "Calisthenics-Geräte neben dem Basketballfeld, damit auch Mädchen trainieren, die nicht im Verein sind."},
			}},
	},
	then: func(p *proc) {
		p.at(262).schedule(meeting{ID: "online", Format: "online_dialogue", Title: "Online-Dialog Rabet (mehrsprachig)", Online: true, In: 21})
		p.at(270).schedule(meeting{ID: "werkstatt", Format: "workshop", Title: "Planungswerkstatt Rabet",
			Place: "Stadtteilzentrum Leipziger Osten", In: 35})
	},
}

var eisenbahnstrasse = standard{
	n: 5, tenant: "leipzig", title: "Verkehrsberuhigung Eisenbahnstraße", programme: "Mobilitätsstrategie 2030",
	open: 120, stop: conception, k: 2,
	Subject:      "Verkehrsberuhigung und mehr Aufenthaltsqualität in der Eisenbahnstraße",
	Scope:        "Entscheidungsspielraum: Querschnitt, Lieferzonen, Querungen und Begrünung; Straßenbahnführung bleibt",
	Facilitation: "Interne Moderation durch das Mobilitätsteam, externe Verkehrsplanung für Varianten",
	Call:         "Aufruf im Leipziger Amtsblatt vom {date}",
	Team:         "Verkehrs- und Tiefbauamt (2), Stadtplanungsamt (1), Amt für Wirtschaftsförderung (1)",
	Analysis:     "Akteurslandkarte: Gewerbetreibende, Anwohnende, Lieferdienste, LVB, Radverbände, Polizei",
	Design:       "Prozessdesign: Händlerdialog, Verkehrsversuch mit Begleitbefragung, Planungswerkstatt",
	then: func(p *proc) {
		p.at(186).suspend("Haushaltssperre: Die Mittel für Verkehrsversuch und Moderation sind bis zur Genehmigung des Doppelhaushalts gesperrt.")
	},
}
