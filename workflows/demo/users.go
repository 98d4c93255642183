package demo

import (
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
)

// Installation is the Tenant of the installation administrator, who may act in every tenant
// (the same "*" that workflows/tokens uses).
const Installation = "*"

// Tenant is a demo tenant: a municipality (Kommune) or a county (Kreis).
type Tenant struct {
	// Key identifies the tenant, e.g. "leipzig" or "kreis-olpe" (lower case letters, digits, '-').
	Key string
	// Name is the tenant's official name, e.g. "Stadt Leipzig".
	Name string
}

// User is a demo user for whom the caller creates a bearer token.
type User struct {
	// Tenant is the user's tenant key, or Installation ("*") for the installation administrator.
	Tenant string
	// User is the login, e.g. "anna.schubert"; unique across all tenants.
	User string
	// Role is one of administrator, lead, member, auditor, viewer.
	Role string
	// Name is the user's full name, e.g. "Anna Schubert".
	Name string
}

// Actor returns the actor a token for u speaks for: an installation administrator when Tenant
// is Installation.
func (u User) Actor() process.Actor {
	return process.Actor{User: u.User, Tenant: u.Tenant, Role: u.Role, Installation: u.Tenant == Installation}
}

// staff lists, per tenant, the administrator, lead, member, auditor and viewer in that order.
var staff = []struct {
	tenant Tenant
	names  [5]string
}{
	{Tenant{"leipzig", "Stadt Leipzig"}, [5]string{"Sabine Krüger", "Anna Schubert", "Benjamin Vogt", "Claudia Heinrich", "Dorothea Sommer"}},
	{Tenant{"ahlen", "Stadt Ahlen"}, [5]string{"Markus Brinkmann", "Julia Overmann", "Tobias Hölscher", "Petra Kemper", "Lena Wessels"}},
	{Tenant{"bad-berleburg", "Stadt Bad Berleburg"}, [5]string{"Jürgen Afflerbach", "Sandra Womelsdorf", "Christian Dickel", "Monika Saßmannshausen", "Jana Homrighausen"}},
	{Tenant{"bergkamen", "Stadt Bergkamen"}, [5]string{"Thomas Kowalski", "Nadine Schröer", "Kevin Wischnewski", "Gabriele Pieper", "Sarah Buschmann"}},
	{Tenant{"finnentrop", "Gemeinde Finnentrop"}, [5]string{"Stefan Hennecke", "Martina Rameil", "Dominik Schulte", "Ursula Stracke", "Laura Beckmann"}},
	{Tenant{"kirchhundem", "Gemeinde Kirchhundem"}, [5]string{"Bernd Wiethoff", "Andrea Hesse", "Florian Kebben", "Elisabeth Quast", "Marie Japes"}},
	{Tenant{"menden", "Stadt Menden (Sauerland)"}, [5]string{"Frank Böckelühr", "Katrin Schmale", "Daniel Kortmann", "Heike Brüggemann", "Nina Eckhoff"}},
	{Tenant{"kreis-olpe", "Kreis Olpe"}, [5]string{"Matthias Bröcher", "Christiane Stupperich", "Lukas Rinscheid", "Birgit Clemens", "Anja Vollmer"}},
	{Tenant{"senden", "Gemeinde Senden"}, [5]string{"Hendrik Lütke Wöstmann", "Anne Bröskamp", "Jonas Tüllinghoff", "Maria Schulze Pellengahr", "Kira Hölting"}},
	{Tenant{"kreis-siegen-wittgenstein", "Kreis Siegen-Wittgenstein"}, [5]string{"Andreas Klappert", "Silke Irle", "Philipp Stötzel", "Karin Heide", "Mira Dreisbach"}},
	{Tenant{"sprockhoevel", "Stadt Sprockhövel"}, [5]string{"Volker Hegemann", "Miriam Kampmann", "Sebastian Dahlhaus", "Regina Vieler", "Tanja Bönnhoff"}},
}

// installationAdmin administers the whole installation (the county IT service, say).
var installationAdmin = User{Tenant: Installation, User: "ralf.bergmann", Role: template.RoleAdministrator, Name: "Ralf Bergmann"}

// staffRoles are the roles of staff's names, in order.
var staffRoles = [5]string{template.RoleAdministrator, template.RoleLead, template.RoleMember, template.RoleAuditor, template.RoleViewer}

// coordinators are the users of the KSI, which coordinates the EWS programme: an administrator
// and a programme coordinator, who sees the sites' stages and figures but no personal data.
var coordinators = []User{
	{Tenant: ksi.Key, User: "gregor.lamers", Role: template.RoleAdministrator, Name: "Gregor Lamers"},
	{Tenant: ksi.Key, User: "ruth.hagedorn", Role: template.RoleCoordinator, Name: "Ruth Hagedorn"},
}

// Tenants returns the demo tenants: Leipzig and the ten sites of round three of the EWS
// (Ahlen, Bad Berleburg, Bergkamen, Finnentrop, Kirchhundem, Menden, Kreis Olpe, Senden,
// Kreis Siegen-Wittgenstein, Sprockhövel), then the KSI, which coordinates the EWS programme.
func Tenants() []Tenant {
	out := make([]Tenant, len(staff), len(staff)+1)
	for i, s := range staff {
		out[i] = s.tenant
	}
	return append(out, ksi)
}

// Users returns the demo users: per municipal tenant an administrator, a lead, a member, an
// auditor and a viewer, the KSI's administrator and programme coordinator, plus one installation
// administrator (Tenant "*"), who comes first.
func Users() []User {
	out := []User{installationAdmin}
	for _, s := range staff {
		for i, name := range s.names {
			out = append(out, User{Tenant: s.tenant.Key, User: login(name), Role: staffRoles[i], Name: name})
		}
	}
	return append(out, coordinators...)
}

// actor returns the demo user of tenant in role as an actor; Load only asks for tenants and
// roles that exist.
func actor(tenant, role string) process.Actor {
	for _, s := range staff {
		if s.tenant.Key != tenant {
			continue
		}
		for i, r := range staffRoles {
			if r == role {
				return User{Tenant: tenant, User: login(s.names[i]), Role: role}.Actor()
			}
		}
	}
	for _, u := range coordinators {
		if u.Tenant == tenant && u.Role == role {
			return u.Actor()
		}
	}
	panic("demo: no user " + role + " in tenant " + tenant)
}
