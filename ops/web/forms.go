package web

import (
	"sort"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	domain "github.com/civicflow/civicflow/domain/template"
)

// form is one command form on a process page. Every rendered form carries the session's CSRF
// token, the process version the page showed (sent to the engine as the expected version, like
// the API's If-Match) and an idempotency key of its own (the engine's command ID: a form sent
// twice writes once).
type form struct {
	// Command is the engine command, named as in the API's path (complete_task, advance …).
	Command string
	// ID makes the form's element IDs unique on the page.
	ID string
	// URL is where the form is sent when it is not a process command (templates).
	URL string
	// Legend says what the form does, e.g. the task it completes.
	Legend string
	Submit string
	// Danger marks forms that end or pause a process.
	Danger bool
	// Multipart sends the form as multipart/form-data (a form with a file field).
	Multipart bool
	Fields    []field
	// Key is the idempotency key; Version the expected version; CSRF the session's token.
	Key, CSRF, ProcessID string
	Version              int64
	// Error is the engine's refusal (or a problem with the form) in the page's language.
	Error string
}

// Action is the form's URL.
func (f *form) Action() string {
	if f.URL != "" {
		return f.URL
	}
	if f.Command == "open" {
		return "/processes/open"
	}
	return "/processes/" + f.ProcessID + "/do/" + f.Command
}

// ErrorID is the ID of the form's error message, which its fields refer to.
func (f *form) ErrorID() string { return f.ID + "-error" }

// field is one input of a form. Kind is text, textarea, number, date, datetime-local, select or
// hidden.
type field struct {
	Name, Label, Kind, Value, Hint string
	Options                        []option
	Required                       bool
	Min, Max                       string
	// Error is the problem with this field, in the page's language.
	Error string
}

type option struct{ Value, Label string }

func hidden(name, value string) field { return field{Name: name, Kind: "hidden", Value: value} }

// formKey is a rendered form's idempotency key: a UUIDv7, so that the IDs of the events it
// records (derived from it, with its time) lie close together in the store's event-ID index.
func formKey() string { return uuid.Must(uuid.NewV7()).String() }

// formSet builds the forms of one rendered page; each gets a fresh idempotency key.
type formSet struct {
	p       *page
	process string
	version int64
	failed  *formState
}

// formState is what a refused or conflicting submission leaves on the re-rendered page: the
// form's values, and the problem next to its field or at its top.
type formState struct {
	Command, Target string
	Values          map[string]string
	Field, Error    string
	Reasons         []string
	// Since is the version the form was rendered at, when the process changed meanwhile.
	Since int64
}

func (fs *formSet) new(command, target, legend, submit string, fields ...field) *form {
	id := command
	if target != "" {
		id += "-" + target
	}
	f := &form{Command: command, ID: "f-" + id, Legend: legend, Submit: fs.p.T(submit), Key: formKey(),
		CSRF: fs.p.CSRF, ProcessID: fs.process, Version: fs.version}
	for i := range fields {
		if fields[i].Required {
			fields[i].Label += " " + fs.p.T("field.required")
		}
	}
	if target != "" {
		fields = append([]field{hidden("target", target)}, fields...)
	}
	f.Fields = fields
	if st := fs.failed; st != nil && st.Command == command && st.Target == target {
		fs.restore(f, st)
	}
	return f
}

// restore puts the submitted values back and ties the problem to its field (or the form).
func (fs *formSet) restore(f *form, st *formState) {
	onField := false
	for i := range f.Fields {
		fl := &f.Fields[i]
		if fl.Kind == "hidden" {
			continue
		}
		if v, ok := st.Values[fl.Name]; ok {
			fl.Value = v
		}
		if st.Field != "" && st.Field == fl.Name {
			fl.Error, onField = st.Error, true
		}
	}
	if !onField {
		f.Error = st.Error
	}
}

// text is a labelled text input; required says whether the engine needs it.
func (fs *formSet) text(name, label string, required bool) field {
	return field{Name: name, Label: fs.p.T(label), Kind: "text", Required: required}
}

func (fs *formSet) textarea(name, label string, required bool) field {
	return field{Name: name, Label: fs.p.T(label), Kind: "textarea", Required: required}
}

func (fs *formSet) number(name, label string, lo, hi int) field {
	return field{Name: name, Label: fs.p.T(label), Kind: "number", Required: true, Min: strconv.Itoa(lo), Max: strconv.Itoa(hi)}
}

// choice is a select over a vocabulary (stakeholder groups, formats, decision models), sorted by
// the label shown.
func (fs *formSet) choice(name, label string, vocab map[string]domain.Text, required bool) field {
	f := field{Name: name, Label: fs.p.T(label), Kind: "select", Required: required}
	for k, t := range vocab {
		f.Options = append(f.Options, option{k, fs.p.Vocab(t)})
	}
	sortOptions(f.Options)
	return f
}

func sortOptions(o []option) {
	sort.Slice(o, func(i, j int) bool { return o[i].Label < o[j].Label })
}

// titleCase capitalises a vocabulary name's first letter ("administration" → "Administration"),
// as German names already are.
func titleCase(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// Vocab is a vocabulary name (stakeholder group, format, decision model) in the page's language,
// capitalised as a title in English too ("Administration").
func (p *page) Vocab(t domain.Text) string { return titleCase(p.Text(t)) }
