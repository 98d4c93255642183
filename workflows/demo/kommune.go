package demo

import "github.com/civicflow/civicflow/workflows/engine"

// tplKommune is "Die Kokreative Kommune": participation run by the municipality's own staff.
const tplKommune = "kokreative-kommune"

// zukunftStadtmitte is Bergkamen's first participation process run by its own staff, now in its
// execution. Participants 1–4 are the process team; the community of practice meets every four
// weeks on Thursdays, 16:30–18:00.
func zukunftStadtmitte() *proc {
	p := newProc(18, "bergkamen", tplKommune, 20, engine.OpenProcess{Title: "Kokreative Kommune Bergkamen: Zukunft Stadtmitte", Programme: "Kokreative Kommune"})
	// tender
	p.after(3).task("define_subject", "Gegenstand: Nutzung der Leerstände und des Platzes an der Präsidentenstraße; Entscheidungsspielraum: Zwischennutzungen und Platzgestaltung bis 250.000 €")
	p.after(5).task("choose_facilitation", "Begleitung durch eigene Mitarbeitende (Befähigungsansatz): vier Mitarbeitende werden in Hosting und Facilitation trainiert")
	p.after(5).task("publish_call", "Interessenbekundungsverfahren im Amtsblatt vom {date} und im Intranet")
	p.after(2).register("administration", "administration", "administration", "politics")
	p.after(1).task("select_team", "Prozessteam: Stadtplanung, Wirtschaftsförderung, Stabsstelle Bürgerbeteiligung und ein Ratsmitglied")
	p.after(4).advance()
	// conception along the four structures
	p.after(8).task("stakeholder_analysis", "Akteurslandkarte: Einzelhandel, Eigentümer der Leerstände, Jugendzentrum, Seniorenbeirat, Vereine")
	p.after(7).task("structure_culture", "Leitbild zur Zusammenarbeit „Wir machen Stadtmitte gemeinsam“ und Plan für Community Organizing in drei Nachbarschaften")
	p.after(7).task("structure_spaces", "Raumkonzept: Pop-Up-Stadtwerkstatt im Leerstand Präsidentenstraße 12, Moderationskoffer, digitaler Projektraum")
	p.after(8).task("structure_processes", "Prozessdesign: Training des Teams, zwei Stadtwerkstätten, Online-Dialog, Verstetigung als offene Sprechstunde")
	p.after(8).task("structure_governance", "Entscheidungswege: Empfehlungen der Stadtwerkstatt gehen mit Stellungnahme der Verwaltung in den Ausschuss; Konsent im Prozessteam")
	p.after(6).task("schedule_budget", "Zeit- und Kostenplan: 24 Wochen, 38.000 € (Miete, Ausstattung, Training)")
	p.after(4).task("communication_plan", "Kommunikationsplan: Schaufenster der Stadtwerkstatt, Stadtspiegel, Instagram")
	p.after(4).approve("department_head", "Konzept mit den vier Strukturen freigegeben, Beigeordnete für Stadtentwicklung")
	p.after(3).advance()
	// execution
	p.after(3).meet(meeting{ID: "training", Format: "training", Title: "Training Hosting und Facilitation für das Prozessteam",
		Place: "Rathaus Bergkamen, Sitzungszimmer 2", In: 10, At: "09:00"}, 6, "Methoden: World Café, Dynamic Facilitation, Konsent")
	p.after(2).register(groups("ccccczzzpb")...)
	p.after(2).meet(meeting{ID: "stadtwerkstatt1", Format: "workshop", Title: "1. Stadtwerkstatt: Was braucht die Stadtmitte?",
		Place: "Pop-Up-Stadtwerkstatt, Präsidentenstraße 12", In: 14}, 46, "World Café mit drei Thementischen")
	p.contribute("sw1-1", "stadtwerkstatt1", 5, "Zwischennutzung", "Im Leerstand gegenüber könnte ein Repair-Café mit Nähwerkstatt einziehen – Ehrenamtliche stehen bereit.")
	p.contribute("sw1-2", "stadtwerkstatt1", 8, "Jugend", "Ein Ort für Jugendliche ohne Konsumzwang, mit WLAN und Steckdosen.")
	p.contribute("sw1-3", "stadtwerkstatt1", 0, "Platz", "Schatten und Wasser auf dem Platz, im Sommer ist er eine Hitzeinsel.")
	p.after(3).meet(meeting{ID: "cop1", Format: "community_of_practice", Title: "Community of Practice: Fallberatung Stadtmitte",
		Online: true, In: 10, At: "16:30", Thursday: true}, 14, "Fallbeispiel eingebracht: Wie gehen wir mit lauten Einzelstimmen um?")
	p.after(2).task("community_of_practice", "Teilnahmenachweis und Fallbeschreibung vom {date}")
	p.after(10).meet(meeting{ID: "cop2", Format: "community_of_practice", Title: "Community of Practice: Zwischennutzungsverträge",
		Online: true, In: 14, At: "16:30", Thursday: true}, 12, "")
	p.after(5).register(groups("cccccz")...)
	p.after(3).meet(meeting{ID: "online", Format: "online_dialogue", Title: "Online-Dialog Zukunft Stadtmitte", Online: true, In: 21}, 168,
		"Drei Wochen Laufzeit, 94 Beiträge")
	p.contribute("online-1", "online", 12, "Markt", "Ein Feierabendmarkt donnerstags würde den Platz beleben und die Geschäfte stärken.")
	p.after(2).task("register_participants", "Teilnehmendenliste (Stand {date})")
	p.after(10).meet(meeting{ID: "cop3", Format: "community_of_practice", Title: "Community of Practice: Ergebnisse zurückspielen",
		Online: true, In: 14, At: "16:30", Thursday: true}, 13, "")
	p.at(262).schedule(meeting{ID: "stadtwerkstatt2", Format: "workshop", Title: "2. Stadtwerkstatt: Empfehlungen für den Ausschuss",
		Place: "Pop-Up-Stadtwerkstatt, Präsidentenstraße 12", In: 35})
	p.at(276).schedule(meeting{ID: "cop4", Format: "community_of_practice", Title: "Community of Practice: Empfehlungen formulieren",
		Online: true, In: 26, At: "16:30", Thursday: true})
	return p
}
