package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/civicflow/civicflow/domain/process"
	domain "github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/ops/throttle"
	"github.com/civicflow/civicflow/workflows/tokens"
)

// OIDCConfig configures sign-in with OpenID Connect beside tokens: the authorization-code flow
// with PKCE (S256), state and nonce, the ID token verified (issuer, audience, expiry, signature)
// with the provider's published keys; the user, role and tenant come from its claims.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL. Required.
	Issuer string
	// ClientID is civicflow's client ID (the ID token's audience). Required.
	ClientID string
	// ClientSecret is the client's secret; empty for a public client.
	ClientSecret string
	// RedirectURL is the dashboard's /signin/oidc/callback as the provider calls it. Required.
	RedirectURL string
	// Scopes are asked for; "openid" is added when missing.
	Scopes []string
	// RoleClaim, TenantClaim and UserClaim name the ID token's claims. Required.
	RoleClaim, TenantClaim, UserClaim string
	// Now is the clock the ID token's expiry is judged by. Default time.Now.
	Now func() time.Time
	// HTTPClient reaches the provider. Default http.DefaultClient.
	HTTPClient *http.Client
}

// loginTTL bounds how long a sign-in at the provider may take.
const loginTTL = 10 * time.Minute

// tenantClaim is what a tenant claim must look like: a tenant ID as tokens have them, or "*".
var tenantClaim = regexp.MustCompile(`^(\*|[a-z0-9][a-z0-9-]{0,62})$`)

// pendingLogin is a sign-in sent to the provider: its nonce and PKCE verifier, the browser
// session it started in, and when it lapses.
type pendingLogin struct {
	nonce, verifier, session string
	expires                  time.Time
}

// oidcSignin holds the provider (discovered on first use, again after a failure) and the
// pending logins by state.
type oidcSignin struct {
	cfg      OIDCConfig
	mu       sync.Mutex
	provider *gooidc.Provider
	pending  map[string]pendingLogin
}

func newOIDCSignin(cfg *OIDCConfig) *oidcSignin {
	if cfg == nil {
		return nil
	}
	c := *cfg
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.HTTPClient == nil {
		c.HTTPClient = http.DefaultClient
	}
	if !slices.Contains(c.Scopes, gooidc.ScopeOpenID) {
		c.Scopes = append([]string{gooidc.ScopeOpenID}, c.Scopes...)
	}
	return &oidcSignin{cfg: c, pending: map[string]pendingLogin{}}
}

// setup returns the OAuth 2 configuration and the ID token verifier, discovering the provider
// the first time.
func (o *oidcSignin) setup(ctx context.Context) (*oauth2.Config, *gooidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider == nil {
		p, err := gooidc.NewProvider(gooidc.ClientContext(ctx, o.cfg.HTTPClient), o.cfg.Issuer)
		if err != nil {
			return nil, nil, fmt.Errorf("web: OpenID Connect discovery at %s: %w", o.cfg.Issuer, err)
		}
		o.provider = p
	}
	oc := &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, RedirectURL: o.cfg.RedirectURL,
		Endpoint: o.provider.Endpoint(), Scopes: o.cfg.Scopes}
	return oc, o.provider.Verifier(&gooidc.Config{ClientID: o.cfg.ClientID, Now: o.cfg.Now}), nil
}

// remember keeps a pending login by its state, dropping lapsed ones.
func (o *oidcSignin) remember(state string, p pendingLogin) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.cfg.Now()
	for k, v := range o.pending {
		if now.After(v.expires) {
			delete(o.pending, k)
		}
	}
	if len(o.pending) < maxSessions {
		o.pending[state] = p
	}
}

// take returns and forgets the pending login of a state (each is used once).
func (o *oidcSignin) take(state string) (pendingLogin, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	p, ok := o.pending[state]
	delete(o.pending, state)
	return p, ok && !o.cfg.Now().After(p.expires)
}

