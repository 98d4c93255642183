package web

import (
	"maps"
	"net/url"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
)

// openDataMessages are the texts of the open-data form.
var openDataMessages = map[string][2]string{
	"process.opendata":              {"Offene Daten", "Open data"},
	"process.opendata.public":       {"Die zusammengefassten Kennzahlen dieses Verfahrens stehen in den offenen Daten der Kommune (ohne Namen, E-Mail-Adressen und Beitragstexte).", "This process's aggregate figures are in the tenant's open data (without names, e-mail addresses or contribution texts)."},
	"process.opendata.private":      {"Dieses Verfahren steht nicht in den offenen Daten der Kommune.", "This process is not in the tenant's open data."},
	"process.opendata.link":         {"Offene Daten der Kommune (JSON)", "The tenant's open data (JSON)"},
	"form.set_open_data.on":         {"Für offene Daten freigeben", "Mark public for open data"},
	"form.set_open_data.on.submit":  {"Freigeben", "Mark public"},
	"form.set_open_data.off":        {"Aus den offenen Daten nehmen", "Take out of the open data"},
	"form.set_open_data.off.submit": {"Herausnehmen", "Take out"},
	"done.set_open_data":            {"Die Freigabe für offene Daten ist geändert.", "The open-data setting is changed."},
	"refused.open_data_unchanged":   {"Die Freigabe für offene Daten ist bereits so.", "The open-data setting already is that."},
	"problem.public":                {"Bitte „true“ oder „false“.", "Please “true” or “false”."},
}

func init() {
	maps.Copy(messages, openDataMessages)
	decoders["set_open_data"] = decodeOpenData
	sectionOf["set_open_data"] = "opendata"
}

// openDataForm lets an administrator mark the process public for the open-data export or take
// it out again, in every status; nil for other roles.
func (fs *formSet) openDataForm(a process.Actor, pr *process.Process) *form {
	if !a.Allowed(process.ActSetOpenData) {
		return nil
	}
	if pr.Public {
		return fs.new("set_open_data", "false", fs.p.T("form.set_open_data.off"), "form.set_open_data.off.submit")
	}
	return fs.new("set_open_data", "true", fs.p.T("form.set_open_data.on"), "form.set_open_data.on.submit")
}

// decodeOpenData reads the form's target, "true" or "false".
func decodeOpenData(v url.Values) (engine.Command, *fieldProblem) {
	var public bool
	switch v.Get("target") {
	case "true":
		public = true
	case "false":
	default:
		return nil, &fieldProblem{"target", "problem.public"}
	}
	return engine.SetOpenData{Public: &public}, nil
}

// openDataLink is the address of the tenant's open-data export.
func openDataLink(tenant string) string { return "/api/v1/opendata/" + url.PathEscape(tenant) }
