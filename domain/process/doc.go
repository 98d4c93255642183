// Package process is the participation process aggregate: a process opened from a template
// version and driven through its stages by commands, each recorded as events.
//
// Intent methods check, then record: (*Process).Advance checks the actor's role and tenant, the
// status, the required tasks, the approvals and every gate, and only then records StageCompleted.
// Appliers (Apply) are the only code that changes state, so replaying the recorded events gives
// the same state:
//
//	p, err := process.Open(meta, process.OpenInput{Title: "Spielplatz Lindenau", ...}, tpl)
//	err = p.CompleteTask(meta, tpl, "tender", "define_subject", "Beschluss vom 3.3.")
//	err = p.Advance(meta, tpl, gates)
//	events := p.Pending() // to append to the process's stream
//
// Time comes in with each command (Meta.Now); personal data comes in sealed (Sealed), so that a
// person's data can be erased by deleting their key without touching the events.
package process
