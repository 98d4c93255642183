package template

// Published is the event "template.published": an immutable, numbered version with its content
// hash, recorded in the stream "template-<id>".
type Published struct {
	Template Template `json:"template"`
	Hash     string   `json:"hash"`
	By       string   `json:"by"`
}

// Retired is the event "template.retired": the version opens no new processes; running ones go on.
type Retired struct {
	Version int    `json:"version"`
	Reason  string `json:"reason"`
	By      string `json:"by"`
}

// Event types of templates.
const (
	TypePublished = "template.published"
	TypeRetired   = "template.retired"
)

// StreamOf returns the stream of a template's versions.
func StreamOf(id string) string { return "template-" + id }
