package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
)

type historyEntry struct {
	Version       int64          `json:"version"`
	Position      string         `json:"position"`
	Type          string         `json:"type"`
	SchemaVersion int            `json:"schema_version"`
	RecordedAt    time.Time      `json:"recorded_at"`
	Actor         string         `json:"actor,omitempty"`
	CommandID     string         `json:"command_id,omitempty"`
	Data          map[string]any `json:"data"`
	Hash          string         `json:"hash"`
}

// historyQuery is what GET …/history asks for: a page from a version, and filters by actor,
// event type and time (inclusive bounds). Paging counts only matching events.
type historyQuery struct {
	from             int64
	limit            int
	actor            string
	types            []string
	fromTime, toTime time.Time
}

func (h historyQuery) matches(ev eventstore.Event) bool {
	switch {
	case h.actor != "" && ev.Metadata.Actor != h.actor:
		return false
	case len(h.types) > 0 && !slices.Contains(h.types, ev.Type):
		return false
	case !h.fromTime.IsZero() && ev.RecordedAt.Before(h.fromTime):
		return false
	case !h.toTime.IsZero() && ev.RecordedAt.After(h.toTime):
		return false
	}
	return true
}

func badQuery(code, field, detail string) error {
	p := problem(http.StatusBadRequest, code, field+": "+detail)
	p.Field = field
	return p
}

func parseHistoryQuery(q url.Values) (historyQuery, error) {
	h := historyQuery{from: 1, limit: 100, actor: q.Get("actor")}
	if s := q.Get("from"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			return h, badQuery("bad_query", "from", "eine positive ganze Zahl / a positive whole number")
		}
		h.from = n
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return h, badQuery("bad_query", "limit", "1–1000")
		}
		h.limit = n
	}
	for _, v := range q["type"] {
		for t := range strings.SplitSeq(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				h.types = append(h.types, t)
			}
		}
	}
	for _, f := range []struct {
		name string
		to   *time.Time
	}{{"from_time", &h.fromTime}, {"to_time", &h.toTime}} {
		if s := q.Get(f.name); s != "" {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return h, badQuery("bad_date", f.name, fmt.Sprintf("%q: erwartet RFC 3339 / expected RFC 3339, e.g. 2025-03-01T12:00:00+01:00", s))
			}
			*f.to = t
		}
	}
	if !h.fromTime.IsZero() && !h.toTime.IsZero() && h.toTime.Before(h.fromTime) {
		return h, badQuery("bad_query", "to_time", "liegt vor from_time / is before from_time")
	}
	return h, nil
}

// historyChunk is how many events one read of the stream takes while filtering.
const historyChunk = 500

// matching reads the stream from h.from and returns up to h.limit matching events and the
// version of the next matching one (0: none).
func (a *API) matching(r *http.Request, stream string, h historyQuery) ([]eventstore.Event, int64, error) {
	var out []eventstore.Event
	from := h.from
	for {
		events, err := a.cfg.Store.ReadStream(r.Context(), stream, eventstore.ReadStreamOptions{From: from, Limit: historyChunk})
		if err != nil {
			return nil, 0, err
		}
		for _, ev := range events {
			if !h.matches(ev) {
				continue
			}
			if len(out) == h.limit {
				return out, ev.Version, nil
			}
			out = append(out, ev)
		}
		if len(events) < historyChunk {
			return out, 0, nil
		}
		from = events[len(events)-1].Version + 1
	}
}

func (a *API) history(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	h, err := parseHistoryQuery(r.URL.Query())
	if err != nil {
		return err
	}
	if _, err := a.cfg.Engine.Load(r.Context(), actor, id); err != nil {
		return err
	}
	events, next, err := a.matching(r, engine.StreamOf(id), h)
	if err != nil {
		return err
	}
	page := struct {
		Items []historyEntry `json:"items"`
		Next  *int64         `json:"next,omitempty"`
	}{Items: []historyEntry{}}
	if next > 0 {
		page.Next = &next
	}
	erasures := map[string]string{}
	for _, ev := range events {
		e := historyEntry{Version: ev.Version, Position: ev.Position.String(), Type: ev.Type, SchemaVersion: ev.SchemaVersion,
			RecordedAt: ev.RecordedAt, Actor: ev.Metadata.Actor, CommandID: ev.Metadata.CommandID, Hash: ev.Hash.String()}
		if err := jsonUnmarshal(ev.Data, &e.Data); err != nil {
			return err
		}
		if err := a.markErased(r.Context(), e.Data, erasures); err != nil {
			return err
		}
		page.Items = append(page.Items, e)
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// markErased replaces each piece of sealed personal data ({"person", "ct"}) of an erased person
// by the erasure's notice, as the process view shows it: the history then says when and under
// which article the data was erased, and no longer carries its ciphertext. notices caches each
// person's notice ("" for a person not erased) for one answer.
func (a *API) markErased(ctx context.Context, data map[string]any, notices map[string]string) error {
	for k, v := range data {
		m, ok := v.(map[string]any)
		if !ok {
			continue
		}
		person, sealed := m["person"].(string)
		if _, ct := m["ct"].(string); !sealed || !ct || len(m) != 2 {
			if err := a.markErased(ctx, m, notices); err != nil {
				return err
			}
			continue
		}
		notice, known := notices[person]
		if !known {
			pe, erased, err := a.cfg.Engine.Erasure(ctx, person)
			if err != nil {
				return err
			}
			if erased {
				notice = pe.Notice()
			}
			notices[person] = notice
		}
		if notice != "" {
			data[k] = notice
		}
	}
	return nil
}
