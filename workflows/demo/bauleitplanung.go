package demo

import (
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/engine"
)

// tplBauleitplanung is formal participation in land-use planning (BauGB §§ 3, 4, 4a).
const tplBauleitplanung = "bauleitplanung"

// wohnenAmElsterbecken is Leipzig's development plan no. 71: early participation, the
// announcement a week ahead, a month's publication with the authorities in parallel, a late
// letter after the period ended, the examination and a republication with a shortened period
// that is still running when the demo ends. Without a settable clock it waits in the draft stage
// for the week of notice.
func wohnenAmElsterbecken() *proc {
	p := newProc(28, "leipzig", tplBauleitplanung, 150, engine.OpenProcess{
		Title: "Bebauungsplan Nr. 71 „Wohnen am Elsterbecken“", Programme: "Bauleitplanung Leipzig"})
	// early participation
	p.after(1).register(groups("cccbntt")...)
	p.after(1).meet(meeting{ID: "eroerterung", Format: "public_hearing", Title: "Unterrichtung und Erörterung zum Vorentwurf",
		Place: "Neues Rathaus, Festsaal", In: 7, At: "18:00"}, 64, "Vorentwurf mit drei Varianten der Bebauung vorgestellt")
	p.contribute("frueh-1", "eroerterung", 1, "Verkehr", "Die Zufahrt über die Erich-Zeigner-Allee ist schon heute überlastet.")
	p.contribute("frueh-2", "eroerterung", 2, "Grün", "Der Uferstreifen am Elsterbecken muss öffentlich zugänglich bleiben.")
	p.after(1).task("inform_public", "Bekanntmachung im Leipziger Amtsblatt vom {date} und Vorentwurf im Beteiligungsportal")
	p.task("inform_authorities", "Schreiben an 38 Behörden und sonstige Träger öffentlicher Belange vom {date} (Scoping)")
	p.after(2).task("document_early_comments", "Niederschrift der Erörterung, 23 Äußerungen")
	p.after(1).advance()
	// draft and announcement
	p.after(5).task("prepare_draft", "Entwurf mit Begründung und Umweltbericht, Stand {date}")
	p.after(2).task("publication_resolution", "Beschluss des Fachausschusses Stadtentwicklung und Bau vom {date}")
	p.after(3).task("announce", "Leipziger Amtsblatt Nr. 17 vom {date}: Ort und Dauer der Veröffentlichung")
	p.setDate("announced_at", "Leipziger Amtsblatt Nr. 17")
	p.after(12).advance() // the week of notice has passed, also after a holiday
	p.steps[len(p.steps)-1].waits = true
	// publication: one month, at least 30 days; the authorities in parallel
	p.after(1).task("publish_online", "https://www.leipzig.de/bebauungsplan-71 und Auslegung im Stadtbüro, Katharinenstraße 1")
	p.task("involve_authorities", "Schreiben an die Behörden vom {date} mit Frist von einem Monat")
	p.after(9).contribute("einwendung-1", "", 3, "Lärmschutz", "Die geplante Lärmschutzwand reicht für die Nachtwerte nicht aus.")
	p.after(10).contribute("einwendung-2", "", 4, "Stellplätze", "Die Tiefgarage sollte auch den Anwohnenden offenstehen.")
	p.at(p.entered + 42).advance()
	p.steps[len(p.steps)-1].waits = true
	p.after(3).lateLetter("einwendung-spaet", 2, "Baumbestand", "Die Platanen an der Uferpromenade müssen erhalten bleiben.")
	// examination, then a republication after a change
	p.after(7).task("examine_comments", "Abwägungstabelle mit 27 Stellungnahmen, Stand {date}")
	p.after(2).task("communicate_result", "Mitteilung des Prüfergebnisses an die Einsendenden vom {date}")
	p.after(1).advance()
	p.at(283).task("decide_republication", "Festsetzung zur Dachbegrünung geändert: erneute Veröffentlichung für 14 Tage, "+
		"Stellungnahmen nur zu den geänderten Teilen (§ 4a Abs. 3 BauGB)")
	p.after(1).task("republish", "https://www.leipzig.de/bebauungsplan-71 (geänderter Entwurf)")
	p.after(1).setDate("republished_at", "Erneute Veröffentlichung, Frist auf 14 Tage verkürzt")
	return p
}

// setDate records a named date of the template as the step's time.
func (p *proc) setDate(key, note string) {
	p.add("date-"+key, template.RoleLead, func(r *runner) engine.Command {
		return engine.SetDate{Date: key, Value: r.now, Note: note}
	})
}

// lateLetter records a letter by participant k received the day before, after its period ended.
func (p *proc) lateLetter(id string, k int, topic, text string) {
	received := p.day - 1
	p.add("contribute-"+id, template.RoleMember, func(r *runner) engine.Command {
		return engine.RecordContribution{Contribution: id, Participant: participantID(k), Topic: topic, Text: text,
			ReceivedAt: r.dayDate(received)}
	})
}
