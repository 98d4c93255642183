package httpapi

import (
	"net/http"
	"time"

	"github.com/civicflow/civicflow/workflows/engine"
)

// observe reports a command's result and duration to the configured CommandObserver. The result
// comes from the same mapping as the response (toProblem), so metrics and status codes agree.
func (a *API) observe(command string, start time.Time, res *engine.Result, err *error) {
	a.cfg.Metrics.ObserveCommand(command, commandResult(*res, *err), time.Since(start))
}

func commandResult(res engine.Result, err error) string {
	if err == nil {
		if res.Duplicate {
			return "duplicate"
		}
		return "ok"
	}
	p := toProblem(err)
	switch {
	case p.Code == "refused":
		return "refused"
	case p.Status == http.StatusForbidden:
		return "forbidden"
	case p.Status == http.StatusNotFound:
		return "not_found"
	case p.Status == http.StatusConflict, p.Status == http.StatusPreconditionFailed:
		return "conflict"
	case p.Status >= 400 && p.Status < 500:
		return "invalid"
	}
	return "error"
}
