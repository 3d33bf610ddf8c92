package config

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"

	"github.com/go-viper/mapstructure/v2"
	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
)

// EnvPrefix is the prefix of every environment variable the daemon reads.
const EnvPrefix = "ORCH_"

// Sources are the places a configuration is read from, lowest precedence first
// after the defaults: the YAML file, the environment, then flag overrides.
type Sources struct {
	File      string            // YAML file; empty = none
	Environ   []string          // KEY=VALUE pairs, normally os.Environ()
	Overrides map[string]string // dotted key → value, from flags
}

// Load builds the configuration from the defaults and the sources, then
// validates it. The error lists every problem found, one per line.
func Load(src Sources) (Config, error) {
	k := koanf.New(".")
	if src.File != "" {
		if _, err := os.Stat(src.File); err != nil {
			return Config{}, fmt.Errorf("config file: %w", err)
		}
		if err := k.Load(file.Provider(src.File), yaml.Parser()); err != nil {
			return Config{}, fmt.Errorf("config file %s: %w", src.File, err)
		}
	}
	environ := src.Environ
	if err := k.Load(env.Provider(".", env.Opt{
		Prefix:        EnvPrefix,
		TransformFunc: envKey,
		EnvironFunc:   func() []string { return environ },
	}), nil); err != nil {
		return Config{}, fmt.Errorf("environment: %w", err)
	}
	if len(src.Overrides) > 0 {
		flat := make(map[string]any, len(src.Overrides))
		for key, v := range src.Overrides {
			flat[key] = v
		}
		if err := k.Load(confmap.Provider(flat, "."), nil); err != nil {
			return Config{}, fmt.Errorf("flags: %w", err)
		}
	}

	cfg := Default()
	decodeErr := decode(k, &cfg)
	if decodeErr != nil {
		// Validate what did decode too, so one run names every bad key.
		return cfg, errors.Join(decodeErr, cfg.Validate())
	}
	return cfg, cfg.Validate()
}

// envKey maps ORCH_HTTP__MAX_BODY to http.max_body: "__" nests, "_" stays.
func envKey(k, v string) (string, any) {
	k = strings.ToLower(strings.TrimPrefix(k, EnvPrefix))
	return strings.ReplaceAll(k, "__", "."), v
}

// decode unmarshals onto cfg so unset keys keep their defaults, rejecting
// unknown keys (a typo must not silently fall back to a default).
func decode(k *koanf.Koanf, cfg *Config) error {
	var md mapstructure.Metadata
	dc := &mapstructure.DecoderConfig{
		DecodeHook: mapstructure.ComposeDecodeHookFunc(
			mapstructure.StringToTimeDurationHookFunc(),
			mapstructure.TextUnmarshallerHookFunc(),
			splitList,
		),
		Metadata:         &md,
		Result:           cfg,
		WeaklyTypedInput: true,
		Squash:           true, // embedded structs (Provider) are inlined, as in YAML
		TagName:          "yaml",
	}
	d, err := mapstructure.NewDecoder(dc)
	if err != nil {
		return err
	}
	var problems []error
	if err := d.Decode(k.Raw()); err != nil {
		problems = append(problems, splitDecodeErrors(err, k)...)
	}
	if len(md.Unused) > 0 {
		sort.Strings(md.Unused)
		for _, key := range md.Unused {
			problems = append(problems, fmt.Errorf("%s: unknown key", key))
		}
	}
	return errors.Join(problems...)
}

// splitList lets an environment variable or flag set any list, of strings,
// durations or numbers: "0s,5m,1h" → ["0s" "5m" "1h"], each element then
// decoded by the other hooks. An empty string is an empty list.
func splitList(from, to reflect.Type, data any) (any, error) {
	s, ok := data.(string)
	if !ok || from.Kind() != reflect.String || to.Kind() != reflect.Slice || to.Elem().Kind() == reflect.Uint8 {
		return data, nil
	}
	if strings.TrimSpace(s) == "" {
		return []string{}, nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts, nil
}

// splitDecodeErrors turns mapstructure's aggregate into one "key: problem"
// error per key, the same shape Validate uses.
func splitDecodeErrors(err error, k *koanf.Koanf) []error {
	switch e := err.(type) {
	case interface{ Unwrap() []error }:
		var out []error
		for _, inner := range e.Unwrap() {
			out = append(out, splitDecodeErrors(inner, k)...)
		}
		return out
	case *mapstructure.DecodeError:
		if _, nested := e.Unwrap().(interface{ Unwrap() []error }); nested {
			return splitDecodeErrors(e.Unwrap(), k)
		}
		return []error{fmt.Errorf("%s: %s", e.Name(), describe(e.Unwrap(), k.String(e.Name())))}
	case interface{ Unwrap() error }:
		return splitDecodeErrors(e.Unwrap(), k)
	}
	return []error{err}
}

// describe rewrites the library's terse parse errors into advice.
func describe(err error, value string) string {
	if strings.Contains(err.Error(), "time: ") {
		return fmt.Sprintf("invalid duration %q (want a Go duration such as \"30s\" or \"5m\")", value)
	}
	return err.Error()
}
