package demo

// lastDay is the last day of the demo's calendar (day 0 is the day Load starts; Span is 294
// days): the last step of the script, Menden's progress report, is on it, and nothing else is
// later, so that every command runs before the clock reaches Span even when a weekend moves it
// to the Monday after.
const lastDay = 291

// script returns the demo's processes, numbered as in their command IDs.
func script() []*proc {
	procs := []*proc{
		loesungsteamStadtgruen(),
		spielplatzLindenauerMarkt.script(),
		parkbogenOst.script(),
		stadtteilparkRabet.script(),
		eisenbahnstrasse.script(),
	}
	for _, site := range ewsSites {
		procs = append(procs, site.script())
	}
	return append(procs,
		zielsystemJugendhilfe(),
		buendnisAusbildung(),
		zukunftStadtmitte(),
		spielflaechenBergkamen.script(),
		dorfgemeinschaftshausWelschenEnnest.script(),
		ortskernSenden.script(),
		hasslinghausen.script(),
		mobilitaetFinnentrop.script(),
		buergerparkAhlen.script(),
		radverkehrOlpe.script(),
		freibadBadBerleburg.script(),
		ewsProgramme(),
		wohnenAmElsterbecken(),
	)
}
