package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	domain "github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/engine"
)

// maxFormBytes bounds a command form's body.
const maxFormBytes = 64 << 10

// act handles a command form (POST /processes/{id}/do/{command}): the CSRF token, then the form
// as the engine command the API runs for the same name, with the form's version as the expected
// version and its key as the command ID. Success redirects to the process page (post/redirect/
// get); a refusal or a conflict shows the page again with the problem next to the form.
// Auditors and viewers get no forms, and their POSTs are refused (and, for auditors, recorded).
func (d *Dashboard) act(w http.ResponseWriter, r *http.Request, rq request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if !validCSRF(rq.session, r) {
		return errForbidden
	}
	if rq.actor.Role == domain.RoleAuditor || rq.actor.Role == domain.RoleViewer {
		return errForbidden
	}
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return errNotFound
	}
	name := r.PathValue("command")
	decode, ok := decoders[name]
	if !ok {
		return errNotFound
	}
	v := r.PostForm
	expected, err := strconv.ParseInt(v.Get("version"), 10, 64)
	if err != nil || expected < 1 {
		return errForbidden // not a form this dashboard rendered
	}
	key := v.Get("key")
	if key == "" || len(key) > 200 {
		return errForbidden
	}
	st := &formState{Command: name, Target: v.Get("target"), Values: map[string]string{}}
	for k := range v {
		if k != "csrf" && k != "key" && k != "version" {
			st.Values[k] = v.Get(k)
		}
	}
	cmd, bad := decode(v)
	if bad != nil {
		st.Field, st.Error = bad.field, translate(rq.lang, bad.message)
		return d.showProcess(w, r, rq, id, http.StatusUnprocessableEntity, st)
	}
	meta := process.Meta{Actor: rq.actor, CommandID: "web:" + key}
	if _, err := d.cfg.Engine.Do(r.Context(), meta, id, expected, cmd); err != nil {
		status, err := d.explain(rq.lang, err, st, expected)
		if err != nil {
			return err
		}
		return d.showProcess(w, r, rq, id, status, st)
	}
	http.Redirect(w, r, "/processes/"+id.String()+"?"+url.Values{"done": {name}}.Encode()+"#"+sectionOf[name], http.StatusSeeOther)
	return nil
}

// explain turns the engine's refusal into the form's problem in the page's language and the
// status of the page shown again; other errors are returned.
func (d *Dashboard) explain(l string, err error, st *formState, expected int64) (int, error) {
	var (
		ver *engine.VersionError
		ie  *process.InvalidError
		re  *process.RefusedError
	)
	switch {
	case errors.As(err, &ver):
		st.Since, st.Error = expected, translate(l, "conflict.form")
		return http.StatusPreconditionFailed, nil
	case errors.As(err, &ie):
		st.Field, st.Error = ie.Field, problemText(l, ie.Problem)
		return http.StatusUnprocessableEntity, nil
	case errors.As(err, &re):
		st.Error, st.Reasons = refusalText(l, re), re.Reasons
		if re.Rule == "duplicate_id" {
			return http.StatusConflict, nil
		}
		return http.StatusUnprocessableEntity, nil
	case errors.Is(err, process.ErrForbidden):
		return 0, errForbidden
	}
	return 0, err
}

// refusalText is the refusal's rule in the page's language; a rule without a translation keeps
// the engine's reason in the page's language (its reasons are "German / English").
func refusalText(l string, re *process.RefusedError) string {
	if _, ok := messages["refused."+re.Rule]; ok {
		return translate(l, "refused."+re.Rule)
	}
	if len(re.Reasons) > 0 {
		return inLang(l, re.Reasons[0])
	}
	return re.Rule
}

// inLang picks one language from the engine's "German / English" wording.
func inLang(l, s string) string {
	de, en, ok := strings.Cut(s, " / ")
	if !ok {
		return s
	}
	if l == langEN {
		return en
	}
	return de
}

// problemText says what is wrong with a field in the page's language; the engine's problems are
// in English ("is required", "120 is not between 0 and 100").
func problemText(l, problem string) string {
	switch {
	case problem == "is required":
		return translate(l, "problem.required")
	case strings.Contains(problem, " is not between "):
		return translate(l, "problem.range") + " (" + strings.Replace(problem, " is not between ", " ∉ ", 1) + ")"
	case strings.Contains(problem, "is required unless the session is online"):
		return translate(l, "problem.place")
	}
	if l == langDE {
		return translate(l, "problem.other") + ": " + problem
	}
	return problem
}

// fieldProblem is a form value the dashboard cannot turn into a command (a malformed number or
// date); message is a message key.
type fieldProblem struct{ field, message string }

func intField(v url.Values, name string) (int, *fieldProblem) {
	n, err := strconv.Atoi(strings.TrimSpace(v.Get(name)))
	if err != nil {
		return 0, &fieldProblem{name, "problem.number"}
	}
	return n, nil
}

// timeField reads a date ("2006-01-02") or a local date and time ("2006-01-02T15:04") in the
// dashboard's time zone; empty is the zero time.
func timeField(v url.Values, name, layout string) (time.Time, *fieldProblem) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(layout, s, berlin)
	if err != nil {
		return time.Time{}, &fieldProblem{name, "problem.date"}
	}
	return t, nil
}

// sectionOf is the page section a command's form sits in (the redirect's fragment).
var sectionOf = map[string]string{
	"complete_task": "tasks", "reopen_task": "tasks", "grant_approval": "approvals", "revoke_approval": "approvals",
	"advance": "stage", "go_back": "stage", "complete": "stage", "migrate": "stage",
	"register_participant": "participants", "withdraw_participant": "participants",
	"schedule_session": "sessions", "hold_session": "sessions", "record_contribution": "sessions",
	"record_decision": "decisions", "publish_result": "results", "define_measure": "measures", "report_progress": "measures",
	"suspend": "status", "resume": "status", "cancel": "status", "open": "main",
}
