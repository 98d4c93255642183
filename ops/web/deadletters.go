package web

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"

	domain "github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/ops/messaging"
	"github.com/civicflow/civicflow/ops/notify"
)

// deadLetterRow is one dead-lettered notification as the page shows it.
type deadLetterRow struct {
	ID, Type, Process, Deadline, Handler, To, Reason, At, Replayed string
	Attempts                                                       int
}

// deadLettersData is the dead-letters page: the rows, whether replays are offered, and the
// outcome of the last replay.
type deadLettersData struct {
	Rows      []deadLetterRow
	CanReplay bool
	Done      string
	Problem   string
}

// visibleDeadLetters returns the dead letters an administrator or auditor sees: their tenant's,
// every tenant's for the installation's (notify.DeadLetters, as the API).
func (d *Dashboard) visibleDeadLetters(r *http.Request, rq request) ([]notify.DeadLetter, error) {
	if rq.actor.Role != domain.RoleAdministrator && rq.actor.Role != domain.RoleAuditor {
		return nil, errForbidden
	}
	all, err := notify.DeadLetters(r.Context(), d.cfg.Store, messaging.DefaultPoisonTopic)
	if err != nil {
		return nil, err
	}
	var out []notify.DeadLetter
	for _, dl := range all {
		if rq.actor.Sees(dl.Delivery.Tenant) {
			out = append(out, dl)
		}
	}
	slices.Reverse(out) // newest first
	return out, nil
}

// deadLettersPage serves GET /notifications/dead-letters (administrators; auditors read only).
func (d *Dashboard) deadLettersPage(w http.ResponseWriter, r *http.Request, rq request) error {
	data := deadLettersData{}
	if r.URL.Query().Get("done") == "replay" {
		data.Done = "deadletters.replayed"
	}
	return d.showDeadLetters(w, r, rq, http.StatusOK, data)
}

func (d *Dashboard) showDeadLetters(w http.ResponseWriter, r *http.Request, rq request, status int, data deadLettersData) error {
	list, err := d.visibleDeadLetters(r, rq)
	if err != nil {
		return err
	}
	p := d.newPage(r, rq, "deadletters.title", "deadletters", nil)
	for _, dl := range list {
		row := deadLetterRow{ID: dl.ID, Type: p.T("event." + dl.Delivery.Type), Process: dl.Delivery.Process, Deadline: dl.Delivery.Deadline,
			Handler: dl.Handler, To: strings.Join(d.recipients(dl), ", "), Reason: dl.Reason, At: p.DateTime(dl.At),
			Attempts: messaging.DefaultMaxRetries + 1}
		if !dl.Replayed.IsZero() {
			row.Replayed = p.DateTime(dl.Replayed)
		}
		data.Rows = append(data.Rows, row)
	}
	data.CanReplay = rq.actor.Role == domain.RoleAdministrator
	p.Data = data
	return d.render(w, status, "deadletters", p)
}

// recipients names where a dead letter was to go: the tenant's webhook URLs or mail addresses
// (with the escalation recipients for an escalation), as configured now.
func (d *Dashboard) recipients(dl notify.DeadLetter) []string {
	n, tenant := d.cfg.Notifiers, dl.Delivery.Tenant
	var out []string
	switch {
	case n == nil:
	case dl.Handler == notify.Handler && n.Webhooks != nil:
		for _, t := range n.Webhooks.Targets {
			if t.Tenant == tenant {
				out = append(out, t.URL)
			}
		}
	case dl.Handler == notify.MailHandler && n.Mailer != nil:
		for _, t := range n.Mailer.Targets {
			if t.Tenant == tenant {
				out = append(out, t.To...)
				if dl.Delivery.After > 0 {
					out = append(out, t.EscalateTo...)
				}
			}
		}
	}
	return out
}

// replayDeadLetter serves POST /notifications/dead-letters/{id}/replay (administrators, with the
// CSRF token): the notification is delivered again with its idempotency ID (notify.Notifiers.Replay,
// as the API); another tenant's dead letter is 404.
func (d *Dashboard) replayDeadLetter(w http.ResponseWriter, r *http.Request, rq request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if !validCSRF(rq.session, r) || rq.actor.Role != domain.RoleAdministrator {
		return errForbidden
	}
	list, err := d.visibleDeadLetters(r, rq)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(list, func(dl notify.DeadLetter) bool { return dl.ID == r.PathValue("id") })
	if i < 0 {
		return errNotFound
	}
	if d.cfg.Notifiers == nil {
		return d.showDeadLetters(w, r, rq, http.StatusServiceUnavailable, deadLettersData{Problem: "deadletters.unconfigured"})
	}
	err = d.cfg.Notifiers.Replay(r.Context(), d.cfg.Store, list[i], rq.actor.User)
	switch {
	case errors.Is(err, notify.ErrNoNotifier):
		return d.showDeadLetters(w, r, rq, http.StatusServiceUnavailable, deadLettersData{Problem: "deadletters.unconfigured"})
	case err != nil:
		d.cfg.Logger.Warn("web: replay failed", "dead_letter", list[i].ID, "err", err)
		return d.showDeadLetters(w, r, rq, http.StatusBadGateway, deadLettersData{Problem: "deadletters.failed"})
	}
	http.Redirect(w, r, "/notifications/dead-letters?done=replay", http.StatusSeeOther)
	return nil
}

// deadLetterMessages are the texts of the dead-letters page.
var deadLetterMessages = map[string][2]string{
	"nav.deadletters":          {"Unzustellbar", "Dead letters"},
	"deadletters.title":        {"Unzustellbare Benachrichtigungen", "Dead-lettered notifications"},
	"deadletters.intro":        {"Benachrichtigungen (Webhooks, E-Mail), die nach allen Wiederholungen nicht zugestellt werden konnten. Eine erneute Zustellung trägt dieselbe Idempotenz-Kennung.", "Notifications (webhooks, e-mail) that could not be delivered after every retry. A replay carries the same idempotency ID."},
	"deadletters.none":         {"Keine unzustellbaren Benachrichtigungen.", "No dead-lettered notifications."},
	"deadletters.caption":      {"Unzustellbare Benachrichtigungen mit Inhalt, Empfängern, letztem Fehler und Versuchen", "Dead-lettered notifications with content, recipients, last error and attempts"},
	"deadletters.what":         {"Was", "What"},
	"deadletters.to":           {"An", "To"},
	"deadletters.error":        {"Letzter Fehler", "Last error"},
	"deadletters.attempts":     {"Versuche", "Attempts"},
	"deadletters.at":           {"Aufgegeben", "Given up"},
	"deadletters.state":        {"Status", "State"},
	"deadletters.replay":       {"Erneut zustellen", "Deliver again"},
	"deadletters.replayed_at":  {"erneut zugestellt", "delivered again"},
	"deadletters.dead":         {"unzustellbar", "undelivered"},
	"deadletters.replayed":     {"Die Benachrichtigung wurde erneut zugestellt.", "The notification was delivered again."},
	"deadletters.failed":       {"Die Zustellung ist erneut fehlgeschlagen.", "The delivery failed again."},
	"deadletters.unconfigured": {"Benachrichtigungen sind auf diesem Server nicht eingerichtet.", "Notifications are not configured on this server."},
	"deadletters.unknown":      {"(nicht mehr eingerichtet)", "(no longer configured)"},
}

func init() { maps.Copy(messages, deadLetterMessages) }
