package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// DefaultFile is the configuration file [Load] reads when [Options.File] is
// empty and the file exists in the working directory.
const DefaultFile = "civicflow.yaml"

// Options says where [Load] finds the configuration besides the defaults.
type Options struct {
	// File is the path of a YAML configuration file (.yaml or .yml). It must
	// exist. Default "": read [DefaultFile] if it exists, else no file.
	File string
	// Flags binds configuration keys to command-line flags, e.g.
	// {"store.sqlite.path": cmd.Flags().Lookup("db")}. Only flags the user
	// set on the command line override other sources. Default nil: none.
	Flags map[string]*pflag.Flag
	// Environ is the environment as KEY=VALUE strings. Default nil:
	// [os.Environ]. Tests pass their own (an empty, non-nil slice for none).
	Environ []string
	// Sources, when not nil, receives where each key's value came from, in
	// the words of [KeyError.Source] ("flag --addr", "env CIVICFLOW_…",
	// "file civicflow.yaml"); a key left at its default gets no entry. A
	// command uses it to tell a value someone chose from the default.
	// Default nil: not recorded.
	Sources map[string]string
}

// Load returns the configuration from, in increasing precedence, the
// defaults, the file, the environment and the flags named in opts, and
// checks it with [Config.Validate].
//
// It rejects, reporting all problems at once: a key in the file that names
// no configuration key, a CIVICFLOW_ environment variable that names none
// (except the reserved ones listed in the package documentation), a value
// of the wrong type, and every problem Validate finds. Problems with a key
// are [*KeyError] values that name the key and where its value came from.
// An empty environment variable counts as unset.
func Load(opts Options) (Config, error) {
	l := &loader{
		v:        viper.New(),
		s:        schemaOf(),
		fromFile: map[string]bool{},
		fromEnv:  map[string]string{},
		flags:    opts.Flags,
	}
	for _, f := range l.s.fields {
		l.v.SetDefault(f.key, f.def)
	}
	if err := l.readFile(opts.File); err != nil {
		return Config{}, err
	}
	environ := opts.Environ
	if environ == nil {
		environ = os.Environ()
	}
	errs := l.scalarSections()
	errs = append(errs, l.readEnv(environ), l.bindFlags())
	errs = append(errs, l.unknownKeys()...)
	cfg, err := l.decode()
	errs = append(errs, err, l.annotate(cfg.Validate()))
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	if opts.Sources != nil {
		for _, f := range l.s.fields {
			if src := l.source(f.key); src != "" {
				opts.Sources[f.key] = src
			}
		}
	}
	return cfg, nil
}

// loader holds the state of one [Load].
type loader struct {
	v        *viper.Viper
	s        *schema
	file     string                 // the file read, "" if none
	fromFile map[string]bool        // keys the file sets
	fromEnv  map[string]string      // key → environment variable that sets it
	flags    map[string]*pflag.Flag // key → flag
}

// readFile reads the named file, or [DefaultFile] if name is empty and
// that exists.
func (l *loader) readFile(name string) error {
	explicit := name != ""
	if !explicit {
		name = DefaultFile
	}
	data, err := os.ReadFile(name)
	switch {
	case !explicit && errors.Is(err, fs.ErrNotExist):
		return nil
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("config file %s: %w", name, fs.ErrNotExist)
	case err != nil:
		return fmt.Errorf("config file %s: %w", name, err)
	}
	if ext := strings.ToLower(filepath.Ext(name)); ext != ".yaml" && ext != ".yml" {
		return fmt.Errorf("config file %s: unsupported format %q, use .yaml or .yml", name, ext)
	}
	l.v.SetConfigType("yaml")
	if err := l.v.ReadConfig(bytes.NewReader(data)); err != nil {
		var perr viper.ConfigParseError
		if errors.As(err, &perr) {
			err = perr.Unwrap()
		}
		return fmt.Errorf("config file %s: %w", name, err)
	}
	l.file = name
	for _, f := range l.s.fields {
		l.fromFile[f.key] = l.v.InConfig(f.key)
	}
	return nil
}

// scalarSections reports the sections the file gives a value instead of
// keys, as in "store: sqlite". Call it before the environment is merged,
// which would replace such a value.
func (l *loader) scalarSections() []error {
	var errs []error
	for _, section := range l.s.sectionKeys {
		if val := l.v.Get(section); val != nil && !isMap(val) {
			err := fmt.Errorf("expected a section of keys, got %s", describe(val))
			errs = append(errs, &KeyError{Key: section, Source: l.source(section), Err: err})
		}
	}
	return errs
}

// readEnv merges the CIVICFLOW_ variables of environ above the file and
// reports those that name no key.
func (l *loader) readEnv(environ []string) error {
	var errs []error
	values := map[string]any{}
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, EnvPrefix) || reservedEnv(name) {
			continue
		}
		if old, renamed := renamedEnv(name); renamed {
			errs = append(errs, &KeyError{Key: old, Source: "env " + name, Err: errRenamed(old)})
			continue
		}
		key, ok := l.s.byEnv[name]
		if !ok {
			errs = append(errs, fmt.Errorf("env %s: %w%s", name, ErrUnknownKey, l.envHint(name)))
			continue
		}
		if value == "" {
			continue
		}
		setPath(values, key, value)
		l.fromEnv[key] = name
	}
	if err := l.v.MergeConfigMap(values); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// envHint suggests the variable the misspelt name was probably meant to be.
