package throttle

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Attempt is one authentication attempt.
type Attempt struct {
	// Surface is where it came in: "api" (bearer token) or "web" (the sign-in form).
	Surface string
	// Addr is the client's address (an IPv6 address by its /64 network).
	Addr string
	// Account is the token prefix "cf_<id>" the credential names, or "" when it names none.
	Account string
	// Path is the request's path.
	Path string
}

// AttemptOf describes an attempt to authenticate request r with secret on surface. Only the
// secret's prefix is kept (see Prefix).
func AttemptOf(r *http.Request, surface, secret string) Attempt {
	return Attempt{Surface: surface, Addr: Address(r), Account: Prefix(secret), Path: r.URL.Path}
}

func (a Attempt) keys() []string {
	if a.Account == "" {
		return []string{"addr " + a.Addr}
	}
	return []string{"addr " + a.Addr, "account " + a.Account}
}

// Address returns the client's address from r.RemoteAddr: the IP, or for IPv6 its /64 network
// (one host usually holds a whole /64). Forwarding headers are not trusted.
func Address(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return (&net.IPNet{IP: ip.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}).String()
	}
	return ip.String()
}

// Prefix returns the public part "cf_<id>" of a civicflow bearer token ("cf_<id>_<secret>"), or ""
// when secret does not have that shape: nothing of a malformed credential (which may be a
// password typed into the wrong field) is ever logged.
func Prefix(secret string) string {
	id, rest, ok := strings.Cut(strings.TrimPrefix(secret, "cf_"), "_")
	if !ok || !strings.HasPrefix(secret, "cf_") || rest == "" || len(id) == 0 || len(id) > 16 {
		return ""
	}
	for _, c := range id {
		if (c < 'a' || c > 'z') && (c < '2' || c > '7') {
			return ""
		}
	}
	return "cf_" + id
}

// Seconds is the value of a Retry-After header for a wait: whole seconds, rounded up, at least 1.
func Seconds(wait time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(wait.Seconds()))))
}
