package httpapi

import (
	"errors"
	"net/http"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/ops/messaging"
	"github.com/civicflow/civicflow/ops/notify"
)

// visibleDeadLetters returns the dead letters of notifications an administrator or auditor sees:
// their own tenant's, every tenant's for the installation's.
func (a *API) visibleDeadLetters(r *http.Request, actor process.Actor) ([]notify.DeadLetter, error) {
	if actor.Role != template.RoleAdministrator && actor.Role != template.RoleAuditor {
		return nil, &process.ForbiddenError{Role: actor.Role, Action: "see the dead letters of notifications"}
	}
	all, err := notify.DeadLetters(r.Context(), a.cfg.Store, messaging.DefaultPoisonTopic)
	if err != nil {
		return nil, err
	}
	out := []notify.DeadLetter{}
	for _, dl := range all {
		if actor.Sees(dl.Delivery.Tenant) {
			out = append(out, dl)
		}
	}
	return out, nil
}

// deadLetters answers GET /api/v1/notifications/dead-letters: the webhook and e-mail
// notifications that failed after every retry, with their reason and whether they were replayed.
func (a *API) deadLetters(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	items, err := a.visibleDeadLetters(r, actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

// replayDeadLetter answers POST /api/v1/notifications/dead-letters/{id}/replay: the notification
// is delivered again with its idempotency ID; 502 when the receiver fails again.
func (a *API) replayDeadLetter(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	if actor.Role != template.RoleAdministrator {
		return &process.ForbiddenError{Role: actor.Role, Action: "replay dead letters"}
	}
	items, err := a.visibleDeadLetters(r, actor)
	if err != nil {
		return err
	}
	for _, dl := range items {
		if dl.ID != r.PathValue("id") {
			continue
		}
		if a.cfg.Notifiers == nil {
			return problem(http.StatusServiceUnavailable, "notifiers_not_configured", "Benachrichtigungen sind auf diesem Server nicht eingerichtet / notifications are not configured on this server")
		}
		err := a.cfg.Notifiers.Replay(r.Context(), a.cfg.Store, dl, actor.User)
		switch {
		case errors.Is(err, notify.ErrNoNotifier):
			return problem(http.StatusServiceUnavailable, "notifiers_not_configured", err.Error())
		case err != nil:
			return problem(http.StatusBadGateway, "delivery_failed", "Zustellung erneut fehlgeschlagen / delivery failed again: "+err.Error())
		}
		writeJSON(w, http.StatusOK, map[string]any{"replayed": dl.ID})
		return nil
	}
	return problem(http.StatusNotFound, "not_found", "Kein solcher unzustellbarer Eintrag / no such dead letter")
}
