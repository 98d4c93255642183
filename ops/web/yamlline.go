package web

import (
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// lineOf returns the line of a YAML document at which a template validation path
// ("stages[1].gates[0].expr") is written, or 0 when the path is not found (a missing field) or the
// document cannot be read.
func lineOf(doc []byte, path string) int {
	var root yaml.Node
	if yaml.Unmarshal(doc, &root) != nil || len(root.Content) == 0 {
		return 0
	}
	n, line := root.Content[0], 0
	for _, seg := range pathSegments(path) {
		next, at := child(n, seg)
		if next == nil {
			return line // as far as the path goes: the parent that lacks it
		}
		n, line = next, at
	}
	return line
}

// child returns a mapping's value for a key (with the key's line) or a sequence's element.
func child(n *yaml.Node, seg string) (*yaml.Node, int) {
	if i, err := strconv.Atoi(seg); err == nil {
		if n.Kind == yaml.SequenceNode && i < len(n.Content) {
			return n.Content[i], n.Content[i].Line
		}
		return nil, 0
	}
	if n.Kind != yaml.MappingNode {
		return nil, 0
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == seg {
			return n.Content[i+1], n.Content[i].Line
		}
	}
	return nil, 0
}

// pathSegments splits "stages[1].gates[0].expr" into stages, 1, gates, 0, expr.
func pathSegments(path string) []string {
	return strings.FieldsFunc(path, func(r rune) bool { return r == '.' || r == '[' || r == ']' })
}

// syntaxLine is the line a YAML syntax error names ("yaml: line 7: …"), or 0.
var syntaxLine = regexp.MustCompile(`line (\d+)`)

func lineOfSyntaxError(msg string) int {
	if m := syntaxLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}
