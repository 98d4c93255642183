package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Auth configures how people sign in to the web dashboard besides bearer tokens.
type Auth struct {
	// OIDC configures sign-in with OpenID Connect (the administration's Keycloak, ADFS …).
	OIDC OIDC `mapstructure:"oidc"`
}

// OIDC configures sign-in with OpenID Connect: the authorization-code flow with PKCE (S256),
// state and nonce; the ID token's claims give the user, role and tenant. Off while Issuer is
// empty.
type OIDC struct {
	// Issuer is the provider's issuer URL (its discovery document is Issuer +
	// "/.well-known/openid-configuration"). Default "": OpenID Connect is off.
	Issuer string `mapstructure:"issuer"`
	// ClientID is civicflow's client ID at the provider; ID tokens must name it as their
	// audience. Required with Issuer.
	ClientID string `mapstructure:"client_id"`
	// ClientSecret is the client's secret (a confidential client), best given in the
	// environment (CIVICFLOW_AUTH_OIDC_CLIENT_SECRET). Default "": a public client (PKCE only).
	ClientSecret string `mapstructure:"client_secret"`
	// RedirectURL is where the provider sends people back: the dashboard's
	// "/signin/oidc/callback" under the address people use. Required with Issuer.
	RedirectURL string `mapstructure:"redirect_url"`
	// Scopes are asked for, separated by spaces; "openid" is always asked for. Default
	// "openid profile email".
	Scopes string `mapstructure:"scopes"`
	// RoleClaim names the ID token's claim holding the civicflow role (administrator, lead,
	// member, auditor, viewer …). Default "civicflow_role".
	RoleClaim string `mapstructure:"role_claim"`
	// TenantClaim names the claim holding the tenant; a token without it is refused. Default
	// "civicflow_tenant".
	TenantClaim string `mapstructure:"tenant_claim"`
	// UserClaim names the claim holding the user ID civicflow records. Default
	// "preferred_username".
	UserClaim string `mapstructure:"user_claim"`
}

// defaultAuth is Auth's default: OpenID Connect off, the claim names civicflow suggests.
func defaultAuth() Auth {
	return Auth{OIDC: OIDC{Scopes: "openid profile email", RoleClaim: "civicflow_role", TenantClaim: "civicflow_tenant",
		UserClaim: "preferred_username"}}
}

// Enabled reports whether OpenID Connect sign-in is configured.
func (o OIDC) Enabled() bool { return strings.TrimSpace(o.Issuer) != "" }

// validate reports the problems of an enabled OIDC section, each with its key.
func (o OIDC) validate(check func(key string, err error)) {
	if !o.Enabled() {
		return
	}
	for _, u := range []struct{ key, v string }{{"auth.oidc.issuer", o.Issuer}, {"auth.oidc.redirect_url", o.RedirectURL}} {
		if p, err := url.Parse(u.v); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			check(u.key, fmt.Errorf("%q is not an http(s) URL", u.v))
		}
	}
	if strings.TrimSpace(o.ClientID) == "" {
		check("auth.oidc.client_id", errors.New("must not be empty when auth.oidc.issuer is set"))
	}
	for _, c := range []struct{ key, v string }{{"auth.oidc.role_claim", o.RoleClaim}, {"auth.oidc.tenant_claim", o.TenantClaim}, {"auth.oidc.user_claim", o.UserClaim}} {
		if strings.TrimSpace(c.v) == "" {
			check(c.key, errors.New("must not be empty when auth.oidc.issuer is set"))
		}
	}
}
