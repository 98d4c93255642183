package process

import (
	"time"

	"github.com/civicflow/civicflow/domain/template"
)

// ActSetOpenData marks a process public for the open-data export, or private again.
const ActSetOpenData Action = "set_open_data"

func init() {
	roles[ActSetOpenData] = []string{template.RoleAdministrator}
	register[OpenDataSet](1, nil)
}

// OpenDataSet records that an administrator marked the process public (its aggregate,
// non-personal figures appear in the tenant's open-data export) or private again.
type OpenDataSet struct {
	Public bool      `json:"public"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// Type is "process.open_data_set".
func (OpenDataSet) Type() string { return "process.open_data_set" }

// SetOpenData marks the process public or private for the open-data export. Only administrators
// may; it is allowed in every status (a completed process is what open data is most often about)
// and refused with open_data_unchanged when the process already is what public asks. public is
// required (nil: invalid).
func (p *Process) SetOpenData(m Meta, public *bool) error {
	if p.Version == 0 || !m.Actor.Sees(p.Tenant) {
		return ErrNotFound
	}
	if err := authorise(m.Actor, ActSetOpenData); err != nil {
		return err
	}
	if public == nil {
		return invalid("public", "is required: true or false")
	}
	if p.Public == *public {
		if p.Public {
			return refuse("open_data_unchanged", "Das Verfahren ist bereits öffentlich / the process is already public")
		}
		return refuse("open_data_unchanged", "Das Verfahren ist nicht öffentlich / the process is not public")
	}
	p.record(m, OpenDataSet{Public: *public, By: m.Actor.User, At: m.Now})
	return nil
}
