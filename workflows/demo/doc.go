// Package demo fills an empty store with a living demo for "civicflow serve --demo": the seed
// templates and 27 participation processes of Leipzig and the ten sites of round three of the
// Entwicklungswerkstatt für kommunale Engagementstrategien (EWS), with German content, written
// through the engine's commands only, by the demo users in their roles (leads open and advance,
// members record, an administrator who is not the lead approves).
//
// The server gives the demo a clock that runs Span behind real time until Load has written the
// history, and the store the same clock, so that events are recorded at the times they claim:
//
//	var mu sync.Mutex
//	lag := demo.Span
//	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return time.Now().Add(-lag) }
//	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); lag -= d }
//	store, err := sqlite.New(ctx, sqlite.Config{Path: path, Clock: now})
//	eng, err := engine.New(engine.Config{Store: store, Vault: store.Vault(), Gates: gates, Clock: now, Snapshots: store.Snapshots()})
//	sum, err := demo.Load(ctx, eng, now, advance) // the history of the last 42 weeks; lag is now about 0
//	for _, u := range demo.Users() {
//		secret, _, err := registry.Create(ctx, u.Tenant, u.User, u.Role) // a tokens.Registry; hand out the secrets
//	}
//
// # Time
//
// Load works on a calendar of days from the clock's time when it starts (day 0) to Span (42
// weeks) later. With advance it moves the clock to each command's time – working days from 08:00
// German time, two minutes per command, a weekend moved to the Monday after – so that stages are
// entered weeks apart, sessions are held after their date and the default template's tender gate
// (stage.days >= 30.0) passes; at the end the clock stands at Span after the start, also when the
// demo was already there. With advance nil, every command runs at the clock's time: sessions that
// the script holds are dated at that time, and the processes of the default template stay in
// their first stage (tender) with its work done, because nothing after it can happen without 30
// days passing.
//
// # Idempotency
//
// Every command has a fixed command ID "demo/<nn>/<step>" (e.g. "demo/03/task-define_subject");
// the engine derives each process ID from its tenant and the ID of its open command. When the
// script's last command ("demo/17/progress-m1-2") is recorded, Load writes nothing; otherwise it
// runs the script, and the commands recorded before return as duplicates, so an interrupted Load
// is completed by the next. Given the clock, Load issues the same commands at the same times with
// the same event IDs; only the ciphertexts of personal data differ (random keys and nonces).
//
// # Content
//
// Participants have common German names (the same name in a tenant is the same person) and
// addresses at example.org; names, addresses and a participant's contributions are sealed by the
// engine. With advance, the processes end as follows (status active unless said otherwise):
//
//	 n  tenant                     template                               title                                                 stage
//	 1  leipzig                    leipzig-kokreative-projektentwicklung  Ko-kreative Projektentwicklung <year>, Lösungsteam Stadtgrün  project_development
//	 2  leipzig                    beteiligung-standard                   Beteiligung Spielplatz Lindenauer Markt               follow_up (decision pending)
//	 3  leipzig                    beteiligung-standard                   Bürgerbeteiligung Parkbogen Ost                       implementation
//	 4  leipzig                    beteiligung-standard                   Neugestaltung Stadtteilpark Rabet                     execution
//	 5  leipzig                    beteiligung-standard                   Verkehrsberuhigung Eisenbahnstraße                    conception, suspended
//	 6  ahlen                      ews-engagementstrategie                Engagementstrategie Ahlen                             implementation
//	 7  bad-berleburg              ews-engagementstrategie                Engagementstrategie Bad Berleburg                     workshop_series
//	 8  bergkamen                  ews-engagementstrategie                Engagementstrategie Bergkamen                         strategy_decision
//	 9  finnentrop                 ews-engagementstrategie                Engagementstrategie Finnentrop                        workshop_series
//	10  kirchhundem                ews-engagementstrategie                Engagementstrategie Kirchhundem                       conference (was suspended)
//	11  menden                     ews-engagementstrategie                Engagementstrategie Menden                            workshop_series
//	12  kreis-olpe                 ews-engagementstrategie                Engagementstrategie Kreis Olpe                        workshop_series, suspended
//	13  senden                     ews-engagementstrategie                Engagementstrategie Senden                            application (went back)
//	14  kreis-siegen-wittgenstein  ews-engagementstrategie                Engagementstrategie Kreis Siegen-Wittgenstein         completed
//	15  sprockhoevel               ews-engagementstrategie                Engagementstrategie Sprockhövel                       strategy_decision
//	16  kreis-siegen-wittgenstein  kommune-360-ausschussarbeit            Wirkungsorientiertes Zielsystem im Jugendhilfeausschuss  goal_system
//	17  menden                     gemeinsam-wirken                       Bündnis für Ausbildung Menden                         collective_action
//	18  bergkamen                  kokreative-kommune                     Kokreative Kommune Bergkamen: Zukunft Stadtmitte      execution
//	19  bergkamen                  beteiligung-standard                   Spielflächenkonzept Bergkamen 2030                    tender
//	20  kirchhundem                beteiligung-standard                   Dorfgemeinschaftshaus Welschen Ennest                 tender
//	21  senden                     beteiligung-standard                   Ortskernentwicklung Senden: Bürgerwerkstatt Herrenstraße  execution, suspended
//	22  sprockhoevel               beteiligung-standard                   Dorfentwicklung Haßlinghausen                         conception (approval pending)
//	23  finnentrop                 beteiligung-standard                   Mobilitätskonzept Finnentrop 2035                     follow_up
//	24  ahlen                      beteiligung-standard                   Bürgerpark Ahlen Süd/Ost                              implementation
//	25  kreis-olpe                 beteiligung-standard                   Radverkehrskonzept Kreis Olpe                         completed
//	26  bad-berleburg              beteiligung-standard                   Sanierung Freibad Bad Berleburg                       cancelled in tender
//	28  leipzig                    bauleitplanung                         Bebauungsplan Nr. 71 „Wohnen am Elsterbecken“         republication (period running)
//
// That is 7 templates and 27 processes (21 active, 3 suspended, 2 completed, 1 cancelled) in
// about 1,270 events; every stage of the default template holds two open processes. Process 28
// keeps the legal periods of land-use planning: its publication ended after a month, a letter
// received after that is flagged late, and its republication's 14 days are still running when
// the demo ends. Without advance, processes 2–5 and 19–25 are active in tender and process 28
// waits in draft for its week of notice (24 active, 1 suspended, 1 completed, 1 cancelled, about
// 860 events).
//
// # Programme, teams, indicators
//
// The ten EWS sites are also the member sites of the programme "EWS Runde 3" (steps
// "demo/27/…"), opened by the coordinator of the KSI (tenant "ksi", with an administrator and a
// programme coordinator as users): each site's lead joins, the Fachtagung and the six workshops are
// held once for all sites (not in the sites' processes, whose gates read the programme's
// attendance), and each site records which of its two Entwicklungsteam members attended
// (Kirchhundem, suspended, from day 150 not). Each site forms its two-person team; the
// councils' strategy decisions name the council as the body that adopted them. Leipzig's
// Lösungsteam Stadtgrün has five members and a coach among three coaching partners; attendance is
// recorded per module (participant 4 misses two and gets no certificate) with feedback on the
// first and last module. The Bündnis für Ausbildung Menden has five partner organisations (the
// Bildungsbüro as backbone), a steering group and two speakers, and values of its shared
// indicators; the Kommune 360° goal system has values for its three indicators.
package demo
