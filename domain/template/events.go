package template

import "strings"

// Published is the event "template.published": an immutable, numbered version with its content
// hash, recorded in the stream "template-<id>" of its full ID (see Qualify).
type Published struct {
	Template Template `json:"template"`
	Hash     string   `json:"hash"`
	By       string   `json:"by"`
	// DerivedFrom is the installation template version a tenant's template was copied from; nil
	// for a template published as written.
	DerivedFrom *Source `json:"derived_from,omitempty"`
}

// Source names the template version a derived template was copied from: its full ID, version and
// content hash, so that the copy's provenance can be checked against the log.
type Source struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	Hash    string `json:"hash"`
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

// StreamOf returns the stream of a template's versions; id is the full ID.
func StreamOf(id string) string { return "template-" + id }

// Installation owns the installation templates: the embedded ones and those the installation's
// administrators publish. Every tenant sees them; only installation administrators publish,
// version and retire them.
const Installation = "*"

// Qualify returns the full ID of the template id of owner: id itself for an installation
// template, "<tenant>:<id>" for a tenant's, so that two tenants' "foo" are two templates. The
// full ID is the template's ID in its events, in its stream's name and in the processes opened
// from it.
func Qualify(owner, id string) string {
	if owner == Installation {
		return id
	}
	return owner + ":" + id
}

// OwnerOf returns the owner of the template with the full ID: the tenant before the colon, or
// Installation for an ID without one. Templates published before ownership existed have IDs
// without a tenant, so they read as installation templates: nothing is rewritten.
func OwnerOf(id string) string {
	tenant, _, ok := strings.Cut(id, ":")
	if !ok {
		return Installation
	}
	return tenant
}
