package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/civicflow/civicflow/domain/process"
)

// Sessions are kept on the server: the cookie holds only a random ID (256 bits). A session holds
// its CSRF token and, once signed in, the bearer token it was opened with, which is authenticated
// again on every request, so a revoked token ends its sessions within a second. Sessions live in
// memory: a restart signs everybody out.
const (
	sessionCookie = "civicflow_session"
	sessionTTL    = 8 * time.Hour
	// anonTTL bounds a session that has only a CSRF token (the sign-in form's).
	anonTTL = time.Hour
	// maxSessions bounds memory; the oldest sessions are dropped first beyond it.
	maxSessions = 100_000
)

type session struct {
	id      string
	csrf    string
	secret  string         // the bearer token; empty before sign-in and for OpenID Connect
	actor   *process.Actor // who an OpenID Connect sign-in says signed in; nil otherwise
	expires time.Time
}

// signedIn reports whether the session is past its sign-in (with a token or OpenID Connect).
func (x *session) signedIn() bool { return x.secret != "" || x.actor != nil }

// createFor opens the session of an OpenID Connect sign-in: it lasts sessionTTL (the provider's
// session is not asked again), and sign-out or a restart ends it.
func (s *sessions) createFor(actor process.Actor) *session {
	x := &session{id: randomID(), csrf: randomID(), actor: &actor, expires: s.now().Add(sessionTTL)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.all) >= maxSessions {
		s.sweep()
	}
	s.all[x.id] = x
	return x
}

type sessions struct {
	mu  sync.Mutex
	all map[string]*session
	now func() time.Time
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{all: map[string]*session{}, now: now}
}

func randomID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand panics on a broken system source)
	return base64.RawURLEncoding.EncodeToString(b)
}

// create opens a session; secret is empty for the anonymous session of the sign-in form.
func (s *sessions) create(secret string) *session {
	ttl := sessionTTL
	if secret == "" {
		ttl = anonTTL
	}
	x := &session{id: randomID(), csrf: randomID(), secret: secret, expires: s.now().Add(ttl)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.all) >= maxSessions {
		s.sweep()
	}
	s.all[x.id] = x
	return x
}

// sweep drops expired sessions, and if that is not enough, the ones expiring first. s.mu is held.
func (s *sessions) sweep() {
	now := s.now()
	var soonest *session
	for id, x := range s.all {
		if now.After(x.expires) {
			delete(s.all, id)
		} else if soonest == nil || x.expires.Before(soonest.expires) {
			soonest = x
		}
	}
	if len(s.all) >= maxSessions && soonest != nil {
		delete(s.all, soonest.id)
	}
}

// get returns the request's live session, or nil.
func (s *sessions) get(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	x := s.all[c.Value]
	if x == nil {
		return nil
	}
	if s.now().After(x.expires) {
		delete(s.all, x.id)
		return nil
	}
	return x
}

func (s *sessions) drop(x *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.all, x.id)
}

// validCSRF reports whether the form's token is the session's.
func validCSRF(x *session, r *http.Request) bool {
	if x == nil {
		return false
	}
	got := r.PostFormValue("csrf")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(x.csrf)) == 1
}

// overTLS reports whether the request came over TLS, directly or through a proxy that says so.
func overTLS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// setSessionCookie sends the session's cookie: HttpOnly, SameSite=Lax, Secure over TLS.
func setSessionCookie(w http.ResponseWriter, r *http.Request, x *session) {
	ttl := sessionTTL
	if !x.signedIn() {
		ttl = anonTTL
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: x.id, Path: "/", MaxAge: int(ttl.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: overTLS(r)})
}

func clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: overTLS(r)})
}
