package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/civicflow/civicflow/ops/web"
)

// provider is a real OpenID Connect provider (zitadel/oidc's op package with its example
// storage) in the test, whose ID tokens carry the claims each user is given (the user ID is the
// profile's preferred_username). audience replaces the ID tokens' audience (substitute) and
// lifetime their validity, to mint the tokens a sign-in must refuse.
type provider struct {
	*storage.Storage
	url      string
	redirect string
	claims   map[string]map[string]any // user ID → claims
	audience []string
	lifetime time.Duration
}

func (p *provider) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := p.Storage.SetUserinfoFromRequest(ctx, info, req, scopes); err != nil {
		return err
	}
	for k, v := range p.claims[req.GetSubject()] {
		info.AppendClaims(k, v)
	}
	return nil
}

func (p *provider) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := p.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	return testClient{Client: c, p: p}, nil
}

// substitute serves the provider; with audience set, it replaces the ID token of each token
// response by one with that audience, signed with the provider's own key: a token issued for
// another client, as an attacker who obtained one would present it.
func (p *provider) substitute(t *testing.T, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.audience == nil || r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/token") {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Errorf("token response: %v", err)
			return
		}
		if raw, ok := body["id_token"].(string); ok {
			body["id_token"] = p.resign(t, raw)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(body)
	})
}

// resign returns the ID token with p.audience as its audience and authorized party, signed again.
func (p *provider) resign(t *testing.T, raw string) string {
	parts := strings.Split(raw, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	claims["aud"], claims["azp"] = p.audience, p.audience[0]
	payload, _ = json.Marshal(claims)
	key, err := p.Storage.SigningKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: key.SignatureAlgorithm(), Key: key.Key()}, (&jose.SignerOptions{}).WithHeader("kid", key.ID()))
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// testClient is civicflow's registration: its redirect URL (known once the dashboard listens),
// claims in the ID token, and the token lifetime the test chooses.
type testClient struct {
	op.Client
	p *provider
}

func (c testClient) RedirectURIs() []string               { return []string{c.p.redirect} }
func (c testClient) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c testClient) DevMode() bool                        { return true }
func (c testClient) IDTokenLifetime() time.Duration       { return c.p.lifetime }

// The example storage keeps its clients in a package variable: one provider at a time.
var providerMu sync.Mutex

// oidcSite is a dashboard with OpenID Connect sign-in against a provider started for the test.
func oidcSite(t *testing.T, clock func() time.Time) (*site, *provider) {
	t.Helper()
	providerMu.Lock()
	t.Cleanup(providerMu.Unlock)
	pln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &provider{url: "http://" + pln.Addr().String(), lifetime: time.Hour}
	p.redirect = "http://" + dln.Addr().String() + "/signin/oidc/callback"
	users := storage.NewUserStore(p.url)
	p.Storage = storage.NewStorageWithClients(users, map[string]*storage.Client{"civicflow": storage.WebClient("civicflow", "civicflow-secret", p.redirect)})
	p.claims = map[string]map[string]any{
		"id1": {"civicflow_role": "lead", "civicflow_tenant": "leipzig"},
		"id2": {"civicflow_role": "member"},
	}
	ps := httptest.NewUnstartedServer(p.substitute(t, exampleop.SetupServer(p.url, p, nil, false)))
	ps.Listener.Close()
	ps.Listener = pln
	ps.Start()
	t.Cleanup(ps.Close)
	s := newSiteConfigured(t, nil, func(c *web.Config, _ map[string]string) {
		if clock != nil {
			c.Now = clock
		}
		c.OIDC = &web.OIDCConfig{Issuer: p.url, ClientID: "civicflow", ClientSecret: "civicflow-secret", RedirectURL: p.redirect,
			Scopes: []string{"openid", "profile", "email"}, RoleClaim: "civicflow_role", TenantClaim: "civicflow_tenant", UserClaim: "preferred_username"}
	})
	ds := httptest.NewUnstartedServer(s.handler)
	ds.Listener.Close()
	ds.Listener = dln
	ds.Start()
	t.Cleanup(ds.Close)
	s.url = ds.URL
	return s, p
}

var loginID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// oidcSignIn walks the sign-in as a browser does: the dashboard sends it to the provider, which
// asks for user name and password and sends it back. It returns the last page and a browser
// (cookies kept) that does not follow redirects, for the pages after.
func oidcSignIn(t *testing.T, s *site, p *provider, user string) (page, *browser) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return oidcSignInWith(t, s, p, user, jar)
}

