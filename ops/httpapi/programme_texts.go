package httpapi

// programmeText is the hand-written part of a programme command's documentation, with who may
// issue it (the programme decides: coordinators, member sites).
type programmeText struct {
	commandText
	who string
}

// programmeTexts document the programme commands (ProgrammeCommandHelp adds their fields).
var programmeTexts = map[string]programmeText{
	"join": {commandText{"Programm beitreten / join the programme",
		"Macht ein Verfahren der eigenen Kommune zum Standort des Programms; über max_sites hinaus 422 `max_sites`. / Makes one of the tenant's processes a site of the programme; beyond max_sites 422 `max_sites`.",
		[]string{"max_sites"}, map[string]any{"process": "0195a3c4-8f00-7c1e-9a55-3c1d2a4b5e6f", "site": "Menden"}},
		"Verwaltung oder Verfahrensleitung einer Mitgliedskommune / an administrator or lead of a member tenant"},
	"leave": {commandText{"Programm verlassen / leave the programme",
		"Beendet die Mitgliedschaft eines Standorts, mit Begründung. / Ends a site's membership, with a reason.",
		nil, map[string]any{"process": "0195a3c4-8f00-7c1e-9a55-3c1d2a4b5e6f", "reason": "Förderung ausgelaufen"}},
		"Verwaltung oder Verfahrensleitung des Standorts oder die Koordination / an administrator or lead of the site, or the coordination"},
	"schedule_session": {commandText{"Gemeinsame Veranstaltung planen / schedule a shared session",
		"Plant eine Veranstaltung für alle Standorte. / Schedules a session shared by all sites.",
		nil, map[string]any{"title": "Netzwerktreffen", "format": "workshop", "date": "2025-05-20T10:00:00+02:00", "online": true}},
		"Die Koordination des Programms / the programme's coordination"},
	"hold_session": {commandText{"Gemeinsame Veranstaltung durchgeführt / hold a shared session",
		"Vermerkt eine gemeinsame Veranstaltung als durchgeführt. / Records a shared session as held.",
		nil, map[string]any{"session": "s-1", "notes": "12 Standorte vertreten"}},
		"Die Koordination des Programms / the programme's coordination"},
	"record_attendance": {commandText{"Anwesenheit erfassen / record attendance",
		"Erfasst, welche Personen des eigenen Standorts an einer gemeinsamen Veranstaltung teilnahmen. / Records which persons of the actor's site attended a shared session.",
		nil, map[string]any{"session": "s-1", "persons": []string{"p-1", "p-2"}}},
		"Rollen eines Mitgliedsstandorts, die Befehle geben / the acting roles of a member site"},
	"declare_indicator": {commandText{"Gemeinsamen Indikator festlegen / declare a shared indicator",
		"Legt einen Indikator fest, den alle Standorte teilen (Felder wie beim Verfahrensbefehl; measure ist nicht erlaubt). / Declares an indicator all sites share (fields as the process command's; measure is not allowed).",
		nil, map[string]any{"indicator": "reach", "name_de": "Erreichte Personen", "name_en": "persons reached", "unit": "Personen", "direction": "increase",
			"baseline_value": 0, "baseline_date": "2025-01-01T00:00:00Z", "target_value": 500, "target_date": "2026-01-01T00:00:00Z"}},
		"Die Koordination des Programms / the programme's coordination"},
	"record_indicator_value": {commandText{"Wert eines gemeinsamen Indikators erfassen / record a shared indicator's value",
		"Erfasst einen gemessenen Wert eines gemeinsamen Indikators. / Records a measured value of a shared indicator.",
		nil, map[string]any{"indicator": "reach", "value": 120, "date": "2025-07-01T00:00:00Z", "source": "Teilnahmelisten"}},
		"Die Koordination und die Mitgliedsstandorte / the coordination and the member sites"},
	"give_feedback": {commandText{"Rückmeldung zu einer gemeinsamen Veranstaltung / give feedback on a shared session",
		"Erfasst die Rückmeldung einer Person des eigenen Standorts, die laut Anwesenheitsliste teilnahm: Bewertungen der Rückmeldefragen der Vorlage des Standortverfahrens und optional Text, der als personenbezogenes Datum verschlüsselt wird. Dashboard und Bericht zeigen nur Anzahlen und Mittelwerte. / Records the feedback of a person of the actor's site who attended, by the attendance record: ratings of the feedback questions of the site process's template and optional text, sealed as personal data. Dashboard and report show counts and means only.",
		[]string{"not_a_member", "not_attended", "feedback_given", "duplicate_id"},
		map[string]any{"session": "s-1", "person": "0195a3c4-8f00-7c1e-9a55-3c1d2a4b5e70", "ratings": map[string]int{"useful": 4}, "text": "Mehr Zeit für den Austausch"}},
		"Rollen eines Mitgliedsstandorts, die Befehle geben / the acting roles of a member site"},
}
