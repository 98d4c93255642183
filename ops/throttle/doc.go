// Package throttle slows down the guessing of credentials. A Guard counts failed authentications
// per client address and per account (a bearer token's prefix "cf_<id>") and, after a few free
// failures, refuses every further attempt from that address or for that account for a time that
// doubles with each failure (1 s, 2 s, 4 s, … up to 15 minutes by default); the caller answers
// 429 with Retry-After. It logs every failed attempt (surface, address, token prefix, path,
// reason; never the secret) and reports it to an Observer (civicflow_auth_failures_total).
// Successful attempts cost one map look-up and are never delayed. The state is bounded: at most
// MaxEntries keys, each forgotten once it has been quiet for Forget.
//
//	g, err := throttle.New(throttle.Config{Logger: log, Observer: m})
//	at := throttle.AttemptOf(r, "api", secret)
//	if wait := g.Wait(at); wait > 0 { /* 429, Retry-After: throttle.Seconds(wait) */ }
//	if err := check(secret); err != nil { g.Fail(at, throttle.ReasonInvalid) } else { g.Succeed(at) }
package throttle