func (l *loader) envHint(name string) string {
	names := make([]string, 0, len(l.s.byEnv))
	for n := range l.s.byEnv {
		names = append(names, strings.TrimPrefix(n, EnvPrefix))
	}
	slices.Sort(names)
	if s := suggest(strings.TrimPrefix(name, EnvPrefix), names); s != "" {
		return fmt.Sprintf(" (did you mean %s%s?)", EnvPrefix, s)
	}
	return ""
}

// bindFlags binds the flags of [Options.Flags] to their keys.
func (l *loader) bindFlags() error {
	var errs []error
	for _, key := range slices.Sorted(maps.Keys(l.flags)) {
		flag := l.flags[key]
		if _, ok := l.s.byKey[key]; !ok {
			errs = append(errs, fmt.Errorf("flag for %q: %w", key, ErrUnknownKey))
			continue
		}
		if err := l.v.BindPFlag(key, flag); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// unknownKeys reports the keys set in the file that name no configuration
// key, sorted.
func (l *loader) unknownKeys() []error {
	keys := l.v.AllKeys()
	slices.Sort(keys)
	var errs []error
	for _, key := range keys {
		if _, ok := l.s.byKey[key]; ok || l.s.sections[key] || l.s.underLeaf(key) {
			continue // scalarSections and decode report sections and leaves of the wrong kind
		}
		if _, renamed := renamedKeys[key]; renamed {
			errs = append(errs, &KeyError{Key: key, Source: l.source(key), Err: errRenamed(key)})
			continue
		}
		err := ErrUnknownKey
		if s := suggest(key, Keys()); s != "" {
			err = fmt.Errorf("%w (did you mean %s?)", ErrUnknownKey, s)
		}
		errs = append(errs, &KeyError{Key: key, Source: l.source(key), Err: err})
	}
	return errs
}

// source says where the value of key comes from, in the words of
// [KeyError.Source].
func (l *loader) source(key string) string {
	if f := l.flags[key]; f != nil && f.Changed {
		return "flag --" + f.Name
	}
	if name, ok := l.fromEnv[key]; ok {
		return "env " + name
	}
	if _, known := l.s.byKey[key]; l.file != "" && (l.fromFile[key] || !known) {
		return "file " + l.file
	}
	return ""
}

// annotate fills in the source of the [*KeyError] values joined in err.
func (l *loader) annotate(err error) error {
	if err == nil {
		return nil
	}
	errs := unjoin(err)
	for _, e := range errs {
		var ke *KeyError
		if errors.As(e, &ke) && ke.Source == "" {
			ke.Source = l.source(ke.Key)
		}
	}
	return errors.Join(errs...)
}

// decode returns the merged settings as a [Config]. It starts from
// [Default], so a key whose value cannot be decoded keeps its default and
// [Config.Validate] reports only the remaining problems.
func (l *loader) decode() (Config, error) {
	settings := map[string]any{}
	for _, f := range l.s.fields {
		if val := l.v.Get(f.key); val != nil {
			setPath(settings, f.key, val)
		}
	}
	cfg := Default()
	dec, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
		DecodeHook:  decodeHook,
		ErrorUnused: true,
		Result:      &cfg,
	})
	if err != nil {
		return Default(), err
	}
	if err := dec.Decode(settings); err != nil {
		return cfg, errors.Join(l.decodeErrors(err)...)
	}
	return cfg, nil
}

// decodeErrors turns the errors mapstructure returns, joined and nested by
// section, into a flat list of [*KeyError] values.
func (l *loader) decodeErrors(err error) []error {
	switch e := err.(type) {
	case interface{ Unwrap() []error }:
		var errs []error
		for _, inner := range e.Unwrap() {
			errs = append(errs, l.decodeErrors(inner)...)
		}
		return errs
	case *mapstructure.DecodeError:
		inner := e.Unwrap()
		if _, nested := inner.(interface{ Unwrap() []error }); nested {
			return l.decodeErrors(inner)
		}
		return []error{&KeyError{Key: e.Name(), Source: l.source(e.Name()), Err: inner}}
	}
	if inner := errors.Unwrap(err); inner != nil {
		return l.decodeErrors(inner) // "decoding failed due to the following error(s)"
	}
	return []error{err}
}

// setPath sets the dotted key in the nested map m, creating sections as
// needed. It does nothing if a section on the way holds a scalar.
func setPath(m map[string]any, key string, val any) {
	parts := strings.Split(key, ".")
	for _, p := range parts[:len(parts)-1] {
		if m[p] == nil {
			m[p] = map[string]any{}
		}
		next, ok := m[p].(map[string]any)
		if !ok {
			return
		}
		m = next
	}
	m[parts[len(parts)-1]] = val
}
