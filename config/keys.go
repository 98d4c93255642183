package config

import (
	"reflect"
	"slices"
	"strings"
	"sync"
)

// Environment variables.
const (
	// EnvPrefix starts the name of every environment variable that sets a
	// configuration key; see [EnvVar].
	EnvPrefix = "CIVICFLOW_"
	// EnvConfigFile names the configuration file when no --config flag is
	// given. The CLI reads it; [Load] ignores it.
	EnvConfigFile = EnvPrefix + "CONFIG"
)

// reservedEnv reports whether name starts with [EnvPrefix] but belongs to
// something other than a configuration key, so [Load] ignores it:
// [EnvConfigFile], CIVICFLOW_TEST_* and CIVICFLOW_BENCH_* (test and benchmark sizes) and the
// server addresses that integration tests read (CIVICFLOW_ESDB_URL, CIVICFLOW_POSTGRES_URL).
func reservedEnv(name string) bool {
	switch name {
	case EnvConfigFile, EnvPrefix + "ESDB_URL", EnvPrefix + "POSTGRES_URL":
		return true
	}
	return strings.HasPrefix(name, EnvPrefix+"TEST_") || strings.HasPrefix(name, EnvPrefix+"BENCH_")
}

// field is one leaf of [Config]: a key, its Go type and its default.
type field struct {
	key string
	typ reflect.Type
	def any
}

// schema describes [Config], derived once from its mapstructure tags.
type schema struct {
	fields      []field           // sorted by key
	byKey       map[string]field  // dotted key → field
	sections    map[string]bool   // dotted keys of the nested structs
	sectionKeys []string          // the same, sorted
	byEnv       map[string]string // environment variable → key
}

// schemaOf returns the schema of [Config].
var schemaOf = sync.OnceValue(func() *schema {
	s := &schema{
		byKey:    map[string]field{},
		sections: map[string]bool{},
		byEnv:    map[string]string{},
	}
	s.walk(reflect.ValueOf(Default()), "")
	slices.SortFunc(s.fields, func(a, b field) int { return strings.Compare(a.key, b.key) })
	slices.Sort(s.sectionKeys)
	for _, f := range s.fields {
		s.byKey[f.key] = f
		s.byEnv[EnvVar(f.key)] = f.key
	}
	return s
})

// walk adds the leaves of the struct v, whose key is prefix, to s.
func (s *schema) walk(v reflect.Value, prefix string) {
	t := v.Type()
	for i := range t.NumField() {
		key := t.Field(i).Tag.Get("mapstructure")
		if prefix != "" {
			key = prefix + "." + key
		}
		if t.Field(i).Type.Kind() == reflect.Struct {
			s.sections[key] = true
			s.sectionKeys = append(s.sectionKeys, key)
			s.walk(v.Field(i), key)
			continue
		}
		s.fields = append(s.fields, field{key: key, typ: t.Field(i).Type, def: v.Field(i).Interface()})
	}
}

// underLeaf reports whether key lies below a known leaf key, as
// "store.sqlite.path.x" does when a file gives path a mapping.
func (s *schema) underLeaf(key string) bool {
	for i := strings.LastIndexByte(key, '.'); i > 0; i = strings.LastIndexByte(key[:i], '.') {
		if _, ok := s.byKey[key[:i]]; ok {
			return true
		}
	}
	return false
}

// Keys returns every configuration key, dotted and sorted, e.g.
// "store.sqlite.path".
func Keys() []string {
	fs := schemaOf().fields
	keys := make([]string, len(fs))
	for i, f := range fs {
		keys[i] = f.key
	}
	return keys
}

// EnvVar returns the environment variable that sets key: [EnvPrefix]
// followed by the key in upper case with dots replaced by underscores, e.g.
// CIVICFLOW_STORE_SQLITE_PATH for "store.sqlite.path".
func EnvVar(key string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// suggest returns the candidate closest to s by edit distance, or "" if
// none is close enough to be a likely typo: at most 2 edits, or one in five
// characters for long names.
func suggest(s string, candidates []string) string {
	best, bestDist := "", max(2, len(s)/5)+1
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
