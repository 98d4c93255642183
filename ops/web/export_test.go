package web

// HasMessage reports whether a message key exists (in both languages: the table holds pairs).
func HasMessage(key string) bool { _, ok := messages[key]; return ok }
