package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// postFile sends form fields and one file as multipart/form-data, as a browser sends the upload
// form.
func (b *browser) postFile(path string, fields map[string]string, fileField, fileName, content string) page {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if fileField != "" {
		fw, err := mw.CreateFormFile(fileField, fileName)
		if err != nil {
			b.t.Fatal(err)
		}
		fw.Write([]byte(content))
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.s.url+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func TestTemplates_upload_a_yaml_file(t *testing.T) {
	s := newSite(t)
	admin := s.browser()
	admin.signIn("administrator@leipzig")
	if p := admin.get("/templates"); !strings.Contains(p.body, `enctype="multipart/form-data"`) || !strings.Contains(p.body, `type="file"`) {
		t.Fatal("the upload form takes no file")
	}
	t.Run("a_chosen_file_is_published", func(t *testing.T) {
		admin.get("/templates")
		got := admin.postFile("/templates", map[string]string{"csrf": admin.csrf}, "file", "spielplatz.yaml", uploadOK)
		if got.status != http.StatusSeeOther || !strings.HasPrefix(got.header.Get("Location"), "/templates/leipzig:spielplatz-kurz") {
			t.Fatalf("%d %s %s", got.status, got.header.Get("Location"), got.body)
		}
	})
	t.Run("a_bad_file_shows_its_problems_with_lines", func(t *testing.T) {
		admin.get("/templates")
		got := admin.postFile("/templates", map[string]string{"csrf": admin.csrf}, "file", "kaputt.yaml", uploadBad)
		if got.status != http.StatusUnprocessableEntity || !strings.Contains(got.body, "<strong>Zeile 5</strong> <code>stages[1].key</code>") {
			t.Fatalf("%d: problems not shown with their lines", got.status)
		}
	})
	t.Run("without_csrf_nothing_is_published", func(t *testing.T) {
		got := admin.postFile("/templates", nil, "file", "spielplatz.yaml", strings.Replace(uploadOK, "spielplatz-kurz", "ohne-csrf", 1))
		if got.status != http.StatusForbidden {
			t.Fatalf("%d", got.status)
		}
	})
}
