// Package programme is the programme aggregate: a group of participation processes in several
// tenants run together, e.g. one site process per municipality in a round of the EWS
// Entwicklungswerkstatt. A programme has its own event stream ("programme-<id>"): a coordinating
// organisation, a duration, a limit on member sites, its member processes, and shared sessions
// held once for all sites with attendance per site and person.
//
// Intent methods check, then record; Apply is the only code that changes state:
//
//	p, err := programme.Open(meta, programme.OpenInput{ID: id, Title: "EWS Runde 3", MaxSites: 10, ...})
//	err = p.Join(meta, programme.Member{Process: siteID, Tenant: "menden", Site: "Menden"})
//	events := p.Pending() // to append to the programme's stream
//
// The programme's tenant is the coordinating organisation's. Its coordinators (and
// administrators) see each member process's stage and figures, never personal data; attendance
// names persons only by their pseudonymous, tenant-scoped IDs.
package programme
