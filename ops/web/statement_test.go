package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/ops/web"
)

func TestAccessibility_statement(t *testing.T) {
	plain := newSite(t)
	t.Run("is_public_and_says_when_no_feedback_contact_is_configured", func(t *testing.T) {
		p := plain.browser().get("/barrierefreiheit")
		if p.status != http.StatusOK || !strings.Contains(p.body, "<h1>Erklärung zur Barrierefreiheit</h1>") ||
			!strings.Contains(p.body, "server.accessibility_contact") || !strings.Contains(p.body, "teilweise vereinbar") {
			t.Fatalf("%d\n%s", p.status, p.body)
		}
	})
	t.Run("every_page_links_it_in_the_footer", func(t *testing.T) {
		b := plain.browser()
		b.signIn("viewer@leipzig")
		if p := b.get("/measures?lang=en"); !strings.Contains(p.body, `<a href="/barrierefreiheit">Accessibility statement</a>`) {
			t.Fatal("no footer link")
		}
	})
	withContact := newSiteConfigured(t, nil, func(c *web.Config, _ map[string]string) { c.AccessibilityContact = "barrierefrei@leipzig.de" })
	t.Run("names_the_configured_contact_as_a_link", func(t *testing.T) {
		p := withContact.browser().get("/barrierefreiheit?lang=en")
		if !strings.Contains(p.body, `<a href="mailto:barrierefrei@leipzig.de">barrierefrei@leipzig.de</a>`) || strings.Contains(p.body, "not configured") {
			t.Fatalf("%s", p.body)
		}
	})
}
