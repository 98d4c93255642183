package demo

import (
	"strings"

	"github.com/google/uuid"
)

// personSpace derives the demo's person IDs (the keys of the vault) from tenant and name, so that
// the same name in the same tenant is the same person in every process and every run.
var personSpace = uuid.MustParse("0b6f4c1e-5a0d-4d7e-9f3a-8c2b1e7d6a54")

// The participants' names: first names of several generations and origins, common surnames.
var (
	firstNames = []string{
		"Anna", "Lukas", "Marie", "Jonas", "Sophie", "Leon", "Hannah", "Felix", "Emma", "Paul",
		"Lea", "Maximilian", "Lena", "Tim", "Johanna", "David", "Clara", "Niklas", "Sarah", "Jan",
		"Katharina", "Moritz", "Laura", "Philipp", "Miriam", "Sebastian", "Charlotte", "Florian",
		"Helga", "Dieter", "Renate", "Klaus", "Ingrid", "Wolfgang", "Brigitte", "Günter", "Ursula",
		"Manfred", "Elif", "Mehmet", "Aylin", "Ahmet", "Natalia", "Piotr", "Svetlana", "Yusuf",
		"Fatma", "Jürgen", "Gisela", "Ole",
	}
	lastNames = []string{
		"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
		"Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz",
		"Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner",
		"Krause", "Meier", "Lehmann", "Köhler", "Herrmann", "König", "Walter", "Huber", "Kaiser",
		"Fuchs", "Peters", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Yılmaz", "Kaya", "Nowak",
		"Demir", "Schäfer", "Vogel",
	}
)

// person is a participant's personal data.
type person struct {
	ID, Name, Email string
}

// participant returns the k-th participant of process n in tenant. Within a process the first
// names differ, so nobody is registered twice; every fourth person gave no e-mail address.
func participant(tenant string, n, k int) person {
	first := firstNames[(7*n+k)%len(firstNames)]
	last := lastNames[(13*n+5*k)%len(lastNames)]
	name := first + " " + last
	p := person{ID: uuid.NewSHA1(personSpace, []byte(tenant+"/"+name)).String(), Name: name}
	if k%4 != 3 {
		p.Email = login(name) + "@example.org"
	}
	return p
}

// login turns a name into a login or mailbox name: "Jürgen Weiß" → "juergen.weiss".
func login(name string) string {
	r := strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "Ä", "ae", "Ö", "oe", "Ü", "ue", "ß", "ss", "ı", "i", " ", ".")
	return strings.ToLower(r.Replace(name))
}
