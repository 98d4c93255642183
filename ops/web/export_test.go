package web

// HasMessage reports whether a message key exists (in both languages: the table holds pairs).
func HasMessage(key string) bool { _, ok := messages[key]; return ok }

// SignedInPages returns the patterns of the pages behind the sign-in.
func SignedInPages() []string {
	out := make([]string, len(signedInPages))
	for i, p := range signedInPages {
		out[i] = p.pattern
	}
	return out
}
