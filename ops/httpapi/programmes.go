package httpapi

import (
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
)

// The programme routes (domain/programme): a programme of several tenants' processes, its
// commands, and its view for coordinators and member tenants.
func init() {
	routes = append(routes,
		route{"GET", "/api/v1/programmes", false, (*API).listProgrammes},
		route{"POST", "/api/v1/programmes", false, (*API).openProgramme},
		route{"GET", "/api/v1/programmes/{id}", false, (*API).showProgramme},
	)
	for _, name := range ProgrammeCommands() {
		routes = append(routes, route{"POST", programmeCommandPath(name), false, (*API).programmeCommand})
	}
}

// programmeCommands maps the path segment of each programme command to a new command value.
var programmeCommands = map[string]func() engine.ProgrammeCommand{
	"join":                   func() engine.ProgrammeCommand { return &engine.JoinProgramme{} },
	"leave":                  func() engine.ProgrammeCommand { return &engine.LeaveProgramme{} },
	"schedule_session":       func() engine.ProgrammeCommand { return &engine.ScheduleProgrammeSession{} },
	"hold_session":           func() engine.ProgrammeCommand { return &engine.HoldProgrammeSession{} },
	"record_attendance":      func() engine.ProgrammeCommand { return &engine.RecordProgrammeAttendance{} },
	"declare_indicator":      func() engine.ProgrammeCommand { return &engine.DeclareProgrammeIndicator{} },
	"record_indicator_value": func() engine.ProgrammeCommand { return &engine.RecordProgrammeIndicatorValue{} },
	"give_feedback":          func() engine.ProgrammeCommand { return &engine.GiveProgrammeFeedback{} },
}

// ProgrammeCommands returns the names of the programme commands (the last path segment).
func ProgrammeCommands() []string {
	out := make([]string, 0, len(programmeCommands))
	for k := range programmeCommands {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// programmeSummary is a programme in the list.
type programmeSummary struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Tenant      string    `json:"tenant"`
	Coordinator string    `json:"coordinator"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	MaxSites    int       `json:"max_sites"`
	Sites       int       `json:"sites"`
	Version     int64     `json:"version"`
}

func (a *API) listProgrammes(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	list, err := a.cfg.Engine.Programmes(r.Context(), actor)
	if err != nil {
		return err
	}
	items := []programmeSummary{}
	for _, p := range list {
		items = append(items, programmeSummary{ID: p.ID.String(), Title: p.Title, Tenant: p.Tenant, Coordinator: p.Coordinator,
			Start: p.Start, End: p.End, MaxSites: p.MaxSites, Sites: len(p.ActiveMembers()), Version: p.Version})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (a *API) openProgramme(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	var in engine.OpenProgramme
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	m, err := a.commandMeta(r, actor, "/api/v1/programmes", in)
	if err != nil {
		return err
	}
	res, err := a.cfg.Engine.OpenProgramme(r.Context(), m, in)
	if err != nil {
		return err
	}
	writeOpened(w, "/api/v1/programmes/"+res.Programme.String(), res.Version, res.Duplicate, res)
	return nil
}

func (a *API) showProgramme(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := a.cfg.Engine.ProgrammeView(r.Context(), actor, id)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(v.Version))
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (a *API) programmeCommand(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	name := commandName(r)
	newCmd, ok := programmeCommands[name]
	if !ok {
		return problem(http.StatusNotFound, "unknown_command", fmt.Sprintf("Unbekannter Befehl / unknown command %q", name))
	}
	cmd := newCmd()
	exp, m, err := a.commandInput(r, actor, "/api/v1/programmes/"+id.String()+"/"+name, cmd)
	if err != nil {
		return err
	}
	res, err := a.cfg.Engine.DoProgramme(r.Context(), m, id, exp, cmd)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(res.Version))
	writeJSON(w, http.StatusOK, res)
	return nil
}
