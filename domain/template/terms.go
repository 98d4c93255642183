package template

import "fmt"

// Term is a word of a template's own vocabulary: a key with its German and English names.
type Term struct {
	// Key identifies the term, e.g. "authorities".
	Key string `json:"key"`
	// Title names it, e.g. "Behörden und sonstige Träger öffentlicher Belange".
	Title Text `json:"title"`
}

// GroupTitle returns the name of a stakeholder group of Groups or of the template's own groups.
func (t *Template) GroupTitle(key string) (Text, bool) { return lookup(Groups, t.OwnGroups, key) }

// FormatTitle returns the name of a format of Formats or of the template's own formats.
func (t *Template) FormatTitle(key string) (Text, bool) { return lookup(Formats, t.OwnFormats, key) }

func lookup(common map[string]Text, own []Term, key string) (Text, bool) {
	if x, ok := common[key]; ok {
		return x, true
	}
	for _, x := range own {
		if x.Key == key {
			return x.Title, true
		}
	}
	return Text{}, false
}

// terms checks a template's own groups or formats: keys, names, and no key of the common list.
func (c *checker) terms(path string, own []Term, common map[string]Text) {
	seen := map[string]bool{}
	for i, x := range own {
		p := fmt.Sprintf("%s[%d]", path, i)
		c.key(p+".key", x.Key, seen)
		c.text(p+".title", x.Title, true)
		if _, ok := common[x.Key]; ok {
			c.add(p+".key", "%q is already a common key: use it without declaring it", x.Key)
		}
	}
}
