package config

import "go.yaml.in/yaml/v3"

// YAML renders the configuration as a YAML file would set it; secrets are
// masked by their type, so the output is safe to paste into a ticket.
func (c Config) YAML() ([]byte, error) { return yaml.Marshal(c) }
