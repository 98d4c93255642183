package templates

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/civicflow/civicflow/domain/template"
)

// Locate gives every problem of a *template.ValidationError in err its line and column in the
// YAML or JSON document data: the position of the part its path names, or of the nearest
// enclosing part that exists (a missing field is reported where its parent begins). Other errors
// are returned as they are.
func Locate(data []byte, err error) error {
	var ve *template.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return err
	}
	for i, p := range ve.Problems {
		if n := find(doc.Content[0], p.Path); n != nil {
			ve.Problems[i].Line, ve.Problems[i].Column = n.Line, n.Column
		}
	}
	return err
}

var segment = regexp.MustCompile(`^([^\[\]]*)((?:\[\d+\])*)$`)

// find follows a path such as "stages[2].gates[0].expr" from n as far as it leads.
func find(n *yaml.Node, path string) *yaml.Node {
	for _, part := range strings.Split(path, ".") {
		m := segment.FindStringSubmatch(part)
		if m == nil {
			return n
		}
		if m[1] != "" {
			next := field(n, m[1])
			if next == nil {
				return n
			}
			n = next
		}
		for _, idx := range strings.Split(strings.Trim(m[2], "[]"), "][") {
			if idx == "" {
				continue
			}
			i, _ := strconv.Atoi(idx)
			if n.Kind != yaml.SequenceNode || i >= len(n.Content) {
				return n
			}
			n = n.Content[i]
		}
	}
	return n
}

// field returns the value of key in a mapping node, or nil.
func field(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