// oidcStart serves GET /signin/oidc: it sends the browser to the provider with a fresh state,
// nonce and PKCE challenge, bound to the browser's (anonymous) session.
func (d *Dashboard) oidcStart(w http.ResponseWriter, r *http.Request) {
	if d.oidc == nil {
		d.fail(w, r, http.StatusNotFound)
		return
	}
	if d.alreadySignedIn(w, r) {
		return
	}
	oc, _, err := d.oidc.setup(r.Context())
	if err != nil {
		d.cfg.Logger.Error("web: OpenID Connect sign-in unavailable", "err", err)
		d.showSignin(w, r, http.StatusServiceUnavailable, "oidc.unavailable")
		return
	}
	x := d.sessions.get(r)
	if x == nil || x.signedIn() {
		x = d.sessions.create("")
		setSessionCookie(w, r, x)
	}
	state, nonce, verifier := randomID(), randomID(), oauth2.GenerateVerifier()
	d.oidc.remember(state, pendingLogin{nonce: nonce, verifier: verifier, session: x.id, expires: d.oidc.cfg.Now().Add(loginTTL)})
	http.Redirect(w, r, oc.AuthCodeURL(state, gooidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// oidcCallback serves GET /signin/oidc/callback: it checks the state against the browser's
// session, redeems the code with the PKCE verifier, verifies the ID token and its nonce, reads
// user, role and tenant, and opens a session (a new ID). Any refusal shows the sign-in page
// with the reason and opens no session.
func (d *Dashboard) oidcCallback(w http.ResponseWriter, r *http.Request) {
	if d.oidc == nil {
		d.fail(w, r, http.StatusNotFound)
		return
	}
	// Failed callbacks count towards the sign-in guard's back-off of the client's address, like
	// failed token sign-ins (logged and counted there).
	at := throttle.Attempt{Surface: "web", Addr: throttle.Address(r), Path: r.URL.Path}
	if wait := d.cfg.Guard.Wait(at); wait > 0 {
		w.Header().Set("Retry-After", throttle.Seconds(wait))
		d.showSignin(w, r, http.StatusTooManyRequests, "signin.throttled")
		return
	}
	actor, reason, err := d.oidcActor(r)
	if reason != "" {
		d.cfg.Logger.Info("web: OpenID Connect sign-in refused", "reason", reason, "err", err)
		d.cfg.Guard.Fail(at, throttle.ReasonInvalid)
		d.showSignin(w, r, http.StatusUnauthorized, "oidc.refused."+reason)
		return
	}
	if x := d.sessions.get(r); x != nil {
		d.sessions.drop(x)
	}
	setSessionCookie(w, r, d.sessions.createFor(actor))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// oidcActor runs the callback's checks; reason is a message suffix when it refuses.
func (d *Dashboard) oidcActor(r *http.Request) (process.Actor, string, error) {
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return process.Actor{}, "provider", errors.New(e)
	}
	p, ok := d.oidc.take(q.Get("state"))
	x := d.sessions.get(r)
	if !ok || x == nil || x.id != p.session {
		return process.Actor{}, "state", errors.New("unknown, lapsed or foreign state")
	}
	oc, verifier, err := d.oidc.setup(r.Context())
	if err != nil {
		return process.Actor{}, "provider", err
	}
	ctx := gooidc.ClientContext(r.Context(), d.oidc.cfg.HTTPClient)
	tok, err := oc.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(p.verifier))
	if err != nil {
		return process.Actor{}, "provider", err
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := verifier.Verify(ctx, raw)
	var expired *gooidc.TokenExpiredError
	switch {
	case errors.As(err, &expired):
		return process.Actor{}, "expired", err
	case err != nil && strings.Contains(err.Error(), "audience"):
		return process.Actor{}, "audience", err
	case err != nil:
		return process.Actor{}, "token", err
	case idt.Nonce != p.nonce:
		return process.Actor{}, "token", errors.New("nonce does not match")
	}
	return d.oidc.actorOf(idt)
}

// actorOf reads user, role and tenant from the ID token's configured claims.
func (o *oidcSignin) actorOf(idt *gooidc.IDToken) (process.Actor, string, error) {
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return process.Actor{}, "token", err
	}
	str := func(k string) string { s, _ := claims[k].(string); return strings.TrimSpace(s) }
	tenant, role, user := str(o.cfg.TenantClaim), str(o.cfg.RoleClaim), str(o.cfg.UserClaim)
	if user == "" {
		user = idt.Subject
	}
	switch {
	case !tenantClaim.MatchString(tenant):
		return process.Actor{}, "tenant", fmt.Errorf("claim %s is missing or not a tenant", o.cfg.TenantClaim)
	case !slices.Contains(domain.Roles, role) || (tenant == tokens.Installation && role != domain.RoleAdministrator):
		return process.Actor{}, "role", fmt.Errorf("claim %s is missing or not a role (the installation, tenant \"*\", is for administrators only)", o.cfg.RoleClaim)
	case user == "" || len(user) > 100 || strings.ContainsFunc(user, func(c rune) bool { return c < 0x20 || c == 0x7f }):
		return process.Actor{}, "token", errors.New("no user")
	}
	return process.Actor{User: user, Tenant: tenant, Role: role, Installation: tenant == tokens.Installation}, "", nil
}