// oidcSignInWith is oidcSignIn with the browser's cookies.
func oidcSignInWith(t *testing.T, s *site, p *provider, user string, jar http.CookieJar) (page, *browser) {
	t.Helper()
	c := &http.Client{Jar: jar}
	resp, err := c.Get(s.url + "/signin/oidc")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := loginID.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no login form at the provider: %d\n%s", resp.StatusCode, body)
	}
	resp, err = c.PostForm(p.url+"/login/username", url.Values{"id": {string(m[1])}, "username": {user}, "password": {"verysecure"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	b := s.browser()
	b.c.Jar = jar
	return page{resp.StatusCode, resp.Header, string(body)}, b
}

func TestOIDC_a_user_signs_in_and_lands_on_the_first_screen_with_role_and_tenant(t *testing.T) {
	s, p := oidcSite(t, nil)
	last, b := oidcSignIn(t, s, p, "test-user@127.0.0.1")
	if last.status != http.StatusOK || !strings.Contains(last.body, "<strong>test-user@127.0.0.1</strong> (leipzig, lead)") || !strings.Contains(last.body, `id="needs"`) {
		t.Fatalf("%d\n%s", last.status, last.body)
	}
	if !strings.Contains(last.body, "Spielplatz Lindenauer Markt") || strings.Contains(last.body, "Bündnis für Ausbildung Menden") {
		t.Fatal("the first screen does not show the tenant's processes only")
	}
	// The session is the dashboard's: its pages and forms work; signing out ends it.
	if pg := b.get("/processes/" + s.leipzig.String()); pg.status != http.StatusOK || !strings.Contains(pg.body, `action="/processes/`+s.leipzig.String()+`/do/complete_task"`) {
		t.Fatalf("the process page as the OIDC lead: %d", pg.status)
	}
	if pg := b.post("/signout", url.Values{"csrf": {b.csrf}}); pg.status != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", pg.status)
	}
	if pg := b.get("/"); pg.status != http.StatusSeeOther || pg.header.Get("Location") != "/signin" {
		t.Fatalf("after sign-out: %d %s", pg.status, pg.header.Get("Location"))
	}
}

func TestOIDC_sessions_expire(t *testing.T) {
	var mu sync.Mutex
	at := now
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return at }
	s, p := oidcSite(t, clock)
	_, b := oidcSignIn(t, s, p, "test-user@127.0.0.1")
	if pg := b.get("/"); pg.status != http.StatusOK {
		t.Fatalf("signed in: %d", pg.status)
	}
	mu.Lock()
	at = at.Add(8*time.Hour + time.Minute)
	mu.Unlock()
	if pg := b.get("/"); pg.status != http.StatusSeeOther || pg.header.Get("Location") != "/signin" {
		t.Fatalf("after 8 hours: %d", pg.status)
	}
}

func TestOIDC_refuses_with_a_clear_page_and_no_session(t *testing.T) {
	for _, tc := range []struct {
		name, user string
		prepare    func(*provider)
		de         string
	}{
		{"a_token_for_another_audience", "test-user@127.0.0.1", func(p *provider) { p.audience = []string{"another-client"} }, "falsche Zielgruppe"},
		{"an_expired_token", "test-user@127.0.0.1", func(p *provider) { p.lifetime = -time.Hour }, "Anmeldetoken ist abgelaufen"},
		{"a_user_without_the_tenant_claim", "test-user2", func(*provider) {}, "keinem Mandanten zugeordnet"},
		{"a_user_with_an_unknown_role", "test-user@127.0.0.1", func(p *provider) { p.claims["id1"]["civicflow_role"] = "superuser" }, "keine gültige civicflow-Rolle"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, p := oidcSite(t, nil)
			tc.prepare(p)
			last, b := oidcSignIn(t, s, p, tc.user)
			if last.status != http.StatusUnauthorized || !strings.Contains(last.body, tc.de) || !strings.Contains(last.body, `role="alert" id="oidc-error"`) {
				t.Fatalf("%d\n%s", last.status, last.body)
			}
			if strings.Contains(last.body, `action="/signout"`) {
				t.Fatal("the refusal page offers a sign-out")
			}
			if pg := b.get("/"); pg.status != http.StatusSeeOther || pg.header.Get("Location") != "/signin" {
				t.Fatalf("a session was opened: %d", pg.status)
			}
		})
	}
	t.Run("in_english", func(t *testing.T) {
		s, p := oidcSite(t, nil)
		p.lifetime = -time.Hour
		jar, _ := cookiejar.New(nil)
		u, _ := url.Parse(s.url)
		jar.SetCookies(u, []*http.Cookie{{Name: "civicflow_lang", Value: "en"}})
		last, _ := oidcSignInWith(t, s, p, "test-user@127.0.0.1", jar)
		if last.status != http.StatusUnauthorized || !strings.Contains(last.body, "the sign-in token has expired") {
			t.Fatalf("%d\n%s", last.status, last.body)
		}
	})
	t.Run("a_callback_with_a_state_this_browser_did_not_start_and_then_the_back-off", func(t *testing.T) {
		s, _ := oidcSite(t, nil)
		b := s.browser()
		for i := range 5 { // the guard's free failures
			pg := b.get("/signin/oidc/callback?code=x&state=forged")
			if pg.status != http.StatusUnauthorized || !strings.Contains(pg.body, "in einem anderen Browser begonnen") {
				t.Fatalf("attempt %d: %d\n%s", i+1, pg.status, pg.body)
			}
		}
		b.get("/signin/oidc/callback?code=x&state=forged")
		pg := b.get("/signin/oidc/callback?code=x&state=forged")
		if pg.status != http.StatusTooManyRequests || pg.header.Get("Retry-After") == "" {
			t.Fatalf("after 6 failures: %d %v", pg.status, pg.header)
		}
	})
}
